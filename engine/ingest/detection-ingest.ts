// Detections: decode and validate the batch, file the bad records in the DLQ, place each read
// in its area, and commit sightings + aggregates + applied sequences in one transaction.

import { MATCHED_KINDS } from '../domain/detection.js';
import type { Placement } from '../geo/placement.js';
import type { EngineMetrics } from '../metrics.js';
import type { Database } from '../store/database.js';
import { commitDetections, type SightingRow } from '../store/ingest-writer.js';
import { decodeDetections } from '../../workers/detection-batch.js';
import type { DeadLetters } from './dead-letters.js';
import { ReadAggregates } from './read-aggregates.js';
import type { BatchHandler } from './stream-consumer.js';

const KNOWN_KINDS = new Set<string>(MATCHED_KINDS);

/** What a stream's batch handler writes to and reports through. */
export interface IngestDeps {
  stream: string;
  db: Database;
  placement: Placement;
  dlq: DeadLetters;
  metrics: EngineMetrics;
}

export function detectionHandler(deps: IngestDeps): BatchHandler {
  const { stream, db, placement, dlq, metrics } = deps;
  return async (fresh, applied) => {
    const now = Date.now();
    const { reads, rejects } = decodeDetections(fresh, now);
    await dlq.publish('det', rejects);

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
    await commitDetections(db, stream, rows, aggregates, applied);

    for (const [kind, n] of kinds) metrics.detections.labels(kind).inc(n);
    dlq.count('det', rejects);
    metrics.storeRows.labels('sightings').inc(rows.length);
    metrics.storeRows.labels('agg_camera_minute').inc(aggregates.cameraMinute.size);
    metrics.storeRows.labels('agg_area_hour').inc(aggregates.areaHour.size);
    for (let i = 0; i < reads.length; i += 64) metrics.eventLag.observe(Math.max(0, Date.now() - reads[i].ts) / 1000);
  };
}
