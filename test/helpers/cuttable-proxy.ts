// A TCP proxy in front of a nats-server that can lose what the server sends, as a dropped
// connection does: once armed, it forwards `passBytes` more from server to client, holds the
// rest, and cut() closes both sides with the held bytes unsent. Connections made afterwards
// (the client's reconnect) pass everything.

import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './nats-server.js';

export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private budget = Infinity;
  private held = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<CuttableProxy> {
    const { hostname, port } = new URL(target);
    const listen = await freePort();
    let proxy: CuttableProxy | null = null;
    const server = createServer((client) => {
      const upstream = connect({ host: hostname, port: Number(port) });
      proxy!.sockets.add(client).add(upstream);
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => proxy!.toClient(client, d));
      for (const s of [client, upstream]) {
        s.on('error', () => undefined);
        s.on('close', () => {
          client.destroy();
          upstream.destroy();
          proxy!.sockets.delete(s);
        });
      }
    });
    await new Promise<void>((resolve) => server.listen(listen, '127.0.0.1', resolve));
    proxy = new CuttableProxy(server, `nats://127.0.0.1:${listen}`);
    return proxy;
  }

  /** From now on, pass `passBytes` from the server, then hold everything. */
  arm(passBytes: number): void {
    this.budget = passBytes;
  }

  /** Bytes the server sent that the client has not been given. */
  get heldBytes(): number {
    return this.held;
  }

  /** Drops every connection and what it held; new connections pass everything. */
  cut(): void {
    this.budget = Infinity;
    this.held = 0;
    for (const s of this.sockets) s.destroy();
  }

  private toClient(client: Socket, d: Buffer): void {
    if (this.budget === Infinity) {
      client.write(d);
      return;
    }
    const pass = Math.max(0, Math.min(d.length, this.budget));
    if (pass > 0) client.write(d.subarray(0, pass));
    this.budget -= pass;
    this.held += d.length - pass;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
