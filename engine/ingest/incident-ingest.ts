// Incidents (JSON or MessagePack, one per message): validate, place in an area, store once by id.

import { asRecordError } from '../domain/detection.js';
import { toIncident } from '../domain/incident.js';
import { commitIncidents, type PlacedIncident } from '../store/ingest-writer.js';
import { decodeJsonOrMsgpack, lastToken } from '../../workers/payload.js';
import type { DeadLetter } from './dead-letters.js';
import type { IngestDeps } from './detection-ingest.js';
import type { BatchHandler } from './stream-consumer.js';

export function incidentHandler(deps: IngestDeps): BatchHandler {
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
