// Append-only record of who looked at or changed what, when, why and from where.

import type { Database, Row } from './database.js';

export interface AuditEntry {
  actor: string | null;
  role: string | null;
  action: string;
  target?: string | null;
  reason?: string | null;
  ip?: string | null;
  detail?: unknown;
}

export interface AuditFilter {
  from: number;
  to: number;
  actor?: string;
  action?: string;
  limit: number;
}

export class AuditLog {
  constructor(private readonly db: Database) {}

  /** Resolves once the entry is committed: callers audit first, then answer. */
  record(entry: AuditEntry, at = Date.now()): Promise<void> {
    return this.db.transaction(async (conn) => {
      await conn.run(`INSERT INTO audit VALUES (make_timestamptz($1::BIGINT * 1000), $2, $3, $4, $5, $6, $7, $8::JSON)`, [
        BigInt(at),
        entry.actor,
        entry.role,
        entry.action,
        entry.target ?? null,
        entry.reason ?? null,
        entry.ip ?? null,
        entry.detail === undefined ? null : JSON.stringify(entry.detail),
      ]);
    });
  }

  async list(f: AuditFilter): Promise<Row[]> {
    const rows = await this.db.query(
      `SELECT epoch_ms(ts) AS ts, actor, role, action, target, reason, ip, detail::VARCHAR AS detail
       FROM audit
       WHERE ts >= make_timestamptz($1::BIGINT * 1000) AND ts < make_timestamptz($2::BIGINT * 1000)
         AND ($3::VARCHAR IS NULL OR actor = $3) AND ($4::VARCHAR IS NULL OR action = $4)
       ORDER BY ts DESC LIMIT $5`,
      [BigInt(f.from), BigInt(f.to), f.actor ?? null, f.action ?? null, f.limit],
    );
    return rows.map((r) => ({
      ...r,
      ts: new Date(Number(r.ts)).toISOString(),
      detail: r.detail === null ? null : JSON.parse(String(r.detail)),
    }));
  }
}
