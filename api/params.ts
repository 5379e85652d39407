// Checks the API applies beyond JSON Schema: time windows and plate text, each failing with a
// 400 that names the parameter.

import { badInput } from '../engine/errors.js';
import { parseInstant } from '../engine/domain/city-time.js';

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
    throw badInput(`querystring.${name} must be an ISO 8601 date or date-time with a zone, from 1970 on (e.g. 2026-11-28 or 2026-11-28T10:00:00Z), got '${text.slice(0, 40)}'`);
  }
  return ms;
}

/** Schema fragment for `from` and `to`: strings here, parsed by timeWindow. */
export const timeWindowSchema = {
  from: { type: 'string', maxLength: 40, description: 'ISO 8601 date or date-time; default: `to` minus 24 h' },
  to: { type: 'string', maxLength: 40, description: 'ISO 8601 date or date-time; default: now' },
} as const;
