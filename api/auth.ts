// Bearer-token authentication and per-route roles. Runs in onRequest, before any validation,
// so a caller without the right token learns nothing about the request's shape.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role, TokenSpec } from '../engine/config.js';
import { VigilError } from '../engine/errors.js';

export interface Principal {
  name: string;
  role: Role;
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

interface StoredToken extends Principal {
  digest: Buffer;
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
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

export function registerAuth(app: FastifyInstance, book: TokenBook, onFailure: (request: FastifyRequest, why: string) => void): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    // Routes without a declared access are admin-only: a forgotten declaration fails closed.
    const access: Access = request.routeOptions.config?.access ?? [];
    if (access === 'public') return;
    const token = bearerToken(request);
    if (token === null) {
      onFailure(request, 'missing token');
      throw new VigilError('AUTH_MISSING');
    }
    const principal = book.lookup(token);
    if (principal === null) {
      onFailure(request, 'invalid token');
      throw new VigilError('AUTH_INVALID');
    }
    request.principal = principal;
    if (principal.role !== 'admin' && !access.includes(principal.role)) {
      throw new VigilError('AUTH_FORBIDDEN', principal.role, request.method, request.routeOptions.url ?? request.url);
    }
  });
}

/** Who made a request, for the audit log. */
export function actorOf(request: FastifyRequest) {
  return { actor: request.principal?.name ?? null, role: request.principal?.role ?? null, ip: request.ip };
}
