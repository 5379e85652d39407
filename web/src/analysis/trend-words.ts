// The Mann–Kendall result in words, as an analyst would say it in a briefing: which way, whether
// significant, and the numbers behind it.

/** The API's `mannKendall`: the test, or a note when the series is too short. */
export type MannKendall = { tau: number; p: number; s?: number; z?: number } | { note: string };

/** `p = 0.003`, or `p < 0.001` (three decimals would print a small p as 0.000). */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'p = –';
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** The p-value alone, for a table cell: `0.003`, `< 0.001`. */
export function pText(p: number): string {
  return formatP(p).replace(/^p = /, '').replace(/^p < /, '< ');
}

export function mannKendallWords(mk: MannKendall | null | undefined, subject = 'Incidents', alpha = 0.05): string {
  if (!mk) return 'No trend test: no incidents in the window.';
  if ('note' in mk) return `No trend test: ${mk.note}.`;
  const numbers = `Kendall's τ = ${mk.tau.toFixed(2)}, ${formatP(mk.p)}`;
  if (mk.p < alpha && mk.tau !== 0) return `${subject} ${mk.tau > 0 ? 'rose' : 'fell'} significantly: ${numbers}`;
  return `${subject}: no significant trend (${numbers})`;
}
