// engine/domain/city-time.ts: ISO 8601 instants read on the city's clock.

import { describe, expect, it } from 'vitest';
import { parseInstant, zoneOffsetMs } from '../../engine/domain/city-time.js';

const TZ = 'Asia/Tashkent';
const H = 3600 * 1000;

describe('parseInstant: a date alone', () => {
  it('is midnight in Asia/Tashkent, 19:00Z the day before', () => {
    expect(parseInstant('2026-03-01', TZ)).toBe(Date.UTC(2026, 1, 28, 19, 0, 0));
    expect(parseInstant('2026-01-01', TZ)).toBe(Date.UTC(2025, 11, 31, 19, 0, 0));
  });

  it('is midnight in the zone it is given', () => {
    expect(parseInstant('2026-03-01', 'UTC')).toBe(Date.UTC(2026, 2, 1));
    expect(parseInstant('2026-01-15', 'Europe/Berlin')).toBe(Date.UTC(2026, 0, 14, 23));
    expect(parseInstant('2026-07-15', 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 14, 22));
    expect(parseInstant('2026-07-15', 'America/New_York')).toBe(Date.UTC(2026, 6, 15, 4));
  });

  it('is right on the days a zone changes its clock away from midnight', () => {
    // Berlin: 2026-03-29 02:00 → 03:00 and 2026-10-25 03:00 → 02:00; midnight is unaffected.
    expect(parseInstant('2026-03-29', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 28, 23));
    expect(parseInstant('2026-03-30', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 22));
    expect(parseInstant('2026-10-25', 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 24, 22));
    expect(parseInstant('2026-10-26', 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 25, 23));
  });

  it('is the first instant of the day when the clock jumps over midnight', () => {
    // São Paulo, 2018-11-04: 00:00 (−03) jumped to 01:00 (−02); the day began at 03:00Z.
    // 02:00Z would be 23:00 of 3 November.
    expect(parseInstant('2018-11-04', 'America/Sao_Paulo')).toBe(Date.UTC(2018, 10, 4, 3));
  });

  it('is the first midnight when the clock goes back over midnight', () => {
    // São Paulo, 2019-02-17: 00:00 (−02) went back to 23:00 (−03) of the 16th; the 17th's only
    // midnight is at −03.
    expect(parseInstant('2019-02-17', 'America/Sao_Paulo')).toBe(Date.UTC(2019, 1, 17, 3));
  });

  it('accepts 29 February of a leap year only', () => {
    expect(parseInstant('2024-02-29', TZ)).toBe(Date.UTC(2024, 1, 28, 19));
    expect(parseInstant('2026-02-29', TZ)).toBeNull();
  });

  it('refuses invalid dates', () => {
    for (const text of ['2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-01-32'])
      expect(parseInstant(text, TZ), text).toBeNull();
  });
});

describe('parseInstant: a date and time', () => {
  it('reads Z', () => {
    expect(parseInstant('2026-03-01T10:00:00Z', TZ)).toBe(Date.UTC(2026, 2, 1, 10));
    expect(parseInstant('2026-03-01T10:00Z', TZ)).toBe(Date.UTC(2026, 2, 1, 10));
    expect(parseInstant('2026-03-01T10:00:00.250Z', TZ)).toBe(Date.UTC(2026, 2, 1, 10, 0, 0, 250));
  });

  it('reads +05:00 and other offsets', () => {
    expect(parseInstant('2026-03-01T10:00:00+05:00', TZ)).toBe(Date.UTC(2026, 2, 1, 5));
    expect(parseInstant('2026-03-01T00:00:00+05:00', TZ)).toBe(parseInstant('2026-03-01', TZ));
    expect(parseInstant('2026-03-01T10:00:00-03:30', TZ)).toBe(Date.UTC(2026, 2, 1, 13, 30));
  });

  it('does not depend on the city’s zone when the text carries one', () => {
    expect(parseInstant('2026-03-01T10:00:00Z', 'America/New_York')).toBe(Date.UTC(2026, 2, 1, 10));
  });

  it('refuses a time without a zone', () => {
    expect(parseInstant('2026-03-01T10:00', TZ)).toBeNull();
    expect(parseInstant('2026-03-01T10:00:00', TZ)).toBeNull();
    expect(parseInstant('2026-03-01T10:00:00.000', TZ)).toBeNull();
  });

  it('refuses hours and minutes out of range', () => {
    for (const text of ['2026-03-01T24:00Z', '2026-03-01T10:60Z', '2026-03-01T10:00:60Z']) expect(parseInstant(text, TZ), text).toBeNull();
  });

  it('refuses a date-time on a day that does not exist', () => {
    // Date.parse rolls 30 February over to 2 March; the date must be checked as for a date alone.
    for (const text of ['2026-02-30T10:00:00Z', '2026-04-31T00:00Z', '2026-02-29T12:00:00+05:00'])
      expect(parseInstant(text, TZ), text).toBeNull();
  });

  it('refuses a month 13 with a time', () => {
    expect(parseInstant('2026-13-01T10:00:00Z', TZ)).toBeNull();
  });
});

describe('parseInstant: before 1970', () => {
  it('refuses years before the Unix epoch, with or without a time', () => {
    expect(parseInstant('1969-12-31', 'UTC')).toBeNull();
    expect(parseInstant('0050-01-01', 'UTC')).toBeNull();
    expect(parseInstant('1969-12-31T23:59:59Z', 'UTC')).toBeNull();
    expect(parseInstant('1970-01-01T00:00:00Z', 'UTC')).toBe(0);
  });
});

describe('parseInstant: not an instant', () => {
  it('refuses other text', () => {
    for (const text of [
      '',
      'yesterday',
      '1772359200000',
      '2026-3-1',
      '26-03-01',
      '2026/03/01',
      '2026-03-01 10:00Z',
      ' 2026-03-01',
      '2026-03-01T10Z',
    ])
      expect(parseInstant(text, TZ), JSON.stringify(text)).toBeNull();
  });
});

describe('zoneOffsetMs', () => {
  it('is +5 h for Asia/Tashkent, summer and winter', () => {
    expect(zoneOffsetMs(TZ, Date.UTC(2026, 0, 15, 12))).toBe(5 * H);
    expect(zoneOffsetMs(TZ, Date.UTC(2026, 6, 15, 12))).toBe(5 * H);
  });

  it('follows daylight saving time in Europe/Berlin', () => {
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2026, 0, 15, 12))).toBe(1 * H);
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2026, 6, 15, 12))).toBe(2 * H);
  });

  it('changes at the exact instant of the switch', () => {
    // 2026-03-29 01:00Z: 02:00 CET becomes 03:00 CEST.
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2026, 2, 29, 0, 59, 59))).toBe(1 * H);
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2026, 2, 29, 1, 0, 0))).toBe(2 * H);
  });

  it('is negative west of Greenwich and 0 for UTC', () => {
    expect(zoneOffsetMs('America/New_York', Date.UTC(2026, 0, 15))).toBe(-5 * H);
    expect(zoneOffsetMs('UTC', Date.UTC(2026, 0, 15))).toBe(0);
  });

  it('handles half-hour zones and ignores the milliseconds of the instant', () => {
    expect(zoneOffsetMs('Asia/Kolkata', Date.UTC(2026, 0, 15, 12, 0, 0, 999))).toBe(5.5 * H);
    expect(zoneOffsetMs('Asia/Kathmandu', Date.UTC(2026, 0, 15, 12, 0, 0, 1))).toBe(5.75 * H);
  });
});
