// Watchlists, entries and geofences in DuckDB. The engine keeps the live copy in memory
// (RuleBook); these functions persist each change before it is applied.

import { DuckDBTimestampTZValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Geofence, RuleRepository, StoredRules, Watchlist, WatchEntry } from '../match/rules.js';
import type { Database } from './database.js';

const ms = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const tstz = (msValue: number) => new DuckDBTimestampTZValue(BigInt(Math.round(msValue)) * 1000n);

export async function loadRules(db: Database): Promise<StoredRules> {
  const lists = await db.query(
    `SELECT id, name, kind, priority, legal_basis, epoch_ms(expires_at) AS expires_at, match::VARCHAR AS match,
            alert_on_read, cooldown_seconds, epoch_ms(created_at) AS created_at, created_by, fuzzy_hit_rate
     FROM watchlists ORDER BY created_at, id`,
  );
  const watchlists: Watchlist[] = lists.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    kind: r.kind as Watchlist['kind'],
    priority: Number(r.priority),
    legalBasis: String(r.legal_basis),
    expiresAt: ms(r.expires_at),
    match: JSON.parse(String(r.match)),
    alertOnRead: Boolean(r.alert_on_read),
    cooldownSeconds: Number(r.cooldown_seconds),
    createdAt: Number(r.created_at),
    createdBy: r.created_by === null ? null : String(r.created_by),
    estimatedFuzzyHitRate: r.fuzzy_hit_rate === null ? null : Number(r.fuzzy_hit_rate),
  }));
  const entries = new Map<string, WatchEntry[]>(watchlists.map((w) => [w.id, []]));
  const rows = await db.query(
    `SELECT watchlist, key, label, reference, epoch_ms(expires_at) AS expires_at, embedding
     FROM watchlist_entries ORDER BY watchlist, added_at, key`,
  );
  for (const r of rows) {
    const e: WatchEntry = {
      key: String(r.key),
      label: r.label === null ? null : String(r.label),
      reference: r.reference === null ? null : String(r.reference),
      expiresAt: ms(r.expires_at),
    };
    if (r.embedding !== null) e.embedding = floatsOf(r.embedding);
    entries.get(String(r.watchlist))?.push(e);
  }
  const fences = await db.query(
    `SELECT id, name, geometry::VARCHAR AS geometry, trigger, dwell_seconds, kinds::VARCHAR AS kinds,
            watchlists::VARCHAR AS watchlists, schedule::VARCHAR AS schedule, priority, cooldown_seconds,
            epoch_ms(created_at) AS created_at, created_by
     FROM geofences ORDER BY created_at, id`,
  );
  const geofences: Geofence[] = fences.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    geometry: JSON.parse(String(r.geometry)),
    trigger: r.trigger as Geofence['trigger'],
    dwellSeconds: r.dwell_seconds === null ? null : Number(r.dwell_seconds),
    kinds: r.kinds === null ? null : JSON.parse(String(r.kinds)),
    watchlists: r.watchlists === null ? null : JSON.parse(String(r.watchlists)),
    schedule: r.schedule === null ? null : JSON.parse(String(r.schedule)),
    priority: Number(r.priority),
    cooldownSeconds: Number(r.cooldown_seconds),
    createdAt: Number(r.created_at),
    createdBy: r.created_by === null ? null : String(r.created_by),
  }));
  return { watchlists, entries, geofences };
}

/** DuckDB hands BLOBs back as its own value type; its bytes are float32 little-endian. */
function floatsOf(blob: unknown): Float32Array {
  const bytes = (blob as { bytes: Uint8Array }).bytes;
  return new Float32Array(Uint8Array.prototype.slice.call(bytes).buffer);
}

export function insertWatchlist(db: Database, w: Watchlist): Promise<void> {
  return db.transaction(async (conn) => {
    await conn.run(
      `INSERT INTO watchlists (id, name, kind, priority, legal_basis, expires_at, match, alert_on_read, cooldown_seconds, created_at, created_by, fuzzy_hit_rate)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::BIGINT IS NULL THEN NULL ELSE make_timestamptz($6::BIGINT * 1000) END,
        $7::JSON, $8, $9, make_timestamptz($10::BIGINT * 1000), $11, $12)`,
      [
        w.id,
        w.name,
        w.kind,
        w.priority,
        w.legalBasis,
        w.expiresAt === null ? null : BigInt(w.expiresAt),
        JSON.stringify(w.match),
        w.alertOnRead,
        w.cooldownSeconds,
        BigInt(w.createdAt),
        w.createdBy,
        w.estimatedFuzzyHitRate ?? null,
      ],
    );
  });
}

/** A watchlist's match options and fuzzy-hit estimate, changed together. */
export function updateWatchlistMatch(db: Database, id: string, match: Watchlist['match'], fuzzyHitRate: number | null): Promise<void> {
  return db.transaction(async (conn) => {
    await conn.run('UPDATE watchlists SET match = $2::JSON, fuzzy_hit_rate = $3 WHERE id = $1', [id, JSON.stringify(match), fuzzyHitRate]);
  });
}

export function deleteWatchlist(db: Database, id: string): Promise<void> {
  return db.transaction(async (conn) => {
    await conn.run('DELETE FROM watchlist_entries WHERE watchlist = $1', [id]);
    await conn.run('DELETE FROM watchlists WHERE id = $1', [id]);
  });
}

/**
 * Adds or replaces entries by key, in one transaction; with `fuzzyHitRate` (a number or null)
 * the list's estimate is set in the same transaction.
 */
export function upsertEntries(
  db: Database,
  watchlist: string,
  entries: readonly WatchEntry[],
  now = Date.now(),
  fuzzyHitRate?: number | null,
): Promise<void> {
  return db.transaction(async (conn) => {
    if (fuzzyHitRate !== undefined) await conn.run('UPDATE watchlists SET fuzzy_hit_rate = $2 WHERE id = $1', [watchlist, fuzzyHitRate]);
    await conn.run('CREATE TEMP TABLE IF NOT EXISTS entry_keys_in (key VARCHAR)');
    await conn.run('DELETE FROM entry_keys_in');
    await appendKeys(
      conn,
      entries.map((e) => e.key),
    );
    await conn.run('DELETE FROM watchlist_entries WHERE watchlist = $1 AND key IN (SELECT key FROM entry_keys_in)', [watchlist]);
    const a = await conn.createAppender('watchlist_entries');
    for (const e of entries) {
      a.appendVarchar(watchlist);
      a.appendVarchar(e.key);
      if (e.label === null) a.appendNull();
      else a.appendVarchar(e.label);
      if (e.reference === null) a.appendNull();
      else a.appendVarchar(e.reference);
      if (e.expiresAt === null) a.appendNull();
      else a.appendTimestampTZ(tstz(e.expiresAt));
      if (e.embedding) a.appendBlob(new Uint8Array(e.embedding.buffer, e.embedding.byteOffset, e.embedding.byteLength));
      else a.appendNull();
      a.appendTimestampTZ(tstz(now));
      a.endRow();
    }
    a.closeSync();
  });
}

async function appendKeys(conn: DuckDBConnection, keys: readonly string[]) {
  const a = await conn.createAppender('entry_keys_in', 'main', 'temp');
  for (const k of keys) {
    a.appendVarchar(k);
    a.endRow();
  }
  a.closeSync();
}

export function deleteEntry(db: Database, watchlist: string, key: string): Promise<void> {
  return db.transaction(async (conn) => {
    await conn.run('DELETE FROM watchlist_entries WHERE watchlist = $1 AND key = $2', [watchlist, key]);
  });
}

/**
 * Entries of `keys` that expired at or before `cutoff` (retention). The expiry is checked
 * again here, so an entry renewed since the caller looked is kept.
 */
export function deleteExpiredEntries(db: Database, watchlist: string, keys: readonly string[], cutoff: number): Promise<number> {
  return db.transaction(async (conn) => {
    await conn.run('CREATE TEMP TABLE IF NOT EXISTS entry_keys_in (key VARCHAR)');
    await conn.run('DELETE FROM entry_keys_in');
    await appendKeys(conn, keys);
    const r = await conn.run(
      `DELETE FROM watchlist_entries WHERE watchlist = $1 AND key IN (SELECT key FROM entry_keys_in)
         AND expires_at <= make_timestamptz($2::BIGINT * 1000)`,
      [watchlist, BigInt(cutoff)],
    );
    return r.rowsChanged;
  });
}

export function insertGeofence(db: Database, g: Geofence): Promise<void> {
  return db.transaction(async (conn) => {
    await conn.run(
      `INSERT INTO geofences VALUES ($1, $2, $3::JSON, $4, $5, $6::JSON, $7::JSON, $8::JSON, $9, $10,
        make_timestamptz($11::BIGINT * 1000), $12)`,
      [
        g.id,
        g.name,
        JSON.stringify(g.geometry),
        g.trigger,
        g.dwellSeconds,
        g.kinds === null ? null : JSON.stringify(g.kinds),
        g.watchlists === null ? null : JSON.stringify(g.watchlists),
        g.schedule === null ? null : JSON.stringify(g.schedule),
        g.priority,
        g.cooldownSeconds,
        BigInt(g.createdAt),
        g.createdBy,
      ],
    );
  });
}

export function deleteGeofence(db: Database, id: string): Promise<void> {
  return db.transaction(async (conn) => {
    await conn.run('DELETE FROM geofences WHERE id = $1', [id]);
  });
}

/** The rules kept in this store, as the rule book asks for them. */
export function ruleRepository(db: Database): RuleRepository {
  return {
    load: () => loadRules(db),
    insertWatchlist: (w) => insertWatchlist(db, w),
    updateWatchlistMatch: (id, match, fuzzyHitRate) => updateWatchlistMatch(db, id, match, fuzzyHitRate),
    deleteWatchlist: (id) => deleteWatchlist(db, id),
    upsertEntries: (listId, entries, fuzzyHitRate) => upsertEntries(db, listId, entries, Date.now(), fuzzyHitRate),
    deleteEntry: (listId, key) => deleteEntry(db, listId, key),
    deleteExpiredEntries: (listId, keys, cutoff) => deleteExpiredEntries(db, listId, keys, cutoff),
    insertGeofence: (g) => insertGeofence(db, g),
    deleteGeofence: (id) => deleteGeofence(db, id),
  };
}
