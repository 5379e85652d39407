// The situation centre's page and assets as the engine serves them: public, the page under its
// own strict CSP and never cached, hashed assets cached for a year, the city's time zone for the
// page, and a clear 503 (not a crash) from an engine whose web app was never built.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { defaultWebDir, tileSource, webAppCsp, webAppRoutes } from '../../api/web-app.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
// A deployment with its own tiles: the page is told them, and its CSP admits that server alone.
const TILES = { tileUrl: 'https://{s}.tiles.example.org/{z}/{x}/{y}.png', tileAttribution: '© the city' };

beforeAll(async () => {
  stack = await startStack({ timezone: 'Asia/Tashkent', ui: TILES });
});

afterAll(async () => {
  await stopStack(stack);
});

describe('the web app', () => {
  it('serves its page at / without a token, under its own CSP, never cached', async () => {
    const res = await stack.engine.api.inject({ url: '/' });
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toBe(webAppCsp(TILES.tileUrl));
    expect(res.headers['content-security-policy']).toMatch(/img-src 'self' data: https:\/\/\*\.tiles\.example\.org;/);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).toMatch(/<script type="module" crossorigin src="\/app\/assets\/index-[\w-]+\.js">/);
    // No inline script or style for the CSP to refuse.
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).not.toMatch(/<style|style="/);
  });

  it('serves the hashed assets for a year, with the strict CSP, and nothing outside them', async () => {
    const files = readdirSync(join(defaultWebDir(), 'assets')).filter((f) => !/\.(br|gz)$/.test(f));
    const js = files.find((f) => f.startsWith('index-') && f.endsWith('.js'))!;
    const css = files.find((f) => f.startsWith('index-') && f.endsWith('.css'))!;
    const script = await stack.engine.api.inject({ url: `/app/assets/${js}` });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    expect((await stack.engine.api.inject({ url: `/app/assets/${css}` })).headers['content-type']).toMatch(/^text\/css/);
    // The build's brotli copy, for a browser that accepts it; the same bytes once decoded.
    const br = await stack.engine.api.inject({ url: `/app/assets/${js}`, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.rawPayload.length).toBeLessThan(script.rawPayload.length / 3);
    expect(brotliDecompressSync(br.rawPayload).equals(script.rawPayload)).toBe(true);
    expect((await stack.engine.api.inject({ url: '/app/assets/nothing.js' })).statusCode).toBe(404);
    expect((await stack.engine.api.inject({ url: '/app/assets/.hidden' })).statusCode).toBe(403);
    // Dot segments, plain or escaped, never reach a file outside assets/ (the router resolves some
    // of them first: outside /app/assets/ the path is an unknown, admin-only one; send() refuses the rest).
    for (const url of [
      '/app/assets/',
      '/app/assets/../index.html',
      '/app/assets/%2e%2e/index.html',
      '/app/assets/..%2findex.html',
      '/app/assets/..%2f..%2fpackage.json',
    ]) {
      const res = await stack.engine.api.inject({ url });
      expect([401, 403, 404], `${url}: ${res.statusCode}`).toContain(res.statusCode);
    }
  });

  it("tells the page the city's time zone and its tiles, without a token", async () => {
    const res = await stack.engine.api.inject({ url: '/app/config.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ timezone: 'Asia/Tashkent', ...TILES });
  });

  it('without ui.tileUrl: no tiles for the page, and no image from anywhere but its own origin', async () => {
    const app = Fastify();
    app.decorate('deps', { config: { timezone: 'UTC', ui: {} } } as never);
    await app.register(webAppRoutes);
    expect((await app.inject({ url: '/app/config.json' })).json()).toEqual({ timezone: 'UTC' });
    expect(webAppCsp()).toMatch(/img-src 'self' data:;/);
    await app.close();
  });

  it('names a tile server in the CSP by scheme and host, a {s} subdomain as *', () => {
    expect(tileSource('https://tiles.example.org/osm/{z}/{x}/{y}.png')).toBe('https://tiles.example.org');
    expect(tileSource('http://{s}.tile.example.org:8080/{z}/{x}/{y}.png')).toBe('http://*.tile.example.org:8080');
    expect(tileSource('https://tiles-{z}.example.org/{z}/{x}/{y}.png')).toBe('https:');
  });

  it('answers 503 saying to run npm run build when the app was not built', async () => {
    const app = Fastify();
    app.decorate('deps', { config: { timezone: 'UTC', ui: {} } } as never);
    await app.register(webAppRoutes, { webDir: '/nonexistent/vigil-web' });
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/npm run build/);
    expect((await app.inject({ url: '/app/assets/index.js' })).statusCode).toBe(404);
    await app.close();
  });
});
