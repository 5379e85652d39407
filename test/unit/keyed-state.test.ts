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
