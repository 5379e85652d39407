// Retention in the store: the SQL that deletes personal data past its configured age. Each
// table goes in its own transaction on the writer, so ingest commits queue behind one short
// DELETE at a time, never behind the whole purge. Aggregates and incidents are kept (no
// identities, and the analytics need their history).

import type { Config } from '../config.js';
import type { Database } from './database.js';
import { purgeSightingFiles } from './sighting-seal.js';

const DAY_MS = 86_400_000;

/** Epoch ms: a row older than its table's cutoff (strictly before it) is purged. */
export interface PurgeCutoffs {
  sightings: number;
  hits: number;
  audit: number;
  /** Watchlists and entries that expired at or before this are deleted. */
  rules: number;
}

export function purgeCutoffs(retention: Readonly<Config['retention']>, now: number): PurgeCutoffs {
  return {
    sightings: now - Math.round(retention.detectionsDays * DAY_MS),
    hits: now - Math.round(retention.hitsDays * DAY_MS),
    audit: now - Math.round(retention.auditDays * DAY_MS),
    rules: now - Math.round(retention.expiredRulesGraceDays * DAY_MS),
  };
}

const BEFORE = 'make_timestamptz($1::BIGINT * 1000)';

/** Sightings whose event time is before `before`, hot and in whole sealed files; returns how many. */
export function purgeSightings(db: Database, before: number): Promise<number> {
  return purgeSightingFiles(db, before);
}

/**
 * Hits emitted before `before`, with their acknowledgements. By emission, not by the read's
 * time: a past-read (retro) hit about an old read is as young as the decision it asks for.
 */
export function purgeHits(db: Database, before: number): Promise<{ hits: number; hitAcks: number }> {
  return db.transaction(async (conn) => {
    const acks = await conn.run(`DELETE FROM hit_acks WHERE hit IN (SELECT id FROM hits WHERE emitted_at < ${BEFORE})`, [BigInt(before)]);
    const hits = await conn.run(`DELETE FROM hits WHERE emitted_at < ${BEFORE}`, [BigInt(before)]);
    return { hits: hits.rowsChanged, hitAcks: acks.rowsChanged };
  });
}

/** Audit rows written before `before`. */
export function purgeAudit(db: Database, before: number): Promise<number> {
  return db.transaction(async (conn) => {
    const r = await conn.run(`DELETE FROM audit WHERE ts < ${BEFORE}`, [BigInt(before)]);
    return r.rowsChanged;
  });
}
