// GET /api/v1/sightings: a person's movements are only looked up with a stated reason, and
// the lookup is audited before any row is returned.

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { normalisePlate } from '../../engine/domain/plate.js';
import { badInput } from '../../engine/errors.js';
import { findSightings } from '../../engine/store/sighting-query.js';
import { timeWindow, timeWindowSchema } from '../params.js';

export const sightingRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { db, config, audit } = app.deps;
  app.get(
    '/sightings',
    {
      config: { access: ['analyst'] },
      schema: {
        summary: 'Where and when a plate was read (audited; reason required)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['plate', 'reason'],
          properties: {
            plate: { type: 'string', minLength: 1, maxLength: 64 },
            reason: { type: 'string', minLength: 3, maxLength: 500, description: 'why this search is made; written to the audit log' },
            ...timeWindowSchema,
            limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
          },
        } as const,
      },
    },
    async (request) => {
      const q = request.query;
      const plate = normalisePlate(q.plate);
      if (plate === null) throw badInput(`querystring.plate '${q.plate.slice(0, 32)}' is not 2–16 letters and digits once normalised`);
      if (q.reason.trim().length < 3) throw badInput('querystring.reason must state why (at least 3 characters)');
      const { from, to } = timeWindow(q, config.timezone);
      await audit.record({
        actor: request.principal?.name ?? null,
        role: request.principal?.role ?? null,
        action: 'sightings.search',
        target: plate,
        reason: q.reason,
        ip: request.ip,
        detail: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      });
      const rows = await findSightings(db, { plate, from, to, limit: q.limit });
      return { rows, plate, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    },
  );
};
