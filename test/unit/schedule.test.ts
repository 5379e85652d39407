// engine/domain/schedule: geofence time windows on the city's clock or the schedule's own zone,
// night windows that belong to the day they start on, DST, the offset cache against Intl, and
// the messages of checkSchedule.

import { describe, expect, it } from 'vitest';
import { checkSchedule, compileSchedule, scheduleActive, type Schedule } from '../../engine/domain/schedule.js';
import { thrownMessage } from '../helpers/thrown.js';

const TASHKENT = 'Asia/Tashkent'; // UTC+5, no DST
const utc = (iso: string) => Date.parse(iso);

const message = thrownMessage;

/** Both entry points agree, and give the answer. */
function active(s: Schedule, iso: string, cityTz = TASHKENT): boolean {
  const ts = utc(iso);
  const a = scheduleActive(s, ts, cityTz);
  expect(compileSchedule(s, cityTz)(ts), `compiled vs direct at ${iso}`).toBe(a);
  return a;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Reference: weekday and wall clock from Intl for every call, no offsets cached. */
function reference(s: Schedule, ts: number, cityTz: string): boolean {
  const timeZone = s.tz ?? cityTz;
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(ts));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  const m = Number(get('hour')) * 60 + Number(get('minute'));
  const hm = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  const from = hm(s.from);
  const to = hm(s.to);
  const prev = day === 1 ? 7 : day - 1;
  if (from === to) return s.days.includes(day);
  if (from < to) return s.days.includes(day) && m >= from && m < to;
  return (m >= from && s.days.includes(day)) || (m < to && s.days.includes(prev));
}

describe('scheduleActive on the city clock (Tashkent, UTC+5)', () => {
  // 2025-03-03 is a Monday.
  const weekday: Schedule = { days: [1], from: '08:00', to: '18:00' };

  it('Monday 08:00–18:00 local is [03:00Z, 13:00Z)', () => {
    expect(active(weekday, '2025-03-03T02:59:00Z')).toBe(false);
    expect(active(weekday, '2025-03-03T02:59:59.999Z')).toBe(false);
    expect(active(weekday, '2025-03-03T03:00:00Z')).toBe(true);
    expect(active(weekday, '2025-03-03T12:59:00Z')).toBe(true);
    expect(active(weekday, '2025-03-03T12:59:59.999Z')).toBe(true);
    expect(active(weekday, '2025-03-03T13:00:00Z')).toBe(false);
  });

  it('only on the listed weekdays', () => {
    expect(active(weekday, '2025-03-04T08:00:00Z')).toBe(false); // Tuesday 13:00
    expect(active(weekday, '2025-03-02T08:00:00Z')).toBe(false); // Sunday 13:00
    expect(active(weekday, '2025-03-10T08:00:00Z')).toBe(true); // next Monday
    expect(active({ ...weekday, days: [1, 2, 3, 4, 5] }, '2025-03-07T08:00:00Z')).toBe(true); // Friday
    expect(active({ ...weekday, days: [1, 2, 3, 4, 5] }, '2025-03-08T08:00:00Z')).toBe(false); // Saturday
  });

  it('the local date decides the weekday, not the UTC date', () => {
    // Monday 00:30 local is Sunday 19:30Z.
    const early: Schedule = { days: [1], from: '00:00', to: '01:00' };
    expect(active(early, '2025-03-02T19:30:00Z')).toBe(true);
    expect(active(early, '2025-03-03T00:30:00Z')).toBe(false); // Monday 05:30 local
  });

  it('a night window belongs to the day it starts on (Friday 22:00 → Saturday 06:00)', () => {
    const night: Schedule = { days: [5], from: '22:00', to: '06:00' }; // 2025-03-07 is a Friday
    expect(active(night, '2025-03-07T18:00:00Z')).toBe(true); // Friday 23:00 local
    expect(active(night, '2025-03-08T00:00:00Z')).toBe(true); // Saturday 05:00 local
    expect(active(night, '2025-03-08T18:00:00Z')).toBe(false); // Saturday 23:00 local
    expect(active(night, '2025-03-07T00:00:00Z')).toBe(false); // Friday 05:00 local
    // Edges: [22:00, 06:00).
    expect(active(night, '2025-03-07T16:59:00Z')).toBe(false); // Friday 21:59
    expect(active(night, '2025-03-07T17:00:00Z')).toBe(true); // Friday 22:00
    expect(active(night, '2025-03-08T00:59:00Z')).toBe(true); // Saturday 05:59
    expect(active(night, '2025-03-08T01:00:00Z')).toBe(false); // Saturday 06:00
    expect(active(night, '2025-03-07T12:00:00Z')).toBe(false); // Friday 17:00
  });

  it('a Sunday night window runs into Monday morning; a Monday one does not cover Monday morning', () => {
    // 2025-03-09 is a Sunday; Monday 05:00 local is 2025-03-10T00:00Z.
    expect(active({ days: [7], from: '22:00', to: '06:00' }, '2025-03-10T00:00:00Z')).toBe(true);
    expect(active({ days: [1], from: '22:00', to: '06:00' }, '2025-03-10T00:00:00Z')).toBe(false);
    expect(active({ days: [1], from: '22:00', to: '06:00' }, '2025-03-10T18:00:00Z')).toBe(true); // Monday 23:00
  });

  it('from == to is the whole of each listed day', () => {
    const allDay: Schedule = { days: [6], from: '09:00', to: '09:00' }; // Saturday
    expect(active(allDay, '2025-03-07T18:59:59Z')).toBe(false); // Friday 23:59:59
    expect(active(allDay, '2025-03-07T19:00:00Z')).toBe(true); // Saturday 00:00
    expect(active(allDay, '2025-03-08T03:59:00Z')).toBe(true); // Saturday 08:59
    expect(active(allDay, '2025-03-08T18:59:59Z')).toBe(true); // Saturday 23:59:59
    expect(active(allDay, '2025-03-08T19:00:00Z')).toBe(false); // Sunday 00:00
    const always: Schedule = { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '00:00' };
    expect(active(always, '2025-03-05T11:11:00Z')).toBe(true);
    expect(scheduleActive(always, NaN, TASHKENT)).toBe(false);
    expect(compileSchedule(always, TASHKENT)(NaN)).toBe(false);
  });

  it('to 24:00 is the end of the day', () => {
    const evening: Schedule = { days: [1], from: '20:00', to: '24:00' };
    expect(active(evening, '2025-03-03T14:59:00Z')).toBe(false); // Monday 19:59
    expect(active(evening, '2025-03-03T15:00:00Z')).toBe(true); // Monday 20:00
    expect(active(evening, '2025-03-03T18:59:59Z')).toBe(true); // Monday 23:59:59
    expect(active(evening, '2025-03-03T19:00:00Z')).toBe(false); // Tuesday 00:00
    expect(active({ days: [1], from: '00:00', to: '24:00' }, '2025-03-03T18:59:59Z')).toBe(true);
  });

  it('uses the city zone it is given when the schedule has none', () => {
    const s: Schedule = { days: [1], from: '08:00', to: '09:00' };
    // Monday 2025-03-03 03:30Z: 08:30 in Tashkent, 03:30 in UTC, 22:30 Sunday in New York.
    expect(active(s, '2025-03-03T03:30:00Z', TASHKENT)).toBe(true);
    expect(active(s, '2025-03-03T03:30:00Z', 'UTC')).toBe(false);
    expect(active(s, '2025-03-03T08:30:00Z', 'UTC')).toBe(true);
    expect(active(s, '2025-03-03T13:30:00Z', 'America/New_York')).toBe(true); // EST, UTC-5
  });
});

describe('a schedule with its own zone (Europe/Berlin across DST)', () => {
  const morning: Schedule = { days: [1, 2, 3, 4, 5, 6, 7], from: '08:00', to: '09:00', tz: 'Europe/Berlin' };

  it('its own tz overrides the city zone, and follows CET → CEST', () => {
    // Friday 2025-03-28, CET (UTC+1): 08:00–09:00 local is 07:00–08:00Z.
    expect(active(morning, '2025-03-28T06:59:00Z')).toBe(false);
    expect(active(morning, '2025-03-28T07:00:00Z')).toBe(true);
    expect(active(morning, '2025-03-28T07:59:00Z')).toBe(true);
    expect(active(morning, '2025-03-28T08:00:00Z')).toBe(false);
    // Sunday 2025-03-30 the clocks go 02:00 → 03:00; from then 08:00–09:00 is 06:00–07:00Z.
    expect(active(morning, '2025-03-30T05:59:00Z')).toBe(false);
    expect(active(morning, '2025-03-30T06:00:00Z')).toBe(true);
    expect(active(morning, '2025-03-30T06:59:00Z')).toBe(true);
    expect(active(morning, '2025-03-30T07:00:00Z')).toBe(false);
    expect(active(morning, '2025-03-31T06:30:00Z')).toBe(true);
    expect(active(morning, '2025-03-31T07:30:00Z')).toBe(false);
  });

  it('follows CEST → CET in October', () => {
    // Sunday 2025-10-26 03:00 CEST → 02:00 CET at 01:00Z.
    expect(active(morning, '2025-10-25T06:30:00Z')).toBe(true); // Saturday 08:30 CEST
    expect(active(morning, '2025-10-26T06:30:00Z')).toBe(false); // Sunday 07:30 CET
    expect(active(morning, '2025-10-26T07:30:00Z')).toBe(true); // Sunday 08:30 CET
  });

  it('the skipped hour never happens; the repeated hour happens twice', () => {
    const night: Schedule = { days: [7], from: '02:00', to: '03:00', tz: 'Europe/Berlin' };
    expect(active(night, '2025-03-30T00:59:59Z')).toBe(false); // 01:59:59 CET
    expect(active(night, '2025-03-30T01:00:00Z')).toBe(false); // 03:00 CEST
    expect(active(night, '2025-10-26T00:00:00Z')).toBe(true); // 02:00 CEST
    expect(active(night, '2025-10-26T00:59:00Z')).toBe(true); // 02:59 CEST
    expect(active(night, '2025-10-26T01:00:00Z')).toBe(true); // 02:00 CET, again
    expect(active(night, '2025-10-26T01:59:00Z')).toBe(true); // 02:59 CET
    expect(active(night, '2025-10-26T02:00:00Z')).toBe(false); // 03:00 CET
  });
});

describe('the offset cache agrees with Intl asked afresh', () => {
  const cases: { tz: string; around: string }[] = [
    { tz: 'Europe/Berlin', around: '2025-03-30T01:00:00Z' },
    { tz: 'Europe/Berlin', around: '2025-10-26T01:00:00Z' },
    { tz: 'Australia/Lord_Howe', around: '2025-04-05T15:00:00Z' }, // 30-minute DST shift
    { tz: 'Asia/Kathmandu', around: '2025-06-01T00:00:00Z' }, // UTC+5:45
    // St. John's switched at 00:01 local: 03:31Z, not on a half hour of UTC.
    { tz: 'America/St_Johns', around: '2010-03-14T03:31:00Z' },
    { tz: 'America/St_Johns', around: '2010-11-07T02:31:00Z' },
  ];
  for (const { tz, around } of cases) {
    it(`${tz} around ${around}, every 20 s for ±3 h`, () => {
      const t0 = utc(around);
      // Windows with edges near the transitions, and a night window.
      const windows: Schedule[] = [
        { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '01:01', tz },
        { days: [6, 7], from: '01:00', to: '02:30', tz },
        { days: [3, 7], from: '02:00', to: '03:00', tz },
        { days: [6], from: '23:30', to: '02:45', tz },
        { days: [2, 7], from: '05:45', to: '06:00', tz },
      ];
      const compiled = windows.map((s) => compileSchedule(s, TASHKENT));
      let mismatches = 0;
      let hits = 0;
      for (let ts = t0 - 3 * 3_600_000; ts <= t0 + 3 * 3_600_000; ts += 20_000) {
        windows.forEach((s, i) => {
          const want = reference(s, ts, TASHKENT);
          if (compiled[i](ts) !== want || scheduleActive(s, ts, TASHKENT) !== want) mismatches++;
          if (want) hits++;
        });
      }
      expect(mismatches).toBe(0);
      expect(hits).toBeGreaterThan(0);
    });
  }

  it('random instants 2000–2040 in several zones', () => {
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const zones = ['Asia/Tashkent', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/St_Johns', 'Asia/Kolkata'];
    const lo = utc('2000-01-01T00:00:00Z');
    const hi = utc('2040-01-01T00:00:00Z');
    for (let k = 0; k < 3000; k++) {
      const tz = zones[k % zones.length];
      const s: Schedule = {
        days: [1 + (k % 7), 1 + ((k * 3) % 7)].filter((d, i, a) => a.indexOf(d) === i),
        from: '21:15',
        to: '03:30',
        tz,
      };
      const ts = Math.floor(lo + rnd() * (hi - lo));
      expect(scheduleActive(s, ts, 'UTC'), `${tz} ${new Date(ts).toISOString()}`).toBe(reference(s, ts, 'UTC'));
    }
  });
});

describe('checkSchedule', () => {
  const ok = { days: [1, 5], from: '08:00', to: '18:30' };

  it('returns a fresh, checked schedule', () => {
    const s = checkSchedule({ ...ok, tz: 'Europe/Berlin', extra: 1 }, 'body.schedule');
    expect(s).toEqual({ days: [1, 5], from: '08:00', to: '18:30', tz: 'Europe/Berlin' });
    expect(checkSchedule(ok, 'body.schedule')).toEqual(ok);
    expect(checkSchedule({ ...ok, tz: null }, 'body.schedule')).toEqual(ok);
    expect(checkSchedule({ days: [7], from: '00:00', to: '24:00' }, 's').to).toBe('24:00');
    expect(checkSchedule({ days: [7], from: '23:59', to: '23:59' }, 's').from).toBe('23:59');
  });

  it('names the bad field', () => {
    const p = 'body.schedule';
    expect(message(() => checkSchedule(null, p))).toBe('body.schedule must be an object {days, from, to, tz?}');
    expect(message(() => checkSchedule([], p))).toMatch(/^body\.schedule must be an object/);
    expect(message(() => checkSchedule({ ...ok, days: [] }, p))).toMatch(/^body\.schedule\.days must be a non-empty array/);
    expect(message(() => checkSchedule({ ...ok, days: 1 }, p))).toMatch(/^body\.schedule\.days must be a non-empty array/);
    expect(message(() => checkSchedule({ ...ok, days: undefined }, p))).toMatch(/^body\.schedule\.days /);
    expect(message(() => checkSchedule({ ...ok, days: [1, 8] }, p))).toBe(
      'body.schedule.days[1] must be an integer from 1 (Monday) to 7 (Sunday), got 8',
    );
    expect(message(() => checkSchedule({ ...ok, days: [0] }, p))).toMatch(/^body\.schedule\.days\[0\] .*got 0$/);
    expect(message(() => checkSchedule({ ...ok, days: [1.5] }, p))).toMatch(/^body\.schedule\.days\[0\] /);
    expect(message(() => checkSchedule({ ...ok, days: ['1'] }, p))).toMatch(/^body\.schedule\.days\[0\] .*got "1"$/);
    expect(message(() => checkSchedule({ ...ok, days: [2, 3, 2] }, p))).toBe('body.schedule.days[2]: day 2 is listed twice');
    expect(message(() => checkSchedule({ ...ok, from: '24:00' }, p))).toBe(
      'body.schedule.from must be HH:MM from 00:00 to 23:59, got "24:00"',
    );
    for (const bad of ['8:00', '08:60', '25:00', '08:00:00', ' 08:00', '', 800]) {
      expect(message(() => checkSchedule({ ...ok, from: bad }, p))).toMatch(/^body\.schedule\.from must be HH:MM/);
      expect(message(() => checkSchedule({ ...ok, to: bad }, p))).toMatch(/^body\.schedule\.to must be HH:MM/);
    }
    expect(message(() => checkSchedule({ ...ok, to: '24:01' }, p))).toBe(
      'body.schedule.to must be HH:MM from 00:00 to 23:59, or 24:00, got "24:01"',
    );
    expect(message(() => checkSchedule({ days: [1], to: '10:00' }, p))).toBe(
      'body.schedule.from must be HH:MM from 00:00 to 23:59, got nothing',
    );
    expect(message(() => checkSchedule({ ...ok, tz: 'Mars/Olympus_Mons' }, p))).toBe(
      'body.schedule.tz must be an IANA time zone such as "Asia/Tashkent", got "Mars/Olympus_Mons"',
    );
    expect(message(() => checkSchedule({ ...ok, tz: '' }, p))).toMatch(/^body\.schedule\.tz /);
    expect(message(() => checkSchedule({ ...ok, tz: 5 }, p))).toMatch(/^body\.schedule\.tz .*got 5$/);
  });
});
