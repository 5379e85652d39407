// A private nats-server with JetStream for one test file: free port, its own store folder,
// and stop/start so tests can take the broker away mid-stream.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, PrivateNatsServer } from '../../engine/nats/private-server.js';

export { freePort };

export class TestNatsServer {
  private constructor(private readonly server: PrivateNatsServer) {}

  /** `extraConfig`: nats-server configuration appended as is (an authorization or tls block). */
  static async start(opts: { extraConfig?: string } = {}): Promise<TestNatsServer> {
    const server = new PrivateNatsServer({
      host: '127.0.0.1',
      port: await freePort(),
      dir: mkdtempSync(join(tmpdir(), 'vigil-nats-')),
      extraConfig: opts.extraConfig,
    });
    await server.start();
    return new TestNatsServer(server);
  }

  get url(): string {
    return this.server.url;
  }

  startProcess(): Promise<void> {
    return this.server.start();
  }

  stopProcess(): Promise<void> {
    return this.server.stop();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
