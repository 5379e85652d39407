// The closed-bucket count tables (engine/store/rollups.ts fills and explains them): one row
// per key × bucket × kind; `bucket` is the bucket's start on the city's clock.

export const ROLLUP_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS rollup_camera_minute (
  camera VARCHAR NOT NULL, bucket TIMESTAMPTZ NOT NULL, kind VARCHAR NOT NULL, count BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS rollup_camera_hour (
  camera VARCHAR NOT NULL, bucket TIMESTAMPTZ NOT NULL, kind VARCHAR NOT NULL, count BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS rollup_camera_day (
  camera VARCHAR NOT NULL, bucket TIMESTAMPTZ NOT NULL, kind VARCHAR NOT NULL, count BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS rollup_area_hour (
  area VARCHAR NOT NULL, bucket TIMESTAMPTZ NOT NULL, kind VARCHAR NOT NULL, count BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS rollup_area_day (
  area VARCHAR NOT NULL, bucket TIMESTAMPTZ NOT NULL, kind VARCHAR NOT NULL, count BIGINT NOT NULL);
`;
