// The sign-in link: `/#token=…`. The token is taken out of the fragment (a fragment never goes
// to the server, but it stays in the address bar, the history and screenshots until removed).

export interface Fragment {
  token: string | null;
  /** The fragment without the token, `#…` or '' when nothing else was in it. */
  rest: string;
}

export function parseFragment(hash: string): Fragment {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text === '') return { token: null, rest: '' };
  const params = new URLSearchParams(text);
  const token = params.get('token')?.trim() || null;
  params.delete('token');
  const rest = params.toString();
  return { token, rest: rest === '' ? '' : `#${rest}` };
}
