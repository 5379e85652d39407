// Where people gather and where the city ends: road checkpoints at the edge, bazaars, metro
// stations, parks, schools, and the apartment blocks whose panic buttons ring the police.

import type { CityMap } from './city-map.js';
import { CITY_CENTRE } from './city-map.js';
import { distanceMetres, round6, type LatLon } from './local-frame.js';
import type { Random } from '../util/random.js';
import type { Street } from './streets.js';

export type PlaceKind = 'checkpoint' | 'bazaar' | 'metro' | 'park' | 'school' | 'block';

export interface Place extends LatLon {
  id: string;
  kind: PlaceKind;
  name: string;
  /** The mahalla it stands in. */
  mahalla: number;
  /** Checkpoints: the road's direction out of town (unit east, north), to lay out the lanes. */
  heading?: { east: number; north: number };
}

// Tashkent's big bazaars, near where they are.
const BAZAARS: ReadonlyArray<{ name: string; at: LatLon }> = [
  { name: 'Chorsu bozori', at: { lat: 41.3266, lon: 69.236 } },
  { name: 'Oloy bozori', at: { lat: 41.319, lon: 69.283 } },
  { name: 'Yunusobod bozori', at: { lat: 41.364, lon: 69.287 } },
  { name: 'Qoʻyliq bozori', at: { lat: 41.245, lon: 69.33 } },
  { name: 'Abu Saxiy', at: { lat: 41.275, lon: 69.19 } },
  { name: 'Farhod bozori', at: { lat: 41.292, lon: 69.215 } },
  { name: 'Mirobod bozori', at: { lat: 41.296, lon: 69.276 } },
];
const CHECKPOINTS = [
  'Chirchiq',
  'Qibray',
  'Parkent',
  'Angren',
  'Bekobod',
  'Yangiyoʻl',
  'Chinoz',
  'Zangiota',
  'Nazarbek',
  'Olmaliq',
  'Gʻazalkent',
  'Keles',
];
const METRO_LINES = 3;
const METRO_SPACING_M = 1100;
const PARKS = 14;
/** One school for about this many residents (Tashkent: ~500 schools for ~3 million). */
const RESIDENTS_PER_SCHOOL = 6000;
const PANIC_BLOCKS = 400;

export interface Places {
  checkpoints: Place[];
  bazaars: Place[];
  metro: Place[];
  parks: Place[];
  schools: Place[];
  /** Apartment blocks with a panic button. */
  blocks: Place[];
}

export function buildPlaces(rng: Random, map: CityMap, streets: readonly Street[], population: readonly number[]): Places {
  const place = (kind: PlaceKind, n: number, name: string, p: LatLon, extra: Partial<Place> = {}): Place => ({
    id: `${kind}-${String(n).padStart(kind === 'block' ? 4 : 3, '0')}`,
    kind,
    name,
    lat: round6(p.lat),
    lon: round6(p.lon),
    mahalla: map.locate(p.lat, p.lon),
    ...extra,
  });
  // A checkpoint where each avenue leaves the city.
  const avenues = streets.filter((s) => s.kind === 'avenue');
  const checkpoints = avenues.map((s, k) => {
    const end = s.line.at(s.line.length - 60);
    return place('checkpoint', k + 1, `${CHECKPOINTS[k % CHECKPOINTS.length]} post`, end, {
      heading: { east: end.east, north: end.north },
    });
  });

  const bazaars = BAZAARS.map((b, k) => place('bazaar', k + 1, b.name, intoCity(map, b.at)));

  // Metro lines run under the first avenues; a station about every kilometre.
  const metro: Place[] = [];
  for (const s of avenues.slice(0, METRO_LINES)) {
    for (let d = 400; d < s.line.length - 500; d += METRO_SPACING_M)
      metro.push(place('metro', metro.length + 1, `${s.name} metro ${metro.length + 1}`, s.line.at(d)));
  }

  const centreWeighted = map.cells.map((_, m) => 1 / (1 + distanceMetres(CITY_CENTRE, map.centre(m)) / 3000));
  const parks = Array.from({ length: PARKS }, (_, k) => {
    const m = pickWeighted(rng, centreWeighted);
    return place('park', k + 1, `Bogʻ ${k + 1}`, map.randomPointIn(m, rng));
  });

  const schools: Place[] = [];
  population.forEach((people, m) => {
    for (let k = poisson(rng, people / RESIDENTS_PER_SCHOOL); k > 0; k--) {
      schools.push(place('school', schools.length + 1, `Maktab ${schools.length + 1}`, map.randomPointIn(m, rng)));
    }
  });

  const blocks = Array.from({ length: PANIC_BLOCKS }, (_, k) => {
    const m = pickWeighted(rng, population);
    return place('block', k + 1, `Uy ${rng.int(1, 120)}`, map.randomPointIn(m, rng));
  });

  return { checkpoints, bazaars, metro, parks, schools, blocks };
}

/** A landmark that the city's wavy edge left outside is moved towards the centre until inside. */
function intoCity(map: CityMap, p: LatLon): LatLon {
  for (let t = 0; t <= 1; t += 0.05) {
    const q = { lat: p.lat + t * (CITY_CENTRE.lat - p.lat), lon: p.lon + t * (CITY_CENTRE.lon - p.lon) };
    if (map.locate(q.lat, q.lon) >= 0) return q;
  }
  return CITY_CENTRE;
}

export function pickWeighted(rng: Random, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i];
    if (x < 0) return i;
  }
  return weights.length - 1;
}

/** Knuth's method: fine for the small means used here. */
export function poisson(rng: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rng.next(); p > limit; p *= rng.next()) k++;
  return k;
}
