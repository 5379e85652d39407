// Where the rapid-response units are: the latest own position of each mobile camera.

import { describe, expect, it } from 'vitest';
import { UnitPositions } from '../../engine/geo/unit-positions.js';

// Tashkent: 0.001° of latitude is about 111 m.
const HIT = { lat: 41.3, lon: 69.24 };

describe('unit positions', () => {
  it('keeps each unit at its latest read; an older read (a replay, a late read) does not move it back', () => {
    const units = new UnitPositions();
    units.saw('patrol-01', 41.31, 69.24, 2_000);
    units.saw('patrol-01', 41.35, 69.24, 1_000);
    expect(units.nearest(HIT.lat, HIT.lon, 5, 0)).toEqual([{ camera: 'patrol-01', lat: 41.31, lon: 69.24, ts: 2_000, distanceM: 1112 }]);
    units.saw('patrol-01', 41.301, 69.24, 3_000);
    expect(units.nearest(HIT.lat, HIT.lon, 5, 0)[0]).toMatchObject({ lat: 41.301, ts: 3_000, distanceM: 111 });
  });

  it('answers the nearest first, at most `limit`, none older than `since`', () => {
    const units = new UnitPositions();
    units.saw('drone-01', 41.305, 69.24, 10_000);
    units.saw('patrol-02', 41.302, 69.24, 10_000);
    units.saw('patrol-03', 41.301, 69.24, 1_000);
    units.saw('patrol-04', 41.4, 69.24, 10_000);
    expect(units.nearest(HIT.lat, HIT.lon, 2, 5_000).map((u) => u.camera)).toEqual(['patrol-02', 'drone-01']);
    expect(units.nearest(HIT.lat, HIT.lon, 10, 0).map((u) => u.camera)).toEqual(['patrol-03', 'patrol-02', 'drone-01', 'patrol-04']);
  });

  it('holds at most its capacity, forgetting the unit heard from longest ago', () => {
    const units = new UnitPositions(2);
    units.saw('a', 41.3, 69.24, 1);
    units.saw('b', 41.3, 69.24, 2);
    units.saw('a', 41.3, 69.24, 3);
    units.saw('c', 41.3, 69.24, 4);
    expect(units.size).toBe(2);
    expect(units.nearest(HIT.lat, HIT.lon, 10, 0).map((u) => u.camera)).toEqual(['a', 'c']);
  });
});
