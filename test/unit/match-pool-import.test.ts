// Importing the match pool must not run the worker's entry file on the main thread: that file
// registers a kernel listener and asks for the kernels in force, so the main thread would then
// build (and keep) its own copy of every kernel the pool sends to its workers.

import { BroadcastChannel } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { KERNEL_CHANNEL } from '../../engine/ingest/match-task.js';

async function heardWhile(load: () => Promise<unknown>): Promise<unknown[]> {
  const heard: unknown[] = [];
  const probe = new BroadcastChannel(KERNEL_CHANNEL);
  probe.onmessage = (event) => heard.push((event as { data: unknown }).data);
  await load();
  await new Promise((r) => setTimeout(r, 200));
  probe.close();
  return heard;
}

it('importing the pool registers no kernel listener on the main thread', async () => {
  expect(await heardWhile(() => import('../../engine/ingest/match-pool.js'))).toEqual([]);
  // The probe hears a listener that registers: the worker's entry file asks for the kernels.
  expect(await heardWhile(() => import('../../workers/detection-task.js'))).toEqual([{ request: true }]);
});
