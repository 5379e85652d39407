// The simulated city: replayable from its seed, shaped like Tashkent (districts of mahallas that
// tile it, streets, cameras where they stand), everything it produces passes the same checks
// real producers' records do, and it has the rhythms and clusters the analytics look for.

import { describe, expect, it } from 'vitest';
import { toDetection } from '../../engine/domain/detection.js';
import { toIncident } from '../../engine/domain/incident.js';
import { normalisePlate } from '../../engine/domain/plate.js';
import { AreaIndex } from '../../engine/geo/area-index.js';
import { checkAreaGeometry, polygonContains } from '../../engine/geo/geojson.js';
import { areasFromGeoJson } from '../../api/routes/areas.js';
import { contiguity, projectToMetres, toWeights } from '../../engine/analytics/weights.js';
import { localGStar } from '../../engine/analytics/getis-ord.js';
import { knoxTest } from '../../engine/analytics/knox.js';
import { buildCity, DEFAULT_CAMERAS, FACE_DIM, PLATE_REGIONS, TASHKENT_BBOX, type SimCity } from '../../engine/sim/city.js';
import { distanceMetres, offsetMetres, type LatLon } from '../../engine/sim/local-frame.js';
import { positionAt } from '../../engine/sim/mobiles.js';
import { Pacer, SimClock } from '../../engine/sim/pace.js';
import { Random, WeightedIndex, Zipf } from '../../engine/util/random.js';
import { CITY_UTC_OFFSET_MS, hourOfWeek, INCIDENT_RHYTHM, READ_RHYTHM } from '../../engine/sim/rhythm.js';
import { INCIDENT_TYPES, Traffic, type IncidentRecord } from '../../engine/sim/traffic.js';
import { parseSimulateArgs } from '../../engine/sim/simulate-command.js';

const REGION = `(?:${PLATE_REGIONS.join('|')})`;
const PRIVATE = new RegExp(`^${REGION} [A-Z] \\d{3} [A-Z]{2}$`);
const COMPANY = new RegExp(`^${REGION} \\d{3} [A-Z]{3}$`);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2 March 2026, 09:00 in Tashkent. */
const T0 = Date.UTC(2026, 2, 2, 9) - CITY_UTC_OFFSET_MS;
/** Monday 2 March 2026, 00:00 in Tashkent. */
const MONDAY = Date.UTC(2026, 2, 2) - CITY_UTC_OFFSET_MS;
const TASHKENT_DISTRICTS = [
  'Bektemir', 'Chilonzor', 'Mirobod', 'Mirzo Ulugʻbek', 'Olmazor', 'Sergeli',
  'Shayxontohur', 'Uchtepa', 'Yakkasaroy', 'Yangihayot', 'Yashnobod', 'Yunusobod',
];

// Built once: the default city is the one users get, and tests only read it.
const big = buildCity({ seed: 1, cameras: DEFAULT_CAMERAS });
const small = buildCity({ seed: 1, cameras: 300 });

function reads(seed: number, n: number, cameras = 300) {
  const traffic = new Traffic(buildCity({ seed, cameras }), seed);
  return Array.from({ length: n }, (_, i) => traffic.nextRead(T0 + i * 10));
}

function areaIndex(city: SimCity): AreaIndex {
  return new AreaIndex(city.areas.features.map((f) => ({ id: f.properties.id, geometry: f.geometry })));
}

/** Incidents as the simulator would report them, `perDay` a day for `days` days from `start`. */
function incidents(city: SimCity, seed: number, days: number, perDay: number, start = MONDAY): IncidentRecord[] {
  const traffic = new Traffic(city, seed);
  const n = days * perDay;
  return Array.from({ length: n }, (_, i) => traffic.nextIncident(start + Math.floor((i * days * DAY) / n)));
}

/** Distance from p to the segment a–b, in metres. */
function toSegment(p: LatLon, a: LatLon, b: LatLon): number {
  // In metres east and north of p, so p is the origin.
  const metres = (q: LatLon): [number, number] => [(q.lon - p.lon) / (offsetMetres(p, 1, 0).lon - p.lon), (q.lat - p.lat) / (offsetMetres(p, 0, 1).lat - p.lat)];
  const [ax, ay] = metres(a);
  const [bx, by] = metres(b);
  const [dx, dy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(ax + t * dx, ay + t * dy);
}

describe('random', () => {
  it('replays the same sequence for the same seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws normals with about the asked mean and spread', () => {
    const rng = new Random(7);
    const xs = Array.from({ length: 20_000 }, () => rng.normal(10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });

  it('samples Zipf ranks: the first most often, every rank in range', () => {
    const rng = new Random(1);
    const zipf = new Zipf(100, 1);
    const counts = new Array(100).fill(0);
    for (let i = 0; i < 50_000; i++) counts[zipf.sample(rng)]++;
    expect(counts[0]).toBeGreaterThan(counts[1]);
    expect(counts[1]).toBeGreaterThan(counts[9]);
    expect(counts[9]).toBeGreaterThan(counts[99]);
    // P(0) = 1 / H(100) ≈ 0.193
    expect(counts[0] / 50_000).toBeCloseTo(0.193, 1);
  });

  it('samples indices in proportion to their weights, never a zero weight', () => {
    const rng = new Random(3);
    const pick = new WeightedIndex([1, 0, 3, 6]);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[pick.sample(rng)]++;
    expect(counts[1]).toBe(0);
    expect(counts[0] / 40_000).toBeCloseTo(0.1, 1);
    expect(counts[3] / 40_000).toBeCloseTo(0.6, 1);
    expect(() => new WeightedIndex([0, 0])).toThrow(/positive weight/);
    expect(() => new WeightedIndex([1, -1])).toThrow(/weight 1/);
  });
});

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
    const nb = contiguity(big.areas.features.map((f) => [f.geometry.coordinates]), 'queen');
    for (const list of nb) expect(list.length).toBeGreaterThanOrEqual(2);
    const rook = contiguity(big.areas.features.map((f) => [f.geometry.coordinates]), 'rook');
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
    const nb = contiguity(city.areas.features.map((f) => [f.geometry.coordinates]), 'rook');
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

describe('traffic', () => {
  it('replays the same reads for the same seed and differs for another', () => {
    const a = reads(11, 500);
    expect(reads(11, 500)).toEqual(a);
    expect(reads(12, 500)).not.toEqual(a);
  });

  it('makes reads that pass the engine’s own checks', () => {
    const all = reads(1, 5000);
    const kinds = new Map<string, number>();
    for (const r of all) {
      const d = toDetection(r, 'subject-camera', r.ts);
      expect(d.camera).toBe(r.camera);
      kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
      if (r.kind === 'plate') expect(d.plate).toMatch(/^[A-Z0-9]{2,16}$/);
      if (r.kind === 'face') {
        expect(d.embedding).toHaveLength(FACE_DIM);
        expect(Math.hypot(...d.embedding!)).toBeCloseTo(1, 4);
      }
      if (r.conf !== undefined) expect(r.conf >= 0 && r.conf <= 1).toBe(true);
    }
    for (const kind of ['plate', 'face', 'person', 'vehicle']) expect(kinds.get(kind)).toBeGreaterThan(0);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
  });

  it('reads a resident’s face close to their own embedding and far from everyone else’s', () => {
    const traffic = new Traffic(small, 2);
    let faces = 0;
    for (let i = 0; faces < 200; i++) {
      const r = traffic.nextRead(T0 + i * 10);
      if (r.kind !== 'face') continue;
      faces++;
      const v = toDetection(r, r.camera, r.ts).embedding!;
      const scores = small.faces.map((f) => f.reduce((s, x, k) => s + x * v[k], 0)).sort((a, b) => b - a);
      // The default face match threshold is 0.6.
      expect(scores[0]).toBeGreaterThan(0.7);
      expect(scores[1]).toBeLessThan(0.5);
    }
  });

  it('sends a few mobile reads, each where its unit is on its route at that moment', () => {
    const traffic = new Traffic(small, 1);
    const all = Array.from({ length: 10_000 }, (_, i) => traffic.nextRead(T0 + i * 500));
    const mobile = all.filter((r) => r.lat !== undefined);
    expect(mobile.length).toBeGreaterThan(100);
    expect(mobile.length).toBeLessThan(600);
    const units = new Map(small.mobiles.map((m) => [m.id, m]));
    let inCity = 0;
    for (const r of mobile) {
      expect(r.camera).toMatch(/^(patrol|drone)-\d{2}$/);
      expect(r.kind).toMatch(r.camera.startsWith('patrol') ? /^plate$/ : /^(person|vehicle)$/);
      expect(distanceMetres(r as LatLon, positionAt(units.get(r.camera)!, r.ts))).toBeLessThan(20);
      if (small.map.locate(r.lat!, r.lon!) >= 0) inCity++;
    }
    expect(inCity / mobile.length).toBeGreaterThan(0.99);
    expect(new Set(mobile.map((r) => r.camera)).size).toBeGreaterThan(3);
    // A patrol car moves on: 8 m/s or so, so ten minutes apart it is somewhere else.
    const unit = small.mobiles[0];
    expect(distanceMetres(positionAt(unit, T0), positionAt(unit, T0 + 600_000))).toBeGreaterThan(200);
  });

  it('patrols drive along the streets', () => {
    const segments = small.streets.flatMap((s) => s.line.points.slice(1).map((b, k) => [s.line.points[k], b] as const));
    for (const unit of small.mobiles.filter((m) => m.kind === 'patrol')) {
      for (let t = 0; t < 20; t++) {
        const p = positionAt(unit, T0 + t * 97_000);
        // Within a few metres: a beat goes through the streets' own corners, a stretch of an
        // avenue through points spaced along it (chords of its bends).
        expect(Math.min(...segments.map(([a, b]) => toSegment(p, a, b))), unit.id).toBeLessThan(3);
      }
    }
  });

  it('repeats a few plates often (Zipf), misreads a few, and prints some in Cyrillic', () => {
    const pool = new Set(small.plates.map((p) => normalisePlate(p)));
    const raw = reads(1, 20_000).filter((r) => r.kind === 'plate');
    const plates = raw.map((r) => normalisePlate(r.plate!)!);
    const counts = new Map<string, number>();
    for (const p of plates) counts.set(p, (counts.get(p) ?? 0) + 1);
    const top = Math.max(...counts.values());
    expect(top).toBeGreaterThan(plates.length / 200);
    // Most plates are seen once or not at all; a few very often.
    expect([...counts.values()].filter((c) => c === 1).length).toBeGreaterThan(counts.size / 2);
    const misread = plates.filter((p) => !pool.has(p)).length / plates.length;
    expect(misread).toBeGreaterThan(0.02);
    expect(misread).toBeLessThan(0.1);
    expect(raw.some((r) => /[А-Я]/.test(r.plate!))).toBe(true);
    expect(raw.some((r) => /^\d\d-/.test(r.plate!))).toBe(true);
  });

  it('sees more cars from other regions at the entry points than in town', () => {
    const traffic = new Traffic(big, 1);
    const site = new Map(big.cameras.map((c) => [c.id, String(c.attrs?.site)]));
    const share = { entry: [0, 0], town: [0, 0] };
    for (let i = 0; i < 60_000; i++) {
      const r = traffic.nextRead(T0 + i);
      if (r.kind !== 'plate' || r.lat !== undefined) continue;
      const s = site.get(r.camera) === 'entry' ? share.entry : share.town;
      s[1]++;
      if (!/^01/.test(normalisePlate(r.plate!)!)) s[0]++;
    }
    expect(share.entry[1]).toBeGreaterThan(100);
    expect(share.entry[0] / share.entry[1]).toBeGreaterThan(1.5 * (share.town[0] / share.town[1]));
  });

  it('makes incidents that pass the engine’s checks, inside the city, with panic alarms from apartment blocks', () => {
    const all = incidents(small, 1, 7, 300);
    for (const inc of all) {
      const parsed = toIncident(inc, inc.type, inc.ts);
      expect(INCIDENT_TYPES).toContain(parsed.type);
      expect(parsed.severity! >= 1 && parsed.severity! <= 5).toBe(true);
      expect(small.map.locate(inc.lat, inc.lon)).toBeGreaterThanOrEqual(0);
      // Also as the engine receives JSON.
      expect(toIncident(JSON.parse(JSON.stringify(inc)), 'x', inc.ts)).toEqual(parsed);
    }
    expect(new Set(all.map((i) => i.id)).size).toBe(all.length);
    const panic = all.filter((i) => i.source === 'panic_button');
    expect(panic.length / all.length).toBeGreaterThan(0.02);
    expect(panic.length / all.length).toBeLessThan(0.1);
    expect(panic.every((i) => i.severity >= 4)).toBe(true);
    const blocks = new Set(small.places.blocks.map((b) => `${b.lat},${b.lon}`));
    expect(panic.every((i) => blocks.has(`${i.lat},${i.lon}`) && /^pb-\d{4}$/.test(String(i.attrs?.device)))).toBe(true);
    for (const type of INCIDENT_TYPES) expect(all.some((i) => i.type === type)).toBe(true);
  });

  it('has hotspots: Gi* over queen contiguity finds mahallas far above their neighbourhood', () => {
    const all = incidents(big, 1, 14, 400);
    const index = new Map(big.areas.features.map((f, k) => [f.properties.id, k]));
    const counts = new Float64Array(big.areas.features.length);
    const locator = areaIndex(big);
    for (const inc of all) counts[index.get(locator.locate(inc.lon, inc.lat)!)!]++;
    const w = toWeights(contiguity(big.areas.features.map((f) => [f.geometry.coordinates]), 'queen'), 'W');
    const z = localGStar(counts, w).map((g) => g.z);
    expect(z.filter((x) => x > 3.29).length).toBeGreaterThanOrEqual(3); // p < 0.001
  });

  it('has near repeats: more burglary pairs within 200 m and 7 days than with the dates shuffled, and the Knox test finds them', () => {
    const burglaries = incidents(small, 4, 60, 100).filter((i) => i.type === 'burglary' && i.source !== 'panic_button');
    expect(burglaries.length).toBeGreaterThan(1000);
    const xy = projectToMetres(burglaries.map((b) => [b.lon, b.lat]));
    const day = burglaries.map((b) => Math.floor((b.ts + CITY_UTC_OFFSET_MS) / DAY));
    const closePairs = (days: number[]) => {
      let n = 0;
      for (let i = 0; i < xy.length; i++) {
        for (let j = i + 1; j < xy.length; j++) {
          if (Math.abs(days[i] - days[j]) < 7 && Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]) < 200) n++;
        }
      }
      return n;
    };
    const observed = closePairs(day);
    const rng = new Random(5);
    let shuffled = 0;
    for (let k = 0; k < 5; k++) {
      const d = [...day];
      for (let i = d.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [d[i], d[j]] = [d[j], d[i]];
      }
      shuffled += closePairs(d) / 5;
    }
    expect(observed).toBeGreaterThan(2 * shuffled);

    const knox = knoxTest(
      { x: xy.map((p) => p[0]), y: xy.map((p) => p[1]), day },
      { distanceBands: [1, 100, 200], timeBands: [7, 14], distance: 'euclidean', iterations: 99, seed: 1 },
    );
    const near = knox.rows.filter((r) => r.distanceTo !== null && r.distanceTo <= 200 && r.daysTo === 7);
    for (const row of near) {
      expect(row.p).toBeLessThanOrEqual(0.01);
      expect(row.ratio).toBeGreaterThan(1.5);
    }
    // Far apart, nothing to see.
    const far = knox.rows.find((r) => r.distanceTo === null && r.daysTo === null)!;
    expect(far.ratio).toBeGreaterThan(0.9);
    expect(far.ratio).toBeLessThan(1.1);
  });

  it('puts assaults at night and burglaries in working hours', () => {
    const all = incidents(small, 2, 28, 400);
    const hour = (i: IncidentRecord) => hourOfWeek(i.ts) % 24;
    const share = (type: string, hours: (h: number) => boolean) => {
      const of = all.filter((i) => i.type === type && i.source !== 'panic_button');
      return of.filter((i) => hours(hour(i))).length / of.length;
    };
    const night = (h: number) => h >= 21 || h < 3;
    const work = (h: number) => h >= 9 && h < 17;
    // Six hours of 24 are a quarter of the day; eight are a third.
    expect(share('assault', night)).toBeGreaterThan(0.35);
    expect(share('burglary', work)).toBeGreaterThan(0.37);
    expect(share('assault', work)).toBeLessThan(share('burglary', work));
  });

  it('keeps reads and incidents independent: interleaving does not change either sequence', () => {
    const plain = new Traffic(small, 4);
    const mixed = new Traffic(small, 4);
    const a = Array.from({ length: 100 }, () => plain.nextRead(T0));
    const b = Array.from({ length: 100 }, () => {
      mixed.nextIncident(T0);
      return mixed.nextRead(T0);
    });
    expect(b).toEqual(a);
  });
});

describe('rhythm and the simulated clock', () => {
  it('reads the city’s clock: hour of week from Monday 00:00 in Tashkent', () => {
    expect(hourOfWeek(MONDAY)).toBe(0);
    expect(hourOfWeek(MONDAY - 1)).toBe(167);
    expect(hourOfWeek(MONDAY + 8 * HOUR + 59 * 60_000)).toBe(8);
    expect(hourOfWeek(MONDAY + 5 * DAY + 3 * HOUR)).toBe(5 * 24 + 3);
  });

  it('keeps the weekly mean at 1 and integrates exactly', () => {
    for (const rhythm of [READ_RHYTHM, INCIDENT_RHYTHM]) {
      expect(rhythm.integral(MONDAY, MONDAY + 7 * DAY)).toBeCloseTo(7 * DAY, -1);
      expect(rhythm.integral(MONDAY + 3 * HOUR, MONDAY + 10 * DAY + 3 * HOUR)).toBeCloseTo(rhythm.integral(MONDAY + 3 * HOUR, MONDAY + 3 * DAY + 3 * HOUR) + 7 * DAY, -1);
      // The integral's slope is the rate.
      const t = MONDAY + 8.5 * HOUR;
      expect(rhythm.integral(t, t + 1000) / 1000).toBeCloseTo(rhythm.at(t), 4);
    }
    expect(READ_RHYTHM.at(MONDAY + 8 * HOUR)).toBeGreaterThan(5 * READ_RHYTHM.at(MONDAY + 3 * HOUR));
    // Weekends start later: Saturday 08:00 is quieter than Monday 08:00.
    expect(READ_RHYTHM.at(MONDAY + 5 * DAY + 8 * HOUR)).toBeLessThan(READ_RHYTHM.at(MONDAY + 8 * HOUR));
  });

  it('runs the simulated clock N× faster until it reaches the present, then in real time', () => {
    const real = Date.UTC(2026, 2, 10);
    const clock = new SimClock(real, real - DAY, 3600);
    expect(clock.at(real)).toBe(real - DAY);
    expect(clock.at(real + 1000)).toBe(real - DAY + HOUR);
    // A day behind at 3600×: caught up after 86,400,000 / 3599 ≈ 24,007 ms.
    expect(clock.at(real + 24_000)).toBe(real);
    expect(clock.at(real + 25_000)).toBe(real + 25_000);
    expect(clock.at(real + 60_000)).toBe(real + 60_000);
    expect(() => new SimClock(real, real + 1, 1)).toThrow(/future/);
    expect(() => new SimClock(real, real, 0.5)).toThrow(/speed/);
  });

  it('paces more reads at 08:00 than at 03:00 on the simulated clock, with the rate as the weekly mean', () => {
    const real = Date.UTC(2026, 2, 20);
    // One real second is one simulated hour: a week in 168 s.
    const clock = new SimClock(real, MONDAY, 3600);
    const pacer = new Pacer(100, READ_RHYTHM, clock);
    const perHour = new Array<number>(168).fill(0);
    let sent = 0;
    for (let t = real + 50; t <= real + 168_000; t += 50) {
      const owed = pacer.advance(t) - sent;
      perHour[hourOfWeek(clock.at(t) - 1)] += owed;
      sent += owed;
    }
    expect(Math.abs(sent - 100 * 168)).toBeLessThanOrEqual(1);
    for (let day = 0; day < 7; day++) expect(perHour[day * 24 + 8], `day ${day}`).toBeGreaterThan(2 * perHour[day * 24 + 3]);
    // Weekday rush hour above the weekly mean, the small hours far below it.
    expect(perHour[8]).toBeGreaterThan(150);
    expect(perHour[3]).toBeLessThan(30);
  });
});

describe('vigil simulate options', () => {
  const NOW = Date.UTC(2026, 2, 10, 12);

  it('has the documented defaults, with env for url and prefix', () => {
    expect(parseSimulateArgs([], {}, NOW)).toEqual({
      url: 'nats://127.0.0.1:4222',
      prefix: 'vigil',
      rate: 2000,
      duration: 0,
      batch: 50,
      cameras: 42_750,
      seed: 1,
      incidentsPerMinute: 30,
      start: null,
      speed: 1,
      core: false,
      api: null,
      token: null,
      watchlist: false,
      help: false,
    });
    const env = { VIGIL_NATS_URL: 'nats://nats:4222', VIGIL_NATS_PREFIX: 'city' };
    expect(parseSimulateArgs([], env, NOW)).toMatchObject({ url: 'nats://nats:4222', prefix: 'city' });
    expect(parseSimulateArgs(['--prefix', 'p2', '--core', '--batch', '1'], env, NOW)).toMatchObject({ prefix: 'p2', core: true, batch: 1 });
  });

  it('reads --start on Tashkent’s clock and --speed, starting duration × speed ago when no --start is given', () => {
    expect(parseSimulateArgs(['--start', '2026-03-02'], {}, NOW)).toMatchObject({ start: MONDAY, speed: 1 });
    expect(parseSimulateArgs(['--start', '2026-03-02T08:00:00+05:00', '--speed', '60'], {}, NOW)).toMatchObject({ start: MONDAY + 8 * HOUR, speed: 60 });
    expect(parseSimulateArgs(['--speed', '1008', '--duration', '600'], {}, NOW)).toMatchObject({ start: NOW - 7 * DAY, speed: 1008 });
  });

  it('registers with the local API when only a token is given', () => {
    expect(parseSimulateArgs(['--token', 't'], {}, NOW)).toMatchObject({ api: 'http://127.0.0.1:8080', token: 't' });
    expect(parseSimulateArgs(['--token', 't'], { VIGIL_HTTP_PORT: '9090' }, NOW)).toMatchObject({ api: 'http://127.0.0.1:9090' });
    expect(parseSimulateArgs(['--api', 'https://vigil.example:8443', '--token', 't', '--watchlist'], {}, NOW)).toMatchObject({
      api: 'https://vigil.example:8443',
      watchlist: true,
    });
  });

  it.each([
    [['--rate', '0'], /--rate must be a positive number/],
    [['--rate', 'fast'], /--rate must be a positive number/],
    [['--duration=-1'], /--duration must be a number of seconds, 0 or more/],
    [['--duration', '-1'], /'--duration' argument is ambiguous.*--duration=-XYZ/],
    [['--batch', '2.5'], /--batch must be a whole number/],
    [['--batch', '100000'], /--batch must be a whole number from 1 to/],
    [['--cameras', '0'], /--cameras must be a whole number from 1/],
    [['--seed', 'x'], /--seed must be a whole number/],
    [['--incidents-per-minute=-3'], /--incidents-per-minute must be/],
    [['--rate'], /'--rate <value>' argument missing/],
    [['--prefix', 'a.b'], /--prefix must be one subject token/],
    [['--api', 'localhost:8080', '--token', 't'], /--api must be an http\(s\) URL/],
    [['--api', 'http://127.0.0.1:8080'], /--token is required with --api/],
    [['--watchlist'], /--watchlist needs --token/],
    [['--speed', '0.5', '--duration', '10'], /--speed must be a number from 1/],
    [['--speed', '100'], /--speed needs --start .* or --duration/],
    [['--start', 'yesterday'], /--start must be an ISO 8601 date/],
    [['--start', '2026-03-02T08:00'], /--start must be an ISO 8601 date/],
    [['--start', '2026-04-01'], /--start must not be in the future/],
    [['--pace', '3'], /Unknown option '--pace'/],
  ])('refuses %j naming the option', (argv, message) => {
    expect(() => parseSimulateArgs(argv, {}, NOW)).toThrow(message);
  });
});
