// "vigil / engine": is ingest keeping up, what is rejected, how fast reads become hits, and
// how the worker pool, the store, the API and the Node process are doing.

import { DashboardBuilder, DashboardCursorSync, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, quantile, stat, timeseries } from './panels.js';

const rate = (metric: string, by: string) => `sum by (${by}) (rate(${metric}[$__rate_interval]))`;

export function engineOverview(): DashboardBuilder {
  return new DashboardBuilder('vigil / engine')
    .uid('vigil-engine')
    .description('Ingest, lag, rejects, hit latency, worker pool, store, API and process of the vigil engine.')
    .tags(['vigil'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable())

    .withRow(new RowBuilder('Ingest'))
    .withPanel(
      stat({
        title: 'Reads/s',
        description: 'Reads stored per second, all kinds.',
        queries: [{ expr: 'sum(rate(vigil_detections_total[$__rate_interval]))', legend: 'reads/s' }],
        unit: 'ops',
      }),
    )
    .withPanel(
      stat({
        title: 'Pending messages',
        description: 'JetStream messages not yet processed, all streams.',
        queries: [{ expr: 'sum(vigil_consumer_pending)', legend: 'pending' }],
        unit: 'short',
      }),
    )
    .withPanel(
      stat({
        title: 'Rejected/s',
        description: 'Messages and records sent to the DLQ per second.',
        queries: [{ expr: 'sum(rate(vigil_rejected_total[$__rate_interval]))', legend: 'rejected/s' }],
        unit: 'ops',
      }),
    )
    .withPanel(
      stat({
        title: 'Hit latency p95',
        description: 'From the read stored by JetStream to its hit stored by JetStream.',
        queries: [{ expr: quantile(0.95, 'vigil_hit_latency_seconds'), legend: 'p95' }],
        unit: 's',
      }),
    )
    .withPanel(
      stat({
        title: 'Pool queue',
        description: 'Worker-pool tasks waiting for a thread.',
        queries: [{ expr: 'sum(vigil_pool_queue_depth)', legend: 'queued' }],
        unit: 'short',
      }),
    )
    .withPanel(
      stat({
        title: 'Store flush p95',
        description: 'Time to commit one ingest batch to DuckDB.',
        queries: [{ expr: quantile(0.95, 'vigil_store_flush_seconds'), legend: 'p95' }],
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Reads ingested by kind',
        description: 'Reads stored per second; kinds outside the known set count as "other".',
        queries: [{ expr: rate('vigil_detections_total', 'kind'), legend: '{{kind}}' }],
        unit: 'ops',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Rejected by reason',
        description: 'Records and messages sent to the DLQ per second, by reason and input (det, incident).',
        queries: [{ expr: rate('vigil_rejected_total', 'reason, input'), legend: '{{input}} {{reason}}' }],
        unit: 'ops',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Consumer lag',
        description: 'JetStream messages not yet processed (pending plus delivered-unacknowledged), by stream.',
        queries: [{ expr: 'sum by (stream) (vigil_consumer_pending)', legend: '{{stream}}' }],
        unit: 'short',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Batch size',
        description: 'Messages per committed ingest batch: mean and p95, by stream.',
        queries: [
          {
            expr: 'sum by (stream) (rate(vigil_ingest_batch_messages_sum[$__rate_interval])) / sum by (stream) (rate(vigil_ingest_batch_messages_count[$__rate_interval]))',
            legend: 'mean {{stream}}',
          },
          { expr: quantile(0.95, 'vigil_ingest_batch_messages', ['stream']), legend: 'p95 {{stream}}' },
        ],
        unit: 'short',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Latency from event time',
        description: "From a read's event time (its ts) to its commit: camera clocks and transport included.",
        queries: [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, 'vigil_event_lag_seconds'), legend: `p${q * 100}` })),
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Incidents',
        description: 'Incidents stored per second, and producer retries of an incident already stored.',
        queries: [
          { expr: 'sum(rate(vigil_incidents_total[$__rate_interval]))', legend: 'stored' },
          { expr: 'sum(rate(vigil_incidents_duplicate_total[$__rate_interval]))', legend: 'duplicate' },
        ],
        unit: 'ops',
      }),
    )

    .withRow(new RowBuilder('Matching'))
    .withPanel(
      timeseries({
        title: 'Hit latency (publish to hit)',
        description: "From the read's JetStream store time to its hit stored by JetStream.",
        queries: [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, 'vigil_hit_latency_seconds'), legend: `p${q * 100}` })),
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Hits and cooldown suppressions',
        description:
          'Hits sent to dispatch per second by source, and hits held back because the same subject and rule hit within its cooldown.',
        queries: [
          { expr: rate('vigil_hits_total', 'source'), legend: '{{source}}' },
          { expr: 'sum(rate(vigil_hits_suppressed_total[$__rate_interval]))', legend: 'suppressed' },
        ],
        unit: 'ops',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Rule snapshot version',
        description: 'Newest compiled watchlist and geofence snapshot, and the one the last ingest batch matched against.',
        queries: [
          { expr: 'max(vigil_rules_version)', legend: 'newest' },
          { expr: 'max(vigil_match_snapshot_version)', legend: 'matched' },
        ],
        unit: 'none',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Rule book size',
        description: 'Watchlists and their entries by list kind, and geofences.',
        queries: [
          { expr: 'sum by (list_kind) (vigil_watchlist_entries)', legend: '{{list_kind}} entries' },
          { expr: 'sum by (list_kind) (vigil_watchlists)', legend: '{{list_kind}} lists' },
          { expr: 'sum(vigil_geofences)', legend: 'geofences' },
        ],
        unit: 'short',
        width: 16,
      }),
    )

    .withRow(new RowBuilder('Worker pool'))
    .withPanel(
      timeseries({
        title: 'Pool queue and threads',
        description: 'Tasks waiting for a worker thread, and the threads (0: matching runs on the main thread).',
        queries: [
          { expr: 'sum(vigil_pool_queue_depth)', legend: 'queued' },
          { expr: 'sum(vigil_pool_threads)', legend: 'threads' },
        ],
        unit: 'short',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Pool task wait and run (p95)',
        description: 'Wait: queued until a thread was free. Run: handed to the thread until its result (transfer, decode, match).',
        queries: [
          { expr: quantile(0.95, 'vigil_pool_task_wait_seconds'), legend: 'wait p95' },
          { expr: quantile(0.95, 'vigil_pool_task_run_seconds'), legend: 'run p95' },
          { expr: quantile(0.95, 'vigil_pool_task_seconds'), legend: 'total p95' },
        ],
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Pool tasks',
        description: 'Tasks finished per second.',
        queries: [{ expr: 'sum(rate(vigil_pool_task_seconds_count[$__rate_interval]))', legend: 'tasks/s' }],
        unit: 'ops',
      }),
    )

    .withRow(new RowBuilder('Store'))
    .withPanel(
      timeseries({
        title: 'Flush duration',
        description: 'Time to commit one ingest batch to DuckDB, by stream.',
        queries: [0.5, 0.95].map((q) => ({ expr: quantile(q, 'vigil_store_flush_seconds', ['stream']), legend: `p${q * 100} {{stream}}` })),
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Rows written',
        description: 'Rows appended to DuckDB per second, by table.',
        queries: [{ expr: rate('vigil_store_rows_written_total', 'table'), legend: '{{table}}' }],
        unit: 'ops',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Commit errors and redeliveries',
        description:
          'Failed batch commits (retried; nothing is acknowledged until it commits), messages delivered again after they were applied (skipped), and deliveries lost with a dropped connection (read again).',
        queries: [
          { expr: rate('vigil_store_commit_errors_total', 'stream'), legend: 'errors {{stream}}' },
          { expr: rate('vigil_redelivered_skipped_total', 'stream'), legend: 'redelivered {{stream}}' },
          { expr: rate('vigil_consumer_lost_deliveries_total', 'stream'), legend: 'lost in flight {{stream}}' },
        ],
        unit: 'ops',
      }),
    )

    .withRow(new RowBuilder('API and process'))
    .withPanel(
      timeseries({
        title: 'HTTP requests',
        description: 'Requests per second by route and status.',
        queries: [
          {
            expr: 'sum by (route, status) (rate(vigil_http_request_duration_seconds_count[$__rate_interval]))',
            legend: '{{status}} {{route}}',
          },
        ],
        unit: 'reqps',
      }),
    )
    .withPanel(
      timeseries({
        title: 'HTTP duration p95',
        description: 'Request duration p95 by route.',
        queries: [{ expr: quantile(0.95, 'vigil_http_request_duration_seconds', ['route']), legend: '{{route}}' }],
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'CPU',
        description: "CPU seconds per second of the engine process (Node's default metrics).",
        queries: [{ expr: 'sum(rate(process_cpu_seconds_total[$__rate_interval]))', legend: 'cores busy' }],
        unit: 'short',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Event loop lag p99',
        description: 'A slow event loop delays every batch and request.',
        queries: [{ expr: 'max(nodejs_eventloop_lag_p99_seconds)', legend: 'p99' }],
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Memory',
        description: 'Resident memory of the process and the V8 heap in use.',
        queries: [
          { expr: 'sum(process_resident_memory_bytes)', legend: 'resident' },
          { expr: 'sum(nodejs_heap_size_used_bytes)', legend: 'heap used' },
        ],
        unit: 'bytes',
      }),
    );
}
