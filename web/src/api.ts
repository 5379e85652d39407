// Calls to the engine's API with the signed-in bearer token. A 401 anywhere ends the session
// (the token expired or was revoked: back to sign-in); other errors carry the API's message.

import { signOut, token } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The token-bearing request; throws ApiError for any answer but 2xx. */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const bearer = token.value;
  const headers = new Headers(init.headers);
  if (bearer) headers.set('authorization', `Bearer ${bearer}`);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, null, 'The engine does not answer (network error).');
  }
  if (res.ok) return res;
  let body: { code?: string; message?: string } | null = null;
  try {
    body = (await res.json()) as { code?: string; message?: string };
  } catch {
    // Not the API's JSON error shape (a proxy's page, a cut connection): the status says enough.
  }
  if (res.status === 401) signOut('Your session has ended (the token was not accepted): sign in again.');
  throw new ApiError(res.status, body?.code ?? null, body?.message ?? `${res.status} ${res.statusText}`);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, { signal })).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as T;
}
