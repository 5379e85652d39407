// Exactly once across kill -9: an engine process is killed at random moments while a producer
// streams reads, restarted each time, and at the end every read JetStream accepted is counted
// exactly once — in sightings, in the aggregates, and with no (seq, index) stored twice.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Database } from '../../engine/store/database.js';
import { freePort, TestNatsServer } from '../helpers/nats-server.js';
import { eventually, TOKENS } from '../helpers/engine.js';
import { publishAccepted } from '../helpers/publisher.js';

const CLI = new URL('../../bin/vigil.js', import.meta.url).pathname;

let nats: TestNatsServer;
let nc: NatsConnection;
let dataDir: string;
let configFile: string;
let port: number;
let child: ChildProcess | null = null;

function startEngine(): ChildProcess {
  const p = spawn(process.execPath, [CLI, 'serve', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, VIGIL_LOG_LEVEL: 'warn' },
  });
  p.stderr?.on('data', (d: Buffer) => {
    if (process.env.VIGIL_TEST_LOG) process.stderr.write(d);
  });
  return p;
}

async function ready(): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

async function totalReads(): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/analytics/traffic?bucket=day&from=2000-01-01`, {
    headers: { authorization: `Bearer ${TOKENS.analyst}` },
  });
  const rows = (await res.json()).rows as Array<{ count: number }>;
  return rows.reduce((s, r) => s + r.count, 0);
}

function kill9(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGKILL');
  });
}

beforeAll(async () => {
  nats = await TestNatsServer.start();
  nc = await connect({ servers: nats.url });
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
  port = await freePort();
  configFile = join(dataDir, 'vigil.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      nats: { url: nats.url },
      dataDir,
      http: { host: '127.0.0.1', port },
      auth: { tokens: [{ name: 'analyst', role: 'analyst', token: TOKENS.analyst }] },
      ingest: { batchMaxWaitMs: 5, batchMaxMessages: 200 },
    }),
  );
});

afterAll(async () => {
  if (child && child.exitCode === null) await kill9(child);
  await nc?.close();
  await nats?.stop();
});

it('counts every accepted read exactly once across three kill -9 during a stream', async () => {
  const js = jetstream(nc);
  let kills = 0;
  // Mixed traffic: gateway batches of 1–40 reads and single reads, streaming until the last kill.
  const producer = publishAccepted(js, {
    messages: 1_000_000,
    readsIn: (i) => (i % 3 === 0 ? 1 : 1 + ((i * 7) % 40)),
    window: 40,
    pauseMs: 8,
    tag: 'crash',
    stop: () => kills === 3,
  });

  child = startEngine();
  while (kills < 3) {
    await eventually(ready, 30_000, 'engine ready');
    // Let it ingest for a random while, then kill it without warning.
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
    await kill9(child);
    kills++;
    child = startEngine();
  }
  const accepted = await producer;
  expect(accepted.messages).toBeGreaterThan(1000);
  await eventually(ready, 30_000, 'engine ready after the last restart');
  await eventually(async () => (await totalReads()) >= accepted.reads, 60_000, `${accepted.reads} reads counted`);
  // Counted exactly: give a redelivery a moment to (wrongly) add more, then compare.
  await new Promise((r) => setTimeout(r, 500));
  expect(await totalReads()).toBe(accepted.reads);

  // SIGTERM drains and exits 0.
  const exit = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  expect(await exit).toBe(0);

  const db = await Database.open(dataDir, 'Asia/Tashkent');
  try {
    const [s] = await db.query('SELECT count(*)::BIGINT AS n, count(DISTINCT (seq, idx))::BIGINT AS distinct_reads FROM sightings');
    expect(Number(s.n)).toBe(accepted.reads);
    expect(Number(s.distinct_reads)).toBe(accepted.reads);
    const [a] = await db.query('SELECT sum(count)::BIGINT AS n FROM agg_camera_minute');
    expect(Number(a.n)).toBe(accepted.reads);
    const [m] = await db.query('SELECT count(DISTINCT seq)::BIGINT AS n FROM sightings');
    expect(Number(m.n)).toBe(accepted.messages);
  } finally {
    await db.close();
  }
}, 180_000);
