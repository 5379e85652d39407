// An analytics answer as JSON, as CSV of its rows when `format=csv` (an export: audited), or
// as GeoJSON when `format=geojson` and the answer can be drawn (the caller's `features`).

import type { FastifyReply, FastifyRequest } from 'fastify';
import { featureCollection, type Feature } from '../engine/geo/feature-collection.js';
import { toCsv } from './csv.js';
import { actorOf } from './auth.js';

export const GEOJSON_TYPE = 'application/geo+json; charset=utf-8';

export async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  body: Record<string, unknown> & { rows: Record<string, unknown>[] },
  features?: () => Feature[],
) {
  const format = (request.query as { format?: string }).format;
  if (format === 'geojson' && features) {
    // The same rows as the JSON answer, drawn: not audited as an export, as JSON is not.
    const { rows: _rows, ...summary } = body;
    return reply.type(GEOJSON_TYPE).send(featureCollection(features(), summary));
  }
  if (format !== 'csv') return body;
  await request.server.deps.audit.record({ ...actorOf(request), action: 'analytics.export', target: request.url.slice(0, 500) });
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(toCsv(body.rows));
}
