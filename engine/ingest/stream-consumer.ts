// A durable JetStream pull consumer that hands batches of new messages to a handler and
// acknowledges them only after the handler's DuckDB transaction committed.
//
// Why the consumer is re-created at every start: the store, not the broker, knows what was
// applied. Positioning the durable at the first unapplied sequence means that after a kill -9
// the unapplied messages come back at once, instead of after ack_wait; messages applied but
// not acknowledged are recognised by their sequence and skipped.

import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import type { EngineMetrics } from '../metrics.js';
import { AppliedSequences, type SeqRange } from './applied-sequences.js';

export interface InboundBatchMessage {
  subject: string;
  data: Uint8Array;
  seq: number;
  /** When JetStream stored the message (epoch ms); parsed only when asked (hit latency). */
  storedAt: () => number;
}

/**
 * Applies messages never applied before and commits `applied` in the same transaction.
 * Must not throw for bad input (that goes to the DLQ); a throw means "retry this batch".
 */
export type BatchHandler = (fresh: InboundBatchMessage[], applied: readonly SeqRange[]) => Promise<void>;

export interface StreamConsumerOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  durable: string;
  applied: AppliedSequences;
  handler: BatchHandler;
  batchMaxMessages: number;
  batchMaxBytes: number;
  batchMaxWaitMs: number;
  maxAckPending: number;
  ackWaitSeconds: number;
  metrics: EngineMetrics;
  log: Logger;
}

const PENDING_POLL_MS = 2000;
/** Messages per pull request: a few batches' worth for single reads, bounded memory for big ones. */
const PULL_MESSAGES = 2000;

export class StreamConsumer {
  private messages: ConsumerMessages | null = null;
  private pending: JsMsg[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private loop: Promise<void> = Promise.resolve();
  private poller: NodeJS.Timeout | null = null;
  private stopping = false;
  private failing = false;
  private applied: AppliedSequences;

  constructor(private readonly o: StreamConsumerOptions) {
    this.applied = o.applied;
  }

  /** False while batches fail to commit (the store or the DLQ is unreachable). */
  get healthy(): boolean {
    return !this.failing;
  }

  async start(): Promise<void> {
    const { jsm, js, stream, durable } = this.o;
    const info = await jsm.streams.info(stream);
    const ranges = this.applied.toRanges();
    const appliedMax = ranges.length ? ranges[ranges.length - 1][1] : 0;
    if (appliedMax > info.state.last_seq) {
      // The stream was deleted and created again: its sequences start over.
      this.o.log.warn(
        `stream ${stream} ends at ${info.state.last_seq} but ${appliedMax} was applied: the stream was recreated; reading it from the start`,
      );
      this.applied = AppliedSequences.empty();
    }
    const start = this.applied.firstUnapplied(info.state.first_seq);
    await jsm.consumers.delete(stream, durable).catch((err: Error) => {
      if (!/not found/i.test(err.message)) throw err;
    });
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.All,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
      ack_wait: nanos(this.o.ackWaitSeconds * 1000),
      max_ack_pending: this.o.maxAckPending,
      max_deliver: -1,
    });
    const consumer = await js.consumers.get(stream, durable);
    // Pull by message count. Pulling by bytes (max_bytes) stalled for good after a few
    // thousand small messages (nats.js 3.4 with nats-server 2.9): the client's byte count of
    // what it still expects drifted from the server's, so it never asked for more. The buffer
    // holds at most this many messages; the server stops at max_ack_pending.
    this.messages = await consumer.consume({ max_messages: Math.min(this.o.maxAckPending, PULL_MESSAGES) });
    this.loop = this.run(this.messages);
    this.poller = setInterval(() => void this.pollPending(), PENDING_POLL_MS);
    this.poller.unref();
    this.o.log.info(`consuming ${stream} as ${durable} from sequence ${start}`);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        const full = this.accept(m);
        if (full) await full;
      }
    } catch (err) {
      if (!this.stopping) this.o.log.error(`consumer ${this.o.durable} stopped: ${(err as Error).message}`);
    }
  }

  /** Adds a message to the open batch; returns the flush to await when the batch is full. */
  private accept(m: JsMsg): Promise<void> | null {
    this.pending.push(m);
    this.pendingBytes += m.data.byteLength;
    if (this.pending.length >= this.o.batchMaxMessages || this.pendingBytes >= this.o.batchMaxBytes) {
      return this.flush();
    }
    if (this.timer === null) this.timer = setTimeout(() => void this.flush(), this.o.batchMaxWaitMs);
    return null;
  }

  private flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return this.chain;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.chain = this.chain.then(() => this.commit(batch));
    return this.chain;
  }

  private async commit(batch: JsMsg[]): Promise<void> {
    const { stream, metrics, log } = this.o;
    let delay = 100;
    for (;;) {
      // Decided at commit time, after every earlier batch committed: a redelivery of a message
      // from the batch before this one is recognised here.
      const next = this.applied.clone();
      const fresh: InboundBatchMessage[] = [];
      let skipped = 0;
      for (const m of batch) {
        if (next.has(m.seq)) {
          skipped++;
          continue;
        }
        next.add(m.seq);
        fresh.push({ subject: m.subject, data: m.data, seq: m.seq, storedAt: () => m.info.timestampNanos / 1e6 });
      }
      const started = performance.now();
      try {
        if (fresh.length > 0) await this.o.handler(fresh, next.toRanges());
        this.applied = next;
        metrics.storeFlush.labels(stream).observe((performance.now() - started) / 1000);
        metrics.batchMessages.labels(stream).observe(batch.length);
        if (skipped) metrics.redelivered.labels(stream).inc(skipped);
        // AckPolicy.All: acknowledging the last message acknowledges the whole batch.
        batch[batch.length - 1].ack();
        if (this.failing) log.info(`${stream}: commits succeed again`);
        this.failing = false;
        return;
      } catch (err) {
        metrics.storeErrors.labels(stream).inc();
        if (!this.failing) log.error(`${stream}: batch of ${batch.length} not committed, retrying: ${(err as Error).message}`);
        this.failing = true;
        if (this.stopping) return; // unacknowledged: redelivered to the next start
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async pollPending(): Promise<void> {
    try {
      const info = await this.o.jsm.consumers.info(this.o.stream, this.o.durable);
      this.o.metrics.pending.labels(this.o.stream).set(info.num_pending + info.num_ack_pending);
      this.applied.settleUpTo(info.ack_floor.stream_seq);
    } catch {
      // NATS unreachable for the moment: the gauge keeps its last value; readiness says why.
    }
  }

  /** Stops pulling, commits what was received, acknowledges it. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.poller) clearInterval(this.poller);
    if (this.messages) await this.messages.close().catch(() => undefined);
    await this.loop;
    await this.flush();
  }
}
