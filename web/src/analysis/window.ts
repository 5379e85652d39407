// The analysis window as the analyst picks it: whole days on the city's clock, both ends
// included. The API reads a date alone as midnight on the city's clock, so the window ends at
// the midnight after the last day.

export interface AnalysisWindow {
  /** First day, `YYYY-MM-DD` on the city's clock. */
  from: string;
  /** Last day, included. */
  to: string;
  /** Incident type, or '' for all. */
  type: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isDate(text: string): boolean {
  return DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

/** The calendar day of `ms` on the clock of `timeZone`. */
export function cityDate(ms: number, timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** `date` plus `days` calendar days (a date has no zone: plain UTC arithmetic is exact). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The last `days` days up to and including today on the city's clock. */
export function lastDays(days: number, timeZone: string, now = Date.now()): AnalysisWindow {
  const to = cityDate(now, timeZone);
  return { from: addDays(to, -(days - 1)), to, type: '' };
}

/** What is wrong with the window, or null: the dates are checked before anything is asked. */
export function windowProblem(w: AnalysisWindow): string | null {
  if (!isDate(w.from) || !isDate(w.to)) return 'Choose a first and a last day.';
  if (w.from > w.to) return 'The first day must not be after the last day.';
  return null;
}

/** The query parameters of the window: `from`, `to` (the midnight after the last day), `type`. */
export function windowParams(w: AnalysisWindow): URLSearchParams {
  const q = new URLSearchParams({ from: w.from, to: addDays(w.to, 1) });
  if (w.type !== '') q.set('type', w.type);
  return q;
}

/** `path?window&extra`, the extra parameters after the window's. */
export function analyticsUrl(path: string, w: AnalysisWindow, extra: Record<string, string> = {}): string {
  const q = windowParams(w);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return `${path}?${q}`;
}
