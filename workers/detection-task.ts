// The worker-thread task (piscina): decode, validate and match one slice of a batch. Kernels
// arrive over a BroadcastChannel, one build per snapshot version; a task for a version not yet
// built waits for it. The main thread applies keyed state and sends the hits.

import { BroadcastChannel } from 'node:worker_threads';
import { decodeDetections } from '../engine/ingest/detection-batch.js';
import { KERNEL_CHANNEL, type DetectionTask, type DetectionTaskResult } from '../engine/ingest/match-task.js';
import { buildKernels, precompute, type KernelSpec, type Kernels } from '../engine/match/match-kernels.js';

let kernels: Kernels | null = null;
let version = 0;
let baseVersion = -1;
const waiting: Array<() => void> = [];
const channel = new BroadcastChannel(KERNEL_CHANNEL);
channel.onmessage = (event) => {
  const spec = (event as { data: KernelSpec | { request: true } }).data;
  if (!('version' in spec) || spec.version <= version) return;
  kernels = buildKernels(spec, kernels ? { baseVersion: baseVersion, kernels } : null);
  baseVersion = spec.plates.baseVersion;
  version = spec.version;
  for (const wake of waiting.splice(0)) wake();
};
// A new worker asks for the kernels in force.
channel.postMessage({ request: true });
// Let the thread end when piscina closes it.
(channel as unknown as { unref?: () => void }).unref?.();

export default async function detectionTask(task: DetectionTask): Promise<DetectionTaskResult> {
  while (version < task.version) await new Promise<void>((wake) => waiting.push(wake));
  const messages = task.subjects.map((subject, i) => ({
    subject,
    seq: task.seqs[i],
    data: task.bytes.subarray(i === 0 ? 0 : task.ends[i - 1], task.ends[i]),
  }));
  const { reads, rejects } = decodeDetections(messages, task.nowMs);
  const pre = precompute(reads, kernels!, task.nowMs);
  // Embeddings were only needed for matching; rejects must not drag the whole slice along.
  for (const r of reads) delete r.embedding;
  for (const r of rejects) r.data = r.data.slice();
  return { reads, rejects, pre };
}
