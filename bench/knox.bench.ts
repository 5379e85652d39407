// Knox test on 20,000 synthetic incidents (20 km × 20 km, one year, hotspots and near repeats) with
// 99 permutations, bands 1/100/200/300 m × 7/14/21 days; checked once against an all-pairs count.
//
//   npx tsc -p tsconfig.build.json
//   node -e "import('./dist/bench/knox.bench.js').then(m=>m.knoxBench([]))"
//   … knoxBench(['--incidents', '20000', '--iterations', '99', '--seed', '1', '--distance', 'euclidean', '--no-check'])

import { parseArgs } from 'node:util';
import { KNOX_DEFAULTS, knoxTest, type KnoxDistance, type KnoxInput } from '../engine/analytics/knox.js';
import { Random, Zipf } from '../engine/util/random.js';

const SIDE_M = 20_000;
const DAYS = 365;

/**
 * Half background (uniform in space and time), a third around 400 hotspots of Zipf-distributed
 * weight (σ 250 m), the rest near repeats of an earlier incident (σ 100 m, ~5 days later).
 */
export function benchIncidents(n: number, seed: number): KnoxInput & { x: Float64Array; y: Float64Array; day: Int32Array } {
  const rng = new Random(seed);
  const hotspots = Array.from({ length: 400 }, () => [rng.uniform(0, SIDE_M), rng.uniform(0, SIDE_M)] as const);
  const zipf = new Zipf(hotspots.length, 1);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const day = new Int32Array(n);
  const inside = (v: number) => Math.min(SIDE_M, Math.max(0, v));
  for (let i = 0; i < n; i++) {
    const kind = rng.next();
    if (kind < 0.5 || i === 0) {
      x[i] = rng.uniform(0, SIDE_M);
      y[i] = rng.uniform(0, SIDE_M);
      day[i] = rng.int(DAYS);
    } else if (kind < 0.85) {
      const [hx, hy] = hotspots[zipf.sample(rng)];
      x[i] = inside(rng.normal(hx, 250));
      y[i] = inside(rng.normal(hy, 250));
      day[i] = rng.int(DAYS);
    } else {
      const j = rng.int(i);
      x[i] = inside(rng.normal(x[j], 100));
      y[i] = inside(rng.normal(y[j], 100));
      day[i] = Math.min(DAYS - 1, day[j] + Math.floor(-5 * Math.log(1 - rng.next())));
    }
  }
  return { x, y, day };
}

/** Every pair, the observed table only: what a naive implementation pays once per permutation. */
function allPairsObserved(input: ReturnType<typeof benchIncidents>, euclidean: boolean): Float64Array {
  const dE = KNOX_DEFAULTS.distanceBands;
  const tE = KNOX_DEFAULTS.timeBands;
  const width = tE.length + 1;
  const t = new Float64Array((dE.length + 1) * width);
  const { x, y, day } = input;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.abs(x[i] - x[j]);
      const dy = Math.abs(y[i] - y[j]);
      const d = euclidean ? Math.sqrt(dx * dx + dy * dy) : dx + dy;
      const dt = Math.abs(day[i] - day[j]);
      let k = 0;
      while (k < dE.length && d >= dE[k]) k++;
      let l = 0;
      while (l < tE.length && dt >= tE[l]) l++;
      t[k * width + l]++;
    }
  }
  return t;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

export async function knoxBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      incidents: { type: 'string', default: '20000' },
      iterations: { type: 'string', default: '99' },
      seed: { type: 'string', default: '1' },
      distance: { type: 'string', default: 'manhattan' },
      'no-check': { type: 'boolean', default: false },
    },
  });
  const n = Number(values.incidents);
  const iterations = Number(values.iterations);
  const seed = Number(values.seed);
  const distance = values.distance as KnoxDistance;
  const opts = { ...KNOX_DEFAULTS, distance, iterations, seed };

  let t0 = performance.now();
  const input = benchIncidents(n, seed);
  const genSeconds = seconds(t0);

  knoxTest(input, { ...opts, iterations: 3 }); // warm-up: let V8 optimise the loops first
  t0 = performance.now();
  knoxTest(input, { ...opts, iterations: 1 });
  const oneSeconds = seconds(t0);
  t0 = performance.now();
  const result = knoxTest(input, opts);
  const fullSeconds = seconds(t0);
  const perPermutationMs = ((fullSeconds - oneSeconds) / (iterations - 1 || 1)) * 1000;

  let check = 'not checked (--no-check)';
  let naiveSeconds = NaN;
  if (!values['no-check']) {
    t0 = performance.now();
    const naive = allPairsObserved(input, distance === 'euclidean');
    naiveSeconds = seconds(t0);
    const same = result.rows.every((r, c) => r.observed === naive[c]);
    if (!same) throw new Error('knox bench: the observed table differs from the all-pairs count');
    check = `observed table equal to an all-pairs count, which took ${naiveSeconds.toFixed(2)} s for the observed table alone (≈ ${(naiveSeconds * (iterations + 1)).toFixed(0)} s with ${iterations} permutations)`;
  }

  const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
  const fmt = (v: number | null) => (v === null ? '∞' : String(v));
  const lines = [
    `Knox benchmark, ${new Date().toISOString()}, Node ${process.version}: ${n} incidents over ${SIDE_M / 1000} km × ${SIDE_M / 1000} km and ${DAYS} days ` +
      `(generated in ${genSeconds.toFixed(2)} s), ${distance}, bands ${opts.distanceBands.join('/')} m × ${opts.timeBands.join('/')} days, seed ${seed}`,
    '',
    '| incidents | pairs | close pairs (< 300 m) | permutations | seconds | seconds, observed + 1 permutation | ms per permutation | RSS MB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${n} | ${result.pairs} | ${result.closePairs} | ${iterations} | ${fullSeconds.toFixed(3)} | ${oneSeconds.toFixed(3)} | ${perPermutationMs.toFixed(2)} | ${rss} |`,
    '',
    `Check: ${check}.`,
    '',
    '| metres | days | observed | expected | ratio | p |',
    '|---|---|---:|---:|---:|---:|',
    ...result.rows.map(
      (r) =>
        `| ${r.distanceFrom}–${fmt(r.distanceTo)} | ${r.daysFrom}–${fmt(r.daysTo)} | ${r.observed} | ${r.expected.toFixed(1)} | ${r.ratio === null ? '–' : r.ratio.toFixed(2)} | ${r.p.toFixed(3)} |`,
    ),
  ];
  console.log(lines.join('\n'));
}
