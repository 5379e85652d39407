// The Knox test on a small pool of worker threads (piscina) with a bounded queue. Permutations
// take from a fraction of a second to tens of seconds, so they run off the API's event loop
// (shared with ingest); and a burst of requests waits for a thread, or is refused, rather than
// starting a CPU-bound thread each on a machine whose cores ingest needs.

import { Piscina } from 'piscina';
import { badInput, VigilError } from '../errors.js';
import { validateKnoxOptions, type KnoxInput, type KnoxOptions, type KnoxResult } from './knox.js';

/** One Knox run as the worker (workers/knox-task.ts) receives it: coordinates are transferred. */
export interface KnoxTask {
  x: Float64Array<ArrayBuffer>;
  y: Float64Array<ArrayBuffer>;
  day: Float64Array<ArrayBuffer>;
  opts: KnoxOptions;
}

/**
 * What the worker answers. A failure of the data (a message, answered 400 as before the pool) is
 * told apart from a failure of the thread itself (a rejected run: a 500).
 */
export type KnoxReply = { ok: true; result: KnoxResult } | { ok: false; message: string };

export interface KnoxPoolOptions {
  /** Knox runs at once. Knox is CPU-bound; on the 2-core machine ingest needs the other core. */
  maxThreads?: number;
  /** Runs that may wait for a thread; beyond them a request is refused at once (503). */
  maxQueue?: number;
  /** An idle thread ends after this long: analysts rerun with other bands, then stop for hours. */
  idleTimeoutMs?: number;
}

export const KNOX_POOL_DEFAULTS = Object.freeze({ maxThreads: 1, maxQueue: 8, idleTimeoutMs: 30_000 });

// Workers run compiled JavaScript: from the TypeScript sources (tests), use the build in dist/.
function workerFile(): string {
  const here = new URL(import.meta.url);
  const rel = here.pathname.endsWith('.ts') ? '../../dist/workers/knox-task.js' : '../../workers/knox-task.js';
  return new URL(rel, here).href;
}

function toTask(input: KnoxInput, opts: KnoxOptions): KnoxTask {
  return { x: Float64Array.from(input.x), y: Float64Array.from(input.y), day: Float64Array.from(input.day), opts };
}

/** Piscina's own refusals (a backstop: `admit` refuses first); they have no code, only a message. */
function queueAtLimit(err: unknown): boolean {
  return err instanceof Error && /^(Task queue is at limit|No task queue available)/.test(err.message);
}

export class KnoxPool {
  readonly maxThreads: number;
  readonly maxQueue: number;
  private readonly pool: Piscina;
  /** Runs accepted and not yet settled: running on a thread or waiting for one. */
  private inFlight = 0;

  constructor(opts: KnoxPoolOptions = {}) {
    const { maxThreads, maxQueue, idleTimeoutMs } = { ...KNOX_POOL_DEFAULTS, ...opts };
    this.maxThreads = maxThreads;
    this.maxQueue = maxQueue;
    // minThreads 0: no thread (and no memory) until the first analyst asks.
    this.pool = new Piscina({ filename: workerFile(), minThreads: 0, maxThreads, maxQueue, idleTimeout: idleTimeoutMs });
  }

  /** Runs holding a thread; a run waits only when every thread is busy. */
  get running(): number {
    return Math.min(this.inFlight, this.maxThreads);
  }

  get queued(): number {
    return this.inFlight - this.running;
  }

  /** Worker threads alive now (started on demand, ended when idle). */
  get threads(): number {
    return this.pool.threads.length;
  }

  /**
   * The Knox test on a pool thread. Bad options fail at once, before taking a place in the queue;
   * a full queue fails at once too, with a 503 that says how busy the pool is.
   */
  async run(input: KnoxInput, opts: KnoxOptions): Promise<KnoxResult> {
    validateKnoxOptions(opts); // bad bands fail here, with the parameter named
    this.admit();
    let reply: KnoxReply;
    try {
      reply = await this.dispatch(toTask(input, opts));
    } catch (err) {
      throw queueAtLimit(err) ? this.busy() : err;
    }
    if (!reply.ok) throw badInput(reply.message);
    return reply.result;
  }

  private async dispatch(task: KnoxTask): Promise<KnoxReply> {
    this.inFlight++;
    try {
      return (await this.pool.run(task, { transferList: [task.x.buffer, task.y.buffer, task.day.buffer] })) as KnoxReply;
    } finally {
      this.inFlight--;
    }
  }

  private admit(): void {
    if (this.inFlight >= this.maxThreads + this.maxQueue) throw this.busy();
  }

  private busy(): VigilError {
    return new VigilError('NOT_READY', `near-repeat analysis is busy: ${this.running} running, ${this.queued} queued; retry shortly`);
  }

  /** Ends the threads; runs still waiting are refused. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
