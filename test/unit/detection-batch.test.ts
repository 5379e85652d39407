// engine/ingest/detection-batch.ts (decodeDetections) and engine/ingest/payload.ts: bytes in, reads and
// rejects out, as the DLQ rules of docs/interface.md ("Bad input") require.

import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { RecordError } from '../../engine/domain/detection.js';
import { decodeDetections, type InboundMessage } from '../../engine/ingest/detection-batch.js';
import { decodeJsonOrMsgpack, decodeMsgpack, lastToken } from '../../engine/ingest/payload.js';
import { thrown } from '../helpers/thrown.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const SUBJECT = 'vigil.det.cam-12';

const msg = (data: Uint8Array, seq = 1, subject = SUBJECT): InboundMessage => ({ subject, data, seq });
const good = (i: number) => ({ ts: NOW - i * 1000, kind: 'plate', plate: `AB ${100 + i}` });

const rejected = (fn: () => unknown) => thrown(fn, RecordError);

describe('decodeDetections', () => {
  it('decodes a single map into one read at index 0 with the subject’s camera', () => {
    const { reads, rejects } = decodeDetections([msg(encode(good(0)), 41)], NOW);
    expect(rejects).toEqual([]);
    expect(reads).toEqual([{ ts: NOW, kind: 'plate', plate: 'AB100', camera: 'cam-12', seq: 41, index: 0 }]);
  });

  it('decodes a batch array into reads carrying their index', () => {
    const { reads, rejects } = decodeDetections([msg(encode([good(0), good(1), { ...good(2), camera: 'own' }]), 9)], NOW);
    expect(rejects).toEqual([]);
    expect(reads.map((r) => [r.seq, r.index, r.plate, r.camera])).toEqual([
      [9, 0, 'AB100', 'cam-12'],
      [9, 1, 'AB101', 'cam-12'],
      [9, 2, 'AB102', 'own'],
    ]);
  });

  it('rejects only the bad records of a batch, each with index, reason and re-encoded bytes', () => {
    const bad1 = { ts: NOW, kind: 'plate' }; // no plate
    const bad3 = { ts: 'yesterday', kind: 'face', attrs: { nested: [1, 2, { deep: true }] } };
    const bad4 = 'not a map';
    const data = encode([good(0), bad1, good(2), bad3, bad4, good(5)]);
    const { reads, rejects } = decodeDetections([msg(data, 77)], NOW);

    expect(reads.map((r) => r.index)).toEqual([0, 2, 5]);
    expect(rejects.map((r) => [r.seq, r.subject, r.index, r.reason])).toEqual([
      [77, SUBJECT, 1, 'missing_field'],
      [77, SUBJECT, 3, 'wrong_type'],
      [77, SUBJECT, 4, 'not_a_map'],
    ]);
    expect(rejects[0].message).toBe('plate: required for kind plate');
    expect(rejects[1].message.startsWith('ts: ')).toBe(true);
    expect(rejects[2].message.startsWith('record: ')).toBe(true);
    // Each reject's bytes are that record alone, as MessagePack.
    expect(decode(rejects[0].data)).toEqual(bad1);
    expect(decode(rejects[1].data)).toEqual(bad3);
    expect(decode(rejects[2].data)).toBe(bad4);
  });

  it('re-encodes a bad record with a bin field so it decodes back to the same bytes', () => {
    const embedding = new Uint8Array([1, 2, 3, 4, 5, 6]); // not a multiple of 4
    const { rejects } = decodeDetections([msg(encode([good(0), { ts: NOW, kind: 'face', embedding }]))], NOW);
    expect(rejects).toHaveLength(1);
    expect(rejects[0].reason).toBe('bad_embedding');
    expect(rejects[0].index).toBe(1);
    const back = decode(rejects[0].data) as { embedding: Uint8Array };
    expect(Array.from(back.embedding)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects a single bad map with its original bytes and no index', () => {
    const data = encode({ ts: NOW, kind: 'plate', plate: '?' });
    const { reads, rejects } = decodeDetections([msg(data, 5)], NOW);
    expect(reads).toEqual([]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ seq: 5, subject: SUBJECT, reason: 'bad_plate' });
    expect(rejects[0].index).toBeUndefined();
    expect(rejects[0].data).toBe(data);
  });

  it('rejects a decodable scalar as not_a_map with the original bytes', () => {
    const data = encode(42);
    const { rejects } = decodeDetections([msg(data)], NOW);
    expect(rejects).toHaveLength(1);
    expect(rejects[0].reason).toBe('not_a_map');
    expect(rejects[0].data).toBe(data);
    expect(rejects[0].index).toBeUndefined();
  });

  it('rejects undecodable bytes as one message with the original bytes and no index', () => {
    const data = new Uint8Array([0xc1, 0x00, 0xff]); // 0xc1 is never used in MessagePack
    const { reads, rejects } = decodeDetections([msg(data, 3)], NOW);
    expect(reads).toEqual([]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0].reason).toBe('undecodable');
    expect(rejects[0].data).toBe(data);
    expect(rejects[0].index).toBeUndefined();
    expect(rejects[0].seq).toBe(3);
    expect(rejects[0].message.startsWith('payload: not MessagePack')).toBe(true);
  });

  it('rejects a truncated MessagePack value as undecodable', () => {
    const data = encode([good(0), good(1)]).subarray(0, 20);
    const { rejects } = decodeDetections([msg(data)], NOW);
    expect(rejects.map((r) => r.reason)).toEqual(['undecodable']);
    expect(rejects[0].data).toBe(data);
  });

  it('rejects an empty payload as undecodable', () => {
    const data = new Uint8Array(0);
    const { reads, rejects } = decodeDetections([msg(data)], NOW);
    expect(reads).toEqual([]);
    expect(rejects).toEqual([{ seq: 1, subject: SUBJECT, data, reason: 'undecodable', message: 'payload: empty' }]);
  });

  it('rejects trailing garbage after a valid MessagePack value as one undecodable message', () => {
    const valid = encode(good(0));
    const data = new Uint8Array(valid.length + 2);
    data.set(valid);
    data.set([0x01, 0x02], valid.length);
    const { reads, rejects } = decodeDetections([msg(data)], NOW);
    expect(reads).toEqual([]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0].reason).toBe('undecodable');
    expect(rejects[0].data).toBe(data);
  });

  it('accepts an empty batch with nothing to read or reject', () => {
    expect(decodeDetections([msg(encode([]))], NOW)).toEqual({ reads: [], rejects: [] });
  });

  it('handles several messages independently, in order', () => {
    const out = decodeDetections(
      [
        msg(encode(good(0)), 1, 'vigil.det.a'),
        msg(new Uint8Array([0xc1]), 2, 'vigil.det.b'),
        msg(encode([good(1), { kind: 'plate' }]), 3, 'vigil.det.c'),
      ],
      NOW,
    );
    expect(out.reads.map((r) => [r.seq, r.index, r.camera])).toEqual([
      [1, 0, 'a'],
      [3, 0, 'c'],
    ]);
    expect(out.rejects.map((r) => [r.seq, r.subject, r.index, r.reason])).toEqual([
      [2, 'vigil.det.b', undefined, 'undecodable'],
      [3, 'vigil.det.c', 1, 'missing_field'],
    ]);
  });

  it('reads a float32 embedding that MessagePack places at an unaligned offset', () => {
    const bytes = new Uint8Array(new Float32Array([0.25, -0.5, 1]).buffer);
    const data = encode({ ts: NOW, kind: 'face', embedding: bytes, id: 'x' });
    // The decoder hands out the bin as a view into the message: here at an odd offset.
    expect((decode(data) as { embedding: Uint8Array }).embedding.byteOffset % 4).not.toBe(0);
    const { reads, rejects } = decodeDetections([msg(data)], NOW);
    expect(rejects).toEqual([]);
    expect(Array.from(reads[0].embedding!)).toEqual([0.25, -0.5, 1]);
  });

  it('decodes a batch close to 1 MiB', () => {
    const records = Array.from({ length: 12_000 }, (_, i) => ({ ...good(i % 500), id: `r-${i}`, attrs: { color: 'white', lane: i % 4 } }));
    const data = encode(records);
    expect(data.byteLength).toBeGreaterThan(800 * 1024);
    expect(data.byteLength).toBeLessThanOrEqual(1024 * 1024);
    const { reads, rejects } = decodeDetections([msg(data)], NOW);
    expect(rejects).toEqual([]);
    expect(reads).toHaveLength(12_000);
    expect(reads[11_999].index).toBe(11_999);
  });
});

describe('payload: decodeMsgpack', () => {
  it('decodes a value', () => {
    expect(decodeMsgpack(encode({ a: 1 }))).toEqual({ a: 1 });
  });

  it('throws undecodable for empty, invalid and trailing bytes', () => {
    expect(rejected(() => decodeMsgpack(new Uint8Array(0)))).toMatchObject({ reason: 'undecodable', message: 'payload: empty' });
    expect(rejected(() => decodeMsgpack(new Uint8Array([0xc1]))).reason).toBe('undecodable');
    expect(rejected(() => decodeMsgpack(new Uint8Array([0x01, 0x02]))).reason).toBe('undecodable');
  });
});

describe('payload: decodeJsonOrMsgpack', () => {
  const incident = { id: 'inc-1', ts: NOW, lat: 41.3, lon: 69.2, source: 'call' };
  const utf8 = (s: string) => new TextEncoder().encode(s);

  it('reads JSON when the payload starts with {', () => {
    expect(decodeJsonOrMsgpack(utf8(JSON.stringify(incident)))).toEqual(incident);
  });

  it('reads JSON after leading whitespace', () => {
    expect(decodeJsonOrMsgpack(utf8(' \n\t\r{"id":"a"}'))).toEqual({ id: 'a' });
  });

  it('reads a MessagePack map', () => {
    expect(decodeJsonOrMsgpack(encode(incident))).toEqual(incident);
  });

  it('reads a MessagePack map with more than 15 keys (map16 header)', () => {
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    const data = encode(big);
    expect(data[0]).toBe(0xde);
    expect(decodeJsonOrMsgpack(data)).toEqual(big);
  });

  it('refuses broken JSON as undecodable, saying JSON', () => {
    const e = rejected(() => decodeJsonOrMsgpack(utf8('{"id": "a",')));
    expect(e.reason).toBe('undecodable');
    expect(e.message.startsWith('payload: not JSON')).toBe(true);
  });

  it('refuses JSON that is not valid UTF-8', () => {
    const e = rejected(() => decodeJsonOrMsgpack(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])));
    expect(e.reason).toBe('undecodable');
    expect(e.message.startsWith('payload: not JSON')).toBe(true);
  });

  it('refuses broken MessagePack as undecodable, saying MessagePack', () => {
    const e = rejected(() => decodeJsonOrMsgpack(new Uint8Array([0xc1])));
    expect(e.reason).toBe('undecodable');
    expect(e.message.startsWith('payload: not MessagePack')).toBe(true);
  });

  it('refuses an empty payload and one of whitespace alone', () => {
    expect(rejected(() => decodeJsonOrMsgpack(new Uint8Array(0))).reason).toBe('undecodable');
    expect(rejected(() => decodeJsonOrMsgpack(utf8('   '))).reason).toBe('undecodable');
  });
});

describe('payload: lastToken', () => {
  it('is the camera of a detection subject and the type of an incident subject', () => {
    expect(lastToken('vigil.det.cam-12')).toBe('cam-12');
    expect(lastToken('city.incident.burglary')).toBe('burglary');
    expect(lastToken('a.b.c.d')).toBe('d');
  });

  it('is the whole subject when there is no dot', () => {
    expect(lastToken('cam')).toBe('cam');
  });
});
