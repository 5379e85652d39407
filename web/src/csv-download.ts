// "Download CSV": the API's `format=csv` answer, fetched with the bearer token (a plain link
// cannot send it) and saved under a name that says what it holds and for when.

import { request } from './api.js';

/** Letters, digits and dashes only: safe in a file name on every system. */
function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 40);
}

/** `vigil-hotspots-2026-11-01-to-2026-11-30-burglary.csv`: what, the window, and the filters. */
export function csvFileName(what: string, window: { from?: string; to?: string }, ...filters: Array<string | null | undefined>): string {
  const parts = ['vigil', slug(what)];
  if (window.from && window.to) parts.push(`${slug(window.from)}-to-${slug(window.to)}`);
  for (const f of filters) {
    const s = f ? slug(f) : '';
    if (s !== '') parts.push(s);
  }
  return `${parts.join('-')}.csv`;
}

/** `url` with `format=csv` in place of any other format. */
export function csvUrl(url: string): string {
  const [path, query = ''] = url.split('?', 2);
  const q = new URLSearchParams(query);
  q.set('format', 'csv');
  return `${path}?${q}`;
}

/** Fetches the CSV answer of `url` and has the browser save it as `fileName`. */
export async function downloadCsv(url: string, fileName: string): Promise<void> {
  const blob = await (await request(csvUrl(url))).blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
