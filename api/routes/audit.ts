// GET /api/v1/audit: who asked what, when and why (admins only).

import type { FastifyInstance } from 'fastify';
import { timeWindow, timeWindowSchema } from '../params.js';

interface Query {
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  limit: number;
}

export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const { audit, config } = app.deps;
  app.get<{ Querystring: Query }>(
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
        },
      },
    },
    async (request) => {
      const q = request.query;
      const { from, to } = timeWindow(q, config.timezone);
      return { rows: await audit.list({ from, to, actor: q.actor, action: q.action, limit: q.limit }) };
    },
  );
}
