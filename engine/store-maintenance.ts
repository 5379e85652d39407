// Store maintenance on a timer: the step that keeps a query's cost following what it asks for
// rather than how much is stored. Each pass, from the newest stored event time (the watermark,
// no later than the clock) less the allowed lateness:
//   rollups  closed count buckets folded into one row per key × bucket × kind;
//   seal     hot reads before the last store.sealMinutes boundary written into a Parquet file
//            per day, sorted by plate (without the lateness: a late read goes into the next);
//   compact  a closed day's files merged into one, an open day's seals into runs.
// Passes never overlap; a failed step is logged and counted, and the next pass retries it.

import type { Config } from './config.js';
import { RepeatingJob } from './util/repeating-job.js';
import type { Logger } from './logger.js';
import type { EngineMetrics } from './metrics.js';
import type { Database } from './store/database.js';
import { compactRollupsByDay } from './store/rollups.js';
import { compactSightingDays, newestReadTime, sealSightings } from './store/sighting-seal.js';
import type { SightingFiles } from './store/sighting-files.js';

const HOUR_MS = 3_600_000;

export interface MaintenanceOptions {
  db: Database;
  files: SightingFiles;
  metrics: EngineMetrics;
  log: Logger;
  store: Readonly<Config['store']>;
  /** Epoch ms (wall clock: the minute-count window); tests move it. */
  now?: () => number;
}

export interface MaintenanceReport {
  watermark: number | null;
  closedBefore: number | null;
  sealedReads: number;
  sealedFiles: number;
  /** Days merged, and runs of an open day's seals. */
  merges: number;
  errors: string[];
}

export class StoreMaintenance {
  private readonly job: RepeatingJob<MaintenanceReport>;
  private readonly now: () => number;

  constructor(private readonly opts: MaintenanceOptions) {
    this.now = opts.now ?? Date.now;
    this.job = new RepeatingJob(
      () => this.pass(),
      () => opts.store.maintenanceIntervalSeconds * 1000,
    );
    for (const step of ['rollups', 'seal', 'compact']) opts.metrics.maintenanceErrors.labels(step).inc(0);
  }

  start(): void {
    this.job.start();
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** One pass now; a call during a pass joins it. Never rejects. */
  run(): Promise<MaintenanceReport> {
    return this.job.run();
  }

  private async pass(): Promise<MaintenanceReport> {
    const { db, files, metrics, log, store } = this.opts;
    const report: MaintenanceReport = { watermark: null, closedBefore: null, sealedReads: 0, sealedFiles: 0, merges: 0, errors: [] };
    const step = async (name: string, work: () => Promise<void>) => {
      if (this.job.isStopped && name !== 'watermark') return;
      const end = metrics.maintenanceSeconds.labels(name).startTimer();
      try {
        await work();
      } catch (err) {
        report.errors.push(`${name}: ${(err as Error).message}`);
        metrics.maintenanceErrors.labels(name).inc();
        log.error(`store maintenance, ${name}: ${(err as Error).message} (retried at the next pass)`);
      } finally {
        end();
      }
    };
    await step('watermark', async () => {
      report.watermark = await newestReadTime(db);
    });
    if (report.watermark === null) return report;
    // Capped by the clock: one camera stamping reads hours ahead (accepted up to 24 h) must not
    // close the buckets still being read, or each pass would seal a file of the last minute.
    const newest = Math.min(report.watermark, this.now());
    const closedBefore = newest - store.latenessSeconds * 1000;
    report.closedBefore = closedBefore;
    await step('rollups', async () => {
      await compactRollupsByDay(db, closedBefore, this.now() - store.minuteBucketsHours * HOUR_MS);
    });
    // On boundaries of sealMinutes, not every pass: a file per span, not per pass. A plate
    // search scans the hot table whole (25–30 ms a million reads), so it holds minutes of
    // the city, not hours; the seals of an open day are merged into runs (compact).
    await step('seal', async () => {
      const span = store.sealMinutes * 60_000;
      const sealed = await sealSightings(db, Math.floor(newest / span) * span, files);
      report.sealedReads = sealed.reads;
      report.sealedFiles = sealed.files;
      metrics.sealedReads.inc(sealed.reads);
    });
    await step('compact', async () => {
      report.merges = await compactSightingDays(db, closedBefore, files);
    });
    if (report.sealedFiles > 0 || report.merges > 0) {
      log.info({ sealedReads: report.sealedReads, files: report.sealedFiles, merges: report.merges }, 'store maintenance');
    }
    return report;
  }
}
