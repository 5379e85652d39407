// Face matching throughput, one thread: a naive per-face loop, FaceMatcher.match and matchMany
// (in batches) with each kernel, and usearch's exactSearch when it can be loaded, all on the same
// random unit vectors in the same run, with each fast path checked against the naive one.
//
//   node -e "import('./dist/bench/face-matcher.bench.js').then(m=>m.faceMatcherBench([]))"
//   options: --entries 10000 --dim 512 --faces 64,256 --batches 16,64 --seconds 0.5 --rounds 3
//            --usearch <module or path> (measured only where it loads)

import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { FaceMatcher, l2normalise, type FaceMatch } from '../engine/match/face-matcher.js';
import { Random } from '../engine/util/random.js';

const THRESHOLD = 0.6;

interface Case {
  method: string;
  run: () => void;
  /** Agreement with the naive answers of the last run. */
  check: () => string;
}

interface Run {
  method: string;
  faces: number;
  facesPerSec: number;
  vsNaive: number;
  agree: string;
}

function gaussian(rng: Random): number {
  let u = 0;
  while (u === 0) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

function unitVector(rng: Random, dim: number): Float32Array {
  return l2normalise(Float32Array.from({ length: dim }, () => gaussian(rng)))!;
}

/** Runs fn over the faces until `seconds` have passed (at least twice), after one warm-up; returns faces/s. */
function measure(faces: number, seconds: number, fn: () => void): number {
  fn();
  let rounds = 0;
  const start = performance.now();
  do {
    fn();
    rounds++;
  } while (performance.now() - start < seconds * 1000 || rounds < 2);
  return (rounds * faces) / ((performance.now() - start) / 1000);
}

/** The plain way: per face, normalise, one dot product per entry, keep the best live one at or above the threshold. */
function naiveMatch(
  matrix: Float32Array,
  rows: number,
  dim: number,
  expiresAt: Float64Array,
  face: Float32Array,
  now: number,
): FaceMatch | null {
  const q = l2normalise(face);
  if (q === null) return null;
  let best = -Infinity;
  let bestRow = -1;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += matrix[r * dim + d] * q[d];
    if (s >= THRESHOLD && s > best && expiresAt[r] > now) {
      best = s;
      bestRow = r;
    }
  }
  return bestRow < 0 ? null : { list: 0, entry: bestRow, score: best };
}

interface UsearchModule {
  exactSearch(dataset: Float32Array, queries: Float32Array, dim: number, count: number, metric: string, threads: number): unknown;
  MetricKind: { IP: string };
}

/**
 * usearch through its CommonJS entry: the ESM one finds its binary by walking the call stack and
 * overflows it when the import chain starts in a CommonJS script such as `node -e`.
 */
function loadUsearch(specifier: string): UsearchModule | string {
  try {
    const mod = createRequire(import.meta.url)(specifier) as UsearchModule;
    return typeof mod.exactSearch === 'function' ? mod : 'no exactSearch export';
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

/** Top-1 keys and similarities from an exactSearch result, whether it answered one query or many. */
function usearchTop(result: unknown, faces: number): { keys: number[]; scores: number[] } {
  const r = result as { keys: BigUint64Array; distances: Float32Array; k?: number };
  const k = faces === 1 ? 1 : Number(r.k);
  const keys: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < faces; i++) {
    keys.push(Number(r.keys[i * k]));
    scores.push(1 - r.distances[i * k]); // inner-product distance is 1 - dot
  }
  return { keys, scores };
}

export async function faceMatcherBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      entries: { type: 'string', default: '10000' },
      dim: { type: 'string', default: '512' },
      faces: { type: 'string', default: '64,256' },
      batches: { type: 'string', default: '16,64' },
      seconds: { type: 'string', default: '0.5' },
      rounds: { type: 'string', default: '3' },
      usearch: { type: 'string', default: 'usearch' },
      seed: { type: 'string', default: '1' },
    },
  });
  const n = Number(values.entries);
  const dim = Number(values.dim);
  const faceCounts = values.faces.split(',').map(Number);
  const batches = values.batches.split(',').map(Number);
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const rng = new Random(Number(values.seed));
  const now = 1_700_000_000_000;

  const t0 = performance.now();
  const embeddings = Array.from({ length: n }, () => unitVector(rng, dim));
  // One entry in twenty has expired, so the live-entry rule is part of what is measured.
  const expiresAt = Float64Array.from({ length: n }, () => (rng.chance(0.05) ? now - 1 : Infinity));
  const specs = embeddings.map((embedding, i) => ({ list: 0, embedding, expiresAt: expiresAt[i] }));
  const matchers = (['js', 'wasm-simd'] as const).map((kernel) => FaceMatcher.build([{ dim, threshold: THRESHOLD }], specs, { kernel }));
  const matrix = new Float32Array(n * dim);
  embeddings.forEach((e, i) => matrix.set(e, i * dim));
  console.log(
    `face-matcher bench: ${n} × ${dim}-d unit vectors, threshold ${THRESHOLD}, one thread, best of ${rounds} interleaved rounds; ` +
      `both matchers built in ${(performance.now() - t0).toFixed(0)} ms, ${(matchers[0].byteSize / 2 ** 20).toFixed(1)} MiB each`,
  );

  const usearch = loadUsearch(values.usearch);
  if (typeof usearch === 'string') console.log(`usearch not measured: ${usearch}`);
  // exactSearch knows no threshold or expiry: its top-1 is checked against the best of all entries.
  const anyEntry = FaceMatcher.build(
    [{ dim, threshold: -1 }],
    embeddings.map((embedding) => ({ list: 0, embedding, expiresAt: Infinity })),
  );

  const runs: Run[] = [];
  for (const faceCount of faceCounts) {
    // Half the faces are entries seen again with noise (they should match), half are strangers.
    const faces = Array.from({ length: faceCount }, (_, i) => {
      if (i % 2 === 1) return unitVector(rng, dim);
      const e = embeddings[rng.int(n)];
      return e.map((x) => x + gaussian(rng) * 0.03);
    });
    const naive: (FaceMatch | null)[] = [];
    /** How many faces got the naive answer: bit-identical, or the same entry (and the largest score difference). */
    const agreement = (got: FaceMatch[][]): string => {
      let identical = 0;
      let sameEntry = 0;
      let diff = 0;
      faces.forEach((_, i) => {
        const want = naive[i];
        const g = got[i];
        if (want === null ? g.length === 0 : g.length === 1 && g[0].entry === want.entry) {
          sameEntry++;
          if (want === null || g[0].score === want.score) identical++;
          if (want !== null) diff = Math.max(diff, Math.abs(g[0].score - want.score));
        }
      });
      return identical === faces.length
        ? `${identical}/${faces.length} identical`
        : `${sameEntry}/${faces.length} same entry, |Δscore| ≤ ${diff.toExponential(1)}`;
    };

    const cases: Case[] = [
      {
        method: '(a) naive per-face JS',
        run: () => {
          naive.length = 0;
          for (const f of faces) naive.push(naiveMatch(matrix, n, dim, expiresAt, f, now));
        },
        check: () => `${naive.filter((m) => m !== null).length} matched`,
      },
    ];
    for (const matcher of matchers) {
      let single: FaceMatch[][] = [];
      cases.push({
        method: `(b) match, ${matcher.kernel}`,
        run: () => {
          single = faces.map((f) => {
            const out: FaceMatch[] = [];
            matcher.match(f, now, out);
            return out;
          });
        },
        check: () => agreement(single),
      });
      for (const batch of batches) {
        let many: FaceMatch[][] = [];
        cases.push({
          method: `(c) matchMany ×${batch}, ${matcher.kernel}`,
          run: () => {
            many = [];
            for (let s = 0; s < faces.length; s += batch) many.push(...matcher.matchMany(faces.slice(s, s + batch), now));
          },
          check: () => agreement(many),
        });
      }
    }
    if (typeof usearch !== 'string') {
      const top = faces.map((f) => {
        const out: FaceMatch[] = [];
        anyEntry.match(f, now, out);
        return out[0];
      });
      const queries = new Float32Array(faceCount * dim);
      faces.forEach((f, i) => queries.set(l2normalise(f)!, i * dim));
      for (const batch of [1, ...batches]) {
        // Copies, not subarrays: exactSearch reads a typed array from the start of its buffer.
        const parts: Float32Array[] = [];
        for (let s = 0; s < faceCount; s += batch) parts.push(queries.slice(s * dim, Math.min(faceCount, s + batch) * dim));
        const got: { keys: number[]; scores: number[] } = { keys: [], scores: [] };
        cases.push({
          method: `(d) usearch exactSearch ×${batch}`,
          run: () => {
            got.keys.length = 0;
            got.scores.length = 0;
            for (const part of parts) {
              const r = usearchTop(usearch.exactSearch(matrix, part, dim, 1, usearch.MetricKind.IP, 1), part.length / dim);
              got.keys.push(...r.keys);
              got.scores.push(...r.scores);
            }
          },
          check: () => {
            const agree = top.filter((t, i) => t.entry === got.keys[i]).length;
            const diff = Math.max(...top.map((t, i) => Math.abs(t.score - got.scores[i])));
            return `top-1 ${agree}/${faceCount} same, |Δscore| ≤ ${diff.toExponential(1)}`;
          },
        });
      }
    }

    // Rounds interleave the methods, so a busy spell on a shared machine hits them all alike;
    // each method keeps its best round.
    const best = cases.map(() => 0);
    for (let round = 0; round < rounds; round++) {
      cases.forEach((c, i) => (best[i] = Math.max(best[i], measure(faceCount, seconds, c.run))));
    }
    cases.forEach((c, i) =>
      runs.push({
        method: c.method,
        faces: faceCount,
        facesPerSec: Math.round(best[i]),
        vsNaive: Number((best[i] / best[0]).toFixed(2)),
        agree: c.check(),
      }),
    );
  }

  const width = Math.max(...runs.map((r) => r.method.length));
  console.log(`${'method'.padEnd(width)}  faces  faces/s   × (a)  vs naive`);
  for (const r of runs) {
    console.log(
      `${r.method.padEnd(width)}  ${String(r.faces).padStart(5)}  ${String(r.facesPerSec).padStart(7)}  ${r.vsNaive.toFixed(2).padStart(6)}  ${r.agree}`,
    );
  }
  console.log(JSON.stringify({ bench: 'face-matcher', entries: n, dim, runs }));
}
