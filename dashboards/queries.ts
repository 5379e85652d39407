// What each dashboard panel asks Prometheus, and which metric names a query reads: the tests
// check those names against a live engine's /metrics and run the queries on a real Prometheus.

import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';

export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

export function panelQueries(d: Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  const visit = (p: Panel | RowPanel) => {
    if ('panels' in p && p.type === 'row') {
      for (const inner of p.panels) visit(inner);
      return;
    }
    for (const t of ((p as Panel).targets ?? []) as Array<{ expr?: string }>) {
      if (t.expr) out.push({ dashboard: d.uid ?? d.title ?? '', panel: p.title ?? '', expr: t.expr });
    }
  };
  for (const p of (d.panels ?? []) as Array<Panel | RowPanel>) visit(p);
  return out;
}

/** Grafana's range variables, as a test run replaces them (wide enough to hold the whole run). */
export function withRanges(expr: string, ranges: { rateInterval: string; range: string }): string {
  return expr.replaceAll('$__rate_interval', ranges.rateInterval).replaceAll('$__range', ranges.range);
}

const NOT_METRICS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * Metric names in a PromQL expression: identifiers that are not functions, keywords, label
 * names or inside strings, ranges and label matchers. Enough for the dashboards' own queries.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || NOT_METRICS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}
