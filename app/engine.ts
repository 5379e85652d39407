// One vigil engine process: NATS ingest, DuckDB store and the HTTP API, started in that order
// and stopped in reverse (stop pulling, commit and ack what was received, close).

import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { buildApi } from '../api/server.js';
import { plainTokenNames, TokenBook } from '../api/auth.js';
import { KnoxPool } from '../engine/analytics/knox-pool.js';
import { isLoopback, type Config, type TokenSpec } from '../engine/config.js';
import { VigilError } from '../engine/errors.js';
import { Placement } from '../engine/geo/placement.js';
import { AppliedSequences } from '../engine/ingest/applied-sequences.js';
import { DeadLetters } from '../engine/ingest/dead-letters.js';
import { detectionHandler, type DetectionHandler } from '../engine/ingest/detection-ingest.js';
import { incidentHandler } from '../engine/ingest/incident-ingest.js';
import { StreamConsumer, type BatchHandler } from '../engine/ingest/stream-consumer.js';
import type { Logger } from '../engine/logger.js';
import { EngineMetrics } from '../engine/metrics.js';
import { NatsLink } from '../engine/nats/connection.js';
import { ensureStream, vigilStreams } from '../engine/nats/streams.js';
import { AuditLog } from '../engine/store/audit-log.js';
import { listAreas, listCameras } from '../engine/store/catalog.js';
import { ruleRepository } from '../engine/store/rules-store.js';
import { Database } from '../engine/store/database.js';
import { loadAppliedRanges, loadMatchState } from '../engine/store/ingest-writer.js';
import { HitPublisher } from '../engine/ingest/hit-publisher.js';
import { MatchPool, poolSize } from '../engine/ingest/match-pool.js';
import { KeyedState } from '../engine/match/keyed-state.js';
import { ReadMatcher, type MatchStateValue } from '../engine/match/read-matcher.js';
import { RuleBook } from '../engine/match/rule-book.js';
import { RetentionSchedule } from '../engine/retention-schedule.js';
import { StoreMaintenance } from '../engine/store-maintenance.js';
import { attachSightingFiles } from '../engine/store/sighting-files.js';

export interface EngineOptions {
  /** Listen on config.http (default true); tests may use `api.inject` instead. */
  listen?: boolean;
  /** The clock retention purges by (epoch ms; tests move it). */
  now?: () => number;
}

export class Engine {
  private consumers: StreamConsumer[] = [];
  private pool: MatchPool | null = null;
  private detections: DetectionHandler | null = null;
  private stopped = false;
  /** Purges data past its retention on a timer; `run()` purges now. */
  retention: RetentionSchedule | null = null;
  /** Rolls up closed counts and seals closed hours of reads on a timer; `run()` does it now. */
  maintenance: StoreMaintenance | null = null;
  address: string | null = null;

  private constructor(
    readonly config: Readonly<Config>,
    readonly log: Logger,
    readonly metrics: EngineMetrics,
    readonly db: Database,
    readonly nats: NatsLink,
    readonly placement: Placement,
    readonly rules: RuleBook,
    private readonly state: KeyedState<MatchStateValue>,
    private readonly hitPublisher: HitPublisher,
    readonly api: FastifyInstance,
    /** Set when no tokens are configured: a random admin token for this run only. */
    readonly devToken: string | null,
  ) {}

  static async start(config: Readonly<Config>, log: Logger, opts: EngineOptions = {}): Promise<Engine> {
    let tokens: readonly TokenSpec[] = config.auth.tokens;
    let devToken: string | null = null;
    if (tokens.length === 0 && !config.auth.jwt) {
      if (!isLoopback(config.http.host)) throw new VigilError('CONFIG_LISTEN_UNSAFE', config.http.host);
      devToken = `dev-${randomBytes(18).toString('base64url')}`;
      tokens = [{ name: 'development', role: 'admin', token: devToken }];
      log.warn('no auth.tokens configured: a development admin token was generated for this run (loopback only)');
    } else if (plainTokenNames(tokens).length > 0) {
      log.warn(
        `auth.tokens holds plain-text tokens (${plainTokenNames(tokens)
          .map((n) => `'${n}'`)
          .join(', ')}): store their sha256 instead outside development`,
      );
    }

    const metrics = new EngineMetrics();
    const db = await Database.open(config.dataDir, config.timezone, config.store.memoryLimitMb);
    const { files, removed, missing } = await attachSightingFiles(db, config.store.writerId, config.store.shardPlateReads);
    if (removed.length > 0) log.info(`sealed sightings: removed ${removed.length} file(s) a stopped write or merge left behind`);
    if (missing.length > 0)
      log.error(`sealed sightings: ${missing.length} catalogued file(s) are gone from ${files.dir}: ${missing.join(', ')}`);
    const placement = new Placement();
    placement.setAreas(await listAreas(db));
    placement.upsertCameras(await listCameras(db));
    const rules = await RuleBook.load(ruleRepository(db), () => placement.cameras(), config.timezone, config.matching.plateFormats);
    metrics.watchRules(rules);
    const state = KeyedState.from(await loadMatchState(db));

    let nats: NatsLink;
    try {
      nats = await NatsLink.open(config.nats, log);
    } catch (err) {
      await db.close();
      throw new Error(`cannot connect to NATS at ${config.nats.url}: ${(err as Error).message}`);
    }
    const js = jetstream(nats.nc);
    const hitPublisher = new HitPublisher(js, config.nats.prefix);
    // The API asks the engine for readiness; the engine is built once the API exists.
    let engine: Engine | null = null;
    let api: FastifyInstance;
    const knox = new KnoxPool();
    try {
      api = await buildApi({
        config,
        db,
        audit: new AuditLog(db),
        metrics,
        placement,
        rules,
        nats,
        hitPublisher,
        knox,
        tokens: new TokenBook(tokens),
        log,
        readiness: () => engine?.readiness() ?? { ready: false, checks: {} },
      });
    } catch (err) {
      await knox.close();
      await nats.close();
      await db.close();
      throw err;
    }
    const started = new Engine(config, log, metrics, db, nats, placement, rules, state, hitPublisher, api, devToken);
    engine = started;
    try {
      await started.startIngest();
      started.retention = new RetentionSchedule({
        db,
        rules,
        audit: new AuditLog(db),
        metrics,
        log,
        retention: config.retention,
        expireMatchState: (cutoff) => started.detections?.expireState(cutoff) ?? Promise.resolve(0),
        now: opts.now,
      });
      started.retention.start();
      started.maintenance = new StoreMaintenance({ db, files, metrics, log, store: config.store, now: opts.now });
      started.maintenance.start();
      if (opts.listen !== false) {
        started.address = await api.listen({ host: config.http.host, port: config.http.port });
        log.info(`API listening on ${started.address}`);
      } else {
        await api.ready();
      }
    } catch (err) {
      await started.stop().catch(() => undefined);
      throw err;
    }
    return started;
  }

  private async startIngest(): Promise<void> {
    const { config, nats, db, placement, metrics, log } = this;
    const jsm = await jetstreamManager(nats.nc);
    const js = jetstream(nats.nc);
    const streams = vigilStreams(config.nats.prefix, config.nats.streamMaxAgeHours);
    for (const spec of Object.values(streams)) await ensureStream(jsm, spec);
    const dlq = new DeadLetters(js, config.nats.prefix, metrics, () => nats.nc.info?.max_payload ?? 1024 * 1024);
    const hits = this.hitPublisher;
    const matcher = new ReadMatcher(placement, this.state, { retentionMs: Math.round(config.retention.detectionsDays * 86_400_000) });
    const { rules, state } = this;
    const threads = poolSize(config.workers.threads);
    this.pool = threads > 0 ? new MatchPool(threads, metrics) : null;
    const pool = this.pool;
    log.info(threads > 0 ? `matching in ${threads} worker threads` : 'matching on the main thread');

    const inputs: Array<[string, string, (stream: string) => BatchHandler<unknown>]> = [
      [
        streams.det.name,
        'vigil-det',
        (stream) => (this.detections = detectionHandler({ stream, db, placement, dlq, hits, metrics, rules, matcher, state, pool })),
      ],
      [streams.inc.name, 'vigil-inc', (stream) => incidentHandler({ stream, db, placement, dlq, hits, metrics })],
    ];
    for (const [stream, durable, handler] of inputs) {
      const consumer = new StreamConsumer({
        js,
        jsm,
        stream,
        durable,
        applied: AppliedSequences.fromRanges(await loadAppliedRanges(db, stream)),
        handler: handler(stream),
        batchMaxMessages: config.ingest.batchMaxMessages,
        batchMaxBytes: config.ingest.batchMaxBytes,
        batchMaxWaitMs: config.ingest.batchMaxWaitMs,
        maxAckPending: config.ingest.maxAckPending,
        ackWaitSeconds: config.ingest.ackWaitSeconds,
        metrics,
        log,
      });
      await consumer.start();
      this.consumers.push(consumer);
    }
  }

  readiness(): { ready: boolean; checks: Record<string, boolean> } {
    const checks = {
      nats: this.nats.isConnected,
      store: this.db.isOpen,
      ingest: this.consumers.length > 0 && this.consumers.every((c) => c.healthy),
    };
    return { ready: !this.stopped && Object.values(checks).every(Boolean), checks };
  }

  /** Drains: stop accepting requests and messages, commit and ack in-flight batches, close. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.retention?.stop();
    await this.maintenance?.stop();
    await this.api.close().catch((err) => this.log.warn(`API close: ${(err as Error).message}`));
    await this.api.deps.knox.close();
    for (const c of this.consumers) await c.stop();
    await this.pool?.close();
    await this.nats.close();
    await this.db.close();
    this.log.info('engine stopped');
  }
}
