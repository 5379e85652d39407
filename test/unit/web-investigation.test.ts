// The Investigation view's pure parts: the trail in time order across pages, the points that
// can be drawn, and the plate search's query.

import { describe, expect, it } from 'vitest';
import { appendPage, type Sighting, sightingsUrl, trailOrder, trailPoints } from '../../web/src/investigation/trail.js';

const at = (ts: string, id: string, pos: [number, number] | null = [41.3, 69.2]): Sighting => ({
  ts,
  id,
  camera: `cam-${id}`,
  plate: '01A111AA',
  lat: pos ? pos[0] : null,
  lon: pos ? pos[1] : null,
  area: null,
});

describe('the trail', () => {
  it('orders sightings by time, keeping the API order of equal times', () => {
    const rows = [at('2026-12-03T10:00:00Z', 'b'), at('2026-12-03T09:00:00Z', 'a'), at('2026-12-03T10:00:00Z', 'c')];
    expect(trailOrder(rows).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('appends a later page after the rows so far, a repeated row once', () => {
    const first = [at('2026-12-03T09:00:00Z', 'a'), at('2026-12-03T10:00:00Z', 'b')];
    const next = [at('2026-12-03T10:00:00Z', 'b'), at('2026-12-03T11:00:00Z', 'c')];
    expect(appendPage(first, next).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('draws only the sightings with a position, numbered as the table numbers them', () => {
    const rows = [at('2026-12-03T09:00:00Z', 'a'), at('2026-12-03T10:00:00Z', 'b', null), at('2026-12-03T11:00:00Z', 'c', [41.31, 69.25])];
    expect(trailPoints(rows).map((p) => [p.n, p.lat, p.lon])).toEqual([
      [1, 41.3, 69.2],
      [3, 41.31, 69.25],
    ]);
  });
});

describe('the plate search query', () => {
  it('sends the plate, the reason, the days (the last included) and fuzzy', () => {
    const url = sightingsUrl({ plate: ' 01A*AA ', reason: 'case 2026/114 ', from: '2026-12-01', to: '2026-12-03', fuzzy: true });
    const q = new URL(url, 'http://x').searchParams;
    expect(Object.fromEntries(q)).toEqual({
      plate: '01A*AA',
      reason: 'case 2026/114',
      from: '2026-12-01',
      to: '2026-12-04',
      fuzzy: 'true',
    });
  });

  it("writes '?' as %3F, and leaves the window to the API when no day is given", () => {
    const url = sightingsUrl({ plate: '01A?11AA', reason: 'why', from: '', to: '', fuzzy: false }, 'next-page');
    expect(url).toBe('/api/v1/sightings?plate=01A%3F11AA&reason=why&cursor=next-page');
  });
});
