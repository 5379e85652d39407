// GET /metrics of a running engine after a short simulated run: every metric operators asked
// for is there with data, and no dashboard panel queries a metric the engine does not export.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames, panelQueries } from '../../dashboards/queries.js';
import { renderDashboards } from '../../dashboards/render.js';
import { eventually } from '../helpers/engine.js';
import { driveRound, scrape, setUpRules, total, type Sample } from '../helpers/metrics-traffic.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let samples: Sample[];
let lists: { plates: string; faces: string };

beforeAll(async () => {
  // Two worker threads, so the pool's metrics are fed (on two cores `auto` matches inline).
  stack = await startStack({ workers: { threads: 2 } });
  lists = await setUpRules(stack.engine);
  for (let round = 0; round < 2; round++) await driveRound(stack.engine, stack.js, round);
  // Pending is polled every 2 s: wait for both streams' gauges.
  await eventually(
    async () => {
      samples = await scrape(stack.engine);
      return samples.filter((s) => s.name === 'vigil_consumer_pending').length === 2;
    },
    10_000,
    'pending of both streams',
  );
});

afterAll(() => stopStack(stack));

const count = (name: string, labels: Record<string, string> = {}) => total(samples, name, labels);

describe('GET /metrics after a simulated run', () => {
  it('counts reads by kind, rejects by reason, hits by source and priority, cooldown suppressions', () => {
    for (const kind of ['plate', 'face', 'vehicle', 'person']) expect(count('vigil_detections_total', { kind }), kind).toBeGreaterThan(0);
    expect(count('vigil_rejected_total', { input: 'det' })).toBeGreaterThanOrEqual(4);
    expect(count('vigil_rejected_total', { input: 'incident' })).toBeGreaterThanOrEqual(2);
    expect(new Set(samples.filter((s) => s.name === 'vigil_rejected_total').map((s) => s.labels.reason)).size).toBeGreaterThan(1);
    expect(count('vigil_hits_total', { source: 'watchlist', priority: '90+' })).toBe(2);
    expect(count('vigil_hits_total', { source: 'watchlist', priority: '50-89' })).toBe(2);
    expect(count('vigil_hits_total', { source: 'geofence', priority: '0-49' })).toBeGreaterThan(0);
    expect(count('vigil_hits_total', { source: 'panic', priority: '90+' })).toBe(2);
    expect(count('vigil_hits_suppressed_total')).toBeGreaterThanOrEqual(4);
  });

  it('reports lag, batch sizes, latencies, the store and the worker pool', () => {
    expect(new Set(samples.filter((s) => s.name === 'vigil_consumer_pending').map((s) => s.labels.stream))).toEqual(
      new Set(['VIGIL_DET', 'VIGIL_INC']),
    );
    expect(count('vigil_ingest_batch_messages_count')).toBeGreaterThan(0);
    expect(count('vigil_event_lag_seconds_count')).toBeGreaterThan(0);
    expect(count('vigil_hit_latency_seconds_count')).toBeGreaterThan(0);
    expect(count('vigil_store_flush_seconds_count')).toBeGreaterThan(0);
    for (const table of ['sightings', 'agg_camera_minute', 'incidents'])
      expect(count('vigil_store_rows_written_total', { table }), table).toBeGreaterThan(0);
    expect(count('vigil_pool_threads')).toBe(2);
    expect(samples.some((s) => s.name === 'vigil_pool_queue_depth')).toBe(true);
    for (const h of ['vigil_pool_task_wait_seconds', 'vigil_pool_task_run_seconds', 'vigil_pool_task_seconds'])
      expect(count(`${h}_count`), h).toBeGreaterThan(0);
    // Rare-event counters are there at 0 for each stream, so their panels have a line.
    for (const c of ['vigil_store_commit_errors_total', 'vigil_redelivered_skipped_total'])
      expect(samples.filter((s) => s.name === c).length, c).toBe(2);
  });

  it('reports the rule book: snapshot versions and sizes', () => {
    expect(count('vigil_rules_version')).toBeGreaterThan(1);
    expect(count('vigil_match_snapshot_version')).toBe(count('vigil_rules_version'));
    expect(count('vigil_watchlists', { list_kind: 'plate' })).toBe(1);
    expect(count('vigil_watchlists', { list_kind: 'face' })).toBe(1);
    expect(count('vigil_watchlist_entries', { list_kind: 'plate' })).toBe(2);
    expect(count('vigil_watchlist_entries', { list_kind: 'face' })).toBe(1);
    expect(count('vigil_geofences')).toBe(1);
  });

  it('times acknowledgements from emission, first decisions only, and counts every ack', () => {
    const first = count('vigil_hit_ack_seconds_count');
    expect(first).toBe(count('vigil_hits_total'));
    expect(count('vigil_hit_ack_seconds_count', { source: 'panic', priority: '90+' })).toBe(2);
    expect(count('vigil_hit_acks_total', { status: 'rejected' })).toBeGreaterThan(0);
    expect(count('vigil_hit_acks_total')).toBe(first + 2); // one changed decision a round
  });

  it('counts watchlist hits by list and match type, and acknowledgements by list', () => {
    // The plate reads are the listed plates as written; the face read is near the listed face.
    expect(count('vigil_watchlist_hits_total', { watchlist: lists.plates, match: 'exact' })).toBe(2);
    expect(count('vigil_watchlist_hits_total', { watchlist: lists.faces, match: 'face' })).toBe(2);
    expect(count('vigil_watchlist_hits_total')).toBe(count('vigil_hits_total', { source: 'watchlist' }));
    const acked = samples.filter((s) => s.name === 'vigil_hit_acks_total' && s.labels.watchlist !== '' && s.value > 0);
    expect(new Set(acked.map((s) => s.labels.watchlist))).toEqual(new Set([lists.plates, lists.faces]));
    // Every hit is acknowledged at least once; geofence and panic hits count under watchlist="".
    for (const id of [lists.plates, lists.faces]) {
      expect(count('vigil_hit_acks_total', { watchlist: id }), id).toBeGreaterThanOrEqual(
        count('vigil_watchlist_hits_total', { watchlist: id }),
      );
    }
    expect(count('vigil_hit_acks_total', { watchlist: '' })).toBeGreaterThan(0);
    // Each list's hits were rejected in round 0 and accepted in round 1.
    for (const id of [lists.plates, lists.faces]) {
      for (const status of ['accepted', 'rejected'])
        expect(count('vigil_hit_acks_total', { watchlist: id, status }), `${id} ${status}`).toBe(1);
    }
  });

  it("has HTTP durations by route and Node's default process metrics", () => {
    expect(
      count('vigil_http_request_duration_seconds_count', { route: '/api/v1/hits/:id/ack', method: 'POST', status: '200' }),
    ).toBeGreaterThan(0);
    for (const m of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(
        samples.some((s) => s.name === m),
        m,
      ).toBe(true);
    }
  });

  it('exports every metric a dashboard panel queries', () => {
    const exported = new Set(samples.map((s) => s.name));
    const missing = renderDashboards()
      .flatMap((r) => panelQueries(r.dashboard))
      .flatMap((q) =>
        metricNames(q.expr)
          .filter((m) => !exported.has(m))
          .map((m) => `${q.dashboard} / ${q.panel}: ${m}`),
      );
    expect(missing).toEqual([]);
  });
});
