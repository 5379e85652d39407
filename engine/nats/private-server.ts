// A nats-server child process with JetStream, for `npm start` on a machine without NATS,
// for the benchmark and for tests that must stop and restart their broker.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';

export function natsServerBinary(): string | null {
  if (process.env.NATS_SERVER) return process.env.NATS_SERVER;
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin'])) {
    const candidate = join(dir, 'nats-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

/** A TCP port free on loopback right now (for a private server or a test's listener). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface PrivateNatsOptions {
  host: string;
  port: number;
  /** JetStream's store folder; a config file is written beside it. */
  dir: string;
  /** More nats-server configuration (authorization, tls blocks), appended to the file as is. */
  extraConfig?: string;
}

export class PrivateNatsServer {
  private proc: ChildProcess | null = null;

  constructor(readonly o: PrivateNatsOptions) {}

  get url(): string {
    return `nats://${this.o.host}:${this.o.port}`;
  }

  async start(): Promise<void> {
    const bin = natsServerBinary();
    if (!bin) throw new Error('nats-server is not on PATH (Debian: apt-get install nats-server)');
    mkdirSync(this.o.dir, { recursive: true });
    const conf = join(this.o.dir, 'nats.conf');
    // max_payload above 1 MiB: vigil accepts gateway batches of up to 1 MiB plus headers. The
    // log says why a client was cut (a slow consumer, a missed ping).
    writeFileSync(
      conf,
      `listen: "${this.o.host}:${this.o.port}"\nmax_payload: 2MB\nlog_file: "${join(this.o.dir, 'nats-server.log')}"\njetstream { store_dir: "${join(this.o.dir, 'js')}" }\n${this.o.extraConfig ?? ''}\n`,
    );
    const proc = spawn(bin, ['-c', conf], { stdio: 'ignore' });
    this.proc = proc;
    const deadline = Date.now() + 10_000;
    while (!(await portOpen(this.o.host, this.o.port))) {
      if (proc.exitCode !== null) throw new Error(`nats-server exited with code ${proc.exitCode} (is port ${this.o.port} taken?)`);
      if (Date.now() > deadline) throw new Error('nats-server did not start within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM: JetStream flushes its store, as an operator's restart would. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }
}
