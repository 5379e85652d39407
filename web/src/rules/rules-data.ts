// The Rules view's reads of the API: a list loaded on mount and on demand, with its loading and
// error states, and how a failure reads. Every route here is admin-only, so a 403 says so.

import { type Signal, useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { ApiError, getJson, postJson } from '../api.js';
import { forbiddenMessage } from '../roles.js';
import { me } from '../session.js';
import type { Result } from './rule-forms.js';

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

/**
 * A form that creates one thing: its busy, error and done states, and `create`, which shows a
 * body the form refused as the error, else POSTs it to `path` and says `created(body)` once done.
 */
export function useCreate<T = Record<string, unknown>>(path: string, action: string) {
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const done = useSignal<string | null>(null);
  const create = async (body: Result<T>, created: (value: T) => string): Promise<boolean> => {
    done.value = null;
    if (!body.ok) {
      error.value = body.error;
      return false;
    }
    error.value = null;
    busy.value = true;
    try {
      await postJson<{ id: string }>(path, body.value);
      done.value = created(body.value);
      return true;
    } catch (err) {
      error.value = problem(err, action);
      return false;
    } finally {
      busy.value = false;
    }
  };
  return { busy, error, done, create };
}
