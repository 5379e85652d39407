// engine/store/sighting-cursor.ts: the cursor of a paged sighting search.

import { describe, expect, it } from 'vitest';
import { ParamError } from '../../engine/errors.js';
import { decodeSightingCursor, encodeSightingCursor, type SightingCursor, searchKey } from '../../engine/store/sighting-cursor.js';
import { thrown } from '../helpers/thrown.js';

const FROM = Date.UTC(2026, 10, 1);
const TO = Date.UTC(2026, 10, 2);
const KEY = { pattern: '01A1*BC', fuzzy: false, from: FROM, to: TO };

const cursor = (over: Partial<SightingCursor> = {}): SightingCursor => ({
  from: FROM,
  to: TO,
  tsUs: BigInt(FROM + 5) * 1000n + 123n,
  seq: 9_007_199_254_740_993n, // past 2^53: kept exactly
  idx: 149,
  search: searchKey(KEY),
  ...over,
});

describe('sighting cursor', () => {
  it('decodes what it encodes, BIGINTs exactly, as opaque URL-safe text', () => {
    const c = cursor();
    const text = encodeSightingCursor(c);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(text.length).toBeLessThan(200);
    expect(decodeSightingCursor(text)).toEqual(c);
    expect(decodeSightingCursor(encodeSightingCursor(cursor({ seq: -1n, idx: 0, tsUs: 0n })))).toMatchObject({
      seq: -1n,
      idx: 0,
      tsUs: 0n,
    });
  });

  it('keys a search by its pattern, fuzziness and window', () => {
    const k = searchKey(KEY);
    expect(k).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(searchKey({ ...KEY })).toBe(k);
    for (const other of [{ pattern: '01A1*B' }, { fuzzy: true }, { from: FROM + 1 }, { to: TO - 1 }]) {
      expect(searchKey({ ...KEY, ...other }), JSON.stringify(other)).not.toBe(k);
    }
  });

  it('refuses anything it did not make, naming cursor', () => {
    const good = encodeSightingCursor(cursor());
    const json = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const fields = JSON.parse(Buffer.from(good, 'base64url').toString()) as unknown[];
    const with_ = (i: number, v: unknown) => json(fields.map((f, j) => (j === i ? v : f)));
    for (const bad of [
      '',
      'x',
      good.slice(0, -3),
      `${good}AAAA`,
      json({ ts: 1 }),
      json(fields.slice(0, 6)),
      with_(0, 2), // another version
      with_(1, -1),
      with_(1, TO), // from not before to
      with_(2, 1.5),
      with_(3, '12.5'),
      with_(3, 12),
      with_(4, '99999999999999999999'), // past BIGINT
      with_(4, '9223372036854775808'),
      with_(5, 2 ** 31),
      with_(5, '1'),
      with_(6, 'short'),
      with_(6, null),
    ]) {
      const e = thrown(() => decodeSightingCursor(bad), ParamError);
      expect(e.param, bad).toBe('cursor');
      expect(e.message).toBe('cursor is not a cursor this API returned');
    }
    expect(decodeSightingCursor(with_(4, '9223372036854775807')).seq).toBe(2n ** 63n - 1n);
  });
});
