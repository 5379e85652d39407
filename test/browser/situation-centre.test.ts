// The situation centre in a real browser (Debian's chromium, headless) against a real engine and
// nats-server: sign-in by link, the live hit board, a dispatcher's decisions reaching the API and
// the audit log, panic alarms, the views each role sees, and no error in any page.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { auth, testConfig, TOKENS } from '../helpers/engine.js';
import { launchChromium, watchForErrors } from '../helpers/browser.js';
import { CuttableProxy } from '../helpers/cuttable-proxy.js';

let nats: TestNatsServer;
let engine: Engine;
let nc: NatsConnection;
let js: JetStreamClient;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let readSeq = 0;

/**
 * The browser logs every refused call as a console error of its own. The analytics answer 400 for
 * a city without areas or incidents, as this one is (degenerate data, by design), and the Analysis
 * view shows that message in its panel: those lines are not errors of the app.
 */
const EMPTY_CITY_ANALYTICS =
  /^console\.error: Failed to load resource: the server responded with a status of 400 \(Bad Request\) \(http:\/\/[^/]+\/api\/v1\/analytics\//;

const CAMERA = { id: 'cam-1', lat: 41.3111, lon: 69.2797 };

async function admin(method: 'POST' | 'PUT', url: string, body: unknown) {
  const res = await engine.api.inject({ method, url, headers: auth('admin'), payload: body as object });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

async function readPlate(plate: string): Promise<void> {
  await js.publish(`vigil.det.${CAMERA.id}`, encode({ ts: Date.now(), kind: 'plate', plate, id: `browser-read-${readSeq++}` }));
}

/** A fresh browser profile (its own sessionStorage), signed in by the link `npm start` prints. */
async function openSignedIn(role: keyof typeof TOKENS): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  watchForErrors(page, errors);
  await page.goto(`${base}/#token=${TOKENS[role]}`);
  await page.getByTestId('signed-in-as').waitFor();
  return page;
}

/**
 * Reads `plate` on NATS and returns the id of the row it brings to the board (rows already there,
 * of earlier reads of the same plate, do not count) and how long after the publish the row was
 * added to the page, as the page's own MutationObserver saw it (the test's polling not counted).
 */
async function readPlateOnto(page: Page, plate: string): Promise<string> {
  return (await timedReadOnto(page, plate)).id;
}

async function timedReadOnto(page: Page, plate: string): Promise<{ id: string; ms: number }> {
  await page.evaluate(() => {
    const w = window as unknown as { rowAddedAt?: Record<string, number> };
    if (w.rowAddedAt) return;
    const seen: Record<string, number> = {};
    w.rowAddedAt = seen;
    const note = (row: Element) => {
      const id = row.getAttribute('data-hit-id');
      if (id && !(id in seen)) seen[id] = Date.now();
    };
    for (const row of document.querySelectorAll('[data-testid="hit-row"]')) note(row);
    new MutationObserver((records) => {
      for (const r of records)
        for (const n of r.addedNodes) {
          if (!(n instanceof Element)) continue;
          if (n.matches('[data-testid="hit-row"]')) note(n);
          for (const row of n.querySelectorAll('[data-testid="hit-row"]')) note(row);
        }
    }).observe(document.body, { childList: true, subtree: true });
  });
  const before = new Set(await page.getByTestId('hit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-hit-id'))));
  const published = Date.now();
  await readPlate(plate);
  const deadline = published + 5000;
  for (;;) {
    const ids = await page
      .getByTestId('hit-row')
      .filter({ hasText: plate })
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-hit-id')));
    const fresh = ids.find((id) => id !== null && !before.has(id));
    if (fresh) {
      const at = await page.evaluate((id) => (window as unknown as { rowAddedAt: Record<string, number> }).rowAddedAt[id], fresh);
      return { id: fresh, ms: at - published };
    }
    if (Date.now() > deadline) throw new Error(`no new row for ${plate} on the board within 5 s`);
    await page.waitForTimeout(25);
  }
}

/** The board once its stream is live and its backlog loaded: from then on no hit can be missed. */
async function liveBoard(page: Page): Promise<void> {
  await page.getByTestId('hit-board').waitFor();
  await page.locator('[data-testid="stream-state"]', { hasText: 'Live' }).waitFor();
  await page.locator('[data-testid="hit-board"][aria-busy="false"]').waitFor();
}

beforeAll(async () => {
  browser = await launchChromium();
  nats = await TestNatsServer.start();
  engine = await Engine.start(testConfig(nats.url, { timezone: 'Asia/Tashkent' }), createLogger(process.env.VIGIL_TEST_LOG ?? 'silent'));
  base = engine.address!;
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  await admin('PUT', '/api/v1/cameras', [CAMERA]);
  const list = await admin('POST', '/api/v1/watchlists', {
    name: 'stolen cars',
    kind: 'plate',
    priority: 75,
    legalBasis: 'theft reports register',
    cooldownSeconds: 0,
  });
  await admin('POST', `/api/v1/watchlists/${list.id}/entries`, [
    { key: '01 A 111 AA', label: 'red sedan' },
    { key: '01 B 222 BB', label: 'blue van' },
  ]);
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  // Every page of every test: no uncaught error, no console error.
  expect(errors.splice(0).filter((e) => !EMPTY_CITY_ANALYTICS.test(e))).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await nc?.close();
  await engine?.stop();
  await nats?.stop();
});

describe('the situation centre', () => {
  it('signs in from the link fragment, takes the token out of the address, and keeps the session on reload', async () => {
    const page = await openSignedIn('dispatcher');
    expect(page.url()).toBe(`${base}/`);
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toContain('dispatcher-user');
    expect(await page.evaluate(() => sessionStorage.getItem('vigil.token'))).toBe(TOKENS.dispatcher);
    await page.reload();
    await page.getByTestId('signed-in-as').waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('token-input').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('vigil.token'))).toBeNull();
  });

  it('signs in with a pasted token', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    watchForErrors(page, errors);
    await page.goto(`${base}/`);
    await page.getByTestId('token-input').fill(TOKENS.analyst);
    await page.getByTestId('sign-in-submit').click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toContain('analyst-user');
  });

  it('returns to sign-in, saying why, when the engine refuses the token', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const seen: string[] = [];
    watchForErrors(page, seen);
    await page.goto(`${base}/#token=not-a-vigil-token`);
    await expect.poll(() => page.getByTestId('signed-out-because').textContent()).toMatch(/sign in again/);
    expect(page.url()).toBe(`${base}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('vigil.token'))).toBeNull();
    // The browser logs the refused call itself; nothing else may be in the console.
    expect(seen.filter((e) => !/status of 401/.test(e))).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('shows a listed plate read on NATS on the board within 2 s, with a marker on the map', async () => {
    const page = await openSignedIn('dispatcher');
    await liveBoard(page);
    const { id, ms } = await timedReadOnto(page, '01A111AA');
    expect(ms, 'from the publish to the row on the page').toBeLessThan(2000);
    expect(id).toMatch(/^d\d+\.0\.w\./);
    const row = page.locator(`[data-testid="hit-row"][data-hit-id="${id}"]`);
    // The read's time on the city's clock (Tashkent, UTC+5), not the browser's.
    expect(await row.locator('time').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await expect.poll(() => page.locator('[data-testid="map"] path.leaflet-interactive').count()).toBeGreaterThan(0);
  });

  it("shows a picked hit's trail of the hour before, one point per sighting, and the nearest unit with its distance", async () => {
    // A patrol car: its reads carry its own position, about a kilometre north of the camera.
    await js.publish(
      'vigil.det.car-7',
      encode({ ts: Date.now(), kind: 'plate', plate: '10X999XX', id: `browser-read-${readSeq++}`, lat: 41.32, lon: 69.2797 }),
    );
    const page = await openSignedIn('dispatcher');
    await liveBoard(page);
    await readPlate('01A111AA');
    const id = await readPlateOnto(page, '01A111AA');
    await page.locator(`[data-hit-id="${id}"] [data-testid="show-hit"]`).click();
    const unit = page.locator('[data-testid="unit-row"][data-camera="car-7"]');
    await unit.waitFor();
    expect(await unit.getByTestId('unit-distance').textContent()).toMatch(/^9\d\d m$/);
    const context = (await engine.api.inject({ url: `/api/v1/hits/${id}/context`, headers: auth('dispatcher') })).json();
    expect(context.trail.rows.length).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.locator('[data-testid="map"] [data-testid="trail-point"]').count()).toBe(context.trail.rows.length);
    expect(await page.locator('[data-testid="map"] [data-testid="unit-marker"][data-camera="car-7"]').count()).toBe(1);
    // The trail is a person's movements: picking the hit was audited, its reason the hit.
    const audit = (await engine.api.inject({ url: '/api/v1/audit?action=hit.context', headers: auth('admin') })).json();
    expect((audit.rows ?? audit).some((r: { target: string; actor: string }) => r.target === id && r.actor === 'dispatcher-user')).toBe(
      true,
    );
  });

  it('accepts and rejects hits from the board: GET /api/v1/hits carries the ack, the audit log the decision', async () => {
    const page = await openSignedIn('dispatcher');
    await liveBoard(page);
    const id = await readPlateOnto(page, '01B222BB');
    await page.locator(`[data-hit-id="${id}"] [data-testid="ack"]`).click();
    const decided = page.locator(`[data-testid="hit-row"][data-hit-id="${id}"] [data-testid="ack-status"]`);
    await expect.poll(() => decided.getAttribute('data-status')).toBe('accepted');

    const hits = (await engine.api.inject({ url: '/api/v1/hits?limit=100', headers: auth('dispatcher') })).json();
    expect(hits.rows.find((h: { id: string }) => h.id === id)?.ack).toMatchObject({ status: 'accepted', by: 'dispatcher-user' });
    const audit = (await engine.api.inject({ url: '/api/v1/audit?action=hit.ack', headers: auth('admin') })).json();
    const rows = audit.rows ?? audit;
    expect(rows.some((r: { target: string; actor: string }) => r.target === id && r.actor === 'dispatcher-user')).toBe(true);

    // A rejection needs a reason of at least 3 characters.
    const nextId = await readPlateOnto(page, '01A111AA');
    await page.locator(`[data-hit-id="${nextId}"] [data-testid="reject"]`).click();
    const confirm = page.locator(`[data-hit-id="${nextId}"] [data-testid="reject-confirm"]`);
    await page.locator(`[data-hit-id="${nextId}"] [data-testid="reject-reason"]`).fill('no');
    expect(await confirm.isDisabled()).toBe(true);
    await page.locator(`[data-hit-id="${nextId}"] [data-testid="reject-reason"]`).fill('wrong car, plate misread');
    await confirm.click();
    await expect
      .poll(() => page.locator(`[data-hit-id="${nextId}"] [data-testid="ack-status"]`).getAttribute('data-status'))
      .toBe('rejected');
    const after = (await engine.api.inject({ url: '/api/v1/hits?limit=100', headers: auth('dispatcher') })).json();
    expect(after.rows.find((h: { id: string }) => h.id === nextId)?.ack).toMatchObject({
      status: 'rejected',
      reason: 'wrong car, plate misread',
    });
  });

  it('shows a decision made at one desk on every open board (event: ack)', async () => {
    const [desk1, desk2] = [await openSignedIn('dispatcher'), await openSignedIn('admin')];
    await liveBoard(desk1);
    await liveBoard(desk2);
    const id = await readPlateOnto(desk1, '01B222BB');
    await desk2.locator(`[data-hit-id="${id}"]`).waitFor({ timeout: 2000 });
    await desk1.locator(`[data-hit-id="${id}"] [data-testid="ack"]`).click();
    await expect
      .poll(() => desk2.locator(`[data-hit-id="${id}"] [data-testid="ack-status"]`).textContent())
      .toMatch(/accepted by dispatcher-user/);
  });

  it('loses and doubles no hit across a dropped connection: it resumes with Last-Event-ID', async () => {
    const proxy = await CuttableProxy.start(base);
    const via = proxy.url.replace(/^nats:/, 'http:');
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const seen: string[] = [];
    watchForErrors(page, seen);
    const resumedFrom: string[] = [];
    page.on('request', (r) => {
      const last = r.headers()['last-event-id'];
      if (r.url().includes('/api/v1/hits/stream') && last) resumedFrom.push(last);
    });
    try {
      await page.goto(`${via}/#token=${TOKENS.dispatcher}`);
      await liveBoard(page);
      const before = await readPlateOnto(page, '01A111AA');
      proxy.cut();
      // Published while the board is cut off: it must come once, by the resumed stream or the backlog.
      await readPlate('01B222BB');
      await expect.poll(() => page.getByTestId('hit-row').filter({ hasText: '01B222BB' }).count(), { timeout: 5000 }).toBeGreaterThan(0);
      const ids = await page.getByTestId('hit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-hit-id')));
      expect(ids.length, 'each hit once').toBe(new Set(ids).size);
      expect(ids).toContain(before);
      await expect.poll(() => resumedFrom.length, { timeout: 5000 }).toBeGreaterThan(0);
      expect(resumedFrom[0]).toMatch(/^\d+$/);
      await page.locator('[data-testid="stream-state"]', { hasText: 'Live' }).waitFor({ timeout: 5000 });
      // The cut stream is the browser's own console line (a network error), nothing else.
      expect(seen.filter((e) => !/net::ERR_|Failed to load resource/.test(e))).toEqual([]);
    } finally {
      proxy.cut();
      await proxy.stop();
    }
  });

  it('keeps up with 100 hits a second: every hit on the board, the page never blocked for long', async () => {
    const page = await openSignedIn('dispatcher');
    await liveBoard(page);
    const before = await page.getByTestId('hit-row').count();
    await page.evaluate(() => {
      const w = window as unknown as { longest: number };
      w.longest = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
      }).observe({ type: 'longtask' });
    });
    const burst = 200;
    for (let i = 0; i < burst; i += 10) {
      const tick = Date.now();
      await Promise.all(Array.from({ length: 10 }, () => readPlate('01A111AA')));
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
    }
    await expect.poll(() => page.getByTestId('hit-row').count(), { timeout: 5000 }).toBe(before + burst);
    const longest = await page.evaluate(() => (window as unknown as { longest: number }).longest);
    console.log(`100 hits/s for 2 s: longest task on the page ${Math.round(longest)} ms`);
    // About 60 ms on an idle 2-core machine, 300 ms beside a benchmark; the bound catches only a
    // board that blocks the page for whole seconds (a render per hit, or of every hit kept).
    expect(longest).toBeLessThan(1000);
  });

  it('pins a panic alarm to the top of the board and announces it', async () => {
    const page = await openSignedIn('dispatcher');
    await liveBoard(page);
    await readPlate('01A111AA');
    await nc.publish(
      'vigil.incident.panic',
      JSON.stringify({ id: 'browser-panic-1', ts: Date.now(), lat: CAMERA.lat, lon: CAMERA.lon, source: 'panic_button', severity: 5 }),
    );
    const panic = page.locator('[data-testid="hit-row"][data-hit-id="p.browser-panic-1"]');
    await panic.waitFor({ timeout: 2000 });
    expect(await panic.getAttribute('class')).toMatch(/\bpanic\b/);
    expect(await page.getByTestId('hit-row').first().getAttribute('data-hit-id')).toBe('p.browser-panic-1');
    await expect.poll(() => page.getByTestId('panic-announcement').textContent()).toMatch(/Panic alarm/);
    expect(await page.getByTestId('panic-announcement').getAttribute('aria-live')).toBe('assertive');
  });

  it('shows each role only its views: no Rules for a dispatcher, no Dispatch for an analyst, all for an admin', async () => {
    const dispatcher = await openSignedIn('dispatcher');
    expect(await dispatcher.getByTestId('nav-dispatch').count()).toBe(1);
    expect(await dispatcher.getByTestId('nav-rules').count()).toBe(0);
    expect(await dispatcher.getByTestId('nav-analysis').count()).toBe(0);

    const analyst = await openSignedIn('analyst');
    expect(await analyst.getByTestId('nav-dispatch').count()).toBe(0);
    expect(await analyst.getByTestId('hit-board').count()).toBe(0);
    expect(await analyst.getByTestId('nav-rules').count()).toBe(0);
    for (const view of ['analysis', 'investigation']) {
      await analyst.getByTestId(`nav-${view}`).click();
      await analyst.getByTestId(`view-${view}`).waitFor();
    }

    // The admin opens every view, each without an error (the afterEach checks the console).
    const adminPage = await openSignedIn('admin');
    for (const view of ['dispatch', 'analysis', 'investigation', 'rules']) {
      await adminPage.getByTestId(`nav-${view}`).click();
      await adminPage.getByTestId(`view-${view}`).waitFor();
      if (view === 'dispatch') await liveBoard(adminPage);
    }
  });
});
