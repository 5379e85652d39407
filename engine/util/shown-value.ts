// A value from a request, as an error message shows it: short, and never by walking it whole.
// (JSON.stringify of a value nested 10,000 deep throws; of a huge one, floods the message.)

const MAX_TEXT = 40;

export function shownValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > MAX_TEXT ? `${v.slice(0, MAX_TEXT)}…` : v);
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}
