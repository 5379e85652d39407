// Who may call what: every route the app serves × {no token, bad token, admin, analyst,
// dispatcher, the same roles as JWTs, and JWTs that must be refused}, against the README's HTTP API
// table. Authentication comes before any validation, and refusals land in the audit log.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type InjectOptions, type LightMyRequestResponse } from 'fastify';
import { exportJWK, SignJWT, UnsecuredJWT } from 'jose';
import { TestNatsServer } from '../helpers/nats-server.js';
import { TOKENS, auth, eventually, startEngine, testConfig } from '../helpers/engine.js';
import type { Engine } from '../../app/engine.js';
import { servedRoutes } from '../helpers/routes.js';

type Role = 'admin' | 'analyst' | 'dispatcher';
type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

interface RouteRow {
  method: Method;
  /** Fastify's notation, e.g. /api/v1/watchlists/:id */
  url: string;
  /** `public`: no token needed; otherwise the roles allowed besides admin (admin always may). */
  access: 'public' | readonly Role[];
  /** Server-Sent Events: the answer never ends, so only its status line is read. */
  stream?: boolean;
  /** Documented, not built yet: the app must not serve it until this mark is removed. */
  pending?: true;
}

// The README's HTTP API table, row by row, plus the API reference: the OpenAPI document /docs/json (and
// /docs/yaml) for any authenticated role, the Swagger UI pages and assets under /docs public.
// The app must serve exactly the rows not marked pending: a new route without a row, or a
// built route still marked pending, fails the table test.
const TABLE: readonly RouteRow[] = [
  { method: 'GET', url: '/healthz', access: 'public' },
  { method: 'GET', url: '/readyz', access: 'public' },
  { method: 'GET', url: '/metrics', access: 'public' },
  { method: 'GET', url: '/api/v1/me', access: ['analyst', 'dispatcher'] },
  { method: 'PUT', url: '/api/v1/cameras', access: [] },
  { method: 'GET', url: '/api/v1/cameras', access: ['analyst'] },
  { method: 'POST', url: '/api/v1/watchlists', access: [] },
  { method: 'GET', url: '/api/v1/watchlists', access: [] },
  { method: 'DELETE', url: '/api/v1/watchlists/:id', access: [] },
  { method: 'PATCH', url: '/api/v1/watchlists/:id', access: [] },
  { method: 'POST', url: '/api/v1/watchlists/:id/entries', access: [] },
  { method: 'DELETE', url: '/api/v1/watchlists/:id/entries/:key', access: [] },
  { method: 'POST', url: '/api/v1/geofences', access: [] },
  { method: 'GET', url: '/api/v1/geofences', access: [] },
  { method: 'DELETE', url: '/api/v1/geofences/:id', access: [] },
  { method: 'GET', url: '/api/v1/hits', access: ['dispatcher', 'analyst'] },
  { method: 'GET', url: '/api/v1/hits/stream', access: ['dispatcher', 'analyst'], stream: true },
  { method: 'POST', url: '/api/v1/hits/:id/ack', access: ['dispatcher'] },
  { method: 'GET', url: '/api/v1/hits/:id/context', access: ['dispatcher', 'analyst'] },
  { method: 'GET', url: '/api/v1/sightings', access: ['analyst'] },
  { method: 'PUT', url: '/api/v1/areas', access: [] },
  { method: 'GET', url: '/api/v1/areas', access: ['analyst'] },
  { method: 'GET', url: '/api/v1/analytics/traffic', access: ['analyst'] },
  { method: 'GET', url: '/api/v1/analytics/trends', access: ['analyst'] },
  { method: 'GET', url: '/api/v1/analytics/hotspots', access: ['analyst'] },
  { method: 'GET', url: '/api/v1/analytics/autocorrelation', access: ['analyst'] },
  { method: 'GET', url: '/api/v1/analytics/factors', access: ['analyst'] },
  { method: 'GET', url: '/api/v1/analytics/near-repeat', access: ['analyst'] },
  { method: 'GET', url: '/api/v1/audit', access: [] },
  { method: 'GET', url: '/docs/json', access: ['analyst', 'dispatcher'] },
  { method: 'GET', url: '/docs/yaml', access: ['analyst', 'dispatcher'] },
  { method: 'GET', url: '/docs', access: 'public' },
  { method: 'GET', url: '/docs/', access: 'public' },
  { method: 'GET', url: '/docs/static/', access: 'public' },
  { method: 'GET', url: '/docs/static/index.html', access: 'public' },
  { method: 'GET', url: '/docs/static/swagger-initializer.js', access: 'public' },
  { method: 'GET', url: '/docs/static/*', access: 'public' },
  { method: 'GET', url: '/', access: 'public' },
  { method: 'GET', url: '/app/config.json', access: 'public' },
  { method: 'GET', url: '/app/assets/:file', access: 'public' },
];

const key = (method: string, url: string) => `${method} ${url}`;

const CALLERS = [
  'no token',
  'bad token',
  'admin',
  'analyst',
  'dispatcher',
  'jwt admin',
  'jwt analyst',
  'jwt dispatcher',
  'jwt analyst+dispatcher',
  'jwt expired',
  'jwt wrong key',
  'jwt HS256',
  'jwt none',
  'jwt no role',
] as const;
type Caller = (typeof CALLERS)[number];
type JwtCaller = Extract<Caller, `jwt ${string}`>;

/** Signed in beforeAll: RS256 and ES256 keys in a JWKS file the engine reads. */
const JWTS = {} as Record<JwtCaller, string>;
const ISSUER = 'https://idp.test';
const AUDIENCE = 'vigil';

function headersOf(caller: Caller): Record<string, string> {
  switch (caller) {
    case 'no token':
      return {};
    case 'bad token':
      return { authorization: 'Bearer not-a-vigil-token-0123456789abcdef' };
    case 'admin':
    case 'analyst':
    case 'dispatcher':
      return auth(caller);
    default:
      return { authorization: `Bearer ${JWTS[caller]}` };
  }
}

async function signJwts(): Promise<string> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-jwks-')), 'jwks.json');
  writeFileSync(file, JSON.stringify(jwks));
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, key: KeyObject, alg: 'RS256' | 'ES256', kid: string, exp = now + 3600) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg, kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now - 60)
      .setExpirationTime(exp)
      .sign(key);
  JWTS['jwt admin'] = await sign({ sub: 'jwt-ops', role: 'admin' }, rsa.privateKey, 'RS256', 'rsa-1');
  JWTS['jwt analyst'] = await sign({ sub: 'jwt-analyst', roles: ['analyst', 'not-a-vigil-role'] }, ec.privateKey, 'ES256', 'ec-1');
  JWTS['jwt dispatcher'] = await sign({ sub: 'jwt-desk', role: 'dispatcher' }, rsa.privateKey, 'RS256', 'rsa-1');
  JWTS['jwt analyst+dispatcher'] = await sign({ sub: 'jwt-both', roles: ['dispatcher', 'analyst'] }, ec.privateKey, 'ES256', 'ec-1');
  JWTS['jwt expired'] = await sign({ sub: 'jwt-late', role: 'admin' }, rsa.privateKey, 'RS256', 'rsa-1', now - 120);
  JWTS['jwt wrong key'] = await sign({ sub: 'jwt-forger', role: 'admin' }, stranger.privateKey, 'RS256', 'rsa-1');
  // The classic confusion: HMAC keyed with the public key's bytes, which a careless verifier accepts.
  const hmacKey = new TextEncoder().encode(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  JWTS['jwt HS256'] = await new SignJWT({ sub: 'jwt-hmac', role: 'admin' })
    .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(now + 3600)
    .sign(hmacKey);
  JWTS['jwt none'] = new UnsecuredJWT({ sub: 'jwt-none', role: 'admin' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(now + 3600)
    .encode();
  JWTS['jwt no role'] = await sign({ sub: 'jwt-nobody', groups: ['staff'] }, rsa.privateKey, 'RS256', 'rsa-1');
  return file;
}

function expectErrorShape(res: { statusCode: number; body: string }, status?: number): void {
  let body: unknown;
  expect(() => (body = JSON.parse(res.body)), `error body is JSON: ${res.body.slice(0, 200)}`).not.toThrow();
  expect(body).toMatchObject({ statusCode: status ?? res.statusCode, error: expect.any(String), message: expect.any(String) });
  expect((body as { message: string }).message.length).toBeGreaterThan(0);
}

let nats: TestNatsServer;
let engine: Engine;
let served: Set<string>;

/** One request for a row; param placeholders get harmless values, no body is sent. */
async function call(row: RouteRow, headers: Record<string, string>): Promise<{ statusCode: number; body: string }> {
  const url = row.url.replace(/:([A-Za-z]+)/g, (_, name: string) => `no-such-${name}`);
  const opts: InjectOptions = { method: row.method, url, headers };
  if (!row.stream) {
    const res = await engine.api.inject(opts);
    return { statusCode: res.statusCode, body: res.body };
  }
  // An event stream answers its status line and then stays open: read the status, hang up.
  const abort = new AbortController();
  const res = (await engine.api.inject({ ...opts, payloadAsStream: true, signal: abort.signal })) as LightMyRequestResponse & {
    stream(): NodeJS.ReadableStream;
  };
  let body = '';
  if (res.statusCode >= 400) {
    for await (const chunk of res.stream()) body += chunk.toString();
  }
  abort.abort();
  return { statusCode: res.statusCode, body };
}

beforeAll(async () => {
  const jwksFile = await signJwts();
  nats = await TestNatsServer.start();
  engine = await startEngine(
    testConfig(nats.url, {
      auth: {
        tokens: Object.entries(TOKENS).map(([role, token]) => ({ name: `${role}-user`, role, token })),
        jwt: { jwksFile, issuer: ISSUER, audience: AUDIENCE },
        // This file refuses hundreds of requests from one address within a minute and then
        // looks for its probes in the audit log: no row may be dropped by the flood limit here.
        auditFailures: { perIpPerMinute: 100_000, perMinute: 100_000 },
      },
    }),
  );
  served = new Set(servedRoutes(engine.api.printRoutes({ commonPrefix: false })));
});

afterAll(async () => {
  await engine?.stop();
  await nats?.stop();
});

describe('route table', () => {
  it('reads the served routes out of printRoutes', () => {
    expect(served.size).toBeGreaterThan(0);
    for (const r of served) {
      const [method, url] = r.split(' ');
      expect(engine.api.hasRoute({ method: method as Method, url }), r).toBe(true);
    }
  });

  it('the printRoutes reader follows nested and parametric routes', async () => {
    const app = Fastify();
    for (const [method, url] of [
      ['GET', '/a'],
      ['POST', '/a'],
      ['DELETE', '/a/:id'],
      ['POST', '/a/:id/entries'],
      ['DELETE', '/a/:id/entries/:key'],
      ['GET', '/ab/c'],
      ['GET', '/b/stream'],
    ] as const) {
      app.route({ method, url, handler: async () => ({}) });
    }
    await app.ready();
    expect(servedRoutes(app.printRoutes({ commonPrefix: false }))).toEqual(
      ['DELETE /a/:id', 'DELETE /a/:id/entries/:key', 'GET /a', 'GET /ab/c', 'GET /b/stream', 'POST /a', 'POST /a/:id/entries'].sort(),
    );
    await app.close();
  });

  it('every route the app serves has a row in the table, and no built route has gone', () => {
    const rows = new Set(TABLE.map((r) => key(r.method, r.url)));
    expect(rows.size, 'no duplicate rows').toBe(TABLE.length);
    expect(
      [...served].filter((r) => !rows.has(r)),
      'served routes without a row in TABLE',
    ).toEqual([]);
    // The table's built rows and the app agree exactly.
    expect(
      TABLE.filter((r) => !r.pending)
        .map((r) => key(r.method, r.url))
        .sort(),
    ).toEqual([...served].sort());
  });
});

describe('GET /api/v1/me', () => {
  it.for(['admin', 'analyst', 'dispatcher', 'jwt analyst+dispatcher'] as const)('names %s and every role it holds', async (caller) => {
    const res = await engine.api.inject({ url: '/api/v1/me', headers: headersOf(caller) });
    expect(res.statusCode).toBe(200);
    const roles = rolesOf(caller) as Role[];
    const me = res.json();
    expect(me.roles).toEqual(roles);
    expect(me.role).toBe(roles[0]);
    expect(me.name).toMatch(caller.startsWith('jwt') ? /\S/ : new RegExp(`^${caller}-user$`));
  });
});

/** The roles a caller holds; '401' or '403' for callers refused on every protected route. */
function rolesOf(caller: Caller): Role[] | '401' | '403' {
  switch (caller) {
    case 'no token':
    case 'bad token':
    case 'jwt expired':
    case 'jwt wrong key':
    case 'jwt HS256':
    case 'jwt none':
      return '401';
    case 'jwt no role':
      return '403';
    case 'jwt admin':
      return ['admin'];
    case 'jwt analyst':
      return ['analyst'];
    case 'jwt dispatcher':
      return ['dispatcher'];
    case 'jwt analyst+dispatcher':
      return ['analyst', 'dispatcher'];
    default:
      return [caller];
  }
}

/** What a caller should get: 401, 403, or anything else ('allowed'). */
function expected(row: RouteRow, caller: Caller): '401' | '403' | 'allowed' {
  if (row.access === 'public') return 'allowed';
  const roles = rolesOf(caller);
  if (typeof roles === 'string') return roles;
  const access = row.access;
  if (roles.includes('admin') || roles.some((r) => access.includes(r))) return 'allowed';
  return '403';
}

describe('every route × every caller', () => {
  it.for(TABLE.filter((row) => !row.pending).map((row) => ({ ...row, name: key(row.method, row.url) })))('$name', async (row) => {
    const want: Record<string, string> = {};
    const got: Record<string, string> = {};
    for (const caller of CALLERS) {
      const res = await call(row, headersOf(caller));
      want[caller] = expected(row, caller);
      got[caller] = res.statusCode === 401 || res.statusCode === 403 ? String(res.statusCode) : 'allowed';
      if (res.statusCode === 401 || res.statusCode === 403) {
        expectErrorShape(res, res.statusCode);
        expect(JSON.parse(res.body).error).toBe(res.statusCode === 401 ? 'Unauthorized' : 'Forbidden');
      } else {
        // Allowed but incomplete requests are refused as bad input, never with a server error.
        if (row.url !== '/readyz') expect(res.statusCode, `${caller}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
        if (res.statusCode >= 400 && !row.stream) expectErrorShape(res);
      }
    }
    expect(got).toEqual(want);
  });
});

describe('public routes', () => {
  it('answer without a token', async () => {
    expect((await engine.api.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await engine.api.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    const metrics = await engine.api.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('the API reference UI answers without a token; its document does not', async () => {
    const page = await engine.api.inject({ url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect((await engine.api.inject({ url: '/docs/static/swagger-ui-bundle.js' })).statusCode).toBe(200);
    expect((await engine.api.inject({ url: '/docs/json' })).statusCode).toBe(401);
    expect((await engine.api.inject({ url: '/docs/yaml' })).statusCode).toBe(401);
  });
});

describe('authentication before validation', () => {
  it('GET /api/v1/sightings with no query: 401 without a token, 403 for a dispatcher, 400 for an analyst', async () => {
    const url = '/api/v1/sightings';
    expect((await engine.api.inject({ url })).statusCode).toBe(401);
    expect((await engine.api.inject({ url, headers: headersOf('bad token') })).statusCode).toBe(401);
    const forbidden = await engine.api.inject({ url, headers: auth('dispatcher') });
    expect(forbidden.statusCode).toBe(403);
    expectErrorShape(forbidden, 403);
    const bad = await engine.api.inject({ url, headers: auth('analyst') });
    expect(bad.statusCode).toBe(400);
    expectErrorShape(bad, 400);
  });

  it('a query that fails validation is still 401/403 first', async () => {
    const url = '/api/v1/analytics/traffic?groupBy=nonsense&limit=abc&foo=1';
    expect((await engine.api.inject({ url })).statusCode).toBe(401);
    expect((await engine.api.inject({ url, headers: auth('dispatcher') })).statusCode).toBe(403);
    expect((await engine.api.inject({ url, headers: auth('analyst') })).statusCode).toBe(400);
  });

  it('an unparsable JSON body is 401 without a token and 403 for a role that may not, 400 only for admin', async () => {
    const opts: InjectOptions = {
      method: 'PUT',
      url: '/api/v1/areas',
      payload: '{"type": "FeatureCollection", ',
      headers: { 'content-type': 'application/json' },
    };
    expect((await engine.api.inject(opts)).statusCode).toBe(401);
    const forbidden = await engine.api.inject({ ...opts, headers: { ...opts.headers, ...auth('analyst') } });
    expect(forbidden.statusCode).toBe(403);
    const bad = await engine.api.inject({ ...opts, headers: { ...opts.headers, ...auth('admin') } });
    expect(bad.statusCode).toBe(400);
    expectErrorShape(bad, 400);
  });

  it('an unsupported content type or an oversized body is 401 without a token', async () => {
    const text: InjectOptions = { method: 'PUT', url: '/api/v1/cameras', payload: 'id,lat,lon', headers: { 'content-type': 'text/csv' } };
    expect((await engine.api.inject(text)).statusCode).toBe(401);
    expect((await engine.api.inject({ ...text, headers: { ...text.headers, ...auth('dispatcher') } })).statusCode).toBe(403);
    const asAdmin = await engine.api.inject({ ...text, headers: { ...text.headers, ...auth('admin') } });
    expect([401, 403, 500]).not.toContain(asAdmin.statusCode);

    const huge: InjectOptions = {
      method: 'PUT',
      url: '/api/v1/cameras',
      payload: `[${'"x",'.repeat(2_500_000)}"x"]`,
      headers: { 'content-type': 'application/json' },
    };
    expect((await engine.api.inject(huge)).statusCode).toBe(401);
    expect((await engine.api.inject({ ...huge, headers: { ...huge.headers, ...auth('analyst') } })).statusCode).toBe(403);
  });

  it('an unknown path needs a token too, and is 404 in the error shape for admin', async () => {
    expect((await engine.api.inject({ url: '/api/v1/no-such-thing' })).statusCode).toBe(401);
    const res = await engine.api.inject({ url: '/api/v1/no-such-thing', headers: auth('admin') });
    expect(res.statusCode).toBe(404);
    expectErrorShape(res, 404);
  });

  it('malformed Authorization headers are 401', async () => {
    const url = '/api/v1/cameras';
    for (const authorization of [
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from(`admin:${TOKENS.admin}`).toString('base64')}`,
      TOKENS.admin,
      `Bearer ${TOKENS.admin} extra`,
      `Bearer ${TOKENS.admin}x`,
      `Bearer ${TOKENS.admin.slice(0, -1)}`,
      `Bearer ${'a'.repeat(5000)}`,
    ]) {
      const res = await engine.api.inject({ url, headers: { authorization } });
      expect(res.statusCode, authorization.slice(0, 40)).toBe(401);
      expectErrorShape(res, 401);
    }
  });
});

describe('audit of failed authentication', () => {
  it('writes each failed authentication, without the presented token, and nothing for a good one', async () => {
    const mark = `probe${Date.now()}`;
    const badToken = `wrong-${mark}-token`;
    await engine.api.inject({ url: `/api/v1/cameras?${mark}=ok`, headers: auth('analyst') });
    await engine.api.inject({ url: `/api/v1/cameras?${mark}=missing` });
    await engine.api.inject({ url: `/api/v1/cameras?${mark}=invalid`, headers: { authorization: `Bearer ${badToken}` } });

    type AuditRow = { actor: string | null; role: string | null; action: string; target: string; reason: string; ip: string | null };
    let rows: AuditRow[] = [];
    await eventually(
      async () => {
        const res = await engine.api.inject({ url: '/api/v1/audit?action=auth.failed', headers: auth('admin') });
        expect(res.statusCode).toBe(200);
        rows = (res.json().rows as AuditRow[]).filter((r) => r.target?.includes(mark));
        return rows.length >= 2;
      },
      10_000,
      'two auth.failed audit rows',
    );
    expect(rows).toHaveLength(2);
    const byTarget = Object.fromEntries(rows.map((r) => [r.target, r]));
    expect(byTarget[`/api/v1/cameras?${mark}=missing`]).toMatchObject({
      actor: null,
      action: 'auth.failed',
      reason: expect.stringMatching(/missing/),
    });
    expect(byTarget[`/api/v1/cameras?${mark}=invalid`]).toMatchObject({
      actor: null,
      action: 'auth.failed',
      reason: expect.stringMatching(/invalid/),
    });
    for (const r of rows) expect(r.ip).toBeTruthy();
    expect(JSON.stringify(rows)).not.toContain(badToken);
  });

  it('the audit log itself is admin-only', async () => {
    expect((await engine.api.inject({ url: '/api/v1/audit?action=auth.failed', headers: auth('analyst') })).statusCode).toBe(403);
  });
});

describe('JWT bearers', () => {
  type AuditRow = {
    actor: string | null;
    role: string | null;
    action: string;
    target: string;
    reason: string;
    ip: string | null;
    detail: Record<string, unknown> | null;
  };
  async function auditRows(action: string, mark: string, count: number): Promise<AuditRow[]> {
    let rows: AuditRow[] = [];
    await eventually(
      async () => {
        const res = await engine.api.inject({ url: `/api/v1/audit?action=${action}&limit=1000`, headers: auth('admin') });
        rows = (res.json().rows as AuditRow[]).filter((r) => r.target?.includes(mark));
        return rows.length >= count;
      },
      10_000,
      `${count} ${action} rows for ${mark}`,
    );
    return rows;
  }

  it('says why: an expired token and a token without a role have their own codes', async () => {
    const expired = await engine.api.inject({ url: '/api/v1/cameras', headers: headersOf('jwt expired') });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('VIGIL_ERR_AUTH_EXPIRED');
    const noRole = await engine.api.inject({ url: '/api/v1/cameras', headers: headersOf('jwt no role') });
    expect(noRole.statusCode).toBe(403);
    expect(noRole.json().code).toBe('VIGIL_ERR_AUTH_NO_ROLE');
    for (const caller of ['jwt wrong key', 'jwt HS256', 'jwt none'] as const) {
      const res = await engine.api.inject({ url: '/api/v1/cameras', headers: headersOf(caller) });
      expect(res.json().code, caller).toBe('VIGIL_ERR_AUTH_INVALID');
    }
  });

  it('acts as the name in its sub claim: the audit log records the JWT caller', async () => {
    const mark = `jwtsub${Date.now()}`;
    const res = await engine.api.inject({ url: `/api/v1/sightings?plate=01A123BC&reason=${mark}`, headers: headersOf('jwt analyst') });
    expect(res.statusCode).toBe(200);
    const audit = await engine.api.inject({ url: '/api/v1/audit?actor=jwt-analyst', headers: auth('admin') });
    const rows = (audit.json().rows as AuditRow[]).filter((r) => r.reason === mark);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'jwt-analyst', role: 'analyst' });
  });

  it('audits a refused JWT with what it claimed, never the token', async () => {
    const mark = `jwtfail${Date.now()}`;
    for (const caller of ['jwt expired', 'jwt wrong key', 'jwt HS256', 'jwt none'] as const) {
      await engine.api.inject({ url: `/api/v1/cameras?${mark}=${caller.replace(/ /g, '-')}`, headers: headersOf(caller) });
    }
    const rows = await auditRows('auth.failed', mark, 4);
    const by = Object.fromEntries(rows.map((r) => [r.target.split('=')[1], r]));
    expect(by['jwt-expired']).toMatchObject({
      actor: null,
      reason: expect.stringMatching(/expired/),
      detail: { credential: 'jwt', claimed: { sub: 'jwt-late', alg: 'RS256' } },
    });
    expect(by['jwt-wrong-key']).toMatchObject({ reason: expect.stringMatching(/signature/), detail: { claimed: { sub: 'jwt-forger' } } });
    expect(by['jwt-HS256']).toMatchObject({ reason: expect.stringMatching(/algorithm/), detail: { claimed: { alg: 'HS256' } } });
    expect(by['jwt-none'].detail).toMatchObject({ claimed: { alg: 'none' } });
    const text = JSON.stringify(rows);
    for (const caller of ['jwt expired', 'jwt wrong key', 'jwt HS256', 'jwt none'] as const) {
      for (const part of JWTS[caller].split('.').filter((p) => p.length > 0)) expect(text).not.toContain(part);
    }
  });
});

describe('audit of refused roles', () => {
  it('writes a 403 as auth.forbidden with the caller and its role', async () => {
    const mark = `forbid${Date.now()}`;
    expect((await engine.api.inject({ url: `/api/v1/audit?${mark}=1`, headers: auth('analyst') })).statusCode).toBe(403);
    expect((await engine.api.inject({ url: `/api/v1/cameras?${mark}=2`, headers: headersOf('jwt no role') })).statusCode).toBe(403);
    type AuditRow = { actor: string | null; role: string | null; target: string; reason: string; detail: Record<string, unknown> };
    let rows: AuditRow[] = [];
    await eventually(
      async () => {
        const res = await engine.api.inject({ url: '/api/v1/audit?action=auth.forbidden&limit=1000', headers: auth('admin') });
        rows = (res.json().rows as AuditRow[]).filter((r) => r.target.includes(mark));
        return rows.length >= 2;
      },
      10_000,
      'two auth.forbidden rows',
    );
    const by = Object.fromEntries(rows.map((r) => [r.target.split('=')[1], r]));
    expect(by['1']).toMatchObject({
      actor: 'analyst-user',
      role: 'analyst',
      reason: 'role analyst may not GET /api/v1/audit',
      detail: { status: 403, method: 'GET', route: '/api/v1/audit' },
    });
    expect(by['2']).toMatchObject({ actor: 'jwt-nobody', role: null, reason: expect.stringMatching(/no vigil role/) });
  });
});
