// Matching in worker threads gives the same hits as matching on the main thread: the ground
// truth of matching.test.ts, run once with workers.threads = 2.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import type { Engine } from '../../app/engine.js';
import { auth, eventually } from '../helpers/engine.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let engine: Engine;
let nc: NatsConnection;

beforeAll(async () => {
  stack = await startStack({ workers: { threads: 2 } });
  ({ engine, nc } = stack);
});

afterAll(() => stopStack(stack));

async function admin(url: string, body: unknown) {
  const res = await engine.api.inject({
    method: url.includes('cameras') ? 'PUT' : 'POST',
    url,
    headers: auth('admin'),
    payload: body as object,
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

it('finds plate, face and zone hits from worker threads, and picks up rule changes', async () => {
  const js = jetstream(nc);
  await admin('/api/v1/cameras', [{ id: 'cam-1', lat: 41.3, lon: 69.25 }]);
  const plates = await admin('/api/v1/watchlists', {
    name: 'wanted',
    kind: 'plate',
    priority: 70,
    legalBasis: 'warrants',
    cooldownSeconds: 0,
    match: { maxEdits: 1 },
  });
  await admin(`/api/v1/watchlists/${plates.id}/entries`, [{ key: '01A123BC' }]);
  const faces = await admin('/api/v1/watchlists', { name: 'missing', kind: 'face', priority: 60, legalBasis: 'family request' });
  await admin(`/api/v1/watchlists/${faces.id}/entries`, [{ key: 'p1', embedding: [1, 0, 0, 0] }]);
  const zone = await admin('/api/v1/geofences', {
    name: 'z',
    geometry: { type: 'Circle', center: [69.26, 41.3], radiusM: 200 },
    trigger: 'inside',
    kinds: ['vehicle'],
    priority: 40,
    cooldownSeconds: 0,
  });

  const now = Date.now();
  const reads = [
    { ts: now, kind: 'plate', camera: 'cam-1', plate: '01A123BC', id: 'exact' },
    { ts: now, kind: 'plate', camera: 'cam-1', plate: '01A1238C', id: 'ocr' },
    { ts: now, kind: 'plate', camera: 'cam-1', plate: '01A124BC', id: 'edit' },
    { ts: now, kind: 'plate', camera: 'cam-1', plate: '77X999YY', id: 'none' },
    { ts: now, kind: 'face', camera: 'cam-1', embedding: new Uint8Array(Float32Array.from([0.9, 0.1, 0, 0]).buffer), id: 'face' },
    { ts: now, kind: 'vehicle', camera: 'patrol-1', lat: 41.3, lon: 69.26, id: 'zone' },
  ];
  // Several messages, so the batch is split across both workers.
  for (const r of reads) await js.publish('vigil.det.gw', encode([r]));
  const hitsOf = async () =>
    (await engine.api.inject({ url: '/api/v1/hits?limit=100', headers: auth('dispatcher') })).json().rows as Array<Record<string, any>>;
  await eventually(async () => (await hitsOf()).length === 5, 15_000, 'five hits');
  const byRead = Object.fromEntries((await hitsOf()).map((h) => [h.readId, h.match?.type ?? h.geofence?.id]));
  expect(byRead).toEqual({ exact: 'exact', ocr: 'ocr', edit: 'edit', face: 'face', zone: zone.id });
  // A hit by edit ranks below the list's own priority (70 − 20).
  const priorities = Object.fromEntries((await hitsOf()).map((h) => [h.readId, h.priority]));
  expect(priorities).toMatchObject({ exact: 70, ocr: 70, edit: 50 });

  // A new entry reaches the workers with the next snapshot.
  await admin(`/api/v1/watchlists/${plates.id}/entries`, [{ key: '77X999YY' }]);
  await js.publish('vigil.det.gw', encode([{ ts: now, kind: 'plate', camera: 'cam-1', plate: '77X999YY', id: 'later' }]));
  await eventually(async () => (await hitsOf()).some((h) => h.readId === 'later'), 15_000, 'hit after the rule change');
});
