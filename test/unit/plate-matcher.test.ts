// engine/match/plate-matcher.ts: which watchlist entry a plate read hits, and how.

import { describe, expect, it } from 'vitest';
import {
  editDistanceWithin,
  ocrClassOf,
  PlateMatcher,
  type PlateEntrySpec,
  type PlateListSpec,
  type PlateMatch,
  type PlateMatchType,
} from '../../engine/match/plate-matcher.js';
import { Random } from '../../engine/util/random.js';

const OCR: PlateListSpec = { ocrEquivalence: true, maxEdits: 1, edits: 'levenshtein' as const };
const NOW = 1_700_000_000_000;

function entry(key: string, list = 0, expiresAt = Infinity): PlateEntrySpec {
  return { list, key, expiresAt };
}

function matchAll(m: PlateMatcher, plate: string, now = NOW): PlateMatch[] {
  const out: PlateMatch[] = [];
  const n = m.match(plate, now, out);
  expect(out).toHaveLength(n);
  return out;
}

/** The single list-0 match of `plate` against `keys` in one list. */
function one(keys: string[], plate: string, list: PlateListSpec = OCR): PlateMatch[] {
  return matchAll(
    PlateMatcher.build(
      [list],
      keys.map((k) => entry(k)),
    ),
    plate,
  );
}

const hit = (entry: number, type: PlateMatchType, distance: number, list = 0): PlateMatch => ({ list, entry, type, distance });

describe('ocrClassOf', () => {
  it('maps each look-alike to its class representative and leaves the rest', () => {
    expect(ocrClassOf('0ODQ1I8B5S2Z6G')).toBe('00001188552266');
    expect(ocrClassOf('01A123BC')).toBe('01A1238C');
    expect(ocrClassOf('AEHKMPTXY3479')).toBe('AEHKMPTXY3479');
    expect(ocrClassOf('')).toBe('');
  });
});

describe('editDistanceWithin', () => {
  it('gives the distance when within the bound and -1 beyond it', () => {
    expect(editDistanceWithin('01A123BC', '01A123BC', 0)).toBe(0);
    expect(editDistanceWithin('01A123BC', '01A124BC', 1)).toBe(1);
    expect(editDistanceWithin('01A123BC', '01A124BC', 0)).toBe(-1);
    expect(editDistanceWithin('01A123BC', '01A23BC', 1)).toBe(1);
    expect(editDistanceWithin('01A123BC', '01A1234BC', 1)).toBe(1);
    expect(editDistanceWithin('01A123BC', '10A123BC', 1)).toBe(-1);
    expect(editDistanceWithin('01A123BC', '10A123BC', 2)).toBe(2);
    expect(editDistanceWithin('ABC', 'ABCDE', 1)).toBe(-1);
    expect(editDistanceWithin('kitten', 'sitting', 3)).toBe(3);
    expect(editDistanceWithin('kitten', 'sitting', 2)).toBe(-1);
    expect(editDistanceWithin('', 'AB', 2)).toBe(2);
    expect(editDistanceWithin('AB', '', 1)).toBe(-1);
    expect(editDistanceWithin('A', 'B', -1)).toBe(-1);
  });

  it('agrees with a full Levenshtein on random strings for every bound', () => {
    const rnd = new Random(7);
    const alphabet = 'ABC01';
    const str = () => Array.from({ length: rnd.int(0, 10) }, () => rnd.pick([...alphabet])).join('');
    let within = 0;
    for (let t = 0; t < 4000; t++) {
      const a = str();
      const b = rnd.chance(0.5) ? mutate(rnd, a, rnd.int(0, 4), alphabet) : str();
      const d = levenshtein(a, b);
      for (let k = 0; k <= 4; k++) {
        expect(editDistanceWithin(a, b, k), `${a} ${b} k=${k}`).toBe(d <= k ? d : -1);
        if (d <= k) within++;
      }
      expect(editDistanceWithin(a, b, Infinity)).toBe(d);
    }
    expect(within).toBeGreaterThan(5000); // the comparison covered both outcomes
  });
});

describe('PlateMatcher, Levenshtein model (any edit; the index machinery)', () => {
  it('finds an exact match', () => {
    expect(one(['01A123BC', '01A124BC'], '01A124BC')).toEqual([hit(1, 'exact', 0)]);
  });

  it('misses a plate that is nothing alike', () => {
    expect(one(['01A123BC'], '40X999YY')).toEqual([]);
  });

  it.each([
    ['0', 'O'],
    ['O', 'D'],
    ['D', 'Q'],
    ['Q', '0'],
    ['1', 'I'],
    ['8', 'B'],
    ['5', 'S'],
    ['2', 'Z'],
    ['6', 'G'],
  ])('treats %s and %s as look-alikes', (a, b) => {
    const key = `AA${a}777`;
    expect(one([key], `AA${b}777`)).toEqual([hit(0, 'ocr', 0)]);
    expect(one([`AA${b}777`], key)).toEqual([hit(0, 'ocr', 0)]);
    // …but not as anything else: with look-alikes off it is one edit.
    expect(one([key], `AA${b}777`, { ocrEquivalence: false, maxEdits: 1, edits: 'levenshtein' as const })).toEqual([hit(0, 'edit', 1)]);
  });

  it('does not treat letters outside the classes as look-alikes', () => {
    expect(one(['AA0777'], 'AAC777')).toEqual([hit(0, 'edit', 1)]);
    expect(one(['AA1777'], 'AAL777')).toEqual([hit(0, 'edit', 1)]);
    expect(one(['AA8777'], 'AA3777')).toEqual([hit(0, 'edit', 1)]);
    expect(one(['AA0777'], 'AAC777', { ocrEquivalence: true, maxEdits: 0, edits: 'levenshtein' as const })).toEqual([]);
  });

  it('maps several look-alikes at once', () => {
    expect(one(['01B500'], 'OI8SOO')).toEqual([hit(0, 'ocr', 0)]);
  });

  it('finds one substitution, insertion or deletion', () => {
    const keys = ['01A123BC'];
    expect(one(keys, '01A124BC')).toEqual([hit(0, 'edit', 1)]); // substitution
    expect(one(keys, '01A1234BC')).toEqual([hit(0, 'edit', 1)]); // insertion
    expect(one(keys, 'X01A123BC')).toEqual([hit(0, 'edit', 1)]); // insertion at the start
    expect(one(keys, '01A123BCX')).toEqual([hit(0, 'edit', 1)]); // insertion at the end
    expect(one(keys, '01A13BC')).toEqual([hit(0, 'edit', 1)]); // deletion
    expect(one(keys, '1A123BC')).toEqual([hit(0, 'edit', 1)]); // deletion of the first
    expect(one(keys, '01A123B')).toEqual([hit(0, 'edit', 1)]); // deletion of the last
  });

  it('combines look-alikes with an edit', () => {
    // O for 0 (look-alike), 4 for 3 (edit).
    expect(one(['01A123BC'], 'O1A124BC')).toEqual([hit(0, 'edit', 1)]);
    // look-alike plus a deletion
    expect(one(['01A123BC'], 'OIA12BC')).toEqual([hit(0, 'edit', 1)]);
    // with look-alikes off the same read is two edits away
    expect(one(['01A123BC'], 'O1A124BC', { ocrEquivalence: false, maxEdits: 1, edits: 'levenshtein' as const })).toEqual([]);
    expect(one(['01A123BC'], 'O1A124BC', { ocrEquivalence: false, maxEdits: 2, edits: 'levenshtein' as const })).toEqual([
      hit(0, 'edit', 2),
    ]);
  });

  it('refuses two edits with maxEdits 1 and finds them with maxEdits 2', () => {
    const keys = ['01A123BC'];
    for (const read of ['01A145BC', '01A23B', '01XA123BCY', '10A123BC']) {
      expect(one(keys, read, { ocrEquivalence: true, maxEdits: 1, edits: 'levenshtein' as const })).toEqual([]);
      expect(one(keys, read, { ocrEquivalence: true, maxEdits: 2, edits: 'levenshtein' as const })).toEqual([hit(0, 'edit', 2)]);
    }
    expect(one(keys, '01A456BC', { ocrEquivalence: true, maxEdits: 2, edits: 'levenshtein' as const })).toEqual([]);
  });

  it('with look-alikes off, 0 and O are one edit and there is no ocr match', () => {
    const off = { ocrEquivalence: false, maxEdits: 1, edits: 'levenshtein' as const };
    expect(one(['AB0123'], 'ABO123', off)).toEqual([hit(0, 'edit', 1)]);
    expect(one(['AB0123'], 'AB0123', off)).toEqual([hit(0, 'exact', 0)]);
    expect(one(['AB0123'], 'ABO123', { ocrEquivalence: false, maxEdits: 0, edits: 'levenshtein' as const })).toEqual([]);
  });

  it('prefers exact over ocr over edit, then fewest edits, whatever the entry order', () => {
    const two = { ocrEquivalence: true, maxEdits: 2, edits: 'levenshtein' as const };
    const keys = ['01A123XY', '0IA123BX', '01A123BX', '01A1238C', '01A123BC'];
    //             2 edits     ocr+1 edit  1 edit      ocr         exact
    expect(one(keys, '01A123BC', two)).toEqual([hit(4, 'exact', 0)]);
    expect(one(keys.slice(0, 4), '01A123BC', two)).toEqual([hit(3, 'ocr', 0)]);
    expect(one(keys.slice(0, 3), '01A123BC', two)).toEqual([hit(1, 'edit', 1)]); // 1 and 2: one edit each on the class form
    expect(one(keys.slice(0, 1), '01A123BC', two)).toEqual([hit(0, 'edit', 2)]);
    expect(one([...keys].reverse(), '01A123BC', two)).toEqual([hit(0, 'exact', 0)]);
    expect(one(['01A1238C', '01A123BC'], '01A123BC', two)).toEqual([hit(1, 'exact', 0)]);
    expect(one(['01A123XY', '01A123BX'], '01A123BC', two)).toEqual([hit(1, 'edit', 1)]);
    expect(one(['01A123BX', '01A123XY'], '01A123BC', two)).toEqual([hit(0, 'edit', 1)]);
    expect(one(['01A123XY', '01A123BX', '01A1238C'], '01A123BC', two)).toEqual([hit(2, 'ocr', 0)]);
  });

  it('breaks ties by the lower entry index', () => {
    expect(one(['01A123BX', '01A123XC'], '01A123BC')).toEqual([hit(0, 'edit', 1)]);
    expect(one(['01A123XC', '01A123BX'], '01A123BC')).toEqual([hit(0, 'edit', 1)]);
    expect(one(['01A1238C', '0IA123BC'], '01A123BC')).toEqual([hit(0, 'ocr', 0)]);
    expect(one(['0IA123BC', '01A1238C'], '01A123BC')).toEqual([hit(0, 'ocr', 0)]);
    expect(one(['01A123BC', '01A123BC'], '01A123BC')).toEqual([hit(0, 'exact', 0)]);
    // an insertion and a substitution, both one edit: index decides, not the bucket it came from
    expect(one(['01A1234BC', '01A124BC'], '01A123BC')).toEqual([hit(0, 'edit', 1)]);
    expect(one(['01A124BC', '01A1234BC'], '01A123BC')).toEqual([hit(0, 'edit', 1)]);
    const many = Array.from({ length: 50 }, (_, i) => `01A123${String.fromCharCode(65 + (i % 26))}${i < 26 ? 'X' : 'Y'}`);
    // 01A123BX (1), 01A123BY (27) and 01A123BC (50) are each one edit from 01A123BE
    expect(one([...many, '01A123BC'], '01A123BE')).toEqual([hit(1, 'edit', 1)]);
    expect(one(many, '01A123CZ')).toEqual([hit(2, 'edit', 1)]); // 01A123CX (2) before 01A123CY (28)
  });

  it('gives at most one match per list, in list order, each list with its own mode', () => {
    const lists: PlateListSpec[] = [
      { ocrEquivalence: true, maxEdits: 1, edits: 'levenshtein' as const },
      { ocrEquivalence: false, maxEdits: 1, edits: 'levenshtein' as const },
      { ocrEquivalence: true, maxEdits: 0, edits: 'levenshtein' as const },
      { ocrEquivalence: true, maxEdits: 2, edits: 'levenshtein' as const },
      { ocrEquivalence: false, maxEdits: 0, edits: 'levenshtein' as const },
    ];
    const entries = [
      entry('01A1Z3BC', 3), // 0: ocr
      entry('O1A123BC', 0), // 1: ocr
      entry('01A123BC', 1), // 2: exact
      entry('01A123BX', 1), // 3: edit
      entry('O1A123BC', 2), // 4: ocr
      entry('01A12EBC', 3), // 5: edit
      entry('O1A123BC', 1), // 6: edit
      entry('01A123BC', 0), // 7: exact
      entry('O1A123BC', 4), // 8: not equal
      entry('01A123XC', 0), // 9: edit
    ];
    const m = PlateMatcher.build(lists, entries);
    expect(m.size).toBe(10);
    expect(matchAll(m, '01A123BC')).toEqual([hit(7, 'exact', 0, 0), hit(2, 'exact', 0, 1), hit(4, 'ocr', 0, 2), hit(0, 'ocr', 0, 3)]);
    expect(matchAll(m, '01A124BC')).toEqual([hit(1, 'edit', 1, 0), hit(2, 'edit', 1, 1), hit(0, 'edit', 1, 3)]);
    expect(matchAll(m, 'O1A123BC')).toEqual([
      hit(1, 'exact', 0, 0),
      hit(6, 'exact', 0, 1),
      hit(4, 'exact', 0, 2),
      hit(0, 'ocr', 0, 3),
      hit(8, 'exact', 0, 4),
    ]);
  });

  it('reuses the output array and resets its length', () => {
    const m = PlateMatcher.build([OCR, OCR], [entry('01A123BC', 0), entry('01A123BC', 1)]);
    const out: PlateMatch[] = [];
    expect(m.match('01A123BC', NOW, out)).toBe(2);
    expect(out).toHaveLength(2);
    expect(m.match('99Z999ZZ', NOW, out)).toBe(0);
    expect(out).toEqual([]);
    expect(m.match('01A123B', NOW, out)).toBe(2);
    expect(out).toEqual([hit(0, 'edit', 1, 0), hit(1, 'edit', 1, 1)]);
  });

  it('skips expired entries in favour of the next-best live one', () => {
    const entries = [
      entry('01A123BC', 0, NOW), // exact, expires exactly now
      entry('0IA123BC', 0, NOW - 1), // ocr, expired
      entry('01A123BX', 0, Infinity), // edit, live
      entry('01A123XC', 0, NOW + 1), // edit, live, higher index
      entry('01A1238C', 0, NOW + 1000), // ocr, live
    ];
    const m = PlateMatcher.build([OCR], entries);
    expect(matchAll(m, '01A123BC', NOW - 10)).toEqual([hit(0, 'exact', 0)]);
    expect(matchAll(m, '01A123BC', NOW)).toEqual([hit(4, 'ocr', 0)]);
    expect(matchAll(m, '01A123BC', NOW + 1000)).toEqual([hit(2, 'edit', 1)]);
    const edits = PlateMatcher.build([OCR], entries.slice(0, 4));
    expect(matchAll(edits, '01A123BC', NOW)).toEqual([hit(2, 'edit', 1)]);
    const allExpired = PlateMatcher.build([OCR], [entry('01A123BC', 0, NOW)]);
    expect(matchAll(allExpired, '01A123BC', NOW)).toEqual([]);
    expect(matchAll(allExpired, '01A123BC', NOW - 1)).toEqual([hit(0, 'exact', 0)]);
  });

  it('with maxEdits 0 matches only exact and look-alike reads', () => {
    const zero = { ocrEquivalence: true, maxEdits: 0, edits: 'levenshtein' as const };
    expect(one(['01A123BC'], '01A123BC', zero)).toEqual([hit(0, 'exact', 0)]);
    expect(one(['01A123BC'], 'O1A123BC', zero)).toEqual([hit(0, 'ocr', 0)]);
    expect(one(['01A123BC'], '01A124BC', zero)).toEqual([]);
    expect(one(['01A123BC'], '01A123B', zero)).toEqual([]);
    expect(one(['01A123BC'], '01A123BCD', zero)).toEqual([]);
  });

  it('handles no lists, empty lists, and lists with no entries', () => {
    const none = PlateMatcher.build([], []);
    expect(none.size).toBe(0);
    expect(matchAll(none, '01A123BC')).toEqual([]);
    const empty = PlateMatcher.build([OCR, { ocrEquivalence: false, maxEdits: 2, edits: 'levenshtein' as const }], []);
    expect(matchAll(empty, '01A123BC')).toEqual([]);
    const some = PlateMatcher.build([OCR, OCR, OCR], [entry('01A123BC', 1)]);
    expect(matchAll(some, '01A123BC')).toEqual([hit(0, 'exact', 0, 1)]);
    expect(some.byteSize).toBeGreaterThan(0);
  });

  it('handles short keys, long keys and odd reads', () => {
    const two = { ocrEquivalence: true, maxEdits: 2, edits: 'levenshtein' as const };
    const m = PlateMatcher.build([two], [entry('AB'), entry('A'.repeat(16)), entry('X7')]);
    expect(matchAll(m, '')).toEqual([hit(0, 'edit', 2)]);
    expect(matchAll(m, 'A')).toEqual([hit(0, 'edit', 1)]);
    expect(matchAll(m, 'Q')).toEqual([hit(0, 'edit', 2)]);
    expect(matchAll(m, 'A8')).toEqual([hit(0, 'ocr', 0)]);
    expect(matchAll(m, 'A'.repeat(18))).toEqual([hit(1, 'edit', 2)]);
    expect(matchAll(m, 'A'.repeat(19))).toEqual([]);
    expect(matchAll(m, 'A'.repeat(100))).toEqual([]);
    expect(matchAll(m, 'AБ')).toEqual([hit(0, 'edit', 1)]); // a character no key has
    // Long keys: every character counts, up to the sixteenth.
    const long = PlateMatcher.build([OCR], [entry('ABCDEFGHJKLMN0'), entry(`${'A'.repeat(15)}0`), entry(`${'A'.repeat(15)}B`)]);
    expect(matchAll(long, 'ABCDEFGHJKLMNO')).toEqual([hit(0, 'ocr', 0)]);
    expect(matchAll(long, 'ABCDEFGHJKLMN0')).toEqual([hit(0, 'exact', 0)]);
    expect(matchAll(long, `${'A'.repeat(15)}O`)).toEqual([hit(1, 'ocr', 0)]);
    expect(matchAll(long, `${'A'.repeat(15)}8`)).toEqual([hit(2, 'ocr', 0)]);
    expect(matchAll(long, `${'A'.repeat(15)}B`)).toEqual([hit(2, 'exact', 0)]);
  });

  it('rejects what is not a normalised plate or a valid mode', () => {
    expect(() => PlateMatcher.build([OCR], [entry('01 A 123')])).toThrow(RangeError);
    expect(() => PlateMatcher.build([OCR], [entry('01a123bc')])).toThrow(RangeError);
    expect(() => PlateMatcher.build([OCR], [entry('')])).toThrow(RangeError);
    expect(() => PlateMatcher.build([OCR], [entry('A'.repeat(17))])).toThrow(RangeError);
    expect(() => PlateMatcher.build([OCR], [entry('01A123BC', 1)])).toThrow(RangeError);
    expect(() => PlateMatcher.build([OCR], [entry('01A123BC', 0, NaN)])).toThrow(RangeError);
    expect(() => PlateMatcher.build([{ ocrEquivalence: true, maxEdits: 3, edits: 'levenshtein' as const }], [])).toThrow(RangeError);
    expect(() => PlateMatcher.build([{ ocrEquivalence: true, maxEdits: 0.5, edits: 'levenshtein' as const }], [])).toThrow(RangeError);
  });

  it('agrees with a brute-force scan on 3,000 random entries and 3,000 random reads', () => {
    const rnd = new Random(20260101);
    const lists: PlateListSpec[] = [
      { ocrEquivalence: true, maxEdits: 1, edits: 'levenshtein' as const },
      { ocrEquivalence: true, maxEdits: 2, edits: 'levenshtein' as const },
      { ocrEquivalence: false, maxEdits: 1, edits: 'levenshtein' as const },
      { ocrEquivalence: false, maxEdits: 2, edits: 'levenshtein' as const },
      { ocrEquivalence: true, maxEdits: 0, edits: 'levenshtein' as const },
      { ocrEquivalence: false, maxEdits: 0, edits: 'levenshtein' as const },
      { ocrEquivalence: true, maxEdits: 1, edits: 'levenshtein' as const },
    ];
    // A small alphabet rich in look-alikes and short plates, so near neighbours are common.
    const alphabet = '0ODQ1I8B5S2Z6GAXK';
    const randomPlate = () => {
      const len = rnd.chance(0.2) ? rnd.int(9, 17) : rnd.int(2, 9);
      return Array.from({ length: len }, () => rnd.pick([...alphabet])).join('');
    };
    const entries: PlateEntrySpec[] = [];
    for (let i = 0; i < 3000; i++) {
      // Some entries are near copies of earlier ones, so lists hold competing candidates.
      const key = i > 0 && rnd.chance(0.3) ? clampKey(mutate(rnd, entries[rnd.int(i)].key, rnd.int(0, 3), alphabet)) : randomPlate();
      const expiresAt = rnd.chance(0.15) ? NOW + rnd.int(-1000, 1000) : Infinity;
      entries.push({ list: rnd.int(lists.length), key, expiresAt });
    }
    const m = PlateMatcher.build(lists, entries);
    expect(m.size).toBe(3000);
    const counts: Record<string, number> = { exact: 0, ocr: 0, edit: 0, twoEdits: 0, none: 0 };
    const out: PlateMatch[] = [];
    for (let q = 0; q < 3000; q++) {
      let read: string;
      const kind = q % 4;
      const base = entries[rnd.int(entries.length)].key;
      if (kind === 0) read = base;
      else if (kind === 1) read = swapLookAlikes(rnd, base);
      else if (kind === 2) read = mutate(rnd, swapLookAlikes(rnd, base), rnd.int(1, 4), alphabet);
      else read = randomPlate();
      const now = NOW + rnd.int(-1200, 1200);
      const n = m.match(read, now, out);
      const expected = bruteForce(lists, entries, read, now);
      expect(out.slice(0, n), `read ${read} at ${now}`).toEqual(expected);
      for (const e of expected) {
        counts[e.type]++;
        if (e.distance === 2) counts.twoEdits++;
      }
      if (expected.length === 0) counts.none++;
    }
    // The reads exercised every outcome in quantity (seen: 1199 exact, 1015 ocr, 4402 edit of
    // which 1162 two edits, 749 reads with no match).
    expect(counts.exact).toBeGreaterThan(900);
    expect(counts.ocr).toBeGreaterThan(700);
    expect(counts.edit).toBeGreaterThan(3500);
    expect(counts.twoEdits).toBeGreaterThan(800);
    expect(counts.none).toBeGreaterThan(300);
  });
});

describe('PlateMatcher, plausible misreads (the default model)', () => {
  const zero: PlateListSpec = { ocrEquivalence: true, maxEdits: 0 };
  const oneEdit: PlateListSpec = { ocrEquivalence: true, maxEdits: 1 };
  const twoEdits: PlateListSpec = { ocrEquivalence: true, maxEdits: 2 };

  it('counts a digit read as another digit, or a letter as another letter, as one edit', () => {
    expect(one(['01A123BC'], '01A124BC', oneEdit)).toEqual([hit(0, 'edit', 1)]);
    expect(one(['01A123BC'], '01A123BX', oneEdit)).toEqual([hit(0, 'edit', 1)]);
    expect(one(['01A123BC'], '01A124BC', zero)).toEqual([]);
  });

  it('never lets a letter stand for a digit that does not look like it, or the reverse', () => {
    expect(one(['01A123BC'], '01A12XBC', oneEdit)).toEqual([]);
    expect(one(['01A123BC'], '014123BC', twoEdits)).toEqual([]);
    expect(one(['AA0777'], 'AAC777', oneEdit)).toEqual([]);
    expect(one(['01A123BC'], '01A123B7', twoEdits)).toEqual([]);
  });

  it('takes a character dropped or added at either end as one edit, and not in the middle', () => {
    const keys = ['01A123BC'];
    expect(one(keys, '1A123BC', oneEdit)).toEqual([hit(0, 'edit', 1)]);
    expect(one(keys, '01A123B', oneEdit)).toEqual([hit(0, 'edit', 1)]);
    expect(one(keys, 'X01A123BC', oneEdit)).toEqual([hit(0, 'edit', 1)]);
    expect(one(keys, '01A123BC7', oneEdit)).toEqual([hit(0, 'edit', 1)]);
    expect(one(keys, 'A123BC', twoEdits)).toEqual([hit(0, 'edit', 2)]);
    expect(one(keys, '1A123B', twoEdits)).toEqual([hit(0, 'edit', 2)]);
    expect(one(keys, '01A13BC', oneEdit)).toEqual([]);
    expect(one(keys, '01A1234BC', oneEdit)).toEqual([]);
    expect(one(keys, '01A13BC', twoEdits)).toEqual([]);
  });

  it('matches look-alikes in a read that fits no plate format', () => {
    expect(one(['01A123BC'], '01A1238C', zero)).toEqual([hit(0, 'ocr', 0)]);
    expect(one(['01A123BC'], 'O1A123BC', zero)).toEqual([hit(0, 'ocr', 0)]);
    expect(one(['01B500'], 'OI8SOO', zero)).toEqual([hit(0, 'ocr', 0)]);
    expect(one(['01A123BC'], 'O1A124BC', oneEdit)).toEqual([hit(0, 'edit', 1)]);
    expect(one(['01A123BC'], 'OIA23BC', oneEdit)).toEqual([]); // a drop in the middle
  });

  it('takes a read that fits a plate format as read right in its letters and digits', () => {
    // '01 O 125 AB' (private) and '01 012 SAB' (company) are both valid plates.
    expect(one(['01012SAB'], '01O125AB', zero)).toEqual([]);
    expect(one(['01012SAB'], '01O125AB', twoEdits)).toEqual([]);
    // Read as '01O12SAB', a shape no plate has: one of the two is a misread.
    expect(one(['01012SAB'], '01O12SAB', zero)).toEqual([hit(0, 'ocr', 0)]);
    // Without formats every look-alike counts.
    expect(one(['01012SAB'], '01O125AB', { ...zero, formats: [] })).toEqual([hit(0, 'ocr', 0)]);
    expect(one(['01012SAB'], '01O125AB', { ...zero, formats: ['#####@@@'] })).toEqual([hit(0, 'ocr', 0)]);
    expect(() => one(['01012SAB'], '01O125AB', { ...zero, formats: ['99A999AA'] })).toThrow(RangeError);
  });

  it('pairs each look-alike digit with one letter, and never a letter with a letter', () => {
    expect(one(['01D123AB'], '01O123AB', zero)).toEqual([]);
    expect(one(['01D123AB'], '01O123AB', oneEdit)).toEqual([hit(0, 'edit', 1)]);
    expect(one(['01O123AB'], '010123AB', zero)).toEqual([hit(0, 'ocr', 0)]);
    // A 0 where a letter belongs stands for O only: D and Q would make it three plates.
    expect(one(['01D123AB'], '010123AB', zero)).toEqual([]);
    expect(one(['01Q123AB'], '010123AB', zero)).toEqual([]);
    expect(one(['01G123AB'], '016123AB', zero)).toEqual([hit(0, 'ocr', 0)]);
  });

  it('with look-alikes off, a look-alike is not even an edit', () => {
    const off = { ocrEquivalence: false, maxEdits: 1 };
    expect(one(['01A123BC'], 'O1A123BC', off)).toEqual([]);
    expect(one(['01A123BC'], '01A124BC', off)).toEqual([hit(0, 'edit', 1)]);
  });

  it('agrees with a reference that tries every cut of both ends, on 1,000 random entries and 1,500 reads', () => {
    const rnd = new Random(20261203);
    const lists: PlateListSpec[] = [
      zero,
      oneEdit,
      twoEdits,
      { ocrEquivalence: false, maxEdits: 1 },
      { ocrEquivalence: false, maxEdits: 0 },
    ];
    // Plates of the two formats over a few characters rich in look-alikes, so neighbours are common.
    const digits = '0125868';
    const letters = 'ODQIBSZGA';
    const plate = () => [...(rnd.chance(0.8) ? '##@###@@' : '#####@@@')].map((t) => rnd.pick([...(t === '#' ? digits : letters)])).join('');
    const entries: PlateEntrySpec[] = [];
    for (let i = 0; i < 1000; i++)
      entries.push({ list: rnd.int(lists.length), key: plate(), expiresAt: rnd.chance(0.1) ? NOW + rnd.int(-1000, 1000) : Infinity });
    const m = PlateMatcher.build(lists, entries);
    const counts: Record<string, number> = { exact: 0, ocr: 0, edit: 0, none: 0 };
    const out: PlateMatch[] = [];
    // A misread a plate reader makes: an end cut off or added, or a digit (letter) for another.
    const misread = (p: string) => {
      const op = rnd.int(3);
      if (op === 0) return rnd.chance(0.5) ? p.slice(1) : p.slice(0, -1);
      if (op === 1) return rnd.chance(0.5) ? rnd.pick([...digits]) + p : p + rnd.pick([...letters]);
      const at = rnd.int(p.length);
      return p.slice(0, at) + rnd.pick([...(typeOf(p[at]) === '#' ? digits : letters)]) + p.slice(at + 1);
    };
    for (let q = 0; q < 1500; q++) {
      const base = entries[rnd.int(entries.length)].key;
      const kind = q % 5;
      const read =
        kind === 0
          ? base
          : kind === 1
            ? swapLookAlikes(rnd, base)
            : kind === 2
              ? misread(swapLookAlikes(rnd, base))
              : kind === 3
                ? misread(misread(base))
                : mutate(rnd, base, 1, digits + letters);
      const now = NOW + rnd.int(-1200, 1200);
      const n = m.match(read, now, out);
      const expected = bruteForce(lists, entries, read, now);
      expect(out.slice(0, n), `read ${read} at ${now}`).toEqual(expected);
      for (const e of expected) counts[e.type]++;
      if (expected.length === 0) counts.none++;
    }
    // Every outcome in quantity (seen: 309 exact, 71 ocr, 228 edit, 899 reads with no match).
    expect(counts.exact).toBeGreaterThan(250);
    expect(counts.ocr).toBeGreaterThan(50);
    expect(counts.edit).toBeGreaterThan(180);
    expect(counts.none).toBeGreaterThan(700);
  });
});

// ---------------------------------------------------------------------------------------------
// Reference implementations

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

const classCache = new Map<string, string>();

/** Scans every entry: the best live entry of each list, by (rank, index). */
function bruteForce(lists: PlateListSpec[], entries: PlateEntrySpec[], read: string, now: number): PlateMatch[] {
  const best = new Map<number, { rank: number; entry: number }>();
  const readClass = ocrClassOf(read);
  entries.forEach((e, i) => {
    if (e.expiresAt <= now) return;
    const { ocrEquivalence, maxEdits, edits } = lists[e.list];
    if (Math.abs(e.key.length - read.length) > maxEdits) return; // a length gap alone costs that many edits
    if (edits !== 'levenshtein') {
      const d = plausibleReference(e.key, read, ocrEquivalence);
      if (d > maxEdits) return;
      const rank = e.key === read ? 0 : 1 + d;
      const b = best.get(e.list);
      if (!b || rank < b.rank) best.set(e.list, { rank, entry: i });
      return;
    }
    const keyClass = classCache.get(e.key) ?? classCache.set(e.key, ocrClassOf(e.key)).get(e.key)!;
    let rank: number;
    if (e.key === read) rank = 0;
    else if (ocrEquivalence && keyClass === readClass) rank = 1;
    else {
      const d = ocrEquivalence ? levenshtein(keyClass, readClass) : levenshtein(e.key, read);
      if (d > maxEdits) return;
      rank = 1 + d;
    }
    const b = best.get(e.list);
    if (!b || rank < b.rank) best.set(e.list, { rank, entry: i });
  });
  return [...best.entries()]
    .sort(([a], [b]) => a - b)
    .map(([list, { rank, entry }]) => ({
      list,
      entry,
      type: rank === 0 ? 'exact' : rank === 1 ? 'ocr' : 'edit',
      distance: rank <= 1 ? 0 : rank - 1,
    }));
}

const LOOK_ALIKES = ['0ODQ', '1I', '8B', '5S', '2Z', '6G'];

/** Replaces each look-alike character, with probability 1/2, by another of its class. */
function swapLookAlikes(rnd: Random, plate: string): string {
  return [...plate]
    .map((ch) => {
      const cls = LOOK_ALIKES.find((c) => c.includes(ch));
      if (!cls || rnd.chance(0.5)) return ch;
      const others = [...cls].filter((c) => c !== ch);
      return rnd.pick(others);
    })
    .join('');
}

/** Applies `edits` random substitutions, insertions or deletions. */
function mutate(rnd: Random, s: string, edits: number, alphabet: string): string {
  let out = s;
  for (let i = 0; i < edits; i++) {
    const op = rnd.int(3);
    const at = rnd.int(out.length + 1);
    const ch = rnd.pick([...alphabet]);
    if (op === 0 && out.length > 0) out = out.slice(0, Math.min(at, out.length - 1)) + ch + out.slice(Math.min(at, out.length - 1) + 1);
    else if (op === 1 || out.length === 0) out = out.slice(0, at) + ch + out.slice(at);
    else out = out.slice(0, Math.min(at, out.length - 1)) + out.slice(Math.min(at, out.length - 1) + 1);
  }
  return out;
}

/** Keeps a mutated key a valid normalised plate (1–16 characters). */
function clampKey(key: string): string {
  return key.length === 0 ? 'A' : key.slice(0, 16);
}

const typeOf = (ch: string) => (/[0-9]/.test(ch) ? '#' : /[A-Z]/.test(ch) ? '@' : '?');
const PLATE_FORMATS = ['##@###@@', '#####@@@'];
const LOOK_ALIKE_PAIRS = new Set(['O0', 'I1', 'B8', 'S5', 'Z2', 'G6'].flatMap(([l, d]) => [l + d, d + l]));

/**
 * Plausible-misread distance by brute force: every way to cut characters off the start of one
 * plate and off the end of one plate (each cut costs its length) that leaves equal lengths,
 * then position by position (same type 1, look-alike of the other type 0, else impossible),
 * with no more look-alikes than the read's shape is flips away from the nearest format.
 */
function plausibleReference(key: string, read: string, ocr: boolean): number {
  const shape = [...read].map(typeOf).join('');
  const budget = Math.min(
    ...PLATE_FORMATS.filter((f) => f.length === read.length && !shape.includes('?')).map(
      (f) => [...f].filter((t, i) => t !== shape[i]).length,
    ),
  );
  const cost = (a: string, b: string) => {
    if (a === b) return 0;
    if (typeOf(a) === typeOf(b) && typeOf(a) !== '?') return 1;
    if (ocr && LOOK_ALIKE_PAIRS.has(a + b)) return 'swap';
    return Infinity;
  };
  let best = Infinity;
  for (let start = -read.length; start <= key.length; start++) {
    const k0 = Math.max(start, 0);
    const r0 = Math.max(-start, 0);
    const core = Math.min(key.length - k0, read.length - r0);
    if (core < 1 || Math.abs(start) >= best) continue;
    let d = Math.abs(start) + (key.length - k0 - core) + (read.length - r0 - core);
    let swaps = 0;
    for (let i = 0; i < core && d < best; i++) {
      const c = cost(key[k0 + i], read[r0 + i]);
      if (c === 'swap') swaps++;
      else d += c;
    }
    if (swaps <= budget) best = Math.min(best, d);
  }
  return best;
}
