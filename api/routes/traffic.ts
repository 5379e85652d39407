// GET /api/v1/analytics/traffic: read counts per camera or area and time bucket.

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { trafficCounts } from '../../engine/store/traffic-query.js';
import { timeWindow, timeWindowSchema } from '../params.js';
import { answer } from '../answer.js';

export const trafficRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { db, config } = app.deps;
  app.get(
    '/analytics/traffic',
    {
      config: { access: ['analyst'] },
      schema: {
        summary: 'Detection counts by camera or area and time bucket',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            groupBy: { enum: ['camera', 'area'], default: 'camera' },
            bucket: { enum: ['minute', 'hour', 'day'], default: 'hour' },
            kind: { type: 'string', minLength: 1, maxLength: 32 },
            camera: { type: 'string', minLength: 1, maxLength: 128 },
            area: { type: 'string', minLength: 1, maxLength: 128 },
            ...timeWindowSchema,
            limit: { type: 'integer', minimum: 1, maximum: 100000, default: 10000 },
            format: { enum: ['json', 'csv'], default: 'json' },
          },
        } as const,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const { from, to } = timeWindow(q, config.timezone);
      const key = q.groupBy === 'camera' ? q.camera : q.area;
      // Minute rows older than this are compacted away (store.minuteBucketsHours).
      const minuteKeepFrom = Date.now() - config.store.minuteBucketsHours * 3_600_000;
      const rows = await trafficCounts(
        db,
        { groupBy: q.groupBy, bucket: q.bucket, from, to, kind: q.kind, key, limit: q.limit },
        minuteKeepFrom,
      );
      return answer(request, reply, 'traffic', {
        rows: rows as unknown as Record<string, unknown>[],
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      });
    },
  );
};
