// The simulated city's traffic: reads and incidents that pass the same checks real producers'
// records do, with the rhythms and clusters the analytics look for.

import { describe, expect, it } from 'vitest';
import { toDetection } from '../../engine/domain/detection.js';
import { toIncident } from '../../engine/domain/incident.js';
import { normalisePlate } from '../../engine/domain/plate.js';
import { contiguity, projectToMetres, toWeights } from '../../engine/analytics/weights.js';
import { localGStar } from '../../engine/analytics/getis-ord.js';
import { knoxTest } from '../../engine/analytics/knox.js';
import { buildCity, DEFAULT_CAMERAS, FACE_DIM, type SimCity } from '../../engine/sim/city.js';
import { distanceMetres, type LatLon } from '../../engine/sim/local-frame.js';
import { positionAt } from '../../engine/sim/mobiles.js';
import { Random } from '../../engine/util/random.js';
import { CITY_UTC_OFFSET_MS, hourOfWeek } from '../../engine/sim/rhythm.js';
import { INCIDENT_TYPES, Traffic, type IncidentRecord } from '../../engine/sim/traffic.js';
import { areaIndex, toSegment } from '../helpers/sim-fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2 March 2026, 09:00 in Tashkent. */
const T0 = Date.UTC(2026, 2, 2, 9) - CITY_UTC_OFFSET_MS;
/** Monday 2 March 2026, 00:00 in Tashkent. */
const MONDAY = Date.UTC(2026, 2, 2) - CITY_UTC_OFFSET_MS;
// Built once: the default city is the one users get, and tests only read it.
const big = buildCity({ seed: 1, cameras: DEFAULT_CAMERAS });
const small = buildCity({ seed: 1, cameras: 300 });

function reads(seed: number, n: number, cameras = 300) {
  const traffic = new Traffic(buildCity({ seed, cameras }), seed);
  return Array.from({ length: n }, (_, i) => traffic.nextRead(T0 + i * 10));
}

/** Incidents as the simulator would report them, `perDay` a day for `days` days from `start`. */
function incidents(city: SimCity, seed: number, days: number, perDay: number, start = MONDAY): IncidentRecord[] {
  const traffic = new Traffic(city, seed);
  const n = days * perDay;
  return Array.from({ length: n }, (_, i) => traffic.nextIncident(start + Math.floor((i * days * DAY) / n)));
}

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
    const w = toWeights(
      contiguity(
        big.areas.features.map((f) => [f.geometry.coordinates]),
        'queen',
      ),
      'W',
    );
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
