// Worker threads (piscina) that decode and match slices of a batch in parallel. The main
// thread only moves bytes: each slice's payloads are packed into one buffer and transferred.

import { BroadcastChannel } from 'node:worker_threads';
import { cpus } from 'node:os';
import { Piscina } from 'piscina';
import type { MatchSnapshot } from '../match/rule-book.js';
import type { EngineMetrics } from '../metrics.js';
import type { DecodedRead } from '../domain/detection.js';
import type { Rejected } from './detection-batch.js';
import type { KernelSpec, Precomputed } from '../match/match-kernels.js';
import { KERNEL_CHANNEL, type DetectionTask, type DetectionTaskResult } from './match-task.js';
import type { InboundBatchMessage } from './stream-consumer.js';

/**
 * `auto`: measured on the 2-core machine (bench/results), matching inline beats a pool there —
 * NATS and DuckDB already use the second core — so inline up to 2 cores, else cores − 1 threads.
 */
export function poolSize(threads: 'auto' | number): number {
  if (threads !== 'auto') return threads;
  const n = cpus().length;
  return n <= 2 ? 0 : n - 1;
}

// Workers run compiled JavaScript: from the TypeScript sources (tests), use the build in dist/.
function workerFile(): string {
  const here = new URL(import.meta.url);
  const rel = here.pathname.endsWith('.ts') ? '../../dist/workers/detection-task.js' : '../../workers/detection-task.js';
  return new URL(rel, here).href;
}

/**
 * Lets at most `limit` tasks into piscina at once, first come first served. Piscina keeps its
 * wait and run times to itself, so the queue is held here, where both can be measured.
 */
class Admission {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  enter(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The slot passes straight to the next waiting task, if any. */
  leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

export class MatchPool {
  private readonly pool: Piscina;
  private readonly admission: Admission;
  private readonly channel = new BroadcastChannel(KERNEL_CHANNEL);
  private spec: KernelSpec | null = null;

  constructor(
    readonly threads: number,
    private readonly metrics: EngineMetrics,
  ) {
    this.pool = new Piscina({ filename: workerFile(), minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
    this.admission = new Admission(threads);
    metrics.poolThreads.set(threads);
    // A worker that starts (or restarts) asks for the kernels in force.
    this.channel.onmessage = () => {
      if (this.spec) this.channel.postMessage(this.spec);
    };
    (this.channel as unknown as { unref?: () => void }).unref?.();
  }

  /** Sends a new snapshot's kernels to the workers (once per version). */
  private offer(snapshot: MatchSnapshot): void {
    if (this.spec?.version === snapshot.version) return;
    this.spec = {
      version: snapshot.version,
      plates: snapshot.plates.spec,
      faces: snapshot.faces.spec,
      fences: snapshot.fences.fences.map((f, id) => ({ id, geometry: f.geometry })),
    };
    this.channel.postMessage(this.spec);
  }

  /** Decodes and matches `messages`, split across the workers; results in message order. */
  async run(
    messages: readonly InboundBatchMessage[],
    nowMs: number,
    snapshot: MatchSnapshot,
  ): Promise<{ reads: DecodedRead[]; rejects: Rejected[]; pre: Precomputed }> {
    this.offer(snapshot);
    const slices = Math.min(this.threads, messages.length);
    const per = Math.ceil(messages.length / slices);
    const tasks: Promise<DetectionTaskResult>[] = [];
    for (let s = 0; s < slices; s++) {
      const slice = messages.slice(s * per, (s + 1) * per);
      if (slice.length === 0) continue;
      const ends: number[] = [];
      let total = 0;
      for (const m of slice) ends.push((total += m.data.byteLength));
      const bytes = new Uint8Array(total);
      slice.forEach((m, i) => bytes.set(m.data, i === 0 ? 0 : ends[i - 1]));
      const task: DetectionTask = {
        bytes,
        ends,
        subjects: slice.map((m) => m.subject),
        seqs: slice.map((m) => m.seq),
        nowMs,
        version: snapshot.version,
      };
      tasks.push(this.dispatch(task, bytes.buffer));
    }
    const results = await Promise.all(tasks);
    return {
      reads: results.flatMap((r) => r.reads),
      rejects: results.flatMap((r) => r.rejects),
      pre: {
        plates: results.flatMap((r) => r.pre.plates),
        faces: results.flatMap((r) => r.pre.faces),
        zones: results.flatMap((r) => r.pre.zones),
      },
    };
  }

  private async dispatch(task: DetectionTask, buffer: ArrayBuffer): Promise<DetectionTaskResult> {
    const { metrics, admission } = this;
    const queued = performance.now();
    const admitted = admission.enter();
    metrics.poolQueueDepth.set(this.queueSize);
    await admitted;
    metrics.poolQueueDepth.set(this.queueSize);
    const started = performance.now();
    try {
      return (await this.pool.run(task, { transferList: [buffer] })) as DetectionTaskResult;
    } finally {
      admission.leave();
      const done = performance.now();
      metrics.poolTaskWait.observe((started - queued) / 1000);
      metrics.poolTaskRun.observe((done - started) / 1000);
      metrics.poolTask.observe((done - queued) / 1000);
    }
  }

  /** Tasks waiting for a worker thread: here, or (while a worker starts) inside piscina. */
  get queueSize(): number {
    return this.admission.queued + this.pool.queueSize;
  }

  async close(): Promise<void> {
    this.channel.close();
    await this.pool.destroy();
  }
}
