// Who is signed in. The token lives in sessionStorage: it survives a reload of the tab but not
// the tab itself, and no other tab or site sees it.

import { signal } from '@preact/signals';
import { parseFragment } from './fragment.js';
import type { Me } from './hit.js';

const KEY = 'vigil.token';

function stored(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export const token = signal<string | null>(stored());
export const me = signal<Me | null>(null);
/** Why the user was sent back to sign-in, shown there. */
export const signedOutBecause = signal<string | null>(null);

export function signIn(value: string): void {
  const t = value.trim().replace(/^Bearer\s+/i, '');
  if (t === '') return;
  try {
    sessionStorage.setItem(KEY, t);
  } catch {
    // Storage refused (a locked-down profile): the session lasts as long as the page.
  }
  signedOutBecause.value = null;
  me.value = null;
  token.value = t;
}

export function signOut(because: string | null = null): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
  signedOutBecause.value = because;
  me.value = null;
  token.value = null;
}

/** A `#token=…` link signs in, and the token leaves the address bar (and the history entry) at once. */
export function takeTokenFromAddress(): void {
  const { token: given, rest } = parseFragment(location.hash);
  if (given === null) return;
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest}`);
  signIn(given);
}
