// A real Prometheus scrapes a running engine on loopback every second while a short simulated
// run goes through it; then every dashboard panel's query is evaluated by Prometheus and must
// return data. Needs `prometheus` on PATH (Debian package prometheus); skipped, saying so, without.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelQueries, withRanges } from '../../dashboards/queries.js';
import { renderDashboards } from '../../dashboards/render.js';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';
import { eventually, testConfig } from '../helpers/engine.js';
import { driveRound, setUpRules } from '../helpers/metrics-traffic.js';
import { freePort, TestNatsServer } from '../helpers/nats-server.js';

const available = spawnSync('prometheus', ['--version']).status === 0;
if (!available) console.warn('prometheus.test: skipped, no `prometheus` on PATH (Debian: apt-get install prometheus)');

interface PromAnswer {
  status: string;
  error?: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe.skipIf(!available)('dashboards against a real Prometheus', () => {
  let dir: string;
  let nats: TestNatsServer;
  let engine: Engine;
  let nc: NatsConnection;
  let prometheus: ChildProcess;
  let promUrl: string;
  let promLog = '';
  let readsSent = 0;
  let lists: { plates: string; faces: string };

  async function query(expr: string): Promise<PromAnswer> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as PromAnswer;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-prometheus-'));
    nats = await TestNatsServer.start();
    // Listening (port 0 = a free one) so Prometheus can scrape; two worker threads feed the pool's metrics.
    engine = await Engine.start(testConfig(nats.url, { workers: { threads: 2 } }), createLogger(process.env.VIGIL_TEST_LOG ?? 'silent'));
    nc = await connect({ servers: nats.url });

    const target = new URL(engine.address!).host;
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: vigil',
        `    static_configs: [{ targets: ['${target}'] }]`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr!.on('data', (d: Buffer) => (promLog += d.toString()));
    await eventually(
      async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok === true,
      20_000,
      `Prometheus ready\n${promLog}`,
    );
    await eventually(async () => (await query('up{job="vigil"} == 1')).data?.result.length === 1, 20_000, 'first scrape of the engine');

    // The run happens while Prometheus watches, spread over a few seconds, so counters grow
    // between scrapes and every rate and quantile has something to say.
    lists = await setUpRules(engine);
    // As in production, the lists exist a scrape before they hit: their series start at 0, so
    // a list's first hit and first acknowledgement count in rates and increases.
    await new Promise((r) => setTimeout(r, 1500));
    const js = jetstream(nc);
    for (let round = 0; round < 3; round++) {
      readsSent += (await driveRound(engine, js, round)).reads;
      await new Promise((r) => setTimeout(r, 1500));
    }
    await new Promise((r) => setTimeout(r, 3000));
  }, 120_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await nc?.close();
    await engine?.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('returns data for every panel query', async () => {
    // The run is younger than a minute: a 1m rate window and a 5m range hold all of it.
    const queries = renderDashboards().flatMap((r) => panelQueries(r.dashboard));
    const empty: string[] = [];
    let series = 0;
    for (const q of queries) {
      const expr = withRanges(q.expr, { rateInterval: '1m', range: '5m' });
      const answer = await query(expr);
      expect(answer.status, `${q.panel}: ${expr}: ${answer.error}`).toBe('success');
      const finite = answer.data.result.filter((r) => Number.isFinite(Number(r.value[1])));
      series += finite.length;
      if (finite.length === 0) empty.push(`${q.dashboard} / ${q.panel}: ${expr} → ${JSON.stringify(answer.data.result)}`);
    }
    console.log(`prometheus.test: ${queries.length} panel queries, ${series} series with a finite value, ${empty.length} without`);
    expect(empty).toEqual([]);
  });

  it('scraped the whole run: every read and hits of every source', async () => {
    const reads = await query('sum(vigil_detections_total)');
    expect(Number(reads.data.result[0]?.value[1])).toBe(readsSent);
    const sources = await query('sum by (source) (vigil_hits_total)');
    expect(sources.data.result.map((r) => r.metric.source).sort()).toEqual(['geofence', 'panic', 'watchlist']);
  });

  it('gives each list its hits and a precision between 0 and 1 (both answers given)', async () => {
    const dispatch = panelQueries(renderDashboards().find((r) => r.dashboard.uid === 'vigil-dispatch')!.dashboard);
    const panel = (title: string) => withRanges(dispatch.find((q) => q.panel === title)!.expr, { rateInterval: '1m', range: '5m' });
    const hits = await query(panel('Watchlist hits by list and match type'));
    expect(new Set(hits.data.result.map((r) => r.metric.watchlist))).toEqual(new Set([lists.plates, lists.faces]));
    const precision = await query(panel('Precision by list'));
    expect(precision.data.result.map((r) => r.metric.watchlist).sort()).toEqual([lists.plates, lists.faces].sort());
    for (const r of precision.data.result) {
      expect(Number(r.value[1]), r.metric.watchlist).toBeGreaterThan(0);
      expect(Number(r.value[1]), r.metric.watchlist).toBeLessThan(1);
    }
  });
});
