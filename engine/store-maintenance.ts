// Store maintenance on a timer: the step that keeps a query's cost following what it asks for
// rather than how much is stored. Each pass, from the newest stored event time (the watermark,
// no later than the clock) less the allowed lateness:
//   rollups  closed count buckets folded into one row per key × bucket × kind;
//   seal     hot reads of closed hours written into a sorted Parquet file per day;
//   compact  a closed day's files merged into one.
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
  mergedDays: number;
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
    const report: MaintenanceReport = { watermark: null, closedBefore: null, sealedReads: 0, sealedFiles: 0, mergedDays: 0, errors: [] };
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
    // close the hours still being read, or each pass would seal a file of the last minute.
    const closedBefore = Math.min(report.watermark, this.now()) - store.latenessSeconds * 1000;
    report.closedBefore = closedBefore;
    await step('rollups', async () => {
      await compactRollupsByDay(db, closedBefore, this.now() - store.minuteBucketsHours * HOUR_MS);
    });
    // Whole hours only: a day gets about 24 files before it is merged, not one per pass.
    await step('seal', async () => {
      const sealed = await sealSightings(db, Math.floor(closedBefore / HOUR_MS) * HOUR_MS, files);
      report.sealedReads = sealed.reads;
      report.sealedFiles = sealed.files;
      metrics.sealedReads.inc(sealed.reads);
    });
    await step('compact', async () => {
      report.mergedDays = await compactSightingDays(db, closedBefore, files);
    });
    if (report.sealedFiles > 0 || report.mergedDays > 0) {
      log.info({ sealedReads: report.sealedReads, files: report.sealedFiles, mergedDays: report.mergedDays }, 'store maintenance');
    }
    return report;
  }
}
