// Watchlists and their entries (admins). Every list states its legal basis; every change is
// audited and applies to reads processed after it, without a restart. Edits on a plate list
// are estimated before they apply (fuzzy-guard), and the list shows how dispatchers judged its
// hits.

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FromSchema } from 'json-schema-to-ts';
import { actorOf } from '../auth.js';
import { normalisePlate } from '../../engine/domain/plate.js';
import { badInput, VigilError } from '../../engine/errors.js';
import { l2normalise } from '../../engine/match/face-matcher.js';
import { newRuleId } from '../../engine/match/rule-book.js';
import {
  DEFAULT_COOLDOWN_SECONDS,
  DEFAULT_FACE_MATCH,
  DEFAULT_PLATE_MATCH,
  isPlateOptions,
  type PlateMatchOptions,
  type Watchlist,
  type WatchEntry,
} from '../../engine/match/rules.js';
import { parseInstant } from '../../engine/domain/city-time.js';
import { retroMatch } from '../retro-match.js';
import { wellFormedText } from '../params.js';
import { checkFuzzyRate } from '../fuzzy-guard.js';
import { watchlistHitTallies, type HitTally } from '../../engine/store/watchlist-stats.js';

const entrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: {
    key: { type: 'string', minLength: 1, maxLength: 128 },
    label: { type: 'string', maxLength: 500 },
    reference: { type: 'string', maxLength: 500 },
    expiresAt: { type: 'string', maxLength: 40 },
    embedding: { type: 'array', minItems: 1, maxItems: 4096, items: { type: 'number' } },
  },
} as const;
type EntryBody = FromSchema<typeof entrySchema>;

const MAX_ENTRIES_PER_REQUEST = 1_000_000;
const DAY_MS = 86_400_000;
/** Precision is shown once dispatchers have judged this many of a list's hits. */
export const MIN_ACKS_FOR_PRECISION = 10;

const plateMatchSchema = {
  ocrEquivalence: { type: 'boolean' },
  maxEdits: {
    type: 'integer',
    minimum: 0,
    maximum: 2,
    description: 'edits beyond look-alikes; 0 by default, refused above matching.maxFuzzyHitRate unless force',
  },
  editPriority: {
    type: ['integer', 'null'],
    minimum: 0,
    maximum: 100,
    description: "priority of a hit by edit; default the list's priority − 20",
  },
} as const;
const forceSchema = { type: 'boolean', description: 'accept edits over matching.maxFuzzyHitRate (audited)' } as const;

/** Hits, decisions and precision over a set of tallies. */
function judged(tallies: Iterable<HitTally>) {
  let hits = 0;
  let accepted = 0;
  let rejected = 0;
  for (const t of tallies) {
    hits += t.hits;
    accepted += t.accepted;
    rejected += t.rejected;
  }
  const decided = accepted + rejected;
  return {
    hits24h: hits,
    accepted24h: accepted,
    rejected24h: rejected,
    precision: decided >= MIN_ACKS_FOR_PRECISION ? Math.round((accepted / decided) * 1e4) / 1e4 : null,
  };
}

function instantOrNull(text: string | undefined, field: string, timeZone: string): number | null {
  if (text === undefined) return null;
  const ms = parseInstant(text, timeZone);
  if (ms === null) throw badInput(`${field} must be an ISO 8601 date or date-time with a zone, got '${text.slice(0, 40)}'`);
  return ms;
}

/** Parses retro=24h / 90m / 7d / 3600s (at most 30 days). */
export function parseRetro(text: string): number {
  const m = /^(\d{1,6})(s|m|h|d)$/.exec(text);
  if (!m) throw badInput(`querystring.retro must be a duration like 24h, 90m or 7d, got '${text.slice(0, 20)}'`);
  const ms = Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  if (ms <= 0 || ms > 30 * 86_400_000) throw badInput('querystring.retro must be more than 0 and at most 30d');
  return ms;
}

export const watchlistRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { rules, audit, config } = app.deps;

  app.post(
    '/watchlists',
    {
      config: { access: [] },
      schema: {
        summary: 'Create a watchlist',
        body: wellFormedText({
          type: 'object',
          additionalProperties: false,
          required: ['name', 'kind', 'priority', 'legalBasis'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            kind: { enum: ['plate', 'face'] },
            priority: { type: 'integer', minimum: 0, maximum: 100 },
            legalBasis: { type: 'string', minLength: 3, maxLength: 1000, description: 'the law, order or warrant this list rests on' },
            expiresAt: { type: 'string', maxLength: 40 },
            match: {
              type: 'object',
              additionalProperties: false,
              properties: { ...plateMatchSchema, threshold: { type: 'number', minimum: -1, maximum: 1 } },
            },
            alertOnRead: { type: 'boolean' },
            cooldownSeconds: { type: 'integer', minimum: 0, maximum: 86400 },
          },
        }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (b.legalBasis.trim().length < 3) throw badInput('body.legalBasis must state the legal basis');
      const m = b.match ?? {};
      let match: Watchlist['match'];
      if (b.kind === 'plate') {
        if (m.threshold !== undefined) throw badInput('body.match.threshold applies to face watchlists only');
        match = {
          ocrEquivalence: m.ocrEquivalence ?? DEFAULT_PLATE_MATCH.ocrEquivalence,
          maxEdits: m.maxEdits ?? DEFAULT_PLATE_MATCH.maxEdits,
        };
        if (m.editPriority !== undefined) match.editPriority = m.editPriority;
      } else {
        if (m.ocrEquivalence !== undefined || m.maxEdits !== undefined || m.editPriority !== undefined) {
          throw badInput('body.match.ocrEquivalence, body.match.maxEdits and body.match.editPriority apply to plate watchlists only');
        }
        match = { threshold: m.threshold ?? DEFAULT_FACE_MATCH.threshold };
      }
      const now = Date.now();
      const w: Watchlist = {
        id: newRuleId('wl'),
        name: b.name,
        kind: b.kind,
        priority: b.priority,
        legalBasis: b.legalBasis,
        expiresAt: instantOrNull(b.expiresAt, 'body.expiresAt', config.timezone),
        match,
        alertOnRead: b.alertOnRead ?? true,
        cooldownSeconds: b.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
        createdAt: now,
        createdBy: request.principal?.name ?? null,
        // A new list has no entries: nothing can hit it by edit yet.
        estimatedFuzzyHitRate: b.kind === 'plate' ? 0 : null,
      };
      await rules.addWatchlist(w);
      await audit.record({
        ...actorOf(request),
        action: 'watchlist.create',
        target: w.id,
        detail: { name: w.name, kind: w.kind, legalBasis: w.legalBasis, match },
      });
      return reply.status(201).send({ id: w.id, estimatedFuzzyHitRate: w.estimatedFuzzyHitRate });
    },
  );

  app.patch(
    '/watchlists/:id',
    {
      config: { access: [] },
      schema: {
        summary: "Change a plate watchlist's matching; edits are estimated first and refused above matching.maxFuzzyHitRate unless force",
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['match'],
          properties: {
            match: { type: 'object', additionalProperties: false, minProperties: 1, properties: plateMatchSchema },
            force: forceSchema,
          },
        },
      },
    },
    async (request) => {
      const list = rules.watchlist(request.params.id);
      if (!list) throw new VigilError('NOT_FOUND', `no watchlist ${request.params.id}`);
      if (!isPlateOptions(list.match)) throw badInput("body.match: only a plate watchlist's matching can be changed");
      const before = list.match;
      const match: PlateMatchOptions = { ...before, ...request.body.match };
      if (match.editPriority === undefined) delete match.editPriority;
      const check = await checkFuzzyRate(
        app.deps,
        request,
        list,
        match,
        rules.entryKeys(list.id),
        request.body.force === true,
        'body.match.maxEdits',
      );
      await rules.updatePlateMatch(list.id, match, check.perThousandReads);
      await audit.record({
        ...actorOf(request),
        action: 'watchlist.update',
        target: list.id,
        detail: { before, after: match, estimatedFuzzyHitRate: check.perThousandReads, forced: check.forced },
      });
      return { id: list.id, match, estimatedFuzzyHitRate: check.perThousandReads, estimateBasis: check.basis, forced: check.forced };
    },
  );

  app.get(
    '/watchlists',
    { config: { access: [] }, schema: { summary: 'List watchlists, with their hits of the last 24 h and how dispatchers judged them' } },
    async () => {
      const tallies = await watchlistHitTallies(app.deps.db, Date.now() - DAY_MS);
      return {
        rows: rules.watchlists().map((w) => {
          const byType = tallies.get(w.id) ?? new Map<string, HitTally>();
          return {
            ...w,
            expiresAt: w.expiresAt === null ? null : new Date(w.expiresAt).toISOString(),
            createdAt: new Date(w.createdAt).toISOString(),
            estimatedFuzzyHitRate: w.estimatedFuzzyHitRate ?? null,
            ...judged(byType.values()),
            byMatch: Object.fromEntries([...byType].map(([type, t]) => [type, judged([t])])),
          };
        }),
      };
    },
  );

  app.delete(
    '/watchlists/:id',
    { config: { access: [] }, schema: { summary: 'Delete a watchlist and its entries', params: idParams } },
    async (request) => {
      if (!(await rules.removeWatchlist(request.params.id))) throw new VigilError('NOT_FOUND', `no watchlist ${request.params.id}`);
      await audit.record({ ...actorOf(request), action: 'watchlist.delete', target: request.params.id });
      return { deleted: request.params.id };
    },
  );

  app.post(
    '/watchlists/:id/entries',
    {
      config: { access: [] },
      bodyLimit: 256 * 1024 * 1024,
      schema: {
        summary: 'Add or replace entries; retro=24h also matches them against stored sightings of that window',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { retro: { type: 'string', maxLength: 12 }, force: forceSchema },
        } as const,
        body: wellFormedText({
          type: 'array',
          minItems: 1,
          maxItems: MAX_ENTRIES_PER_REQUEST,
          items: entrySchema,
        }),
      },
    },
    async (request) => {
      const list = rules.watchlist(request.params.id);
      if (!list) throw new VigilError('NOT_FOUND', `no watchlist ${request.params.id}`);
      const retroMs = request.query.retro === undefined ? null : parseRetro(request.query.retro);
      if (retroMs !== null && list.kind === 'face') {
        throw badInput('querystring.retro applies to plate watchlists: face embeddings are not stored with sightings');
      }
      const { entries, repeated } = entriesOf(request.body, list, rules.faceDimension(list.id), config.timezone);
      // A list with edits on: the estimate covers the entries it would hold after the upload.
      const fuzzy =
        isPlateOptions(list.match) && list.match.maxEdits > 0
          ? await checkFuzzyRate(
              app.deps,
              request,
              list,
              list.match,
              [...new Set([...rules.entryKeys(list.id), ...entries.map((e) => e.key)])],
              request.query.force === true,
              `match.maxEdits of watchlist ${list.id}`,
            )
          : null;
      await rules.upsertEntries(list.id, entries, fuzzy?.perThousandReads);
      await audit.record({
        ...actorOf(request),
        action: 'watchlist.entries.upsert',
        target: list.id,
        detail: { count: entries.length, repeated, retro: request.query.retro ?? null },
      });
      const retro = retroMs === null ? null : await retroMatch(app.deps, list, entries, retroMs);
      return {
        upserted: entries.length,
        repeated,
        ...(fuzzy ? { estimatedFuzzyHitRate: fuzzy.perThousandReads, forced: fuzzy.forced } : {}),
        ...(retro ? { retro } : {}),
      };
    },
  );

  app.delete(
    '/watchlists/:id/entries/:key',
    {
      config: { access: [] },
      schema: {
        summary: 'Remove one entry',
        params: {
          type: 'object',
          required: ['id', 'key'],
          properties: { id: { type: 'string', maxLength: 64 }, key: { type: 'string', maxLength: 128 } },
        } as const,
      },
    },
    async (request) => {
      const list = rules.watchlist(request.params.id);
      if (!list) throw new VigilError('NOT_FOUND', `no watchlist ${request.params.id}`);
      const key = list.kind === 'plate' ? (normalisePlate(request.params.key) ?? request.params.key) : request.params.key;
      if (!(await rules.removeEntry(list.id, key))) throw new VigilError('NOT_FOUND', `no entry ${key} in watchlist ${list.id}`);
      await audit.record({ ...actorOf(request), action: 'watchlist.entry.delete', target: `${list.id}/${key}` });
      return { deleted: key };
    },
  );
};

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/**
 * Entries as the list keeps them; errors name body[i] and the field. A key given twice (an
 * export with corrections appended, say) keeps its last entry, as the upload's "add or
 * replace" does across uploads; `repeated` says how many keys came more than once.
 */
function entriesOf(
  body: EntryBody[],
  list: Watchlist,
  listDimension: number,
  timeZone: string,
): { entries: WatchEntry[]; repeated: number } {
  const byKey = new Map<string, WatchEntry>();
  const repeatedKeys = new Set<string>();
  // A face list's dimension is fixed by its first entry.
  let dim = listDimension;
  body.forEach((b, i) => {
    const path = `body[${i}]`;
    let key = b.key;
    if (list.kind === 'plate') {
      if (b.embedding !== undefined) throw badInput(`${path}.embedding is for face watchlists only`);
      const plate = normalisePlate(b.key);
      if (plate === null) throw badInput(`${path}.key '${b.key.slice(0, 32)}' is not 2–16 letters and digits once normalised`);
      key = plate;
    }
    const entry: WatchEntry = {
      key,
      label: b.label ?? null,
      reference: b.reference ?? null,
      expiresAt: instantOrNull(b.expiresAt, `${path}.expiresAt`, timeZone),
    };
    if (list.kind === 'face') {
      if (b.embedding === undefined) throw badInput(`${path}.embedding is required for a face watchlist`);
      const v = l2normalise(Float32Array.from(b.embedding));
      if (v === null) throw badInput(`${path}.embedding must be finite and not all zero`);
      dim ||= v.length;
      if (v.length !== dim) throw badInput(`${path}.embedding has ${v.length} dimensions; this list's faces have ${dim}`);
      entry.embedding = v;
    }
    if (byKey.has(key)) repeatedKeys.add(key);
    // Deleted first, so the entry goes where its last occurrence is.
    byKey.delete(key);
    byKey.set(key, entry);
  });
  return { entries: [...byKey.values()], repeated: repeatedKeys.size };
}
