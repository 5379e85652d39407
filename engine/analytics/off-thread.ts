// Runs the Knox test in a worker thread of its own (compiled JavaScript: from the TypeScript
// sources, as in tests, the build in dist/ is used).

import { Worker } from 'node:worker_threads';
import { badInput } from '../errors.js';
import { validateKnoxOptions, type KnoxInput, type KnoxOptions, type KnoxResult } from './knox.js';

function workerUrl(): URL {
  const here = new URL(import.meta.url);
  return new URL(here.pathname.endsWith('.ts') ? '../../dist/workers/knox-task.js' : '../../workers/knox-task.js', here);
}

export async function knoxOffThread(input: KnoxInput, opts: KnoxOptions): Promise<KnoxResult> {
  validateKnoxOptions(opts); // bad bands fail here, at once, with the parameter named
  const x = Float64Array.from(input.x);
  const y = Float64Array.from(input.y);
  const day = Float64Array.from(input.day);
  const worker = new Worker(workerUrl(), { workerData: { input: { x, y, day }, opts }, transferList: [x.buffer, y.buffer, day.buffer] });
  try {
    const reply = await new Promise<{ ok: boolean; result?: KnoxResult; message?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!reply.ok) throw badInput(reply.message ?? 'knox test failed');
    return reply.result!;
  } finally {
    await worker.terminate();
  }
}
