// Detections: decode and validate the batch, file the bad records in the DLQ, match the reads
// against watchlists and geofences and send the hits, then commit sightings + aggregates +
// hits + matching state + applied sequences in one transaction.

import { MATCHED_KINDS } from '../domain/detection.js';
import type { Placement } from '../geo/placement.js';
import type { KeyedState } from '../match/keyed-state.js';
import type { MatchStateValue, ReadMatcher } from '../match/read-matcher.js';
import type { RuleBook } from '../match/rule-book.js';
import type { EngineMetrics } from '../metrics.js';
import type { Database } from '../store/database.js';
import { commitDetections, type SightingRow } from '../store/ingest-writer.js';
import { decodeDetections } from '../../workers/detection-batch.js';
import type { DeadLetters } from './dead-letters.js';
import type { HitPublisher } from './hit-publisher.js';
import type { MatchPool } from './match-pool.js';
import { ReadAggregates } from './read-aggregates.js';
import type { BatchHandler } from './stream-consumer.js';

const KNOWN_KINDS = new Set<string>(MATCHED_KINDS);

/**
 * Fault injection for tests only: widens the window between sending a batch's hits and
 * committing it, so a kill -9 lands in it and the replay's duplicate suppression is exercised.
 */
const FAULT_COMMIT_DELAY_MS = Number(process.env.VIGIL_FAULT_COMMIT_DELAY_MS ?? 0);

/** What a stream's batch handler writes to and reports through. */
export interface IngestDeps {
  stream: string;
  db: Database;
  placement: Placement;
  dlq: DeadLetters;
  hits: HitPublisher;
  metrics: EngineMetrics;
}

export interface MatchingDeps {
  rules: RuleBook;
  matcher: ReadMatcher;
  state: KeyedState<MatchStateValue>;
  /** Worker threads for decoding and stateless matching; null = on this thread. */
  pool: MatchPool | null;
}

export function priorityBand(p: number): string {
  return p >= 90 ? '90+' : p >= 50 ? '50-89' : '0-49';
}

export function detectionHandler(deps: IngestDeps & MatchingDeps): BatchHandler {
  const { stream, db, placement, dlq, metrics, rules, matcher, state, pool } = deps;
  return async (fresh, applied) => {
    const now = Date.now();
    const snapshot = rules.snapshot;
    const { reads, rejects, pre } = pool ? await pool.run(fresh, now, snapshot) : { ...decodeDetections(fresh, now), pre: undefined };
    await dlq.publish('det', rejects);

    state.rollback();
    const outcome = matcher.match(reads, snapshot, now, pre);
    try {
      // Hits go out before the commit: dispatch must not wait for the store. A crash in
      // between replays the batch, which sends the same ids again; JetStream drops them.
      await deps.hits.publish(outcome.hits);
      const hitStored = Date.now();
      if (FAULT_COMMIT_DELAY_MS > 0) await new Promise((r) => setTimeout(r, FAULT_COMMIT_DELAY_MS));

      const aggregates = new ReadAggregates();
      const rows: SightingRow[] = new Array(reads.length);
      const kinds = new Map<string, number>();
      for (let i = 0; i < reads.length; i++) {
        const r = reads[i];
        const area = placement.areaOf(r.camera, r.lat, r.lon);
        const pos = placement.positionOf(r.camera, r.lat, r.lon);
        aggregates.add(r.camera, area, r.kind, r.ts);
        rows[i] = {
          ts: r.ts,
          camera: r.camera,
          kind: r.kind,
          plate: r.plate,
          conf: r.conf,
          lat: pos?.lat ?? null,
          lon: pos?.lon ?? null,
          area,
          id: r.id,
          attrs: r.attrs,
          seq: r.seq,
          index: r.index,
        };
        const label = KNOWN_KINDS.has(r.kind) ? r.kind : 'other';
        kinds.set(label, (kinds.get(label) ?? 0) + 1);
      }
      await commitDetections(db, stream, { sightings: rows, aggregates, hits: outcome.hits, state: state.changes(), applied });
      state.commit();

      for (const [kind, n] of kinds) metrics.detections.labels(kind).inc(n);
      dlq.count('det', rejects);
      metrics.storeRows.labels('sightings').inc(rows.length);
      metrics.storeRows.labels('agg_camera_minute').inc(aggregates.cameraMinute.size);
      metrics.storeRows.labels('agg_area_hour').inc(aggregates.areaHour.size);
      metrics.hitsSuppressed.inc(outcome.suppressed);
      metrics.snapshotVersion.set(snapshot.version);
      if (outcome.hits.length) {
        const bySeq = new Map(fresh.map((m) => [m.seq, m]));
        outcome.hits.forEach((h, i) => {
          metrics.hits.labels(h.source, priorityBand(h.priority)).inc();
          const m = bySeq.get(outcome.seqs[i]);
          if (m) metrics.hitLatency.observe(Math.max(0, hitStored - m.storedAt()) / 1000);
        });
      }
      for (let i = 0; i < reads.length; i += 64) metrics.eventLag.observe(Math.max(0, Date.now() - reads[i].ts) / 1000);
    } catch (err) {
      state.rollback();
      throw err;
    }
  };
}
