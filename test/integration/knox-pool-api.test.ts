// Near-repeat under a burst: 20 analysts at once on the Chicago burglaries (test/fixtures/nearrepeat).
// The engine's Knox pool runs one test at a time (maxThreads 1), lets 8 wait, and refuses the rest
// with a 503 that says why; the answers it gives are those of a request on its own.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../app/engine.js';
import { auth } from '../helpers/engine.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';
import { loadChicago } from '../helpers/chicago.js';

let stack: Stack;
let engine: Engine;

beforeAll(async () => {
  stack = await startStack();
  engine = stack.engine;
  await loadChicago(stack.js, engine);
}, 120_000);

afterAll(() => stopStack(stack));

// 9999 permutations: a few hundred ms a run, so the burst arrives while the first still runs.
const URL_ = '/api/v1/analytics/near-repeat?from=2015-12-01&to=2016-02-15&iterations=9999&seed=7';

async function get(url: string) {
  const res = await engine.api.inject({ url, headers: auth('analyst') });
  return { status: res.statusCode, body: res.json() };
}

it('runs at most one Knox thread for 20 concurrent requests; beyond 8 waiting, 503 with the reason', async () => {
  const knox = engine.api.deps.knox;
  expect({ maxThreads: knox.maxThreads, maxQueue: knox.maxQueue }).toEqual({ maxThreads: 1, maxQueue: 8 });
  const most = { threads: 0, running: 0, queued: 0 };
  const sample = () => {
    most.threads = Math.max(most.threads, knox.threads);
    most.running = Math.max(most.running, knox.running);
    most.queued = Math.max(most.queued, knox.queued);
  };
  const timer = setInterval(sample, 2);
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: 20 }, () => get(URL_)));
  const ms = performance.now() - started;
  clearInterval(timer);

  const ok = answers.filter((a) => a.status === 200);
  const busy = answers.filter((a) => a.status === 503);
  console.log(`20 requests in ${ms.toFixed(0)} ms: ${ok.length} × 200, ${busy.length} × 503; most seen: ${JSON.stringify(most)}`);
  expect(ok.length + busy.length).toBe(20);
  expect(most.threads).toBe(1);
  expect(most.running).toBe(1);
  expect(most.queued).toBeLessThanOrEqual(8);
  // The DuckDB reads before the queue are short next to a run, so the burst finds it full.
  expect(ok.length).toBeGreaterThanOrEqual(9);
  expect(busy.length).toBeGreaterThan(0);
  for (const b of busy) {
    expect(b.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'VIGIL_ERR_NOT_READY',
      message: 'not ready: near-repeat analysis is busy: 1 running, 8 queued; retry shortly',
    });
  }

  // Every answer is the answer of a request on its own.
  const alone = await get(URL_);
  expect(alone.status).toBe(200);
  for (const a of ok) expect(a.body).toEqual(alone.body);
  expect(knox.running + knox.queued).toBe(0);
});

it('answers bad bands with 400 at once, not a place in the queue', async () => {
  const { status, body } = await get('/api/v1/analytics/near-repeat?from=2015-12-01&to=2016-02-15&distanceBands=100,50');
  expect(status).toBe(400);
  expect(body.message).toMatch(/distanceBands/);
});
