// Camera-direct traffic as a city sends it: the simulated city publishing one read per message
// to an engine process. Every read is counted; the consumer never stops pulling (it once did,
// silently, after a few thousand messages when it pulled by bytes).

import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buildCity } from '../../engine/sim/city.js';
import { runSimulation } from '../../engine/sim/simulator.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { eventually } from '../helpers/engine.js';
import { EngineProcess } from '../helpers/engine-process.js';

let nats: TestNatsServer;
let engine: EngineProcess;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await TestNatsServer.start();
  engine = await EngineProcess.create(nats.url, { batchMaxWaitMs: 20, batchMaxMessages: 5000 });
  engine.start();
  await eventually(() => engine.ready(), 30_000, 'engine ready');
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.close();
  await engine?.kill9();
  await nats?.stop();
});

it('counts every one-read message of a simulated city', async () => {
  const city = buildCity({ seed: 3, cameras: 2000 });
  const stats = await runSimulation({
    nc,
    prefix: 'vigil',
    city,
    seed: 3,
    rate: 15_000,
    durationSeconds: 6,
    batch: 1,
    jetstream: true,
    incidentsPerMinute: 0,
  });
  const total = async () =>
    (
      (await engine.request('GET', '/api/v1/analytics/traffic?bucket=day&from=2000-01-01', 'analyst')).rows as Array<{ count: number }>
    ).reduce((s, r) => s + r.count, 0);
  await eventually(async () => (await total()) >= stats.reads, 60_000, `${stats.reads} reads counted`);
  expect(await total()).toBe(stats.reads);
}, 120_000);
