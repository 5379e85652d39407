// The few panel shapes vigil's dashboards use, built with Grafana's foundation SDK. Every
// panel reads from the dashboard's $datasource variable, so one JSON works against any
// Prometheus an operator picks.

import { DatasourceVariableBuilder, VariableHide } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import {
  BigValueGraphMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
  VizOrientation,
} from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** The `$datasource` variable: any Prometheus data source; the default one when first opened. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus').hide(VariableHide.DontHide);
}

/** One PromQL query of a panel; `legend` is Grafana's legend template, e.g. `{{kind}}`. */
export interface Query {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  queries: Query[];
  /** Grafana unit id: `ops`, `s`, `short`, `bytes`, `percentunit`… */
  unit: string;
  /** Top of the axis, for a bounded value (a ratio: 1); unset, Grafana fits the data. */
  max?: number;
  /** Grid width out of 24 (default 8) and height (default 8). */
  width?: number;
  height?: number;
}

function targets(queries: Query[], instant = false): DataqueryBuilder[] {
  return queries.map((q, i) => {
    const b = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .expr(q.expr)
      .legendFormat(q.legend ?? '__auto');
    return instant ? b.instant() : b.range();
  });
}

/** A line chart over time: rates, quantiles, gauges. */
export function timeseries(p: PanelSpec): TimeseriesPanel {
  const panel = new TimeseriesPanel()
    .title(p.title)
    .description(p.description)
    .datasource(DATASOURCE)
    .targets(targets(p.queries))
    .unit(p.unit)
    .min(0)
    .fillOpacity(10)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .span(p.width ?? 8)
    .height(p.height ?? 8);
  return p.max === undefined ? panel : panel.max(p.max);
}

/** One number (the last value), with a sparkline. */
export function stat(p: PanelSpec): StatPanel {
  return new StatPanel()
    .title(p.title)
    .description(p.description)
    .datasource(DATASOURCE)
    .targets(targets(p.queries))
    .unit(p.unit)
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .span(p.width ?? 4)
    .height(p.height ?? 4);
}

/** Horizontal bars, one per series: a value per category over the selected time range. */
export function bars(p: PanelSpec): BarGaugePanel {
  return new BarGaugePanel()
    .title(p.title)
    .description(p.description)
    .datasource(DATASOURCE)
    .targets(targets(p.queries, true))
    .unit(p.unit)
    .min(0)
    .orientation(VizOrientation.Horizontal)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .span(p.width ?? 8)
    .height(p.height ?? 8);
}

/** `histogram_quantile` of a histogram's buckets, summed by `by` (plus `le`). */
export function quantile(q: number, metric: string, by: readonly string[] = [], window = '$__rate_interval', fn = 'rate'): string {
  return `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (${fn}(${metric}_bucket[${window}])))`;
}
