// The Fastify application: security headers, CORS, auth and rate limits, body limits per route,
// errors in the API's shape (docs/interface.md), metrics per route, OpenAPI and its reference UI, and one plugin
// per area of the API.

import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import cors from '@fastify/cors';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi, { type FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import { badInput, ParamError, VigilError } from '../engine/errors.js';
import { registerAuth } from './auth.js';
import type { ApiDeps } from './deps.js';
import { FailedAuthAudit } from './auth-audit.js';
import { JwtVerifier } from './jwt.js';
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
import { meRoutes } from './routes/me.js';
import { webAppRoutes } from './web-app.js';

/** The routes whose bodies are uploads (http.uploadLimitBytes); every other body gets http.bodyLimitBytes. */
const UPLOADS = new Set(['PUT /api/v1/cameras', 'PUT /api/v1/areas', 'POST /api/v1/watchlists/:id/entries']);

/**
 * On every answer, errors and event streams included: the API serves JSON and text, never pages.
 * The exceptions are the API reference at /docs and the web app's page at / (api/web-app.ts),
 * whose routes declare a `csp` of their own.
 */
const SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cache-control', 'no-store'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
  ['cross-origin-resource-policy', 'same-site'],
];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A Content-Security-Policy in place of the strict one; only the /docs UI routes and the web app's page set it. */
    csp?: string;
  }
}

/** Who may read the OpenAPI document (/docs/json, /docs/yaml): any role (admin always may). */
const DOCS_ACCESS = ['analyst', 'dispatcher'] as const;

/**
 * Swagger UI's page, scripts and styles: static and public. Every other route of the UI plugin
 * (the document itself, and any route a newer plugin version adds) keeps DOCS_ACCESS.
 */
const DOCS_UI = new Set([
  '/docs',
  '/docs/',
  '/docs/static/',
  '/docs/static/*',
  '/docs/static/index.html',
  '/docs/static/swagger-initializer.js',
]);

/**
 * Swagger UI's CSP: its own scripts, styles, fonts and images (its stylesheet draws icons as
 * data: URIs), and requests to this origin (the document, "Try it out"). No inline script or
 * style, no eval, nothing from elsewhere; the page may not be framed.
 */
const DOCS_UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** What the functions below see in the browser (lib "dom" is not in this project's types). */
interface DocsPage {
  vigilToken?: string;
  prompt(message: string): string | null;
  SwaggerUIBundle: { plugins: { DownloadUrl: unknown } };
}
interface SwaggerSystem {
  preauthorizeApiKey(scheme: string, value: string): void;
}

/**
 * Swagger UI's configuration. @fastify/swagger-ui writes it into /docs/static/swagger-initializer.js
 * with Function.prototype.toString, so each function runs in the browser as written here: it
 * must stand alone (no closure over this module, no `this`).
 *
 * The document needs a token and the page does not: when the page loads the document, it asks
 * for the caller's bearer token, keeps it in the page's memory only (never in storage; a reload
 * asks again) and sends it; once the document is loaded, the same token is given to the
 * Authorize dialog, so "Try it out" sends it too (and Authorize can swap it for another).
 */
const DOCS_UI_CONFIG = {
  requestInterceptor: (request: { loadSpec?: boolean; headers: Record<string, string> }) => {
    const page = globalThis as unknown as DocsPage;
    if (request.loadSpec) {
      if (!page.vigilToken)
        page.vigilToken = (page.prompt('Bearer token for the vigil API (any role may read its reference)') ?? '').trim();
      if (page.vigilToken) request.headers.Authorization = `Bearer ${page.vigilToken}`;
    }
    return request;
  },
  plugins: [
    () => {
      const page = globalThis as unknown as DocsPage;
      const authorizeWithPageToken = {
        statePlugins: {
          spec: {
            wrapActions: {
              updateJsonSpec:
                (original: (...args: unknown[]) => unknown, system: SwaggerSystem) =>
                (...args: unknown[]) => {
                  const result = original(...args);
                  if (page.vigilToken) system.preauthorizeApiKey('bearer', page.vigilToken);
                  return result;
                },
            },
          },
        },
      };
      // The initializer's default plugin list, which this one replaces: DownloadUrl loads the document.
      return [page.SwaggerUIBundle.plugins.DownloadUrl, authorizeWithPageToken];
    },
  ],
};

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const { http } = deps.config;
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'api' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: http.bodyLimitBytes,
    trustProxy: http.trustProxy === false ? false : http.trustProxy === true ? true : [...http.trustProxy],
    schemaErrorFormatter: formatValidationErrors,
    // A malformed URL or an over-long path parameter is bad input like any other: the
    // API's 400, not Fastify's own 400/414 answers outside the error handler.
    frameworkErrors: (error, request, reply) => {
      const what = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is longer than 100 characters' : 'the URL is malformed';
      return replyWithError(badInput(`path: ${what}`), request, reply);
    },
  });
  app.decorate('deps', deps);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    route.bodyLimit = methods.some((m) => UPLOADS.has(`${m} ${route.url}`)) ? http.uploadLimitBytes : http.bodyLimitBytes;
  });
  // Set on the raw response, so hijacked answers (the hit stream) carry them too.
  app.addHook('onRequest', async (request, reply) => {
    for (const [name, value] of SECURITY_HEADERS) reply.raw.setHeader(name, value);
    const csp = request.routeOptions.config?.csp;
    if (csp !== undefined) reply.raw.setHeader('content-security-policy', csp);
  });
  // Query strings and path parameters arrive as text and are coerced to their schema's types;
  // JSON bodies already have types, so `{"lat": null}` must be refused, not read as 0.
  const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, strict: false });
  const exact = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));

  // OpenAPI 3.1: its Schema Object is JSON Schema 2020-12, so the routes' schemas (type arrays
  // with 'null', propertyNames, const) go into the document as the validator reads them.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'vigil', version: '0.1.0', description: 'Stream analytics for public safety' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  if (http.cors.origins.length > 0) {
    // Before auth: a preflight carries no token and is answered by the plugin's own hook.
    await app.register(cors, {
      origin: [...http.cors.origins],
      methods: ['GET', 'PUT', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'last-event-id'],
      exposedHeaders: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after'],
      maxAge: 600,
    });
  }

  const failures = new FailedAuthAudit(deps.audit, deps.metrics, deps.config.auth.auditFailures, deps.log);
  app.addHook('onClose', async () => failures.close());
  const jwtSettings = deps.config.auth.jwt;
  registerAuth(app, {
    tokens: deps.tokens,
    jwt: jwtSettings ? JwtVerifier.open(jwtSettings, (m) => deps.log.warn(m)) : null,
    limit: http.rateLimit.max > 0 ? await rateLimiter(app, deps) : undefined,
    onFailure: (request, failure) => failures.record(request, failure),
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration
      .labels(request.routeOptions.url ?? 'unmatched', request.method, String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  app.setErrorHandler(replyWithError);

  await app.register(healthRoutes);
  await app.register(meRoutes, { prefix: '/api/v1' });
  await app.register(cameraRoutes, { prefix: '/api/v1' });
  await app.register(areaRoutes, { prefix: '/api/v1' });
  await app.register(trafficRoutes, { prefix: '/api/v1' });
  await app.register(sightingRoutes, { prefix: '/api/v1' });
  await app.register(auditRoutes, { prefix: '/api/v1' });
  await app.register(watchlistRoutes, { prefix: '/api/v1' });
  await app.register(geofenceRoutes, { prefix: '/api/v1' });
  await app.register(hitRoutes, { prefix: '/api/v1' });
  await app.register(analyticsRoutes, { prefix: '/api/v1' });

  await app.register(apiReference);
  await app.register(webAppRoutes);
  return app;
}

/**
 * Swagger UI at /docs, and the OpenAPI document at /docs/json (and /docs/yaml). The plugin
 * serves all of them under its prefix, so this context gives each of its routes its access:
 * the UI's static routes are public and get DOCS_UI_CSP, the rest keeps DOCS_ACCESS and the
 * strict CSP.
 */
async function apiReference(docs: FastifyInstance): Promise<void> {
  docs.addHook('onRoute', (route) => {
    route.config = DOCS_UI.has(route.url)
      ? { ...route.config, access: 'public', csp: DOCS_UI_CSP }
      : { ...route.config, access: DOCS_ACCESS };
  });
  await docs.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: DOCS_UI_CONFIG as unknown as FastifySwaggerUiOptions['uiConfig'],
    theme: { title: 'vigil API reference' },
  });
  // The plugin's static folder would answer its own index.html here, a second copy of the UI
  // without this configuration; send it to the UI, as the plugin does /docs/static/index.html.
  // (It also makes /docs/static/ a route of its own, without which printRoutes, which the route
  // table test reads, prints the static files' wildcard as /docs/* instead of /docs/static/*.)
  docs.get('/docs/static/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs/'));
}

/**
 * Errors in the API's shape. A server error says only an error id; the error itself, its
 * stack and the request go to the log under that id.
 */
export function replyWithError(error: FastifyError | VigilError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if ('validation' in error && error.validation) {
    return reply.status(400).send({ statusCode: 400, error: 'Bad Request', code: 'VIGIL_ERR_INPUT_INVALID', message: error.message });
  }
  const given = error.statusCode;
  const status = typeof given === 'number' && given >= 400 && given <= 599 ? given : 500;
  if (status === 503 && error instanceof VigilError) {
    return reply.status(503).send({ statusCode: 503, error: 'Service Unavailable', code: error.code, message: error.message });
  }
  if (status >= 500) {
    const errorId = randomUUID();
    request.log.error(
      { err: error, errorId, method: request.method, route: request.routeOptions.url ?? null },
      `request failed (error id ${errorId})`,
    );
    const internal = new VigilError('INTERNAL', errorId);
    return reply.status(status).send({
      statusCode: status,
      error: status === 503 ? 'Service Unavailable' : 'Internal Server Error',
      code: internal.code,
      message: internal.message,
      errorId,
    });
  }
  const detail = error instanceof VigilError ? error.detail : undefined;
  const message = error instanceof ParamError ? `${whereIs(request, error.param)}.${error.message}` : error.message;
  return reply.status(status).send({ ...detail, statusCode: status, error: httpReason(status), code: error.code, message });
}

/** Where a request carried a parameter, as the API's messages name it. */
function whereIs(request: FastifyRequest, param: string): 'querystring' | 'params' | 'body' {
  const has = (o: unknown) => typeof o === 'object' && o !== null && Object.hasOwn(o, param);
  return has(request.query) ? 'querystring' : has(request.params) ? 'params' : 'body';
}

/**
 * The rate limit per caller: by principal once authenticated, by address otherwise (IPv6 by /64).
 * Called from the auth hook, between identifying the caller and refusing it.
 */
async function rateLimiter(app: FastifyInstance, deps: ApiDeps): Promise<(request: FastifyRequest, reply: FastifyReply) => Promise<void>> {
  const { max, timeWindowMs } = deps.config.http.rateLimit;
  await app.register(rateLimit, {
    global: false,
    max,
    timeWindow: timeWindowMs,
    cache: 10_000,
    keyGenerator: (request) => (request.principal ? `p:${request.principal.name}` : `ip:${normalizeIP(request.ip)}`),
    onExceeded: (request) => deps.metrics.rateLimited.labels(request.principal ? 'principal' : 'ip').inc(),
    errorResponseBuilder: (_request, context) => new VigilError('HTTP_RATE_LIMITED', context.after),
  });
  const limit = app.rateLimit();
  return async (request, reply) => {
    await limit.call(app, request, reply);
  };
}

function httpReason(status: number): string {
  switch (status) {
    case 400:
      return 'Bad Request';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'Not Found';
    case 413:
      return 'Payload Too Large';
    case 415:
      return 'Unsupported Media Type';
    case 429:
      return 'Too Many Requests';
    default:
      return 'Error';
  }
}

export function notReady(why: string): VigilError {
  return new VigilError('NOT_READY', why);
}
