// streamSeqOf reads the stream sequence off a JetStream reply subject in both formats the
// servers send, and falls back to the library's parse for anything else.

import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { streamSeqOf } from '../../engine/ingest/stream-consumer.js';

const msg = (reply: unknown, seq = -1) => ({ reply, seq }) as unknown as JsMsg;

describe('streamSeqOf', () => {
  it('reads the pre-2.10 nine-token form', () => {
    expect(streamSeqOf(msg('$JS.ACK.VIGIL_DET.vigil-det.1.123456.789.1764000000000000000.42'))).toBe(123456);
  });
  it('reads the domain/account form with a trailing token', () => {
    expect(streamSeqOf(msg('$JS.ACK._.ACCHASH.VIGIL_DET.vigil-det.3.98765.4321.1764000000000000000.0.xyz'))).toBe(98765);
  });
  it("falls back to the library's parse when there is no usable reply", () => {
    expect(streamSeqOf(msg(undefined, 7))).toBe(7);
    expect(streamSeqOf(msg('$JS.ACK.S.C.1.x.2.3.4', 9))).toBe(9);
  });
});
