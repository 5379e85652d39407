// Areas (neighbourhoods, mahallas, districts) from a GeoJSON FeatureCollection. Numeric
// properties become the area's factors for analytics.

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { badInput } from '../../engine/errors.js';
import { checkAreaGeometry } from '../../engine/geo/geojson.js';
import type { Area } from '../../engine/domain/places.js';
import { listAreas, replaceAreas } from '../../engine/store/catalog.js';
import { wellFormedText } from '../params.js';
import { GEOJSON_TYPE } from '../answer.js';
import { areaFeatures, featureCollection } from '../../engine/geo/feature-collection.js';

interface FeatureCollection {
  type: 'FeatureCollection';
  features: Array<{ type: 'Feature'; geometry: unknown; properties?: Record<string, unknown> | null }>;
}

/** Validates the upload beyond its JSON shape; errors name the feature and the field. */
export function areasFromGeoJson(fc: FeatureCollection): Area[] {
  const seen = new Set<string>();
  return fc.features.map((f, i) => {
    const path = `body.features[${i}]`;
    const props = f.properties ?? {};
    const rawId = props.id;
    if (typeof rawId !== 'string' && typeof rawId !== 'number') throw badInput(`${path}.properties.id is required (string or number)`);
    const id = String(rawId);
    if (id.length === 0 || id.length > 128) throw badInput(`${path}.properties.id must be 1–128 characters`);
    if (seen.has(id)) throw badInput(`${path}.properties.id '${id}' appears twice`);
    seen.add(id);
    const geometry = checkAreaGeometry(f.geometry, `${path}.geometry`);
    const factors: Record<string, number> = {};
    for (const [k, v] of Object.entries(props)) {
      if (k !== 'id' && typeof v === 'number' && Number.isFinite(v)) factors[k] = v;
    }
    return { id, name: typeof props.name === 'string' ? props.name : null, geometry, factors };
  });
}

export const areaRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { db, placement, audit } = app.deps;

  app.put(
    '/areas',
    {
      config: { access: [] },
      schema: {
        summary: 'Replace all areas with a GeoJSON FeatureCollection of (Multi)Polygons',
        body: wellFormedText({
          type: 'object',
          required: ['type', 'features'],
          properties: {
            type: { const: 'FeatureCollection' },
            features: {
              type: 'array',
              maxItems: 100000,
              items: {
                type: 'object',
                required: ['type', 'geometry'],
                properties: { type: { const: 'Feature' }, geometry: { type: 'object' }, properties: { type: ['object', 'null'] } },
              },
            },
          },
        }),
      },
    },
    async (request) => {
      const areas = areasFromGeoJson(request.body);
      await replaceAreas(db, areas);
      placement.setAreas(areas);
      await audit.record({
        actor: request.principal?.name ?? null,
        role: request.principal?.role ?? null,
        action: 'areas.replace',
        target: `${areas.length} areas`,
        ip: request.ip,
      });
      return { areas: areas.length };
    },
  );

  app.get(
    '/areas',
    {
      config: { access: ['analyst'] },
      schema: {
        summary: 'List areas with their factors',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            geometry: { type: 'boolean', default: false },
            format: { enum: ['json', 'geojson'], default: 'json', description: 'geojson: a FeatureCollection that PUT /areas takes back' },
          },
        } as const,
      },
    },
    async (request, reply) => {
      const areas = await listAreas(db);
      if (request.query.format === 'geojson') return reply.type(GEOJSON_TYPE).send(featureCollection(areaFeatures(areas)));
      return { rows: areas.map((a) => (request.query.geometry ? a : { id: a.id, name: a.name, factors: a.factors })) };
    },
  );
};
