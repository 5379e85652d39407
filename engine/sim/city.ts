// A synthetic Tashkent for demos, tests and load: twelve districts of mahallas, ring roads and
// avenues, 42,750 fixed cameras by default, patrol cars and drones, and the plates and faces
// that move through it. The same seed builds the same city.

import type { PolygonGeometry } from '../geo/geojson.js';
import type { Camera } from '../domain/places.js';
import { buildCameras } from './cameras.js';
import { CityMap } from './city-map.js';
import { assignDistricts, describeMahallas } from './districts.js';
import { buildFaces } from './faces.js';
import { buildMobiles, type MobileUnit } from './mobiles.js';
import { buildPlaces, type Places } from './places.js';
import { buildPlates } from './plates.js';
import { Random } from '../util/random.js';
import { buildStreets, type Street } from './streets.js';

export { CITY_CENTRE, TASHKENT_BBOX } from './city-map.js';
export { FACE_DIM, unit } from './faces.js';
export { PLATE_REGIONS } from './plates.js';

/** Tashkent's count of public-safety cameras, which the issue asks the simulated city to match. */
export const DEFAULT_CAMERAS = 42_750;

/** One mahalla, as `PUT /api/v1/areas` takes it: numeric properties are factors for the analytics. */
export interface MahallaFeature {
  type: 'Feature';
  geometry: PolygonGeometry;
  properties: {
    id: string;
    name: string;
    /** The district's name. */
    district: string;
    population: number;
    schools: number;
    /** Percent. */
    unemployment: number;
  };
}

export interface DistrictSummary {
  id: string;
  name: string;
  mahallas: number;
  population: number;
}

export interface SimCity {
  cameras: Camera[];
  /** The mahallas: what `PUT /api/v1/areas` takes. */
  areas: { type: 'FeatureCollection'; features: MahallaFeature[] };
  districts: DistrictSummary[];
  /** Plates in their printed form, e.g. '01 A 123 BC' (private) or '01 123 ABC' (company). */
  plates: string[];
  /** Unit face embeddings of the city's residents, FACE_DIM long. */
  faces: number[][];
  map: CityMap;
  streets: Street[];
  places: Places;
  /** Patrol cars and drones: cameras without a fixed place, whose reads carry their position. */
  mobiles: MobileUnit[];
}

export interface CityOptions {
  seed: number;
  cameras: number;
  districts?: number;
  plates?: number;
  faces?: number;
}

export function buildCity(opts: CityOptions): SimCity {
  const { seed, cameras, districts = 12, plates = 50_000, faces = 5_000 } = opts;
  for (const [name, v, min] of [
    ['cameras', cameras, 0],
    ['districts', districts, 1],
    ['plates', plates, 1],
    ['faces', faces, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`buildCity: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
  const rng = new Random(seed);
  // Separate streams: asking for more cameras must not move the streets, the mahallas or the plates.
  const map = new CityMap(rng.fork(1));
  const { districts: districtList, districtOf } = assignDistricts(rng.fork(2), map, districts);
  const mahallas = describeMahallas(rng.fork(3), map, districtList, districtOf);
  const streets = buildStreets(rng.fork(4), map);
  const places = buildPlaces(
    rng.fork(5),
    map,
    streets,
    mahallas.map((m) => m.population),
  );
  const schools = new Array<number>(map.size).fill(0);
  for (const s of places.schools) if (s.mahalla >= 0) schools[s.mahalla]++;

  const features = mahallas.map(
    (m, k): MahallaFeature => ({
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [map.rings[k]] },
      properties: {
        id: m.id,
        name: m.name,
        district: districtList[m.district].name,
        population: m.population,
        schools: schools[k],
        unemployment: m.unemployment,
      },
    }),
  );
  return {
    cameras: buildCameras(rng.fork(6), map, streets, places, cameras),
    areas: { type: 'FeatureCollection', features },
    districts: districtList.map((d, k) => ({
      ...d,
      mahallas: mahallas.filter((m) => m.district === k).length,
      population: mahallas.reduce((s, m) => s + (m.district === k ? m.population : 0), 0),
    })),
    plates: buildPlates(rng.fork(7), plates),
    faces: buildFaces(rng.fork(8), faces),
    map,
    streets,
    places,
    mobiles: buildMobiles(rng.fork(9), map, streets, places, cameras),
  };
}
