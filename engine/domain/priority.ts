// Hit priorities (0–100) in the bands dispatch works in; they label the hit metrics, so a
// handful of values, never the number itself.

export function priorityBand(p: number): string {
  return p >= 90 ? '90+' : p >= 50 ? '50-89' : '0-49';
}
