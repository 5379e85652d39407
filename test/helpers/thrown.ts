// The error `fn` throws, checked to be of `type`; fails the test when `fn` does not throw.

import { expect } from 'vitest';

export function thrown<E>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}

/** The message of the error `fn` throws; fails the test when `fn` does not throw. */
export function thrownMessage(fn: () => unknown): string {
  return thrown(fn, Error).message;
}
