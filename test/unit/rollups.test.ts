// Compaction of the count deltas into closed-bucket rollups (engine/store/rollups.ts), in a
// real DuckDB on Asia/Tashkent's clock (UTC+5 all year): one row per key × bucket × kind per
// tier, sums equal to the deltas', open deltas left alone, late deltas merged, the minute
// window kept, and the traffic and readsPerDay answers the same before and after compaction.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ParamError } from '../../engine/errors.js';
import { readsPerDayByArea } from '../../engine/store/analytics-query.js';
import { Database } from '../../engine/store/database.js';
import { compactRollups, compactRollupsByDay } from '../../engine/store/rollups.js';
import { type TrafficBucket, type TrafficGroup, type TrafficRow, trafficCounts } from '../../engine/store/traffic-query.js';
import { Random } from '../../engine/util/random.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const OFFSET = 5 * HOUR; // Asia/Tashkent
/** 2026-11-20 00:00 in Tashkent (19:00Z the day before). */
const T0 = Date.UTC(2026, 10, 20) - OFFSET;
const localDay = (t: number) => Math.floor((t + OFFSET) / DAY) * DAY - OFFSET;
const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
const iso = (t: number) => new Date(t).toISOString();

/** A delta row: `t` is its minute (camera) or UTC hour (area). */
interface Delta {
  key: string;
  t: number;
  kind: string;
  count: number;
}

const TABLES = [
  'agg_camera_minute',
  'agg_area_hour',
  'rollup_camera_minute',
  'rollup_camera_hour',
  'rollup_camera_day',
  'rollup_area_hour',
  'rollup_area_day',
] as const;

let dir: string;
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-rollups-'));
  db = await Database.open(dir, 'Asia/Tashkent');
});

afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await db.transaction(async (conn) => {
    for (const t of TABLES) await conn.run(`DELETE FROM ${t}`);
  });
});

async function append(camera: readonly Delta[], area: readonly Delta[] = []): Promise<void> {
  await db.transaction(async (conn) => {
    for (const [table, rows] of [
      ['agg_camera_minute', camera],
      ['agg_area_hour', area],
    ] as const) {
      if (rows.length === 0) continue;
      const a = await conn.createAppender(table);
      for (const r of rows) {
        a.appendVarchar(r.key);
        a.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(r.t) * 1000n));
        a.appendVarchar(r.kind);
        a.appendBigInt(BigInt(r.count));
        a.endRow();
      }
      a.closeSync();
    }
  });
}

type Cell = [key: string, bucket: number, kind: string, count: number];

/** A table's rows, sorted; `bucket` and `t` columns as epoch ms. */
async function rows(table: (typeof TABLES)[number]): Promise<Cell[]> {
  const [key, time] = table.startsWith('agg_camera')
    ? ['camera', 'minute']
    : table.startsWith('agg_area')
      ? ['area', 'hour']
      : [table.includes('camera') ? 'camera' : 'area', 'bucket'];
  const got = await db.query(`SELECT ${key} AS k, epoch_ms(${time}) AS b, kind, count FROM ${table} ORDER BY ALL`);
  return got.map((r) => [String(r.k), Number(r.b), String(r.kind), Number(r.count)]);
}

async function dump(): Promise<Record<string, Cell[]>> {
  const out: Record<string, Cell[]> = {};
  for (const t of TABLES) out[t] = await rows(t);
  return out;
}

/** The deltas summed per key × bucketOf(t) × kind, sorted as rows() sorts. */
function sums(deltas: readonly Delta[], bucketOf: (t: number) => number): Cell[] {
  const m = new Map<string, Cell>();
  for (const d of deltas) {
    const b = bucketOf(d.t);
    const id = `${d.key}\u0000${b}\u0000${d.kind}`;
    const cell = m.get(id);
    if (cell) cell[3] += d.count;
    else m.set(id, [d.key, b, d.kind, d.count]);
  }
  return sortCells([...m.values()]);
}

function sortCells(cells: Cell[]): Cell[] {
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return cells.sort((x, y) => cmp(x[0], y[0]) || cmp(x[1], y[1]) || cmp(x[2], y[2]) || cmp(x[3], y[3]));
}

const raw = (deltas: readonly Delta[]): Cell[] => sortCells(deltas.map((d) => [d.key, d.t, d.kind, d.count]));
const cameraClosed = (d: Delta, closedBefore: number) => d.t + MINUTE <= closedBefore;
const areaClosed = (d: Delta, closedBefore: number) => d.t + HOUR <= closedBefore;

const KINDS = ['plate', 'vehicle', 'face'];
const CAMERAS = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];
const AREAS = ['a-1', 'a-2', 'a-3'];

/** n camera deltas in [from, to) and n/4 area deltas, with repeats of the same cell. */
function randomDeltas(rng: Random, n: number, from: number, to: number): { camera: Delta[]; area: Delta[] } {
  const camera: Delta[] = [];
  const area: Delta[] = [];
  for (let i = 0; i < n; i++) {
    camera.push({ key: rng.pick(CAMERAS), t: floorTo(rng.uniform(from, to), MINUTE), kind: rng.pick(KINDS), count: rng.int(1, 6) });
    if (i % 4 === 0)
      area.push({ key: rng.pick(AREAS), t: floorTo(rng.uniform(from, to), HOUR), kind: rng.pick(KINDS), count: rng.int(1, 6) });
  }
  // The same cells again, as a later batch of the same minute or hour writes them.
  for (let i = 0; i < n / 10; i++) camera.push({ ...rng.pick(camera), count: rng.int(1, 4) });
  for (let i = 0; i < n / 40; i++) area.push({ ...rng.pick(area), count: rng.int(1, 4) });
  return { camera, area };
}

describe('compactRollups', () => {
  it('leaves one row per key × bucket × kind in each tier, with the sums of the closed deltas, and the open deltas as they were', async () => {
    const { camera, area } = randomDeltas(new Random(1), 3000, T0 - DAY, T0 + 2 * DAY);
    await append(camera, area);
    const closedBefore = T0 + 2 * DAY - 3 * HOUR - 20 * MINUTE;
    const closedCamera = camera.filter((d) => cameraClosed(d, closedBefore));
    const closedArea = area.filter((d) => areaClosed(d, closedBefore));
    const cut = [BigInt(closedBefore)];
    const [direct] = await db.query(
      `SELECT (SELECT sum(count) FROM agg_camera_minute WHERE minute + INTERVAL 1 MINUTE <= make_timestamptz($1::BIGINT * 1000))::BIGINT AS c,
              (SELECT sum(count) FROM agg_area_hour WHERE hour + INTERVAL 1 HOUR <= make_timestamptz($1::BIGINT * 1000))::BIGINT AS a`,
      cut,
    );

    const done = await compactRollups(db, closedBefore, T0 - 2 * DAY);

    expect(done).toEqual({ cameraDeltas: closedCamera.length, areaDeltas: closedArea.length, minutesExpired: 0 });
    expect(closedCamera.length).toBeGreaterThan(2000);
    expect(camera.length - closedCamera.length).toBeGreaterThan(100);
    const got = await dump();
    expect(got.rollup_camera_minute).toEqual(sums(closedCamera, (t) => t));
    expect(got.rollup_camera_hour).toEqual(sums(closedCamera, (t) => floorTo(t, HOUR)));
    expect(got.rollup_camera_day).toEqual(sums(closedCamera, localDay));
    expect(got.rollup_area_hour).toEqual(sums(closedArea, (t) => t));
    expect(got.rollup_area_day).toEqual(sums(closedArea, localDay));
    for (const t of ['rollup_camera_minute', 'rollup_camera_hour', 'rollup_camera_day'] as const) {
      expect(
        got[t].reduce((s, c) => s + c[3], 0),
        t,
      ).toBe(Number(direct.c));
    }
    for (const t of ['rollup_area_hour', 'rollup_area_day'] as const) {
      expect(
        got[t].reduce((s, c) => s + c[3], 0),
        t,
      ).toBe(Number(direct.a));
    }
    // Open deltas: still there, row for row.
    expect(got.agg_camera_minute).toEqual(raw(camera.filter((d) => !cameraClosed(d, closedBefore))));
    expect(got.agg_area_hour).toEqual(raw(area.filter((d) => !areaClosed(d, closedBefore))));
  });

  it('by day (one transaction a day from the oldest delta) leaves the tiers as one compaction does', async () => {
    const { camera, area } = randomDeltas(new Random(5), 3000, T0 - 5 * DAY, T0 + 2 * DAY);
    const closedBefore = T0 + 2 * DAY - 3 * HOUR;
    await append(camera, area);
    const once = await compactRollups(db, closedBefore, T0 - 2 * DAY);
    const expected = await dump();
    await db.transaction(async (conn) => {
      for (const t of TABLES) await conn.run(`DELETE FROM ${t}`);
    });
    await append(camera, area);
    const byDay = await compactRollupsByDay(db, closedBefore, T0 - 2 * DAY);
    expect(byDay).toEqual(once);
    expect(await dump()).toEqual(expected);
  });

  it('day buckets are days of the city: 18:59Z and 19:00Z fall on two days in Tashkent', async () => {
    await append(
      [
        { key: 'cam-1', t: T0 - MINUTE, kind: 'plate', count: 2 },
        { key: 'cam-1', t: T0, kind: 'plate', count: 3 },
      ],
      [
        { key: 'a-1', t: T0 - HOUR, kind: 'plate', count: 2 },
        { key: 'a-1', t: T0, kind: 'plate', count: 3 },
      ],
    );
    expect(iso(T0)).toBe('2026-11-19T19:00:00.000Z');
    await compactRollups(db, T0 + DAY, T0 - DAY);
    expect(await rows('rollup_camera_day')).toEqual([
      ['cam-1', T0 - DAY, 'plate', 2],
      ['cam-1', T0, 'plate', 3],
    ]);
    expect(await rows('rollup_area_day')).toEqual([
      ['a-1', T0 - DAY, 'plate', 2],
      ['a-1', T0, 'plate', 3],
    ]);
    const q = { bucket: 'day', from: T0 - DAY, to: T0 + DAY, limit: 100 } as const;
    expect(await trafficCounts(db, { ...q, groupBy: 'camera' }, 0)).toEqual([
      { camera: 'cam-1', bucket: '2026-11-18T19:00:00.000Z', kind: 'plate', count: 2 },
      { camera: 'cam-1', bucket: '2026-11-19T19:00:00.000Z', kind: 'plate', count: 3 },
    ]);
  });

  it('changes nothing when run again, and adds a late delta to the row of its long-closed bucket', async () => {
    const { camera, area } = randomDeltas(new Random(2), 1500, T0 - 3 * DAY, T0);
    await append(camera, area);
    await compactRollups(db, T0, T0 - 4 * DAY);
    const once = await dump();
    expect(await compactRollups(db, T0, T0 - 4 * DAY)).toEqual({ cameraDeltas: 0, areaDeltas: 0, minutesExpired: 0 });
    expect(await dump()).toEqual(once);

    // A backfill of three days ago: an existing cell, and a cell new to its bucket.
    const old = camera[0];
    const late: Delta[] = [
      { ...old, count: 7 },
      { key: 'cam-late', t: old.t, kind: 'plate', count: 1 },
      { key: 'cam-late', t: T0 + 10 * MINUTE, kind: 'plate', count: 1 }, // still open
    ];
    const lateArea: Delta[] = [{ ...area[0], count: 5 }];
    await append(late, lateArea);
    expect(await compactRollups(db, T0, T0 - 4 * DAY)).toEqual({ cameraDeltas: 2, areaDeltas: 1, minutesExpired: 0 });
    const closedCamera = [...camera, ...late.slice(0, 2)];
    const closedArea = [...area, ...lateArea];
    const got = await dump();
    expect(got.rollup_camera_minute).toEqual(sums(closedCamera, (t) => t));
    expect(got.rollup_camera_hour).toEqual(sums(closedCamera, (t) => floorTo(t, HOUR)));
    expect(got.rollup_camera_day).toEqual(sums(closedCamera, localDay));
    expect(got.rollup_area_hour).toEqual(sums(closedArea, (t) => t));
    expect(got.rollup_area_day).toEqual(sums(closedArea, localDay));
    expect(got.agg_camera_minute).toEqual(raw(late.slice(2)));
    expect(got.agg_area_hour).toEqual([]);
  });

  it('keeps minute rows only from minuteKeepFrom on (the minute holding it whole), hours and days for all time', async () => {
    const { camera } = randomDeltas(new Random(3), 2000, T0 - 2 * DAY, T0);
    await append(camera);
    await compactRollups(db, T0, T0 - 3 * DAY);
    const keepFrom = T0 - DAY + 30_000;
    const before = (await rows('rollup_camera_minute')).filter((c) => c[1] + MINUTE <= keepFrom).length;
    expect(before).toBeGreaterThan(500);

    expect(await compactRollups(db, T0, keepFrom)).toEqual({ cameraDeltas: 0, areaDeltas: 0, minutesExpired: before });
    const kept = (d: Delta) => d.t + MINUTE > keepFrom;
    expect(await rows('rollup_camera_minute')).toEqual(sums(camera.filter(kept), (t) => t));
    expect(await rows('rollup_camera_hour')).toEqual(sums(camera, (t) => floorTo(t, HOUR)));
    expect(await rows('rollup_camera_day')).toEqual(sums(camera, localDay));

    // A late read older than the window counts in its hour and day, and leaves no minute row.
    const late = { key: 'cam-1', t: T0 - 2 * DAY + 5 * MINUTE, kind: 'plate', count: 4 };
    await append([late]);
    await compactRollups(db, T0, keepFrom);
    expect(await rows('rollup_camera_minute')).toEqual(sums(camera.filter(kept), (t) => t));
    expect(await rows('rollup_camera_hour')).toEqual(sums([...camera, late], (t) => floorTo(t, HOUR)));
    expect(await rows('rollup_camera_day')).toEqual(sums([...camera, late], localDay));
  });
});

// --- Answers before and after compaction -----------------------------------------------------

const BUCKETS: Array<[TrafficGroup, TrafficBucket]> = [
  ['camera', 'minute'],
  ['camera', 'hour'],
  ['camera', 'day'],
  ['area', 'hour'],
  ['area', 'day'],
];
const UNIT = { minute: MINUTE, hour: HOUR, day: DAY };
const bucketOf = (t: number, b: TrafficBucket) => (b === 'day' ? localDay(t) : floorTo(t, UNIT[b]));

/** trafficCounts by hand: every bucket overlapping [from, to), counted whole. */
function expectedTraffic(
  deltas: readonly Delta[],
  g: TrafficGroup,
  b: TrafficBucket,
  from: number,
  to: number,
  kind?: string,
  key?: string,
) {
  const first = bucketOf(from, b);
  const picked = deltas.filter((d) => {
    const x = bucketOf(d.t, b);
    return x >= first && x < to && (kind === undefined || d.kind === kind) && (key === undefined || d.key === key);
  });
  const cells = sums(picked, (t) => bucketOf(t, b));
  cells.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0) || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0));
  return cells.map(([k, bucket, kd, count]): TrafficRow => ({ [g]: k, bucket: iso(bucket), kind: kd, count }));
}

/** readsPerDayByArea by hand (a whole-hour zone: an area delta's hour is its hour bucket). */
function expectedReadsPerDay(area: readonly Delta[], from: number, to: number): Map<string, number> {
  const n = new Map<string, number>();
  for (const d of area) if (d.t >= from && d.t < to) n.set(d.key, (n.get(d.key) ?? 0) + d.count);
  const days = Math.max(1, (to - from) / DAY);
  return new Map([...n].map(([k, v]) => [k, v / days]));
}

interface Probe {
  groupBy: TrafficGroup;
  bucket: TrafficBucket;
  from: number;
  to: number;
  kind?: string;
  key?: string;
}

function randomProbes(rng: Random, lo: number, hi: number, minuteKeepFrom: number): Probe[] {
  const probes: Probe[] = [];
  for (const [groupBy, bucket] of BUCKETS) {
    for (let i = 0; i < 4; i++) {
      const start = bucket === 'minute' ? minuteKeepFrom : lo;
      let from: number;
      let to: number;
      if (i === 0)
        [from, to] = [start, hi]; // all of it
      else if (i === 1)
        [from, to] = [localDay(rng.uniform(start + DAY, hi)), localDay(rng.uniform(start + DAY, hi)) + DAY]; // city days
      else {
        from = Math.round(rng.uniform(start, hi)); // any instant
        to = Math.round(rng.uniform(from + 1, hi + HOUR));
      }
      if (from < start) from = start;
      if (to <= from) to = from + HOUR;
      const kind = rng.chance(0.3) ? rng.pick(KINDS) : undefined;
      const key = rng.chance(0.3) ? rng.pick(groupBy === 'camera' ? CAMERAS : AREAS) : undefined;
      probes.push({ groupBy, bucket, from, to, kind, key });
    }
  }
  return probes;
}

async function answers(probes: readonly Probe[], minuteKeepFrom: number, windows: ReadonlyArray<[number, number]>) {
  const traffic: TrafficRow[][] = [];
  for (const p of probes) traffic.push(await trafficCounts(db, { ...p, limit: 1_000_000 }, minuteKeepFrom));
  const readsPerDay: Array<Map<string, number>> = [];
  for (const [from, to] of windows) readsPerDay.push(await readsPerDayByArea(db, from, to));
  return { traffic, readsPerDay };
}

describe('answers do not change when their deltas are compacted', () => {
  for (const seed of [11, 12, 13, 14]) {
    it(`random deltas, rounds of ingest, late reads and compactions (seed ${seed})`, async () => {
      const rng = new Random(seed);
      const lo = T0 - 3 * DAY;
      const hi = T0 + 2 * DAY;
      const minuteKeepFrom = T0 - DAY - Math.round(rng.uniform(0, 2 * HOUR));
      const all: { camera: Delta[]; area: Delta[] } = { camera: [], area: [] };
      let watermark = lo + HOUR;
      while (watermark < hi) {
        // A round of ingest: reads up to the watermark, and now and then a backfill from days ago.
        const next = Math.min(hi, watermark + rng.uniform(2 * HOUR, 20 * HOUR));
        const fresh = randomDeltas(rng, rng.int(50, 400), Math.max(lo, watermark - 20 * MINUTE), next);
        if (rng.chance(0.4)) {
          const back = randomDeltas(rng, rng.int(5, 50), lo, watermark);
          fresh.camera.push(...back.camera);
          fresh.area.push(...back.area);
        }
        await append(fresh.camera, fresh.area);
        all.camera.push(...fresh.camera);
        all.area.push(...fresh.area);
        watermark = next;

        const probes = randomProbes(rng, lo, hi, minuteKeepFrom);
        const windows: Array<[number, number]> = [
          [lo, hi + DAY],
          [localDay(rng.uniform(lo, hi)), localDay(rng.uniform(lo, hi)) + 2 * DAY],
          [Math.round(rng.uniform(lo, hi)), Math.round(rng.uniform(hi, hi + DAY))],
          [Math.round(rng.uniform(lo, hi - 6 * HOUR)), 0],
        ];
        windows[3][1] = windows[3][0] + Math.round(rng.uniform(HOUR, 5 * HOUR));

        const before = await answers(probes, minuteKeepFrom, windows);
        await compactRollups(db, watermark - rng.uniform(0, 30 * MINUTE), minuteKeepFrom);
        const after = await answers(probes, minuteKeepFrom, windows);
        expect(after).toEqual(before);

        // And both are right: the minute rows before minuteKeepFrom are never asked for.
        probes.forEach((p, i) => {
          const deltas = p.groupBy === 'camera' ? all.camera : all.area;
          expect(after.traffic[i], JSON.stringify(p)).toEqual(expectedTraffic(deltas, p.groupBy, p.bucket, p.from, p.to, p.kind, p.key));
        });
        // A first page is the head of the whole answer, wherever the page ends (trafficCounts
        // reads only the buckets the page needs, counted from the tier first).
        for (const [i, p] of probes.entries()) {
          const whole = after.traffic[i];
          for (const limit of [1, rng.int(1, 40), rng.int(1, Math.max(1, whole.length))]) {
            expect(await trafficCounts(db, { ...p, limit }, minuteKeepFrom), `${JSON.stringify(p)} limit ${limit}`).toEqual(
              whole.slice(0, limit),
            );
          }
        }
        windows.forEach(([from, to], i) => expect(after.readsPerDay[i]).toEqual(expectedReadsPerDay(all.area, from, to)));
      }
      // Every delta ended up in a tier or is still open, once.
      const [total] = await db.query(
        `SELECT (SELECT coalesce(sum(count), 0) FROM rollup_camera_day)::BIGINT + (SELECT coalesce(sum(count), 0) FROM agg_camera_minute)::BIGINT AS n`,
      );
      expect(Number(total.n)).toBe(all.camera.reduce((s, d) => s + d.count, 0));
    });
  }
});

describe('trafficCounts and the minute window', () => {
  it('refuses minute buckets from before the window, naming bucket and where the window starts', async () => {
    const keepFrom = T0 - DAY;
    const q = { groupBy: 'camera', bucket: 'minute', to: T0, limit: 10 } as const;
    const refused = trafficCounts(db, { ...q, from: keepFrom - 1 }, keepFrom);
    await expect(refused).rejects.toBeInstanceOf(ParamError);
    await expect(refused).rejects.toMatchObject({ param: 'bucket', message: expect.stringContaining(iso(keepFrom)) });
    await expect(trafficCounts(db, { ...q, from: keepFrom }, keepFrom)).resolves.toEqual([]);
    // Hours and days are kept for all time.
    await expect(trafficCounts(db, { ...q, bucket: 'hour', from: keepFrom - 30 * DAY }, keepFrom)).resolves.toEqual([]);
  });
});
