// Hot spots and Moran's I on a city-sized map: 10,000 areas as a 100 × 100 grid of 250 m squares,
// queen contiguity built from the polygons, Moran's I with 99 permutations, Gi* with BH and bins.
// The variable is a smooth field plus noise, so there are real hot and cold spots to find.
//
//   npx tsc -p tsconfig.build.json
//   node -e "import('./dist/bench/spatial-stats.bench.js').then(m=>m.spatialStatsBench([]))"
//   … spatialStatsBench(['--side', '100', '--permutations', '99', '--repeat', '3', '--seed', '1'])

import { parseArgs } from 'node:util';
import { benjaminiHochberg, confidenceBin, localGStar } from '../engine/analytics/getis-ord.js';
import { globalMoran, type MoranResult } from '../engine/analytics/moran.js';
import { contiguity, toWeights, type SpatialWeights } from '../engine/analytics/weights.js';
import type { PolygonCoords } from '../engine/geo/geojson.js';
import { mulberry32 } from '../engine/util/random.js';

const CELL_M = 250;

function gridSquares(side: number): PolygonCoords[][] {
  const areas: PolygonCoords[][] = [];
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const x0 = c * CELL_M;
      const y0 = r * CELL_M;
      const x1 = x0 + CELL_M;
      const y1 = y0 + CELL_M;
      areas.push([
        [
          [
            [x0, y0],
            [x1, y0],
            [x1, y1],
            [x0, y1],
            [x0, y0],
          ],
        ],
      ]);
    }
  }
  return areas;
}

/** Two bumps (a hot and a cold spot) on a gentle gradient, plus uniform noise. */
function field(side: number, seed: number): Float64Array {
  const rnd = mulberry32(seed);
  const x = new Float64Array(side * side);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const hot = Math.exp(-((r - 0.3 * side) ** 2 + (c - 0.3 * side) ** 2) / (2 * (0.08 * side) ** 2));
      const cold = Math.exp(-((r - 0.7 * side) ** 2 + (c - 0.65 * side) ** 2) / (2 * (0.06 * side) ** 2));
      x[r * side + c] = 10 + 6 * hot - 5 * cold + (2 * c) / side + 3 * rnd();
    }
  }
  return x;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

export async function spatialStatsBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      side: { type: 'string', default: '100' },
      permutations: { type: 'string', default: '99' },
      repeat: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
    },
  });
  const side = Number(values.side);
  const nsim = Number(values.permutations);
  const repeat = Math.max(1, Number(values.repeat));
  const seed = Number(values.seed);
  const polygons = gridSquares(side);
  const x = field(side, seed);

  const times: Record<string, number[]> = { queen: [], weights: [], moran: [], moranPermutations: [], gstar: [], total: [] };
  let w!: SpatialWeights;
  let links = 0;
  let moran!: MoranResult;
  let bins = new Map<number, number>();
  // The first round also warms the JIT; the median of the rounds is reported.
  for (let round = 0; round < repeat; round++) {
    const t0 = performance.now();
    const nb = timed(() => contiguity(polygons, 'queen'));
    const weights = timed(() => toWeights(nb.value, 'W'));
    w = weights.value;
    links = nb.value.reduce((s, l) => s + l.length, 0);
    const plain = timed(() => globalMoran(x, w));
    const perm = timed(() => globalMoran(x, w, { permutations: nsim, seed }));
    moran = perm.value;
    const hot = timed(() => {
      const g = localGStar(x, w);
      const pFdr = benjaminiHochberg(g.map((r) => r.p));
      return g.map((r, i) => confidenceBin(r.z, r.p, true, pFdr[i]));
    });
    bins = new Map();
    for (const b of hot.value) bins.set(b, (bins.get(b) ?? 0) + 1);
    times.queen.push(nb.ms);
    times.weights.push(weights.ms);
    times.moran.push(plain.ms);
    times.moranPermutations.push(perm.ms);
    times.gstar.push(hot.ms);
    times.total.push(performance.now() - t0);
  }
  const expectedLinks = 2 * (2 * side * (side - 1)) + 4 * (side - 1) ** 2;
  if (links !== expectedLinks) throw new Error(`spatial bench: queen found ${links} links on the grid, expected ${expectedLinks}`);

  const ms = (k: string) => median(times[k]).toFixed(1);
  const binText = [3, 2, 1, 0, -1, -2, -3].map((b) => `${b > 0 ? '+' : ''}${b}: ${bins.get(b) ?? 0}`).join(', ');
  const lines = [
    `Spatial statistics benchmark, ${new Date().toISOString()}, Node ${process.version}: ${side * side} areas ` +
      `(${side} × ${side} squares of ${CELL_M} m), ${links} queen links; median of ${repeat} rounds`,
    '',
    '| step | ms |',
    '|---|---:|',
    `| queen contiguity from the polygons | ${ms('queen')} |`,
    `| row-standardised weights | ${ms('weights')} |`,
    `| Moran's I with moments (randomisation and normality) | ${ms('moran')} |`,
    `| Moran's I with ${nsim} permutations | ${ms('moranPermutations')} |`,
    `| Gi* + Benjamini–Hochberg + bins | ${ms('gstar')} |`,
    `| all of the above | ${ms('total')} |`,
    '',
    `Moran's I = ${moran.I.toFixed(4)} (E = ${moran.expected.toExponential(3)}, z = ${moran.z.toFixed(1)}, pSim = ${moran.pSim}); ` +
      `Gi* bins with FDR: ${binText}.`,
  ];
  console.log(lines.join('\n'));
}
