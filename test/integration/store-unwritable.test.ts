// The store cannot write for a while during a stream: the engine stops acknowledging (the
// JetStream consumer's ack floor stands still), /readyz says not ready with the ingest check
// false, and once the store writes again the engine resumes and every read JetStream accepted
// is stored exactly once.
//
// Two ways to break the store, each against its own engine process:
// - disk: the data folder on a small tmpfs, filled up (DuckDB's commit fails with "No space
//   left on device"); needs root and mount, so it runs only where it can (Linux CI as root);
// - switch: VIGIL_FAULT_STORE_UNWRITABLE (engine/store/database.ts) fails every commit while a
//   flag file exists; runs everywhere.
// VIGIL_TEST_STORE_FAULT=disk|switch runs only one of them.

import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { storedTotals } from '../helpers/stored-totals.js';
import { eventually } from '../helpers/engine.js';
import { parseMetrics, total } from '../helpers/metrics-traffic.js';
import { EngineProcess } from '../helpers/engine-process.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { publishAccepted } from '../helpers/publisher.js';

/** How long the store stays unwritable once the engine has noticed. */
const HOLD_MS = 3000;

/** True when this process may mount a tmpfs (root with CAP_SYS_ADMIN, Linux). */
function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const only = process.env.VIGIL_TEST_STORE_FAULT;
const modes = (['disk', 'switch'] as const).filter((m) => (only ? m === only : m === 'switch' || canMountTmpfs()));
if (!only && !modes.includes('disk'))
  console.log('store-unwritable: no tmpfs mount here (not root?): the disk-full case is skipped, the fault switch runs');

/** Writes zeros into `file` until the file system is full. */
function fillUp(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [1 << 20, 1 << 12]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(modes)('store unwritable (%s)', (mode) => {
  it('stops acknowledging and says not ready while the store cannot write; resumes with exact totals', async () => {
    const nats = await TestNatsServer.start();
    cleanups.push(() => nats.stop());
    const nc: NatsConnection = await connect({ servers: nats.url });
    cleanups.push(() => nc.close());
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);

    let dataDir: string | undefined;
    if (mode === 'disk') {
      dataDir = mkdtempSync(join(tmpdir(), 'vigil-tmpfs-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', dataDir]);
      const dir = dataDir;
      cleanups.push(() => {
        execFileSync('umount', [dir]);
        rmSync(dir, { recursive: true, force: true });
      });
    }
    const engine = await EngineProcess.create(nats.url, {}, { dataDir });
    cleanups.push(() => void engine.kill9());
    const flag = join(engine.dataDir, 'store-unwritable.flag');
    const filler = join(engine.dataDir, 'filler');
    engine.start(mode === 'switch' ? { VIGIL_FAULT_STORE_UNWRITABLE: flag } : {});
    await eventually(() => engine.ready(), 30_000, 'engine ready');

    const totalReads = async () =>
      (
        (await engine.request('GET', '/api/v1/analytics/traffic?bucket=day&from=2000-01-01', 'analyst')).rows as Array<{ count: number }>
      ).reduce((s, r) => s + r.count, 0);
    const ackFloor = async () => (await jsm.consumers.info('VIGIL_DET', 'vigil-det')).ack_floor.stream_seq;

    let done = false;
    const producer = publishAccepted(js, {
      messages: 1_000_000,
      readsIn: (i) => (i % 3 ? 1 : 20),
      window: 40,
      pauseMs: 10,
      tag: `unwritable-${mode}`,
      stop: () => done,
    });
    await eventually(async () => (await totalReads()) > 2000, 30_000, 'ingest under way');

    // Break the store.
    if (mode === 'disk') fillUp(filler);
    else writeFileSync(flag, '');
    await eventually(
      async () => {
        const r = await engine.readiness();
        return r.status === 503 && r.checks.ingest === false && r.checks.store === true && r.checks.nats === true;
      },
      15_000,
      '/readyz: not ready, ingest false',
    );

    // While it cannot write, nothing is acknowledged and nothing is stored, though reads keep coming.
    const floor = await ackFloor();
    const stored = await totalReads();
    const lastBefore = (await jsm.streams.info('VIGIL_DET')).state.last_seq;
    await new Promise((r) => setTimeout(r, HOLD_MS));
    expect(await ackFloor(), 'ack floor while unwritable').toBe(floor);
    expect(await totalReads(), 'reads stored while unwritable').toBe(stored);
    expect((await jsm.streams.info('VIGIL_DET')).state.last_seq, 'the producer kept publishing').toBeGreaterThan(lastBefore);
    expect((await engine.readiness()).checks.ingest).toBe(false);
    const metrics = parseMetrics(await (await fetch(`${engine.url}/metrics`)).text());
    expect(total(metrics, 'vigil_store_commit_errors_total', { stream: 'VIGIL_DET' }), 'failed commits, retried').toBeGreaterThan(0);

    // Repair it: the engine resumes by itself.
    if (mode === 'disk') rmSync(filler);
    else rmSync(flag);
    await eventually(() => engine.ready(), 20_000, 'ready again');
    await new Promise((r) => setTimeout(r, 1000));
    done = true;
    const accepted = await producer;

    await eventually(async () => (await totalReads()) >= accepted.reads, 60_000, `${accepted.reads} reads counted`);
    await new Promise((r) => setTimeout(r, 500));
    expect(await totalReads()).toBe(accepted.reads);
    const last = (await jsm.streams.info('VIGIL_DET')).state.last_seq;
    await eventually(async () => (await ackFloor()) === last, 10_000, `acknowledged up to ${last}`);

    expect(await engine.terminate()).toBe(0);
    const t = await storedTotals(engine.dataDir);
    expect(t.sightings).toBe(accepted.reads);
    expect(t.distinctReads).toBe(accepted.reads);
    expect(t.aggregated).toBe(accepted.reads);
  }, 90_000);
});
