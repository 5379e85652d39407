// An analytics answer as JSON, or as CSV of its rows when `format=csv` (an export: audited).

import type { FastifyReply, FastifyRequest } from 'fastify';
import { toCsv } from './csv.js';
import { actorOf } from './auth.js';

export async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  body: Record<string, unknown> & { rows: Record<string, unknown>[] },
) {
  if ((request.query as { format?: string }).format !== 'csv') return body;
  await request.server.deps.audit.record({ ...actorOf(request), action: 'analytics.export', target: request.url.slice(0, 500) });
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(toCsv(body.rows));
}
