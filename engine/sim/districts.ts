// Tashkent's districts over the mahalla lattice: each mahalla goes to the nearest district
// centre (Tashkent's twelve sit roughly where the real ones do), then stray pieces are handed
// to a neighbour so every district is one connected piece. Also the mahallas' names,
// population and unemployment: numbers for the analytics to map and regress on.

import type { CityMap } from './city-map.js';
import { CITY_CENTRE } from './city-map.js';
import { distanceMetres, type LatLon } from './local-frame.js';
import type { Random } from '../util/random.js';

export interface District {
  id: string;
  name: string;
}

export interface MahallaInfo {
  id: string;
  name: string;
  district: number;
  population: number;
  /** Percent of working-age residents without work. */
  unemployment: number;
}

// Where Tashkent's districts lie, near enough: the shapes follow from the lattice, not the map.
const TASHKENT_DISTRICTS: ReadonlyArray<{ name: string; slug: string; at: LatLon }> = [
  { name: 'Bektemir', slug: 'bektemir', at: { lat: 41.235, lon: 69.33 } },
  { name: 'Chilonzor', slug: 'chilonzor', at: { lat: 41.275, lon: 69.195 } },
  { name: 'Mirobod', slug: 'mirobod', at: { lat: 41.295, lon: 69.29 } },
  { name: 'Mirzo Ulugʻbek', slug: 'mirzo-ulugbek', at: { lat: 41.335, lon: 69.34 } },
  { name: 'Olmazor', slug: 'olmazor', at: { lat: 41.35, lon: 69.215 } },
  { name: 'Sergeli', slug: 'sergeli', at: { lat: 41.23, lon: 69.245 } },
  { name: 'Shayxontohur', slug: 'shayxontohur', at: { lat: 41.325, lon: 69.245 } },
  { name: 'Uchtepa', slug: 'uchtepa', at: { lat: 41.305, lon: 69.16 } },
  { name: 'Yakkasaroy', slug: 'yakkasaroy', at: { lat: 41.28, lon: 69.255 } },
  { name: 'Yangihayot', slug: 'yangihayot', at: { lat: 41.235, lon: 69.175 } },
  { name: 'Yashnobod', slug: 'yashnobod', at: { lat: 41.29, lon: 69.35 } },
  { name: 'Yunusobod', slug: 'yunusobod', at: { lat: 41.37, lon: 69.285 } },
];

const MAHALLA_NAMES = [
  'Navbahor',
  'Guliston',
  'Bogʻishamol',
  'Obod',
  'Doʻstlik',
  'Mustaqillik',
  'Nurafshon',
  'Tinchlik',
  'Yangiobod',
  'Bunyodkor',
  'Qoraqamish',
  'Beshyogʻoch',
  'Koʻkcha',
  'Shodlik',
  'Oqtepa',
  'Chinor',
  'Sayohat',
  'Mehnat',
  'Baxt',
  'Istiqlol',
  'Mashʼal',
  'Bahor',
  'Gulzor',
  'Farovon',
  'Ziyolilar',
  'Umid',
  'Yoshlik',
  'Zarqaynar',
  'Qatortol',
  'Ipakchi',
  'Sebzor',
  'Kamolon',
  'Tikuvchilar',
  'Yakkatut',
  'Qushbegi',
  'Oqqoʻrgʻon',
  'Nurobod',
  'Zafar',
  'Bogʻbon',
  'Paxtakor',
  'Koʻhna shahar',
  'Salor',
  'Xadra',
  'Beltepa',
  'Qorasuv',
  'Ahillik',
  'Birlik',
  'Ittifoq',
  'Fayziobod',
  'Gulobod',
  'Lolazor',
  'Kamalak',
  'Quyosh',
  'Yulduz',
  'Oydin',
  'Marvarid',
  'Mevazor',
  'Nihol',
  'Sharq',
  'Gʻalaba',
  'Tongotar',
  'Olmachi',
  'Chashma',
  'Buloqboshi',
  'Durmon',
  'Shifokorlar',
  'Oltintepa',
  'Qipchoq',
  'Bodomzor',
];

const CITY_POPULATION = 2_950_000;

export function assignDistricts(rng: Random, map: CityMap, count: number): { districts: District[]; districtOf: Int32Array } {
  if (!Number.isInteger(count) || count < 1 || count > map.size) {
    throw new Error(`buildCity: districts must be a whole number from 1 to ${map.size}, got ${count}`);
  }
  const centres = map.cells.map((_, m) => map.centre(m));
  let seeds: LatLon[];
  let districts: District[];
  if (count === TASHKENT_DISTRICTS.length) {
    seeds = TASHKENT_DISTRICTS.map((d) => ({ lat: d.at.lat + rng.normal(0, 0.003), lon: d.at.lon + rng.normal(0, 0.004) }));
    districts = TASHKENT_DISTRICTS.map((d) => ({ id: d.slug, name: d.name }));
  } else {
    // Spread out: each next centre is the mahalla farthest from those chosen so far.
    seeds = [centres[rng.int(map.size)]];
    while (seeds.length < count) {
      let best = 0;
      let bestDistance = -1;
      centres.forEach((c, m) => {
        const d = Math.min(...seeds.map((s) => distanceMetres(s, c)));
        if (d > bestDistance) [best, bestDistance] = [m, d];
      });
      seeds.push(centres[best]);
    }
    districts = seeds.map((_, k) => ({
      id: `district-${String(k + 1).padStart(2, '0')}`,
      name: TASHKENT_DISTRICTS[k]?.name ?? `District ${k + 1}`,
    }));
  }

  const districtOf = new Int32Array(map.size);
  centres.forEach((c, m) => {
    let best = 0;
    for (let k = 1; k < seeds.length; k++) if (distanceMetres(seeds[k], c) < distanceMetres(seeds[best], c)) best = k;
    districtOf[m] = best;
  });
  makeConnected(map, districtOf, count);
  return { districts, districtOf };
}

/** Mahallas sharing an edge: the four lattice neighbours that are in the city. */
export function edgeNeighbours(map: CityMap, m: number): number[] {
  const { i, j } = map.cellOf(m);
  return [map.mahallaAt(i - 1, j), map.mahallaAt(i + 1, j), map.mahallaAt(i, j - 1), map.mahallaAt(i, j + 1)].filter((n) => n >= 0);
}

/**
 * Keeps each district's largest edge-connected piece and gives the mahallas of smaller pieces to
 * the neighbouring district they border most, until every district is in one piece. A
 * district that would lose all its mahallas keeps its largest piece, so none disappears.
 */
function makeConnected(map: CityMap, districtOf: Int32Array, count: number): void {
  for (let round = 0; round < 50; round++) {
    let moved = false;
    for (let d = 0; d < count; d++) {
      const pieces = piecesOf(map, districtOf, d);
      pieces.sort((a, b) => b.length - a.length);
      for (const piece of pieces.slice(1)) {
        for (const m of piece) {
          const votes = new Map<number, number>();
          for (const n of edgeNeighbours(map, m)) if (districtOf[n] !== d) votes.set(districtOf[n], (votes.get(districtOf[n]) ?? 0) + 1);
          if (votes.size === 0) continue;
          districtOf[m] = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
          moved = true;
        }
      }
    }
    if (!moved) return;
  }
}

function piecesOf(map: CityMap, districtOf: Int32Array, d: number): number[][] {
  const seen = new Set<number>();
  const pieces: number[][] = [];
  for (let m = 0; m < map.size; m++) {
    if (districtOf[m] !== d || seen.has(m)) continue;
    const piece = [m];
    seen.add(m);
    for (let k = 0; k < piece.length; k++) {
      for (const n of edgeNeighbours(map, piece[k])) {
        if (districtOf[n] === d && !seen.has(n)) {
          seen.add(n);
          piece.push(n);
        }
      }
    }
    pieces.push(piece);
  }
  return pieces;
}

/** Ids (`chilonzor-07`), names, population (denser towards the centre) and unemployment (higher outwards). */
export function describeMahallas(rng: Random, map: CityMap, districts: District[], districtOf: Int32Array): MahallaInfo[] {
  const numberInDistrict = new Array<number>(districts.length).fill(0);
  const namesUsed = new Map<string, number>();
  const districtBase = districts.map(() => rng.uniform(4, 9));
  const raw = map.cells.map((_, m) => {
    const km = distanceMetres(CITY_CENTRE, map.centre(m)) / 1000;
    return {
      density: (1.35 - 0.7 * Math.min(1, km / 12)) * Math.exp(rng.normal(0, 0.3)),
      unemployment: districtBase[districtOf[m]] + 3 * Math.min(1, km / 12) + rng.normal(0, 1.2),
      name: rng.pick(MAHALLA_NAMES),
    };
  });
  const scale = CITY_POPULATION / raw.reduce((s, r) => s + r.density, 0);
  return raw.map((r, m) => {
    const d = districtOf[m];
    const seen = (namesUsed.get(r.name) ?? 0) + 1;
    namesUsed.set(r.name, seen);
    return {
      id: `${districts[d].id}-${String(++numberInDistrict[d]).padStart(2, '0')}`,
      name: seen === 1 ? r.name : `${r.name} ${seen}`,
      district: d,
      population: Math.max(100, Math.round((r.density * scale) / 10) * 10),
      unemployment: Math.round(Math.min(20, Math.max(1.5, r.unemployment)) * 10) / 10,
    };
  });
}
