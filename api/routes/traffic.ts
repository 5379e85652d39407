// GET /api/v1/analytics/traffic: read counts per camera or area and time bucket.

import type { FastifyInstance } from 'fastify';
import { trafficCounts, type TrafficBucket, type TrafficGroup } from '../../engine/store/traffic-query.js';
import { timeWindow, timeWindowSchema } from '../params.js';
import { answer } from '../answer.js';

interface Query {
  groupBy: TrafficGroup;
  bucket: TrafficBucket;
  kind?: string;
  camera?: string;
  area?: string;
  from?: string;
  to?: string;
  limit: number;
  format: 'json' | 'csv';
}

export async function trafficRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  app.get<{ Querystring: Query }>(
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
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const { from, to } = timeWindow(q, config.timezone);
      const key = q.groupBy === 'camera' ? q.camera : q.area;
      const rows = await trafficCounts(db, { groupBy: q.groupBy, bucket: q.bucket, from, to, kind: q.kind, key, limit: q.limit });
      return answer(request, reply, 'traffic', { rows: rows as unknown as Record<string, unknown>[], from: new Date(from).toISOString(), to: new Date(to).toISOString() });
    },
  );
}
