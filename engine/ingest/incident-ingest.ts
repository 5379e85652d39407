// Incidents (JSON or MessagePack, one per message): validate, place in an area, store once by id.

import { asRecordError } from '../domain/detection.js';
import { toIncident } from '../domain/incident.js';
import type { Placement } from '../geo/placement.js';
import type { EngineMetrics } from '../metrics.js';
import type { Database } from '../store/database.js';
import { commitIncidents, type PlacedIncident } from '../store/ingest-writer.js';
import { decodeJsonOrMsgpack, lastToken } from '../../workers/payload.js';
import type { DeadLetter, DeadLetters } from './dead-letters.js';
import type { BatchHandler } from './stream-consumer.js';

export function incidentHandler(deps: {
  stream: string;
  db: Database;
  placement: Placement;
  dlq: DeadLetters;
  metrics: EngineMetrics;
}): BatchHandler {
  const { stream, db, placement, dlq, metrics } = deps;
  return async (fresh, applied) => {
    const now = Date.now();
    const incidents: PlacedIncident[] = [];
    const rejects: DeadLetter[] = [];
    for (const m of fresh) {
      try {
        const incident = toIncident(decodeJsonOrMsgpack(m.data), lastToken(m.subject), now);
        incidents.push({ ...incident, area: placement.areaOf('', incident.lat, incident.lon), seq: m.seq });
      } catch (err) {
        const e = asRecordError(err);
        rejects.push({ seq: m.seq, subject: m.subject, data: m.data, reason: e.reason, message: e.message });
      }
    }
    await dlq.publish('incident', rejects);
    const inserted = await commitIncidents(db, stream, incidents, applied);
    metrics.incidents.inc(inserted);
    metrics.incidentDuplicates.inc(incidents.length - inserted);
    metrics.storeRows.labels('incidents').inc(inserted);
    dlq.count('incident', rejects);
  };
}
