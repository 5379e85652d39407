// The simulated city: replayable from its seed, shaped like Tashkent (districts of mahallas that
// tile it, streets, cameras where they stand, plates and faces).

import { describe, expect, it } from 'vitest';
import { checkAreaGeometry, polygonContains } from '../../engine/geo/geojson.js';
import { areasFromGeoJson } from '../../api/routes/areas.js';
import { contiguity } from '../../engine/analytics/weights.js';
import { buildCity, DEFAULT_CAMERAS, FACE_DIM, PLATE_REGIONS, TASHKENT_BBOX } from '../../engine/sim/city.js';
import { offsetMetres } from '../../engine/sim/local-frame.js';
import { Random } from '../../engine/util/random.js';
import { areaIndex, toSegment } from '../helpers/sim-fixtures.js';

const REGION = `(?:${PLATE_REGIONS.join('|')})`;
const PRIVATE = new RegExp(`^${REGION} [A-Z] \\d{3} [A-Z]{2}$`);
const COMPANY = new RegExp(`^${REGION} \\d{3} [A-Z]{3}$`);
const TASHKENT_DISTRICTS = [
  'Bektemir',
  'Chilonzor',
  'Mirobod',
  'Mirzo Ulugʻbek',
  'Olmazor',
  'Sergeli',
  'Shayxontohur',
  'Uchtepa',
  'Yakkasaroy',
  'Yangihayot',
  'Yashnobod',
  'Yunusobod',
];

// Built once: the default city is the one users get, and tests only read it.
const big = buildCity({ seed: 1, cameras: DEFAULT_CAMERAS });
const small = buildCity({ seed: 1, cameras: 300 });

describe('city', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = buildCity({ seed: 5, cameras: 300 });
    expect(buildCity({ seed: 5, cameras: 300 })).toEqual(a);
    const b = buildCity({ seed: 6, cameras: 300 });
    expect(b.cameras).not.toEqual(a.cameras);
    expect(b.plates).not.toEqual(a.plates);
    expect(b.areas).not.toEqual(a.areas);
  });

  it('builds the default 42,750 cameras in well under a second', () => {
    const started = performance.now();
    const city = buildCity({ seed: 9, cameras: DEFAULT_CAMERAS });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(city.cameras).toHaveLength(42_750);
    // One PUT /api/v1/cameras: under the API's 8 MiB body limit.
    expect(JSON.stringify(city.cameras).length).toBeLessThan(6 * 1024 * 1024);
  });

  it('has Tashkent’s 12 districts split into a few hundred mahallas, valid GeoJSON with their properties', () => {
    const { features } = big.areas;
    expect(big.areas.type).toBe('FeatureCollection');
    expect(features.length).toBeGreaterThan(250);
    expect(features.length).toBeLessThan(600);
    expect(big.districts.map((d) => d.name)).toEqual(TASHKENT_DISTRICTS);
    const ids = new Set<string>();
    for (const [i, f] of features.entries()) {
      expect(() => checkAreaGeometry(f.geometry, `features[${i}].geometry`)).not.toThrow();
      expect(f.geometry.type).toBe('Polygon');
      const p = f.properties;
      expect(p.name).toEqual(expect.any(String));
      expect(TASHKENT_DISTRICTS).toContain(p.district);
      expect(Number.isInteger(p.population) && p.population > 0).toBe(true);
      expect(Number.isInteger(p.schools) && p.schools >= 0).toBe(true);
      expect(p.unemployment).toBeGreaterThan(0);
      expect(p.unemployment).toBeLessThan(25);
      ids.add(p.id);
    }
    expect(ids.size).toBe(features.length);
    for (const d of big.districts) expect(d.mahallas).toBeGreaterThanOrEqual(5);
    const population = features.reduce((s, f) => s + f.properties.population, 0);
    expect(population).toBeGreaterThan(2_500_000);
    expect(population).toBeLessThan(3_500_000);
  });

  it('is accepted by the areas upload, with population, schools and unemployment as factors', () => {
    const areas = areasFromGeoJson(big.areas);
    expect(areas).toHaveLength(big.areas.features.length);
    expect(areas[0]).toMatchObject({
      id: big.areas.features[0].properties.id,
      name: expect.any(String),
      factors: { population: expect.any(Number), schools: expect.any(Number), unemployment: expect.any(Number) },
    });
    expect(Object.keys(areas[0].factors).sort()).toEqual(['population', 'schools', 'unemployment']);
  });

  it('keeps its streets, mahallas and plates when only the camera count changes', () => {
    expect(small.areas).toEqual(big.areas);
    expect(small.streets).toEqual(big.streets);
    expect(small.plates).toEqual(big.plates);
    expect(small.faces).toEqual(big.faces);
  });

  it('has mahallas that tile the city: no gaps inside, no overlaps, each district in one piece', () => {
    const index = areaIndex(big);
    const rng = new Random(9);
    let inside = 0;
    for (let i = 0; i < 3000; i++) {
      const lat = rng.uniform(TASHKENT_BBOX.south, TASHKENT_BBOX.north);
      const lon = rng.uniform(TASHKENT_BBOX.west, TASHKENT_BBOX.east);
      const containing = big.areas.features.filter((f) => polygonContains(f.geometry.coordinates, lon, lat));
      expect(containing.length).toBeLessThanOrEqual(1);
      const m = big.map.locate(lat, lon);
      expect(index.locate(lon, lat)).toBe(m >= 0 ? big.areas.features[m].properties.id : null);
      if (m >= 0) inside++;
    }
    // An oval city filling most of its box.
    expect(inside / 3000).toBeGreaterThan(0.55);
    expect(inside / 3000).toBeLessThan(0.85);

    // Shared corners are the same points, so queen contiguity finds every neighbour …
    const nb = contiguity(
      big.areas.features.map((f) => [f.geometry.coordinates]),
      'queen',
    );
    for (const list of nb) expect(list.length).toBeGreaterThanOrEqual(2);
    const rook = contiguity(
      big.areas.features.map((f) => [f.geometry.coordinates]),
      'rook',
    );
    expect(rook.reduce((s, l) => s + l.length, 0)).toBeLessThan(nb.reduce((s, l) => s + l.length, 0));
    // … and every district's mahallas hang together.
    for (const d of big.districts) {
      const members = big.areas.features.flatMap((f, k) => (f.properties.district === d.name ? [k] : []));
      const reached = new Set([members[0]]);
      for (const k of reached) for (const n of nb[k]) if (big.areas.features[n].properties.district === d.name) reached.add(n);
      expect(reached.size, d.name).toBe(members.length);
    }
  });

  it.each([1, 5, 7, 20])('splits into %i districts, each in one piece', (districts) => {
    const city = buildCity({ seed: 3, cameras: 10, districts });
    expect(city.districts).toHaveLength(districts);
    const nb = contiguity(
      city.areas.features.map((f) => [f.geometry.coordinates]),
      'rook',
    );
    for (const d of city.districts) {
      const members = city.areas.features.flatMap((f, k) => (f.properties.district === d.name ? [k] : []));
      expect(members.length).toBeGreaterThan(0);
      const reached = new Set([members[0]]);
      for (const k of reached) for (const n of nb[k]) if (city.areas.features[n].properties.district === d.name) reached.add(n);
      expect(reached.size).toBe(members.length);
    }
  });

  it('puts every camera inside exactly one mahalla', () => {
    const index = areaIndex(big);
    const ids = new Set<string>();
    for (const [k, c] of big.cameras.entries()) {
      expect(c.id).toMatch(/^cam-\d{5}$/);
      ids.add(c.id);
      expect(['plate', 'face', 'panoramic']).toContain(c.kind);
      expect(index.locate(c.lon, c.lat)).not.toBeNull();
      // The brute-force check on a sample: the index answers the first match only.
      if (k % 20 === 0) expect(big.areas.features.filter((f) => polygonContains(f.geometry.coordinates, c.lon, c.lat))).toHaveLength(1);
    }
    expect(ids.size).toBe(big.cameras.length);
  });

  it('places most cameras along streets, a few hundred plate cameras at entry points, face and panoramic at schools and public places', () => {
    const bySite = new Map<string, typeof big.cameras>();
    for (const c of big.cameras) {
      const site = String(c.attrs?.site);
      bySite.set(site, [...(bySite.get(site) ?? []), c]);
    }
    const count = (site: string) => bySite.get(site)?.length ?? 0;
    expect(count('ring') + count('avenue') + count('street') + count('lane')).toBeGreaterThan(0.8 * DEFAULT_CAMERAS);
    // Ring roads and avenues are watched more densely than side streets.
    expect(count('ring') + count('avenue')).toBeGreaterThan(0.15 * DEFAULT_CAMERAS);
    expect(count('entry')).toBeGreaterThan(200);
    expect(count('entry')).toBeLessThan(600);
    expect(bySite.get('entry')!.every((c) => c.kind === 'plate')).toBe(true);
    expect(new Set(bySite.get('entry')!.map((c) => c.attrs?.direction))).toEqual(new Set(['in', 'out']));
    for (const site of ['school', 'public']) {
      expect(count(site)).toBeGreaterThan(1000);
      expect(bySite.get(site)!.every((c) => c.kind === 'face' || c.kind === 'panoramic')).toBe(true);
    }

    // Street cameras stand at the roadside: within 20 m of a street's centre line (a sample).
    const segments = big.streets.flatMap((s) => s.line.points.slice(1).map((b, k) => [s.line.points[k], b] as const));
    const streetCameras = big.cameras.filter((c) => ['ring', 'avenue', 'street', 'lane'].includes(String(c.attrs?.site)));
    for (const c of streetCameras.filter((_, k) => k % 150 === 0)) {
      expect(Math.min(...segments.map(([a, b]) => toSegment(c, a, b)))).toBeLessThan(20);
    }
    // Entry points are at the edge: a kilometre further out along the road is outside the city.
    for (const cp of big.places.checkpoints) {
      const out = offsetMetres(cp, 1000 * cp.heading!.east, 1000 * cp.heading!.north);
      expect(big.map.locate(out.lat, out.lon), cp.name).toBe(-1);
    }
  });

  it('makes unique plates in the two Uzbek formats, mostly private', () => {
    const { plates } = big;
    expect(plates.length).toBe(50_000);
    expect(new Set(plates).size).toBe(plates.length);
    for (const p of plates) expect(PRIVATE.test(p) || COMPANY.test(p)).toBe(true);
    const companies = plates.filter((p) => COMPANY.test(p)).length;
    expect(companies).toBeGreaterThan(0);
    expect(companies / plates.length).toBeLessThan(0.3);
    expect(plates.filter((p) => p.startsWith('01 ')).length / plates.length).toBeGreaterThan(0.5);
  });

  it('makes unit face embeddings of FACE_DIM', () => {
    const { faces } = buildCity({ seed: 1, cameras: 1, faces: 50 });
    expect(faces).toHaveLength(50);
    for (const f of faces) {
      expect(f).toHaveLength(FACE_DIM);
      expect(Math.hypot(...f)).toBeCloseTo(1, 6);
    }
  });
});
