// The engine's NATS connection: authenticates as configured (user and password, token, NKey
// seed or credentials file; TLS with a private CA and a client certificate), reconnects for ever
// and tracks whether it is connected, which /readyz reports.

import { accessSync, constants, readFileSync } from 'node:fs';
import { connect, credsAuthenticator, nkeyAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Config } from '../config.js';
import { VigilError } from '../errors.js';
import type { Logger } from '../logger.js';

/** The `nats` section of the config, or just a URL (no authentication, TLS only if the server asks). */
export type NatsSettings = Pick<Config['nats'], 'url'> & Partial<Omit<Config['nats'], 'url' | 'prefix' | 'streamMaxAgeHours'>>;

/** Reads `file` now (a missing or unreadable file stops the start naming `key`), and again at each call. */
function fileReader(key: string, file: string): () => Uint8Array {
  const read = () => new Uint8Array(readFileSync(file));
  try {
    read();
  } catch (err) {
    throw new VigilError('CONFIG_INVALID', `'${key}' cannot be read: ${(err as Error).message}`);
  }
  return read;
}

function readable(key: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new VigilError('CONFIG_INVALID', `'${key}' cannot be read: ${(err as Error).message}`);
  }
  return file;
}

/**
 * Connection options for `settings`: servers, credentials and TLS. Credential files are read
 * again whenever the client (re)connects, so rotating them needs no restart.
 */
export function natsConnectOptions(settings: NatsSettings): NodeConnectionOptions {
  const o: NodeConnectionOptions = { servers: settings.url.split(',').map((s) => s.trim()) };
  if (settings.user !== undefined) {
    o.user = settings.user;
    o.pass = settings.pass;
  }
  if (settings.token !== undefined) o.token = settings.token;
  if (settings.nkeySeedFile !== undefined) {
    const read = fileReader('nats.nkeySeedFile', settings.nkeySeedFile);
    // A seed file holds one line (SU…); nsc may add a newline.
    o.authenticator = nkeyAuthenticator(() => new TextEncoder().encode(new TextDecoder().decode(read()).trim()));
  }
  if (settings.credsFile !== undefined) o.authenticator = credsAuthenticator(fileReader('nats.credsFile', settings.credsFile));
  const tls = settings.tls;
  if (tls && (tls.required || tls.caFile || tls.certFile || tls.keyFile)) {
    // A tls object makes nats.js refuse a server without TLS: the files imply TLS.
    o.tls = {
      caFile: readable('nats.tls.caFile', tls.caFile),
      certFile: readable('nats.tls.certFile', tls.certFile),
      keyFile: readable('nats.tls.keyFile', tls.keyFile),
    };
  }
  return o;
}

export class NatsLink {
  private connected = true;

  private constructor(
    readonly nc: NatsConnection,
    log: Logger,
  ) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          this.connected = false;
          log.warn('NATS disconnected; reconnecting');
        } else if (s.type === 'reconnect') {
          this.connected = true;
          log.info('NATS reconnected');
        } else if (s.type === 'error') {
          // Authorization errors and the like: the connection retries, the operator must know.
          log.warn(`NATS: ${s.error.message}`);
        }
      }
    })();
  }

  static async open(settings: string | NatsSettings, log: Logger, name = 'vigil'): Promise<NatsLink> {
    const nc = await connect({
      ...natsConnectOptions(typeof settings === 'string' ? { url: settings } : settings),
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
