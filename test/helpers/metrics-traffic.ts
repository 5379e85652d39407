// A short simulated run that gives every engine metric (and so every dashboard panel) data:
// reads of each kind through the worker pool, watchlist, face, geofence and panic hits, hits
// held back by a cooldown, bad records for the DLQ, dispatchers' acknowledgements, and HTTP
// requests. Also a small reader of the Prometheus text format.

import { encode } from '@msgpack/msgpack';
import type { JetStreamClient } from '@nats-io/jetstream';
import { expect } from 'vitest';
import type { Engine } from '../../app/engine.js';
import { auth, eventually } from './engine.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of a /metrics answer (label values without escapes: enough for vigil's own). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([A-Za-z_]\w*)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** Sum of the samples of `name` whose labels include `labels`. */
export function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

export async function scrape(engine: Engine): Promise<Sample[]> {
  return parseMetrics((await engine.api.inject({ url: '/metrics' })).body);
}

async function call(engine: Engine, method: 'POST' | 'PUT' | 'GET', url: string, role: 'admin' | 'dispatcher', body?: unknown) {
  const res = await engine.api.inject({ method, url, headers: auth(role), ...(body === undefined ? {} : { payload: body as object }) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}

const CAMERA = { id: 'cam-1', lat: 41.3, lon: 69.25 };
const face = (v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

/** The rules the run matches against: one list of each kind and a fence around the camera. Returns the lists' ids. */
export async function setUpRules(engine: Engine): Promise<{ plates: string; faces: string }> {
  await call(engine, 'PUT', '/api/v1/cameras', 'admin', [CAMERA]);
  const plates = await call(engine, 'POST', '/api/v1/watchlists', 'admin', {
    name: 'wanted',
    kind: 'plate',
    priority: 95,
    legalBasis: 'warrants',
    cooldownSeconds: 600,
  });
  await call(engine, 'POST', `/api/v1/watchlists/${plates.id}/entries`, 'admin', [{ key: '01A123BC' }, { key: '10123ABC' }]);
  const faces = await call(engine, 'POST', '/api/v1/watchlists', 'admin', {
    name: 'missing',
    kind: 'face',
    priority: 60,
    legalBasis: 'family request',
    cooldownSeconds: 0,
  });
  await call(engine, 'POST', `/api/v1/watchlists/${faces.id}/entries`, 'admin', [{ key: 'p1', embedding: [1, 0, 0, 0] }]);
  await call(engine, 'POST', '/api/v1/geofences', 'admin', {
    name: 'depot',
    geometry: { type: 'Circle', center: [CAMERA.lon, CAMERA.lat], radiusM: 200 },
    trigger: 'inside',
    kinds: ['vehicle'],
    priority: 40,
    cooldownSeconds: 0,
  });
  return { plates: String(plates.id), faces: String(faces.id) };
}

/**
 * One round of traffic (`round` keeps ids apart), done when the engine has stored it: plate
 * reads (repeats within the list's cooldown are suppressed), a face read, vehicle reads in the
 * fence, a panic alarm, bad records; then dispatchers acknowledge the hits not yet answered.
 * Returns the number of valid reads sent.
 */
export async function driveRound(engine: Engine, js: JetStreamClient, round: number): Promise<{ reads: number }> {
  const now = Date.now();
  const plate = round % 2 ? '10123ABC' : '01A123BC';
  const before = await scrape(engine);
  const reads = [
    ...Array.from({ length: 3 }, (_, i) => ({ ts: now - 1500, kind: 'plate', camera: CAMERA.id, plate, id: `r${round}.p${i}` })),
    { ts: now - 800, kind: 'face', camera: CAMERA.id, embedding: face([0.9, 0.1, 0, 0]), id: `r${round}.f` },
    ...Array.from({ length: 40 }, (_, i) => ({
      ts: now - i * 10,
      kind: i % 2 ? 'vehicle' : 'person',
      camera: CAMERA.id,
      id: `r${round}.v${i}`,
    })),
  ];
  // Several messages, so batches split across the pool's threads.
  for (let i = 0; i < reads.length; i += 4) await js.publish('vigil.det.gw', encode(reads.slice(i, i + 4)));
  await js.publish('vigil.det.cam-1', new Uint8Array([0xc1, 0xff])); // not MessagePack
  await js.publish('vigil.det.cam-1', encode({ kind: 'plate', plate: '01A123BC' })); // no ts
  await js.publish(
    'vigil.incident.panic',
    JSON.stringify({ id: `panic-${round}`, ts: now, lat: CAMERA.lat, lon: CAMERA.lon, source: 'panic_button', severity: 5 }),
  );
  await js.publish('vigil.incident.burglary', JSON.stringify({ id: `bad-${round}`, ts: now })); // no position

  await eventually(
    async () => {
      const s = await scrape(engine);
      const grew = (name: string, by: number, labels: Record<string, string> = {}) =>
        total(s, name, labels) >= total(before, name, labels) + by;
      return (
        grew('vigil_detections_total', reads.length) && grew('vigil_hits_total', 1, { source: 'panic' }) && grew('vigil_rejected_total', 3)
      );
    },
    20_000,
    `round ${round}: reads, panic hit and rejects counted`,
  );

  // Dispatchers answer each new hit once; one of them changes their mind. Watchlist hits are
  // rejected in even rounds and accepted in odd ones, so over two rounds or more each list has
  // both answers and a precision strictly between 0 and 1.
  const rows = (await call(engine, 'GET', `/api/v1/hits?limit=1000&from=2000-01-01`, 'dispatcher')).rows as Array<{
    id: string;
    source: string;
    ack: unknown;
  }>;
  const fresh = rows.filter((h) => h.ack === null);
  for (const [i, h] of fresh.entries()) {
    const reject = h.source === 'watchlist' ? round % 2 === 0 : i % 3 === 0;
    const body = reject ? { status: 'rejected', reason: 'wrong vehicle' } : { status: 'accepted' };
    await call(engine, 'POST', `/api/v1/hits/${encodeURIComponent(h.id)}/ack`, 'dispatcher', body);
  }
  if (fresh[0]) await call(engine, 'POST', `/api/v1/hits/${encodeURIComponent(fresh[0].id)}/ack`, 'dispatcher', { status: 'accepted' });
  return { reads: reads.length };
}
