// KeyedState's layers as the two-stage ingest uses them: a matched batch's changes are seen by
// the next batch before the store committed them; a re-matched batch drops only its own.

import { describe, expect, it } from 'vitest';
import { KeyedState } from '../../engine/match/keyed-state.js';

describe('KeyedState', () => {
  it('lets the next batch read a staged batch, and commits staged layers oldest first', () => {
    const s = KeyedState.from<number>([
      ['a', 1],
      ['b', 2],
    ]);
    s.set('a', 10);
    s.delete('b');
    const first = s.stage();
    expect([...first]).toEqual([
      ['a', 10],
      ['b', null],
    ]);
    expect(s.get('a')).toBe(10);
    expect(s.get('b')).toBeUndefined();

    s.set('a', 20); // the second batch, while the first is being stored
    s.set('b', 3);
    s.stage();
    s.set('c', 5);
    s.rollback(); // the third batch is matched again: only its change goes
    expect(s.get('c')).toBeUndefined();
    expect([s.get('a'), s.get('b')]).toEqual([20, 3]);

    expect(s.size).toBe(2);
    s.commitStaged();
    expect(s.size).toBe(1); // 'b' deleted by the first batch
    s.commitStaged();
    expect([s.get('a'), s.get('b'), s.size]).toEqual([20, 3, 2]);
    expect(() => s.commitStaged()).toThrow(/no staged state/);
  });
});

describe('KeyedState.expireBefore', () => {
  const at = (v: number) => v;

  it('deletes, as the open batch, every key whose freshest time is before the cutoff, in every layer', () => {
    const s = KeyedState.from<number>([
      ['old', 10],
      ['young', 50],
      ['edge', 30],
      ['renewed', 10],
    ]);
    s.set('renewed', 40); // a staged batch read it again
    s.set('staged-old', 5);
    s.stage();
    s.set('open-old', 1); // the open batch
    expect(s.expireBefore(30, at)).toBe(3);
    expect(['old', 'young', 'edge', 'renewed', 'staged-old', 'open-old'].map((k) => s.get(k))).toEqual([
      undefined,
      50,
      30, // at the cutoff: kept
      40,
      undefined,
      undefined,
    ]);
    expect([...s.pending()].sort()).toEqual([
      ['old', null],
      ['open-old', null],
      ['staged-old', null],
    ]);
    expect(s.size).toBe(4); // the base changes only once the store committed
    s.commitStaged();
    const changes = s.stage();
    expect(changes.get('old')).toBeNull();
    s.commitStaged();
    expect(s.size).toBe(3);
  });

  it('is undone by a rollback, like any change of the open batch', () => {
    const s = KeyedState.from<number>([['a', 1]]);
    expect(s.expireBefore(2, at)).toBe(1);
    s.rollback();
    expect(s.get('a')).toBe(1);
    expect(s.pending().size).toBe(0);
  });

  it('does not count a key a layer already deleted, and keeps a value without a time', () => {
    const s = KeyedState.from<number>([
      ['gone', 1],
      ['unknown', Number.NaN],
    ]);
    s.delete('gone');
    s.stage();
    expect(s.expireBefore(100, (v, key) => (key === 'unknown' ? Number.NaN : v))).toBe(0);
    expect(s.get('unknown')).toBeNaN();
  });
});
