// engine/domain/plate.ts: the canonical plate every comparison uses.

import { describe, expect, it } from 'vitest';
import { normalisePlate } from '../../engine/domain/plate.js';

describe('normalisePlate', () => {
  it('upper-cases Latin letters', () => {
    expect(normalisePlate('01a123bc')).toBe('01A123BC');
    expect(normalisePlate('AbC')).toBe('ABC');
  });

  it('removes spaces, tabs and dashes of every kind', () => {
    expect(normalisePlate('01 A 123 BC')).toBe('01A123BC');
    expect(normalisePlate('  01-A-123-BC  ')).toBe('01A123BC');
    expect(normalisePlate('01\tA\u00a0123\u2011BC')).toBe('01A123BC'); // tab, no-break space, non-breaking hyphen
    expect(normalisePlate('AB\u2013CD\u2014EF\u2010GH\u2012IJ')).toBe('ABCDEFGHIJ'); // en, em, hyphen, figure dash
  });

  it('maps Cyrillic look-alikes to Latin, in either case', () => {
    // о, а, в are Cyrillic here.
    expect('о 123 ав 01'.match(/[\u0400-\u04FF]/g)).toHaveLength(3);
    expect(normalisePlate('о 123 ав 01')).toBe('O123AB01');
    expect(normalisePlate('АВЕКМНОРСТУХ')).toBe('ABEKMHOPCTYX');
    expect(normalisePlate('авекмнорстух')).toBe('ABEKMHOPCTYX');
    expect(normalisePlate('ІЈЅЁ12')).toBe('IJSE12');
  });

  it('gives the same canonical form for the Latin and the Cyrillic spelling', () => {
    expect(normalisePlate('A 777 BC-77')).toBe(normalisePlate('А 777 ВС-77'));
  });

  it('keeps look-alike digits and letters apart (0/O and 1/I are the matcher’s business)', () => {
    expect(normalisePlate('O0I1')).toBe('O0I1');
  });

  it('accepts 2 to 16 characters once normalised', () => {
    expect(normalisePlate('A1')).toBe('A1');
    expect(normalisePlate('A'.repeat(16))).toBe('A'.repeat(16));
    expect(normalisePlate('A B C D E F G H I J K L M N O P')).toBe('ABCDEFGHIJKLMNOP');
  });

  it('refuses fewer than 2 or more than 16 characters once normalised', () => {
    expect(normalisePlate('')).toBeNull();
    expect(normalisePlate('A')).toBeNull();
    expect(normalisePlate(' - A - ')).toBeNull();
    expect(normalisePlate('   ')).toBeNull();
    expect(normalisePlate('A'.repeat(17))).toBeNull();
    expect(normalisePlate('1234 5678 9012 3456 7')).toBeNull();
  });

  it('refuses characters other than letters, digits, spaces and dashes', () => {
    for (const text of ['AB.12', 'AB_12', 'AB/12', 'AB*12', 'AB#12', "AB'12", 'AB+12', 'AB12!', 'AB\u0000'])
      expect(normalisePlate(text), text).toBeNull();
  });

  it('refuses Cyrillic letters without a Latin look-alike', () => {
    for (const text of ['Ж123', 'Д123', 'Я 01', 'ЬЫ'] as const) expect(normalisePlate(text), text).toBeNull();
  });

  it('refuses other scripts and non-ASCII letters and digits', () => {
    for (const text of ['ÄB12', 'ΑΒ12' /* Greek */, '١٢٣AB' /* Arabic-Indic digits */, 'ＡＢ12' /* full-width */, 'AB12😀'])
      expect(normalisePlate(text), text).toBeNull();
  });

  it('refuses letters whose upper case happens to be Latin (ß → SS, ﬁ → FI) instead of expanding them', () => {
    // Upper-casing before the character check turns 'ß' into 'SS' and the ligature 'ﬁ' into
    // 'FI': a plate no camera read, and one the length limit was not applied to.
    expect(normalisePlate('aßc12')).toBeNull();
    expect(normalisePlate('ﬁ12')).toBeNull();
  });
});
