// engine/config.ts, the security keys (auth.jwt, auth.auditFailures, http limits, CORS and
// proxies, NATS credentials and TLS): defaults, environment overrides, refusals naming the key.

import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../engine/config.js';
import { VigilError } from '../../engine/errors.js';
import { thrown } from '../helpers/thrown.js';

const refusal = (fn: () => unknown) => thrown(fn, VigilError).message;

describe('defaults', () => {
  it('http: 1 MiB bodies, 256 MiB uploads, 3000 requests per 10 s, no CORS, no proxy', () => {
    const c = validateConfig({});
    expect(c.http).toEqual({
      host: '127.0.0.1',
      port: 8080,
      trustProxy: false,
      bodyLimitBytes: 1024 * 1024,
      uploadLimitBytes: 256 * 1024 * 1024,
      rateLimit: { max: 3000, timeWindowMs: 10_000 },
      cors: { origins: [] },
    });
  });

  it('auth: no JWT; 30 audit rows of refusals per address and 600 in all per minute', () => {
    const c = validateConfig({});
    expect(c.auth.jwt).toBeUndefined();
    expect(c.auth.auditFailures).toEqual({ perIpPerMinute: 30, perMinute: 600 });
  });

  it('auth.jwt: both algorithms, sub names the caller, 30 s of clock skew', () => {
    const c = validateConfig({ auth: { jwt: { publicKeyFile: '/etc/vigil/idp.pem' } } });
    expect(c.auth.jwt).toEqual({
      publicKeyFile: '/etc/vigil/idp.pem',
      algorithms: ['RS256', 'ES256'],
      nameClaim: 'sub',
      clockToleranceSeconds: 30,
    });
  });

  it('nats: no credentials, TLS only if the server asks', () => {
    const c = validateConfig({});
    expect(c.nats.tls).toEqual({ required: false });
    expect(c.nats.user ?? c.nats.token ?? c.nats.nkeySeedFile ?? c.nats.credsFile).toBeUndefined();
  });
});

describe('environment overrides', () => {
  it('sets the NATS credentials and TLS files', () => {
    const c = loadConfig(undefined, {
      VIGIL_NATS_USER: 'vigil',
      VIGIL_NATS_PASS: 's3cret',
      VIGIL_NATS_TLS_REQUIRED: 'true',
      VIGIL_NATS_TLS_CA_FILE: '/ca.pem',
      VIGIL_NATS_TLS_CERT_FILE: '/c.pem',
      VIGIL_NATS_TLS_KEY_FILE: '/k.pem',
    });
    expect(c.nats).toMatchObject({
      user: 'vigil',
      pass: 's3cret',
      tls: { required: true, caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem' },
    });
    expect(loadConfig(undefined, { VIGIL_NATS_TOKEN: 't' }).nats.token).toBe('t');
    expect(loadConfig(undefined, { VIGIL_NATS_NKEY_SEED_FILE: '/seed.nk' }).nats.nkeySeedFile).toBe('/seed.nk');
    expect(loadConfig(undefined, { VIGIL_NATS_CREDS_FILE: '/u.creds' }).nats.credsFile).toBe('/u.creds');
    expect(loadConfig(undefined, { VIGIL_NATS_TLS_REQUIRED: '0' }).nats.tls.required).toBe(false);
  });

  it('sets rate limits, CORS origins and trusted proxies', () => {
    const c = loadConfig(undefined, {
      VIGIL_HTTP_RATE_LIMIT_MAX: '100',
      VIGIL_HTTP_RATE_LIMIT_WINDOW_MS: '1000',
      VIGIL_HTTP_CORS_ORIGINS: 'https://a.example.org, https://b.example.org:8443',
      VIGIL_HTTP_TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
    });
    expect(c.http.rateLimit).toEqual({ max: 100, timeWindowMs: 1000 });
    expect(c.http.cors.origins).toEqual(['https://a.example.org', 'https://b.example.org:8443']);
    expect(c.http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadConfig(undefined, { VIGIL_HTTP_TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
  });

  it('sets the JWT key file, issuer and audience', () => {
    const c = loadConfig(undefined, {
      VIGIL_AUTH_JWT_JWKS_FILE: '/jwks.json',
      VIGIL_AUTH_JWT_ISSUER: 'https://idp',
      VIGIL_AUTH_JWT_AUDIENCE: 'vigil',
    });
    expect(c.auth.jwt).toMatchObject({ jwksFile: '/jwks.json', issuer: 'https://idp', audience: 'vigil' });
  });

  it('refuses a bad value naming the variable', () => {
    expect(refusal(() => loadConfig(undefined, { VIGIL_NATS_TLS_REQUIRED: 'yes' }))).toBe(
      "invalid configuration: VIGIL_NATS_TLS_REQUIRED must be true or false, got 'yes'",
    );
    expect(refusal(() => loadConfig(undefined, { VIGIL_HTTP_RATE_LIMIT_MAX: 'lots' }))).toMatch(
      /VIGIL_HTTP_RATE_LIMIT_MAX must be a whole number/,
    );
    expect(refusal(() => loadConfig(undefined, { VIGIL_AUTH_JWT_ISSUER: 'https://idp' }))).toMatch(
      /'auth\.jwt' needs exactly one of 'publicKeyFile' or 'jwksFile'/,
    );
    expect(refusal(() => loadConfig(undefined, { VIGIL_HTTP_CORS_ORIGINS: 'https://a.example.org/app' }))).toMatch(
      /'http\.cors\.origins\.0' must be an origin .*\(from VIGIL_HTTP_CORS_ORIGINS\)$/,
    );
  });
});

describe('refusals name the key', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    [
      'both JWT key files',
      { auth: { jwt: { publicKeyFile: '/a', jwksFile: '/b' } } },
      /'auth\.jwt' needs exactly one of 'publicKeyFile' or 'jwksFile'/,
    ],
    ['no JWT key file', { auth: { jwt: { issuer: 'x' } } }, /'auth\.jwt' needs exactly one of/],
    [
      'an HMAC algorithm',
      { auth: { jwt: { publicKeyFile: '/a', algorithms: ['HS256'] } } },
      /'auth\.jwt\.algorithms\.0' must be equal to one of the allowed values/,
    ],
    ['an unknown JWT key', { auth: { jwt: { publicKeyFile: '/a', secret: 'x' } } }, /unknown key 'auth\.jwt\.secret'/],
    [
      'a clock tolerance of an hour',
      { auth: { jwt: { publicKeyFile: '/a', clockToleranceSeconds: 3600 } } },
      /'auth\.jwt\.clockToleranceSeconds' must be <= 300/,
    ],
    ['negative audit budget', { auth: { auditFailures: { perIpPerMinute: -1 } } }, /'auth\.auditFailures\.perIpPerMinute' must be >= 0/],
    ['a tiny body limit', { http: { bodyLimitBytes: 10 } }, /'http\.bodyLimitBytes' must be >= 1024/],
    ['a rate-limit window in seconds', { http: { rateLimit: { timeWindowMs: 10 } } }, /'http\.rateLimit\.timeWindowMs' must be >= 100/],
    [
      'a wildcard origin',
      { http: { cors: { origins: ['*'] } } },
      /'http\.cors\.origins\.0' must be an origin such as https:\/\/ops\.example\.org/,
    ],
    [
      'trustProxy as a number',
      { http: { trustProxy: 2 } },
      /^invalid configuration: 'http\.trustProxy' must be true, false or a list of proxy addresses$/,
    ],
    ['user without pass', { nats: { user: 'vigil' } }, /'nats\.pass' is required with 'nats\.user'/],
    ['pass without user', { nats: { pass: 'x' } }, /'nats\.user' is required with 'nats\.pass'/],
    ['two ways to authenticate', { nats: { token: 't', credsFile: '/c' } }, /'nats\.token' and 'nats\.credsFile' are alternatives/],
    [
      'a client cert without its key',
      { nats: { tls: { certFile: '/c.pem' } } },
      /'nats\.tls\.keyFile' is required with 'nats\.tls\.certFile'/,
    ],
    ['an unknown TLS key', { nats: { tls: { verify: false } } }, /unknown key 'nats\.tls\.verify'/],
  ];
  it.each(cases)('%s', (_what, raw, message) => {
    expect(refusal(() => validateConfig(raw))).toMatch(message);
  });
});
