// DuckDB tables. Ingest appends hot sightings and aggregate deltas (through the appender) and
// never updates a row in place; maintenance later seals sightings into Parquet files
// (sighting-files.ts) and folds closed deltas into rollups (rollup-schema.ts).

import { ROLLUP_SCHEMA_SQL } from './rollup-schema.js';

export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cameras (
  id VARCHAR PRIMARY KEY, lat DOUBLE NOT NULL, lon DOUBLE NOT NULL, kind VARCHAR,
  attrs JSON, updated_at TIMESTAMPTZ NOT NULL);
CREATE TABLE IF NOT EXISTS areas (
  id VARCHAR PRIMARY KEY, name VARCHAR, geometry JSON NOT NULL, factors JSON,
  updated_at TIMESTAMPTZ NOT NULL);
CREATE TABLE IF NOT EXISTS sightings (
  ts TIMESTAMPTZ NOT NULL, camera VARCHAR NOT NULL, kind VARCHAR NOT NULL, plate VARCHAR,
  conf FLOAT, lat DOUBLE, lon DOUBLE, area VARCHAR, read_id VARCHAR, attrs VARCHAR,
  seq BIGINT NOT NULL, idx INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS agg_camera_minute (
  camera VARCHAR NOT NULL, minute TIMESTAMPTZ NOT NULL, kind VARCHAR NOT NULL, count BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS agg_area_hour (
  area VARCHAR NOT NULL, hour TIMESTAMPTZ NOT NULL, kind VARCHAR NOT NULL, count BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (
  id VARCHAR PRIMARY KEY, ts TIMESTAMPTZ NOT NULL, type VARCHAR NOT NULL, lat DOUBLE NOT NULL,
  lon DOUBLE NOT NULL, severity TINYINT, source VARCHAR, area VARCHAR, attrs JSON, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
  ts TIMESTAMPTZ NOT NULL, actor VARCHAR, role VARCHAR, action VARCHAR NOT NULL, target VARCHAR,
  reason VARCHAR, ip VARCHAR, detail JSON);
CREATE TABLE IF NOT EXISTS watchlists (
  id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR NOT NULL, priority INTEGER NOT NULL,
  legal_basis VARCHAR NOT NULL, expires_at TIMESTAMPTZ, match JSON NOT NULL, alert_on_read BOOLEAN NOT NULL,
  cooldown_seconds INTEGER NOT NULL, created_at TIMESTAMPTZ NOT NULL, created_by VARCHAR);
-- Added December 2026; stores made before gain it here.
ALTER TABLE watchlists ADD COLUMN IF NOT EXISTS fuzzy_hit_rate DOUBLE;
CREATE TABLE IF NOT EXISTS watchlist_entries (
  watchlist VARCHAR NOT NULL, key VARCHAR NOT NULL, label VARCHAR, reference VARCHAR,
  expires_at TIMESTAMPTZ, embedding BLOB, added_at TIMESTAMPTZ NOT NULL);
CREATE TABLE IF NOT EXISTS geofences (
  id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, geometry JSON NOT NULL, trigger VARCHAR NOT NULL,
  dwell_seconds INTEGER, kinds JSON, watchlists JSON, schedule JSON, priority INTEGER NOT NULL,
  cooldown_seconds INTEGER NOT NULL, created_at TIMESTAMPTZ NOT NULL, created_by VARCHAR);
CREATE TABLE IF NOT EXISTS hits (
  id VARCHAR NOT NULL, source VARCHAR NOT NULL, priority INTEGER NOT NULL, ts TIMESTAMPTZ NOT NULL,
  emitted_at TIMESTAMPTZ NOT NULL, camera VARCHAR, kind VARCHAR, retro BOOLEAN NOT NULL, body JSON NOT NULL);
CREATE TABLE IF NOT EXISTS hit_acks (
  hit VARCHAR NOT NULL, status VARCHAR NOT NULL, reason VARCHAR, actor VARCHAR, acked_at TIMESTAMPTZ NOT NULL);
-- Keyed state of the matching rules (geofence inside/dwell, cooldowns), committed with each
-- batch so a replay after a crash decides exactly as the first run did.
CREATE TABLE IF NOT EXISTS match_state (key VARCHAR NOT NULL, state JSON NOT NULL);
CREATE TABLE IF NOT EXISTS stream_applied (
  stream VARCHAR NOT NULL, from_seq BIGINT NOT NULL, to_seq BIGINT NOT NULL);
-- Sealed sightings: the catalog of Parquet files under sightings/ (see sighting-files.ts).
CREATE TABLE IF NOT EXISTS sighting_files (
  path VARCHAR NOT NULL, day VARCHAR NOT NULL, min_ts TIMESTAMPTZ NOT NULL, max_ts TIMESTAMPTZ NOT NULL,
  rows BIGINT NOT NULL, bytes BIGINT NOT NULL, written_at TIMESTAMPTZ NOT NULL);
-- Added December 2026: each file's plate range, so a plate search opens only the files (plate
-- shards of a day) that can hold it. NULL on files written before: always opened.
ALTER TABLE sighting_files ADD COLUMN IF NOT EXISTS plates BIGINT;
ALTER TABLE sighting_files ADD COLUMN IF NOT EXISTS plate_min VARCHAR;
ALTER TABLE sighting_files ADD COLUMN IF NOT EXISTS plate_max VARCHAR;
-- The plates of the sealed files, for pattern and look-alike searches (see plate-lexicon.ts).
CREATE TABLE IF NOT EXISTS sighting_plates (plate VARCHAR NOT NULL, first_ts TIMESTAMPTZ NOT NULL, last_ts TIMESTAMPTZ NOT NULL);
${ROLLUP_SCHEMA_SQL}`;
