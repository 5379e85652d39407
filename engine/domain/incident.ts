// An incident from the incident system (calls, patrols, panic buttons) and its checks.

import { isPlainMap, optionalAttrs, optionalPosition, optionalString, preview, RecordError, requireEpochMs } from './detection.js';

export interface Incident {
  id: string;
  ts: number;
  type: string;
  lat: number;
  lon: number;
  severity?: number;
  source?: string;
  attrs?: Record<string, unknown>;
}

export function toIncident(record: unknown, subjectType: string, nowMs: number): Incident {
  if (!isPlainMap(record)) throw new RecordError('not_a_map', `incident: must be a map, got ${preview(record)}`);
  const id = optionalString(record, 'id', 128);
  if (id === undefined) throw new RecordError('missing_field', 'id: required');
  const ts = requireEpochMs(record, 'ts', nowMs);
  const type = optionalString(record, 'type', 64) ?? subjectType;
  const pos = optionalPosition(record);
  if (!pos) throw new RecordError('missing_field', 'lat: required (with lon)');
  const incident: Incident = { id, ts, type, lat: pos.lat, lon: pos.lon };
  const severity = record.severity;
  if (severity !== undefined && severity !== null) {
    if (typeof severity !== 'number' || !Number.isInteger(severity)) {
      throw new RecordError('wrong_type', `severity: must be an integer, got ${preview(severity)}`);
    }
    if (severity < 1 || severity > 5) throw new RecordError('out_of_range', `severity: must be 1–5, got ${severity}`);
    incident.severity = severity;
  }
  const source = optionalString(record, 'source', 32);
  if (source !== undefined) incident.source = source;
  const attrs = optionalAttrs(record);
  if (attrs !== undefined) incident.attrs = attrs;
  return incident;
}
