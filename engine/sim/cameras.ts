// The fixed cameras: most along the streets (busier and denser on the ring roads and avenues),
// a few hundred plate cameras at the checkpoints where roads leave the city, and face and
// panoramic cameras at schools, bazaars, metro stations and parks.

import type { Camera } from '../domain/places.js';
import type { CityMap } from './city-map.js';
import { offsetMetres, round6, type LatLon } from './local-frame.js';
import type { Place, Places } from './places.js';
import { type Random, WeightedIndex } from '../util/random.js';
import type { Street, StreetKind } from './streets.js';

export type CameraSite = StreetKind | 'entry' | 'school' | 'public';

/** Shares of all cameras: the rest stand along the streets. */
const ENTRY_SHARE = 0.0075; // 321 of 42,750
const SCHOOL_SHARE = 0.07;
const PUBLIC_SHARE = 0.05;
/** Cameras per metre of street, relative to a mahalla's inner lane. */
const DENSITY: Readonly<Record<StreetKind, number>> = { ring: 3, avenue: 3, street: 1.5, lane: 1 };
const KINDS: Readonly<Record<CameraSite, ReadonlyArray<readonly [string, number]>>> = {
  ring: [
    ['plate', 0.7],
    ['panoramic', 0.2],
    ['face', 0.1],
  ],
  avenue: [
    ['plate', 0.7],
    ['panoramic', 0.2],
    ['face', 0.1],
  ],
  street: [
    ['plate', 0.55],
    ['panoramic', 0.25],
    ['face', 0.2],
  ],
  lane: [
    ['plate', 0.4],
    ['panoramic', 0.3],
    ['face', 0.3],
  ],
  entry: [['plate', 1]],
  school: [
    ['face', 0.6],
    ['panoramic', 0.4],
  ],
  public: [
    ['face', 0.45],
    ['panoramic', 0.55],
  ],
};

export function siteOf(camera: Camera): CameraSite {
  return (camera.attrs?.site as CameraSite | undefined) ?? 'street';
}

export function buildCameras(rng: Random, map: CityMap, streets: readonly Street[], places: Places, n: number): Camera[] {
  const entry = places.checkpoints.length > 0 ? Math.round(n * ENTRY_SHARE) : 0;
  const school = places.schools.length > 0 ? Math.round(n * SCHOOL_SHARE) : 0;
  const publicPlaces = [...places.bazaars, ...places.metro, ...places.parks];
  const pub = Math.round(n * PUBLIC_SHARE);
  const street = n - entry - school - pub;

  const cameras: Camera[] = [];
  // Tries spots until one is in the city; the fallback only guards against a pathological map.
  const inCity = (spot: () => LatLon, fallback: LatLon): LatLon => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const p = spot();
      if (map.locate(p.lat, p.lon) >= 0) return p;
    }
    return fallback;
  };
  const add = (site: CameraSite, p: LatLon, attrs: Record<string, unknown>) => {
    cameras.push({
      id: `cam-${String(cameras.length + 1).padStart(5, '0')}`,
      lat: round6(p.lat),
      lon: round6(p.lon),
      kind: rng.weighted(KINDS[site]),
      attrs: { site, ...attrs },
    });
  };

  // Along the streets, in proportion to length × density; a pole stands 4–15 m off the centre
  // line, on either side, so a camera on a street between mahallas belongs to one of them.
  const pickStreet = new WeightedIndex(streets.map((s) => s.line.length * DENSITY[s.kind]));
  for (let k = 0; k < street; k++) {
    let s = streets[0];
    const p = inCity(() => {
      s = streets[pickStreet.sample(rng)];
      const at = s.line.at(rng.uniform(0, s.line.length));
      const side = (rng.chance(0.5) ? 1 : -1) * rng.uniform(4, 15);
      return offsetMetres(at, side * at.north, -side * at.east);
    }, map.centre(0));
    // Named roads only: 37,000 "Koʻcha 12" labels would be a megabyte of registration for nothing.
    add(s.kind, p, s.kind === 'ring' || s.kind === 'avenue' ? { road: s.name } : {});
  }

  // Checkpoints: a row of plate cameras across the lanes, both directions.
  for (let k = 0; k < entry; k++) {
    const c = places.checkpoints[k % places.checkpoints.length];
    const outbound = Math.floor(k / places.checkpoints.length) % 2 === 1;
    const { east, north } = c.heading ?? { east: 1, north: 0 };
    const p = inCity(
      () => {
        const along = rng.uniform(-60, 0);
        const across = (outbound ? 1 : -1) * rng.uniform(2, 14);
        return offsetMetres(c, along * east + across * north, along * north - across * east);
      },
      map.centre(Math.max(0, c.mahalla)),
    );
    add('entry', p, { road: c.name, direction: outbound ? 'out' : 'in' });
  }

  const around = (site: CameraSite, list: readonly Place[], count: number, radius: number) => {
    for (let k = 0; k < count; k++) {
      const place = list[k % list.length];
      const p = inCity(
        () => offsetMetres(place, rng.uniform(-radius, radius), rng.uniform(-radius, radius)),
        map.centre(Math.max(0, place.mahalla)),
      );
      add(site, p, { place: place.name });
    }
  };
  around('school', places.schools, school, 40);
  around('public', publicPlaces, pub, 80);
  return cameras;
}
