// Records the fuzz of the NATS inputs (test/integration/fuzz-nats.test.ts) found stalling a
// stream or slipping through, checked one by one: deep or non-Unicode attrs, extension types
// where a map belongs, embeddings past float32, and a batch's bad record filed as its own bytes.

import { decode, encode, ExtData } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { RecordError, toDetection } from '../../engine/domain/detection.js';
import { toIncident } from '../../engine/domain/incident.js';
import { Random } from '../../engine/util/random.js';
import { decodeDetections } from '../../engine/ingest/detection-batch.js';
import { msgpackArrayOffsets, skipMsgpack } from '../../engine/ingest/payload.js';
import { thrown } from '../helpers/thrown.js';

const NOW = Date.UTC(2026, 10, 28, 12);
const read = { ts: NOW, kind: 'vehicle' };
const incident = { id: 'i1', ts: NOW, lat: 41.3, lon: 69.2 };

function deep(levels: number): unknown {
  let v: unknown = null;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

const reason = (fn: () => unknown) => {
  const e = thrown(fn, RecordError);
  return `${e.reason}: ${e.message}`;
};

describe('attrs that once stalled a stream', () => {
  it('refuses attrs nested deeper than 16 levels (JSON.stringify overflowed at every retry)', () => {
    expect(reason(() => toDetection({ ...read, attrs: { x: deep(10_000) } }, 'c', NOW))).toBe(
      'out_of_range: attrs: nested deeper than 16 levels',
    );
    expect(reason(() => toIncident({ ...incident, attrs: { x: deep(17) } }, 't', NOW))).toMatch(/^out_of_range: attrs: nested/);
    expect(toDetection({ ...read, attrs: { x: deep(15) } }, 'c', NOW).attrs).toEqual({ x: deep(15) });
  });

  it('refuses text with a lone surrogate (DuckDB’s JSON refused the whole incident batch)', () => {
    for (const bad of ['\ud800', 'a\udc00', 'x\ud83d']) {
      expect(reason(() => toIncident({ ...incident, attrs: { note: bad } }, 't', NOW))).toMatch(/^wrong_type: attrs/);
      expect(reason(() => toIncident({ ...incident, attrs: { [bad]: 1 } }, 't', NOW))).toMatch(/^wrong_type: attrs/);
      expect(reason(() => toIncident({ ...incident, id: bad }, 't', NOW))).toMatch(/^wrong_type: id/);
      expect(reason(() => toIncident({ ...incident, source: bad }, 't', NOW))).toMatch(/^wrong_type: source/);
      expect(reason(() => toDetection({ ...read, camera: bad }, 'c', NOW))).toMatch(/^wrong_type: camera/);
      expect(reason(() => toDetection({ ...read, kind: bad }, 'c', NOW))).toMatch(/^wrong_type: kind/);
    }
    // A pair is text, as are the odd but valid.
    const fine = { emoji: '🚓\ud83d\ude00', rtl: '\u202eevil', nul: 'a\u0000b', combining: 'e\u0301' };
    expect(toIncident({ ...incident, attrs: fine }, 't', NOW).attrs).toEqual(fine);
  });

  it('refuses attrs past 64 KiB of JSON', () => {
    expect(reason(() => toDetection({ ...read, attrs: { big: 'b'.repeat(100 * 1024) } }, 'c', NOW))).toBe(
      'out_of_range: attrs: larger than 64 KiB',
    );
    expect(reason(() => toDetection({ ...read, attrs: { bin: new Uint8Array(20_000) } }, 'c', NOW))).toMatch(/^out_of_range/);
    expect(
      toDetection({ ...read, attrs: { long: 'y'.repeat(8000), when: new Date(0), ext: new ExtData(7, new Uint8Array(2)) } }, 'c', NOW)
        .attrs,
    ).toBeDefined();
  });
});

describe('what is not a map', () => {
  it('a timestamp extension (Date) or another extension is not a record, nor attrs', () => {
    for (const v of [new Date(NOW), new ExtData(1, new Uint8Array(2))]) {
      expect(thrown(() => toDetection(v, 'c', NOW), RecordError).reason).toBe('not_a_map');
      expect(thrown(() => toIncident(v, 't', NOW), RecordError).reason).toBe('not_a_map');
      expect(reason(() => toDetection({ ...read, attrs: v }, 'c', NOW))).toMatch(/^wrong_type: attrs: must be a map/);
    }
    expect(toDetection(JSON.parse('{"ts": 1, "kind": "x", "__proto__": {"a": 1}}'), 'c', NOW).kind).toBe('x');
    expect(toDetection(Object.assign(Object.create(null), read), 'c', NOW).kind).toBe('vehicle');
  });
});

describe('embeddings', () => {
  it('refuses numbers finite as doubles but infinite as float32', () => {
    expect(reason(() => toDetection({ ts: NOW, kind: 'face', embedding: [1, 1e39] }, 'c', NOW))).toBe(
      'bad_embedding: embedding: element 1 is out of float32 range',
    );
    expect(toDetection({ ts: NOW, kind: 'face', embedding: [1, 3e38] }, 'c', NOW).embedding).toHaveLength(2);
  });
});

describe('a batch’s bad record in the DLQ', () => {
  it('is the producer’s own bytes, even when too deep to encode again', () => {
    const good = encode(read);
    const deepRecord = new Uint8Array(10_001).fill(0x91);
    deepRecord[10_000] = 0xc0;
    const data = new Uint8Array([0x93, ...good, ...deepRecord, ...good]);
    const { reads, rejects } = decodeDetections([{ subject: 'vigil.det.gw', data, seq: 3 }], NOW);
    expect(reads.map((r) => r.index)).toEqual([0, 2]);
    expect(rejects.map((r) => [r.index, r.reason])).toEqual([[1, 'not_a_map']]);
    expect(Buffer.from(rejects[0].data).equals(Buffer.from(deepRecord))).toBe(true);
  });

  it('finds every element of a MessagePack array, whatever its types', () => {
    const rnd = new Random(7);
    const value = (depth: number): unknown => {
      switch (rnd.int(depth >= 2 ? 8 : 10)) {
        case 0:
          return rnd.int(-(2 ** 40), 2 ** 40);
        case 1:
          return rnd.uniform(-1e300, 1e300);
        case 2:
          return 'x'.repeat(rnd.pick([0, 5, 31, 32, 255, 256, 65_536]));
        case 3:
          return new Uint8Array(rnd.pick([0, 3, 255, 256, 70_000]));
        case 4:
          return rnd.pick([null, true, false, -1, 127, 128, 255, 65535, 2 ** 32, -(2 ** 31), 2 ** 60, Math.fround(1.5)]);
        case 5:
          return new ExtData(rnd.int(0, 127), new Uint8Array(rnd.pick([1, 2, 4, 8, 16, 3, 300, 70_000])));
        case 6:
          return new Date(rnd.pick([0, NOW, 2 ** 40 * 1000, -1]));
        case 7:
          return rnd.uniform(0, 1);
        case 8:
          return Array.from({ length: rnd.pick([0, 1, 15, 16, 20]) }, () => value(depth + 1));
        default:
          return Object.fromEntries(Array.from({ length: rnd.pick([0, 1, 15, 16, 17]) }, (_, i) => [`k${i}`, value(depth + 1)]));
      }
    };
    for (let round = 0; round < 100; round++) {
      const elements = Array.from({ length: rnd.pick([0, 1, 15, 16, 40]) }, () => value(0));
      const parts = elements.map((e) => encode(e));
      const data = encode(elements);
      const offsets = msgpackArrayOffsets(data);
      expect(offsets).not.toBeNull();
      expect(offsets!.length).toBe(elements.length + 1);
      parts.forEach((p, i) => expect(Buffer.from(data.subarray(offsets![i], offsets![i + 1])).equals(Buffer.from(p))).toBe(true));
      // Cut short anywhere, it is not one whole array.
      if (data.length > 1) expect(msgpackArrayOffsets(data.subarray(0, rnd.int(1, data.length)))).toBeNull();
    }
    expect(msgpackArrayOffsets(encode({ a: 1 }))).toBeNull();
    expect(skipMsgpack(new Uint8Array([0xc1]), 0)).toBe(-1);
    expect(decode(new Uint8Array([0x90]))).toEqual([]);
    expect(msgpackArrayOffsets(new Uint8Array([0x90]))).toEqual([1]);
  });
});
