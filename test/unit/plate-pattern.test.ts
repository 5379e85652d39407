// engine/domain/plate-pattern.ts: plate search patterns as investigators type them, and the
// GLOB patterns (exact and up to OCR look-alikes) the store runs.

import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_STARS, parsePlatePattern, patternGlob } from '../../engine/domain/plate-pattern.js';
import { ParamError } from '../../engine/errors.js';
import { ocrClassOf } from '../../engine/match/plate-matcher.js';
import { mulberry32 } from '../../engine/util/random.js';
import { thrown } from '../helpers/thrown.js';

const refusal = (raw: string) => thrown(() => parsePlatePattern(raw), ParamError);

/** DuckDB's GLOB over A-Z, 0-9, `*`, `?` and `[…]`, as a regular expression. */
function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

describe('parsePlatePattern', () => {
  it('takes a plate without wildcards as normalisePlate gives it', () => {
    expect(parsePlatePattern('01 a 123-bc')).toEqual({ text: '01A123BC', wildcard: false });
    expect(parsePlatePattern('АВ')).toEqual({ text: 'AB', wildcard: false }); // Cyrillic; two characters, as before
  });

  it('normalises the literal parts of a pattern and keeps * and ?', () => {
    expect(parsePlatePattern('01a1*bc')).toEqual({ text: '01A1*BC', wildcard: true });
    expect(parsePlatePattern('01 А 1?? вс')).toEqual({ text: '01A1??BC', wildcard: true }); // Cyrillic А, в, с
    expect(parsePlatePattern('*123*')).toEqual({ text: '*123*', wildcard: true });
    expect(parsePlatePattern('01-*-BC')).toEqual({ text: '01*BC', wildcard: true });
  });

  it('keeps a run of * as one', () => {
    expect(parsePlatePattern('01***A**B')).toEqual({ text: '01*A*B', wildcard: true });
  });

  it('refuses a pattern with fewer than 3 letters and digits, naming plate', () => {
    for (const raw of ['*', '**', '?', '01*', '0?1', '*A*B*', '- *1 2']) {
      const e = refusal(raw);
      expect(e.param).toBe('plate');
      expect(e.message, raw).toMatch(/^plate .*at least 3/);
    }
    expect(parsePlatePattern('0?1*2').text).toBe('0?1*2');
  });

  it('refuses any other character, naming plate', () => {
    for (const raw of ["01A1*' OR 1=1", '01A1%', '01A_1', '01[A]1*', '01A1*\\', '01A\u00001*', '01A1*é', '01A1*😀', '01A.1*']) {
      const e = refusal(raw);
      expect(e.param, raw).toBe('plate');
      expect(e.message, raw).toMatch(/may hold only letters, digits/);
    }
  });

  it(`refuses more than ${MAX_PATTERN_STARS} * and patterns longer than any plate`, () => {
    expect(parsePlatePattern('*1*2*3').text).toBe('*1*2*3');
    expect(refusal('*1*2*3*').message).toMatch(/at most 3/);
    expect(parsePlatePattern(`${'?'.repeat(13)}ABC`).text).toHaveLength(16);
    expect(refusal(`${'?'.repeat(14)}ABC`).message).toMatch(/longer than any plate/);
  });

  it('refuses a plate without wildcards as before: not 2–16 letters and digits', () => {
    expect(refusal('A').message).toMatch(/is not 2–16 letters and digits/);
    expect(refusal('A'.repeat(17)).message).toMatch(/is not 2–16 letters and digits/);
  });
});

describe('patternGlob', () => {
  it('is the pattern itself without classes', () => {
    expect(patternGlob(parsePlatePattern('01A1*BC'))).toBe('01A1*BC');
    expect(patternGlob(parsePlatePattern('01A123BC'))).toBe('01A123BC');
  });

  it('with OCR classes, puts each look-alike literal as the set of its class', () => {
    expect(patternGlob(parsePlatePattern('010123AB'), ocrClassOf)).toBe('[0DOQ][1I][0DOQ][1I][2Z]3A[8B]');
    expect(patternGlob(parsePlatePattern('0?5*G'), ocrClassOf)).toBe('[0DOQ]?[5S]*[6G]');
    expect(patternGlob(parsePlatePattern('AXY*'), ocrClassOf)).toBe('AXY*');
  });

  it('matches a stored plate exactly when its class form matches the pattern with class-mapped literals', () => {
    const rnd = mulberry32(7);
    const pick = (s: string) => s[Math.floor(rnd() * s.length)];
    const plate = () => Array.from({ length: 6 + Math.floor(rnd() * 3) }, () => pick('0O1I8B5S2Z6GDQAXC3')).join('');
    const plates = Array.from({ length: 3000 }, plate);
    let found = 0;
    for (const raw of ['010123AB', '0?5*G', 'O1*8', '*S2Z*', '1I1?', 'QDO*']) {
      const pattern = parsePlatePattern(raw);
      const fuzzy = globRegExp(patternGlob(pattern, ocrClassOf));
      const exact = globRegExp(patternGlob(pattern));
      const byClass = globRegExp(ocrClassOf(pattern.text));
      for (const p of plates) {
        expect(fuzzy.test(p), `${raw} ~ ${p}`).toBe(byClass.test(ocrClassOf(p)));
        if (exact.test(p)) expect(fuzzy.test(p)).toBe(true);
        if (fuzzy.test(p)) found++;
      }
    }
    expect(found).toBeGreaterThan(20);
  });
});
