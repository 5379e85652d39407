// A vigil engine as its own OS process (`vigil serve`), so a test can kill it with SIGKILL.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { freePort, TestNatsServer } from './nats-server.js';
import { TOKENS } from './engine.js';

const CLI = new URL('../../bin/vigil.js', import.meta.url).pathname;

export class EngineProcess {
  private child: ChildProcess | null = null;

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly configFile: string,
  ) {}

  /**
   * Writes a config with the test tokens (admin, analyst, dispatcher) beside a fresh data folder
   * (or in `opts.dataDir`, e.g. on a small file system a test fills up); `opts.config` adds
   * top-level keys (e.g. `store`).
   */
  static async create(
    natsUrl: string,
    ingest: Record<string, unknown> = {},
    opts: { dataDir?: string; config?: Record<string, unknown> } = {},
  ): Promise<EngineProcess> {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'vigil-proc-'));
    mkdirSync(dataDir, { recursive: true });
    const port = await freePort();
    const configFile = join(dataDir, 'vigil.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        nats: { url: natsUrl },
        dataDir,
        http: { host: '127.0.0.1', port },
        auth: { tokens: Object.entries(TOKENS).map(([role, token]) => ({ name: role, role, token })) },
        ingest: { batchMaxWaitMs: 5, batchMaxMessages: 200, ...ingest },
        ...opts.config,
      }),
    );
    return new EngineProcess(dataDir, port, configFile);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(env: Record<string, string> = {}): void {
    const p = spawn(process.execPath, ['--max-semi-space-size=64', CLI, 'serve', '--config', this.configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', ...env },
    });
    p.stderr?.on('data', (d: Buffer) => {
      if (process.env.VIGIL_TEST_LOG) process.stderr.write(d);
    });
    this.child = p;
  }

  /** Whether the process is alive (a fault point may have killed it). */
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resident set size of the engine process in bytes (Linux /proc), or null when it is not running. */
  rssBytes(): number | null {
    const pid = this.child?.exitCode === null ? this.child.pid : undefined;
    if (pid === undefined) return null;
    try {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : null;
    } catch {
      return null;
    }
  }

  /** GET /readyz: the status and the checks. */
  async readiness(): Promise<{ status: number; checks: Record<string, boolean> }> {
    const res = await fetch(`${this.url}/readyz`);
    return { status: res.status, checks: ((await res.json()) as { checks: Record<string, boolean> }).checks };
  }

  async ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/readyz`)).status === 200;
    } catch {
      return false;
    }
  }

  kill9(): Promise<void> {
    const p = this.child;
    if (!p || p.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  /** SIGTERM; resolves with the exit code. */
  terminate(): Promise<number | null> {
    const p = this.child;
    if (!p || p.exitCode !== null) return Promise.resolve(p?.exitCode ?? null);
    return new Promise((resolve) => {
      p.once('exit', (code) => resolve(code));
      p.kill('SIGTERM');
    });
  }

  async request(method: string, path: string, role: keyof typeof TOKENS, body?: unknown): Promise<any> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKENS[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
}

/** A private nats-server, a client on it, and an engine process to kill: the crash tests' stack. */
export interface ProcessStack {
  nats: TestNatsServer;
  nc: NatsConnection;
  engine: EngineProcess;
}

export async function startProcessStack(): Promise<ProcessStack> {
  const nats = await TestNatsServer.start();
  const nc = await connect({ servers: nats.url });
  return { nats, nc, engine: await EngineProcess.create(nats.url) };
}

export async function stopProcessStack(s: Partial<ProcessStack> | undefined): Promise<void> {
  await s?.engine?.kill9();
  await s?.nc?.close();
  await s?.nats?.stop();
}
