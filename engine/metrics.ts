// The engine's Prometheus metrics. One registry per engine instance (no global state), so
// several engines can live in one process — tests do, and partitioned deployments may.
// dashboards/ queries these names; test/integration/metrics.test.ts checks they all exist.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the rule gauges read at scrape time (RuleBook has it; kept structural so this file stays I/O-free). */
export interface RuleSizes {
  readonly snapshot: { readonly version: number };
  watchlists(): ReadonlyArray<{ id: string; kind: string; entries: number }>;
  geofenceList(): readonly unknown[];
}

const LIST_KINDS = ['plate', 'face'] as const;

/** The match type every hit of a list of this kind can have: its per-list series starts there at 0. */
const BASE_MATCH: Readonly<Record<string, string>> = { plate: 'exact', face: 'face' };
const ACK_STATUSES = ['accepted', 'rejected'] as const;

export class EngineMetrics {
  readonly registry = new Registry();

  readonly detections = new Counter({
    name: 'vigil_detections_total',
    help: 'Reads ingested and stored, by kind (kinds outside the known set count as "other").',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly incidents = new Counter({
    name: 'vigil_incidents_total',
    help: 'Incidents stored.',
    registers: [this.registry],
  });
  readonly incidentDuplicates = new Counter({
    name: 'vigil_incidents_duplicate_total',
    help: 'Incidents whose id was already stored (a producer retry); the first one is kept.',
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'vigil_rejected_total',
    help: 'Messages or records sent to the DLQ, by reason.',
    labelNames: ['reason', 'input'] as const,
    registers: [this.registry],
  });
  readonly redelivered = new Counter({
    name: 'vigil_redelivered_skipped_total',
    help: 'JetStream messages delivered again after they were applied; skipped, not counted twice.',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });
  readonly lostDeliveries = new Counter({
    name: 'vigil_consumer_lost_deliveries_total',
    help: 'JetStream deliveries that never arrived (a connection dropped with them in flight); the consumer is repositioned at the first unapplied message to get them again.',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });
  readonly hits = new Counter({
    name: 'vigil_hits_total',
    help: 'Hits sent to dispatch, by source (watchlist, geofence, panic) and priority band.',
    labelNames: ['source', 'priority'] as const,
    registers: [this.registry],
  });
  readonly watchlistHits = new Counter({
    name: 'vigil_watchlist_hits_total',
    help: 'Watchlist hits sent to dispatch, by list (watchlist id) and match type (exact, ocr, edit, face).',
    labelNames: ['watchlist', 'match'] as const,
    registers: [this.registry],
    collect: () => this.startListSeries(),
  });
  readonly hitsSuppressed = new Counter({
    name: 'vigil_hits_suppressed_total',
    help: 'Hits not sent because the same subject and rule hit within its cooldown.',
    registers: [this.registry],
  });
  readonly hitLatency = new Histogram({
    name: 'vigil_hit_latency_seconds',
    help: "From the read's publish (JetStream store time) to its hit being stored by JetStream.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly poolTask = new Histogram({
    name: 'vigil_pool_task_seconds',
    help: 'Worker-pool task time, from dispatch to result (wait + run).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly poolTaskWait = new Histogram({
    name: 'vigil_pool_task_wait_seconds',
    help: 'Worker-pool task time queued until a worker thread was free.',
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly poolTaskRun = new Histogram({
    name: 'vigil_pool_task_run_seconds',
    help: 'Worker-pool task time from handing it to a worker thread to its result (transfer + decode + match).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly poolQueueDepth = new Gauge({
    name: 'vigil_pool_queue_depth',
    help: 'Worker-pool tasks waiting for a free worker thread.',
    registers: [this.registry],
  });
  readonly poolThreads = new Gauge({
    name: 'vigil_pool_threads',
    help: 'Worker threads matching reads (0: matching runs on the main thread).',
    registers: [this.registry],
  });
  readonly snapshotVersion = new Gauge({
    name: 'vigil_match_snapshot_version',
    help: 'Version of the watchlist and geofence snapshot the last ingest batch matched against.',
    registers: [this.registry],
  });
  // The rule gauges below are read from the rule book at each scrape (see watchRules), so
  // they are current even while no reads arrive.
  private rules: RuleSizes | null = null;
  readonly rulesVersion = new Gauge({
    name: 'vigil_rules_version',
    help: 'Version of the newest watchlist and geofence snapshot (the next batch matches against it).',
    registers: [this.registry],
    collect: () => {
      if (this.rules) this.rulesVersion.set(this.rules.snapshot.version);
    },
  });
  readonly watchlists = new Gauge({
    name: 'vigil_watchlists',
    help: 'Watchlists held, by list kind.',
    labelNames: ['list_kind'] as const,
    registers: [this.registry],
    collect: () => this.collectLists(),
  });
  readonly watchlistEntries = new Gauge({
    name: 'vigil_watchlist_entries',
    help: 'Watchlist entries held (expired ones included until removed), by list kind.',
    labelNames: ['list_kind'] as const,
    registers: [this.registry],
    collect: () => this.collectLists(),
  });
  readonly geofences = new Gauge({
    name: 'vigil_geofences',
    help: 'Geofences held.',
    registers: [this.registry],
    collect: () => {
      if (this.rules) this.geofences.set(this.rules.geofenceList().length);
    },
  });
  readonly pending = new Gauge({
    name: 'vigil_consumer_pending',
    help: 'JetStream messages not yet processed (pending plus delivered-unacknowledged).',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });
  readonly batchMessages = new Histogram({
    name: 'vigil_ingest_batch_messages',
    help: 'Messages per committed ingest batch.',
    labelNames: ['stream'] as const,
    buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000],
    registers: [this.registry],
  });
  readonly storeFlush = new Histogram({
    name: 'vigil_store_flush_seconds',
    help: 'Time to commit one ingest batch to DuckDB.',
    labelNames: ['stream'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly storeRows = new Counter({
    name: 'vigil_store_rows_written_total',
    help: 'Rows appended to DuckDB, by table.',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'vigil_store_commit_errors_total',
    help: 'Failed batch commits (the batch is retried; nothing is acknowledged until it commits).',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });
  readonly eventLag = new Histogram({
    name: 'vigil_event_lag_seconds',
    help: "From a read's event time (ts) to its commit.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly hitAckSeconds = new Histogram({
    name: 'vigil_hit_ack_seconds',
    help: "From a hit's emission to a dispatcher's first acknowledgement of it.",
    labelNames: ['source', 'priority', 'status'] as const,
    buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 14400],
    registers: [this.registry],
  });
  readonly hitAcks = new Counter({
    name: 'vigil_hit_acks_total',
    help: "Acknowledgements recorded, by the hit's watchlist id ('' for geofence and panic hits) and status (a later one that changes a decision counts too).",
    labelNames: ['watchlist', 'status'] as const,
    registers: [this.registry],
    collect: () => this.startListSeries(),
  });
  readonly hitStreamSlowClients = new Counter({
    name: 'vigil_hit_stream_slow_clients_total',
    help: 'Hit streams (Server-Sent Events) cut because the client read nothing for the slow-client limit; the client resumes with Last-Event-ID.',
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'HTTP request duration by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'vigil_auth_failures_total',
    help: 'Refused requests: status 401 (reason missing, invalid, expired) or 403 (forbidden, no_role).',
    labelNames: ['status', 'reason'] as const,
    registers: [this.registry],
  });
  readonly auditDropped = new Counter({
    name: 'vigil_audit_dropped_total',
    help: 'Refused requests past the auth.auditFailures limits: counted here and summed in one audit row a minute, not written one by one.',
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'vigil_http_rate_limited_total',
    help: 'Requests answered 429 by http.rateLimit, by caller (principal or ip when unauthenticated).',
    labelNames: ['caller'] as const,
    registers: [this.registry],
  });
  readonly purgedRows = new Counter({
    name: 'vigil_purged_rows_total',
    help: 'Rows deleted by retention, by table (watchlists and watchlist_entries: expired rules).',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly purgeRuns = new Counter({
    name: 'vigil_purge_runs_total',
    help: 'Retention purge runs, by outcome (ok, error).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly maintenanceSeconds = new Histogram({
    name: 'vigil_store_maintenance_seconds',
    help: 'Store maintenance steps (rollups: closed count buckets folded; seal: hot reads into Parquet files; compact: a day of files merged), by step.',
    labelNames: ['step'] as const,
    buckets: [0.01, 0.05, 0.25, 1, 5, 20, 60, 300],
    registers: [this.registry],
  });
  readonly maintenanceErrors = new Counter({
    name: 'vigil_store_maintenance_errors_total',
    help: 'Store maintenance steps that failed (retried at the next pass), by step.',
    labelNames: ['step'] as const,
    registers: [this.registry],
  });
  readonly sealedReads = new Counter({
    name: 'vigil_store_sealed_reads_total',
    help: 'Reads moved from the hot table into sealed Parquet files.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Reports the rule book's sizes and version at every scrape. */
  watchRules(rules: RuleSizes): void {
    this.rules = rules;
  }

  // One pass over the lists fills both list gauges (each gauge's collect runs it: the registry
  // gives no order); both kinds always appear, 0 when empty, so a panel shows 0, not "no data".
  private collectLists(): void {
    if (!this.rules) return;
    const lists = new Map<string, number>(LIST_KINDS.map((k) => [k, 0]));
    const entries = new Map<string, number>(LIST_KINDS.map((k) => [k, 0]));
    for (const w of this.rules.watchlists()) {
      lists.set(w.kind, (lists.get(w.kind) ?? 0) + 1);
      entries.set(w.kind, (entries.get(w.kind) ?? 0) + w.entries);
    }
    for (const [kind, n] of lists) this.watchlists.labels(kind).set(n);
    for (const [kind, n] of entries) this.watchlistEntries.labels(kind).set(n);
  }

  // Each held list's hit counter (at its kind's base match type) and both of its ack statuses
  // are there from the first scrape at 0: a rate then sees the list's first hit or ack (a series
  // born at 1 hides it), and its precision has a numerator before the first accepted hit.
  // Lists removed later keep their series until restart, as they would after a hit.
  private startListSeries(): void {
    if (!this.rules) return;
    for (const w of this.rules.watchlists()) {
      const match = BASE_MATCH[w.kind];
      if (match) this.watchlistHits.labels(w.id, match).inc(0);
      for (const status of ACK_STATUSES) this.hitAcks.labels(w.id, status).inc(0);
    }
  }
}
