// A durable JetStream pull consumer that hands batches of new messages to a handler and
// acknowledges them only after the handler's DuckDB transaction committed.
//
// Batches go through two stages, each in stream order. Stage one is the handler's own work
// (decode, match, send hits) and runs as soon as a batch closes, so hits never wait for the
// store. Stage two stores every batch staged so far in one transaction (group commit): under
// load the store's fixed cost per transaction is shared by more batches instead of holding
// stage one back. What is staged but not stored is bounded (four times the batch byte limit).
//
// Why the consumer is re-created at every start: the store, not the broker, knows what was
// applied. Positioning the durable at the first unapplied sequence means that after a kill -9
// the unapplied messages come back at once, instead of after ack_wait; messages applied but
// not acknowledged are recognised by their sequence and skipped.
//
// Why deliveries are counted: the consumer acknowledges with AckPolicy.All (one ack a batch
// group, not one a message), and an ack covers every delivery before it. Deliveries in flight
// when a connection drops (the server cuts a client that falls behind, a network blip) never
// arrive; acknowledging a later one would settle them unapplied, a silent loss. So a jump in
// the delivery sequence stops the consumer before it acks past the hole: what arrived is
// stored, and the durable is re-created at the first unapplied sequence, as at a start.

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
  readonly subject: string;
  readonly data: Uint8Array;
  readonly seq: number;
  /** When JetStream stored the message (epoch ms); parsed only when asked (hit latency). */
  storedAt(): number;
}

/** A class, not an object literal with a closure: one small object per message. */
class Inbound implements InboundBatchMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  constructor(
    private readonly m: JsMsg,
    readonly seq: number,
  ) {
    this.subject = m.subject;
    this.data = m.data;
  }
  storedAt(): number {
    return this.m.info.timestampNanos / 1e6;
  }
}

/**
 * What a stream's ingest does, in two stages. `S` is one batch's staged work.
 *
 * - `stage` works on messages never applied before (decode, check, match, send hits). It must
 *   not throw for bad input (that goes to the DLQ); a throw means "stage this batch again", so
 *   what it sent before the throw must be idempotent (JetStream message ids).
 * - `store` commits staged batches, oldest first, in one transaction together with `applied`
 *   (the stream's applied sequences after the last of them). A throw means "store them again";
 *   stage one is never re-run for them.
 */
export interface BatchHandler<S> {
  stage(fresh: InboundBatchMessage[]): Promise<S>;
  store(staged: readonly S[], applied: readonly SeqRange[]): Promise<void>;
}

interface StagedBatch<S> {
  messages: JsMsg[];
  /** Null when every message was applied before (a redelivery): only acknowledged. */
  work: S | null;
  applied: readonly SeqRange[];
  bytes: number;
  skipped: number;
}

export interface StreamConsumerOptions<S> {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  durable: string;
  applied: AppliedSequences;
  handler: BatchHandler<S>;
  batchMaxMessages: number;
  batchMaxBytes: number;
  batchMaxWaitMs: number;
  maxAckPending: number;
  ackWaitSeconds: number;
  metrics: EngineMetrics;
  log: Logger;
}

const PENDING_POLL_MS = 2000;
const STOPPED = Symbol('stopped');
/** Batches' worth of bytes (batchMaxBytes each) that may wait for the store. */
const STAGED_BATCHES = 4;

/**
 * The stream and delivery (consumer) sequences from a JetStream reply subject, without the
 * library's full parse (an object and eleven strings per message, ~5 % of one-read ingest):
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>…` or, since nats-server 2.10,
 * `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.<dseq>…`.
 */
export function ackSequencesOf(m: JsMsg): { stream: number; delivery: number } {
  // `reply` is on the library's message class, not on its JsMsg interface: checked, with the
  // library's own parse as the fallback.
  const reply = (m as unknown as { reply?: unknown }).reply;
  if (typeof reply !== 'string') return { stream: m.seq, delivery: m.info.deliverySequence };
  // One pass: where the 5th to the 9th dots are, and how many dots there are.
  let dots = 0;
  let d5 = -1;
  let d6 = -1;
  let d7 = -1;
  let d8 = -1;
  let d9 = -1;
  for (let i = 0; i < reply.length; i++) {
    if (reply.charCodeAt(i) !== 46) continue;
    dots++;
    if (dots === 5) d5 = i;
    else if (dots === 6) d6 = i;
    else if (dots === 7) d7 = i;
    else if (dots === 8) d8 = i;
    else if (dots === 9) d9 = i;
  }
  // Nine tokens: the sequences follow the 5th and 6th dots; the longer form: the 7th and 8th.
  const nine = dots === 8;
  const stream = nine ? Number(reply.slice(d5 + 1, d6)) : Number(reply.slice(d7 + 1, d8));
  const delivery = nine ? Number(reply.slice(d6 + 1, d7)) : Number(reply.slice(d8 + 1, d9));
  if (Number.isSafeInteger(stream) && stream > 0 && Number.isSafeInteger(delivery) && delivery > 0) return { stream, delivery };
  return { stream: m.seq, delivery: m.info.deliverySequence };
}
/** Messages per pull request: a few batches' worth for single reads, bounded memory for big ones. */
const PULL_MESSAGES = 2000;
/**
 * Bytes a pull should bring at most, from the stream's mean message size: 2,000 gateway batches
 * of ~15 kB are 30 MB, and a client that lets 64 MB pile up (nats-server's max_pending; a busy
 * event loop) is cut off as a slow consumer. An empty stream has no mean yet: the first reopen
 * (after such a cut, or a restart) sizes the pull.
 */
const PULL_BYTES = 8 * 2 ** 20;

/** Messages per pull for a stream holding `messages` messages in `bytes`. */
export function pullMessages(messages: number, bytes: number, maxAckPending: number): number {
  const byBytes = messages > 0 && bytes > 0 ? Math.floor((PULL_BYTES * messages) / bytes) : PULL_MESSAGES;
  return Math.max(1, Math.min(maxAckPending, PULL_MESSAGES, byBytes));
}

export class StreamConsumer<S = unknown> {
  private messages: ConsumerMessages | null = null;
  private pending: JsMsg[] = [];
  /** The stream sequences of `pending`, as parsed from their reply subjects. */
  private pendingSeqs: number[] = [];
  /** The delivery sequence of the last message received from the current consumer. */
  private delivered = 0;
  /** The reader waits for the next message (it is not held back by a full pipeline). */
  private waiting = false;
  /** Deliveries found missing; `delivered` when the server was last seen ahead of it. */
  private missing = 0;
  private stalledAt = -1;
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Stage one, batch after batch. */
  private chain: Promise<void> = Promise.resolve();
  /** Batches through stage one, not yet stored; and their message bytes. */
  private staged: StagedBatch<S>[] = [];
  private stagedBytes = 0;
  /** The store loop while it runs, and its current round (one transaction). */
  private storing: Promise<void> | null = null;
  private round: Promise<unknown> | null = null;
  private loop: Promise<void> = Promise.resolve();
  private poller: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly failing = new Set<'apply' | 'store'>();
  private applied: AppliedSequences;

  constructor(private readonly o: StreamConsumerOptions<S>) {
    this.applied = o.applied;
  }

  /** False while a stage keeps failing (the store, the DLQ or the hits stream is unreachable). */
  get healthy(): boolean {
    return this.failing.size === 0;
  }

  async start(): Promise<void> {
    this.messages = await this.open();
    this.loop = this.run(this.messages);
    this.poller = setInterval(() => void this.pollPending(), PENDING_POLL_MS);
    this.poller.unref();
  }

  /** (Re-)creates the durable at the first unapplied sequence and starts pulling from it. */
  private async open(): Promise<ConsumerMessages> {
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
    this.delivered = 0;
    this.stalledAt = -1;
    // Rare-event counters start at 0, so rate() has a series (and a panel a line) before the first.
    this.o.metrics.storeErrors.labels(stream).inc(0);
    this.o.metrics.redelivered.labels(stream).inc(0);
    this.o.metrics.lostDeliveries.labels(stream).inc(0);
    const consumer = await js.consumers.get(stream, durable);
    // Pull by message count. Pulling by bytes (max_bytes) stalled for good after a few
    // thousand small messages (nats.js 3.4 with nats-server 2.9): the client's byte count of
    // what it still expects drifted from the server's, so it never asked for more. The buffer
    // holds at most this many messages; the server stops at max_ack_pending.
    const pull = pullMessages(info.state.messages, info.state.bytes, this.o.maxAckPending);
    const messages = await consumer.consume({ max_messages: pull });
    this.o.log.info(`consuming ${stream} as ${durable} from sequence ${start}, ${pull} messages a pull`);
    return messages;
  }

  /** Reads until the consumer stops; after deliveries were lost, stores what came and reopens. */
  private async run(messages: ConsumerMessages): Promise<void> {
    const { stream, durable, log, metrics } = this.o;
    for (;;) {
      let lost = 0;
      try {
        lost = await this.read(messages);
      } catch (err) {
        if (!this.stopping) log.error(`consumer ${durable} stopped: ${(err as Error).message}`);
        return;
      }
      if (lost === 0 || this.stopping) return;
      metrics.lostDeliveries.labels(stream).inc(lost);
      log.warn(`${stream}: ${lost} deliveries never arrived (a connection dropped); reading again from the first unapplied message`);
      // Everything received is stored and acknowledged first: no ack of the old consumer may
      // reach the new one, which has the same name and counts deliveries from 1 again.
      await this.flush();
      while (this.storing) await this.storing;
      for (let delay = 100; !this.stopping; delay = Math.min(delay * 2, 5000)) {
        try {
          messages = this.messages = await this.open();
          break;
        } catch (err) {
          log.error(`${stream}: reopening the consumer failed, retrying: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, delay));
        }
      }
      if (this.stopping) {
        await messages.close().catch(() => undefined);
        return;
      }
    }
  }

  /** Accepts messages until the iterator ends (0) or deliveries are missing (how many). */
  private async read(messages: ConsumerMessages): Promise<number> {
    this.missing = 0;
    this.waiting = true;
    try {
      for await (const m of messages) {
        this.waiting = false;
        const seqs = ackSequencesOf(m);
        if (seqs.delivery !== this.delivered + 1) {
          this.missing = seqs.delivery - this.delivered - 1;
          break;
        }
        this.delivered = seqs.delivery;
        const full = this.accept(m, seqs.stream);
        if (full) await full;
        this.waiting = true;
      }
    } finally {
      this.waiting = false;
    }
    return this.missing;
  }

  /**
   * Deliveries lost at the end of a burst are followed by no other to show the hole: the
   * server's count of deliveries is compared with ours instead. Ahead twice in a row (2 s
   * apart), with nothing received meanwhile and the reader waiting, they are lost.
   */
  private checkDelivered(serverDelivered: number): void {
    if (!this.waiting || serverDelivered <= this.delivered) {
      this.stalledAt = -1;
    } else if (this.stalledAt !== this.delivered) {
      this.stalledAt = this.delivered; // perhaps still on the wire
    } else {
      this.missing = serverDelivered - this.delivered;
      void this.messages?.close().catch(() => undefined);
    }
  }

  /** Adds a message to the open batch; returns the flush to await when the batch is full. */
  private accept(m: JsMsg, seq: number): Promise<void> | null {
    this.pending.push(m);
    this.pendingSeqs.push(seq);
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
    const seqs = this.pendingSeqs;
    this.pending = [];
    this.pendingSeqs = [];
    this.pendingBytes = 0;
    this.chain = this.chain.then(() => this.process(batch, seqs));
    return this.chain;
  }

  /** Stage one of a batch; then the store loop picks it up. */
  private async process(messages: JsMsg[], seqs: number[]): Promise<void> {
    // Bounded memory: while too much waits for the store, wait for its current round.
    while (this.stagedBytes >= STAGED_BATCHES * this.o.batchMaxBytes && this.round) await this.round;
    // Decided after every earlier batch passed stage one: a redelivery of a message from a
    // batch still waiting to be stored is recognised here.
    const next = this.applied.clone();
    const fresh: InboundBatchMessage[] = [];
    let bytes = 0;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      const seq = seqs[i];
      bytes += m.data.byteLength;
      if (next.has(seq)) continue;
      next.add(seq);
      fresh.push(new Inbound(m, seq));
    }
    const work = fresh.length > 0 ? await this.retrying('apply', () => this.o.handler.stage(fresh)) : null;
    if (work === STOPPED) return; // unacknowledged: redelivered to the next start
    this.applied = next;
    this.staged.push({ messages, work, applied: next.toRanges(), bytes, skipped: messages.length - fresh.length });
    this.stagedBytes += bytes;
    this.startStoring();
  }

  private startStoring(): void {
    if (this.storing) return;
    this.storing = this.storeLoop().then((drained) => {
      this.storing = null;
      // A batch staged after the loop's last look but before this line would otherwise wait
      // for the next batch to start a loop (or for ever, at the end of a stream).
      if (drained && this.staged.length > 0) this.startStoring();
    });
  }

  /** Stores what is staged, one transaction per round, until nothing is left (true) or the consumer stops (false). */
  private async storeLoop(): Promise<boolean> {
    const { stream, metrics, handler } = this.o;
    while (this.staged.length > 0) {
      const group = this.staged;
      this.staged = [];
      const work = group.flatMap((b) => (b.work === null ? [] : [b.work]));
      const started = performance.now();
      this.round = work.length > 0 ? this.retrying('store', () => handler.store(work, group[group.length - 1].applied)) : null;
      const result = await this.round;
      this.round = null;
      if (result === STOPPED) return false;
      metrics.storeFlush.labels(stream).observe((performance.now() - started) / 1000);
      for (const b of group) {
        this.stagedBytes -= b.bytes;
        metrics.batchMessages.labels(stream).observe(b.messages.length);
        if (b.skipped) metrics.redelivered.labels(stream).inc(b.skipped);
      }
      // AckPolicy.All: acknowledging the last message acknowledges everything before it.
      const last = group[group.length - 1].messages;
      last[last.length - 1].ack();
    }
    return true;
  }

  /** Runs a stage until it succeeds, or until the consumer stops. */
  private async retrying<T>(stage: 'apply' | 'store', attempt: () => Promise<T>): Promise<T | typeof STOPPED> {
    const { stream, metrics, log } = this.o;
    let delay = 100;
    for (;;) {
      try {
        const result = await attempt();
        if (this.failing.delete(stage)) log.info(`${stream}: ${stage} succeeds again`);
        return result;
      } catch (err) {
        metrics.storeErrors.labels(stream).inc();
        if (!this.failing.has(stage)) log.error(`${stream}: batch ${stage} failed, retrying: ${(err as Error).message}`);
        this.failing.add(stage);
        if (this.stopping) return STOPPED;
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
      this.checkDelivered(info.delivered.consumer_seq);
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
    while (this.storing) await this.storing;
  }
}
