// Geofence schedules: on which ISO weekdays and between which wall-clock times a fence is armed,
// read on the clock of the schedule's own zone or else the city's.
//
// Windows: from < to is [from, to) on each listed day; from > to crosses midnight and belongs to
// the day it starts on (days [5], 22:00–06:00 is Friday 22:00 to Saturday 06:00); from == to is
// the whole day. `to` may be 24:00 (end of day).
//
// Hot path: compileSchedule parses once, and zone offsets are cached per half-hour bucket of UTC
// (Math.floor(ts / 1_800_000)), so Intl is asked only when a read falls in a bucket not seen
// lately. Most transitions fall on whole or half hours of UTC, but not all (St. John's and
// Goose Bay switched at 00:01 local until 2011, Casey at 16:01 UTC until 2022): so a bucket
// whose ends disagree is bisected to the second once, and caches the instant of its transition
// too. No zone has had two transitions within half an hour.

import { badInput } from '../errors.js';
import { shownValue } from '../util/shown-value.js';
import { zoneOffsetMs } from './city-time.js';

export interface Schedule {
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  days: number[];
  /** HH:MM, 00:00–23:59. */
  from: string;
  /** HH:MM, 00:00–23:59, or 24:00. */
  to: string;
  /** IANA zone; the city's zone when absent. */
  tz?: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DAY_MINUTES = 1440;

/**
 * Validates a schedule; throws a 400 input error whose message starts with the bad field's path
 * (`body.schedule.days[1]: …`). Returns a fresh object (days copied, in the given order; tz
 * omitted when absent or null).
 */
export function checkSchedule(s: unknown, path: string): Schedule {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) {
    throw badInput(`${path} must be an object {days, from, to, tz?}`);
  }
  const o = s as Record<string, unknown>;
  const days = o.days;
  if (!Array.isArray(days) || days.length === 0) {
    throw badInput(`${path}.days must be a non-empty array of ISO weekdays (1 = Monday … 7 = Sunday)`);
  }
  const seen = new Set<number>();
  days.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 7) {
      throw badInput(`${path}.days[${i}] must be an integer from 1 (Monday) to 7 (Sunday), got ${shownValue(d)}`);
    }
    if (seen.has(d)) throw badInput(`${path}.days[${i}]: day ${d} is listed twice`);
    seen.add(d);
  });
  const from = o.from;
  if (typeof from !== 'string' || !HHMM.test(from)) {
    throw badInput(`${path}.from must be HH:MM from 00:00 to 23:59, got ${shownValue(from)}`);
  }
  const to = o.to;
  if (typeof to !== 'string' || !(HHMM.test(to) || to === '24:00')) {
    throw badInput(`${path}.to must be HH:MM from 00:00 to 23:59, or 24:00, got ${shownValue(to)}`);
  }
  const out: Schedule = { days: [...(days as number[])], from, to };
  const tz = o.tz;
  if (tz !== undefined && tz !== null) {
    if (typeof tz !== 'string' || !isTimeZone(tz)) {
      throw badInput(`${path}.tz must be an IANA time zone such as "Asia/Tashkent", got ${shownValue(tz)}`);
    }
    out.tz = tz;
  }
  return out;
}

function isTimeZone(tz: string): boolean {
  if (tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Is event time tsMs inside the schedule, on the clock of s.tz ?? cityTz? For many calls with
 * the same schedule prefer compileSchedule. A non-finite tsMs is never inside.
 */
export function scheduleActive(s: Schedule, tsMs: number, cityTz: string): boolean {
  return activeAt(dayMask(s.days), minutes(s.from), minutes(s.to), clockFor(s.tz ?? cityTz), tsMs);
}

/** scheduleActive with the schedule parsed once and the zone's clock bound. */
export function compileSchedule(s: Schedule, cityTz: string): (tsMs: number) => boolean {
  const mask = dayMask(s.days);
  const from = minutes(s.from);
  const to = minutes(s.to);
  const clock = clockFor(s.tz ?? cityTz);
  if (from === to && mask === ALL_DAYS) return (tsMs) => Number.isFinite(tsMs);
  return (tsMs) => activeAt(mask, from, to, clock, tsMs);
}

const ALL_DAYS = 0b1111_1110; // bits 1..7

function dayMask(days: readonly number[]): number {
  let mask = 0;
  for (const d of days) {
    if (!Number.isInteger(d) || d < 1 || d > 7) throw new Error(`schedule: bad day ${d}`);
    mask |= 1 << d;
  }
  return mask;
}

/** Minutes since midnight of a checked HH:MM (24:00 → 1440). */
function minutes(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  if (hhmm === '24:00') return DAY_MINUTES;
  throw new Error(`schedule: bad time ${JSON.stringify(hhmm)}`);
}

function activeAt(mask: number, from: number, to: number, clock: ZoneClock, tsMs: number): boolean {
  if (!Number.isFinite(tsMs)) return false;
  const local = tsMs + clock.offset(tsMs);
  const dayIndex = Math.floor(local / DAY_MS); // days since 1970-01-01, a Thursday (ISO 4)
  const minute = Math.floor((local - dayIndex * DAY_MS) / MINUTE_MS);
  const day = ((((dayIndex + 3) % 7) + 7) % 7) + 1;
  if (from === to) return (mask & (1 << day)) !== 0;
  if (from < to) return (mask & (1 << day)) !== 0 && minute >= from && minute < to;
  // Crosses midnight: the evening part belongs to today, the morning part to yesterday.
  if (minute >= from) return (mask & (1 << day)) !== 0;
  if (minute < to) return (mask & (1 << (day === 1 ? 7 : day - 1))) !== 0;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Zone offsets, cached per half hour of UTC in a small direct-mapped table per zone.

const BUCKET_MS = 1_800_000;
const SLOTS = 1024; // 1024 half hours ≈ 21 days of distinct buckets resident at once

class ZoneClock {
  private readonly keys = new Float64Array(SLOTS).fill(NaN);
  /** Offset before `cut`, offset from `cut` on, and the transition instant (Infinity: none). */
  private readonly before = new Float64Array(SLOTS);
  private readonly after = new Float64Array(SLOTS);
  private readonly cut = new Float64Array(SLOTS);

  constructor(readonly timeZone: string) {}

  /** Offset from UTC at tsMs, in ms (Tashkent: 18,000,000). */
  offset(tsMs: number): number {
    const bucket = Math.floor(tsMs / BUCKET_MS);
    const slot = bucket & (SLOTS - 1);
    if (this.keys[slot] !== bucket) this.fill(slot, bucket);
    return tsMs < this.cut[slot] ? this.before[slot] : this.after[slot];
  }

  private fill(slot: number, bucket: number): void {
    // zoneOffsetMs reads whole seconds, and transitions fall on whole seconds.
    const start = bucket * BUCKET_MS;
    const first = zoneOffsetMs(this.timeZone, start);
    const last = zoneOffsetMs(this.timeZone, start + BUCKET_MS - 1000);
    let cut = Infinity;
    if (first !== last) {
      let lo = start; // offset(lo) === first
      let hi = start + BUCKET_MS - 1000; // offset(hi) !== first
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (zoneOffsetMs(this.timeZone, mid) === first) lo = mid;
        else hi = mid;
      }
      cut = hi;
    }
    this.keys[slot] = bucket;
    this.before[slot] = first;
    this.after[slot] = last;
    this.cut[slot] = cut;
  }
}

const clocks = new Map<string, ZoneClock>(); // by the name as given, and by canonical name

function clockFor(timeZone: string): ZoneClock {
  let clock = clocks.get(timeZone);
  if (!clock) {
    let canonical: string;
    try {
      canonical = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    } catch {
      throw new Error(`schedule: unknown time zone ${JSON.stringify(timeZone)}`);
    }
    clock = clocks.get(canonical) ?? new ZoneClock(canonical);
    clocks.set(canonical, clock);
    clocks.set(timeZone, clock);
  }
  return clock;
}
