// Hostile NATS input for the fuzz test: random and malformed detection and incident payloads,
// each with what the engine must make of it (good reads and incidents stored, bad records in the
// DLQ with their reason and bytes). Seeded: the same seed gives the same messages.
//
// The expectations come from how each payload was built, not from the engine's own decoder:
// a mutation that breaks a field names the reason it must be rejected for.

import { decode, encode, ExtData } from '@msgpack/msgpack';
import { Random } from '../../engine/util/random.js';

export const REJECT_REASONS = [
  'undecodable',
  'not_a_map',
  'missing_field',
  'wrong_type',
  'out_of_range',
  'future_ts',
  'bad_plate',
  'bad_embedding',
  'unprocessable',
] as const;
export type Reason = (typeof REJECT_REASONS)[number];

/** A reject the engine must file: its batch index (null = the whole message), reason (null = any) and bytes. */
export interface ExpectedReject {
  index: number | null;
  reason: Reason | null;
  data: Uint8Array;
}

export interface FuzzMessage {
  subject: string;
  data: Uint8Array;
  /** Ids of the reads this message must add to sightings. */
  reads: string[];
  /** Id of the incident it carries when good (stored once, however often it comes). */
  incident: string | null;
  rejects: ExpectedReject[];
  /** Which generator made it, for failure messages. */
  label: string;
}

const DAY = 86_400_000;
const LONE = ['\ud800', '\udfff', 'a\udc00b', 'x\ud83d'];
const ODD_TEXT = [
  'Ташкент',
  '🚓🚨',
  'e\u0301',
  '\u202eevil',
  'zero\u200bwidth',
  'nul\u0000byte',
  '﷽',
  '１２３',
  '٣٤٥',
  '\ud83d\ude00',
  "' OR 1=1 --",
  '"; DROP TABLE sightings; --',
];
const HUGE = 100 * 1024;

/** A MessagePack array of already-encoded elements: the batch's bytes are its records' bytes. */
function arrayOf(parts: readonly Uint8Array[]): Uint8Array {
  const n = parts.length;
  const head = n < 16 ? [0x90 | n] : n < 65536 ? [0xdc, n >> 8, n & 0xff] : [0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(head.length + parts.reduce((s, p) => s + p.length, 0));
  out.set(head, 0);
  let at = head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `levels` nested one-element arrays around nil, written by hand (the encoder stops at 100). */
function deepArrayBytes(levels: number): Uint8Array {
  const b = new Uint8Array(levels + 1).fill(0x91);
  b[levels] = 0xc0;
  return b;
}

/** A map `{...fields, [key]: <levels-deep array>}` (or `[key]: {x: <…>}` with `inMap`) as MessagePack bytes. */
function mapWithDeepValue(fields: Record<string, unknown>, key: string, levels: number, inMap = false): Uint8Array {
  const entries = Object.entries(fields);
  const n = entries.length + 1;
  const parts: Uint8Array[] = [new Uint8Array([0x80 | n])];
  for (const [k, v] of entries) parts.push(encode(k), encode(v));
  parts.push(encode(key));
  if (inMap) parts.push(new Uint8Array([0x81]), encode('x'));
  parts.push(deepArrayBytes(levels));
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Builds the messages; `now` is the publishing time (future-ts checks are relative to it). */
export class HostileInput {
  private readonly rnd: Random;
  private n = 0;
  private readonly goodIncidents: string[] = [];

  constructor(
    readonly seed: number,
    private readonly prefix: string,
    private readonly now: number,
  ) {
    this.rnd = new Random(seed);
  }

  /** The next message: a detection (about 80 %) or an incident. */
  next(): FuzzMessage {
    const n = this.n++;
    return this.rnd.chance(0.8) ? this.detection(n) : this.incidentMessage(n);
  }

  // ---- detections ------------------------------------------------------------------------

  private goodRead(id: string): Record<string, unknown> {
    const r = this.rnd;
    // Within the last 29 days (sightings' retention is 30) and up to 23 h ahead (24 h is refused).
    const ts = r.chance(0.9) ? this.now - r.int(0, 3_600_000) : r.pick([this.now - 29 * DAY, this.now + 23 * 3_600_000]);
    const kind = r.weighted<string>([
      ['plate', 4],
      ['vehicle', 3],
      ['person', 2],
      ['face', 1],
      ['bicycle', 1],
      [r.pick(ODD_TEXT).slice(0, 32) || 'x', 0.5],
    ]);
    const read: Record<string, unknown> = { ts, kind, id };
    if (kind === 'plate' || r.chance(0.1)) read.plate = r.pick(['01 A 123 BC', '10123ABC', 'ав-12', 'x1', '01-А-777-ВС', 'ab  cd  12']);
    if (kind === 'face')
      read.embedding = r.chance(0.5) ? new Uint8Array(Float32Array.from([0.1, 0.2, 0.3, 0.4]).buffer) : [0.5, -0.5, 1e-30, 3e38];
    if (r.chance(0.3)) read.conf = r.pick([0, 1, 0.5, -0]);
    if (r.chance(0.2)) Object.assign(read, { lat: r.uniform(-90, 90), lon: r.pick([-180, 180, r.uniform(-180, 180)]) });
    if (r.chance(0.2)) read.camera = r.pick(ODD_TEXT.filter((t) => t.length <= 128));
    if (r.chance(0.3)) {
      read.attrs = r.pick<Record<string, unknown>>([
        { color: 'white', speed: 42 },
        { note: r.pick(ODD_TEXT), nan: NaN, inf: -Infinity, big: 2 ** 64, neg: -0 },
        { nested: { a: { b: { c: [1, [2, [3]]] } } } },
        { blob: new Uint8Array([0, 255, 1]), when: new Date(0), ext: new ExtData(7, new Uint8Array([1, 2])) },
        { long: 'y'.repeat(8000) },
        {},
      ]);
    }
    // Unknown fields are ignored, however hostile.
    if (r.chance(0.05)) read.junk = r.pick<unknown>([{ deep: { er: [[[[]]]] } }, 'z'.repeat(HUGE), new Uint8Array(1000), [NaN]]);
    return read;
  }

  /** A record broken in one known way, with the reason it must be rejected for. */
  private badRead(): { bytes: Uint8Array; reason: Reason } {
    const r = this.rnd;
    const base = (): Record<string, unknown> => ({ ts: this.now - 1000, kind: 'vehicle' });
    const with_ = (patch: Record<string, unknown>, reason: Reason) => ({ bytes: encode({ ...base(), ...patch }), reason });
    const without = (field: string, patch: Record<string, unknown>, reason: Reason) => {
      const rec: Record<string, unknown> = { ...base(), ...patch };
      delete rec[field];
      return { bytes: encode(rec), reason };
    };
    // 100 kB strings and 10,000-level nesting are kept rare: they are big.
    if (r.chance(0.02)) {
      switch (r.int(7)) {
        case 0:
          return with_({ kind: 'k'.repeat(HUGE) }, 'out_of_range');
        case 1:
          return with_({ kind: 'plate', plate: 'p'.repeat(HUGE) }, 'bad_plate');
        case 2:
          return with_({ camera: 'c'.repeat(HUGE) }, 'out_of_range');
        case 3:
          return with_({ id: 'i'.repeat(HUGE) }, 'out_of_range');
        case 4:
          return with_({ attrs: { big: 'b'.repeat(HUGE) } }, 'out_of_range');
        case 5:
          return { bytes: mapWithDeepValue(base(), 'attrs', 10_000, true), reason: 'out_of_range' };
        default:
          return { bytes: deepArrayBytes(10_000), reason: 'not_a_map' };
      }
    }
    switch (r.int(46)) {
      case 0:
        return without('ts', {}, 'missing_field');
      case 1:
        return with_({ ts: String(this.now) }, 'wrong_type');
      case 2:
        return with_({ ts: this.now + 0.5 }, 'wrong_type');
      case 3:
        return with_({ ts: NaN }, 'wrong_type');
      case 4:
        return with_({ ts: Infinity }, 'wrong_type');
      case 5:
        return with_({ ts: 2 ** 64 }, 'wrong_type');
      case 6:
        return with_({ ts: -1 }, 'out_of_range');
      case 7:
        return with_({ ts: -(2 ** 40) }, 'out_of_range');
      case 8:
        return with_({ ts: this.now + 25 * 3_600_000 }, 'future_ts');
      case 9:
        return with_({ ts: 8.64e15 }, 'future_ts');
      case 10:
        return with_({ ts: new Uint8Array(8) }, 'wrong_type');
      case 11:
        return with_({ ts: [this.now] }, 'wrong_type');
      case 12:
        return with_({ ts: r.pick<unknown>([true, new Date(this.now), { ms: this.now }]) }, 'wrong_type');
      case 13:
        return without('kind', {}, 'missing_field');
      case 14:
        return with_({ kind: 7 }, 'wrong_type');
      case 15:
        return with_({ kind: new TextEncoder().encode('plate') }, 'wrong_type');
      case 16:
        return with_({ kind: '' }, 'out_of_range');
      case 17:
        return with_({ kind: 'k'.repeat(33) }, 'out_of_range');
      case 18:
        return with_({ kind: r.pick(LONE) }, 'wrong_type');
      case 19:
        return with_({ kind: 'plate' }, 'missing_field');
      case 20:
        return with_({ kind: 'plate', plate: 12345 }, 'wrong_type');
      case 21:
        return with_({ kind: 'plate', plate: new Uint8Array([0x41, 0x42, 0x31]) }, 'wrong_type');
      case 22:
        return with_(
          {
            kind: 'plate',
            plate: r.pick(['?', 'A', '', 'Ω123', 'p'.repeat(65), 'A1\u0000B2', 'AB\ud800C', '<script>', 'ABCDEFGHIJKLMNOPQ']),
          },
          'bad_plate',
        );
      case 23:
        return with_({ camera: 9 }, 'wrong_type');
      case 24:
        return with_({ camera: '' }, 'out_of_range');
      case 25:
        return with_({ camera: 'c'.repeat(129) }, 'out_of_range');
      case 26:
        return with_({ camera: r.pick(LONE) }, 'wrong_type');
      case 27:
        return with_({ camera: new Uint8Array([0x63]) }, 'wrong_type');
      case 28:
        return with_({ id: 'i'.repeat(129) }, 'out_of_range');
      case 29:
        return with_({ id: { not: 'text' } }, 'wrong_type');
      case 30:
        return with_({ conf: r.pick([1.0001, -0.01, NaN, Infinity, 1e308]) }, 'out_of_range');
      case 31:
        return with_({ conf: '0.9' }, 'wrong_type');
      case 32:
        return with_({ lat: 41.3 }, 'missing_field');
      case 33:
        return with_({ lon: 69.2 }, 'missing_field');
      case 34:
        return with_({ lat: r.pick([90.0001, -91, NaN, Infinity]), lon: 0 }, 'out_of_range');
      case 35:
        return with_({ lat: 0, lon: r.pick([180.5, -1e308, NaN, -Infinity]) }, 'out_of_range');
      case 36:
        return with_({ lat: '41.3', lon: 69.2 }, 'wrong_type');
      case 37:
        return with_({ kind: 'face' }, 'missing_field');
      case 38:
        return with_(
          {
            kind: 'face',
            embedding: r.pick([
              new Uint8Array(3),
              new Uint8Array(0),
              new Uint8Array(4 * 4097),
              new Uint8Array(Float32Array.from([1, NaN]).buffer),
            ]),
          },
          'bad_embedding',
        );
      case 39:
        return with_(
          { kind: 'face', embedding: r.pick<unknown[]>([[], [1, 'x'], [1, NaN], [1, 1e39], new Array(5000).fill(0.1)]) },
          'bad_embedding',
        );
      case 40:
        return with_({ kind: 'face', embedding: 'base64==' }, 'wrong_type');
      case 41:
        return with_(
          { attrs: r.pick<unknown>([['red'], 'red', new Uint8Array(2), 5, new ExtData(3, new Uint8Array(1)), new Date()]) },
          'wrong_type',
        );
      case 42:
        return with_({ attrs: { text: r.pick(LONE) } }, 'wrong_type');
      case 43:
        return with_({ attrs: { [r.pick(LONE)]: 1 } }, 'wrong_type');
      case 44:
        if (r.chance(0.2)) return { bytes: mapWithDeepValue(base(), 'attrs', 30), reason: 'wrong_type' }; // attrs an array
        return { bytes: mapWithDeepValue(base(), 'attrs', r.pick([16, 100, 1000]), true), reason: 'out_of_range' };
      default:
        return {
          bytes: encode(r.pick<unknown>([42, 'text', null, true, new Uint8Array(4), new ExtData(1, new Uint8Array(2)), new Date()])),
          reason: 'not_a_map',
        };
    }
  }

  private detection(n: number): FuzzMessage {
    const r = this.rnd;
    const subject = `${this.prefix}.det.fz${n}`;
    const kind = r.weighted<string>([
      ['good-map', 25],
      ['good-batch', 15],
      ['mixed-batch', 20],
      ['bad-map', 20],
      ['truncated', 5],
      ['random-bytes', 5],
      ['junk-bytes', 5],
      ['deep-map', 1],
      ['empty-batch', 1],
    ]);
    const msg = (data: Uint8Array, reads: string[], rejects: ExpectedReject[]): FuzzMessage => ({
      subject,
      data,
      reads,
      incident: null,
      rejects,
      label: kind,
    });
    switch (kind) {
      case 'good-map': {
        const id = `g${n}`;
        return msg(encode(this.goodRead(id)), [id], []);
      }
      case 'good-batch':
      case 'mixed-batch': {
        const size = r.int(1, kind === 'good-batch' ? 40 : 24);
        const parts: Uint8Array[] = [];
        const reads: string[] = [];
        const rejects: ExpectedReject[] = [];
        for (let i = 0; i < size; i++) {
          if (kind === 'good-batch' || r.chance(0.5)) {
            const id = `g${n}.${i}`;
            parts.push(encode(this.goodRead(id)));
            reads.push(id);
          } else {
            const bad = this.badRead();
            parts.push(bad.bytes);
            rejects.push({ index: i, reason: bad.reason, data: bad.bytes });
          }
        }
        return msg(arrayOf(parts), reads, rejects);
      }
      case 'bad-map': {
        const bad = this.badRead();
        // An array at the top level is a batch: its elements are judged one by one.
        if (bad.bytes[0] === 0x91) return msg(bad.bytes, [], [{ index: 0, reason: 'not_a_map', data: bad.bytes.subarray(1) }]);
        return msg(bad.bytes, [], [{ index: null, reason: bad.reason, data: bad.bytes }]);
      }
      case 'truncated': {
        const whole = encode(r.chance(0.5) ? this.goodRead('t') : [this.goodRead('t1'), this.goodRead('t2')]);
        const data = whole.subarray(0, r.int(0, whole.length));
        return msg(data, [], [{ index: null, reason: 'undecodable', data }]);
      }
      case 'random-bytes': {
        // Random bytes that MessagePack cannot decode (the rare decodable draw is drawn again).
        for (;;) {
          const data = new Uint8Array(r.int(1, 64)).map(() => r.int(256));
          if (!decodes(data)) return msg(data, [], [{ index: null, reason: 'undecodable', data }]);
        }
      }
      case 'junk-bytes': {
        const data = r.pick([
          new Uint8Array(0), // empty payload
          new Uint8Array([0xc1]), // the one byte MessagePack never uses
          new Uint8Array([0x81, 0xa2, 0x74, 0x73]), // a map whose value is missing
          concat([encode({ ts: this.now, kind: 'vehicle' }), new Uint8Array([0x00])]), // a good map and a trailing byte
          new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]), // an array of 4 billion elements, none sent
          new Uint8Array([0xdb, 0x7f, 0xff, 0xff, 0xff, 0x41]), // a 2 GB string, one byte sent
          new Uint8Array([0xc9, 0x7f, 0xff, 0xff, 0xff, 0x01]), // a 2 GB extension
          new Uint8Array([0xd6, 0xff, 0x00, 0x00]), // a timestamp extension cut short
          new Uint8Array([0xc7, 0x03, 0xff, 1, 2, 3]), // a timestamp extension of a wrong length
          new TextEncoder().encode('{"ts": 1, "kind": "vehicle"}'), // JSON is not accepted for detections
          new Uint8Array([0x81, 0xa9, ...new TextEncoder().encode('__proto__'), 0x80]), // a map keyed __proto__
          new Uint8Array([0x81, 0x80, 0x01]), // a map keyed by a map
        ]);
        return msg(data, [], [{ index: null, reason: 'undecodable', data }]);
      }
      case 'deep-map': {
        // A record whose unknown field is 10,000 levels deep: decoded, checked, stored (field dropped).
        const id = `g${n}`;
        const data = mapWithDeepValue({ ts: this.now - 5, kind: 'person', id }, 'junk', 10_000);
        return msg(data, [id], []);
      }
      default: // 'empty-batch': a gateway batch of no reads is no read and no reject
        return msg(new Uint8Array([0x90]), [], []);
    }
  }

  // ---- incidents ----------------------------------------------------------------------------

  private goodIncident(id: string): Record<string, unknown> {
    const r = this.rnd;
    const inc: Record<string, unknown> = { id, ts: this.now - r.int(0, 30 * DAY), lat: r.uniform(-90, 90), lon: r.uniform(-180, 180) };
    if (r.chance(0.5)) inc.severity = r.int(1, 6);
    if (r.chance(0.5)) inc.source = r.pick(['call', 'patrol', 'camera', 'Ташкент']);
    if (r.chance(0.3)) inc.type = r.pick(['burglary', 'assault', '🚨', "'; DROP TABLE incidents; --"]);
    if (r.chance(0.3)) inc.attrs = r.pick<Record<string, unknown>>([{ unit: 12 }, { note: r.pick(ODD_TEXT) }, { nested: [[{ a: null }]] }]);
    return inc;
  }

  private incidentMessage(n: number): FuzzMessage {
    const r = this.rnd;
    const subject = `${this.prefix}.incident.fz${n}`;
    const json = r.chance(0.5);
    const enc = (v: unknown) => (json ? new TextEncoder().encode(JSON.stringify(v)) : encode(v));
    const kind = r.weighted<string>([
      ['good', 30],
      ['duplicate', 5],
      ['bad-field', 40],
      ['undecodable', 15],
      ['deep', 2],
    ]);
    const bad = (data: Uint8Array, reason: Reason | null): FuzzMessage => ({
      subject,
      data,
      reads: [],
      incident: null,
      rejects: [{ index: null, reason, data }],
      label: `incident-${kind}`,
    });
    const good = (data: Uint8Array, id: string): FuzzMessage => ({
      subject,
      data,
      reads: [],
      incident: id,
      rejects: [],
      label: `incident-${kind}`,
    });
    switch (kind) {
      case 'good': {
        const id = r.chance(0.1) ? `inc-${n}-${r.pick(ODD_TEXT)}` : `inc-${n}`;
        this.goodIncidents.push(id);
        return good(enc(this.goodIncident(id)), id);
      }
      case 'duplicate': {
        // The same incident id again (a producer's retry): stored once, no reject.
        if (this.goodIncidents.length === 0) return this.incidentMessage(n);
        const id = r.pick(this.goodIncidents);
        return good(enc(this.goodIncident(id)), id);
      }
      case 'deep': {
        // 10,000 levels in an unknown field (accepted, field dropped) or in attrs (refused).
        const id = `inc-${n}`;
        const depth = 10_000;
        const nested = '['.repeat(depth) + ']'.repeat(depth);
        const base = JSON.stringify({ id, ts: this.now, lat: 41, lon: 69 }).slice(0, -1);
        if (r.chance(0.5)) {
          this.goodIncidents.push(id);
          return good(new TextEncoder().encode(`${base},"junk":${nested}}`), id);
        }
        return bad(new TextEncoder().encode(`${base},"attrs":{"x":${nested}}}`), 'out_of_range');
      }
      case 'undecodable': {
        const data = r.pick([
          new Uint8Array(0),
          new TextEncoder().encode('{"id": "x", "ts": 1'),
          new TextEncoder().encode('{"id": "x", "ts": NaN, "lat": 1, "lon": 1}'),
          new TextEncoder().encode("{'id': 'x'}"),
          new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), // {"\xff\xfe":1}: not UTF-8
          new TextEncoder().encode('\ufeff{"id": "bom", "ts": 1, "lat": 1, "lon": 1}'),
          new TextEncoder().encode('[{"id": "x"}]'),
          new TextEncoder().encode('{"__proto__": {"id": "x"}, "a": 1'),
          new Uint8Array(r.int(1, 40)).map(() => r.int(256)).map((b, i) => (i === 0 ? 0xc1 : b)),
          new TextEncoder().encode(` \n\t{"id": "x", "ts": ${this.now}, "lat": 1, "lon": 1}}`),
        ]);
        return bad(data, 'undecodable');
      }
      default: {
        const base = this.goodIncident(`bad-${n}`);
        const k = r.int(22);
        const patched = (patch: Record<string, unknown>, reason: Reason) => bad(enc({ ...base, ...patch }), reason);
        const dropped = (field: string, reason: Reason) => {
          const rec = { ...base };
          delete rec[field];
          return bad(enc(rec), reason);
        };
        switch (k) {
          case 0:
            return dropped('id', 'missing_field');
          case 1:
            return patched({ id: 17 }, 'wrong_type');
          case 2:
            return patched({ id: '' }, 'out_of_range');
          case 3:
            return patched({ id: 'x'.repeat(HUGE) }, 'out_of_range');
          case 4:
            return patched({ id: r.pick(LONE) }, 'wrong_type');
          case 5:
            return dropped('ts', 'missing_field');
          case 6:
            return patched({ ts: r.pick<unknown>(['2026-01-01', 1.5, true, 2 ** 64]) }, 'wrong_type');
          case 7:
            return patched({ ts: -5 }, 'out_of_range');
          case 8:
            return patched({ ts: this.now + 2 * DAY }, 'future_ts');
          case 9:
            return dropped('lat', 'missing_field');
          case 10:
            return patched({ lat: 100 }, 'out_of_range');
          case 11:
            // JSON cannot say Infinity; a number too big for a double reads as one.
            if (json)
              return bad(new TextEncoder().encode(JSON.stringify({ ...base, lon: 0 }).replace('"lon":0', '"lon":1e400')), 'out_of_range');
            return patched({ lon: Infinity }, 'out_of_range');
          case 12:
            return patched({ severity: r.pick([0, 6, -1, 1e308]) }, 'out_of_range');
          case 13:
            return patched({ severity: r.pick<unknown>([2.5, '3', 'high', true]) }, 'wrong_type');
          case 14:
            return patched({ source: 5 }, 'wrong_type');
          case 15:
            return patched({ source: 's'.repeat(33) }, 'out_of_range');
          case 16:
            return patched({ type: '' }, 'out_of_range');
          case 17:
            return patched({ type: 't'.repeat(65) }, 'out_of_range');
          case 18:
            return patched({ attrs: r.pick<unknown>([[1], 'text', 3]) }, 'wrong_type');
          case 19:
            return patched({ attrs: { note: r.pick(LONE) } }, 'wrong_type');
          case 20:
            return patched({ attrs: { note: 'n'.repeat(HUGE) } }, 'out_of_range');
          default:
            return bad(enc(r.pick<unknown>([42, 'incident', null, [base]])), json ? 'undecodable' : 'not_a_map');
        }
      }
    }
  }
}

/** True when the library decodes `data` whole (used only to draw undecodable random bytes). */
function decodes(data: Uint8Array): boolean {
  try {
    decode(data);
    return true;
  } catch {
    return false;
  }
}
