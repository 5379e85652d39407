// The Analysis and Investigation views in a real browser (Debian's chromium, headless) against
// a real engine and nats-server: the Columbus neighbourhoods as areas and a few weeks of
// incidents in them; plate reads with positions. The choropleth draws each area once, the
// trend chart renders, the factor and near-repeat tables fill, a 400 of the analytics is the
// panel's message, a plate search draws its trail, a dispatcher sees neither view, axe-core
// finds no serious violation, and no page logs an error it should not.

import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { auth, eventually, testConfig, TOKENS } from '../helpers/engine.js';
import { launchChromium, seriousViolations, watchForErrors } from '../helpers/browser.js';

const columbus = JSON.parse(readFileSync(new URL('../fixtures/columbus.geojson', import.meta.url), 'utf8'));
const AREA_IDS: string[] = columbus.features.map((f: any) => String(f.properties.id));
const DAY = 86_400_000;
const PLATE = '01X777XX';

let nats: TestNatsServer;
let engine: Engine;
let nc: NatsConnection;
let js: JetStreamClient;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let incidents = 0;

/** A point inside the area: the mean of its outer ring's vertices (Columbus's are near-convex). */
function inside(f: any): { lat: number; lon: number } {
  const ring = (f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0]).slice(0, -1) as number[][];
  return { lon: ring.reduce((s, p) => s + p[0], 0) / ring.length, lat: ring.reduce((s, p) => s + p[1], 0) / ring.length };
}

async function admin(method: 'PUT' | 'POST', url: string, payload: unknown) {
  const res = await engine.api.inject({ method, url, headers: auth('admin'), payload: payload as object });
  expect(res.statusCode, res.body).toBeLessThan(300);
}

async function openAs(role: keyof typeof TOKENS, view?: 'analysis' | 'investigation'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  watchForErrors(page, errors);
  await page.goto(`${base}/#token=${TOKENS[role]}`);
  await page.getByTestId('signed-in-as').waitFor();
  if (view) {
    await page.getByTestId(`nav-${view}`).click();
    await page.getByTestId(`view-${view}`).waitFor();
  }
  return page;
}

/** The browser logs a refused call (4xx) itself; a test that expects one takes it out of the list. */
function expectRefusedCalls(status: number): void {
  const others = errors.filter((e) => !e.includes(`status of ${status}`));
  expect(errors.length - others.length).toBeGreaterThan(0);
  errors.splice(0, errors.length, ...others);
}

beforeAll(async () => {
  [browser, nats] = await Promise.all([launchChromium(), TestNatsServer.start()]);
  engine = await Engine.start(testConfig(nats.url, { timezone: 'Asia/Tashkent' }), createLogger(process.env.VIGIL_TEST_LOG ?? 'silent'));
  base = engine.address!;
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  await admin('PUT', '/api/v1/areas', columbus);

  // Three weeks of incidents: many in the first eight neighbourhoods (a hot cluster), one in each
  // of the others; burglaries and thefts, rising towards today.
  const now = Date.now();
  const published: Promise<unknown>[] = [];
  columbus.features.forEach((f: any, i: number) => {
    const at = inside(f);
    const n = i < 8 ? 6 : 1;
    for (let k = 0; k < n; k++) {
      const type = k % 2 === 0 ? 'burglary' : 'theft';
      const ts = now - ((k * 3 + i) % 20) * DAY - 3_600_000;
      published.push(
        js.publish(`vigil.incident.${type}`, JSON.stringify({ id: `inc-${i}-${k}`, ts, lat: at.lat, lon: at.lon, source: 'call' })),
      );
      incidents++;
    }
  });

  // A car's trail: three fixed cameras and a patrol car's own position, in the last hours.
  await admin('PUT', '/api/v1/cameras', [
    { id: 'cam-north', lat: 41.33, lon: 69.28 },
    { id: 'cam-centre', lat: 41.311, lon: 69.279 },
    { id: 'cam-south', lat: 41.29, lon: 69.27 },
  ]);
  const reads = [
    ['cam-south', now - 3 * 3_600_000, {}],
    ['cam-centre', now - 2 * 3_600_000, {}],
    ['patrol-7', now - 90 * 60_000, { lat: 41.32, lon: 69.3 }],
    ['cam-north', now - 3_600_000, {}],
  ] as const;
  for (const [camera, ts, at] of reads) {
    published.push(js.publish(`vigil.det.${camera}`, encode({ ts, kind: 'plate', plate: PLATE, id: `trail-${camera}`, ...at })));
  }
  await Promise.all(published);
  await eventually(
    async () => Number((await engine.db.query('SELECT count(*) AS n FROM incidents'))[0].n) === incidents,
    20_000,
    'incidents',
  );
  await eventually(
    async () => Number((await engine.db.query(`SELECT count(*) AS n FROM sightings WHERE plate = '${PLATE}'`))[0].n) === reads.length,
    20_000,
    'plate reads',
  );
}, 60_000);

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  expect(errors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await nc?.close();
  await engine?.stop();
  await nats?.stop();
});

describe('the Analysis view', () => {
  it('draws each area once, the trend chart, the factor and near-repeat tables, with no serious axe violation', async () => {
    const page = await openAs('analyst', 'analysis');
    const areas = page.locator('[data-testid="map"] [data-testid="area"]');
    await expect.poll(() => areas.count()).toBe(AREA_IDS.length);
    const ids = await areas.evaluateAll((paths) => paths.map((p) => p.getAttribute('data-area-id')));
    expect(ids.sort()).toEqual([...AREA_IDS].sort());

    // Gi*: the legend lists the bins, and the hot cluster shows as hot spots.
    await page.getByTestId('legend').waitFor();
    await expect.poll(() => page.getByTestId('significant-areas').textContent()).toMatch(/Hot spots: area \d+/);
    // Shaded: at least one area is drawn in a hot colour.
    const fills = await areas.evaluateAll((paths) => paths.map((p) => p.getAttribute('fill')));
    expect(fills.some((f) => f === '#b2182b' || f === '#ef8a62' || f === '#fddbc7')).toBe(true);
    // Shaded by value instead: the legend lists classes of counts, the shapes are the same.
    await page.getByLabel('value (choropleth)').check();
    await expect.poll(() => page.getByTestId('legend').textContent()).not.toMatch(/Hot spot/);
    expect(await areas.count()).toBe(AREA_IDS.length);

    await page.locator('[data-testid="trend-chart"] canvas').waitFor();
    await expect.poll(() => page.getByTestId('trend-words').textContent()).toMatch(/Kendall's τ = -?\d\.\d\d, p [=<] \d/);

    // Factors: OLS of incidents on two of the uploaded factors.
    await page.locator('[data-testid="factor"][value="INC"]').check();
    await page.locator('[data-testid="factor"][value="HOVAL"]').check();
    await expect.poll(() => page.locator('[data-testid="factors-table"] tbody tr').count()).toBe(3);
    expect(await page.getByTestId('residual-moran').textContent()).toMatch(/z = |not computed|constant/);
    // The count models add the rate ratio.
    await page.getByTestId('factors-model').selectOption('poisson');
    await expect.poll(() => page.locator('[data-testid="factors-table"] thead').textContent()).toMatch(/Rate ratio/);

    // Near repeats: 5 distance bands × 4 time bands.
    await expect.poll(() => page.getByTestId('heat-cell').count(), { timeout: 15_000 }).toBe(20);

    expect(await seriousViolations(page)).toEqual([]);
  });

  it('filters every panel by incident type, and downloads what is shown as CSV', async () => {
    const page = await openAs('analyst', 'analysis');
    const type = page.getByTestId('analysis-type');
    await expect.poll(() => type.locator('option').allTextContents()).toEqual(['All types', 'burglary', 'theft']);
    await type.selectOption('burglary');
    await expect.poll(() => page.getByTestId('trend-words').textContent()).toMatch(/^Burglary incidents/);
    await page.locator('[data-testid="trend-chart"] canvas').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="panel-trend"] button.download').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^vigil-trends-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d-burglary-day\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('bucket,count,change');
  });

  it("shows the analytics' 400 as the panel's message, the areas still drawn", async () => {
    const page = await openAs('analyst', 'analysis');
    // The Columbus areas have no `population`: no rate per 1,000 people.
    await page.getByTestId('hotspot-variable').selectOption('incidentRate');
    const message = page.locator('[data-testid="panel-hotspots"] [data-testid="panel-error"]');
    await expect.poll(() => message.textContent()).toMatch(/population/);
    expect(await page.locator('[data-testid="area"]').count()).toBe(AREA_IDS.length);
    expectRefusedCalls(400);
  });
});

describe('the Investigation view', () => {
  it("draws a plate's trail in time order, one point per sighting, and lists it on the city's clock", async () => {
    const page = await openAs('analyst', 'investigation');
    const form = page.getByTestId('plate-search');
    await form.getByTestId('plate-input').fill('01x 777 xx');
    await form.getByTestId('plate-reason').fill('case 2026/114: stolen car');
    await form.getByTestId('plate-submit').click();
    await expect.poll(() => page.locator('[data-testid="map"] [data-testid="trail-point"]').count()).toBe(4);
    const rows = page.getByTestId('sighting-row');
    expect(await rows.count()).toBe(4);
    expect(await rows.locator('td:nth-child(3)').allTextContents()).toEqual(['cam-south', 'cam-centre', 'patrol-7', 'cam-north']);
    expect(await rows.first().locator('time').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const numbers = await page.getByTestId('trail-point').evaluateAll((points) => points.map((p) => p.getAttribute('data-n')));
    expect(numbers).toEqual(['1', '2', '3', '4']);

    // The search was audited, with its reason.
    const audit = (await engine.api.inject({ url: '/api/v1/audit?action=sightings.search', headers: auth('admin') })).json();
    expect((audit.rows ?? audit)[0]).toMatchObject({ actor: 'analyst-user', target: PLATE, reason: 'case 2026/114: stolen car' });

    expect(await seriousViolations(page)).toEqual([]);
  });

  it('pages on with "Load more", the trail growing in time order', async () => {
    const page = await openAs('analyst', 'investigation');
    // Pages of 3 rows (the view asks for the API's default of 1,000): the second page holds the last read.
    await page.route('**/api/v1/sightings?**', (route) => route.continue({ url: `${route.request().url()}&limit=3` }));
    await page.getByTestId('plate-input').fill('01X*XX');
    await page.getByTestId('plate-reason').fill('case 2026/114: stolen car');
    await page.getByTestId('plate-submit').click();
    await expect.poll(() => page.getByTestId('trail-point').count()).toBe(3);
    await page.getByTestId('load-more').click();
    await expect.poll(() => page.getByTestId('trail-point').count()).toBe(4);
    expect(await page.getByTestId('sighting-row').locator('td:nth-child(3)').allTextContents()).toEqual([
      'cam-south',
      'cam-centre',
      'patrol-7',
      'cam-north',
    ]);
    expect(await page.getByTestId('load-more').count()).toBe(0);
  });

  it('shows the API refusing a pattern with too few letters or digits', async () => {
    const page = await openAs('admin', 'investigation');
    await page.getByTestId('plate-input').fill('0*');
    await page.getByTestId('plate-reason').fill('checking the form');
    await page.getByTestId('plate-submit').click();
    await expect.poll(() => page.getByTestId('plate-error').textContent()).toMatch(/querystring\.plate/);
    expect(await page.getByTestId('trail-point').count()).toBe(0);
    expectRefusedCalls(400);
  });

  it('is not offered to a dispatcher, nor is Analysis', async () => {
    const page = await openAs('dispatcher');
    expect(await page.getByTestId('nav-dispatch').count()).toBe(1);
    expect(await page.getByTestId('nav-analysis').count()).toBe(0);
    expect(await page.getByTestId('nav-investigation').count()).toBe(0);
  });
});
