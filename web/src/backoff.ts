// How long to wait before the n-th reconnection of the hit stream: quickly at first (a proxy
// cut, an engine restart), then less often, so a desk left open during an outage does not hammer
// the engine when it comes back. `random` spreads reconnections of many desks apart.

export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.75 + 0.5 * random()));
}
