// Incidents (JSON or MessagePack, one per message): validate, place in an area, store once by id.

import { asRecordError } from '../domain/detection.js';
import { toIncident } from '../domain/incident.js';
import { commitIncidents, type PlacedIncident } from '../store/ingest-writer.js';
import { decodeJsonOrMsgpack, lastToken } from './payload.js';
import type { DeadLetter } from './dead-letters.js';
import { priorityBand } from '../domain/priority.js';
import type { IngestDeps } from './detection-ingest.js';
import { panicHitId, type Hit } from '../match/hit.js';
import type { BatchHandler } from './stream-consumer.js';

interface StagedIncidents {
  incidents: PlacedIncident[];
  panic: Map<string, Hit>;
  rejects: DeadLetter[];
}

export function incidentHandler(deps: IngestDeps): BatchHandler<StagedIncidents> {
  const { stream, db, placement, dlq, metrics, hits } = deps;
  return {
    async stage(fresh) {
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
      // A panic button is an alert to dispatch. Its hit id is the incident's, so a producer's
      // retry of the same incident, or a replayed batch, never alerts twice.
      const panic = new Map(incidents.filter((i) => i.source === 'panic_button').map((i) => [i.id, panicHit(i, now)]));
      await hits.publish([...panic.values()]);
      return { incidents, panic, rejects };
    },

    async store(staged, applied) {
      const incidents = staged.flatMap((b) => b.incidents);
      const panic = new Map(staged.flatMap((b) => [...b.panic]));
      const inserted = await commitIncidents(db, stream, incidents, panic, applied);
      for (const h of panic.values()) metrics.hits.labels('panic', priorityBand(h.priority)).inc();
      metrics.incidents.inc(inserted);
      metrics.incidentDuplicates.inc(incidents.length - inserted);
      metrics.storeRows.labels('incidents').inc(inserted);
      for (const b of staged) dlq.count('incident', b.rejects);
    },
  };
}

function panicHit(i: PlacedIncident, now: number): Hit {
  return {
    id: panicHitId(i.id),
    source: 'panic',
    priority: 100,
    ts: new Date(i.ts).toISOString(),
    emittedAt: new Date(now).toISOString(),
    camera: null,
    lat: i.lat,
    lon: i.lon,
    kind: null,
    incident: { id: i.id, type: i.type, severity: i.severity ?? null, source: i.source, area: i.area, attrs: i.attrs ?? null },
  };
}
