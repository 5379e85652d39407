// Past-read matching: new watchlist entries are matched against the sightings already stored
// for a window (e.g. the last 24 h), and the matches are sent as hits marked `retro: true`.

import { listValue } from '@duckdb/node-api';
import { PlateMatcher, type PlateMatch } from '../engine/match/plate-matcher.js';
import { retroHitId, type Hit } from '../engine/match/hit.js';
import { hitPriority, type PlateMatchOptions, type Watchlist, type WatchEntry } from '../engine/match/rules.js';
import { appendHits } from '../engine/store/ingest-writer.js';
import { priorityBand } from '../engine/ingest/detection-ingest.js';
import type { ApiDeps } from './server.js';

export interface RetroSummary {
  windowFrom: string;
  plates: number;
  hits: number;
}

export async function retroMatch(deps: ApiDeps, list: Watchlist, entries: readonly WatchEntry[], windowMs: number): Promise<RetroSummary> {
  const now = Date.now();
  const from = now - windowMs;
  const summary: RetroSummary = { windowFrom: new Date(from).toISOString(), plates: 0, hits: 0 };
  if (!list.alertOnRead || entries.length === 0) return summary;

  const { ocrEquivalence, maxEdits } = list.match as PlateMatchOptions;
  const matcher = PlateMatcher.build(
    [{ ocrEquivalence, maxEdits, formats: deps.config.matching.plateFormats }],
    entries.map((e) => ({ list: 0, key: e.key, expiresAt: Math.min(e.expiresAt ?? Infinity, list.expiresAt ?? Infinity) })),
  );
  const distinct = await deps.db.query(
    `SELECT DISTINCT plate FROM sightings WHERE plate IS NOT NULL AND ts >= make_timestamptz($1::BIGINT * 1000)`,
    [BigInt(from)],
  );
  const matched = new Map<string, PlateMatch>();
  const out: PlateMatch[] = [];
  for (const r of distinct) {
    const plate = String(r.plate);
    if (matcher.match(plate, now, out) > 0) matched.set(plate, { ...out[0] });
  }
  summary.plates = matched.size;
  if (matched.size === 0) return summary;

  const rows = await deps.db.query(
    `SELECT epoch_ms(ts) AS ts, camera, kind, plate, lat, lon, read_id, attrs, seq, idx FROM sightings
     WHERE plate = ANY($1) AND ts >= make_timestamptz($2::BIGINT * 1000) ORDER BY ts, seq, idx`,
    [listValue([...matched.keys()]), BigInt(from)],
  );
  const emittedAt = new Date(now).toISOString();
  const lastHit = new Map<string, number>();
  const hits: Hit[] = [];
  for (const r of rows) {
    const plate = String(r.plate);
    const m = matched.get(plate)!;
    const entry = entries[m.entry];
    const ts = Number(r.ts);
    // The list's cooldown holds for past reads too: one hit per entry per cooldown window.
    const last = lastHit.get(entry.key);
    if (last !== undefined && ts - last < list.cooldownSeconds * 1000) continue;
    lastHit.set(entry.key, ts);
    const hit: Hit = {
      id: retroHitId(Number(r.seq), Number(r.idx), list.id),
      source: 'watchlist',
      priority: hitPriority(list, m.type),
      ts: new Date(ts).toISOString(),
      emittedAt,
      camera: String(r.camera),
      lat: r.lat === null ? null : Number(r.lat),
      lon: r.lon === null ? null : Number(r.lon),
      kind: String(r.kind),
      plate,
      watchlist: { id: list.id, name: list.name },
      entry: { key: entry.key, label: entry.label, reference: entry.reference },
      match: { type: m.type, distance: m.distance, score: m.type === 'edit' ? 1 - m.distance / Math.max(plate.length, entry.key.length) : 1 },
      retro: true,
    };
    if (r.read_id !== null) hit.readId = String(r.read_id);
    if (r.attrs !== null) hit.attrs = JSON.parse(String(r.attrs));
    hits.push(hit);
  }
  // The same entries matched again over the same window give the same ids: skip those stored.
  const known = new Set(
    (await deps.db.query('SELECT id FROM hits WHERE id = ANY($1)', [listValue(hits.map((h) => h.id))])).map((r) => String(r.id)),
  );
  const fresh = hits.filter((h) => !known.has(h.id));
  await deps.hitPublisher.publish(fresh);
  await deps.db.transaction((conn) => appendHits(conn, fresh));
  for (const h of fresh) {
    deps.metrics.hits.labels('watchlist', priorityBand(h.priority)).inc();
    deps.metrics.watchlistHits.labels(list.id, h.match!.type).inc();
  }
  summary.hits = fresh.length;
  return summary;
}
