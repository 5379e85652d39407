// api/jwt.ts: RS256 and ES256 bearers against a PEM public key or a JWKS file, expiry, issuer and
// audience, the role claim, refusal of HS256 and unsigned tokens, key files checked at start and
// read again when they change.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportJWK, SignJWT, UnsecuredJWT } from 'jose';
import { JwtVerifier, claimedBy, looksLikeJwt, rolesIn } from '../../api/jwt.js';
import { validateConfig, type JwtConfig } from '../../engine/config.js';
import { VigilError } from '../../engine/errors.js';
import { thrown } from '../helpers/thrown.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-jwt-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');

let fileNo = 0;
function file(text: string): string {
  const path = join(dir, `key-${fileNo++}`);
  writeFileSync(path, text);
  return path;
}
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }) as string;

/** The config as validateConfig fills it, so defaults (algorithms, nameClaim, tolerance) apply. */
function settings(jwt: Record<string, unknown>): JwtConfig {
  return validateConfig({ auth: { jwt } }).auth.jwt as JwtConfig;
}

const now = () => Math.floor(Date.now() / 1000);

function sign(
  claims: Record<string, unknown>,
  key: KeyObject,
  alg: 'RS256' | 'ES256' = 'RS256',
  opts: { exp?: number | null; kid?: string } = {},
): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, ...(opts.kid ? { kid: opts.kid } : {}) }).setIssuedAt();
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? now() + 600);
  return jwt.sign(key);
}

describe('tokens that are accepted', () => {
  it('RS256 against a PEM public key: name from sub, roles from role', async () => {
    const v = JwtVerifier.open(settings({ publicKeyFile: file(pem(rsa.publicKey)) }));
    expect(await v.verify(await sign({ sub: 'ana', role: 'analyst' }, rsa.privateKey))).toEqual({
      ok: true,
      name: 'ana',
      roles: ['analyst'],
    });
  });

  it('ES256 against a PEM public key, roles as an array (unknown names ignored, admin first)', async () => {
    const v = JwtVerifier.open(settings({ publicKeyFile: file(pem(ec.publicKey)) }));
    const token = await sign({ sub: 'boss', roles: ['dispatcher', 'superuser', 'admin'] }, ec.privateKey, 'ES256');
    expect(await v.verify(token)).toEqual({ ok: true, name: 'boss', roles: ['admin', 'dispatcher'] });
  });

  it('RS256 and ES256 from a JWKS file, the key picked by kid', async () => {
    const jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'r1' },
        { ...(await exportJWK(ec.publicKey)), kid: 'e1' },
      ],
    };
    const v = JwtVerifier.open(settings({ jwksFile: file(JSON.stringify(jwks)) }));
    expect((await v.verify(await sign({ sub: 'a', role: 'admin' }, rsa.privateKey, 'RS256', { kid: 'r1' }))).ok).toBe(true);
    expect((await v.verify(await sign({ sub: 'b', role: 'admin' }, ec.privateKey, 'ES256', { kid: 'e1' }))).ok).toBe(true);
    expect(await v.verify(await sign({ sub: 'c', role: 'admin' }, rsa2.privateKey, 'RS256', { kid: 'r2' }))).toMatchObject({
      ok: false,
      code: 'invalid',
      reason: expect.stringMatching(/key set/),
    });
  });

  it('a configured role claim (a dotted path) and name claim', async () => {
    const v = JwtVerifier.open(
      settings({ publicKeyFile: file(pem(rsa.publicKey)), roleClaim: 'realm_access.roles', nameClaim: 'preferred_username' }),
    );
    const token = await sign(
      { sub: 'x1', preferred_username: 'desk-7', realm_access: { roles: ['dispatcher'] }, role: 'admin' },
      rsa.privateKey,
    );
    expect(await v.verify(token)).toEqual({ ok: true, name: 'desk-7', roles: ['dispatcher'] });
  });

  it('issuer and audience when configured', async () => {
    const v = JwtVerifier.open(settings({ publicKeyFile: file(pem(rsa.publicKey)), issuer: 'https://idp', audience: 'vigil' }));
    const good = await new SignJWT({ sub: 'a', role: 'analyst' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://idp')
      .setAudience('vigil')
      .setExpirationTime('5m')
      .sign(rsa.privateKey);
    expect((await v.verify(good)).ok).toBe(true);
    const otherIssuer = await new SignJWT({ sub: 'a', role: 'analyst' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://evil')
      .setAudience('vigil')
      .setExpirationTime('5m')
      .sign(rsa.privateKey);
    expect(await v.verify(otherIssuer)).toMatchObject({ ok: false, code: 'invalid', reason: "jwt claim 'iss' check failed" });
    const noAudience = await new SignJWT({ sub: 'a', role: 'analyst' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://idp')
      .setExpirationTime('5m')
      .sign(rsa.privateKey);
    expect(await v.verify(noAudience)).toMatchObject({ ok: false, reason: expect.stringMatching(/'aud'/) });
  });
});

describe('tokens that are refused', () => {
  const v = () => JwtVerifier.open(settings({ publicKeyFile: file(pem(rsa.publicKey)), clockToleranceSeconds: 0 }));

  it('expired', async () => {
    expect(await v().verify(await sign({ sub: 'a', role: 'admin' }, rsa.privateKey, 'RS256', { exp: now() - 5 }))).toMatchObject({
      ok: false,
      code: 'expired',
    });
  });

  it('without exp: expiry is not optional', async () => {
    expect(await v().verify(await sign({ sub: 'a', role: 'admin' }, rsa.privateKey, 'RS256', { exp: null }))).toMatchObject({
      ok: false,
      code: 'invalid',
      reason: "jwt claim 'exp' is missing",
    });
  });

  it('signed by another key', async () => {
    expect(await v().verify(await sign({ sub: 'a', role: 'admin' }, rsa2.privateKey))).toMatchObject({
      ok: false,
      code: 'invalid',
      reason: 'jwt signature invalid',
    });
  });

  it('HS256 keyed with the public key, and alg none', async () => {
    const hmac = await new SignJWT({ sub: 'a', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(pem(rsa.publicKey)));
    expect(await v().verify(hmac)).toMatchObject({ ok: false, code: 'invalid', reason: 'jwt algorithm not allowed' });
    const none = new UnsecuredJWT({ sub: 'a', role: 'admin' }).setExpirationTime('5m').encode();
    expect(await v().verify(none)).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('ES256 when only RS256 is allowed', async () => {
    const both = JwtVerifier.open(
      settings({ jwksFile: file(JSON.stringify({ keys: [await exportJWK(ec.publicKey)] })), algorithms: ['RS256'] }),
    );
    expect(await both.verify(await sign({ sub: 'a', role: 'admin' }, ec.privateKey, 'ES256'))).toMatchObject({
      ok: false,
      reason: 'jwt algorithm not allowed',
    });
  });

  it('a tampered payload', async () => {
    const [h, , sig] = (await sign({ sub: 'a', role: 'analyst' }, rsa.privateKey)).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'a', role: 'admin', exp: now() + 600 })).toString('base64url');
    expect(await v().verify(`${h}.${forged}.${sig}`)).toMatchObject({ ok: false, reason: 'jwt signature invalid' });
  });

  it('genuine but without a vigil role, or without a name', async () => {
    expect(await v().verify(await sign({ sub: 'nobody', role: 'viewer' }, rsa.privateKey))).toMatchObject({
      ok: false,
      code: 'no_role',
      name: 'nobody',
    });
    expect(await v().verify(await sign({ role: 'admin' }, rsa.privateKey))).toMatchObject({
      ok: false,
      code: 'invalid',
      reason: "jwt has no 'sub' claim naming the caller",
    });
  });
});

describe('key files', () => {
  const refusal = (fn: () => unknown) => thrown(fn, VigilError);

  it('a missing or unreadable file stops the start, naming the key', () => {
    const e = refusal(() => JwtVerifier.open(settings({ publicKeyFile: join(dir, 'nope.pem') })));
    expect(e.code).toBe('VIGIL_ERR_CONFIG_INVALID');
    expect(e.message).toMatch(/'auth\.jwt\.publicKeyFile' cannot be read/);
    expect(refusal(() => JwtVerifier.open(settings({ jwksFile: file('{"keys": 1}') }))).message).toMatch(
      /'auth\.jwt\.jwksFile' is not a JSON Web Key Set/,
    );
    expect(refusal(() => JwtVerifier.open(settings({ publicKeyFile: file('not a key') }))).message).toMatch(
      /'auth\.jwt\.publicKeyFile' is not a PEM public key/,
    );
  });

  it('a private key is refused: vigil needs only the public half', () => {
    const priv = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(refusal(() => JwtVerifier.open(settings({ publicKeyFile: file(priv) }))).message).toMatch(/holds a private key/);
  });

  it('a key no allowed algorithm can use is refused', () => {
    expect(refusal(() => JwtVerifier.open(settings({ publicKeyFile: file(pem(ec.publicKey)), algorithms: ['RS256'] }))).message).toMatch(
      /holds a ec key.*RS256 needs RSA/,
    );
    expect(refusal(() => JwtVerifier.open(settings({ publicKeyFile: file(pem(ed.publicKey)) }))).message).toMatch(/holds a ed25519 key/);
  });

  it('a rotated key file is read again (checked every 30 s); a broken one keeps the old key', async () => {
    let clock = 1_000_000;
    const path = file(pem(rsa.publicKey));
    const warnings: string[] = [];
    const v = JwtVerifier.open(
      settings({ publicKeyFile: path }),
      (m) => warnings.push(m),
      () => clock,
    );
    const old = await sign({ sub: 'a', role: 'admin' }, rsa.privateKey);
    const next = await sign({ sub: 'a', role: 'admin' }, rsa2.privateKey);
    expect((await v.verify(old)).ok).toBe(true);
    writeFileSync(path, pem(rsa2.publicKey));
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    expect((await v.verify(next)).ok, 'not yet re-checked').toBe(false);
    clock += 31_000;
    expect((await v.verify(next)).ok).toBe(true);
    expect((await v.verify(old)).ok).toBe(false);
    writeFileSync(path, 'garbage');
    utimesSync(path, new Date(), new Date(Date.now() + 10_000));
    clock += 31_000;
    expect((await v.verify(next)).ok).toBe(true);
    expect(warnings.at(-1)).toMatch(/keeping the key loaded before/);
  });
});

describe('helpers', () => {
  it('looksLikeJwt: three base64url parts only', () => {
    expect(looksLikeJwt('a.b.c')).toBe(true);
    expect(looksLikeJwt('a.b.')).toBe(true);
    expect(looksLikeJwt('admin-token-0123456789abcdef')).toBe(false);
    expect(looksLikeJwt('a.b.c.d')).toBe(false);
    expect(looksLikeJwt('a.b+.c')).toBe(false);
  });

  it('rolesIn: a string, a space or comma list, an array; nothing else', () => {
    expect(rolesIn('analyst')).toEqual(['analyst']);
    expect(rolesIn('dispatcher analyst')).toEqual(['analyst', 'dispatcher']);
    expect(rolesIn('admin,analyst')).toEqual(['admin', 'analyst']);
    expect(rolesIn(['x', 'dispatcher'])).toEqual(['dispatcher']);
    expect(rolesIn({ admin: true })).toEqual([]);
    expect(rolesIn(undefined)).toEqual([]);
  });

  it('claimedBy reads header and payload without trusting them, and survives garbage', async () => {
    const token = await sign({ sub: 'who', iss: 'https://idp' }, rsa.privateKey, 'RS256', { kid: 'k1' });
    expect(claimedBy(token)).toEqual({ alg: 'RS256', kid: 'k1', sub: 'who', iss: 'https://idp' });
    expect(claimedBy('a.b.c')).toBeNull();
  });
});
