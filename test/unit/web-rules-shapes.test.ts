// The Rules view's drawn geofences and forms (web/src/rules/fence-shape.ts, city-date.ts,
// rule-forms.ts): a circle or polygon → the geometry POST /api/v1/geofences takes, typed
// coordinates, an expiry date on the city's clock → an instant, and the bodies the forms send.

import { describe, expect, it } from 'vitest';
import { cityToday, startOfCityDay } from '../../web/src/rules/city-date.js';
import { clickedPoint, distanceM, fenceGeometry, formatRadius, typedCircle, typedPolygon } from '../../web/src/rules/fence-shape.js';
import { geofenceBody, NEW_GEOFENCE, NEW_WATCHLIST, watchlistBody } from '../../web/src/rules/rule-forms.js';
import { checkFenceGeometry } from '../../engine/geo/fence-geometry.js';

describe('fenceGeometry', () => {
  it('gives a circle as {type: Circle, center: [lon, lat], radiusM}, which the engine accepts', () => {
    const g = fenceGeometry({ shape: 'circle', center: { lat: 41.3111, lon: 69.2797 }, radiusM: 750 });
    expect(g).toEqual({ ok: true, value: { type: 'Circle', center: [69.2797, 41.3111], radiusM: 750 } });
    if (g.ok) expect(checkFenceGeometry(g.value, 'body.geometry')).toEqual(g.value);
  });

  it('refuses a circle outside the engine’s limits', () => {
    expect(fenceGeometry({ shape: 'circle', center: { lat: 91, lon: 0 }, radiusM: 5 })).toMatchObject({ ok: false, error: /latitude/ });
    expect(fenceGeometry({ shape: 'circle', center: { lat: 0, lon: 181 }, radiusM: 5 })).toMatchObject({ ok: false, error: /longitude/ });
    expect(fenceGeometry({ shape: 'circle', center: { lat: 0, lon: 0 }, radiusM: 0 })).toMatchObject({ ok: false, error: /radius/ });
    expect(fenceGeometry({ shape: 'circle', center: { lat: 0, lon: 0 }, radiusM: 100_001 })).toMatchObject({ ok: false });
  });

  it('closes a polygon’s ring in lon/lat, dropping a vertex clicked twice and a closing vertex given', () => {
    const a = { lat: 41.3, lon: 69.2 };
    const b = { lat: 41.31, lon: 69.2 };
    const c = { lat: 41.31, lon: 69.22 };
    const g = fenceGeometry({ shape: 'polygon', vertices: [a, b, c, c, a] });
    expect(g).toEqual({
      ok: true,
      value: {
        type: 'Polygon',
        coordinates: [
          [
            [69.2, 41.3],
            [69.2, 41.31],
            [69.22, 41.31],
            [69.2, 41.3],
          ],
        ],
      },
    });
    if (g.ok) expect(checkFenceGeometry(g.value, 'body.geometry')).toEqual(g.value);
    expect(fenceGeometry({ shape: 'polygon', vertices: [a, b, b] })).toMatchObject({ ok: false, error: /at least 3/ });
  });
});

describe('typed coordinates', () => {
  it('reads a circle’s centre and radius, and says what is wrong', () => {
    expect(typedCircle(' 41.3111', '69.2797 ', '500')).toEqual({
      ok: true,
      value: { shape: 'circle', center: { lat: 41.3111, lon: 69.2797 }, radiusM: 500 },
    });
    expect(typedCircle('41.3abc', '69', '5')).toMatchObject({ ok: false, error: /latitude is not a number/ });
    expect(typedCircle('41', '', '5')).toMatchObject({ ok: false, error: /longitude is not a number/ });
    expect(typedCircle('41', '69', '-5')).toMatchObject({ ok: false, error: /radius/ });
  });

  it('reads polygon vertices one per line, naming a bad line', () => {
    expect(typedPolygon('41.30, 69.20\n41.31 69.20\n\n41.31,69.22\n')).toMatchObject({
      ok: true,
      value: { vertices: [{ lat: 41.3 }, { lat: 41.31 }, { lat: 41.31, lon: 69.22 }] },
    });
    expect(typedPolygon('41.30, 69.20\nsomewhere\n')).toEqual({ ok: false, error: 'Line 2: write a vertex as "lat, lon"' });
  });
});

describe('drawing helpers', () => {
  it('measures on the engine’s sphere, rounds clicks, and wraps a longitude from a repeated world', () => {
    // One degree of latitude on a sphere of 6,371,008.8 m.
    expect(distanceM({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111_195.08, 1);
    expect(clickedPoint(41.311123456, 69.279712345)).toEqual({ lat: 41.311123, lon: 69.279712 });
    expect(clickedPoint(10, 370)).toEqual({ lat: 10, lon: 10 });
    expect(formatRadius(1234.4)).toBe('1,234 m');
  });
});

describe('startOfCityDay', () => {
  it('is midnight on the city’s clock, whatever the browser’s zone', () => {
    expect(startOfCityDay('2027-01-31', 'Asia/Tashkent')).toBe('2027-01-30T19:00:00.000Z');
    expect(startOfCityDay('2027-01-31', 'UTC')).toBe('2027-01-31T00:00:00.000Z');
    expect(startOfCityDay('2027-07-01', 'America/New_York')).toBe('2027-07-01T04:00:00.000Z');
    expect(startOfCityDay('2027-01-01', 'America/New_York')).toBe('2027-01-01T05:00:00.000Z');
  });

  it('starts a day whose midnight a clock change skips at the change', () => {
    // Chile moved its clocks from 00:00 to 01:00 on 2026-09-06: the day began at 04:00 UTC.
    expect(startOfCityDay('2026-09-06', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
  });

  it('refuses what is not a calendar date', () => {
    expect(startOfCityDay('2027-02-30', 'UTC')).toBeNull();
    expect(startOfCityDay('31.01.2027', 'UTC')).toBeNull();
    expect(startOfCityDay('', 'UTC')).toBeNull();
  });

  it('knows today on the city’s clock', () => {
    expect(cityToday(Date.parse('2026-12-03T20:00:00Z'), 'Asia/Tashkent')).toBe('2026-12-04');
  });
});

describe('watchlistBody', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  const fields = { ...NEW_WATCHLIST, name: ' stolen cars ', legalBasis: 'theft register, art. 12', expires: '2027-01-31' };

  it('sends a plate list with the engine’s default matching and the expiry as an instant', () => {
    expect(watchlistBody(fields, 'Asia/Tashkent', now)).toEqual({
      ok: true,
      value: {
        name: 'stolen cars',
        kind: 'plate',
        priority: 50,
        legalBasis: 'theft register, art. 12',
        alertOnRead: true,
        cooldownSeconds: 60,
        expiresAt: '2027-01-30T19:00:00.000Z',
        match: { ocrEquivalence: true, maxEdits: 0 },
      },
    });
  });

  it('needs a legal basis, a name, numbers in range and an expiry still to come', () => {
    expect(watchlistBody({ ...fields, legalBasis: '  ' }, 'UTC', now)).toMatchObject({ ok: false, error: /legal basis/ });
    expect(watchlistBody({ ...fields, name: '' }, 'UTC', now)).toMatchObject({ ok: false, error: /name/ });
    expect(watchlistBody({ ...fields, priority: '101' }, 'UTC', now)).toMatchObject({ ok: false, error: /Priority/ });
    expect(watchlistBody({ ...fields, maxEdits: '3' }, 'UTC', now)).toMatchObject({ ok: false, error: /Edits/ });
    expect(watchlistBody({ ...fields, expires: '2026-12-03' }, 'UTC', now)).toMatchObject({ ok: false, error: /still to come/ });
  });

  it('sends a face list’s threshold and no plate options', () => {
    const r = watchlistBody({ ...fields, kind: 'face', expires: '', threshold: '0.7' }, 'UTC', now);
    expect(r).toMatchObject({ ok: true, value: { kind: 'face', match: { threshold: 0.7 } } });
    expect(r.ok && 'expiresAt' in r.value).toBe(false);
  });
});

describe('geofenceBody', () => {
  const circle = { shape: 'circle' as const, center: { lat: 41.3, lon: 69.28 }, radiusM: 400 };

  it('sends the drawn geometry and the options given, leaving out what means "all"', () => {
    expect(geofenceBody({ ...NEW_GEOFENCE, name: 'airport' }, circle)).toEqual({
      ok: true,
      value: {
        name: 'airport',
        geometry: { type: 'Circle', center: [69.28, 41.3], radiusM: 400 },
        trigger: 'enter',
        priority: 50,
        cooldownSeconds: 60,
      },
    });
    const dwell = geofenceBody(
      {
        ...NEW_GEOFENCE,
        name: 'school',
        trigger: 'dwell',
        dwell: '600',
        kinds: ['plate'],
        otherKinds: ' drone, plate ',
        watchlists: ['wl-1'],
      },
      circle,
    );
    expect(dwell).toMatchObject({ ok: true, value: { dwellSeconds: 600, kinds: ['plate', 'drone'], watchlists: ['wl-1'] } });
  });

  it('needs a name, a shape and a dwell time for dwell', () => {
    expect(geofenceBody({ ...NEW_GEOFENCE, name: 'x' }, null)).toMatchObject({ ok: false, error: /Draw/ });
    expect(geofenceBody(NEW_GEOFENCE, circle)).toMatchObject({ ok: false, error: /name/ });
    expect(geofenceBody({ ...NEW_GEOFENCE, name: 'x', trigger: 'dwell', dwell: '0' }, circle)).toMatchObject({ ok: false, error: /Dwell/ });
  });
});
