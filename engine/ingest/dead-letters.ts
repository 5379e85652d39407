// Bad input goes to `<prefix>.dlq.<det|incident>` with the reason, never silently away.
// A reject too big to file with its headers is filed truncated, with Vigil-Truncated.
// Published through JetStream (stream VIGIL_DLQ) with a message id derived from the stream
// sequence and batch index, so a batch retried after a failure does not file a reject twice.

import type { JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { Rejected } from './detection-batch.js';
import type { EngineMetrics } from '../metrics.js';

export type DlqInput = 'det' | 'incident';

/** A message or batch record that failed its checks, as the DLQ files it. */
export type DeadLetter = Rejected;

/** Header values are single-line ASCII-safe text. */
function headerSafe(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 1024);
}

/** Room kept for the Vigil-* and Nats-Msg-Id headers (the error text is capped at 1 KiB). */
const HEADER_ROOM = 4096;

export class DeadLetters {
  constructor(
    private readonly js: JetStreamClient,
    private readonly prefix: string,
    private readonly metrics: EngineMetrics,
    /** The broker's max_payload: a reject near it would not fit with its headers. */
    private readonly maxPayload: () => number,
  ) {}

  /** Resolves once JetStream stored every reject; throws (so the batch is retried) otherwise. */
  async publish(input: DlqInput, rejects: readonly DeadLetter[]): Promise<void> {
    if (rejects.length === 0) return;
    const subject = `${this.prefix}.dlq.${input}`;
    await Promise.all(
      rejects.map((r) => {
        const h = headers();
        h.set('Vigil-Error', headerSafe(r.message));
        h.set('Vigil-Reason', r.reason);
        h.set('Vigil-Subject', headerSafe(r.subject));
        if (r.index !== undefined) h.set('Vigil-Index', String(r.index));
        // Too big to file whole: the head of it, and its length. The original stays in the
        // input stream (at Vigil-Subject's sequence) for as long as that stream keeps it.
        let data = r.data;
        const room = this.maxPayload() - HEADER_ROOM;
        if (data.byteLength > room) {
          h.set('Vigil-Truncated', String(data.byteLength));
          data = data.subarray(0, Math.max(0, room));
        }
        return this.js.publish(subject, data, { headers: h, msgID: `${input}:${r.seq}:${r.index ?? '-'}` });
      }),
    );
  }

  /** Counted once the batch committed, so a retried batch does not count its rejects twice. */
  count(input: DlqInput, rejects: readonly DeadLetter[]): void {
    for (const r of rejects) this.metrics.rejected.labels(r.reason, input).inc();
  }
}
