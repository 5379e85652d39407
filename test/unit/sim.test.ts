// The simulated city: replayable from its seed, and everything it produces passes the same
// checks real producers' records do.

import { describe, expect, it } from 'vitest';
import { toDetection } from '../../engine/domain/detection.js';
import { toIncident } from '../../engine/domain/incident.js';
import { AreaIndex } from '../../engine/geo/area-index.js';
import { checkAreaGeometry, polygonContains } from '../../engine/geo/geojson.js';
import { areasFromGeoJson } from '../../api/routes/areas.js';
import { normalisePlate } from '../../engine/domain/plate.js';
import { buildCity, FACE_DIM, PLATE_REGIONS, TASHKENT_BBOX } from '../../engine/sim/city.js';
import { Random, Zipf } from '../../engine/sim/random.js';
import { INCIDENT_TYPES, Traffic } from '../../engine/sim/traffic.js';
import { parseSimulateArgs } from '../../engine/sim/simulate-command.js';

const REGION = `(?:${PLATE_REGIONS.join('|')})`;
const PRIVATE = new RegExp(`^${REGION} [A-Z] \\d{3} [A-Z]{2}$`);
const COMPANY = new RegExp(`^${REGION} \\d{3} [A-Z]{3}$`);
const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);

function reads(seed: number, n: number, cameras = 200) {
  const traffic = new Traffic(buildCity({ seed, cameras }), seed);
  return Array.from({ length: n }, (_, i) => traffic.nextRead(T0 + i * 10));
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
});

describe('city', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = buildCity({ seed: 5, cameras: 300 });
    expect(buildCity({ seed: 5, cameras: 300 })).toEqual(a);
    const b = buildCity({ seed: 6, cameras: 300 });
    expect(b.cameras).not.toEqual(a.cameras);
    expect(b.plates).not.toEqual(a.plates);
  });

  it('has 12 districts by default, valid GeoJSON with id, name and population', () => {
    const city = buildCity({ seed: 1, cameras: 10 });
    expect(city.areas.type).toBe('FeatureCollection');
    expect(city.areas.features).toHaveLength(12);
    const ids = new Set<string>();
    for (const [i, f] of city.areas.features.entries()) {
      expect(() => checkAreaGeometry(f.geometry, `features[${i}].geometry`)).not.toThrow();
      expect(f.properties.name).toEqual(expect.any(String));
      expect(Number.isInteger(f.properties.population) && f.properties.population > 0).toBe(true);
      ids.add(f.properties.id);
    }
    expect(ids.size).toBe(12);
  });

  it('is accepted by the areas upload, with population as a factor', () => {
    const city = buildCity({ seed: 1, cameras: 10, districts: 7 });
    const areas = areasFromGeoJson(city.areas);
    expect(areas).toHaveLength(7);
    expect(areas[0]).toMatchObject({ id: 'district-01', name: 'Bektemir', factors: { population: expect.any(Number) } });
  });

  it('keeps its districts and plates when only the camera count changes', () => {
    const small = buildCity({ seed: 2, cameras: 10 });
    const large = buildCity({ seed: 2, cameras: 1000 });
    expect(large.areas).toEqual(small.areas);
    expect(large.plates).toEqual(small.plates);
    expect(large.cameras.slice(0, 10)).toEqual(small.cameras);
  });

  it.each([1, 5, 7, 12, 20])('tiles the bounding box with %i districts', (districts) => {
    const city = buildCity({ seed: 3, cameras: 400, districts });
    expect(city.areas.features).toHaveLength(districts);
    const index = new AreaIndex(city.areas.features.map((f) => ({ id: f.properties.id, geometry: f.geometry })));
    const rng = new Random(9);
    for (let i = 0; i < 500; i++) {
      const lat = rng.uniform(TASHKENT_BBOX.south + 1e-6, TASHKENT_BBOX.north - 1e-6);
      const lon = rng.uniform(TASHKENT_BBOX.west + 1e-6, TASHKENT_BBOX.east - 1e-6);
      expect(index.locate(lon, lat)).not.toBeNull();
    }
  });

  it.each([1, 2, 3])('puts every camera inside the bbox and inside exactly one district (seed %i)', (seed) => {
    const city = buildCity({ seed, cameras: 1000, districts: seed === 3 ? 7 : 12 });
    expect(city.cameras).toHaveLength(1000);
    const index = new AreaIndex(city.areas.features.map((f) => ({ id: f.properties.id, geometry: f.geometry })));
    for (const c of city.cameras) {
      expect(c.id).toMatch(/^cam-\d{5}$/);
      expect(['plate', 'face', 'panoramic']).toContain(c.kind);
      expect(c.lat).toBeGreaterThan(TASHKENT_BBOX.south);
      expect(c.lat).toBeLessThan(TASHKENT_BBOX.north);
      expect(c.lon).toBeGreaterThan(TASHKENT_BBOX.west);
      expect(c.lon).toBeLessThan(TASHKENT_BBOX.east);
      const containing = city.areas.features.filter((f) => polygonContains(f.geometry.coordinates, c.lon, c.lat));
      expect(containing).toHaveLength(1);
      expect(index.locate(c.lon, c.lat)).toBe(containing[0].properties.id);
    }
    expect(new Set(city.cameras.map((c) => c.id)).size).toBe(1000);
  });

  it('makes unique plates in the two Uzbek formats, mostly private', () => {
    const { plates } = buildCity({ seed: 1, cameras: 1 });
    expect(plates.length).toBe(20_000);
    expect(new Set(plates).size).toBe(plates.length);
    for (const p of plates) expect(PRIVATE.test(p) || COMPANY.test(p)).toBe(true);
    const companies = plates.filter((p) => COMPANY.test(p)).length;
    expect(companies).toBeGreaterThan(0);
    expect(companies / plates.length).toBeLessThan(0.3);
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

  it('sends a few mobile reads with their own position inside the bbox', () => {
    const mobile = reads(1, 5000).filter((r) => r.lat !== undefined);
    expect(mobile.length).toBeGreaterThan(50);
    expect(mobile.length).toBeLessThan(400);
    for (const r of mobile) {
      expect(r.camera).toMatch(/^patrol-\d{2}$/);
      expect(r.lat! > TASHKENT_BBOX.south && r.lat! < TASHKENT_BBOX.north).toBe(true);
      expect(r.lon! > TASHKENT_BBOX.west && r.lon! < TASHKENT_BBOX.east).toBe(true);
    }
  });

  it('repeats a few plates often (Zipf) and misreads a few', () => {
    const city = buildCity({ seed: 1, cameras: 200 });
    const pool = new Set(city.plates.map((p) => normalisePlate(p)));
    const plates = reads(1, 20_000)
      .filter((r) => r.kind === 'plate')
      .map((r) => normalisePlate(r.plate!)!);
    const counts = new Map<string, number>();
    for (const p of plates) counts.set(p, (counts.get(p) ?? 0) + 1);
    const top = Math.max(...counts.values());
    expect(top).toBeGreaterThan(plates.length / 200);
    const misread = plates.filter((p) => !pool.has(p)).length / plates.length;
    expect(misread).toBeGreaterThan(0.02);
    expect(misread).toBeLessThan(0.1);
  });

  it('makes incidents that pass the engine’s checks, with panic alarms among them', () => {
    const city = buildCity({ seed: 1, cameras: 50 });
    const traffic = new Traffic(city, 1);
    const incidents = Array.from({ length: 2000 }, (_, i) => traffic.nextIncident(T0 + i * 1000));
    for (const inc of incidents) {
      const parsed = toIncident(inc, inc.type, inc.ts);
      expect(INCIDENT_TYPES).toContain(parsed.type);
      expect(parsed.severity! >= 1 && parsed.severity! <= 5).toBe(true);
      expect(inc.lat > TASHKENT_BBOX.south && inc.lat < TASHKENT_BBOX.north).toBe(true);
      expect(inc.lon > TASHKENT_BBOX.west && inc.lon < TASHKENT_BBOX.east).toBe(true);
      // Also as the engine receives JSON.
      expect(toIncident(JSON.parse(JSON.stringify(inc)), 'x', inc.ts)).toEqual(parsed);
    }
    expect(new Set(incidents.map((i) => i.id)).size).toBe(incidents.length);
    const panic = incidents.filter((i) => i.source === 'panic_button');
    expect(panic.length).toBeGreaterThan(20);
    expect(panic.length).toBeLessThan(250);
    expect(panic.every((i) => i.severity >= 4)).toBe(true);
    for (const type of INCIDENT_TYPES) expect(incidents.some((i) => i.type === type)).toBe(true);
  });

  it('clusters incidents: the densest districts hold far more than an even share', () => {
    const city = buildCity({ seed: 1, cameras: 10, districts: 20 });
    const index = new AreaIndex(city.areas.features.map((f) => ({ id: f.properties.id, geometry: f.geometry })));
    const traffic = new Traffic(city, 1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const inc = traffic.nextIncident(T0);
      const area = index.locate(inc.lon, inc.lat) ?? 'none';
      counts.set(area, (counts.get(area) ?? 0) + 1);
    }
    expect(Math.max(...counts.values())).toBeGreaterThan((4000 / 20) * 2);
  });

  it('keeps reads and incidents independent: interleaving does not change either sequence', () => {
    const city = buildCity({ seed: 4, cameras: 100 });
    const plain = new Traffic(city, 4);
    const mixed = new Traffic(city, 4);
    const a = Array.from({ length: 100 }, () => plain.nextRead(T0));
    const b = Array.from({ length: 100 }, () => {
      mixed.nextIncident(T0);
      return mixed.nextRead(T0);
    });
    expect(b).toEqual(a);
  });
});

describe('vigil simulate options', () => {
  it('has the documented defaults, with env for url and prefix', () => {
    expect(parseSimulateArgs([], {})).toEqual({
      url: 'nats://127.0.0.1:4222',
      prefix: 'vigil',
      rate: 2000,
      duration: 0,
      batch: 50,
      cameras: 500,
      seed: 1,
      incidentsPerMinute: 30,
      core: false,
      api: null,
      token: null,
      help: false,
    });
    const env = { VIGIL_NATS_URL: 'nats://nats:4222', VIGIL_NATS_PREFIX: 'city' };
    expect(parseSimulateArgs([], env)).toMatchObject({ url: 'nats://nats:4222', prefix: 'city' });
    expect(parseSimulateArgs(['--prefix', 'p2', '--core', '--batch', '1'], env)).toMatchObject({ prefix: 'p2', core: true, batch: 1 });
  });

  it.each([
    [['--rate', '0'], /--rate must be a positive number/],
    [['--rate', 'fast'], /--rate must be a positive number/],
    [['--duration=-1'], /--duration must be a number of seconds, 0 or more/],
    [['--duration', '-1'], /'--duration' argument is ambiguous.*--duration=-XYZ/],
    [['--batch', '2.5'], /--batch must be a whole number/],
    [['--batch', '100000'], /--batch must be a whole number from 1 to/],
    [['--cameras', '0'], /--cameras must be a positive whole number/],
    [['--seed', 'x'], /--seed must be a whole number/],
    [['--incidents-per-minute=-3'], /--incidents-per-minute must be/],
    [['--rate'], /'--rate <value>' argument missing/],
    [['--prefix', 'a.b'], /--prefix must be one subject token/],
    [['--api', 'localhost:8080', '--token', 't'], /--api must be an http\(s\) URL/],
    [['--api', 'http://127.0.0.1:8080'], /--token is required with --api/],
    [['--token', 't'], /--token is only used with --api/],
    [['--speed', '3'], /Unknown option '--speed'/],
  ])('refuses %j naming the option', (argv, message) => {
    expect(() => parseSimulateArgs(argv, {})).toThrow(message);
  });
});
