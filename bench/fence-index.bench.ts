// FenceIndex throughput: which of 1,000 geofences (half polygons of ~50 vertices, half circles)
// hold a random point in Tashkent's bbox (41.20–41.40 N, 69.10–69.40 E), beside two baselines
// in the same run: brute force (the exact test against every fence) and a linear scan of the
// fence bboxes before the exact test. All three must find the same hits.
//
//   npx tsc -p tsconfig.build.json
//   node -e "import('./dist/bench/fence-index.bench.js').then(m=>m.fenceIndexBench([]))"
//   … fenceIndexBench(['--fences', '1000', '--points', '200000', '--brute-points', '2000', '--seed', '1'])

import { M_PER_DEG_LAT, metresPerDegLon } from '../engine/geo/earth.js';
import { parseArgs } from 'node:util';
import { fenceBBox, fenceContains, FenceIndex, type FenceGeometry } from '../engine/geo/fence-geometry.js';
import type { Ring } from '../engine/geo/geojson.js';
import { mulberry32 } from '../engine/util/random.js';

const BBOX = { minLon: 69.1, maxLon: 69.4, minLat: 41.2, maxLat: 41.4 };

/** Star-shaped ring of n vertices around (lon, lat), radii in metres. */
function star(rnd: () => number, lon: number, lat: number, n: number, rMin: number, rMax: number): Ring {
  const mPerDegLon = metresPerDegLon(lat);
  const ring: Ring = [];
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    const r = rMin + rnd() * (rMax - rMin);
    ring.push([lon + (r * Math.cos(a)) / mPerDegLon, lat + (r * Math.sin(a)) / M_PER_DEG_LAT]);
  }
  ring.push([ring[0][0], ring[0][1]]);
  return ring;
}

/** Half polygons (45–55 vertices, 300–1,500 m across the radius, a tenth with a hole), half circles (100–1,500 m). */
export function benchFences(count: number, seed: number): { id: number; geometry: FenceGeometry }[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: count }, (_, id) => {
    const lon = BBOX.minLon + rnd() * (BBOX.maxLon - BBOX.minLon);
    const lat = BBOX.minLat + rnd() * (BBOX.maxLat - BBOX.minLat);
    if (id % 2 === 1) return { id, geometry: { type: 'Circle', center: [lon, lat], radiusM: 100 + rnd() * 1400 } };
    const rings = [star(rnd, lon, lat, 45 + Math.floor(rnd() * 11), 300, 1500)];
    if (rnd() < 0.1) rings.push(star(rnd, lon, lat, 12, 50, 250));
    return { id, geometry: { type: 'Polygon', coordinates: rings } };
  });
}

interface Run {
  method: string;
  points: number;
  seconds: number;
  pointsPerSec: number;
  hits: number;
  checksum: number;
}

function time(method: string, points: Float64Array, n: number, find: (lon: number, lat: number, out: number[]) => number[]): Run {
  const out: number[] = [];
  // Warm up on other points than the measured ones would also do; the same ones are fine here.
  for (let i = 0; i < Math.min(n, 500); i++) find(points[2 * i], points[2 * i + 1], out);
  let hits = 0;
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const ids = find(points[2 * i], points[2 * i + 1], out);
    hits += ids.length;
    for (let k = 0; k < ids.length; k++) checksum = (checksum * 31 + ids[k] + 1 + i) % 1_000_000_007;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { method, points: n, seconds, pointsPerSec: n / seconds, hits, checksum };
}

export async function fenceIndexBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      fences: { type: 'string', default: '1000' },
      points: { type: 'string', default: '200000' },
      'brute-points': { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
    },
  });
  const nFences = Number(values.fences);
  const nPoints = Number(values.points);
  const nBrute = Math.min(nPoints, Number(values['brute-points']));
  const seed = Number(values.seed);

  const fences = benchFences(nFences, seed);
  const t0 = performance.now();
  const index = new FenceIndex(fences);
  const buildMs = performance.now() - t0;

  const rnd = mulberry32(seed + 1);
  const points = new Float64Array(2 * nPoints);
  for (let i = 0; i < nPoints; i++) {
    points[2 * i] = BBOX.minLon + rnd() * (BBOX.maxLon - BBOX.minLon);
    points[2 * i + 1] = BBOX.minLat + rnd() * (BBOX.maxLat - BBOX.minLat);
  }

  // Baselines: fences in ascending id order, so their answers come out ascending too.
  const sorted = [...fences].sort((a, b) => a.id - b.id);
  const bboxes = sorted.map((f) => fenceBBox(f.geometry));
  const brute = (lon: number, lat: number, out: number[]): number[] => {
    out.length = 0;
    for (const f of sorted) if (fenceContains(f.geometry, lon, lat)) out.push(f.id);
    return out;
  };
  let candidates = 0; // bbox hits, counted by the scan
  const scan = (lon: number, lat: number, out: number[]): number[] => {
    out.length = 0;
    for (let k = 0; k < sorted.length; k++) {
      const b = bboxes[k];
      if (lon >= b[0] && lat >= b[1] && lon <= b[2] && lat <= b[3]) {
        candidates++;
        if (fenceContains(sorted[k].geometry, lon, lat)) out.push(sorted[k].id);
      }
    }
    return out;
  };

  const runs = [
    time('brute force (exact test on every fence)', points, nBrute, brute),
    time('linear bbox scan + exact test', points, nBrute, scan),
    time('FenceIndex, same points as brute force', points, nBrute, (lon, lat, out) => index.containing(lon, lat, out)),
    time('FenceIndex', points, nPoints, (lon, lat, out) => index.containing(lon, lat, out)),
  ];
  const [b, s, same] = runs;
  if (b.checksum !== same.checksum || b.hits !== same.hits || s.checksum !== same.checksum) {
    throw new Error(`fence bench: the index and brute force disagree (hits ${same.hits} vs ${b.hits})`);
  }
  const indexed = runs[3];
  const warmed = Math.min(nBrute, 500); // the scan's warm-up also counted
  const candidatesPerPoint = candidates / (nBrute + warmed);
  const lines = [
    `FenceIndex benchmark, ${new Date().toISOString()}, Node ${process.version}: ${nFences} fences ` +
      `(${Math.ceil(nFences / 2)} polygons of 45–55 vertices, ${Math.floor(nFences / 2)} circles) over Tashkent, ` +
      `index built in ${buildMs.toFixed(1)} ms; the average point lies in ${candidatesPerPoint.toFixed(2)} fence bboxes ` +
      `and ${(indexed.hits / indexed.points).toFixed(2)} fences`,
    '',
    '| method | points | seconds | points/s | µs/point | hits | speed-up over brute force |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...runs.map(
      (r) =>
        `| ${r.method} | ${r.points} | ${r.seconds.toFixed(3)} | ${Math.round(r.pointsPerSec)} | ${(1e6 / r.pointsPerSec).toFixed(2)} | ${r.hits} | ${(r.pointsPerSec / b.pointsPerSec).toFixed(1)}× |`,
    ),
    '',
    `Answers agree on the ${nBrute} shared points (${b.hits} hits).`,
  ];
  console.log(lines.join('\n'));
}
