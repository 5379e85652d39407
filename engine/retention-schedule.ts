// Retention on a schedule: shortly after start and then every retention.purgeIntervalMinutes,
// expired watchlists and entries leave the live rule book, and sightings, hits, audit rows and
// the matching state of subjects no longer read past their age leave the store. Each run is
// counted; what it deleted is logged and audited.

import type { Config } from './config.js';
import { RepeatingJob } from './util/repeating-job.js';
import type { Logger } from './logger.js';
import type { ExpiredRules, RuleBook } from './match/rule-book.js';
import type { EngineMetrics } from './metrics.js';
import type { AuditLog } from './store/audit-log.js';
import type { Database } from './store/database.js';
import { purgeAudit, purgeCutoffs, purgeHits, purgeSightings, type PurgeCutoffs } from './store/retention.js';

export const PURGED_TABLES = ['watchlists', 'watchlist_entries', 'sightings', 'hits', 'hit_acks', 'audit', 'match_state'] as const;
export type PurgedTable = (typeof PURGED_TABLES)[number];

export interface PurgeReport {
  /** The clock's time the run purged by (epoch ms). */
  at: number;
  cutoffs: PurgeCutoffs;
  /** Rows deleted per table, committed even when a later step failed. */
  rows: Record<PurgedTable, number>;
  rules: ExpiredRules;
  /** One message per failed step; empty when the run succeeded. */
  errors: string[];
}

export interface RetentionScheduleOptions {
  db: Database;
  rules: RuleBook;
  audit: AuditLog;
  metrics: EngineMetrics;
  log: Logger;
  retention: Readonly<Config['retention']>;
  /**
   * Drops the matching state retained since before a cutoff (the detection ingest's
   * expireState) and resolves with how many keys; without it the step deletes nothing.
   */
  expireMatchState?: (cutoffMs: number) => Promise<number>;
  /** Epoch ms; tests move it. */
  now?: () => number;
  /** Delay of the first run after start(): ingest catches up on its backlog first. */
  firstRunDelayMs?: number;
}

export const RETENTION_ACTOR = 'vigil';

export class RetentionSchedule {
  private readonly job: RepeatingJob<PurgeReport>;
  private readonly now: () => number;

  constructor(private readonly opts: RetentionScheduleOptions) {
    this.now = opts.now ?? Date.now;
    this.job = new RepeatingJob(
      () => this.purge(),
      () => opts.retention.purgeIntervalMinutes * 60_000,
    );
    // Every series exists from the start, so a panel shows 0 rather than no data.
    for (const t of PURGED_TABLES) opts.metrics.purgedRows.labels(t).inc(0);
    for (const o of ['ok', 'error']) opts.metrics.purgeRuns.labels(o).inc(0);
  }

  start(): void {
    this.job.start(this.opts.firstRunDelayMs ?? 30_000);
  }

  /** No further scheduled runs (`run()` still purges on demand); waits for the one in progress. */
  stop(): Promise<void> {
    return this.job.stop();
  }

  /**
   * Purges now. A call while a run is in progress joins that run instead of starting a second.
   * Never rejects: a failed step is logged, counted and reported, and the other steps still run.
   */
  run(): Promise<PurgeReport> {
    return this.job.run();
  }

  private async purge(): Promise<PurgeReport> {
    const { db, rules, metrics, log, retention } = this.opts;
    const at = this.now();
    const cutoffs = purgeCutoffs(retention, at);
    const report: PurgeReport = {
      at,
      cutoffs,
      rows: Object.fromEntries(PURGED_TABLES.map((t) => [t, 0])) as Record<PurgedTable, number>,
      rules: { watchlists: [], entries: [] },
      errors: [],
    };
    const count = (table: PurgedTable, n: number) => {
      report.rows[table] += n;
      metrics.purgedRows.labels(table).inc(n);
    };
    const step = async (what: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        report.errors.push(`${what}: ${(err as Error).message}`);
      }
    };

    // Rules first: an expired entry still in the index is the one that could do harm.
    await step('expired rules', async () => {
      try {
        await rules.removeExpired(cutoffs.rules, report.rules);
      } finally {
        const { watchlists, entries } = report.rules;
        count('watchlists', watchlists.length);
        count('watchlist_entries', watchlists.reduce((n, w) => n + w.entries, 0) + entries.reduce((n, e) => n + e.keys.length, 0));
      }
    });
    await step('sightings', async () => count('sightings', await purgeSightings(db, cutoffs.sightings)));
    await step('hits', async () => {
      const n = await purgeHits(db, cutoffs.hits);
      count('hits', n.hits);
      count('hit_acks', n.hitAcks);
    });
    await step('audit', async () => count('audit', await purgeAudit(db, cutoffs.audit)));
    // Cooldowns and geofence states of subjects not read since the sightings' cutoff: the
    // matcher already ignores them, so deleting them frees space and changes no decision.
    // Last: it waits for ingest to commit, which should hold back no other step.
    const { expireMatchState } = this.opts;
    if (expireMatchState) await step('match state', async () => count('match_state', await expireMatchState(cutoffs.sightings)));

    // The audit says what was deleted (a run that found nothing is only counted and logged).
    const deleted = Object.values(report.rows).some((n) => n > 0);
    if (deleted || report.errors.length > 0) await step('audit record', () => this.record(report));

    const ok = report.errors.length === 0;
    metrics.purgeRuns.labels(ok ? 'ok' : 'error').inc();
    const summary = { rows: report.rows, watchlists: report.rules.watchlists.map((w) => w.id) };
    if (!ok) log.error({ ...summary, errors: report.errors }, 'retention purge failed in part; the next run tries again');
    else if (deleted) log.info(summary, 'retention purge');
    else log.debug('retention purge: nothing past its retention');
    return report;
  }

  private record(report: PurgeReport): Promise<void> {
    const { retention, audit } = this.opts;
    const iso = (ms: number) => new Date(ms).toISOString();
    return audit.record(
      {
        actor: RETENTION_ACTOR,
        role: null,
        action: 'retention.purge',
        reason:
          `retention: detectionsDays ${retention.detectionsDays}, hitsDays ${retention.hitsDays}, ` +
          `auditDays ${retention.auditDays}, expiredRulesGraceDays ${retention.expiredRulesGraceDays}`,
        detail: {
          cutoffs: {
            sightings: iso(report.cutoffs.sightings),
            hits: iso(report.cutoffs.hits),
            audit: iso(report.cutoffs.audit),
            rules: iso(report.cutoffs.rules),
          },
          rows: report.rows,
          watchlists: report.rules.watchlists,
          entries: report.rules.entries,
          ...(report.errors.length > 0 ? { errors: report.errors } : {}),
        },
      },
      report.at,
    );
  }
}
