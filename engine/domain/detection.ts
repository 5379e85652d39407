// A detection (one camera read) as the engine uses it, and the checks every record passes
// before it is counted. Pure: no I/O, so the pipeline can run it inline or in a worker.

import { freeJsonProblem, isWellFormedText } from './free-json.js';
import { normalisePlate } from './plate.js';

export const MATCHED_KINDS = ['plate', 'face', 'person', 'vehicle'] as const;
export type MatchedKind = (typeof MATCHED_KINDS)[number];

export interface Detection {
  /** Event time at the camera, epoch ms. */
  ts: number;
  kind: string;
  camera: string;
  id?: string;
  /** Normalised plate text (see normalisePlate). */
  plate?: string;
  conf?: number;
  lat?: number;
  lon?: number;
  embedding?: Float32Array;
  attrs?: Record<string, unknown>;
}

/** Bounded set of reasons: they label `vigil_rejected_total`, so no free text here. */
export type RejectReason =
  | 'undecodable'
  | 'not_a_map'
  | 'missing_field'
  | 'wrong_type'
  | 'out_of_range'
  | 'future_ts'
  | 'bad_plate'
  | 'bad_embedding'
  /** The checks themselves failed on this record: a vigil bug, filed rather than stalling ingest. */
  | 'unprocessable';

export class RecordError extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

/** Any other error while checking a record is a bug; it must not stall the stream, so it is filed. */
export function asRecordError(err: unknown): RecordError {
  if (err instanceof RecordError) return err;
  return new RecordError('unprocessable', `record: could not be checked (${String((err as Error)?.message ?? err).slice(0, 200)})`);
}

const FUTURE_LIMIT_MS = 24 * 3600 * 1000;
const MAX_ID_LENGTH = 128;
const MAX_KIND_LENGTH = 32;
const MAX_EMBEDDING_DIM = 4096;
/** attrs are stored as JSON: JSON.stringify overflows the stack near a few thousand levels. */
const MAX_ATTRS_DEPTH = 16;
/** About this many bytes of JSON at most per record's attrs. */
const MAX_ATTRS_BYTES = 64 * 1024;

/**
 * A map as MessagePack and JSON decode one: a plain object. Not an array, a bin, or the
 * objects the decoder makes of extension types (a timestamp's Date, an ExtData).
 */
export function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function requireEpochMs(record: Record<string, unknown>, field: string, nowMs: number): number {
  const ts = record[field];
  if (ts === undefined || ts === null) throw new RecordError('missing_field', `${field}: required`);
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts)) {
    throw new RecordError('wrong_type', `${field}: must be an integer epoch in milliseconds, got ${preview(ts)}`);
  }
  if (ts < 0) throw new RecordError('out_of_range', `${field}: must not be negative, got ${ts}`);
  if (ts > nowMs + FUTURE_LIMIT_MS) {
    throw new RecordError('future_ts', `${field}: ${new Date(ts).toISOString()} is more than 24 h in the future`);
  }
  return ts;
}

export function optionalString(record: Record<string, unknown>, field: string, max: number): string | undefined {
  const v = record[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RecordError('wrong_type', `${field}: must be a string, got ${preview(v)}`);
  if (v.length === 0 || v.length > max) {
    throw new RecordError('out_of_range', `${field}: must be 1–${max} characters, got ${v.length}`);
  }
  if (!isWellFormedText(v)) throw new RecordError('wrong_type', `${field}: not Unicode text (a lone surrogate)`);
  return v;
}

/**
 * `attrs`: a map, stored as JSON with the record. Bounded in depth and size, and all its text
 * well-formed: a 10,000-level map made JSON.stringify throw at every retry of its batch (the
 * stream stalled behind it), and a lone surrogate made DuckDB's JSON refuse the whole batch.
 */
export function optionalAttrs(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const attrs = record.attrs;
  if (attrs === undefined || attrs === null) return undefined;
  if (!isPlainMap(attrs)) throw new RecordError('wrong_type', `attrs: must be a map, got ${preview(attrs)}`);
  switch (freeJsonProblem(attrs, MAX_ATTRS_DEPTH, MAX_ATTRS_BYTES)) {
    case 'text':
      throw new RecordError('wrong_type', 'attrs: holds text that is not Unicode (a lone surrogate)');
    case 'key':
      throw new RecordError('wrong_type', 'attrs: holds a key that is not Unicode (a lone surrogate)');
    case 'depth':
      throw new RecordError('out_of_range', `attrs: nested deeper than ${MAX_ATTRS_DEPTH} levels`);
    case 'size':
      throw new RecordError('out_of_range', `attrs: larger than ${MAX_ATTRS_BYTES / 1024} KiB`);
  }
  return attrs;
}

/** lat and lon come together, as finite degrees in range; null when absent. */
export function optionalPosition(record: Record<string, unknown>): { lat: number; lon: number } | null {
  const lat = record.lat;
  const lon = record.lon;
  if ((lat === undefined || lat === null) && (lon === undefined || lon === null)) return null;
  if (lat === undefined || lat === null) throw new RecordError('missing_field', 'lat: required when lon is given');
  if (lon === undefined || lon === null) throw new RecordError('missing_field', 'lon: required when lat is given');
  if (typeof lat !== 'number') throw new RecordError('wrong_type', `lat: must be a number, got ${preview(lat)}`);
  if (typeof lon !== 'number') throw new RecordError('wrong_type', `lon: must be a number, got ${preview(lon)}`);
  if (!(lat >= -90 && lat <= 90)) throw new RecordError('out_of_range', `lat: must be within [-90, 90], got ${lat}`);
  if (!(lon >= -180 && lon <= 180)) throw new RecordError('out_of_range', `lon: must be within [-180, 180], got ${lon}`);
  return { lat, lon };
}

function embeddingOf(value: unknown): Float32Array {
  if (value instanceof Uint8Array) {
    if (value.byteLength === 0 || value.byteLength % 4 !== 0) {
      throw new RecordError('bad_embedding', `embedding: bin length ${value.byteLength} is not a positive multiple of 4`);
    }
    if (value.byteLength / 4 > MAX_EMBEDDING_DIM) {
      throw new RecordError('bad_embedding', `embedding: more than ${MAX_EMBEDDING_DIM} dimensions`);
    }
    // float32 little-endian; copy when the view is not 4-byte aligned inside its buffer.
    // (Uint8Array's slice copies; a Node Buffer's slice would be another unaligned view.)
    const aligned = value.byteOffset % 4 === 0 ? value : Uint8Array.prototype.slice.call(value);
    const floats = new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
    for (let i = 0; i < floats.length; i++) {
      if (!Number.isFinite(floats[i])) throw new RecordError('bad_embedding', `embedding: value ${i} is not finite`);
    }
    return floats;
  }
  if (Array.isArray(value)) {
    if (value.length === 0 || value.length > MAX_EMBEDDING_DIM) {
      throw new RecordError('bad_embedding', `embedding: must have 1–${MAX_EMBEDDING_DIM} numbers, got ${value.length}`);
    }
    const floats = new Float32Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new RecordError('bad_embedding', `embedding: element ${i} is not a finite number`);
      }
      floats[i] = x;
      // Past float32's range (±3.4e38) the stored value would be infinite.
      if (!Number.isFinite(floats[i])) throw new RecordError('bad_embedding', `embedding: element ${i} is out of float32 range`);
    }
    return floats;
  }
  throw new RecordError('wrong_type', `embedding: must be float32 bin or an array of numbers, got ${preview(value)}`);
}

/** Checks one decoded record; throws RecordError naming the field. */
export function toDetection(record: unknown, subjectCamera: string, nowMs: number): Detection {
  if (!isPlainMap(record)) throw new RecordError('not_a_map', `record: must be a map, got ${preview(record)}`);
  const ts = requireEpochMs(record, 'ts', nowMs);
  const kind = record.kind;
  if (kind === undefined || kind === null) throw new RecordError('missing_field', 'kind: required');
  if (typeof kind !== 'string') throw new RecordError('wrong_type', `kind: must be a string, got ${preview(kind)}`);
  if (kind.length === 0 || kind.length > MAX_KIND_LENGTH) {
    throw new RecordError('out_of_range', `kind: must be 1–${MAX_KIND_LENGTH} characters`);
  }
  if (!isWellFormedText(kind)) throw new RecordError('wrong_type', 'kind: not Unicode text (a lone surrogate)');
  const d: Detection = { ts, kind, camera: optionalString(record, 'camera', MAX_ID_LENGTH) ?? subjectCamera };
  const id = optionalString(record, 'id', MAX_ID_LENGTH);
  if (id !== undefined) d.id = id;

  if (record.plate !== undefined && record.plate !== null) {
    if (typeof record.plate !== 'string') {
      throw new RecordError('wrong_type', `plate: must be a string, got ${preview(record.plate)}`);
    }
    const plate = normalisePlate(record.plate);
    if (plate === null) {
      throw new RecordError('bad_plate', `plate: '${record.plate.slice(0, 32)}' is not 2–16 letters and digits once normalised`);
    }
    d.plate = plate;
  } else if (kind === 'plate') {
    throw new RecordError('missing_field', 'plate: required for kind plate');
  }

  if (record.conf !== undefined && record.conf !== null) {
    const conf = record.conf;
    if (typeof conf !== 'number') throw new RecordError('wrong_type', `conf: must be a number, got ${preview(conf)}`);
    if (!(conf >= 0 && conf <= 1)) throw new RecordError('out_of_range', `conf: must be within [0, 1], got ${conf}`);
    d.conf = conf;
  }
  const pos = optionalPosition(record);
  if (pos) {
    d.lat = pos.lat;
    d.lon = pos.lon;
  }
  if (record.embedding !== undefined && record.embedding !== null) d.embedding = embeddingOf(record.embedding);
  else if (kind === 'face') throw new RecordError('missing_field', 'embedding: required for kind face');

  const attrs = optionalAttrs(record);
  if (attrs !== undefined) d.attrs = attrs;
  return d;
}

/** A short, safe description of a bad value for an error message. */
export function preview(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `bin(${value.byteLength})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'string') return `string '${value.length > 24 ? `${value.slice(0, 24)}…` : value}'`;
  if (typeof value === 'number') return `number ${value}`;
  return typeof value;
}

/** A read as ingest decoded it: with its stream sequence and its index in the message. */
export interface DecodedRead extends Detection {
  seq: number;
  index: number;
}
