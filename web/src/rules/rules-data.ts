// The Rules view's reads of the API: a list loaded on mount and on demand, with its loading and
// error states, and how a failure reads. Every route here is admin-only, so a 403 says so.

import { type Signal, useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { ApiError, getJson } from '../api.js';
import { forbiddenMessage } from '../roles.js';
import { me } from '../session.js';

export function problem(err: unknown, action: string): string {
  if (err instanceof ApiError && err.status === 403) return forbiddenMessage(action, [], me.value?.roles ?? []);
  return err instanceof Error ? err.message : String(err);
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/** GET `path` now and whenever `reload` is called; a reload keeps the rows shown until the answer comes. */
export function useLoaded<T>(path: string | null, action: string): { state: Signal<Loaded<T>>; reload: () => void } {
  const state = useSignal<Loaded<T>>({ data: null, error: null, loading: path !== null });
  const generation = useSignal(0);
  const asked = generation.value;
  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    state.value = { ...state.value, loading: true };
    getJson<T>(path, abort.signal).then(
      (data) => {
        state.value = { data, error: null, loading: false };
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        state.value = { ...state.value, error: problem(err, action), loading: false };
      },
    );
    return () => abort.abort();
  }, [path, asked]);
  return {
    state,
    reload: () => {
      generation.value++;
    },
  };
}
