// Decode and validate the detection messages of one ingest batch. Pure: bytes in, reads and
// rejects out, so it runs the same inline or inside a worker thread.

import { encode } from '@msgpack/msgpack';
import { asRecordError, toDetection, type DecodedRead, type Detection, type RejectReason } from '../domain/detection.js';
import { decodeMsgpack, lastToken, msgpackArrayOffsets } from './payload.js';

export interface InboundMessage {
  subject: string;
  data: Uint8Array;
  /** JetStream stream sequence: with the record's index it identifies a read forever. */
  seq: number;
}

export interface Rejected {
  seq: number;
  subject: string;
  /** Position in a batch; absent when the whole message is rejected. */
  index?: number;
  /** The original bytes, or the bad record re-encoded as MessagePack. */
  data: Uint8Array;
  reason: RejectReason;
  message: string;
}

export interface DecodedBatch {
  reads: DecodedRead[];
  rejects: Rejected[];
}

export function decodeDetections(messages: readonly InboundMessage[], nowMs: number): DecodedBatch {
  const reads: DecodedRead[] = [];
  const rejects: Rejected[] = [];
  for (const m of messages) {
    let payload: unknown;
    try {
      payload = decodeMsgpack(m.data);
    } catch (err) {
      const e = asRecordError(err);
      rejects.push({ seq: m.seq, subject: m.subject, data: m.data, reason: e.reason, message: e.message });
      continue;
    }
    const camera = lastToken(m.subject);
    if (Array.isArray(payload)) {
      let offsets: number[] | null | undefined; // found on the batch's first bad record
      for (let i = 0; i < payload.length; i++) {
        try {
          reads.push(stamp(toDetection(payload[i], camera, nowMs), m.seq, i));
        } catch (err) {
          const e = asRecordError(err);
          if (offsets === undefined) offsets = msgpackArrayOffsets(m.data);
          const data = offsets ? m.data.subarray(offsets[i], offsets[i + 1]) : reencode(payload[i]);
          rejects.push({ seq: m.seq, subject: m.subject, index: i, data, reason: e.reason, message: e.message });
        }
      }
    } else {
      try {
        reads.push(stamp(toDetection(payload, camera, nowMs), m.seq, 0));
      } catch (err) {
        const e = asRecordError(err);
        rejects.push({ seq: m.seq, subject: m.subject, data: m.data, reason: e.reason, message: e.message });
      }
    }
  }
  return { reads, rejects };
}

/** Adds the read's position in the stream to the detection itself (no copy: hot path). */
function stamp(d: Detection, seq: number, index: number): DecodedRead {
  const read = d as DecodedRead;
  read.seq = seq;
  read.index = index;
  return read;
}

function reencode(record: unknown): Uint8Array {
  try {
    return encode(record);
  } catch {
    return new Uint8Array(0);
  }
}
