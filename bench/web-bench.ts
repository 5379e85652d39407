// `vigil bench web`: the situation centre in a real browser (Debian's chromium, through
// playwright-core, as the browser tests) against a local engine and nats-server, measured:
//
// - first load: from navigation to a live board with its first hit drawn, in a fresh browser
//   profile (nothing cached), against the floor of the same browser opening a blank page of the
//   same origin (`/healthz`) in the same run; then a reload with the assets cached.
// - the board under load: `--rate` hits a second for `--seconds`, every one a listed plate read
//   on JetStream, against the same page idle for as long, in the same run: the longest task
//   (PerformanceObserver 'longtask', tasks of 50 ms or more), the share of the time spent in
//   long tasks, and the gaps between animation frames (p95, longest). Every hit must be on the
//   board at the end, or the run fails.
//
// Needs the dev dependencies (playwright-core) and Debian's chromium (VIGIL_CHROMIUM elsewhere).

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encode } from '@msgpack/msgpack';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Page } from 'playwright-core';
import { Engine } from '../app/engine.js';
import { validateConfig } from '../engine/config.js';
import { createLogger } from '../engine/logger.js';
import { freePort, PrivateNatsServer } from '../engine/nats/private-server.js';

const TOKEN = 'bench-web-admin-token';
const PLATE = '01W777EB';
const CAMERA = { id: 'cam-web-1', lat: 41.3111, lon: 69.2797 };

interface PageLoad {
  /** Navigation start → the board live with its first row drawn (or, for the floor, the load event). */
  ms: number;
  /** JavaScript bytes over the wire (compressed as sent). */
  scriptBytes: number;
}

interface Smoothness {
  longestTaskMs: number;
  longTaskShare: number;
  frameGapP95Ms: number;
  frameGapMaxMs: number;
}

export interface WebBenchResult {
  blankLoad: PageLoad;
  coldLoad: PageLoad;
  warmLoad: PageLoad;
  idle: Smoothness;
  loaded: Smoothness & { rate: number; seconds: number; hits: number; rowsShown: number };
}

async function timedLoad(page: Page, url: string, ready: (p: Page) => Promise<void>): Promise<PageLoad> {
  const started = Date.now();
  await page.goto(url);
  await ready(page);
  const ms = Date.now() - started;
  const scriptBytes = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => (e as PerformanceResourceTiming).initiatorType === 'script' || e.name.endsWith('.js'))
      .reduce((sum, e) => sum + (e as PerformanceResourceTiming).transferSize, 0),
  );
  return { ms, scriptBytes };
}

async function boardReady(page: Page): Promise<void> {
  await page.locator('[data-testid="stream-state"]', { hasText: 'Live' }).waitFor();
  await page.getByTestId('hit-row').first().waitFor();
}

/** Starts recording long tasks and frame gaps in the page; the returned function stops and reads them. */
async function watchSmoothness(page: Page): Promise<() => Promise<Smoothness>> {
  await page.evaluate(() => {
    const w = window as unknown as { bench: { tasks: number[]; gaps: number[]; since: number; on: boolean } };
    w.bench = { tasks: [], gaps: [], since: performance.now(), on: true };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.bench.tasks.push(e.duration);
    }).observe({ type: 'longtask' });
    let last = performance.now();
    const frame = (t: number) => {
      w.bench.gaps.push(t - last);
      last = t;
      if (w.bench.on) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  return async () =>
    page.evaluate(() => {
      const w = window as unknown as { bench: { tasks: number[]; gaps: number[]; since: number; on: boolean } };
      w.bench.on = false;
      const span = performance.now() - w.bench.since;
      const gaps = [...w.bench.gaps].sort((a, b) => a - b);
      const round = (x: number) => Math.round(x * 10) / 10;
      return {
        longestTaskMs: round(Math.max(0, ...w.bench.tasks)),
        longTaskShare: round((w.bench.tasks.reduce((s, t) => s + t, 0) / span) * 1000) / 1000,
        frameGapP95Ms: round(gaps[Math.floor(gaps.length * 0.95)] ?? 0),
        frameGapMaxMs: round(gaps[gaps.length - 1] ?? 0),
      };
    });
}

export async function webBench(argv: string[]): Promise<WebBenchResult> {
  const { values } = parseArgs({
    args: argv,
    options: { rate: { type: 'string', default: '100' }, seconds: { type: 'string', default: '10' } },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  if (!(rate >= 10 && rate <= 2000) || !(seconds >= 1 && seconds <= 600)) throw new Error('--rate must be 10–2000 and --seconds 1–600');
  const chromiumPath = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath))
    throw new Error(`bench web needs Chromium at ${chromiumPath}: apt-get install chromium, or set VIGIL_CHROMIUM`);
  const { chromium } = await import('playwright-core');
  const step = (what: string) => console.error(`bench web: ${what}`);

  const dir = mkdtempSync(join(tmpdir(), 'vigil-web-bench-'));
  const nats = new PrivateNatsServer({ host: '127.0.0.1', port: await freePort(), dir: join(dir, 'nats') });
  await nats.start();
  const nc = await connect({ servers: nats.url });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  let engine: Engine | null = null;
  try {
    const config = validateConfig({
      nats: { url: nats.url },
      dataDir: join(dir, 'data'),
      http: { host: '127.0.0.1', port: await freePort(), rateLimit: { max: 0 } },
      auth: { tokens: [{ name: 'bench-admin', role: 'admin', sha256: createHash('sha256').update(TOKEN).digest('hex') }] },
      ingest: { batchMaxWaitMs: 10 },
    });
    engine = await Engine.start(config, createLogger('warn'), { listen: true });
    const base = `http://127.0.0.1:${config.http.port}`;
    const call = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ id: string }>;
    };
    await call('PUT', '/api/v1/cameras', [CAMERA]);
    const list = await call('POST', '/api/v1/watchlists', {
      name: 'bench web',
      kind: 'plate',
      priority: 60,
      legalBasis: 'benchmark: synthetic plates',
      cooldownSeconds: 0,
    });
    await call('POST', `/api/v1/watchlists/${list.id}/entries`, [{ key: PLATE }]);
    const js = jetstream(nc);
    let seq = 0;
    const read = () =>
      js.publish(`vigil.det.${CAMERA.id}`, encode({ ts: Date.now(), kind: 'plate', plate: PLATE, id: `web-bench-${seq++}` }));
    await read(); // one hit for the first load to draw

    step('first load: a blank page of the same origin, then the app in a fresh profile, then reloaded…');
    const blankCtx = await browser.newContext();
    const blankLoad = await timedLoad(await blankCtx.newPage(), `${base}/healthz`, async () => {});
    await blankCtx.close();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const coldLoad = await timedLoad(page, `${base}/#token=${TOKEN}`, boardReady);
    const warmLoad = await timedLoad(page, `${base}/`, boardReady);

    step(`the board idle for ${seconds} s, then at ${rate} hits/s for ${seconds} s…`);
    let stop = await watchSmoothness(page);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const idle = await stop();

    const before = await page.getByTestId('hit-row').count();
    stop = await watchSmoothness(page);
    const perTick = Math.max(1, Math.round(rate / 10));
    const ticks = Math.round((rate * seconds) / perTick);
    const started = Date.now();
    for (let i = 0; i < ticks; i++) {
      await Promise.all(Array.from({ length: perTick }, read));
      const due = started + ((i + 1) * 1000 * perTick) / rate;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
    const hits = ticks * perTick;
    // The board shows the 500 most urgent open hits: all of them while fewer are open.
    const expected = Math.min(500, before + hits);
    const deadline = Date.now() + 10_000;
    let rowsShown = await page.getByTestId('hit-row').count();
    while (rowsShown < expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      rowsShown = await page.getByTestId('hit-row').count();
    }
    const loaded = { ...(await stop()), rate, seconds, hits, rowsShown };
    if (rowsShown < expected) throw new Error(`the board shows ${rowsShown} rows of the ${expected} it should`);
    await context.close();
    return { blankLoad, coldLoad, warmLoad, idle, loaded };
  } finally {
    await browser.close();
    await nc.close();
    await engine?.stop();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function webTable(r: WebBenchResult): string {
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : '—');
  return [
    '| first load | ms | vs blank page | script bytes sent |',
    '|---|---:|---:|---:|',
    `| blank page of the same origin (floor) | ${r.blankLoad.ms} | 1.0× | ${r.blankLoad.scriptBytes} |`,
    `| app, fresh profile, to a live board with a hit | ${r.coldLoad.ms} | ${ratio(r.coldLoad.ms, r.blankLoad.ms)} | ${r.coldLoad.scriptBytes} |`,
    `| app, reloaded (assets cached) | ${r.warmLoad.ms} | ${ratio(r.warmLoad.ms, r.blankLoad.ms)} | ${r.warmLoad.scriptBytes} |`,
    '',
    '| board | longest task ms | time in long tasks | frame gap p95 ms | longest frame gap ms |',
    '|---|---:|---:|---:|---:|',
    `| idle, ${r.loaded.seconds} s (baseline) | ${r.idle.longestTaskMs} | ${(r.idle.longTaskShare * 100).toFixed(1)} % | ${r.idle.frameGapP95Ms} | ${r.idle.frameGapMaxMs} |`,
    `| ${r.loaded.rate} hits/s, ${r.loaded.seconds} s (${r.loaded.hits} hits, ${r.loaded.rowsShown} rows shown) | ${r.loaded.longestTaskMs} | ${(r.loaded.longTaskShare * 100).toFixed(1)} % | ${r.loaded.frameGapP95Ms} | ${r.loaded.frameGapMaxMs} |`,
  ].join('\n');
}
