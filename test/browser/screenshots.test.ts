// Every view of the situation centre at 1440×900 over a simulated city with a month of
// history: each view must draw without an error or a serious axe-core violation, and
// `npm run screenshots` keeps the pictures (docs/screenshots/, shown in the README). Without VIGIL_SCREENSHOTS_DIR they go to a
// temporary folder: the run is still a test that every view renders with real data.

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Browser, Page } from 'playwright-core';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';
import { buildCity } from '../../engine/sim/city.js';
import { addDemoWatchlists, registerCity } from '../../engine/sim/register.js';
import { runSimulation } from '../../engine/sim/simulator.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { auth, eventually, testConfig, TOKENS } from '../helpers/engine.js';
import { launchChromium, seriousViolations, watchForErrors } from '../helpers/browser.js';

const DAY_MS = 86_400_000;
// The Analysis view's default window: the trend and hotspots draw the whole of it.
const HISTORY_DAYS = 30;
const out = process.env.VIGIL_SCREENSHOTS_DIR ? resolve(process.env.VIGIL_SCREENSHOTS_DIR) : mkdtempSync(join(tmpdir(), 'vigil-shots-'));

let nats: TestNatsServer;
let engine: Engine;
let nc: NatsConnection;
let browser: Browser;
let page: Page;
let plates: string[] = [];
const errors: string[] = [];
const city = buildCity({ seed: 1, cameras: 300 });

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  nats = await TestNatsServer.start();
  engine = await Engine.start(testConfig(nats.url, { timezone: 'Asia/Tashkent' }), createLogger(process.env.VIGIL_TEST_LOG ?? 'silent'));
  nc = await connect({ servers: nats.url });
  await registerCity(engine.address!, TOKENS.admin, city);
  plates = (await addDemoWatchlists(engine.address!, TOKENS.admin, city)).plates;
  // A month of the city in 6 s (reads and incidents on the simulated clock), then live.
  const speed = (HISTORY_DAYS * DAY_MS) / 6000;
  const common = { nc, prefix: 'vigil', city, seed: 1, batch: 50, jetstream: true } as const;
  await runSimulation({
    ...common,
    rate: 4000,
    durationSeconds: 6,
    // Per real minute: about 600 incidents over the simulated month, enough for hotspots and a trend.
    incidentsPerMinute: 6000,
    start: Date.now() - HISTORY_DAYS * DAY_MS,
    speed,
  });
  await runSimulation({ ...common, rate: 1000, durationSeconds: 3, incidentsPerMinute: 30 });
  await eventually(
    async () => (await engine.api.inject({ url: '/api/v1/hits?limit=5', headers: auth('admin') })).json().rows.length > 0,
    20_000,
    'hits of the demo plates',
  );
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  watchForErrors(page, errors);
  await page.goto(`${engine.address}/#token=${TOKENS.admin}`);
  await page.getByTestId('signed-in-as').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await nc?.close();
  await engine?.stop();
  await nats?.stop();
});

async function shoot(name: string): Promise<void> {
  // Let maps and charts settle (Leaflet fits its bounds with an animation).
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(out, `${name}.png`) });
  expect(errors.splice(0)).toEqual([]);
  // The whole page with real data on it, the shell included: no serious or critical axe violation.
  expect(await seriousViolations(page, 'body')).toEqual([]);
}

describe('the situation centre over a simulated city', () => {
  it('dispatch: the live board with the demo hits, on the map', async () => {
    await page.getByTestId('nav-dispatch').click();
    await expect.poll(() => page.getByTestId('hit-row').count()).toBeGreaterThan(0);
    // A demo plate's hit, picked: its trail of the hour before and the nearest patrol cars and drones.
    await page.getByTestId('hit-row').filter({ hasText: 'demo plates' }).first().getByTestId('show-hit').click();
    await page.locator('[data-testid="hit-context"][aria-busy="false"]').waitFor();
    await shoot('dispatch');
  });

  it('analysis: the mahallas, hotspots and trend of a month of incidents', async () => {
    await page.getByTestId('nav-analysis').click();
    await expect.poll(() => page.getByTestId('area').count()).toBe(city.areas.features.length);
    await page.getByTestId('trend-chart').locator('canvas').first().waitFor();
    await shoot('analysis');
  });

  it("investigation: a demo plate's trail", async () => {
    await page.getByTestId('nav-investigation').click();
    const form = page.getByTestId('plate-search');
    await form.getByTestId('plate-input').fill(plates[0]);
    await form.getByTestId('plate-reason').fill('screenshot of the demo city');
    await form.getByTestId('plate-submit').click();
    await expect.poll(() => page.getByTestId('trail-point').count()).toBeGreaterThan(1);
    await shoot('investigation');
  });

  it('rules: the demo watchlists and the protection-order zone', async () => {
    await page.getByTestId('nav-rules').click();
    await page.getByText('vigil simulate: demo plates').first().waitFor();
    await shoot('rules');
  });
});
