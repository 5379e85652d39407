// Cameras and areas: the places reads and incidents are put in.

import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import type { Area, Camera } from '../domain/places.js';
import type { AreaGeometry } from '../geo/geojson.js';
import type { Database } from './database.js';

export async function upsertCameras(db: Database, cameras: readonly Camera[], now = Date.now()): Promise<void> {
  await db.transaction(async (conn) => {
    await conn.run('CREATE TEMP TABLE IF NOT EXISTS cameras_in (id VARCHAR, lat DOUBLE, lon DOUBLE, kind VARCHAR, attrs VARCHAR)');
    await conn.run('DELETE FROM cameras_in');
    const a = await conn.createAppender('cameras_in', 'main', 'temp');
    for (const c of cameras) {
      a.appendVarchar(c.id);
      a.appendDouble(c.lat);
      a.appendDouble(c.lon);
      if (c.kind == null) a.appendNull();
      else a.appendVarchar(c.kind);
      if (c.attrs == null) a.appendNull();
      else a.appendVarchar(JSON.stringify(c.attrs));
      a.endRow();
    }
    a.closeSync();
    await conn.run(
      `INSERT INTO cameras
       SELECT id, lat, lon, kind, attrs::JSON, make_timestamptz($1::BIGINT * 1000) FROM cameras_in
       ON CONFLICT (id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, kind = excluded.kind,
         attrs = excluded.attrs, updated_at = excluded.updated_at`,
      [BigInt(now)],
    );
  });
}

export async function listCameras(db: Database): Promise<Camera[]> {
  const rows = await db.query('SELECT id, lat, lon, kind, attrs::VARCHAR AS attrs FROM cameras ORDER BY id');
  return rows.map((r) => ({
    id: String(r.id),
    lat: Number(r.lat),
    lon: Number(r.lon),
    kind: r.kind === null ? null : String(r.kind),
    attrs: r.attrs === null ? null : JSON.parse(String(r.attrs)),
  }));
}

/** Replaces every area (PUT semantics): the upload is the whole map. */
export async function replaceAreas(db: Database, areas: readonly Area[], now = Date.now()): Promise<void> {
  await db.transaction(async (conn) => {
    await conn.run('DELETE FROM areas');
    const a = await conn.createAppender('areas');
    for (const area of areas) {
      a.appendVarchar(area.id);
      if (area.name === null) a.appendNull();
      else a.appendVarchar(area.name);
      a.appendVarchar(JSON.stringify(area.geometry));
      a.appendVarchar(JSON.stringify(area.factors));
      a.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(now) * 1000n));
      a.endRow();
    }
    a.closeSync();
  });
}

export async function listAreas(db: Database): Promise<Area[]> {
  const rows = await db.query('SELECT id, name, geometry::VARCHAR AS geometry, factors::VARCHAR AS factors FROM areas ORDER BY id');
  return rows.map((r) => ({
    id: String(r.id),
    name: r.name === null ? null : String(r.name),
    geometry: JSON.parse(String(r.geometry)) as AreaGeometry,
    factors: JSON.parse(String(r.factors)) as Record<string, number>,
  }));
}
