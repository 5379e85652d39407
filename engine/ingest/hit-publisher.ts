// Hits to dispatch: JSON on `<prefix>.hit.<source>` through JetStream (stream VIGIL_HITS),
// with Nats-Msg-Id = hit id so a replayed batch does not send a hit twice.

import type { JetStreamClient } from '@nats-io/jetstream';
import type { Hit } from '../match/hit.js';

const encoder = new TextEncoder();

export class HitPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly prefix: string,
  ) {}

  /** Resolves when JetStream stored every hit; throws (the batch is retried) otherwise. */
  async publish(hits: readonly Hit[]): Promise<void> {
    if (hits.length === 0) return;
    await Promise.all(
      hits.map((h) => this.js.publish(`${this.prefix}.hit.${h.source}`, encoder.encode(JSON.stringify(h)), { msgID: h.id })),
    );
  }
}
