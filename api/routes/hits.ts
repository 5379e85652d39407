// Hits for dispatchers and analysts: a filtered list, a live stream (Server-Sent Events from
// the VIGIL_HITS stream, resumable with Last-Event-ID), and acknowledgements.

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { DeliverPolicy, jetstream, type Consumer, type ConsumerMessages } from '@nats-io/jetstream';
import { badInput, VigilError } from '../../engine/errors.js';
import { priorityBand } from '../../engine/domain/priority.js';
import { hitForAck, hitPlace, listHits, recordAck, type HitPlace } from '../../engine/store/hit-query.js';
import { findSightings } from '../../engine/store/sighting-query.js';
import { normalisePlate } from '../../engine/domain/plate.js';
import type { Database } from '../../engine/store/database.js';
import { timeWindow, timeWindowSchema, wellFormedText } from '../params.js';
import { actorOf } from '../auth.js';
import { EventStream, type DrainOutcome } from '../sse.js';

export interface HitRouteOptions {
  /** How long the live stream waits for a client that reads nothing before cutting it. */
  slowClientMs?: number;
}

const KEEPALIVE_MS = 15_000;
/**
 * A client that has read nothing for this long is cut, and resumes with Last-Event-ID. Long
 * enough for a browser that throttles a background tab or a network that stalls for a while;
 * short enough that a client gone without a FIN does not hold a socket and a consumer for long.
 */
const SLOW_CLIENT_MS = 30_000;
/**
 * Hits pulled from VIGIL_HITS at a time, so at most this many are written to a client beyond
 * what its socket accepted: a hit is a few KiB (its attrs are capped at 64 KiB).
 */
const FETCH_BATCH = 64;
/** How long one pull waits on the server for hits; the next pull follows at once. */
const FETCH_EXPIRES_MS = 30_000;
const decoder = new TextDecoder();
/** A hit reaches the stream a moment before its batch commits: a board asking at once waits this long. */
const HIT_STORED_WAIT_MS = 2_000;
const HOUR_MS = 3_600_000;
/** At most this many sightings in a hit's trail: an hour of a plate read at every crossing. */
const TRAIL_ROWS = 1_000;

export const hitRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: HitRouteOptions }> = async (app, opts) => {
  const { db, config, audit, nats, metrics, placement } = app.deps;
  const slowClientMs = opts.slowClientMs ?? SLOW_CLIENT_MS;
  // Core NATS, outside every stream: a decision is already stored and audited in DuckDB.
  const ackSubject = `${config.nats.prefix}.ack.hit`;

  app.get(
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
        } as const,
      },
    },
    async (request) => {
      const q = request.query;
      const { from, to } = timeWindow(q, config.timezone);
      return listHits(db, { from, to, source: q.source, minPriority: q.minPriority, limit: q.limit, cursor: q.cursor });
    },
  );

  app.get(
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
        } as const,
      },
    },
    async (request, reply) => {
      const last = request.headers['last-event-id'];
      let start: number | null = null;
      if (last !== undefined) {
        if (typeof last !== 'string' || !/^\d{1,15}$/.test(last))
          throw badInput('header Last-Event-ID must be an event id this stream sent');
        start = Number(last) + 1;
      }
      const { source, minPriority } = request.query;
      const js = jetstream(nats.nc);
      const consumer = await js.consumers.get('VIGIL_HITS', {
        // One subject, not a list: nats-server 2.9 (Debian 12) knows only the single filter.
        filter_subjects: `${config.nats.prefix}.hit.${source ?? '>'}`,
        ...(start === null ? { deliver_policy: DeliverPolicy.New } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }),
      });
      reply.hijack();
      const stream = new EventStream(reply.raw, { keepaliveMs: KEEPALIVE_MS, stallMs: slowClientMs });
      stream.comment('vigil hits');
      // Decisions as they are made, by any dispatcher on any engine, so every open board shows
      // them. Not replayed on resume: a board that reconnects reloads the hits' latest acks.
      const acks = nats.nc.subscribe(ackSubject, {
        callback: (err, m) => {
          if (!err && !stream.closed.aborted) stream.event(null, 'ack', decoder.decode(m.data));
        },
      });
      try {
        if ((await streamHits(consumer, stream, minPriority)) === 'stalled') {
          metrics.hitStreamSlowClients.inc();
          request.log.info(`hit stream cut: the client read nothing for ${slowClientMs} ms (it resumes with Last-Event-ID)`);
        }
      } catch (err) {
        // The answer is under way: the client's reconnection with Last-Event-ID is the retry.
        request.log.warn({ err }, 'hit stream ended by an error');
      } finally {
        acks.unsubscribe();
        stream.end();
        // An ordered consumer would otherwise outlive its reader on the server by minutes.
        void consumer.delete().catch(() => undefined);
      }
    },
  );

  app.get(
    '/hits/:id/context',
    {
      config: { access: ['dispatcher', 'analyst'] },
      schema: {
        summary: "What dispatch draws around a hit: the plate's trail and the nearest units (audited)",
        description:
          "`trail`: the hit's plate read from an hour before the hit to now (at most an hour after it), in time order, " +
          'at most 1,000 rows. `units`: the cameras whose reads carry their own position (patrol cars, drones), nearest ' +
          "the hit first, each at its latest read within `unitMaxAgeMinutes`, with the straight-line distance. A plate's " +
          "trail is a person's movements: every call is audited, its reason the hit.",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            units: { type: 'integer', minimum: 0, maximum: 50, default: 5, description: 'how many units, nearest first' },
            unitMaxAgeMinutes: {
              type: 'integer',
              minimum: 1,
              maximum: 1440,
              default: 15,
              description: 'a unit older than this is not shown',
            },
          },
        } as const,
      },
    },
    async (request) => {
      const { id } = request.params;
      const hit = await storedHit(db, id);
      if (!hit) throw new VigilError('NOT_FOUND', `no hit ${id}`);
      const now = Date.now();
      const from = hit.ts - HOUR_MS;
      const to = Math.max(hit.ts, Math.min(now, hit.ts + HOUR_MS)) + 1;
      const plate = hit.plate === null ? null : normalisePlate(hit.plate);
      if (plate !== null) {
        await audit.record({
          ...actorOf(request),
          action: 'hit.context',
          target: id,
          reason: `dispatch of hit ${id}`,
          detail: { plate, from: new Date(from).toISOString(), to: new Date(to).toISOString() },
        });
      }
      const trail =
        plate === null
          ? []
          : (await findSightings(db, { pattern: { text: plate, wildcard: false }, fuzzy: false, from, to, limit: TRAIL_ROWS })).rows;
      const units =
        hit.lat === null || hit.lon === null
          ? []
          : placement.units.nearest(hit.lat, hit.lon, request.query.units, now - request.query.unitMaxAgeMinutes * 60_000);
      return {
        hit: id,
        plate,
        lat: hit.lat,
        lon: hit.lon,
        trail: {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          rows: trail.map((r) => ({ ts: r.ts, camera: r.camera, lat: r.lat, lon: r.lon, area: r.area })),
        },
        units: units.map((u) => ({ camera: u.camera, lat: u.lat, lon: u.lon, at: new Date(u.ts).toISOString(), distanceM: u.distanceM })),
      };
    },
  );

  app.post(
    '/hits/:id/ack',
    {
      config: { access: ['dispatcher'] },
      schema: {
        summary: "A dispatcher's decision on a hit (audited)",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const,
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
      if (!hit.acked)
        metrics.hitAckSeconds.labels(hit.source, priorityBand(hit.priority), status).observe(Math.max(0, at - hit.emittedMs) / 1000);
      await audit.record({ ...actorOf(request), action: 'hit.ack', target: id, reason: reason ?? null, detail: { status } });
      const decision = { hit: id, status, reason: reason ?? null, by: request.principal?.name ?? null, at: new Date(at).toISOString() };
      nats.nc.publish(ackSubject, JSON.stringify(decision));
      return decision;
    },
  );
};

/**
 * Writes hits a batch at a time and pulls the next batch only once the client has taken the
 * last: a client that stops reading stops the consumer, where `consume()` would go on pulling
 * into memory whether anyone read or not. A batch itself is written without waiting, so its
 * iterator is always read promptly (one left waiting misses heartbeats and pulls again).
 */
async function streamHits(consumer: Consumer, stream: EventStream, minPriority: number): Promise<DrainOutcome> {
  while (!stream.closed.aborted) {
    const batch = await consumer.fetch({ max_messages: FETCH_BATCH, expires: FETCH_EXPIRES_MS });
    const release = stopOnClose(batch, stream.closed);
    try {
      for await (const m of batch) {
        const text = decoder.decode(m.data);
        if (minPriority > 0 && (JSON.parse(text) as { priority: number }).priority < minPriority) continue;
        stream.event(m.seq, 'hit', text);
      }
    } finally {
      release();
    }
    const outcome = await stream.drained();
    if (outcome !== 'drained') return outcome;
  }
  return 'closed';
}

/** A pull waits up to FETCH_EXPIRES_MS for hits: a hang-up ends it at once. Returns the undo. */
function stopOnClose(batch: ConsumerMessages, closed: AbortSignal): () => void {
  const stop = () => batch.stop();
  if (closed.aborted) stop();
  else closed.addEventListener('abort', stop, { once: true });
  return () => closed.removeEventListener('abort', stop);
}

/** How the engine names hits (engine/match/hit.ts): only such an id is worth waiting for. */
const HIT_ID = /^(?:[dr]\d+\.\d+\.[wg]\.|p\.)/;

/** The hit, waiting briefly for one that is on the stream but not yet committed. */
async function storedHit(db: Database, id: string): Promise<HitPlace | null> {
  const deadline = Date.now() + (HIT_ID.test(id) ? HIT_STORED_WAIT_MS : 0);
  for (;;) {
    const hit = await hitPlace(db, id);
    if (hit !== null || Date.now() >= deadline) return hit;
    await new Promise((r) => setTimeout(r, 100));
  }
}
