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
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (h === undefined) {
    const utcMidnight = Date.UTC(Number(y), month - 1, day);
    if (new Date(utcMidnight).getUTCDate() !== day) return null;
    // Two passes settle the offset even on a day the zone changes its clock.
    let t = utcMidnight - zoneOffsetMs(timeZone, utcMidnight);
    t = utcMidnight - zoneOffsetMs(timeZone, t);
    return t;
  }
  if (Number(h) > 23 || Number(mi) > 59) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
