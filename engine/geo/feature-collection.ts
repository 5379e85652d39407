// Answers as GeoJSON (RFC 7946) FeatureCollections, so a map, QGIS or kepler.gl reads them
// without a join: each area's own geometry carries its row as `properties`.

import type { Area } from '../domain/places.js';
import type { AreaGeometry } from './geojson.js';

export interface PointGeometry {
  type: 'Point';
  coordinates: [number, number];
}

export interface Feature {
  type: 'Feature';
  /** The feature's own id (RFC 7946 §3.2), also in `properties` for tools that drop it. */
  id: string;
  geometry: AreaGeometry | PointGeometry | null;
  properties: Record<string, unknown>;
}

/** RFC 7946 §6.1 foreign members (an answer's summary) sit beside `features`. */
export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
  [member: string]: unknown;
}

export function featureCollection(features: Feature[], members: Record<string, unknown> = {}): FeatureCollection {
  // `type` and `features` last: a member of the same name must not replace them.
  return { ...members, type: 'FeatureCollection', features };
}

/**
 * Areas as features whose properties are `{id, name, …factors}`: the shape `PUT /areas` takes,
 * so a download uploads again unchanged.
 */
export function areaFeatures(areas: readonly Area[]): Feature[] {
  return areas.map((a) => ({ type: 'Feature', id: a.id, geometry: a.geometry, properties: { id: a.id, name: a.name, ...a.factors } }));
}

/**
 * One feature per row, drawn with the geometry of the area `areaOf(row)` names. A row whose
 * area is not loaded keeps a null geometry rather than disappearing from the answer.
 */
export function rowsOnAreas(
  rows: readonly Record<string, unknown>[],
  areas: readonly Area[],
  areaOf: (row: Record<string, unknown>) => string,
): Feature[] {
  const byId = new Map(areas.map((a) => [a.id, a]));
  return rows.map((row) => {
    const id = areaOf(row);
    const area = byId.get(id);
    return { type: 'Feature', id, geometry: area?.geometry ?? null, properties: { name: area?.name ?? null, ...row } };
  });
}

export function pointFeature(id: string, lon: number, lat: number, properties: Record<string, unknown>): Feature {
  return { type: 'Feature', id, geometry: { type: 'Point', coordinates: [lon, lat] }, properties };
}
