// GET /api/v1/audit: who asked what, when and why (admins only).

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { timeWindow, timeWindowSchema } from '../params.js';

export const auditRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { audit, config } = app.deps;
  app.get(
    '/audit',
    {
      config: { access: [] },
      schema: {
        summary: 'Audit log, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            actor: { type: 'string', minLength: 1, maxLength: 128 },
            action: { type: 'string', minLength: 1, maxLength: 64 },
            ...timeWindowSchema,
            limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
          },
        } as const,
      },
    },
    async (request) => {
      const q = request.query;
      const { from, to } = timeWindow(q, config.timezone);
      return { rows: await audit.list({ from, to, actor: q.actor, action: q.action, limit: q.limit }) };
    },
  );
};
