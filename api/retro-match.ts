// Past-read matching on an entry upload (`?retro=24h`): the new entries of a plate list are
// matched against the sightings of the window (engine/match/retro-hits.ts decides, as live
// matching does), and the hits are sent and stored marked `retro: true`.

import { priorityBand } from '../engine/domain/priority.js';
import type { Watchlist, WatchEntry } from '../engine/match/rules.js';
import { platesThatHit, retroHits, retroSnapshot } from '../engine/match/retro-hits.js';
import { appendHits } from '../engine/store/ingest-writer.js';
import { distinctPlatesSince, readsOfPlates, storedHitIds } from '../engine/store/retro-query.js';
import type { ApiDeps } from './deps.js';

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

  const snapshot = retroSnapshot(list, entries, deps.config.matching.plateFormats);
  const plates = platesThatHit(snapshot, await distinctPlatesSince(deps.db, from), now);
  summary.plates = plates.length;
  if (plates.length === 0) return summary;

  const hits = retroHits(snapshot, await readsOfPlates(deps.db, plates, from), deps.placement, now);
  // The same entries matched again over the same window give the same ids: skip those stored.
  const known = await storedHitIds(
    deps.db,
    hits.map((h) => h.id),
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
