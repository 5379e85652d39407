// An expiry picked as a date means the start of that day on the city's clock (as the API reads a
// date alone), whatever zone the admin's browser is in. Sent as an instant (ISO with Z), so
// nothing depends on the engine and the page agreeing how to read a bare date.

const formats = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time of `ms` in `timeZone`, read as if it were UTC. */
function wallAsUtc(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of wallClock(timeZone).formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

const DAY_MS = 86_400_000;

/**
 * The instant `date` (YYYY-MM-DD) begins in `timeZone`, as an ISO string; null when `date` is
 * not a calendar date. Where a clock change skips midnight, the day begins when it does.
 */
export function startOfCityDay(date: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const midnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(midnight);
  if (back.getUTCFullYear() !== Number(m[1]) || back.getUTCMonth() !== Number(m[2]) - 1 || back.getUTCDate() !== Number(m[3])) {
    return null;
  }
  // The offsets on either side of the day: one of them is the zone's at its midnight.
  const offsets = [midnight - DAY_MS, midnight + DAY_MS].map((t) => wallAsUtc(t, timeZone) - t);
  const exact = offsets.map((o) => midnight - o).filter((t) => wallAsUtc(t, timeZone) === midnight);
  // No instant reads midnight (a gap at 00:00): the day starts at the change, midnight on the old offset.
  const start = exact.length > 0 ? Math.min(...exact) : midnight - offsets[0];
  return new Date(start).toISOString();
}

/** Today's date (YYYY-MM-DD) on the city's clock. */
export function cityToday(now: number, timeZone: string): string {
  return new Date(wallAsUtc(now, timeZone)).toISOString().slice(0, 10);
}
