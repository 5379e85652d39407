// What the API is given by the composition root (app/engine.ts): the engine's parts it reads
// and changes. Routes reach it as `app.deps`.

import type { Config } from '../engine/config.js';
import type { Logger } from '../engine/logger.js';
import type { EngineMetrics } from '../engine/metrics.js';
import type { Placement } from '../engine/geo/placement.js';
import type { RuleBook } from '../engine/match/rule-book.js';
import type { NatsLink } from '../engine/nats/connection.js';
import type { HitPublisher } from '../engine/ingest/hit-publisher.js';
import type { KnoxPool } from '../engine/analytics/knox-pool.js';
import type { Database } from '../engine/store/database.js';
import type { AuditLog } from '../engine/store/audit-log.js';
import type { TokenBook } from './auth.js';

export interface Readiness {
  ready: boolean;
  checks: Record<string, boolean>;
}

export interface ApiDeps {
  config: Readonly<Config>;
  db: Database;
  audit: AuditLog;
  metrics: EngineMetrics;
  placement: Placement;
  rules: RuleBook;
  nats: NatsLink;
  hitPublisher: HitPublisher;
  /** Threads for the Knox test (near-repeat), shared by all requests; the engine closes it. */
  knox: KnoxPool;
  tokens: TokenBook;
  log: Logger;
  readiness: () => Readiness;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: ApiDeps;
  }
}
