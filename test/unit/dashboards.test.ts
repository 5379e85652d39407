// dashboards/: the committed JSON is what the sources generate, it validates against Grafana's
// own published dashboard type (@grafana/schema, turned into a JSON Schema here), every panel
// reads from the $datasource variable, and promtool parses every query.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import { describe, expect, it, onTestFinished } from 'vitest';
import { metricNames, panelQueries, withRanges } from '../../dashboards/queries.js';
import { renderDashboards } from '../../dashboards/render.js';

const JSON_DIR = fileURLToPath(new URL('../../dashboards/json/', import.meta.url));
const rendered = renderDashboards();

describe('generated dashboard JSON', () => {
  it('is current: `npm run dashboards` would not change it', () => {
    const committed = readdirSync(JSON_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(committed, 'files in dashboards/json').toEqual(rendered.map((r) => r.file).sort());
    for (const r of rendered) {
      expect(readFileSync(join(JSON_DIR, r.file), 'utf8'), `dashboards/json/${r.file} is stale: run npm run dashboards`).toBe(r.text);
    }
  });

  it("validates against Grafana's published Dashboard type (@grafana/schema)", () => {
    // @grafana/schema ships TypeScript only; its classic-model `Dashboard` becomes a JSON
    // Schema that refuses unknown keys, so a misspelt or invented field fails here.
    const pkg = dirname(createRequire(import.meta.url).resolve('@grafana/schema/package.json'));
    const schema = createGenerator({
      path: join(pkg, 'dist/types/raw/dashboard/x/types.gen.d.ts'),
      type: 'Dashboard',
      skipTypeCheck: true,
      additionalProperties: false,
    }).createSchema('Dashboard');
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    for (const r of rendered) {
      const ok = validate(JSON.parse(r.text));
      expect(ok ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`), r.file).toEqual([]);
    }
  }, 30_000);

  it('reads every panel from a $datasource variable of type prometheus', () => {
    for (const { file, dashboard } of rendered) {
      const variable = dashboard.templating?.list?.find((v) => v.name === 'datasource');
      expect(variable, file).toMatchObject({ type: 'datasource', query: 'prometheus' });
      const panels = (dashboard.panels ?? []).filter((p) => p.type !== 'row');
      expect(panels.length, file).toBeGreaterThan(5);
      for (const p of panels) {
        expect(p.datasource, `${file}: ${p.title}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
        const targets = ('targets' in p ? p.targets : []) as Array<{ refId?: string; expr?: string }>;
        expect(targets.length, `${file}: ${p.title}`).toBeGreaterThan(0);
        for (const t of targets) expect(t.refId && t.expr, `${file}: ${p.title}`).toBeTruthy();
      }
      const ids = (dashboard.panels ?? []).map((p) => p.id);
      expect(new Set(ids).size, `${file}: unique panel ids`).toBe(ids.length);
      for (const p of dashboard.panels ?? []) expect(p.gridPos!.x + p.gridPos!.w, `${file}: ${p.title}`).toBeLessThanOrEqual(24);
    }
  });

  it('has the engine overview and the dispatch view with the panels operators asked for', () => {
    const titles = (uid: string) => (rendered.find((r) => r.dashboard.uid === uid)?.dashboard.panels ?? []).map((p) => p.title);
    expect(titles('vigil-engine')).toEqual(
      expect.arrayContaining([
        'Ingest',
        'Consumer lag',
        'Rejected by reason',
        'Hit latency (publish to hit)',
        'Pool task wait and run (p95)',
        'Flush duration',
        'Rows written',
      ]),
    );
    expect(titles('vigil-dispatch')).toEqual(
      expect.arrayContaining(['Hits by source and priority', 'Time to acknowledge by source', 'Acknowledgements by status']),
    );
  });
});

describe('metricNames', () => {
  it('finds metric names, not functions, keywords, labels or ranges', () => {
    expect(
      metricNames('histogram_quantile(0.95, sum by (le, stream) (rate(vigil_store_flush_seconds_bucket{stream="x"}[$__rate_interval])))'),
    ).toEqual(['vigil_store_flush_seconds_bucket']);
    expect(metricNames('sum(rate(a_total[1m])) / on (x) group_left sum without (y) (b) * 60')).toEqual(['a_total', 'b']);
  });
});

const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool) console.warn('dashboards.test: promtool not on PATH (Debian package prometheus): the PromQL parse check is skipped');

describe.skipIf(!promtool)('PromQL of every panel (promtool)', () => {
  it('parses: each query checked as a recording rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-promtool-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // Grafana fills $__rate_interval and $__range in; any valid range stands in for them here.
    const queries = rendered.flatMap((r) => panelQueries(r.dashboard));
    const rules = queries.map(
      (q, i) =>
        `      - record: vigil:dashboard_query_${i}\n        expr: ${JSON.stringify(withRanges(q.expr, { rateInterval: '1m', range: '1h' }))}\n`,
    );
    const file = join(dir, 'queries.rules.yml');
    writeFileSync(file, `groups:\n  - name: dashboards\n    rules:\n${rules.join('')}`);
    const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(out).toMatch(new RegExp(`SUCCESS: ${queries.length} rules found`));
  });
});
