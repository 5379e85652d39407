// One panel's call to the API: idle (nothing to ask yet, and why), loading, the answer, or the
// API's message. A 400 of the analytics (too few areas, a constant variable, a singular design)
// is the panel's message, not a failure of the page. A newer question aborts the older one.

import { type Signal, useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { ApiError, getJson } from '../api.js';
import { forbiddenMessage } from '../roles.js';
import { me } from '../session.js';

export type Answer<T> =
  | { state: 'idle'; message: string }
  | { state: 'loading' }
  | { state: 'ok'; data: T }
  | { state: 'error'; message: string; status: number };

export function problemOf(err: unknown, action: string): { message: string; status: number } {
  if (err instanceof ApiError) {
    if (err.status === 403) return { message: forbiddenMessage(action, ['analyst'], me.value?.roles ?? []), status: 403 };
    return { message: err.message, status: err.status };
  }
  return { message: err instanceof Error ? err.message : String(err), status: 0 };
}

/**
 * Asks `url` whenever it changes; `url` null asks nothing: the panel is `idle` (saying why), or
 * `loading` while `waiting` for what it needs to know first.
 */
export function useAnswer<T>(url: string | null, action: string, idle = 'Nothing to show yet.', waiting = false): Signal<Answer<T>> {
  const answer = useSignal<Answer<T>>(url || waiting ? { state: 'loading' } : { state: 'idle', message: idle });
  useEffect(() => {
    if (!url) {
      answer.value = waiting ? { state: 'loading' } : { state: 'idle', message: idle };
      return;
    }
    const abort = new AbortController();
    answer.value = { state: 'loading' };
    getJson<T>(url, abort.signal).then(
      (data) => {
        if (!abort.signal.aborted) answer.value = { state: 'ok', data };
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        answer.value = { state: 'error', ...problemOf(err, action) };
      },
    );
    return () => abort.abort();
  }, [url, idle, waiting]);
  return answer;
}
