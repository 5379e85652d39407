// Bearer JWTs from an identity provider: RS256 or ES256, checked against a public key (PEM) or a
// JSON Web Key Set read from a file, expiry always enforced, issuer and audience when configured.
// The key file is read again when it changes, so a provider's key rotation needs no restart.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { JwtConfig, Role } from '../engine/config.js';
import { VigilError } from '../engine/errors.js';

const ROLES: readonly Role[] = ['admin', 'analyst', 'dispatcher'];
/** Three base64url parts: a compact JWS. Anything else is an opaque token. */
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const RECHECK_MS = 30_000;

export type JwtOutcome =
  | { ok: true; name: string; roles: Role[] }
  /** `name` is set when the token was genuine but carries no vigil role. */
  | { ok: false; code: 'expired' | 'invalid' | 'no_role'; reason: string; name?: string };

/** What a presented JWT says about itself, unverified: for the audit log of a failure only. */
export interface JwtClaimed {
  alg?: string;
  kid?: string;
  sub?: string;
  iss?: string;
}

export function looksLikeJwt(token: string): boolean {
  return COMPACT.test(token);
}

export function claimedBy(token: string): JwtClaimed | null {
  const cut = (v: unknown) => (typeof v === 'string' ? v.slice(0, 120) : undefined);
  try {
    const header = decodeProtectedHeader(token);
    let payload: Record<string, unknown> = {};
    try {
      payload = decodeJwt(token);
    } catch {
      // A header without a readable payload still says which algorithm was tried.
    }
    return { alg: cut(header.alg), kid: cut(header.kid), sub: cut(payload.sub), iss: cut(payload.iss) };
  } catch {
    return null;
  }
}

/** Reads `path` ('role', 'realm_access.roles') out of the claims. */
function claimAt(claims: Record<string, unknown>, path: string): unknown {
  let node: unknown = claims;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The vigil roles a claim value names: a string (space- or comma-separated) or an array. */
export function rolesIn(value: unknown): Role[] {
  const names = typeof value === 'string' ? value.split(/[\s,]+/) : Array.isArray(value) ? value : [];
  // In ROLES' order, admin first: the first is the role the audit log records.
  return ROLES.filter((r) => names.includes(r));
}

type Key = { kind: 'pem'; key: KeyObject } | { kind: 'jwks'; set: JWTVerifyGetKey };

function loadKey(settings: JwtConfig): Key {
  const key = settings.publicKeyFile ? 'auth.jwt.publicKeyFile' : 'auth.jwt.jwksFile';
  const file = (settings.publicKeyFile ?? settings.jwksFile) as string;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError('CONFIG_INVALID', `'${key}' cannot be read: ${(err as Error).message}`);
  }
  if (settings.publicKeyFile) {
    if (/PRIVATE KEY-----/.test(text)) {
      throw new VigilError('CONFIG_INVALID', `'${key}' holds a private key: give vigil only the identity provider's public key`);
    }
    let pub: KeyObject;
    try {
      pub = createPublicKey(text);
    } catch (err) {
      throw new VigilError('CONFIG_INVALID', `'${key}' is not a PEM public key or certificate: ${(err as Error).message}`);
    }
    const usable = settings.algorithms.filter((alg) =>
      alg === 'RS256'
        ? pub.asymmetricKeyType === 'rsa'
        : pub.asymmetricKeyType === 'ec' && pub.asymmetricKeyDetails?.namedCurve === 'prime256v1',
    );
    if (usable.length === 0) {
      throw new VigilError(
        'CONFIG_INVALID',
        `'${key}' holds a ${pub.asymmetricKeyType} key, which none of auth.jwt.algorithms (${settings.algorithms.join(', ')}) uses: RS256 needs RSA, ES256 an EC P-256 key`,
      );
    }
    return { kind: 'pem', key: pub };
  }
  try {
    return { kind: 'jwks', set: createLocalJWKSet(JSON.parse(text)) };
  } catch (err) {
    throw new VigilError('CONFIG_INVALID', `'${key}' is not a JSON Web Key Set: ${(err as Error).message}`);
  }
}

export class JwtVerifier {
  private key: Key;
  private mtimeMs: number;
  private checkedAt: number;

  private constructor(
    private readonly settings: Readonly<JwtConfig>,
    private readonly warn: (message: string) => void,
    private readonly now: () => number,
  ) {
    this.key = loadKey(settings);
    this.mtimeMs = this.fileMtime();
    this.checkedAt = now();
  }

  /** Reads and checks the key file now: a bad file stops the start, naming the key. */
  static open(settings: Readonly<JwtConfig>, warn: (message: string) => void = () => undefined, now: () => number = Date.now): JwtVerifier {
    return new JwtVerifier(settings, warn, now);
  }

  private get file(): string {
    return (this.settings.publicKeyFile ?? this.settings.jwksFile) as string;
  }

  private fileMtime(): number {
    try {
      return statSync(this.file).mtimeMs;
    } catch {
      return this.mtimeMs;
    }
  }

  /** At most every 30 s: a changed key file is loaded; a broken one keeps the old key. */
  private refresh(now: number): void {
    if (now - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = now;
    const mtime = this.fileMtime();
    if (mtime === this.mtimeMs) return;
    try {
      this.key = loadKey(this.settings);
      this.mtimeMs = mtime;
      this.warn(`auth.jwt: reloaded ${this.file}`);
    } catch (err) {
      this.warn(`auth.jwt: ${(err as Error).message}; keeping the key loaded before`);
    }
  }

  async verify(token: string): Promise<JwtOutcome> {
    this.refresh(this.now());
    const s = this.settings;
    let claims: Record<string, unknown>;
    try {
      const options = {
        algorithms: [...s.algorithms],
        issuer: s.issuer,
        audience: s.audience,
        clockTolerance: s.clockToleranceSeconds,
        requiredClaims: ['exp'],
      };
      const result =
        this.key.kind === 'pem' ? await jwtVerify(token, this.key.key, options) : await jwtVerify(token, this.key.set, options);
      claims = result.payload as Record<string, unknown>;
    } catch (err) {
      return failure(err);
    }
    const name = claimAt(claims, s.nameClaim);
    if (typeof name !== 'string' || name.length === 0) {
      return { ok: false, code: 'invalid', reason: `jwt has no '${s.nameClaim}' claim naming the caller` };
    }
    const claimNames = s.roleClaim ? [s.roleClaim] : ['role', 'roles'];
    const roles = [...new Set(claimNames.flatMap((c) => rolesIn(claimAt(claims, c))))];
    if (roles.length === 0) {
      return {
        ok: false,
        code: 'no_role',
        reason: `jwt of '${name.slice(0, 120)}' names no vigil role in claim ${claimNames.map((c) => `'${c}'`).join(' or ')}`,
        name: name.slice(0, 200),
      };
    }
    return { ok: true, name: name.slice(0, 200), roles };
  }
}

function failure(err: unknown): JwtOutcome {
  if (err instanceof errors.JWTExpired) return { ok: false, code: 'expired', reason: 'jwt expired' };
  if (err instanceof errors.JWTClaimValidationFailed) {
    return { ok: false, code: 'invalid', reason: `jwt claim '${err.claim}' ${err.reason === 'missing' ? 'is missing' : 'check failed'}` };
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return { ok: false, code: 'invalid', reason: 'jwt algorithm not allowed' };
  if (err instanceof errors.JWSSignatureVerificationFailed) return { ok: false, code: 'invalid', reason: 'jwt signature invalid' };
  if (err instanceof errors.JWKSNoMatchingKey) return { ok: false, code: 'invalid', reason: 'jwt signed by a key not in the key set' };
  if (err instanceof errors.JOSEError) return { ok: false, code: 'invalid', reason: `jwt invalid (${err.code})` };
  // A key of the wrong type for the algorithm surfaces as a TypeError from the crypto layer.
  return { ok: false, code: 'invalid', reason: `jwt invalid: ${(err as Error).message.slice(0, 200)}` };
}
