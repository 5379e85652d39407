// The engine's NATS connection: reconnects for ever and tracks whether it is connected,
// which /readyz reports.

import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';

export class NatsLink {
  private connected = true;

  private constructor(readonly nc: NatsConnection, log: Logger) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          this.connected = false;
          log.warn('NATS disconnected; reconnecting');
        } else if (s.type === 'reconnect') {
          this.connected = true;
          log.info('NATS reconnected');
        }
      }
    })();
  }

  static async open(url: string, log: Logger, name = 'vigil'): Promise<NatsLink> {
    const nc = await connect({
      servers: url.split(',').map((s) => s.trim()),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // Batches up to 1 MiB are fetched; pings detect a dead server within seconds.
      pingInterval: 5000,
      maxPingOut: 3,
    });
    return new NatsLink(nc, log);
  }

  get isConnected(): boolean {
    return this.connected && !this.nc.isClosed();
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain().catch(() => this.nc.close());
  }
}
