// Hits for dispatchers and analysts: a filtered list, a live stream (Server-Sent Events from
// the VIGIL_HITS stream, resumable with Last-Event-ID), and acknowledgements.

import type { FastifyInstance } from 'fastify';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { badInput, VigilError } from '../../engine/errors.js';
import { priorityBand } from '../../engine/domain/priority.js';
import { hitForAck, listHits, recordAck } from '../../engine/store/hit-query.js';
import { timeWindow, timeWindowSchema, wellFormedText } from '../params.js';
import { actorOf } from '../auth.js';

interface ListQuery {
  from?: string;
  to?: string;
  source?: 'watchlist' | 'geofence' | 'panic';
  minPriority: number;
  limit: number;
  cursor?: string;
}

const KEEPALIVE_MS = 15_000;
const decoder = new TextDecoder();

export async function hitRoutes(app: FastifyInstance): Promise<void> {
  const { db, config, audit, nats, metrics } = app.deps;

  app.get<{ Querystring: ListQuery }>(
    '/hits',
    {
      config: { access: ['dispatcher', 'analyst'] },
      schema: {
        summary: 'Hits, newest first; `nextCursor` pages on',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...timeWindowSchema,
            source: { enum: ['watchlist', 'geofence', 'panic'] },
            minPriority: { type: 'integer', minimum: 0, maximum: 100, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100 },
            cursor: { type: 'string', maxLength: 400 },
          },
        },
      },
    },
    async (request) => {
      const q = request.query;
      const { from, to } = timeWindow(q, config.timezone);
      return listHits(db, { from, to, source: q.source, minPriority: q.minPriority, limit: q.limit, cursor: q.cursor });
    },
  );

  app.get<{ Querystring: { source?: string; minPriority: number } }>(
    '/hits/stream',
    {
      config: { access: ['dispatcher', 'analyst'] },
      schema: {
        summary: 'Server-Sent Events, one hit per event (id = VIGIL_HITS sequence); resume with Last-Event-ID',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            source: { enum: ['watchlist', 'geofence', 'panic'] },
            minPriority: { type: 'integer', minimum: 0, maximum: 100, default: 0 },
          },
        },
      },
    },
    async (request, reply) => {
      const last = request.headers['last-event-id'];
      let start: number | null = null;
      if (last !== undefined) {
        if (typeof last !== 'string' || !/^\d{1,15}$/.test(last)) throw badInput('header Last-Event-ID must be an event id this stream sent');
        start = Number(last) + 1;
      }
      const { source, minPriority } = request.query;
      const js = jetstream(nats.nc);
      const consumer = await js.consumers.get('VIGIL_HITS', {
        // One subject, not a list: nats-server 2.9 (Debian 12) knows only the single filter.
        filter_subjects: `${config.nats.prefix}.hit.${source ?? ">"}`,
        ...(start === null ? { deliver_policy: DeliverPolicy.New } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }),
      });
      const messages = await consumer.consume();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(': vigil hits\n\n');
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      const close = () => {
        clearInterval(keepalive);
        void messages.close();
      };
      request.raw.on('close', close);
      try {
        for await (const m of messages) {
          const text = decoder.decode(m.data);
          if (minPriority > 0 && (JSON.parse(text) as { priority: number }).priority < minPriority) continue;
          res.write(`id: ${m.seq}\nevent: hit\ndata: ${text}\n\n`);
        }
      } finally {
        close();
        res.end();
      }
    },
  );

  app.post<{ Params: { id: string }; Body: { status: 'accepted' | 'rejected'; reason?: string } }>(
    '/hits/:id/ack',
    {
      config: { access: ['dispatcher'] },
      schema: {
        summary: "A dispatcher's decision on a hit (audited)",
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } },
        body: wellFormedText({
          type: 'object',
          additionalProperties: false,
          required: ['status'],
          properties: { status: { enum: ['accepted', 'rejected'] }, reason: { type: 'string', minLength: 1, maxLength: 1000 } },
        }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { status, reason } = request.body;
      if (status === 'rejected' && (reason === undefined || reason.trim().length < 3)) {
        throw badInput('body.reason is required when rejecting a hit');
      }
      const hit = await hitForAck(db, id);
      if (!hit) throw new VigilError('NOT_FOUND', `no hit ${id}`);
      const at = Date.now();
      await recordAck(db, id, status, reason ?? null, request.principal?.name ?? null, at);
      metrics.hitAcks.labels(hit.watchlist ?? '', status).inc();
      if (!hit.acked) metrics.hitAckSeconds.labels(hit.source, priorityBand(hit.priority), status).observe(Math.max(0, at - hit.emittedMs) / 1000);
      await audit.record({ ...actorOf(request), action: 'hit.ack', target: id, reason: reason ?? null, detail: { status } });
      return { hit: id, status, reason: reason ?? null, by: request.principal?.name ?? null, at: new Date(at).toISOString() };
    },
  );
}
