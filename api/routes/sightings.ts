// GET /api/v1/sightings: a person's movements are only looked up with a stated reason, and
// the lookup is audited before any row is returned. A search is a plate or a pattern (`*`, `?`),
// optionally up to OCR look-alikes; JSON pages with a cursor, NDJSON and CSV stream.

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { MAX_PATTERN_STARS, MIN_PATTERN_LITERALS, parsePlatePattern } from '../../engine/domain/plate-pattern.js';
import { badInput, ParamError } from '../../engine/errors.js';
import { decodeSightingCursor, searchKey, type SightingCursor } from '../../engine/store/sighting-cursor.js';
import { findSightings, streamSightings } from '../../engine/store/sighting-query.js';
import { actorOf } from '../auth.js';
import { timeWindow, timeWindowSchema } from '../params.js';
import { chunkBody, EXPORT_TYPES, exportFileName, exportHead, exportLines } from '../sighting-export.js';

/** Rows of one JSON answer; a longer answer pages with `nextCursor`. */
const MAX_JSON_ROWS = 10_000;
/** Rows of one NDJSON or CSV download. */
const MAX_EXPORT_ROWS = 1_000_000;
/**
 * A download whose client takes nothing for this long is cut: it holds a store connection
 * and its snapshot while it waits. As for the hit stream's slow clients.
 */
const EXPORT_STALL_MS = 30_000;

export const sightingRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { db, config, audit } = app.deps;
  app.get(
    '/sightings',
    {
      config: { access: ['analyst'] },
      schema: {
        summary: 'Where and when a plate (or a plate pattern) was read, with each read’s position (audited; reason required)',
        description:
          'One row per stored read in `from`–`to`, ordered by time. `plate` is a plate or a pattern: `*` any run of ' +
          `characters (possibly none), \`?\` one character (send it as %3F); a pattern needs at least ${MIN_PATTERN_LITERALS} ` +
          `letters or digits and at most ${MAX_PATTERN_STARS} \`*\`. \`fuzzy=true\` also matches OCR look-alikes (O/0/D/Q, I/1, ` +
          'B/8, S/5, Z/2, G/6). JSON answers `{rows, plate, from, to, nextCursor}` and pages with `cursor=<nextCursor>`; ' +
          '`format=ndjson|csv` streams up to 1,000,000 rows as a download. Every search, and every page, is audited first.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['plate', 'reason'],
          properties: {
            plate: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              description: 'a plate, or a pattern with `*` (any run) and `?` (one character), normalised as plates are',
            },
            reason: { type: 'string', minLength: 3, maxLength: 500, description: 'why this search is made; written to the audit log' },
            ...timeWindowSchema,
            fuzzy: {
              type: 'boolean',
              default: false,
              description: 'also match OCR look-alike characters (O/0/D/Q, I/1, B/8, S/5, Z/2, G/6)',
            },
            format: {
              enum: ['json', 'ndjson', 'csv'],
              default: 'json',
              description: 'json (paged), or a streamed download: ndjson (application/x-ndjson) or csv (text/csv)',
            },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_EXPORT_ROWS,
              description: `rows per JSON page (default 1000, at most ${MAX_JSON_ROWS}) or per download (default and at most ${MAX_EXPORT_ROWS})`,
            },
            cursor: { type: 'string', minLength: 1, maxLength: 400, description: 'JSON only: the `nextCursor` of the previous page' },
          },
        } as const,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const pattern = parsePlatePattern(q.plate);
      if (q.reason.trim().length < 3) throw badInput('querystring.reason must state why (at least 3 characters)');
      const json = q.format === 'json';
      if (json && q.limit !== undefined && q.limit > MAX_JSON_ROWS) {
        throw badInput(
          `querystring.limit must be at most ${MAX_JSON_ROWS} with format=json (page on with cursor, or download with format=ndjson or csv, up to ${MAX_EXPORT_ROWS})`,
        );
      }
      const limit = q.limit ?? (json ? 1000 : MAX_EXPORT_ROWS);
      let after: SightingCursor | undefined;
      let span: { from: number; to: number };
      if (q.cursor === undefined) span = timeWindow(q, config.timezone);
      else {
        if (!json) throw new ParamError('cursor', ` pages JSON answers; format=${q.format} streams every row at once`);
        after = decodeSightingCursor(q.cursor);
        // The cursor's window, so that a search with the default window continues it; a given bound must be the same.
        const iso = (ms: number) => new Date(ms).toISOString();
        span = timeWindow({ from: q.from ?? iso(after.from), to: q.to ?? iso(after.to) }, config.timezone);
        const key = searchKey({ pattern: pattern.text, fuzzy: q.fuzzy, ...span });
        if (span.from !== after.from || span.to !== after.to || key !== after.search) {
          throw new ParamError('cursor', ' belongs to another search (plate, fuzzy, from or to differ)');
        }
      }
      const { from, to } = span;
      await audit.record({
        ...actorOf(request),
        action: 'sightings.search',
        target: pattern.text,
        reason: q.reason,
        detail: {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          fuzzy: q.fuzzy,
          format: q.format,
          ...(after ? { cursor: true } : {}),
        },
      });
      const search = { pattern, fuzzy: q.fuzzy, from, to, limit, after };
      if (json) {
        const { rows, next } = await findSightings(db, search);
        return { rows, plate: pattern.text, from: new Date(from).toISOString(), to: new Date(to).toISOString(), nextCursor: next };
      }
      const format = q.format === 'csv' ? 'csv' : 'ndjson';
      const body = await chunkBody(streamSightings(db, search), {
        head: exportHead(format),
        encode: (rows) => exportLines(format, rows),
        stallMs: EXPORT_STALL_MS,
      });
      return reply
        .type(EXPORT_TYPES[format])
        .header('content-disposition', `attachment; filename="${exportFileName(pattern.text, format)}"`)
        .send(body);
    },
  );
};
