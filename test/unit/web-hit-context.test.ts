// The dispatch map's reading of GET /api/v1/hits/:id/context: the trail in time order (rows
// without a position left out), distances and ages as a dispatcher reads them.

import { describe, expect, it } from 'vitest';
import { contextSummary, formatAge, formatDistance, type HitContext, placedTrail } from '../../web/src/hit-context.js';

const context: HitContext = {
  hit: 'h1',
  plate: '01A123BC',
  lat: 41.3,
  lon: 69.28,
  trail: {
    from: '2026-12-08T07:00:00.000Z',
    to: '2026-12-08T08:00:01.000Z',
    rows: [
      { ts: '2026-12-08T07:40:00.000Z', camera: 'cam-2', lat: 41.31, lon: 69.27, area: 'a2' },
      { ts: '2026-12-08T07:10:00.000Z', camera: 'cam-1', lat: 41.32, lon: 69.26, area: 'a1' },
      { ts: '2026-12-08T07:20:00.000Z', camera: 'cam-x', lat: null, lon: null, area: null },
    ],
  },
  units: [{ camera: 'car-1', lat: 41.301, lon: 69.281, at: '2026-12-08T07:58:00.000Z', distanceM: 140.4 }],
};

describe('a hit context on the dispatch map', () => {
  it('draws the trail in time order, leaving out the rows that have no position', () => {
    expect(placedTrail(context).map((r) => r.camera)).toEqual(['cam-1', 'cam-2']);
  });

  it('says distances in metres near and kilometres far', () => {
    expect(formatDistance(140.4)).toBe('140 m');
    expect(formatDistance(999.4)).toBe('999 m');
    expect(formatDistance(1234)).toBe('1.2 km');
    expect(formatDistance(23_456)).toBe('23 km');
  });

  it("says how old a unit's position is", () => {
    const now = Date.parse('2026-12-08T08:00:00.000Z');
    expect(formatAge('2026-12-08T07:59:30.000Z', now)).toBe('just now');
    expect(formatAge('2026-12-08T07:58:00.000Z', now)).toBe('2 min ago');
    expect(formatAge('2026-12-08T06:55:00.000Z', now)).toBe('1 h 5 min ago');
    // A clock a little ahead of the browser's is not "in the future".
    expect(formatAge('2026-12-08T08:00:05.000Z', now)).toBe('just now');
  });

  it('sums the context up in a line, a hit without a plate included', () => {
    expect(contextSummary(context)).toBe('01A123BC: 3 sightings from an hour before the hit on. 1 nearest unit.');
    expect(contextSummary({ ...context, plate: null, trail: { ...context.trail, rows: [] }, units: [] })).toBe(
      'No plate: no trail. No unit with a recent position.',
    );
  });
});
