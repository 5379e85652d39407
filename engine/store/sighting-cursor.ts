// Paging of a sighting search: the cursor names the last row given, by its place in the
// answer's order (ts, seq, idx), and the search it belongs to. It also carries the search's
// window, so that the next page of a search with the default window (the last 24 hours up to
// now) continues that window rather than a new one.

import { createHash } from 'node:crypto';
import { ParamError } from '../errors.js';

export interface SightingSearchKey {
  /** The canonical pattern (engine/domain/plate-pattern.ts). */
  pattern: string;
  fuzzy: boolean;
  /** Epoch ms. */
  from: number;
  to: number;
}

/** A row's place in the order of an answer. */
export interface SightingPosition {
  /** Epoch µs, as stored. */
  tsUs: bigint;
  seq: bigint;
  idx: number;
}

export interface SightingCursor extends SightingPosition {
  from: number;
  to: number;
  /** searchKey() of the search that gave it. */
  search: string;
}

const VERSION = 1;
const INT64 = /^-?\d{1,19}$/;
const KEY = /^[A-Za-z0-9_-]{22}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A digest of what the search asked for: a cursor continues only the search that gave it. */
export function searchKey(k: SightingSearchKey): string {
  return createHash('sha256')
    .update(JSON.stringify([VERSION, k.pattern, k.fuzzy, k.from, k.to]))
    .digest('base64url')
    .slice(0, 22);
}

export function encodeSightingCursor(c: SightingCursor): string {
  return Buffer.from(JSON.stringify([VERSION, c.from, c.to, String(c.tsUs), String(c.seq), c.idx, c.search])).toString('base64url');
}

/** Throws a ParamError naming `cursor` for text that is not a cursor encodeSightingCursor made. */
export function decodeSightingCursor(text: string, param = 'cursor'): SightingCursor {
  const c = parse(text);
  if (c === null) throw new ParamError(param, ' is not a cursor this API returned');
  return c;
}

function parse(text: string): SightingCursor | null {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== 7) return null;
  const [version, from, to, tsUs, seq, idx, search] = v as unknown[];
  if (version !== VERSION || !epochMs(from) || !epochMs(to) || from >= to) return null;
  const ts = int64(tsUs);
  const s = int64(seq);
  if (ts === null || s === null) return null;
  if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < -(2 ** 31) || idx >= 2 ** 31) return null;
  if (typeof search !== 'string' || !KEY.test(search)) return null;
  return { from, to, tsUs: ts, seq: s, idx, search };
}

function epochMs(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function int64(x: unknown): bigint | null {
  if (typeof x !== 'string' || !INT64.test(x)) return null;
  const n = BigInt(x);
  return n >= INT64_MIN && n <= INT64_MAX ? n : null;
}
