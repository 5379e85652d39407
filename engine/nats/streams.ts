// The JetStream streams vigil reads and writes. Created when missing; an existing stream is
// left as its operator configured it (other consumers may depend on it).

import { RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export interface StreamSpec {
  name: string;
  subjects: string[];
  maxAgeHours: number;
  duplicateWindowSeconds: number;
}

export function vigilStreams(prefix: string, maxAgeHours: number): Record<'det' | 'inc' | 'hits' | 'dlq', StreamSpec> {
  return {
    det: { name: 'VIGIL_DET', subjects: [`${prefix}.det.>`], maxAgeHours, duplicateWindowSeconds: 120 },
    inc: { name: 'VIGIL_INC', subjects: [`${prefix}.incident.>`], maxAgeHours, duplicateWindowSeconds: 120 },
    // Hit ids are deterministic: a window of 10 minutes absorbs a restart's re-sent hits.
    hits: { name: 'VIGIL_HITS', subjects: [`${prefix}.hit.>`], maxAgeHours, duplicateWindowSeconds: 600 },
    dlq: { name: 'VIGIL_DLQ', subjects: [`${prefix}.dlq.>`], maxAgeHours: Math.max(maxAgeHours, 168), duplicateWindowSeconds: 600 },
  };
}

export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  try {
    await jsm.streams.info(spec.name);
    return;
  } catch (err) {
    if (!/not found/i.test((err as Error).message)) throw err;
  }
  await jsm.streams.add({
    name: spec.name,
    subjects: spec.subjects,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(spec.maxAgeHours * 3600 * 1000),
    duplicate_window: nanos(spec.duplicateWindowSeconds * 1000),
  });
}
