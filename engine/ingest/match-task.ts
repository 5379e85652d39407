// What the main thread and the detection workers say to each other: the task and its result,
// and the BroadcastChannel that carries the matching kernels. A module with no side effects:
// the worker's entry file (workers/detection-task.ts) registers a channel listener when it is
// imported, so the main thread must never import it, or it builds a copy of every kernel too.

import type { DecodedRead } from '../domain/detection.js';
import type { Rejected } from './detection-batch.js';
import type { Precomputed } from '../match/match-kernels.js';

export const KERNEL_CHANNEL = 'vigil-match-kernels';

export interface DetectionTask {
  /** Every payload of the slice, back to back (transferred, not copied). */
  bytes: Uint8Array;
  /** End offset of each payload in `bytes`. */
  ends: number[];
  subjects: string[];
  seqs: number[];
  nowMs: number;
  version: number;
}

export interface DetectionTaskResult {
  reads: DecodedRead[];
  rejects: Rejected[];
  pre: Precomputed;
}
