// The situation centre's web app (web/, built by Vite into dist/web/): its page at /, its hashed
// assets under /app/assets/, and /app/config.json, what the page needs before anyone signs in
// (the city's time zone, the base map's tiles). All public: the page holds no data; every call it makes carries the
// user's bearer token. Served from disk on each request, so a rebuild needs no restart, and an
// engine run from sources without a build answers 503 saying how to build, never crashes.

import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface WebAppOptions {
  /** The Vite build (index.html and assets/); default dist/web of this checkout. */
  webDir?: string;
}

/**
 * The page's CSP: its own scripts, styles and images (Leaflet's stylesheet draws its few images
 * as data: URIs), and calls to this origin; with `ui.tileUrl`, images from the tile server too.
 * No inline script or style, no eval; Leaflet and Preact set element styles from script (the
 * CSSOM), which style-src does not govern.
 */
export function webAppCsp(tileUrl?: string): string {
  const images = tileUrl ? ` ${tileSource(tileUrl)}` : '';
  return `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:${images}; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
}

/**
 * The CSP source that admits a tile URL template: its scheme and host, a `{s}` subdomain as `*`
 * (`https://{s}.tile.example.org/{z}/{x}/{y}.png` → `https://*.tile.example.org`). A host with
 * any other placeholder cannot be named in a CSP: its scheme is admitted.
 */
export function tileSource(tileUrl: string): string {
  const [, scheme, host] = /^(https?):\/\/([^/?#]+)/.exec(tileUrl) ?? [];
  if (!scheme || !host) return 'https:';
  const wild = host.replace(/^\{s\}\./, '*.');
  return /[{}]/.test(wild) ? `${scheme}:` : `${scheme}://${wild}`;
}

/** The file names carry their content's hash: a year, never revalidated. */
const ASSET_MAX_AGE = '365d';

const NOT_BUILT = 'The situation centre (web app) is not built: run `npm run build` (it builds dist/web), then reload.\n';

/** dist/web beside this file's build: ../web from dist/api/, ../dist/web from api/ (sources run by vitest). */
export function defaultWebDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.endsWith(`${sep}dist${sep}api${sep}`) ? resolve(here, '..', 'web') : resolve(here, '..', 'dist', 'web');
}

function notBuilt(reply: FastifyReply): FastifyReply {
  return reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
}

export async function webAppRoutes(app: FastifyInstance, opts: WebAppOptions): Promise<void> {
  const webDir = opts.webDir ?? defaultWebDir();
  const assets = join(webDir, 'assets');
  const { timezone, ui } = app.deps.config;
  const csp = webAppCsp(ui.tileUrl);
  // reply.sendFile only: the routes are declared here, so the route table is the same built or not.
  // The build writes .br and .gz copies of its scripts and styles; the one the browser accepts is sent.
  await app.register(fastifyStatic, { serve: false, preCompressed: true });

  app.get('/', { config: { access: 'public', csp }, schema: { hide: true } }, async (_request, reply) => {
    let page: string;
    try {
      page = await readFile(join(webDir, 'index.html'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return notBuilt(reply);
      throw err;
    }
    // no-store (the default header): a new build's page, naming new asset hashes, is seen at once.
    return reply.type('text/html; charset=utf-8').send(page);
  });

  // The tile template and attribution are the deployment's, not secrets: the page needs them to draw.
  const pageConfig = { timezone, ...(ui.tileUrl ? { tileUrl: ui.tileUrl, tileAttribution: ui.tileAttribution ?? '' } : {}) };
  app.get('/app/config.json', { config: { access: 'public' }, schema: { hide: true } }, async () => pageConfig);

  // One path segment: Vite writes its assets flat into assets/, so no path with a slash is ever
  // served. send() refuses dot files and answers 404 for the rest, a missing build included.
  app.get<{ Params: { file: string } }>('/app/assets/:file', { config: { access: 'public' }, schema: { hide: true } }, (request, reply) =>
    reply.sendFile(request.params.file, assets, { immutable: true, maxAge: ASSET_MAX_AGE, dotfiles: 'deny' }),
  );
}
