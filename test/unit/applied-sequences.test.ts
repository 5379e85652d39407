// engine/ingest/applied-sequences.ts: the set of applied JetStream sequences, as ranges.

import { describe, expect, it } from 'vitest';
import { AppliedSequences, type SeqRange } from '../../engine/ingest/applied-sequences.js';
import { mulberry32 as rng } from '../../engine/util/random.js';

function of(...seqs: number[]): AppliedSequences {
  const s = AppliedSequences.empty();
  for (const q of seqs) s.add(q);
  return s;
}

/** Sorted, disjoint and not adjacent: the canonical form. */
function expectCanonical(ranges: readonly SeqRange[]): void {
  const bad = ranges.filter(([a, b], i) => a > b || (i > 0 && a <= ranges[i - 1][1] + 1));
  expect(bad, 'ranges out of order, overlapping or adjacent').toEqual([]);
}

describe('AppliedSequences: adding', () => {
  it('is empty at first', () => {
    const s = AppliedSequences.empty();
    expect(s.toRanges()).toEqual([]);
    expect(s.size).toBe(0);
    expect(s.has(1)).toBe(false);
  });

  it('merges in-order adds into one range', () => {
    const s = of(1, 2, 3, 4, 5);
    expect(s.toRanges()).toEqual([[1, 5]]);
    expect(s.size).toBe(1);
  });

  it('ignores a repeated add', () => {
    expect(of(1, 2, 2, 3, 1).toRanges()).toEqual([[1, 3]]);
  });

  it('keeps holes apart and merges when a gap is filled', () => {
    const s = of(1, 2, 5, 6, 9);
    expect(s.toRanges()).toEqual([
      [1, 2],
      [5, 6],
      [9, 9],
    ]);
    s.add(4);
    expect(s.toRanges()).toEqual([
      [1, 2],
      [4, 6],
      [9, 9],
    ]);
    s.add(3);
    expect(s.toRanges()).toEqual([
      [1, 6],
      [9, 9],
    ]);
    s.add(8);
    s.add(7);
    expect(s.toRanges()).toEqual([[1, 9]]);
  });

  it('merges out-of-order adds', () => {
    expect(of(10, 8, 9, 3, 1, 2, 7).toRanges()).toEqual([
      [1, 3],
      [7, 10],
    ]);
    expect(of(5, 4, 3, 2, 1).toRanges()).toEqual([[1, 5]]);
  });

  it('inserts a range before the first and between two', () => {
    const s = of(10, 20);
    s.add(5);
    s.add(15);
    expect(s.toRanges()).toEqual([
      [5, 5],
      [10, 10],
      [15, 15],
      [20, 20],
    ]);
  });

  it('addRange merges with overlapping and adjacent ranges, and spans several', () => {
    const s = of(1, 5, 9, 13);
    s.addRange(4, 10);
    expect(s.toRanges()).toEqual([
      [1, 1],
      [4, 10],
      [13, 13],
    ]);
    s.addRange(2, 3);
    expect(s.toRanges()).toEqual([
      [1, 10],
      [13, 13],
    ]);
    s.addRange(0, 100);
    expect(s.toRanges()).toEqual([[0, 100]]);
  });

  it('addRange extends the last range from inside it', () => {
    const s = of(1, 2, 3);
    s.addRange(2, 8);
    expect(s.toRanges()).toEqual([[1, 8]]);
  });

  it('addRange with to < from adds nothing', () => {
    const s = of(1);
    s.addRange(5, 4);
    expect(s.toRanges()).toEqual([[1, 1]]);
  });
});

describe('AppliedSequences: has', () => {
  it('is true on both boundaries and inside, false just outside', () => {
    const s = AppliedSequences.fromRanges([
      [3, 5],
      [10, 12],
      [20, 20],
    ]);
    for (const q of [3, 4, 5, 10, 11, 12, 20]) expect(s.has(q), String(q)).toBe(true);
    for (const q of [0, 1, 2, 6, 9, 13, 19, 21, 1e9]) expect(s.has(q), String(q)).toBe(false);
  });
});

describe('AppliedSequences: firstUnapplied', () => {
  it('starts at the stream’s first sequence when nothing is applied', () => {
    expect(AppliedSequences.empty().firstUnapplied(1)).toBe(1);
    expect(AppliedSequences.empty().firstUnapplied(100)).toBe(100);
  });

  it('starts at 1 for an empty stream (first sequence 0)', () => {
    expect(AppliedSequences.empty().firstUnapplied(0)).toBe(1);
  });

  it('starts after the applied prefix', () => {
    expect(of(1, 2, 3).firstUnapplied(1)).toBe(4);
  });

  it('starts at the first hole of a stream whose first sequence is > 1', () => {
    const s = AppliedSequences.fromRanges([
      [100, 150],
      [152, 160],
    ]);
    expect(s.firstUnapplied(100)).toBe(151);
  });

  it('starts at the stream’s first sequence when the applied ranges begin after it', () => {
    const s = AppliedSequences.fromRanges([[120, 130]]);
    expect(s.firstUnapplied(100)).toBe(100);
  });

  it('starts after the first range when the stream begins inside it', () => {
    const s = AppliedSequences.fromRanges([
      [1, 150],
      [160, 170],
    ]);
    expect(s.firstUnapplied(100)).toBe(151);
  });

  it('skips a hole below the stream’s first sequence (those messages are gone)', () => {
    // Messages 6..9 were removed by retention without being applied; 10..20 are stored and
    // applied. Starting at 6 would make JetStream redeliver 10..20 only to be skipped — with a
    // day of retention, a restart would replay the whole stream.
    const s = AppliedSequences.fromRanges([
      [1, 5],
      [10, 20],
    ]);
    expect(s.firstUnapplied(10)).toBe(21);
    expect(s.firstUnapplied(8)).toBe(8);
    const t = AppliedSequences.fromRanges([
      [1, 1],
      [3, 5_000_000],
    ]);
    expect(t.firstUnapplied(4_000_000)).toBe(5_000_001);
  });
});

describe('AppliedSequences: settleUpTo', () => {
  it('collapses the holes below the floor into one range from 1', () => {
    const s = of(3, 4, 7, 9, 15, 20);
    s.settleUpTo(10);
    expect(s.toRanges()).toEqual([
      [1, 10],
      [15, 15],
      [20, 20],
    ]);
  });

  it('merges with a range adjacent to the floor', () => {
    const s = AppliedSequences.fromRanges([
      [2, 3],
      [11, 14],
    ]);
    s.settleUpTo(10);
    expect(s.toRanges()).toEqual([[1, 14]]);
  });

  it('keeps a range that crosses the floor whole', () => {
    const s = AppliedSequences.fromRanges([
      [2, 3],
      [8, 14],
      [30, 31],
    ]);
    s.settleUpTo(10);
    expect(s.toRanges()).toEqual([
      [1, 14],
      [30, 31],
    ]);
  });

  it('adds [1, floor] in front when every range is above it', () => {
    const s = AppliedSequences.fromRanges([[50, 60]]);
    s.settleUpTo(10);
    expect(s.toRanges()).toEqual([
      [1, 10],
      [50, 60],
    ]);
  });

  it('works on an empty set', () => {
    const s = AppliedSequences.empty();
    s.settleUpTo(7);
    expect(s.toRanges()).toEqual([[1, 7]]);
  });

  it('does nothing for a floor of 0', () => {
    const s = of(5);
    s.settleUpTo(0);
    expect(s.toRanges()).toEqual([[5, 5]]);
  });

  it('does not shrink what is already settled', () => {
    const s = AppliedSequences.fromRanges([[1, 40]]);
    s.settleUpTo(10);
    expect(s.toRanges()).toEqual([[1, 40]]);
  });

  it('moves firstUnapplied past the settled holes', () => {
    const s = of(2, 4, 6);
    expect(s.firstUnapplied(1)).toBe(1);
    s.settleUpTo(6);
    expect(s.firstUnapplied(1)).toBe(7);
  });
});

describe('AppliedSequences: ranges round trip and clone', () => {
  it('fromRanges(toRanges()) is the same set', () => {
    const s = of(1, 2, 3, 7, 8, 20, 22, 21, 100);
    const back = AppliedSequences.fromRanges(s.toRanges());
    expect(back.toRanges()).toEqual(s.toRanges());
    expect(back.toRanges()).toEqual([
      [1, 3],
      [7, 8],
      [20, 22],
      [100, 100],
    ]);
  });

  it('fromRanges normalises unsorted, overlapping and adjacent input', () => {
    const s = AppliedSequences.fromRanges([
      [20, 25],
      [1, 3],
      [4, 6],
      [22, 30],
      [10, 10],
    ]);
    expect(s.toRanges()).toEqual([
      [1, 6],
      [10, 10],
      [20, 30],
    ]);
  });

  it('toRanges is a copy: changing the set later does not change it', () => {
    const s = of(1, 2);
    const ranges = s.toRanges();
    s.add(3);
    expect(ranges).toEqual([[1, 2]]);
  });

  it('clone is independent of the original', () => {
    const s = of(1, 2, 5);
    const c = s.clone();
    c.add(3);
    c.add(4);
    expect(c.toRanges()).toEqual([[1, 5]]);
    expect(s.toRanges()).toEqual([
      [1, 2],
      [5, 5],
    ]);
  });
});

describe('AppliedSequences: randomized against a plain Set', () => {
  for (const seed of [1, 42, 20261128]) {
    it(`2,000 random adds agree with a Set (seed ${seed})`, () => {
      const next = rng(seed);
      const s = AppliedSequences.empty();
      const ref = new Set<number>();
      const MAX = 3000;
      let max = 0;
      for (let n = 0; n < 2000; n++) {
        const r = next();
        if (r < 0.1) {
          // a short range, as a redelivered run would be
          const from = 1 + Math.floor(next() * MAX);
          const to = from + Math.floor(next() * 8);
          s.addRange(from, to);
          for (let q = from; q <= to; q++) ref.add(q);
          max = Math.max(max, to);
        } else if (r < 0.5) {
          // mostly in order, just past the largest so far
          const q = max + 1 + Math.floor(next() * 3);
          s.add(q);
          ref.add(q);
          max = q;
        } else {
          const q = 1 + Math.floor(next() * MAX);
          s.add(q);
          ref.add(q);
          max = Math.max(max, q);
        }
        if (n % 250 === 0) expectCanonical(s.toRanges());
      }
      const ranges = s.toRanges();
      expectCanonical(ranges);
      const top = max + 2;
      const wrong: number[] = [];
      for (let q = 0; q <= top; q++) if (s.has(q) !== ref.has(q)) wrong.push(q);
      expect(wrong, 'sequences where has() disagrees with the Set').toEqual([]);
      expect(ranges.reduce((n, [a, b]) => n + b - a + 1, 0)).toBe(ref.size);

      // firstUnapplied never starts past the smallest stored sequence that is not applied (the
      // exact value when a hole lies below the stream's start is the deterministic test's job).
      for (const first of [1, 2, 50, 500, 1500]) {
        let expected = first;
        while (ref.has(expected)) expected++;
        expect(s.firstUnapplied(first), `firstUnapplied(${first})`).toBeLessThanOrEqual(expected);
      }
      let fromOne = 1;
      while (ref.has(fromOne)) fromOne++;
      expect(s.firstUnapplied(1)).toBe(fromOne);

      // settleUpTo: everything at or below the floor counts as applied, nothing else changes.
      const back = AppliedSequences.fromRanges(ranges);
      back.settleUpTo(1000);
      expectCanonical(back.toRanges());
      const wrongSettled: number[] = [];
      for (let q = 1; q <= top; q++) if (back.has(q) !== (q <= 1000 || ref.has(q))) wrongSettled.push(q);
      expect(wrongSettled, 'sequences where has() is wrong after settleUpTo(1000)').toEqual([]);
    });
  }
});
