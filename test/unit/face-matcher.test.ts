// engine/match/face-matcher.ts: cosine matching of face embeddings against watchlists,
// checked against a direct float64 cosine computed here from the raw (unnormalised) vectors.

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FaceMatcher,
  l2normalise,
  type FaceEntrySpec,
  type FaceKernel,
  type FaceListSpec,
  type FaceMatch,
} from '../../engine/match/face-matcher.js';
import { Random } from '../../engine/util/random.js';

function gaussian(rng: Random): number {
  let u = 0;
  while (u === 0) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A random direction at a random scale (the matcher must not care about scale). */
function randomFace(rng: Random, dim: number): Float32Array {
  const scale = rng.uniform(0.1, 50);
  return Float32Array.from({ length: dim }, () => gaussian(rng) * scale);
}

/** v plus gaussian noise of the given size relative to v's length per component. */
function noisy(rng: Random, v: Float32Array, sigma: number): Float32Array {
  const len = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) / Math.sqrt(v.length);
  return v.map((x) => x + gaussian(rng) * sigma * len);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** The rule written out plainly: per list of the face's dim, the best live entry at or above threshold, lower index on ties. */
function reference(lists: readonly FaceListSpec[], entries: readonly FaceEntrySpec[], face: Float32Array, now: number): FaceMatch[] {
  const out: FaceMatch[] = [];
  lists.forEach((l, li) => {
    if (l.dim !== face.length) return;
    let best: FaceMatch | null = null;
    entries.forEach((e, ei) => {
      if (e.list !== li || e.expiresAt <= now) return;
      const score = cosine(face, e.embedding);
      if (score >= l.threshold && (best === null || score > best.score)) best = { list: li, entry: ei, score };
    });
    if (best) out.push(best);
  });
  return out;
}

function matchOne(m: FaceMatcher, face: Float32Array, now = 0): FaceMatch[] {
  const out: FaceMatch[] = [];
  const n = m.match(face, now, out);
  expect(out).toHaveLength(n);
  return out;
}

const NOW = 1_700_000_000_000;

describe('l2normalise', () => {
  it('returns a unit copy and leaves the input alone', () => {
    const v = new Float32Array([3, 0, 4]);
    const u = l2normalise(v)!;
    expect(Array.from(u)).toEqual([Math.fround(0.6), 0, Math.fround(0.8)]);
    expect(Array.from(v)).toEqual([3, 0, 4]);
  });

  it('returns null for a zero, empty or non-finite vector', () => {
    expect(l2normalise(new Float32Array(512))).toBeNull();
    expect(l2normalise(new Float32Array(0))).toBeNull();
    expect(l2normalise(new Float32Array([1, Number.NaN]))).toBeNull();
    expect(l2normalise(new Float32Array([1, Number.POSITIVE_INFINITY]))).toBeNull();
  });
});

describe.each<FaceKernel>(['wasm-simd', 'js'])('FaceMatcher, %s kernel', (kernel) => {
  const build = (lists: readonly FaceListSpec[], entries: readonly FaceEntrySpec[]) => {
    const m = FaceMatcher.build(lists, entries, { kernel });
    expect(m.kernel).toBe(kernel);
    return m;
  };

  it('matches a known face seen with noise to its entry, with the cosine as score', () => {
    const rng = new Random(1);
    const entries = Array.from({ length: 50 }, () => ({ list: 0, embedding: randomFace(rng, 128), expiresAt: Infinity }));
    const m = build([{ dim: 128, threshold: 0.6 }], entries);
    const face = noisy(rng, entries[17].embedding, 0.5);
    const direct = cosine(face, entries[17].embedding);
    expect(direct).toBeGreaterThan(0.8);
    expect(direct).toBeLessThan(0.95);
    const got = matchOne(m, face, NOW);
    expect(got).toHaveLength(1);
    expect(got[0].list).toBe(0);
    expect(got[0].entry).toBe(17);
    expect(Math.abs(got[0].score - direct)).toBeLessThan(1e-5);
  });

  it('gives no match for an unknown face', () => {
    const rng = new Random(2);
    const entries = Array.from({ length: 200 }, () => ({ list: 0, embedding: randomFace(rng, 512), expiresAt: Infinity }));
    const m = build([{ dim: 512, threshold: 0.6 }], entries);
    for (let i = 0; i < 20; i++) {
      expect(matchOne(m, randomFace(rng, 512), NOW)).toEqual([]);
    }
    expect(m.matchMany([randomFace(rng, 512), randomFace(rng, 512)], NOW)).toEqual([[], []]);
  });

  it('matches at exactly the threshold and not above it', () => {
    // [1,1,1,1] normalises to halves exactly, so the cosine with [1,0,0,0] is exactly 0.5.
    const entries = [{ list: 0, embedding: new Float32Array([2, 0, 0, 0]), expiresAt: Infinity }];
    const face = new Float32Array([1, 1, 1, 1]);
    const at = (threshold: number) => build([{ dim: 4, threshold }], entries);
    expect(matchOne(at(0.5), face)).toEqual([{ list: 0, entry: 0, score: 0.5 }]);
    expect(matchOne(at(0.4999999), face)).toHaveLength(1);
    expect(matchOne(at(0.5000001), face)).toEqual([]);
    expect(at(0.5).matchMany([face], 0)).toEqual([[{ list: 0, entry: 0, score: 0.5 }]]);
    expect(at(0.5000001).matchMany([face], 0)).toEqual([[]]);
  });

  it('skips an expired entry for the next-best live one', () => {
    const rng = new Random(3);
    const base = randomFace(rng, 64);
    const entries: FaceEntrySpec[] = [
      { list: 0, embedding: randomFace(rng, 64), expiresAt: Infinity },
      { list: 0, embedding: noisy(rng, base, 0.1), expiresAt: NOW }, // the best, but expires now
      { list: 0, embedding: noisy(rng, base, 0.4), expiresAt: NOW + 1 }, // second best, live
      { list: 0, embedding: noisy(rng, base, 0.8), expiresAt: Infinity },
    ];
    const m = build([{ dim: 64, threshold: 0.6 }], entries);
    const face = noisy(rng, base, 0.05);
    expect(cosine(face, entries[1].embedding)).toBeGreaterThan(cosine(face, entries[2].embedding));
    expect(matchOne(m, face, NOW - 1).map((x) => x.entry)).toEqual([1]);
    expect(matchOne(m, face, NOW).map((x) => x.entry)).toEqual([2]);
    // Five faces: four go through the four-by-four pass of matchMany, the fifth the single-face one.
    expect(m.matchMany(Array(5).fill(face), NOW).map((r) => r.map((x) => x.entry))).toEqual(Array(5).fill([2]));
    expect(matchOne(m, face, NOW + 1).map((x) => x.entry)).toEqual([3]);
    expect(matchOne(m, face, Infinity)).toEqual([]);
  });

  it('searches only the lists whose dim equals the face', () => {
    const rng = new Random(4);
    const long = randomFace(rng, 8);
    const short = long.slice(0, 4); // a dim-4 face equal to the dim-8 entry's first half
    const lists = [
      { dim: 4, threshold: 0.6 },
      { dim: 8, threshold: 0.6 },
      { dim: 4, threshold: 0.6 },
    ];
    const entries = [
      { list: 1, embedding: long, expiresAt: Infinity },
      { list: 0, embedding: short, expiresAt: Infinity },
      { list: 2, embedding: short.map((x) => x * 3), expiresAt: Infinity },
    ];
    const m = build(lists, entries);
    expect(matchOne(m, short).map((x) => [x.list, x.entry])).toEqual([
      [0, 1],
      [2, 2],
    ]);
    expect(matchOne(m, long).map((x) => [x.list, x.entry])).toEqual([[1, 0]]);
    expect(matchOne(m, randomFace(rng, 5))).toEqual([]);
    const many = m.matchMany([short, long, new Float32Array(3)], 0);
    expect(many.map((r) => r.map((x) => [x.list, x.entry]))).toEqual([
      [
        [0, 1],
        [2, 2],
      ],
      [[1, 0]],
      [],
    ]);
  });

  it('scores a face whose dim is not a multiple of four the same after a batch of wider faces', () => {
    const rng = new Random(10);
    const five = randomFace(rng, 5);
    const m = build(
      [
        { dim: 8, threshold: 0.6 },
        { dim: 5, threshold: 0.6 },
      ],
      [
        { list: 0, embedding: randomFace(rng, 8), expiresAt: Infinity },
        { list: 1, embedding: five, expiresAt: Infinity },
      ],
    );
    const wide = Array.from({ length: 3 }, () => randomFace(rng, 8));
    const many = m.matchMany([...wide, five], 0);
    expect(many[3]).toHaveLength(1);
    expect(many[3][0].entry).toBe(1);
    expect(Math.abs(many[3][0].score - 1)).toBeLessThan(1e-6);
    expect(many[3]).toEqual(matchOne(m, five));
  });

  it('applies each list its own threshold', () => {
    const rng = new Random(5);
    const subject = randomFace(rng, 32);
    const lists = [
      { dim: 32, threshold: 0.5 },
      { dim: 32, threshold: 0.9 },
      { dim: 32, threshold: 0.6 },
    ];
    const entries = [0, 1, 2].map((list) => ({ list, embedding: subject, expiresAt: Infinity }));
    const m = build(lists, entries);
    const face = noisy(rng, subject, 1);
    const c = cosine(face, subject);
    expect(c).toBeGreaterThan(0.6);
    expect(c).toBeLessThan(0.9);
    expect(matchOne(m, face).map((x) => x.list)).toEqual([0, 2]);
  });

  it('reports only the top entry per list, and the lower entry on a tie', () => {
    const rng = new Random(6);
    const subject = randomFace(rng, 16);
    const entries = [
      { list: 0, embedding: noisy(rng, subject, 0.3), expiresAt: Infinity },
      { list: 0, embedding: noisy(rng, subject, 0.05), expiresAt: Infinity },
      { list: 0, embedding: noisy(rng, subject, 0.2), expiresAt: Infinity },
      { list: 1, embedding: randomFace(rng, 16), expiresAt: Infinity },
      { list: 1, embedding: subject.map((x) => x * 4), expiresAt: Infinity }, // same direction, scaled by powers of two:
      { list: 1, embedding: subject.map((x) => x * 0.5), expiresAt: Infinity }, // equal scores, so entry 4 wins
      { list: 1, embedding: subject, expiresAt: Infinity },
      { list: 1, embedding: randomFace(rng, 16), expiresAt: Infinity },
    ];
    const m = build(
      [
        { dim: 16, threshold: 0.6 },
        { dim: 16, threshold: 0.6 },
      ],
      entries,
    );
    const got = matchOne(m, subject);
    expect(got.map((x) => [x.list, x.entry])).toEqual([
      [0, 1],
      [1, 4],
    ]);
    expect(got[0].score).toBeGreaterThan(0.9);
    expect(m.matchMany(Array(5).fill(subject), 0)).toEqual(Array(5).fill(got));
  });

  it('throws naming the entry whose embedding does not fit its list', () => {
    const lists = [
      { dim: 4, threshold: 0.6 },
      { dim: 8, threshold: 0.6 },
    ];
    const ok = (list: number, dim: number) => ({ list, embedding: new Float32Array(dim).fill(1), expiresAt: Infinity });
    expect(() => build(lists, [ok(0, 4), ok(1, 8), ok(0, 4), ok(1, 4)])).toThrow(/face entry 3: embedding has 4 values, list 1 expects 8/);
    expect(() => build(lists, [ok(0, 4), ok(2, 4)])).toThrow(/face entry 1: no list 2/);
    expect(() => build(lists, [ok(0, 4), { list: 0, embedding: new Float32Array(4), expiresAt: Infinity }])).toThrow(
      /face entry 1: embedding is zero/,
    );
    expect(() => build([{ dim: 4, threshold: 1.5 }], [])).toThrow(/face list 0: threshold/);
  });

  it('reports its size, and the bytes of its arrays', () => {
    const rng = new Random(7);
    const entries = Array.from({ length: 10 }, (_, i) => ({ list: i % 2, embedding: randomFace(rng, 16), expiresAt: Infinity }));
    const m = build(
      [
        { dim: 16, threshold: 0.6 },
        { dim: 16, threshold: 0.6 },
      ],
      entries,
    );
    expect(m.size).toBe(10);
    expect(m.byteSize).toBe(10 * (16 * 4 + 8 + 4));
  });

  it('scores a face against its own image as 1, never above', () => {
    const image = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i));
    const m = build([{ dim: 512, threshold: 1 }], [{ list: 0, embedding: image, expiresAt: Infinity }]);
    const got = [...matchOne(m, image), ...m.matchMany([image, image, image], 0).flat()];
    expect(got).toHaveLength(4);
    for (const x of got) expect(x.score).toBe(1);
  });

  it('writes into out from the start and trims what was there', () => {
    const m = build([{ dim: 2, threshold: 0.6 }], [{ list: 0, embedding: new Float32Array([1, 0]), expiresAt: Infinity }]);
    const out: FaceMatch[] = [
      { list: 9, entry: 9, score: 9 },
      { list: 9, entry: 9, score: 9 },
    ];
    expect(m.match(new Float32Array([1, 0]), 0, out)).toBe(1);
    expect(out).toEqual([{ list: 0, entry: 0, score: 1 }]);
    expect(m.match(new Float32Array([0, 1]), 0, out)).toBe(0);
    expect(out).toEqual([]);
  });

  it('gives from matchMany exactly what match gives, and what the plain rule gives, for 200 faces over 3 lists', () => {
    const rng = new Random(8);
    // Sizes that are not multiples of four, a list spanning several tiles, two dims.
    const lists: FaceListSpec[] = [
      { dim: 512, threshold: 0.6 },
      { dim: 32, threshold: 0.45 },
      { dim: 512, threshold: 0.7 },
    ];
    const sizes = [301, 103, 57];
    const entries: FaceEntrySpec[] = [];
    for (let i = 0; i < 461; i++) {
      const list = i % 3;
      if (entries.filter((e) => e.list === list).length >= sizes[list]) continue;
      entries.push({ list, embedding: randomFace(rng, lists[list].dim), expiresAt: rng.chance(0.2) ? NOW - rng.int(1000) : Infinity });
    }
    while (entries.filter((e) => e.list === 0).length < sizes[0])
      entries.push({ list: 0, embedding: randomFace(rng, 512), expiresAt: Infinity });
    const m = build(lists, entries);
    const faces = Array.from({ length: 200 }, () => {
      if (rng.chance(0.25)) return randomFace(rng, rng.chance(0.5) ? 512 : 32);
      return noisy(rng, rng.pick(entries).embedding, rng.uniform(0, 1.4));
    });

    const many = m.matchMany(faces, NOW);
    expect(many).toHaveLength(200);
    let matched = 0;
    let expiredSkipped = 0;
    faces.forEach((face, i) => {
      const single = matchOne(m, face, NOW);
      expect(many[i]).toEqual(single);
      const want = reference(lists, entries, face, NOW);
      expect(single.map((x) => [x.list, x.entry])).toEqual(want.map((x) => [x.list, x.entry]));
      single.forEach((x, k) => expect(Math.abs(x.score - want[k].score)).toBeLessThan(1e-5));
      matched += single.length;
      if (reference(lists, entries, face, -Infinity).some((x, k) => want[k]?.entry !== x.entry)) expiredSkipped++;
    });
    // The data must exercise both outcomes and the expiry rule, or the comparison proves little.
    expect(matched).toBeGreaterThan(50);
    expect(faces.filter((_, i) => many[i].length === 0).length).toBeGreaterThan(30);
    expect(expiredSkipped).toBeGreaterThan(5);
  });
});

describe('FaceMatcher kernels', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('uses wasm-simd by default here, and the js kernel agrees with it', () => {
    const rng = new Random(9);
    const lists = [
      { dim: 96, threshold: 0.5 },
      { dim: 7, threshold: 0.3 },
    ];
    const entries = Array.from({ length: 150 }, (_, i) => ({
      list: i % 2,
      embedding: randomFace(rng, i % 2 ? 7 : 96),
      expiresAt: Infinity,
    }));
    const simd = FaceMatcher.build(lists, entries);
    const js = FaceMatcher.build(lists, entries, { kernel: 'js' });
    expect(simd.kernel).toBe('wasm-simd');
    const faces = Array.from({ length: 60 }, (_, i) => noisy(rng, entries[i].embedding, 0.6));
    const a = simd.matchMany(faces, 0);
    const b = js.matchMany(faces, 0);
    expect(a.flat().length).toBeGreaterThan(30);
    a.forEach((got, i) => {
      expect(got.map((x) => [x.list, x.entry])).toEqual(b[i].map((x) => [x.list, x.entry]));
      got.forEach((x, k) => expect(Math.abs(x.score - b[i][k].score)).toBeLessThan(1e-6));
    });
  });

  it('falls back to the js kernel when the runtime rejects the SIMD module', async () => {
    vi.resetModules();
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const fresh = await import('../../engine/match/face-matcher.js');
    const lists = [{ dim: 4, threshold: 0.6 }];
    const entries = [{ list: 0, embedding: new Float32Array([2, 0, 0, 0]), expiresAt: Infinity }];
    const m = fresh.FaceMatcher.build(lists, entries);
    expect(m.kernel).toBe('js');
    expect(m.matchMany([new Float32Array([1, 0.1, 0, 0])], 0)[0].map((x) => x.entry)).toEqual([0]);
    expect(() => fresh.FaceMatcher.build(lists, entries, { kernel: 'wasm-simd' })).toThrow(/no WebAssembly SIMD/);
  });
});
