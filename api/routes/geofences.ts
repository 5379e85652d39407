// Geofences (admins): protection-order exclusion zones, restricted facilities, city entry
// points, night-time zones. Audited; applied to reads processed after the change.

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { checkSchedule, type Schedule } from '../../engine/domain/schedule.js';
import { badInput, VigilError } from '../../engine/errors.js';
import { checkFenceGeometry } from '../../engine/geo/fence-geometry.js';
import { newRuleId } from '../../engine/match/rule-book.js';
import { DEFAULT_COOLDOWN_SECONDS, type Geofence } from '../../engine/match/rules.js';
import { actorOf } from '../auth.js';
import { wellFormedText } from '../params.js';

export const geofenceRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { rules, audit } = app.deps;

  app.post(
    '/geofences',
    {
      config: { access: [] },
      schema: {
        summary: 'Create a geofence',
        body: wellFormedText({
          type: 'object',
          additionalProperties: false,
          required: ['name', 'geometry', 'trigger', 'priority'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            geometry: { type: 'object' },
            trigger: { enum: ['enter', 'exit', 'inside', 'dwell'] },
            dwellSeconds: { type: 'integer', minimum: 1, maximum: 7 * 86400 },
            kinds: { type: 'array', minItems: 1, maxItems: 32, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 32 } },
            watchlists: {
              type: 'array',
              minItems: 1,
              maxItems: 100,
              uniqueItems: true,
              items: { type: 'string', minLength: 1, maxLength: 64 },
            },
            schedule: { type: 'object' },
            priority: { type: 'integer', minimum: 0, maximum: 100 },
            cooldownSeconds: { type: 'integer', minimum: 0, maximum: 86400 },
          },
        }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const geometry = checkFenceGeometry(b.geometry, 'body.geometry');
      const schedule: Schedule | null = b.schedule === undefined ? null : checkSchedule(b.schedule, 'body.schedule');
      if (b.trigger === 'dwell' && b.dwellSeconds === undefined) throw badInput('body.dwellSeconds is required for trigger dwell');
      if (b.trigger !== 'dwell' && b.dwellSeconds !== undefined) throw badInput('body.dwellSeconds applies to trigger dwell only');
      for (const [i, id] of (b.watchlists ?? []).entries()) {
        if (!rules.watchlist(id)) throw badInput(`body.watchlists[${i}] '${id}' is not a watchlist`);
      }
      const g: Geofence = {
        id: newRuleId('gf'),
        name: b.name,
        geometry,
        trigger: b.trigger,
        dwellSeconds: b.dwellSeconds ?? null,
        kinds: b.kinds ?? null,
        watchlists: b.watchlists ?? null,
        schedule,
        priority: b.priority,
        cooldownSeconds: b.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
        createdAt: Date.now(),
        createdBy: request.principal?.name ?? null,
      };
      await rules.addGeofence(g);
      await audit.record({ ...actorOf(request), action: 'geofence.create', target: g.id, detail: { name: g.name, trigger: g.trigger } });
      return reply.status(201).send({ id: g.id });
    },
  );

  app.get('/geofences', { config: { access: [] }, schema: { summary: 'List geofences' } }, async () => ({
    rows: rules.geofenceList().map((g) => ({ ...g, createdAt: new Date(g.createdAt).toISOString() })),
  }));

  app.delete(
    '/geofences/:id',
    {
      config: { access: [] },
      schema: {
        summary: 'Delete a geofence',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const,
      },
    },
    async (request) => {
      if (!(await rules.removeGeofence(request.params.id))) throw new VigilError('NOT_FOUND', `no geofence ${request.params.id}`);
      await audit.record({ ...actorOf(request), action: 'geofence.delete', target: request.params.id });
      return { deleted: request.params.id };
    },
  );
};
