// The Knox pool: the same tables as the Knox test on the main thread, at most maxThreads runs at
// once, and a full queue refused at once with a 503 that says how busy it is. The threads run
// dist/workers/knox-task.js (vitest's global setup rebuilds a stale dist/).

import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { KnoxPool } from '../../engine/analytics/knox-pool.js';
import { BandError, KNOX_DEFAULTS, knoxTest, type KnoxOptions } from '../../engine/analytics/knox.js';
import { VigilError } from '../../engine/errors.js';

// The Chicago burglaries of January 2016 (test/fixtures/nearrepeat), `x,y,date` rows.
const chicago = (() => {
  const x: number[] = [];
  const y: number[] = [];
  const day: number[] = [];
  for (const line of readFileSync(new URL('../fixtures/nearrepeat/chicago_be_month1.csv', import.meta.url), 'utf8')
    .trim()
    .split(/\r?\n/)) {
    const [xs, ys, date] = line.split(',');
    x.push(Number(xs));
    y.push(Number(ys));
    day.push(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  }
  return { x, y, day };
})();

const OPTS: KnoxOptions = { ...KNOX_DEFAULTS, iterations: 999, seed: 7 };

let pool: KnoxPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

/** Runs `work` while sampling the pool's threads and runs; the most of each seen. */
async function watched<T>(p: KnoxPool, work: () => Promise<T>): Promise<{ value: T; threads: number; running: number; queued: number }> {
  const seen = { threads: 0, running: 0, queued: 0 };
  const sample = () => {
    seen.threads = Math.max(seen.threads, p.threads);
    seen.running = Math.max(seen.running, p.running);
    seen.queued = Math.max(seen.queued, p.queued);
  };
  const timer = setInterval(sample, 2);
  try {
    const value = await work();
    return { value, ...seen };
  } finally {
    clearInterval(timer);
    sample();
  }
}

it('gives the tables of the Knox test on the main thread', async () => {
  pool = new KnoxPool();
  expect(await pool.run(chicago, OPTS)).toEqual(knoxTest(chicago, OPTS));
});

it('runs one at a time, queues up to maxQueue and refuses the rest at once with a 503', async () => {
  pool = new KnoxPool({ maxThreads: 1, maxQueue: 2 });
  const p = pool;
  const {
    value: settled,
    threads,
    running,
    queued,
  } = await watched(p, () => Promise.allSettled(Array.from({ length: 6 }, () => p.run(chicago, OPTS))));
  const expected = knoxTest(chicago, OPTS);
  expect(settled.slice(0, 3).map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
  for (const s of settled.slice(0, 3)) expect((s as PromiseFulfilledResult<unknown>).value).toEqual(expected);
  for (const s of settled.slice(3)) {
    const err = (s as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(VigilError);
    expect(err).toMatchObject({ statusCode: 503, code: 'VIGIL_ERR_NOT_READY' });
    expect(err.message).toBe('not ready: near-repeat analysis is busy: 1 running, 2 queued; retry shortly');
  }
  expect({ threads, running, queued }).toEqual({ threads: 1, running: 1, queued: 2 });
  // Drained: the next run is accepted.
  expect(p.running + p.queued).toBe(0);
  await expect(p.run(chicago, { ...OPTS, iterations: 9 })).resolves.toHaveProperty('rows');
});

it('refuses bad bands at once with the parameter named, even when the queue is full', async () => {
  pool = new KnoxPool({ maxThreads: 1, maxQueue: 0 });
  const busy = pool.run(chicago, OPTS);
  await expect(pool.run(chicago, { ...OPTS, distanceBands: [100, 50] })).rejects.toBeInstanceOf(BandError);
  await expect(pool.run(chicago, OPTS)).rejects.toMatchObject({ statusCode: 503 });
  await busy;
});

it('answers errors of the data as 400s, as the thread of its own did', async () => {
  pool = new KnoxPool();
  const bad = { ...chicago, x: [Number.NaN, ...chicago.x.slice(1)] };
  await expect(pool.run(bad, OPTS)).rejects.toMatchObject({ statusCode: 400, message: 'knox: incident 0 has no finite x, y' });
});

it('starts no thread before the first run, and ends its threads when closed', async () => {
  pool = new KnoxPool({ maxThreads: 2 });
  expect(pool.threads).toBe(0);
  await Promise.all([pool.run(chicago, OPTS), pool.run(chicago, OPTS)]);
  expect(pool.threads).toBeGreaterThan(0);
  expect(pool.threads).toBeLessThanOrEqual(2);
  await pool.close();
  expect(pool.threads).toBe(0);
  pool = null;
});
