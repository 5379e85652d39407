// Detections. Stage one: decode and validate a batch, file the bad records in the DLQ, match
// the reads against watchlists and geofences and send the hits. Stage two: commit the
// sightings, aggregates, hits and matching state of the staged batches, with the applied
// sequences, in one transaction.

import { MATCHED_KINDS } from '../domain/detection.js';
import type { Placement } from '../geo/placement.js';
import type { KeyedState } from '../match/keyed-state.js';
import type { MatchOutcome, MatchStateValue, ReadMatcher } from '../match/read-matcher.js';
import type { RuleBook } from '../match/rule-book.js';
import type { EngineMetrics } from '../metrics.js';
import type { Database } from '../store/database.js';
import { commitDetections, loadAppliedRanges } from '../store/ingest-writer.js';
import type { ColumnChunk } from '../store/column-chunk.js';
import { cellChunks, sightingChunks } from '../store/sighting-chunk.js';
import type { Hit } from '../match/hit.js';
import type { DecodedRead } from '../domain/detection.js';
import { priorityBand } from '../domain/priority.js';
import { decodeDetections } from './detection-batch.js';
import type { DeadLetter, DeadLetters } from './dead-letters.js';
import type { HitPublisher } from './hit-publisher.js';
import type { MatchPool } from './match-pool.js';
import { ReadAggregates } from './read-aggregates.js';
import type { BatchHandler, InboundBatchMessage } from './stream-consumer.js';

const KNOWN_KINDS = new Set<string>(MATCHED_KINDS);

/**
 * Fault injection for tests only: widens the window between sending a batch's hits and
 * committing it, so a kill -9 lands in it and the replay's duplicate suppression is exercised.
 */
const FAULT_COMMIT_DELAY_MS = Number(process.env.VIGIL_FAULT_COMMIT_DELAY_MS ?? 0);

/** How long a retention purge waits for its sweep of the matching state to commit. */
const SWEEP_WAIT_MS = 60_000;

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

/** One detection batch after stage one: matched, hits sent, rows built, waiting to be stored. */
export interface StagedDetections {
  sightings: ColumnChunk[];
  cameraMinute: ColumnChunk[];
  areaHour: ColumnChunk[];
  rows: { sightings: number; cameraMinute: number; areaHour: number };
  hits: Hit[];
  state: ReadonlyMap<string, MatchStateValue | null>;
  rejects: DeadLetter[];
  kinds: Map<string, number>;
  /** Event times of every 64th read, for the event-lag histogram at commit. */
  sampledTs: number[];
  suppressed: number;
  snapshotVersion: number;
  /** Sweeps of the matching state whose deletions ride in `state`: settled once it committed. */
  swept: Swept[];
}

/** A retention purge's request: drop the matching state retained since before `cutoff`. */
interface StateSweep {
  cutoff: number;
  done(err: Error | null, dropped?: number): void;
}

interface Swept {
  sweep: StateSweep;
  dropped: number;
}

export interface DetectionHandler extends BatchHandler<StagedDetections> {
  /**
   * Deletes the matching state retained since before `cutoffMs` (ReadMatcher.retainedSince)
   * from memory and from the store; resolves with how many keys, once that has committed. The
   * deletions ride with the next batch, or commit alone while no batch is in flight. They
   * change no decision, which is why they may happen whenever the purge runs.
   */
  expireState(cutoffMs: number): Promise<number>;
}

export function detectionHandler(deps: IngestDeps & MatchingDeps): DetectionHandler {
  const { stream, db, placement, dlq, metrics, rules, matcher, state, pool } = deps;
  const sweeps: StateSweep[] = [];
  const expire = (taken: readonly StateSweep[]): Swept[] => {
    if (taken.length === 0) return [];
    const cooldown = longestCooldownMs(rules);
    return taken.map((sweep) => ({ sweep, dropped: state.expireBefore(sweep.cutoff, (v) => matcher.retainedSince(v, cooldown)) }));
  };

  const batches: BatchHandler<StagedDetections> = {
    async stage(fresh) {
      const now = Date.now();
      const snapshot = rules.snapshot;
      const { reads, rejects, pre } = pool ? await pool.run(fresh, now, snapshot) : { ...decodeDetections(fresh, now), pre: undefined };
      await dlq.publish('det', rejects);

      state.rollback();
      const outcome = matcher.match(reads, snapshot, now, pre);
      try {
        // Hits go out before the store: dispatch must not wait for it. A crash in between
        // replays the batch, which sends the same ids again; JetStream drops them.
        await deps.hits.publish(outcome.hits);
      } catch (err) {
        state.rollback();
        throw err;
      }
      observeHits(metrics, fresh, outcome, Date.now());
      const { aggregates, kinds, ...placed } = place(placement, reads);
      const cameraMinute = aggregates.cameraMinute.cells();
      const areaHour = aggregates.areaHour.cells();
      const sampledTs: number[] = [];
      for (let i = 0; i < reads.length; i += 64) sampledTs.push(reads[i].ts);
      const sightings = sightingChunks({ reads, ...placed });
      // After matching, so this batch decides as without the sweep; last, so nothing can throw
      // between taking a sweep and staging its deletions.
      const swept = expire(sweeps.splice(0));
      return {
        sightings,
        cameraMinute: cellChunks(cameraMinute),
        areaHour: cellChunks(areaHour),
        rows: { sightings: reads.length, cameraMinute: cameraMinute.length, areaHour: areaHour.length },
        hits: outcome.hits,
        state: state.stage(),
        swept,
        rejects,
        kinds,
        sampledTs,
        suppressed: outcome.suppressed,
        snapshotVersion: snapshot.version,
      };
    },

    async store(staged, applied) {
      if (FAULT_COMMIT_DELAY_MS > 0) await new Promise((r) => setTimeout(r, FAULT_COMMIT_DELAY_MS));
      const changes = new Map<string, MatchStateValue | null>();
      for (const b of staged) for (const [k, v] of b.state) changes.set(k, v);
      await commitDetections(db, stream, {
        sightings: staged.flatMap((b) => b.sightings),
        cameraMinute: staged.flatMap((b) => b.cameraMinute),
        areaHour: staged.flatMap((b) => b.areaHour),
        hits: staged.flatMap((b) => b.hits),
        state: changes,
        applied,
      });

      const committed = Date.now();
      for (const b of staged) {
        state.commitStaged();
        for (const [kind, n] of b.kinds) metrics.detections.labels(kind).inc(n);
        dlq.count('det', b.rejects);
        metrics.storeRows.labels('sightings').inc(b.rows.sightings);
        metrics.storeRows.labels('agg_camera_minute').inc(b.rows.cameraMinute);
        metrics.storeRows.labels('agg_area_hour').inc(b.rows.areaHour);
        metrics.hitsSuppressed.inc(b.suppressed);
        metrics.snapshotVersion.set(b.snapshotVersion);
        for (const ts of b.sampledTs) metrics.eventLag.observe(Math.max(0, committed - ts) / 1000);
        for (const s of b.swept) s.sweep.done(null, s.dropped);
      }
    },
  };

  // The open overlay and the order of staged layers allow one writer at a time. Stages and
  // stores in progress (busy), or batches staged but not stored, keep a sweep out of them: it
  // rides with the next batch. With none of them a sweep commits alone, and a stage waits.
  let busy = 0;
  let unstored = 0;
  let sweeping: Promise<void> | null = null;

  /** A sweep in a commit of its own: the stream is idle, and no batch may come for a while. */
  const sweepAlone = async (taken: StateSweep[]) => {
    state.rollback(); // what a failed stage left: that batch is staged again from scratch
    const swept = expire(taken);
    try {
      const changes = state.pending();
      if (changes.size > 0) {
        // Rewritten as stored: with no batch in flight, nothing has moved them since.
        const applied = await loadAppliedRanges(db, stream);
        await commitDetections(db, stream, { sightings: [], cameraMinute: [], areaHour: [], hits: [], state: changes, applied });
      }
      state.commit();
    } catch (err) {
      state.rollback();
      for (const s of taken) s.done(err as Error);
      return;
    }
    for (const s of swept) s.sweep.done(null, s.dropped);
  };

  const sweepIfIdle = () => {
    if (sweeping || busy > 0 || unstored > 0 || sweeps.length === 0) return;
    sweeping = sweepAlone(sweeps.splice(0)).finally(() => {
      sweeping = null;
      sweepIfIdle();
    });
  };

  /** Runs one stage of a batch once no lone sweep holds the state. */
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    while (sweeping) await sweeping;
    busy++;
    try {
      return await work();
    } finally {
      busy--;
      sweepIfIdle();
    }
  };

  return {
    stage: (fresh) =>
      guarded(async () => {
        const staged = await batches.stage(fresh);
        unstored++; // before the guard's end looks for idleness: its layer is not stored yet
        return staged;
      }),
    store: (staged, applied) =>
      guarded(async () => {
        await batches.store(staged, applied);
        unstored -= staged.length;
      }),
    expireState(cutoffMs) {
      return new Promise<number>((resolve, reject) => {
        const sweep: StateSweep = {
          cutoff: cutoffMs,
          done(err, dropped = 0) {
            clearTimeout(timer);
            if (err) reject(err);
            else resolve(dropped);
          },
        };
        // Only the wait ends: deletions already staged with a batch still commit with it.
        const timer = setTimeout(() => {
          const i = sweeps.indexOf(sweep);
          if (i >= 0) sweeps.splice(i, 1);
          reject(new Error(`not committed within ${SWEEP_WAIT_MS / 1000} s (ingest is not storing)`));
        }, SWEEP_WAIT_MS);
        timer.unref();
        sweeps.push(sweep);
        sweepIfIdle();
      });
    },
  };
}

/** The longest cooldown of any list or fence (ms): how long a last hit may still suppress one. */
function longestCooldownMs(rules: RuleBook): number {
  let seconds = 0;
  for (const w of rules.watchlists()) seconds = Math.max(seconds, w.cooldownSeconds);
  for (const g of rules.geofenceList()) seconds = Math.max(seconds, g.cooldownSeconds);
  return seconds * 1000;
}

/** Where each read was (its own position, else its fixed camera's) and the batch's counts. */
function place(placement: Placement, reads: readonly DecodedRead[]) {
  const n = reads.length;
  const areas: (string | null)[] = new Array(n);
  const lats = new Float64Array(n).fill(NaN);
  const lons = new Float64Array(n).fill(NaN);
  const aggregates = new ReadAggregates();
  const kinds = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = reads[i];
    const area = placement.areaOf(r.camera, r.lat, r.lon);
    const pos = placement.positionOf(r.camera, r.lat, r.lon);
    if (r.lat !== undefined && r.lon !== undefined) placement.units.saw(r.camera, r.lat, r.lon, r.ts);
    if (pos) {
      lats[i] = pos.lat;
      lons[i] = pos.lon;
    }
    areas[i] = area;
    aggregates.add(r.camera, area, r.kind, r.ts);
    const label = KNOWN_KINDS.has(r.kind) ? r.kind : 'other';
    kinds.set(label, (kinds.get(label) ?? 0) + 1);
  }
  return { areas, lats, lons, aggregates, kinds };
}

/** Hits by source and priority, and publish → hit latency, once JetStream stored the hits. */
function observeHits(metrics: EngineMetrics, fresh: readonly InboundBatchMessage[], outcome: MatchOutcome, hitStored: number) {
  if (outcome.hits.length === 0) return;
  const bySeq = new Map(fresh.map((m) => [m.seq, m]));
  outcome.hits.forEach((h, i) => {
    metrics.hits.labels(h.source, priorityBand(h.priority)).inc();
    if (h.source === 'watchlist' && h.watchlist && h.match) metrics.watchlistHits.labels(h.watchlist.id, h.match.type).inc();
    const m = bySeq.get(outcome.seqs[i]);
    if (m) metrics.hitLatency.observe(Math.max(0, hitStored - m.storedAt()) / 1000);
  });
}
