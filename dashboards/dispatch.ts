// "vigil / dispatch": what reaches dispatchers (hits by source and priority, how fast), how
// fast they answer (time from a hit's emission to its first acknowledgement), and per
// watchlist how often it hits and how often dispatchers confirm those hits (its precision).

import { DashboardBuilder, DashboardCursorSync, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { bars, datasourceVariable, quantile, stat, timeseries } from './panels.js';

// Acknowledgements are human actions, minutes apart: a rate over $__rate_interval would be
// empty most of the time, so their time series look back a fixed hour.
const ACK_WINDOW = '1h';

// A list's precision: the share of its acknowledged hits that dispatchers accepted. A list
// with no acknowledgements in the window has none (no series, not 0 or NaN).
const acksOfLists = (status: string) => `sum by (watchlist) (increase(vigil_hit_acks_total{watchlist!="", ${status}}[${ACK_WINDOW}]))`;
const PRECISION = `${acksOfLists('status="accepted"')} / (${acksOfLists('status=~"accepted|rejected"')} > 0)`;

export function dispatchView(): DashboardBuilder {
  return new DashboardBuilder('vigil / dispatch')
    .uid('vigil-dispatch')
    .description(
      'Hits sent to dispatch by source and priority, their latency, how fast dispatchers acknowledge them, and hits and precision per watchlist.',
    )
    .tags(['vigil'])
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable())

    .withRow(new RowBuilder('Hits'))
    .withPanel(
      stat({
        title: 'Hits',
        description: 'Hits sent to dispatch in the selected time range.',
        queries: [{ expr: 'sum(increase(vigil_hits_total[$__range]))', legend: 'hits' }],
        unit: 'short',
        width: 6,
      }),
    )
    .withPanel(
      stat({
        title: 'First acknowledgements',
        description: 'Hits acknowledged for the first time in the selected time range.',
        queries: [{ expr: 'sum(increase(vigil_hit_ack_seconds_count[$__range]))', legend: 'acknowledged' }],
        unit: 'short',
        width: 6,
      }),
    )
    .withPanel(
      stat({
        title: 'Median time to acknowledge',
        description: "From a hit's emission to its first acknowledgement, over the selected time range.",
        queries: [{ expr: quantile(0.5, 'vigil_hit_ack_seconds', [], '$__range', 'increase'), legend: 'p50' }],
        unit: 's',
        width: 6,
      }),
    )
    .withPanel(
      stat({
        title: 'Suppressed by cooldown',
        description: 'Hits held back because the same subject and rule hit within its cooldown, in the selected time range.',
        queries: [{ expr: 'sum(increase(vigil_hits_suppressed_total[$__range]))', legend: 'suppressed' }],
        unit: 'short',
        width: 6,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Hits by source and priority',
        description: 'Hits sent per second; priority bands 90+, 50-89, 0-49.',
        queries: [{ expr: 'sum by (source, priority) (rate(vigil_hits_total[$__rate_interval]))', legend: '{{source}} {{priority}}' }],
        unit: 'ops',
        width: 12,
      }),
    )
    .withPanel(
      bars({
        title: 'Hits by source and priority (range)',
        description: 'Hits sent in the selected time range.',
        queries: [{ expr: 'sum by (source, priority) (increase(vigil_hits_total[$__range]))', legend: '{{source}} {{priority}}' }],
        unit: 'short',
        width: 12,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Hit latency (publish to hit)',
        description: "From the read's JetStream store time to its hit stored by JetStream: what dispatch waits before it can know.",
        queries: [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, 'vigil_hit_latency_seconds'), legend: `p${q * 100}` })),
        unit: 's',
        width: 12,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Cooldown suppressions',
        description: "Hits held back per second by the rules' cooldowns.",
        queries: [{ expr: 'sum(rate(vigil_hits_suppressed_total[$__rate_interval]))', legend: 'suppressed' }],
        unit: 'ops',
        width: 12,
      }),
    )

    .withRow(new RowBuilder('Acknowledgements'))
    .withPanel(
      timeseries({
        title: 'Time to acknowledge by source',
        description: `From a hit's emission to its first acknowledgement: p50 and p90 over the last ${ACK_WINDOW}, by source.`,
        queries: [0.5, 0.9].map((q) => ({
          expr: quantile(q, 'vigil_hit_ack_seconds', ['source'], ACK_WINDOW),
          legend: `p${q * 100} {{source}}`,
        })),
        unit: 's',
      }),
    )
    .withPanel(
      bars({
        title: 'Time to acknowledge by priority (range)',
        description: 'Median time to the first acknowledgement over the selected time range, by source and priority band.',
        queries: [
          {
            expr: quantile(0.5, 'vigil_hit_ack_seconds', ['source', 'priority'], '$__range', 'increase'),
            legend: '{{source}} {{priority}}',
          },
        ],
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Acknowledgements by status',
        description: `Acknowledgements per minute over the last ${ACK_WINDOW}, accepted and rejected (a changed decision counts again).`,
        queries: [{ expr: `sum by (status) (rate(vigil_hit_acks_total[${ACK_WINDOW}])) * 60`, legend: '{{status}}' }],
        unit: 'opm',
      }),
    )

    .withRow(new RowBuilder('Hits and precision per list'))
    .withPanel(
      timeseries({
        title: 'Watchlist hits by list and match type',
        description:
          "Watchlist hits sent per second, by list (its id, as GET /api/v1/watchlists lists it) and how the read matched: exact, ocr (look-alike characters), edit (within the list's maxEdits) or face. Past-read (retro) hits count too.",
        queries: [
          { expr: 'sum by (watchlist, match) (rate(vigil_watchlist_hits_total[$__rate_interval]))', legend: '{{watchlist}} {{match}}' },
        ],
        unit: 'ops',
        width: 12,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Precision by list',
        description: `Share of a list's hits that dispatchers accepted, from their acknowledgements over the last ${ACK_WINDOW}: accepted / (accepted + rejected). A changed decision counts again; a list with no acknowledgements in the window has no line.`,
        queries: [{ expr: PRECISION, legend: '{{watchlist}}' }],
        unit: 'percentunit',
        max: 1,
        width: 12,
      }),
    );
}
