// The Fastify application: auth, errors in the contract's shape, metrics per route, OpenAPI,
// and one plugin per area of the API.

import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import type { Config } from '../engine/config.js';
import type { Logger } from '../engine/logger.js';
import type { EngineMetrics } from '../engine/metrics.js';
import type { Placement } from '../engine/geo/placement.js';
import type { RuleBook } from '../engine/match/rule-book.js';
import type { NatsLink } from '../engine/nats/connection.js';
import type { HitPublisher } from '../engine/ingest/hit-publisher.js';
import type { Database } from '../engine/store/database.js';
import type { AuditLog } from '../engine/store/audit-log.js';
import { VigilError } from '../engine/errors.js';
import { registerAuth, type TokenBook } from './auth.js';
import { formatValidationErrors } from './validation-message.js';
import { healthRoutes } from './routes/health.js';
import { cameraRoutes } from './routes/cameras.js';
import { areaRoutes } from './routes/areas.js';
import { trafficRoutes } from './routes/traffic.js';
import { sightingRoutes } from './routes/sightings.js';
import { auditRoutes } from './routes/audit.js';
import { watchlistRoutes } from './routes/watchlists.js';
import { geofenceRoutes } from './routes/geofences.js';
import { hitRoutes } from './routes/hits.js';
import { analyticsRoutes } from './routes/analytics.js';

export interface Readiness {
  ready: boolean;
  checks: Record<string, boolean>;
}

export interface ApiDeps {
  config: Readonly<Config>;
  db: Database;
  audit: AuditLog;
  metrics: EngineMetrics;
  placement: Placement;
  rules: RuleBook;
  nats: NatsLink;
  hitPublisher: HitPublisher;
  tokens: TokenBook;
  log: Logger;
  readiness: () => Readiness;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: ApiDeps;
  }
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'api' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 8 * 1024 * 1024,
    schemaErrorFormatter: formatValidationErrors,
  });
  app.decorate('deps', deps);
  // Query strings and path parameters arrive as text and are coerced to their schema's types;
  // JSON bodies already have types, so `{"lat": null}` must be refused, not read as 0.
  const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, strict: false });
  const exact = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));

  await app.register(swagger, {
    openapi: {
      info: { title: 'vigil', version: '0.1.0', description: 'Stream analytics for public safety' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  registerAuth(app, deps.tokens, (request, why) => {
    // Failed authentication is audited (who tried, from where); the write is not awaited so
    // a flood of bad tokens cannot queue the request behind the store.
    deps.audit
      .record({ actor: null, role: null, action: 'auth.failed', target: request.url.slice(0, 200), reason: why, ip: request.ip })
      .catch((err) => deps.log.warn(`audit write failed: ${(err as Error).message}`));
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration
      .labels(request.routeOptions.url ?? 'unmatched', request.method, String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: FastifyError | VigilError, request, reply) => {
    if ('validation' in error && error.validation) {
      return reply.status(400).send({ statusCode: 400, error: 'Bad Request', code: 'VIGIL_ERR_INPUT_INVALID', message: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(status).send({ statusCode: status, error: status === 503 ? 'Service Unavailable' : 'Internal Server Error', message: status === 503 ? error.message : 'internal error' });
    }
    return reply.status(status).send({ statusCode: status, error: httpReason(status), code: error.code, message: error.message });
  });

  await app.register(healthRoutes);
  await app.register(cameraRoutes, { prefix: '/api/v1' });
  await app.register(areaRoutes, { prefix: '/api/v1' });
  await app.register(trafficRoutes, { prefix: '/api/v1' });
  await app.register(sightingRoutes, { prefix: '/api/v1' });
  await app.register(auditRoutes, { prefix: '/api/v1' });
  await app.register(watchlistRoutes, { prefix: '/api/v1' });
  await app.register(geofenceRoutes, { prefix: '/api/v1' });
  await app.register(hitRoutes, { prefix: '/api/v1' });
  await app.register(analyticsRoutes, { prefix: '/api/v1' });

  app.get('/docs/json', { schema: { hide: true }, config: { access: ['analyst', 'dispatcher'] } }, async () => app.swagger());
  return app;
}

function httpReason(status: number): string {
  switch (status) {
    case 400: return 'Bad Request';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'Not Found';
    case 413: return 'Payload Too Large';
    case 415: return 'Unsupported Media Type';
    case 429: return 'Too Many Requests';
    default: return 'Error';
  }
}

export function notReady(why: string): VigilError {
  return new VigilError('NOT_READY', why);
}
