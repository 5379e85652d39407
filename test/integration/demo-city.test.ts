// What `npm start` and `vigil simulate --watchlist` give a running engine: the simulated
// city's cameras and mahallas, demo watchlists, and a protection-order zone that the listed
// plates must not enter, all through the public API and made again without doubling.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';
import { buildCity } from '../../engine/sim/city.js';
import { distanceMetres } from '../../engine/sim/local-frame.js';
import { addDemoWatchlists, protectedHome, registerCity } from '../../engine/sim/register.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { auth, testConfig, TOKENS } from '../helpers/engine.js';

let nats: TestNatsServer;
let engine: Engine;
const city = buildCity({ seed: 1, cameras: 300 });

beforeAll(async () => {
  nats = await TestNatsServer.start();
  engine = await Engine.start(testConfig(nats.url), createLogger(process.env.VIGIL_TEST_LOG ?? 'silent'));
});

afterAll(async () => {
  await engine?.stop();
  await nats?.stop();
});

async function get(url: string) {
  const res = await engine.api.inject({ url, headers: auth('admin') });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().rows as Array<Record<string, any>>;
}

describe('the demo city', () => {
  it('registers the city, its demo watchlists and a protection-order zone round a home with cameras', async () => {
    await registerCity(engine.address!, TOKENS.admin, city);
    const first = await addDemoWatchlists(engine.address!, TOKENS.admin, city);
    expect(first.plates.length).toBeGreaterThan(5);
    expect(first.zone).not.toBeNull();

    const lists = await get('/api/v1/watchlists');
    const plates = lists.find((l) => l.kind === 'plate')!;
    expect(plates.entries).toBe(first.plates.length);
    const [zone] = await get('/api/v1/geofences');
    expect(zone).toMatchObject({ name: first.zone, trigger: 'inside', watchlists: [plates.id] });
    const home = protectedHome(city)!;
    expect(zone.geometry.center).toEqual([home.lon, home.lat]);
    // A zone no camera sees would never hit: the chosen home has the most cameras round it.
    const seen = city.cameras.filter((c) => distanceMetres(home, c) <= zone.geometry.radiusM).length;
    expect(seen).toBeGreaterThanOrEqual(3);
    for (const block of city.places.blocks) {
      expect(city.cameras.filter((c) => distanceMetres(block, c) <= zone.geometry.radiusM).length).toBeLessThanOrEqual(seen);
    }
  });

  it('a second start refills the lists and keeps one zone', async () => {
    const again = await addDemoWatchlists(engine.address!, TOKENS.admin, city);
    expect((await get('/api/v1/watchlists')).map((l) => l.kind).sort()).toEqual(['face', 'plate']);
    expect((await get('/api/v1/geofences')).map((f) => f.name)).toEqual([again.zone]);
  });
});
