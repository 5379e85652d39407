// The Rules view in a real browser (Debian's chromium, headless) against a real engine and
// nats-server: an admin creates a watchlist with its legal basis, adds entries from a CSV file
// (a key repeated, a bad key named by its line), creates geofences by typed coordinates and by
// clicks on the map, and deletes one; a dispatcher is not offered the view. No page error.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { auth, testConfig, TOKENS } from '../helpers/engine.js';
import { launchChromium, watchForErrors } from '../helpers/browser.js';

let nats: TestNatsServer;
let engine: Engine;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];
const errors: string[] = [];

async function api(url: string) {
  const res = await engine.api.inject({ url, headers: auth('admin') });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function openSignedIn(role: keyof typeof TOKENS, into: string[] = errors): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  watchForErrors(page, into);
  await page.goto(`${base}/#token=${TOKENS[role]}`);
  await page.getByTestId('signed-in-as').waitFor();
  return page;
}

async function openRules(into?: string[]): Promise<Page> {
  const page = await openSignedIn('admin', into);
  await page.getByTestId('nav-rules').click();
  await page.locator('[data-testid="watchlists"][aria-busy="false"]').waitFor();
  return page;
}

async function createWatchlist(page: Page, name: string): Promise<string> {
  await page.getByTestId('wl-name').fill(name);
  await page.getByTestId('wl-priority').fill('80');
  await page.getByTestId('wl-legal-basis').fill('protection orders, court register 2026/114');
  await page.getByTestId('wl-expires').fill('2099-12-31');
  await page.getByTestId('wl-create').click();
  const row = page.locator('[data-testid="watchlist-row"]', { hasText: name });
  await row.waitFor();
  return (await row.getAttribute('data-watchlist-id'))!;
}

function csvFile(text: string) {
  return { name: 'entries.csv', mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') };
}

beforeAll(async () => {
  browser = await launchChromium();
  nats = await TestNatsServer.start();
  engine = await Engine.start(testConfig(nats.url, { timezone: 'Asia/Tashkent' }), createLogger(process.env.VIGIL_TEST_LOG ?? 'silent'));
  base = engine.address!;
  // One mahalla around the city centre: the geofence map draws it as its base.
  const ring = [
    [69.26, 41.3],
    [69.3, 41.3],
    [69.3, 41.33],
    [69.26, 41.33],
    [69.26, 41.3],
  ];
  const res = await engine.api.inject({
    method: 'PUT',
    url: '/api/v1/areas',
    headers: auth('admin'),
    payload: {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { id: 'm-1', name: 'Centre' }, geometry: { type: 'Polygon', coordinates: [ring] } }],
    },
  });
  expect(res.statusCode, res.body).toBe(200);
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  expect(errors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await engine?.stop();
  await nats?.stop();
});

describe('the Rules view', () => {
  it('creates a watchlist with its legal basis and adds entries from a CSV file, saying which key repeated', async () => {
    const page = await openRules();
    const id = await createWatchlist(page, 'protection orders');
    const lists = (await api('/api/v1/watchlists')).rows;
    expect(lists.find((w: { id: string }) => w.id === id)).toMatchObject({
      name: 'protection orders',
      kind: 'plate',
      priority: 80,
      legalBasis: 'protection orders, court register 2026/114',
      // 00:00 of 2099-12-31 on Tashkent's clock (UTC+5).
      expiresAt: '2099-12-30T19:00:00.000Z',
      match: { ocrEquivalence: true, maxEdits: 0 },
    });

    await page.locator(`[data-watchlist-id="${id}"] [data-testid="upload-entries"]`).click();
    await page
      .getByTestId('entries-file')
      .setInputFiles(
        csvFile('key,label,reference\r\n01 A 777 AA,first,"case 7, appeal"\r\n01B888BB,"van, ""blue""",\r\n01a777aa,second,\r\n'),
      );
    await expect.poll(() => page.getByTestId('entries-count').textContent()).toMatch(/^3 entries in entries\.csv/);
    expect(await page.getByTestId('entries-preview').locator('tbody tr').count()).toBe(3);
    await page.getByTestId('entries-send').click();
    await expect
      .poll(() => page.getByTestId('entries-result').textContent())
      .toBe('2 entries added or replaced; 1 key appeared more than once, the last one kept');

    const after = (await api('/api/v1/watchlists')).rows.find((w: { id: string }) => w.id === id);
    expect(after.entries).toBe(2);
    await expect.poll(() => page.locator(`[data-watchlist-id="${id}"] [data-testid="watchlist-entries"]`).textContent()).toBe('2');
  });

  it('names the CSV line of an entry the API refuses, and stores nothing of that upload', async () => {
    const seen: string[] = [];
    const page = await openRules(seen);
    const id = await createWatchlist(page, 'bad file');
    await page.locator(`[data-watchlist-id="${id}"] [data-testid="upload-entries"]`).click();
    await page.getByTestId('entries-file').setInputFiles(csvFile('key,label\n01A111AA,ok\n"!!",\n'));
    await page.getByTestId('entries-send').click();
    await expect
      .poll(() => page.getByTestId('entries-error').textContent())
      .toMatch(/^line 3 \(body\[1\]\)\.key '!!' .*Nothing was stored\.$/);
    expect((await api('/api/v1/watchlists')).rows.find((w: { id: string }) => w.id === id).entries).toBe(0);
    // A file that is not CSV is refused in the page, naming its line, before anything is sent.
    await page.getByTestId('entries-file').setInputFiles(csvFile('key\n01A111AA\n"open\n'));
    await expect.poll(() => page.getByTestId('entries-error').textContent()).toBe('entries.csv, line 3: a quoted field is not closed');
    // The browser logs the refused request itself; nothing else may be in the console.
    expect(seen.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  it('creates a circle geofence from typed coordinates, limited to a plate list', async () => {
    const page = await openRules();
    const list = await createWatchlist(page, 'respondents');
    await page.getByTestId('circle-lat').fill('41.3111');
    await page.getByTestId('circle-lon').fill('69.2797');
    await page.getByTestId('circle-radius').fill('750');
    await page.getByTestId('circle-place').click();
    await expect.poll(() => page.getByTestId('draw-instruction').textContent()).toBe('Circle of 750 m drawn.');
    await page.getByTestId('gf-name').fill('school perimeter');
    await page.getByTestId('gf-trigger').selectOption('dwell');
    await page.getByTestId('gf-dwell').fill('600');
    await page.getByTestId('gf-watchlists').selectOption(list);
    await page.getByTestId('gf-priority').fill('90');
    await page.getByTestId('gf-create').click();
    await page.locator('[data-testid="geofence-row"]', { hasText: 'school perimeter' }).waitFor();

    const fence = (await api('/api/v1/geofences')).rows.find((g: { name: string }) => g.name === 'school perimeter');
    expect(fence).toMatchObject({
      geometry: { type: 'Circle', center: [69.2797, 41.3111], radiusM: 750 },
      trigger: 'dwell',
      dwellSeconds: 600,
      watchlists: [list],
      priority: 90,
      cooldownSeconds: 60,
    });
    // Shown on the map (interactive, with its name as a tooltip), over the mahalla drawn faintly (not interactive).
    await expect.poll(() => page.locator('[data-testid="map"] path.leaflet-interactive').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="map"] path:not(.leaflet-interactive)').count()).toBeGreaterThan(0);
  });

  it('draws a circle and a polygon with the mouse, and deletes a geofence after confirming', async () => {
    const page = await openRules();
    // Frame the city first: a typed circle brings the map to it.
    await page.getByTestId('circle-lat').fill('41.3111');
    await page.getByTestId('circle-lon').fill('69.2797');
    await page.getByTestId('circle-radius').fill('1000');
    await page.getByTestId('circle-place').click();
    const map = page.getByTestId('map');
    // The mouse acts at viewport coordinates: the map must be on screen.
    await map.scrollIntoViewIfNeeded();
    const box = (await map.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;

    // Circle: press on the centre, drag to the edge.
    await page.getByTestId('tool-circle').click();
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + 60, cy, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('draw-instruction').textContent()).toMatch(/^Circle of [\d,]+ m drawn\.$/);
    const radius = Number((await page.getByTestId('circle-radius').inputValue()).replace(/,/g, ''));
    expect(radius).toBeGreaterThan(50);
    expect(Math.abs(Number(await page.getByTestId('circle-lat').inputValue()) - 41.3111)).toBeLessThan(0.01);

    // Polygon: three clicks, the last a double-click.
    await page.getByTestId('tool-polygon').click();
    await page.mouse.click(cx - 80, cy - 60);
    await page.mouse.click(cx + 80, cy - 60);
    await page.mouse.dblclick(cx, cy + 70);
    await expect.poll(() => page.getByTestId('draw-instruction').textContent()).toBe('Polygon of 3 vertices drawn.');
    await page.getByTestId('gf-name').fill('market square');
    await page.getByTestId('gf-create').click();
    const row = page.locator('[data-testid="geofence-row"]', { hasText: 'market square' });
    await row.waitFor();
    const fence = (await api('/api/v1/geofences')).rows.find((g: { name: string }) => g.name === 'market square');
    expect(fence.geometry.type).toBe('Polygon');
    expect(fence.geometry.coordinates[0]).toHaveLength(4);
    expect(fence.trigger).toBe('enter');

    // Escape puts a half-drawn polygon down.
    await page.getByTestId('tool-polygon').click();
    await page.mouse.click(cx - 40, cy);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('tool-polygon').getAttribute('aria-pressed')).toBe('false');

    await row.getByTestId('delete').click();
    await row.getByTestId('confirm-delete').click();
    await row.waitFor({ state: 'detached' });
    expect((await api('/api/v1/geofences')).rows.some((g: { name: string }) => g.name === 'market square')).toBe(false);
  });

  it('is not offered to a dispatcher', async () => {
    const page = await openSignedIn('dispatcher');
    expect(await page.getByTestId('nav-dispatch').count()).toBe(1);
    expect(await page.getByTestId('nav-rules').count()).toBe(0);
  });
});
