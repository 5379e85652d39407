// The Knox test in a worker thread: permutations take from a fraction of a second to tens of
// seconds, and the API's event loop (shared with ingest) must not wait for them.

import { parentPort, workerData } from 'node:worker_threads';
import { knoxTest, type KnoxInput, type KnoxOptions } from '../engine/analytics/knox.js';

const { input, opts } = workerData as { input: KnoxInput; opts: KnoxOptions };
try {
  parentPort!.postMessage({ ok: true, result: knoxTest(input, opts) });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: (err as Error).message });
}
