// The served OpenAPI document and the API reference: /docs/json is a valid OpenAPI document
// (checked by a standard validator) that describes every route the app serves, and /docs is
// Swagger UI, public, with a CSP that lets its own scripts run while the API keeps the strict one.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { auth } from '../helpers/engine.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';
import { servedRoutes } from '../helpers/routes.js';

let stack: Stack;
let doc: Record<string, any>;

/** The API's policy: the document is data, not a page, and keeps it. */
const STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Routes not described by the document: the documentation itself, the operational probes and the web app (/, /app/…). */
const UNDOCUMENTED = /^(\/docs(\/.*)?|\/metrics|\/healthz|\/readyz|\/|\/app\/.*)$/;

/** Fastify's `/a/:id` is OpenAPI's `/a/{id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

beforeAll(async () => {
  stack = await startStack();
  const res = await stack.engine.api.inject({ url: '/docs/json', headers: auth('analyst') });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  doc = res.json();
});

afterAll(async () => {
  await stopStack(stack);
});

describe('GET /docs/json', () => {
  it('is a valid OpenAPI document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    // The validator dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as any)).resolves.toBeDefined();
  });

  it('declares bearer authentication for every operation', () => {
    expect(doc.components?.securitySchemes?.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('describes every route the app serves, with its method', () => {
    const served = servedRoutes(stack.engine.api.printRoutes({ commonPrefix: false }));
    const documented = served.filter((r) => !UNDOCUMENTED.test(r.split(' ')[1]));
    expect(documented.length).toBeGreaterThan(20);
    const missing = documented.filter((r) => {
      const [method, url] = r.split(' ');
      return doc.paths?.[openApiPath(url)]?.[method.toLowerCase()] === undefined;
    });
    expect(missing, 'served routes missing from the document').toEqual([]);
    // And the document describes nothing the app does not serve.
    const described = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual(documented.map((r) => `${r.split(' ')[0]} ${openApiPath(r.split(' ')[1])}`).sort());
  });

  it('keeps its roles: no token is 401, any role may read it', async () => {
    expect((await stack.engine.api.inject({ url: '/docs/json' })).statusCode).toBe(401);
    for (const role of ['admin', 'analyst', 'dispatcher'] as const) {
      expect((await stack.engine.api.inject({ url: '/docs/json', headers: auth(role) })).statusCode, role).toBe(200);
    }
    expect((await stack.engine.api.inject({ url: '/docs/yaml' })).statusCode).toBe(401);
    for (const url of ['/docs/json', '/docs/yaml']) {
      const res = await stack.engine.api.inject({ url, headers: auth('dispatcher') });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-security-policy'], url).toBe(STRICT_CSP);
    }
  });
});

describe('GET /docs', () => {
  it('is Swagger UI, public, with a CSP that allows its own scripts, styles and images', async () => {
    const res = await stack.engine.api.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('swagger-ui-bundle.js');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/style-src 'self'/);
    expect(csp).toMatch(/img-src 'self'/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https:|\*/);
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('serves its scripts and styles without a token', async () => {
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-initializer.js', 'swagger-ui.css']) {
      const res = await stack.engine.api.inject({ url: `/docs/static/${asset}` });
      expect(res.statusCode, asset).toBe(200);
      expect(res.headers['content-security-policy'], asset).toMatch(/script-src 'self'/);
    }
    // The static folder's own index pages lead to the configured UI.
    for (const url of ['/docs/static/', '/docs/static/index.html']) {
      const res = await stack.engine.api.inject({ url });
      expect(res.statusCode, url).toBe(302);
      expect(res.headers.location, url).toBe('/docs/');
    }
    expect((await stack.engine.api.inject({ url: '/docs/' })).statusCode).toBe(200);
  });

  it('the initializer fetches the document with the bearer token and offers it to Authorize', async () => {
    const res = await stack.engine.api.inject({ url: '/docs/static/swagger-initializer.js' });
    // The functions of the UI's configuration are serialised into the script: it must parse.
    expect(() => new Function(res.body)).not.toThrow();
    expect(res.body).toContain('Authorization');
    expect(res.body).toContain('preauthorizeApiKey');
  });

  it('leaves the strict CSP on the API', async () => {
    for (const opts of [{ url: '/api/v1/cameras', headers: auth('analyst') }, { url: '/api/v1/cameras' }, { url: '/healthz' }]) {
      const res = await stack.engine.api.inject(opts);
      expect(res.headers['content-security-policy'], opts.url).toBe(STRICT_CSP);
    }
  });
});
