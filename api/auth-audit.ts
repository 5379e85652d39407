// The audit of refused requests (401, 403), bounded: a flood of bad tokens must not fill the disk
// or queue the store. Per minute, at most `perIpPerMinute` rows per address and `perMinute` in
// all; the rest are counted (vigil_audit_dropped_total) and summed up in one row per minute.

import type { FastifyRequest } from 'fastify';
import type { Logger } from '../engine/logger.js';
import type { EngineMetrics } from '../engine/metrics.js';
import type { AuditLog } from '../engine/store/audit-log.js';
import type { AuthFailure } from './auth.js';

const WINDOW_MS = 60_000;
/** Addresses tracked one by one per window; past this, new ones share one budget (memory bound). */
const MAX_TRACKED = 10_000;
const OTHERS = '(other addresses)';

export interface FailureAuditLimits {
  perIpPerMinute: number;
  perMinute: number;
}

export class FailedAuthAudit {
  private windowStart: number;
  private written = new Map<string, number>();
  private writtenTotal = 0;
  private dropped = new Map<string, number>();
  private droppedTotal = 0;
  private readonly pending = new Set<Promise<void>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly audit: AuditLog,
    private readonly metrics: EngineMetrics,
    private readonly limits: Readonly<FailureAuditLimits>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.windowStart = now();
    this.timer = setInterval(() => this.roll(), WINDOW_MS).unref();
  }

  /** Counts the failure and writes its audit row unless the caller's budget is spent. Never waits. */
  record(request: FastifyRequest, f: AuthFailure): void {
    this.metrics.authFailures.labels(String(f.status), f.code).inc();
    if (this.now() - this.windowStart >= WINDOW_MS) this.roll();
    const ip = this.slot(this.written, request.ip);
    const used = this.written.get(ip) ?? 0;
    if (used >= this.limits.perIpPerMinute || this.writtenTotal >= this.limits.perMinute) {
      const key = this.slot(this.dropped, request.ip);
      this.dropped.set(key, (this.dropped.get(key) ?? 0) + 1);
      this.droppedTotal++;
      this.metrics.auditDropped.inc();
      return;
    }
    this.written.set(ip, used + 1);
    this.writtenTotal++;
    this.write({
      actor: f.actor,
      role: f.role,
      action: f.status === 401 ? 'auth.failed' : 'auth.forbidden',
      target: request.url.slice(0, 200),
      reason: f.reason,
      ip: request.ip,
      detail: { status: f.status, method: request.method, route: request.routeOptions.url ?? null, ...f.detail },
    });
  }

  /** A key for `ip` in `map` that keeps the map within MAX_TRACKED entries. */
  private slot(map: Map<string, number>, ip: string): string {
    return map.has(ip) || map.size < MAX_TRACKED ? ip : OTHERS;
  }

  /** Ends the window: what was dropped in it becomes one summary row. */
  private roll(): void {
    if (this.droppedTotal > 0) {
      const top = [...this.dropped.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20);
      this.write({
        actor: null,
        role: null,
        action: 'auth.failed.dropped',
        target: null,
        reason: `${this.droppedTotal} refused requests not audited one by one (auth.auditFailures limits)`,
        ip: top.length === 1 ? top[0][0] : null,
        detail: {
          from: new Date(this.windowStart).toISOString(),
          to: new Date(this.now()).toISOString(),
          dropped: this.droppedTotal,
          byIp: Object.fromEntries(top),
        },
      });
      this.log.warn(`${this.droppedTotal} failed authentications in the last minute were not audited one by one (flood?)`);
    }
    this.windowStart = this.now();
    this.written = new Map();
    this.writtenTotal = 0;
    this.dropped = new Map();
    this.droppedTotal = 0;
  }

  private write(entry: Parameters<AuditLog['record']>[0]): void {
    // Not awaited by the request: a refused caller gets its answer without waiting for the store.
    const p = this.audit
      .record(entry)
      .catch((err) => this.log.warn(`audit write failed: ${(err as Error).message}`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Writes the summary of the current window and waits for every write in flight. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.roll();
    await Promise.all([...this.pending]);
  }
}
