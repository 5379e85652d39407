// Camera registry: admins upsert positions; reads from a camera are placed by them.

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { badInput } from '../../engine/errors.js';
import { listCameras, upsertCameras } from '../../engine/store/catalog.js';
import { checkFreeJson, wellFormedText } from '../params.js';
import { GEOJSON_TYPE } from '../answer.js';
import { featureCollection, pointFeature } from '../../engine/geo/feature-collection.js';

const cameraSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'lat', 'lon'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\s.*>]+$' },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
    kind: { type: 'string', maxLength: 32 },
    attrs: { type: 'object' },
  },
} as const;

export const cameraRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { db, placement, audit } = app.deps;

  app.put(
    '/cameras',
    {
      config: { access: [] },
      schema: {
        summary: 'Upsert cameras',
        body: wellFormedText({ type: 'array', maxItems: 200000, items: cameraSchema }),
        response: { 200: { type: 'object', properties: { upserted: { type: 'integer' } } } },
      },
    },
    async (request) => {
      const cameras = request.body;
      const seen = new Set<string>();
      cameras.forEach((c, i) => {
        if (seen.has(c.id)) throw badInput(`body[${i}].id '${c.id}' appears twice in the upload`);
        seen.add(c.id);
        if (c.attrs !== undefined) checkFreeJson(c.attrs, `body[${i}].attrs`);
      });
      await upsertCameras(db, cameras);
      placement.upsertCameras(cameras);
      app.deps.rules.camerasChanged();
      await audit.record({
        actor: request.principal?.name ?? null,
        role: request.principal?.role ?? null,
        action: 'cameras.upsert',
        target: `${cameras.length} cameras`,
        ip: request.ip,
      });
      return { upserted: cameras.length };
    },
  );

  app.get(
    '/cameras',
    {
      config: { access: ['analyst'] },
      schema: {
        summary: 'List cameras with the area each lies in',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { enum: ['json', 'geojson'], default: 'json', description: 'geojson: one Point per camera' } },
        } as const,
      },
    },
    async (request, reply) => {
      const rows = (await listCameras(db)).map((c) => ({ ...c, area: placement.camera(c.id)?.area ?? null }));
      if (request.query.format !== 'geojson') return { rows };
      const features = rows.map(({ lat, lon, ...props }) => pointFeature(props.id, lon, lat, props));
      return reply.type(GEOJSON_TYPE).send(featureCollection(features));
    },
  );
};
