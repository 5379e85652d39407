// Sealed sightings against a real DuckDB file: sealing moves exactly the closed reads out of the
// hot table, merging a day keeps every read once, retention drops whole files, the relation
// the queries read sees every read exactly once before and after, and recovery after a write
// cut short (a file renamed but not committed, a temporary file) keeps each read in one place.

import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../engine/store/database.js';
import { attachSightingFiles, sightingFiles } from '../../engine/store/sighting-files.js';
import { compactSightingDays, purgeSightingFiles, sealSightings, worthMerging } from '../../engine/store/sighting-seal.js';
import { END_OF_TIME, withSightings } from '../../engine/store/sighting-source.js';
import { findSightings } from '../../engine/store/sighting-query.js';
import { platesMatching } from '../../engine/store/plate-lexicon.js';
import { parsePlatePattern } from '../../engine/domain/plate-pattern.js';

const HOUR = 3_600_000;
// 2026-11-02 00:00 in Tashkent (UTC+5).
const DAY0 = Date.UTC(2026, 10, 1, 19);

let dir: string;
let db: Database;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-sealed-'));
  db = await Database.open(dir, 'Asia/Tashkent', 256);
});

afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

let nextSeq = 1;
/** `n` hot reads spread evenly over [from, to), plates P0..P9, one camera registered. */
async function insertReads(n: number, from: number, to: number): Promise<void> {
  const seq0 = nextSeq;
  nextSeq += n;
  await db.transaction(async (conn) => {
    await conn.run(
      `INSERT INTO sightings SELECT make_timestamptz((${from} + (i * ${(to - from) / n})::BIGINT) * 1000), 'cam-' || (i % 3), 'plate',
         'P' || (i % 10), 0.9, CASE WHEN i % 7 = 0 THEN 41.3 END, CASE WHEN i % 7 = 0 THEN 69.2 END, 'a1', NULL, NULL, ${seq0} + i, 0
       FROM range(${n}) r(i)`,
    );
  });
}

async function visible(from = 0, to = END_OF_TIME) {
  return withSightings(db, from, to, async (s) => {
    const [r] = await db.query(
      `SELECT count(*)::BIGINT AS n, count(DISTINCT (seq, idx))::BIGINT AS d, count(lat)::BIGINT AS placed FROM ${s}
       WHERE ts >= make_timestamptz(${from}::BIGINT * 1000) AND ts < make_timestamptz(${to}::BIGINT * 1000)`,
    );
    return { n: Number(r.n), distinct: Number(r.d), placed: Number(r.placed) };
  });
}

const hot = async () => Number((await db.query('SELECT count(*)::BIGINT AS n FROM sightings'))[0].n);
const filesOnDisk = () =>
  existsSync(join(dir, 'sightings'))
    ? readdirSync(join(dir, 'sightings'), { recursive: true }).filter((f) => String(f).includes('.parquet'))
    : [];

describe('sealed sightings', () => {
  it('seals the reads before the cutoff into one sorted file per day, and queries see each read once', async () => {
    await db.transaction((c) => c.run(`INSERT INTO cameras VALUES ('cam-1', 41.1, 69.1, 'lpr', NULL, now())`));
    await insertReads(3000, DAY0, DAY0 + 30 * HOUR); // a day and six hours
    const before = await visible();
    expect(before.n).toBe(3000);

    const r = await sealSightings(db, DAY0 + 26 * HOUR);
    expect(r.files).toBe(2); // the whole first day, and two hours of the second
    expect(r.reads).toBe(2600);
    expect(await hot()).toBe(400);
    const files = await sightingFiles(db).list();
    expect(files.map((f) => f.day)).toEqual(['2026-11-02', '2026-11-03']);
    expect(files.reduce((n, f) => n + f.rows, 0)).toBe(2600);

    const after = await visible();
    expect(after).toEqual(before);
    // A read without its own position takes its camera's: cam-1's reads, and the 1 in 7 that carried one.
    expect(after.placed).toBe(before.placed);
    const window = await visible(DAY0 + 20 * HOUR, DAY0 + 28 * HOUR);
    expect(window.n).toBe(800);

    // Each file is sorted by plate: row groups prune a plate search.
    const [f] = files;
    const plates = await db.query(`SELECT plate FROM read_parquet('${join(dir, 'sightings', f.path)}')`);
    const seen = plates.map((p) => String(p.plate));
    expect(seen).toEqual([...seen].sort());
  });

  it('keeps a late read committed after the file was written hot, for the next seal', async () => {
    await insertReads(100, DAY0, DAY0 + HOUR);
    await sealSightings(db, DAY0 + 2 * HOUR);
    await insertReads(5, DAY0, DAY0 + HOUR); // late
    expect(await hot()).toBe(5);
    await sealSightings(db, DAY0 + 2 * HOUR);
    expect(await hot()).toBe(0);
    expect((await sightingFiles(db).list()).length).toBe(2);
    expect((await visible()).distinct).toBe(105);
  });

  it("merges a closed day's files into one and removes the merged files", async () => {
    for (let h = 0; h < 6; h++) {
      await insertReads(50, DAY0 + h * HOUR, DAY0 + (h + 1) * HOUR);
      await sealSightings(db, DAY0 + (h + 1) * HOUR);
    }
    expect((await sightingFiles(db).list()).length).toBe(6);
    expect(await compactSightingDays(db, DAY0 + 23 * HOUR)).toBe(0); // the day is not over
    expect(await compactSightingDays(db, DAY0 + 24 * HOUR)).toBe(1);
    const files = await sightingFiles(db).list();
    expect(files).toHaveLength(1);
    expect(files[0].rows).toBe(300);
    expect(filesOnDisk()).toHaveLength(1);
    expect(await visible()).toMatchObject({ n: 300, distinct: 300 });
  });

  it('a merge waits for a query that listed the merged files before it unlinks them', async () => {
    for (let h = 0; h < 2; h++) {
      await insertReads(50, DAY0 + h * HOUR, DAY0 + (h + 1) * HOUR);
      await sealSightings(db, DAY0 + (h + 1) * HOUR);
    }
    const lease = await sightingFiles(db).lease(0, END_OF_TIME);
    expect(lease.files).toHaveLength(2);
    let merged = false;
    const merge = compactSightingDays(db, DAY0 + 24 * HOUR).then(() => (merged = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(merged).toBe(false);
    for (const f of lease.files) expect(existsSync(f)).toBe(true);
    const [r] = await db.query(`SELECT count(*)::BIGINT AS n FROM read_parquet([${lease.files.map((f) => `'${f}'`).join(',')}])`);
    expect(Number(r.n)).toBe(100);
    lease.release();
    await merge;
    for (const f of lease.files) expect(existsSync(f)).toBe(false);
  });

  it('retention removes whole files past the cutoff, and hot reads before it', async () => {
    await insertReads(240, DAY0, DAY0 + 48 * HOUR);
    await sealSightings(db, DAY0 + 24 * HOUR);
    await insertReads(10, DAY0, DAY0 + HOUR); // late, still hot
    const removed = await purgeSightingFiles(db, DAY0 + 24 * HOUR);
    expect(removed).toBe(130);
    expect(await sightingFiles(db).list()).toHaveLength(0);
    expect(filesOnDisk()).toHaveLength(0);
    expect((await visible()).n).toBe(120);
  });

  it('recovery deletes a file renamed but never committed, and a temporary file, and keeps committed ones', async () => {
    await insertReads(100, DAY0, DAY0 + 2 * HOUR);
    await sealSightings(db, DAY0 + HOUR);
    const files = sightingFiles(db);
    // A seal cut short after the rename: the file holds reads that are still hot.
    const orphan = files.newFile('2026-11-02', 'seal');
    await db.query(`COPY (SELECT * FROM sightings) TO '${orphan.tmp}' (FORMAT parquet)`);
    files.publish(orphan);
    const partial = files.newFile('2026-11-02', 'day');
    writeFileSync(partial.tmp, 'half a file');
    // Another engine's file in the shared folder is not this writer's to clean.
    const foreign = join(files.dir, 'day=2026-11-02', 'other-hours-x.parquet');
    writeFileSync(foreign, 'theirs');
    expect(filesOnDisk()).toHaveLength(4);

    const { removed, missing } = await attachSightingFiles(db, 'main');
    expect(removed.sort()).toEqual([files.relative(orphan.path), files.relative(partial.tmp)].sort());
    expect(missing).toEqual([]);
    expect(existsSync(foreign)).toBe(true);
    expect(await visible()).toMatchObject({ n: 100, distinct: 100 });
  });

  it('recovery drops a catalogued file that is gone, and says so', async () => {
    await insertReads(10, DAY0, DAY0 + HOUR);
    await sealSightings(db, DAY0 + HOUR);
    const [f] = await sightingFiles(db).list();
    rmSync(join(sightingFiles(db).dir, f.path));
    const { missing } = await attachSightingFiles(db, 'main');
    expect(missing).toEqual([f.path]);
    expect((await visible()).n).toBe(0);
  });

  it('keeps a lexicon of the sealed plates, so a look-alike search reads the files for its plates only', async () => {
    // Plates 10A100BC … 10A109BC, read every 6 minutes for two days; one misread look-alike hot.
    await db.transaction((c) =>
      c.run(
        `INSERT INTO sightings SELECT make_timestamptz((${DAY0} + i * 360000)::BIGINT * 1000), 'cam-1', 'plate', '10A10' || (i % 10) || 'BC',
           0.9, NULL, NULL, 'a1', NULL, NULL, 9000 + i, 0 FROM range(480) r(i)`,
      ),
    );
    await sealSightings(db, DAY0 + 24 * HOUR);
    const lexicon = await db.query('SELECT plate, epoch_ms(first_ts) AS f, epoch_ms(last_ts) AS l FROM sighting_plates ORDER BY plate');
    expect(lexicon).toHaveLength(10);
    expect(Number(lexicon[3].f)).toBe(DAY0 + 3 * 360_000);
    await db.transaction((c) =>
      c.run(
        `INSERT INTO sightings VALUES (make_timestamptz(${DAY0 + 30 * HOUR}::BIGINT * 1000), 'cam-1', 'plate', 'IOA1O3BC', 0.5, NULL, NULL, 'a1', NULL, NULL, 1, 0)`,
      ),
    );
    const search = (plate: string, fuzzy: boolean) =>
      findSightings(db, { pattern: parsePlatePattern(plate), fuzzy, from: DAY0, to: DAY0 + 48 * HOUR, limit: 1000 });
    // 10A103BC sealed (24 reads on day one, 24 hot on day two) and its look-alike IOA1O3BC (hot).
    expect((await search('10A103BC', false)).rows).toHaveLength(48);
    expect((await search('10A103BC', true)).rows).toHaveLength(49);
    expect((await search('*A1O3BC', true)).rows).toHaveLength(49);
    expect(await platesMatching(db, '1[0O]A1[0O]3BC', DAY0, DAY0 + 48 * HOUR)).toEqual(['10A103BC']);
    // Retention takes the plates last read before the cutoff with their files.
    await purgeSightingFiles(db, DAY0 + 25 * HOUR);
    expect(await db.query('SELECT plate FROM sighting_plates')).toEqual([]);
  });

  it('splits a big seal into plate shards and a file without plates; a search opens one shard and finds every read', async () => {
    await db.close();
    db = await Database.open(dir, 'Asia/Tashkent', 256);
    const files = (await attachSightingFiles(db, 'main', 1000)).files;
    // 5,000 reads of 500 plates and 1,000 face reads (no plate), over one day.
    const seq0 = nextSeq;
    nextSeq += 6000;
    await db.transaction((conn) =>
      conn.run(
        `INSERT INTO sightings SELECT make_timestamptz((${DAY0} + i * 10000)::BIGINT * 1000), 'cam-1', CASE WHEN i < 5000 THEN 'plate' ELSE 'face' END,
           CASE WHEN i < 5000 THEN '01A' || lpad((i % 500)::VARCHAR, 3, '0') || 'BC' END, 0.9, NULL, NULL, 'a1', NULL, NULL, ${seq0} + i, 0
         FROM range(6000) r(i)`,
      ),
    );
    const r = await sealSightings(db, DAY0 + 24 * HOUR);
    expect(r.reads).toBe(6000);
    const catalog = await db.query('SELECT plates, plate_min, plate_max, rows FROM sighting_files ORDER BY plate_min NULLS LAST');
    // Five shards of about 1,000 plate reads (boundaries from a sample), one of the face reads.
    expect(catalog.length).toBeGreaterThanOrEqual(5);
    expect(catalog.at(-1)).toMatchObject({ plates: 0n, plate_min: null, rows: 1000n });
    const shards = catalog.slice(0, -1);
    expect(shards.reduce((n, c) => n + Number(c.plates), 0)).toBe(5000);
    for (const c of shards) expect(Number(c.plates)).toBeLessThan(2000);
    for (let i = 1; i < shards.length; i++) expect(String(shards[i].plate_min) > String(shards[i - 1].plate_max)).toBe(true);

    const lease = await files.lease(DAY0, DAY0 + 24 * HOUR, [['01A250BC', '01A250BC']]);
    lease.release();
    expect(lease.files).toHaveLength(1);
    const search = async (plate: string) =>
      (await findSightings(db, { pattern: parsePlatePattern(plate), fuzzy: false, from: DAY0, to: DAY0 + 24 * HOUR, limit: 1000 })).rows;
    for (const plate of ['01A000BC', '01A250BC', '01A499BC']) expect(await search(plate)).toHaveLength(10);
    expect(await search('01A2*')).toHaveLength(1000);
    expect(await search('*A25?BC')).toHaveLength(100);
    expect(await visible()).toMatchObject({ n: 6000, distinct: 6000 });

    // The merged day is sharded the same way, and finds the same.
    await insertReads(10, DAY0 + HOUR, DAY0 + 2 * HOUR);
    await sealSightings(db, DAY0 + 24 * HOUR);
    expect(await compactSightingDays(db, DAY0 + 25 * HOUR)).toBe(1);
    const merged = await files.list();
    expect(merged.every((f) => f.path.includes('-day-'))).toBe(true);
    expect(merged.length).toBeGreaterThanOrEqual(6);
    for (const plate of ['01A000BC', '01A250BC', '01A499BC']) expect(await search(plate)).toHaveLength(10);
    expect(await visible()).toMatchObject({ n: 6010, distinct: 6010 });
  });

  it('merges a day of hourly files or one big seal, not a merged day with a late straggler', () => {
    let serial = 0;
    const hours = (rows: number) => ({ path: `day=2026-11-02/main-hours-mh0x-${(serial++).toString(36)}.parquet`, rows });
    const day = (rows: number) => ({ path: `day=2026-11-02/main-day-mh1x-${(serial++).toString(36)}.parquet`, rows });
    const shard = 1_000_000;
    expect(worthMerging([hours(10)], shard)).toBe(false);
    expect(worthMerging([hours(shard + 1)], shard)).toBe(true);
    expect(
      worthMerging(
        Array.from({ length: 24 }, () => hours(100)),
        shard,
      ),
    ).toBe(true);
    expect(worthMerging([day(100_000), day(100_000)], shard)).toBe(false);
    expect(worthMerging([day(100_000), hours(3)], shard)).toBe(false);
    expect(worthMerging([day(100_000), ...Array.from({ length: 9 }, () => hours(3))], shard)).toBe(true);
    expect(worthMerging([day(100_000), hours(25_000)], shard)).toBe(true);
  });
});
