// Bearer-token authentication and per-route roles. Runs in onRequest, before any validation,
// so a caller without the right token learns nothing about the request's shape. A bearer is a
// configured token (compared as SHA-256 digests in constant time) or, with auth.jwt, a JWT.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role, TokenSpec } from '../engine/config.js';
import { VigilError } from '../engine/errors.js';
import { claimedBy, looksLikeJwt, type JwtVerifier } from './jwt.js';

export interface Principal {
  name: string;
  /** The role the audit log records: the caller's only role, or admin first of several. */
  role: Role;
  /** Every role the caller holds (a JWT may name several); absent means `[role]`. */
  roles?: readonly Role[];
}

/** `public`: no token; otherwise the roles allowed besides admin (admin always may). */
export type Access = 'public' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** A refused request, as the audit log and the metrics see it. */
export interface AuthFailure {
  status: 401 | 403;
  /** Low-cardinality reason, for the metric label. */
  code: 'missing' | 'invalid' | 'expired' | 'no_role' | 'forbidden';
  /** A sentence for the audit log; never holds the presented token. */
  reason: string;
  actor: string | null;
  role: string | null;
  /** What the caller presented or claimed (credential kind; a JWT's unverified alg, kid, sub, iss). */
  detail: Record<string, unknown>;
}

interface StoredToken extends Principal {
  digest: Buffer;
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Names of the tokens configured in plain text, for the start-up warning (never their values). */
export function plainTokenNames(specs: readonly TokenSpec[]): string[] {
  return specs.filter((t) => 'token' in t).map((t) => t.name);
}

export class TokenBook {
  private readonly tokens: StoredToken[];

  constructor(specs: readonly TokenSpec[]) {
    this.tokens = specs.map((t) => ({
      name: t.name,
      role: t.role,
      digest: 'sha256' in t ? Buffer.from(t.sha256, 'hex') : sha256(t.token),
    }));
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Compares digests in constant time and visits every token, so timing tells nothing. */
  lookup(token: string): Principal | null {
    const digest = sha256(token);
    let found: StoredToken | null = null;
    for (const t of this.tokens) {
      if (timingSafeEqual(t.digest, digest) && found === null) found = t;
    }
    return found ? { name: found.name, role: found.role } : null;
  }
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}

export interface AuthOptions {
  tokens: TokenBook;
  /** Set when auth.jwt is configured. */
  jwt: JwtVerifier | null;
  /**
   * Runs once the caller is known (or known to be nobody) and before any 401 or 403, so a flood
   * of bad tokens is slowed like any other: the rate limit, keyed by principal or address.
   */
  limit?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  onFailure: (request: FastifyRequest, failure: AuthFailure) => void;
}

type Identified =
  | { principal: Principal }
  | { principal: null; error: VigilError; failure: Omit<AuthFailure, 'actor' | 'role'> & { actor?: string } };

async function identify(request: FastifyRequest, opts: AuthOptions): Promise<Identified> {
  const token = bearerToken(request);
  if (token === null) {
    const reason = request.headers.authorization === undefined ? 'missing token' : 'missing token: Authorization is not "Bearer <token>"';
    return {
      principal: null,
      error: new VigilError('AUTH_MISSING'),
      failure: { status: 401, code: 'missing', reason, detail: { credential: 'none' } },
    };
  }
  const known = opts.tokens.lookup(token);
  if (known) return { principal: known };
  if (opts.jwt && looksLikeJwt(token)) {
    const detail = { credential: 'jwt', claimed: claimedBy(token) };
    const outcome = await opts.jwt.verify(token);
    if (outcome.ok) return { principal: { name: outcome.name, role: outcome.roles[0], roles: outcome.roles } };
    if (outcome.code === 'no_role') {
      const name = outcome.name ?? '';
      return {
        principal: null,
        error: new VigilError('AUTH_NO_ROLE', name),
        failure: { status: 403, code: 'no_role', reason: outcome.reason, actor: name, detail },
      };
    }
    const error = new VigilError(outcome.code === 'expired' ? 'AUTH_EXPIRED' : 'AUTH_INVALID');
    return { principal: null, error, failure: { status: 401, code: outcome.code, reason: `invalid token: ${outcome.reason}`, detail } };
  }
  return {
    principal: null,
    error: new VigilError('AUTH_INVALID'),
    failure: {
      status: 401,
      code: 'invalid',
      reason: 'invalid token',
      detail: { credential: looksLikeJwt(token) ? 'jwt (auth.jwt not configured)' : 'token' },
    },
  };
}

function mayCall(principal: Principal, access: readonly Role[]): boolean {
  const roles = principal.roles ?? [principal.role];
  return roles.includes('admin') || roles.some((r) => access.includes(r));
}

export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    // Routes without a declared access are admin-only: a forgotten declaration fails closed.
    const access: Access = request.routeOptions.config?.access ?? [];
    if (access === 'public') {
      await opts.limit?.(request, reply);
      return;
    }
    const who = await identify(request, opts);
    if (who.principal) request.principal = who.principal;
    await opts.limit?.(request, reply);
    if (who.principal === null) {
      opts.onFailure(request, { ...who.failure, actor: who.failure.actor ?? null, role: null });
      throw who.error;
    }
    const principal = who.principal;
    if (!mayCall(principal, access)) {
      const route = request.routeOptions.url ?? request.url;
      const roles = (principal.roles ?? [principal.role]).join(',');
      opts.onFailure(request, {
        status: 403,
        code: 'forbidden',
        reason: `role ${roles} may not ${request.method} ${route}`,
        actor: principal.name,
        role: principal.role,
        detail: { credential: principal.roles ? 'jwt' : 'token' },
      });
      throw new VigilError('AUTH_FORBIDDEN', roles, request.method, route);
    }
  });
}

/** Who made a request, for the audit log. */
export function actorOf(request: FastifyRequest) {
  return { actor: request.principal?.name ?? null, role: request.principal?.role ?? null, ip: request.ip };
}
