// The simulated city's clock and rhythms: hour of week in Tashkent, weekly means, pacing.

import { describe, expect, it } from 'vitest';
import { DueTimes, Pacer, SimClock } from '../../engine/sim/pace.js';
import { CITY_UTC_OFFSET_MS, hourOfWeek, INCIDENT_RHYTHM, READ_RHYTHM } from '../../engine/sim/rhythm.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2 March 2026, 00:00 in Tashkent. */
const MONDAY = Date.UTC(2026, 2, 2) - CITY_UTC_OFFSET_MS;

describe('rhythm and the simulated clock', () => {
  it('reads the city’s clock: hour of week from Monday 00:00 in Tashkent', () => {
    expect(hourOfWeek(MONDAY)).toBe(0);
    expect(hourOfWeek(MONDAY - 1)).toBe(167);
    expect(hourOfWeek(MONDAY + 8 * HOUR + 59 * 60_000)).toBe(8);
    expect(hourOfWeek(MONDAY + 5 * DAY + 3 * HOUR)).toBe(5 * 24 + 3);
  });

  it('keeps the weekly mean at 1 and integrates exactly', () => {
    for (const rhythm of [READ_RHYTHM, INCIDENT_RHYTHM]) {
      expect(rhythm.integral(MONDAY, MONDAY + 7 * DAY)).toBeCloseTo(7 * DAY, -1);
      expect(rhythm.integral(MONDAY + 3 * HOUR, MONDAY + 10 * DAY + 3 * HOUR)).toBeCloseTo(
        rhythm.integral(MONDAY + 3 * HOUR, MONDAY + 3 * DAY + 3 * HOUR) + 7 * DAY,
        -1,
      );
      // The integral's slope is the rate.
      const t = MONDAY + 8.5 * HOUR;
      expect(rhythm.integral(t, t + 1000) / 1000).toBeCloseTo(rhythm.at(t), 4);
    }
    expect(READ_RHYTHM.at(MONDAY + 8 * HOUR)).toBeGreaterThan(5 * READ_RHYTHM.at(MONDAY + 3 * HOUR));
    // Weekends start later: Saturday 08:00 is quieter than Monday 08:00.
    expect(READ_RHYTHM.at(MONDAY + 5 * DAY + 8 * HOUR)).toBeLessThan(READ_RHYTHM.at(MONDAY + 8 * HOUR));
  });

  it('runs the simulated clock N× faster until it reaches the present, then in real time', () => {
    const real = Date.UTC(2026, 2, 10);
    const clock = new SimClock(real, real - DAY, 3600);
    expect(clock.at(real)).toBe(real - DAY);
    expect(clock.at(real + 1000)).toBe(real - DAY + HOUR);
    // A day behind at 3600×: caught up after 86,400,000 / 3599 ≈ 24,007 ms.
    expect(clock.at(real + 24_000)).toBe(real);
    expect(clock.at(real + 25_000)).toBe(real + 25_000);
    expect(clock.at(real + 60_000)).toBe(real + 60_000);
    expect(() => new SimClock(real, real + 1, 1)).toThrow(/future/);
    expect(() => new SimClock(real, real, 0.5)).toThrow(/speed/);
  });

  it('paces more reads at 08:00 than at 03:00 on the simulated clock, with the rate as the weekly mean', () => {
    const real = Date.UTC(2026, 2, 20);
    // One real second is one simulated hour: a week in 168 s.
    const clock = new SimClock(real, MONDAY, 3600);
    const pacer = new Pacer(100, READ_RHYTHM, clock);
    const perHour = new Array<number>(168).fill(0);
    let sent = 0;
    for (let t = real + 50; t <= real + 168_000; t += 50) {
      const owed = pacer.advance(t) - sent;
      perHour[hourOfWeek(clock.at(t) - 1)] += owed;
      sent += owed;
    }
    expect(Math.abs(sent - 100 * 168)).toBeLessThanOrEqual(1);
    for (let day = 0; day < 7; day++) expect(perHour[day * 24 + 8], `day ${day}`).toBeGreaterThan(2 * perHour[day * 24 + 3]);
    // Weekday rush hour above the weekly mean, the small hours far below it.
    expect(perHour[8]).toBeGreaterThan(150);
    expect(perHour[3]).toBeLessThan(30);
  });

  it('stamps a backlog sent late with the times it fell due, not the time it is sent', () => {
    const due = new DueTimes(0);
    due.record(10, 1000); // 10 owed in (0, 1000]
    due.record(10, 2000); // none in the next tick
    due.record(14, 3000); // 4 in (2000, 3000]
    // All 14 sent at once, at the end (a publisher behind by two ticks).
    const stamps = Array.from({ length: 14 }, (_, n) => due.at(n));
    expect(stamps.slice(0, 10)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(stamps.slice(10)).toEqual([2250, 2500, 2750, 3000]);
    expect(() => due.at(14)).toThrow(/not owed yet/);
    // A publisher that keeps up gets the same stamps tick by tick.
    const live = new DueTimes(0);
    live.record(10, 1000);
    expect(Array.from({ length: 10 }, (_, n) => live.at(n))).toEqual(stamps.slice(0, 10));
  });
});
