// engine/domain/detection.ts (toDetection) and engine/domain/incident.ts (toIncident): every
// field of the tables of docs/interface.md, and each rejection reason with a message naming the field.

import { describe, expect, it } from 'vitest';
import { RecordError, toDetection, type RejectReason } from '../../engine/domain/detection.js';
import { toIncident } from '../../engine/domain/incident.js';
import { thrown } from '../helpers/thrown.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const DAY = 24 * 3600 * 1000;

const rejection = (fn: () => unknown) => thrown(fn, RecordError);

function expectRejected(fn: () => unknown, reason: RejectReason, field: string): RecordError {
  const e = rejection(fn);
  expect(e.reason).toBe(reason);
  expect(e.message.startsWith(`${field}: `), e.message).toBe(true);
  return e;
}

function f32le(values: number[], offset = 0): Uint8Array {
  const bytes = new Uint8Array(offset + values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(offset + i * 4, v, true));
  return bytes.subarray(offset);
}

const plateRead = { ts: NOW - 1000, kind: 'plate', plate: '01 a 123-bc' };
const det = (record: unknown, camera = 'cam-7') => toDetection(record, camera, NOW);

describe('toDetection: accepted records', () => {
  it('keeps every field of the detection table', () => {
    const d = det({
      ts: NOW - 5000,
      kind: 'plate',
      camera: 'gate-3',
      id: 'read-1',
      plate: 'о 123 ав 01',
      conf: 0.87,
      lat: 41.3111,
      lon: 69.2797,
      attrs: { color: 'white', make: 'Chevrolet', speed: 42 },
    });
    expect(d).toEqual({
      ts: NOW - 5000,
      kind: 'plate',
      camera: 'gate-3',
      id: 'read-1',
      plate: 'O123AB01',
      conf: 0.87,
      lat: 41.3111,
      lon: 69.2797,
      attrs: { color: 'white', make: 'Chevrolet', speed: 42 },
    });
  });

  it('has only the required fields when the optional ones are absent', () => {
    expect(det({ ts: NOW, kind: 'person' })).toEqual({ ts: NOW, kind: 'person', camera: 'cam-7' });
  });

  it('defaults camera to the subject token', () => {
    expect(det(plateRead, 'north-gate').camera).toBe('north-gate');
    expect(det({ ...plateRead, camera: null }, 'north-gate').camera).toBe('north-gate');
    expect(det({ ...plateRead, camera: 'own-id' }, 'north-gate').camera).toBe('own-id');
  });

  it('normalises the plate text', () => {
    expect(det(plateRead).plate).toBe('01A123BC');
  });

  it('accepts kinds outside the matched ones (they are counted)', () => {
    expect(det({ ts: NOW, kind: 'bicycle' }).kind).toBe('bicycle');
  });

  it('keeps a plate on a vehicle read', () => {
    expect(det({ ts: NOW, kind: 'vehicle', plate: 'ab12' }).plate).toBe('AB12');
  });

  it('accepts conf at both ends of [0, 1]', () => {
    expect(det({ ...plateRead, conf: 0 }).conf).toBe(0);
    expect(det({ ...plateRead, conf: 1 }).conf).toBe(1);
  });

  it('accepts lat/lon at the ends of their ranges', () => {
    const d = det({ ...plateRead, lat: -90, lon: 180 });
    expect([d.lat, d.lon]).toEqual([-90, 180]);
    const e = det({ ...plateRead, lat: 90, lon: -180 });
    expect([e.lat, e.lon]).toEqual([90, -180]);
  });

  it('treats null optional fields as absent', () => {
    expect(det({ ts: NOW, kind: 'person', id: null, conf: null, lat: null, lon: null, attrs: null, plate: null, embedding: null })).toEqual(
      {
        ts: NOW,
        kind: 'person',
        camera: 'cam-7',
      },
    );
  });

  it('accepts ts 0 and ts exactly 24 h in the future', () => {
    expect(det({ ...plateRead, ts: 0 }).ts).toBe(0);
    expect(det({ ...plateRead, ts: NOW + DAY }).ts).toBe(NOW + DAY);
  });
});

describe('toDetection: embeddings', () => {
  const values = [0.5, -1.25, 3, 0.1];

  it('reads a float32 little-endian bin', () => {
    const e = det({ ts: NOW, kind: 'face', embedding: f32le(values) }).embedding;
    expect(e).toBeInstanceOf(Float32Array);
    expect(Array.from(e!)).toEqual(Array.from(Float32Array.from(values)));
  });

  it('reads a bin that is not 4-byte aligned in its buffer (a subarray at byteOffset 1)', () => {
    const bin = f32le(values, 1);
    expect(bin.byteOffset).toBe(1);
    const e = det({ ts: NOW, kind: 'face', embedding: bin }).embedding!;
    expect(Array.from(e)).toEqual(Array.from(Float32Array.from(values)));
  });

  it('reads little-endian whatever the bytes look like big-endian', () => {
    // 1.0f is 00 00 80 3f little-endian.
    const e = det({ ts: NOW, kind: 'face', embedding: new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]) }).embedding!;
    expect(Array.from(e)).toEqual([1, -2]);
  });

  it('reads an array of numbers', () => {
    const e = det({ ts: NOW, kind: 'face', embedding: values }).embedding!;
    expect(e).toBeInstanceOf(Float32Array);
    expect(Array.from(e)).toEqual(Array.from(Float32Array.from(values)));
  });

  it('keeps an embedding on a non-face read', () => {
    expect(det({ ts: NOW, kind: 'person', embedding: [1, 2] }).embedding!.length).toBe(2);
  });

  it('requires an embedding for kind face', () => {
    expect(expectRejected(() => det({ ts: NOW, kind: 'face' }), 'missing_field', 'embedding').message).toBe(
      'embedding: required for kind face',
    );
  });

  it('refuses a bin whose length is not a positive multiple of 4', () => {
    expectRejected(() => det({ ts: NOW, kind: 'face', embedding: new Uint8Array(6) }), 'bad_embedding', 'embedding');
    expectRejected(() => det({ ts: NOW, kind: 'face', embedding: new Uint8Array(0) }), 'bad_embedding', 'embedding');
  });

  it('refuses non-finite values in a bin', () => {
    expectRejected(() => det({ ts: NOW, kind: 'face', embedding: f32le([1, Number.NaN]) }), 'bad_embedding', 'embedding');
    expectRejected(() => det({ ts: NOW, kind: 'face', embedding: f32le([Infinity, 1]) }), 'bad_embedding', 'embedding');
  });

  it('refuses an empty array, non-numbers and non-finite numbers in an array', () => {
    expectRejected(() => det({ ts: NOW, kind: 'face', embedding: [] }), 'bad_embedding', 'embedding');
    const e = expectRejected(() => det({ ts: NOW, kind: 'face', embedding: [1, '2'] }), 'bad_embedding', 'embedding');
    expect(e.message).toContain('element 1');
    expectRejected(() => det({ ts: NOW, kind: 'face', embedding: [1, Number.NaN] }), 'bad_embedding', 'embedding');
  });

  it('refuses more than 4096 dimensions', () => {
    expectRejected(() => det({ ts: NOW, kind: 'face', embedding: new Array(4097).fill(0) }), 'bad_embedding', 'embedding');
    expectRejected(() => det({ ts: NOW, kind: 'face', embedding: new Uint8Array(4097 * 4) }), 'bad_embedding', 'embedding');
    expect(det({ ts: NOW, kind: 'face', embedding: new Array(4096).fill(0) }).embedding!.length).toBe(4096);
  });

  it('refuses an embedding that is neither bin nor array as wrong_type', () => {
    expectRejected(() => det({ ts: NOW, kind: 'face', embedding: 'AAAA' }), 'wrong_type', 'embedding');
    expectRejected(() => det({ ts: NOW, kind: 'face', embedding: { 0: 1 } }), 'wrong_type', 'embedding');
  });
});

describe('toDetection: rejections name the field', () => {
  it('not_a_map', () => {
    for (const record of [null, undefined, 42, 'plate', [plateRead], new Uint8Array(4)]) {
      expectRejected(() => det(record), 'not_a_map', 'record');
    }
  });

  it('missing_field: ts, kind, plate for kind plate', () => {
    expect(expectRejected(() => det({ kind: 'plate', plate: 'AB12' }), 'missing_field', 'ts').message).toBe('ts: required');
    expect(expectRejected(() => det({ ts: NOW, plate: 'AB12' }), 'missing_field', 'kind').message).toBe('kind: required');
    expect(expectRejected(() => det({ ts: NOW, kind: 'plate' }), 'missing_field', 'plate').message).toBe('plate: required for kind plate');
  });

  it('wrong_type: ts not an integer epoch', () => {
    for (const ts of ['2026-11-28T12:00:00Z', 1.5, Number.NaN, 2 ** 60, true, [NOW]]) {
      expectRejected(() => det({ ...plateRead, ts }), 'wrong_type', 'ts');
    }
  });

  it('wrong_type for every other typed field', () => {
    expectRejected(() => det({ ...plateRead, kind: 7 }), 'wrong_type', 'kind');
    expectRejected(() => det({ ...plateRead, camera: 7 }), 'wrong_type', 'camera');
    expectRejected(() => det({ ...plateRead, id: 7 }), 'wrong_type', 'id');
    expectRejected(() => det({ ...plateRead, plate: 123456 }), 'wrong_type', 'plate');
    expectRejected(() => det({ ...plateRead, conf: '0.9' }), 'wrong_type', 'conf');
    expectRejected(() => det({ ...plateRead, lat: '41.3', lon: 69.2 }), 'wrong_type', 'lat');
    expectRejected(() => det({ ...plateRead, lat: 41.3, lon: '69.2' }), 'wrong_type', 'lon');
    expectRejected(() => det({ ...plateRead, attrs: ['red'] }), 'wrong_type', 'attrs');
    expectRejected(() => det({ ...plateRead, attrs: 'red' }), 'wrong_type', 'attrs');
  });

  it('out_of_range: negative ts, conf, lat, lon, empty and too long strings', () => {
    expect(expectRejected(() => det({ ...plateRead, ts: -1 }), 'out_of_range', 'ts').message).toBe('ts: must not be negative, got -1');
    for (const conf of [-0.01, 1.01, Number.NaN]) expectRejected(() => det({ ...plateRead, conf }), 'out_of_range', 'conf');
    for (const lat of [-90.0001, 90.0001, Number.NaN, Infinity]) {
      expectRejected(() => det({ ...plateRead, lat, lon: 0 }), 'out_of_range', 'lat');
    }
    for (const lon of [-180.0001, 180.0001, Number.NaN, -Infinity]) {
      expectRejected(() => det({ ...plateRead, lat: 0, lon }), 'out_of_range', 'lon');
    }
    expectRejected(() => det({ ...plateRead, kind: '' }), 'out_of_range', 'kind');
    expectRejected(() => det({ ...plateRead, kind: 'k'.repeat(33) }), 'out_of_range', 'kind');
    expectRejected(() => det({ ...plateRead, camera: '' }), 'out_of_range', 'camera');
    expectRejected(() => det({ ...plateRead, id: 'x'.repeat(129) }), 'out_of_range', 'id');
    expect(det({ ...plateRead, id: 'x'.repeat(128) }).id).toHaveLength(128);
  });

  it('lat without lon and lon without lat are missing_field', () => {
    expect(expectRejected(() => det({ ...plateRead, lat: 41.3 }), 'missing_field', 'lon').message).toBe('lon: required when lat is given');
    expect(expectRejected(() => det({ ...plateRead, lon: 69.2 }), 'missing_field', 'lat').message).toBe('lat: required when lon is given');
  });

  it('future_ts: more than 24 h ahead of now', () => {
    expectRejected(() => det({ ...plateRead, ts: NOW + DAY + 1 }), 'future_ts', 'ts');
    const e = expectRejected(() => det({ ...plateRead, ts: NOW + 2 * DAY }), 'future_ts', 'ts');
    expect(e.message).toBe(`ts: ${new Date(NOW + 2 * DAY).toISOString()} is more than 24 h in the future`);
  });

  it('bad_plate: too short, too long or with other characters', () => {
    for (const plate of ['A', '', '   ', 'A'.repeat(17), 'AB.12', 'Ж123']) {
      expectRejected(() => det({ ...plateRead, plate }), 'bad_plate', 'plate');
    }
    expect(rejection(() => det({ ...plateRead, plate: 'AB.12' })).message).toBe(
      "plate: 'AB.12' is not 2–16 letters and digits once normalised",
    );
  });

  it('bad_plate: a bad plate on a non-plate read is still refused', () => {
    expectRejected(() => det({ ts: NOW, kind: 'vehicle', plate: '?' }), 'bad_plate', 'plate');
  });

  it('bad_plate: text longer than 64 characters is judged whole, not truncated into a valid plate', () => {
    // 10 letters, 54 spaces, 10 letters: 20 characters once normalised, too many. Judging only
    // the first 64 characters would accept it as 'AAAAAAAAAA', a plate the camera did not read.
    const plate = `${'A'.repeat(10)}${' '.repeat(54)}${'B'.repeat(10)}`;
    expectRejected(() => det({ ...plateRead, plate }), 'bad_plate', 'plate');
  });

  it('checks ts before the other fields', () => {
    expect(rejection(() => det({ kind: 7, plate: 1 })).message).toBe('ts: required');
  });
});

describe('toIncident', () => {
  const inc = { id: 'inc-1', ts: NOW - 60_000, lat: 41.3, lon: 69.25 };
  const incident = (record: unknown, type = 'burglary') => toIncident(record, type, NOW);

  it('keeps every field of the incident', () => {
    expect(incident({ ...inc, type: 'assault', severity: 4, source: 'panic_button', attrs: { unit: 12 } })).toEqual({
      id: 'inc-1',
      ts: NOW - 60_000,
      type: 'assault',
      lat: 41.3,
      lon: 69.25,
      severity: 4,
      source: 'panic_button',
      attrs: { unit: 12 },
    });
  });

  it('defaults type to the subject token', () => {
    expect(incident(inc, 'theft')).toEqual({ id: 'inc-1', ts: NOW - 60_000, type: 'theft', lat: 41.3, lon: 69.25 });
  });

  it('accepts severity 1 and 5 and ts exactly 24 h ahead', () => {
    expect(incident({ ...inc, severity: 1 }).severity).toBe(1);
    expect(incident({ ...inc, severity: 5 }).severity).toBe(5);
    expect(incident({ ...inc, ts: NOW + DAY }).ts).toBe(NOW + DAY);
  });

  it('not_a_map', () => {
    for (const record of [null, 'x', [inc], 3]) expectRejected(() => incident(record), 'not_a_map', 'incident');
  });

  it('missing_field: id, ts, lat/lon', () => {
    const { id: _id, ...noId } = inc;
    expect(expectRejected(() => incident(noId), 'missing_field', 'id').message).toBe('id: required');
    const { ts: _ts, ...noTs } = inc;
    expectRejected(() => incident(noTs), 'missing_field', 'ts');
    expectRejected(() => incident({ id: 'a', ts: NOW }), 'missing_field', 'lat');
    expectRejected(() => incident({ id: 'a', ts: NOW, lat: 41 }), 'missing_field', 'lon');
    expectRejected(() => incident({ id: 'a', ts: NOW, lon: 69 }), 'missing_field', 'lat');
  });

  it('wrong_type naming the field', () => {
    expectRejected(() => incident({ ...inc, id: 12 }), 'wrong_type', 'id');
    expectRejected(() => incident({ ...inc, ts: '1700000000000' }), 'wrong_type', 'ts');
    expectRejected(() => incident({ ...inc, type: 3 }), 'wrong_type', 'type');
    expectRejected(() => incident({ ...inc, lat: 'x' }), 'wrong_type', 'lat');
    expectRejected(() => incident({ ...inc, severity: '3' }), 'wrong_type', 'severity');
    expectRejected(() => incident({ ...inc, severity: 2.5 }), 'wrong_type', 'severity');
    expectRejected(() => incident({ ...inc, source: 1 }), 'wrong_type', 'source');
    expectRejected(() => incident({ ...inc, attrs: [1] }), 'wrong_type', 'attrs');
  });

  it('out_of_range and future_ts naming the field', () => {
    expect(expectRejected(() => incident({ ...inc, severity: 0 }), 'out_of_range', 'severity').message).toBe(
      'severity: must be 1–5, got 0',
    );
    expectRejected(() => incident({ ...inc, severity: 6 }), 'out_of_range', 'severity');
    expectRejected(() => incident({ ...inc, lat: 91 }), 'out_of_range', 'lat');
    expectRejected(() => incident({ ...inc, lon: -181 }), 'out_of_range', 'lon');
    expectRejected(() => incident({ ...inc, id: '' }), 'out_of_range', 'id');
    expectRejected(() => incident({ ...inc, ts: -5 }), 'out_of_range', 'ts');
    expectRejected(() => incident({ ...inc, ts: NOW + DAY + 1 }), 'future_ts', 'ts');
  });
});
