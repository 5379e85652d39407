// Instants as analysts write them (ISO 8601), read on the city's clock.

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** Offset of `timeZone` from UTC at `utcMs`, in ms (Tashkent: +5 h). */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * Epoch ms of an ISO 8601 instant. A date alone means that day's midnight in the city;
 * a time must carry its zone (Z or ±hh:mm), since "10:00" alone is ambiguous.
 * Returns null when the text is not such an instant (or is before 1970).
 */
export function parseInstant(text: string, timeZone: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m;
  // Nothing vigil stores predates the Unix epoch; Date.UTC would also read year 50 as 1950.
  if (Number(y) < 1970) return null;
  const utcMidnight = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const day = new Date(utcMidnight);
  // Date.UTC rolls impossible days over (Feb 30 → Mar 2): refuse them instead.
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return null;
  if (h === undefined) return startOfLocalDay(utcMidnight, timeZone);
  if (Number(h) > 23 || Number(mi) > 59) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** First instant whose wall-clock date in `timeZone` is the day whose UTC midnight is given. */
function startOfLocalDay(utcMidnight: number, timeZone: string): number {
  const wall = (t: number) => t + zoneOffsetMs(timeZone, t);
  let t = utcMidnight - zoneOffsetMs(timeZone, utcMidnight);
  t = utcMidnight - zoneOffsetMs(timeZone, t);
  // Clock jumped over midnight (day starts at 01:00): move forward to the jump.
  if (wall(t) < utcMidnight) t += utcMidnight - wall(t);
  // Midnight happens twice (clock set back at 01:00): the day began at the first one.
  const hourEarlier = t - 3_600_000;
  if (wall(hourEarlier) >= utcMidnight) t = hourEarlier;
  return t;
}
