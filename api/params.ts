// Checks the API applies beyond JSON Schema: time windows and plate text, each failing with a
// 400 that names the parameter.

import { badInput } from '../engine/errors.js';
import { parseInstant } from '../engine/domain/city-time.js';
import { freeJsonProblem } from '../engine/domain/free-json.js';

export const DAY_MS = 86_400_000;

export interface TimeWindow {
  from: number;
  to: number;
}

/** `from`/`to` as epoch ms; both default to the last 24 hours. */
export function timeWindow(query: { from?: string; to?: string }, timeZone: string, now = Date.now()): TimeWindow {
  const to = query.to === undefined ? now : instant('to', query.to, timeZone);
  const from = query.from === undefined ? to - DAY_MS : instant('from', query.from, timeZone);
  if (from >= to) throw badInput(`querystring.from must be before querystring.to`);
  return { from, to };
}

function instant(name: string, text: string, timeZone: string): number {
  const ms = parseInstant(text, timeZone);
  if (ms === null) {
    throw badInput(
      `querystring.${name} must be an ISO 8601 date or date-time with a zone, from 1970 on (e.g. 2026-11-28 or 2026-11-28T10:00:00Z), got '${text.slice(0, 40)}'`,
    );
  }
  return ms;
}

/** Shortest span of each series bucket on any clock (a day with a DST jump has 23 h). */
const SHORTEST_BUCKET_MS = { day: 23 * 3_600_000, week: 7 * DAY_MS - 3_600_000, month: 28 * DAY_MS } as const;

/** Most buckets a series with every bucket of its window present (empty ones as 0) may have. */
export const MAX_SERIES_BUCKETS = 3660;

/**
 * Refuses a window of more than MAX_SERIES_BUCKETS buckets. Without it, `to=9999-12-31` asked
 * for 2.9 million day buckets, and the Mann–Kendall test over them (quadratic) held the event
 * loop, and with it ingest, for hours.
 */
export function checkSeriesLength(window: TimeWindow, bucket: keyof typeof SHORTEST_BUCKET_MS): void {
  const buckets = Math.floor((window.to - window.from) / SHORTEST_BUCKET_MS[bucket]) + 1;
  if (buckets > MAX_SERIES_BUCKETS) {
    throw badInput(
      `querystring.from and querystring.to span up to ${buckets} buckets of a ${bucket}; at most ${MAX_SERIES_BUCKETS}: narrow the window or choose a longer querystring.bucket`,
    );
  }
}

/** Schema fragment for `from` and `to`: strings here, parsed by timeWindow. */
export const timeWindowSchema = {
  from: { type: 'string', maxLength: 40, description: 'ISO 8601 date or date-time; default: `to` minus 24 h' },
  to: { type: 'string', maxLength: 40, description: 'ISO 8601 date or date-time; default: now' },
} as const;

/**
 * Text in a JSON body is Unicode: no lone surrogate (a `"\ud800"` escape). DuckDB's JSON
 * refuses one, so a watchlist named with it failed its audit row with a 500 after the list was
 * stored. Ajv compiles patterns with the `u` flag: a surrogate pair is one code point outside
 * this range, a lone surrogate is inside it.
 */
export const WELL_FORMED_TEXT = '^[^\\uD800-\\uDFFF]*$';

type JsonSchema = Record<string, unknown>;

/**
 * The body schema with every string (and every free-form object's keys) refusing lone
 * surrogates; a string schema with its own pattern keeps it and gets this one beside it.
 */
export function wellFormedText<const T extends JsonSchema>(schema: T): T {
  const walk = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(walk);
    if (typeof s !== 'object' || s === null) return s;
    const out: JsonSchema = {};
    for (const [k, v] of Object.entries(s)) out[k] = k === 'enum' || k === 'const' || k === 'default' ? v : walk(v);
    const types = Array.isArray(out.type) ? out.type : [out.type];
    if (types.includes('string')) {
      if (out.pattern === undefined) out.pattern = WELL_FORMED_TEXT;
      else out.allOf = [...((out.allOf as unknown[]) ?? []), { pattern: WELL_FORMED_TEXT }];
    }
    if (types.includes('object') && out.properties === undefined && out.propertyNames === undefined) {
      out.propertyNames = { pattern: WELL_FORMED_TEXT };
    }
    return out;
  };
  return walk(schema) as T;
}

/** How deep free-form JSON stored as it came (a camera's `attrs`) may nest. */
export const MAX_JSON_DEPTH = 16;

/**
 * Free-form JSON stored as it came (a camera's `attrs`): at most MAX_JSON_DEPTH levels, and
 * its keys and text Unicode (see engine/domain/free-json.ts); both were 500s. (In JSON Schema a
 * bounded depth compiles to code that doubles per level, and a pattern cannot reach the values
 * of a free-form object.)
 */
export function checkFreeJson(value: unknown, field: string, max = MAX_JSON_DEPTH): void {
  switch (freeJsonProblem(value, max)) {
    case 'text':
      throw badInput(`${field} holds text that is not Unicode (a lone surrogate)`);
    case 'key':
      throw badInput(`${field} has a key that is not Unicode (a lone surrogate)`);
    case 'depth':
      throw badInput(`${field} is nested deeper than ${max} levels`);
  }
}
