// ackSequencesOf reads the stream and delivery sequences off a JetStream reply subject in both
// formats the servers send, and falls back to the library's parse for anything else; pullMessages
// sizes a pull by the stream's mean message.

import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { ackSequencesOf, pullMessages } from '../../engine/ingest/stream-consumer.js';

const msg = (reply: unknown, seq = -1, deliverySequence = -1) => ({ reply, seq, info: { deliverySequence } }) as unknown as JsMsg;

describe('ackSequencesOf', () => {
  it('reads the pre-2.10 nine-token form', () => {
    expect(ackSequencesOf(msg('$JS.ACK.VIGIL_DET.vigil-det.1.123456.789.1764000000000000000.42'))).toEqual({
      stream: 123456,
      delivery: 789,
    });
  });
  it('reads the domain/account form with a trailing token', () => {
    expect(ackSequencesOf(msg('$JS.ACK._.ACCHASH.VIGIL_DET.vigil-det.3.98765.4321.1764000000000000000.0.xyz'))).toEqual({
      stream: 98765,
      delivery: 4321,
    });
  });
  it("falls back to the library's parse when there is no usable reply", () => {
    expect(ackSequencesOf(msg(undefined, 7, 3))).toEqual({ stream: 7, delivery: 3 });
    expect(ackSequencesOf(msg('$JS.ACK.S.C.1.x.2.3.4', 9, 5))).toEqual({ stream: 9, delivery: 5 });
    expect(ackSequencesOf(msg('$JS.ACK.S.C.1.2.y.3.4', 9, 5))).toEqual({ stream: 9, delivery: 5 });
  });
});

describe('pullMessages', () => {
  it('sizes a pull to about 8 MB of the stream’s mean message, within 2,000 and max_ack_pending', () => {
    expect(pullMessages(0, 0, 50_000)).toBe(2000); // empty stream: no mean yet
    expect(pullMessages(1000, 300_000, 50_000)).toBe(2000); // single reads of 300 B
    expect(pullMessages(1000, 15_000_000, 50_000)).toBe(559); // gateway batches of 15 kB
    expect(pullMessages(1000, 15_000_000, 100)).toBe(100);
    expect(pullMessages(10, 100 * 2 ** 20, 50_000)).toBe(1); // 10 MB messages: one at a time
  });
});
