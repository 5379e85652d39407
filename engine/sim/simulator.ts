// Publishes the simulated city into NATS at the pace of its rhythm: reads camera-direct or
// batched by gateways, incidents on their own subjects, through core NATS or JetStream, on a
// simulated clock that may start in the past and run faster than real time.

import { encode } from '@msgpack/msgpack';
import { jetstream as jetstreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SimCity } from './city.js';
import { DueTimes, Pacer, SimClock } from './pace.js';
import { INCIDENT_RHYTHM, READ_RHYTHM } from './rhythm.js';
import { Traffic, type DetectionRecord, type IncidentRecord } from './traffic.js';

const TICK_MS = 50;
const GATEWAYS = 8;
// A gateway sends a partial batch once its oldest read has waited this long, as real ones do.
const GATEWAY_MAX_DELAY_MS = 250;
// NATS refuses messages over 1 MiB by default; face reads (512-byte embeddings) fill a batch fast.
const GATEWAY_MAX_BYTES = 900_000;
// JetStream publishes awaiting acks at once: enough to keep the pipe full, few enough that a
// stalled server slows the simulator instead of piling up promises.
const ACK_WINDOW = 256;

export interface SimulateOptions {
  nc: NatsConnection;
  prefix: string;
  city: SimCity;
  seed: number;
  /** Reads per real second: the mean over a simulated week; the hour of the simulated day shapes it. */
  rate: number;
  /** 0 runs until `signal` aborts. */
  durationSeconds: number;
  /** Reads per message: 1 publishes each read on `<prefix>.det.<camera>`, more batches them on `<prefix>.det.gw-<n>`. */
  batch: number;
  /** true: JetStream publish awaiting acks; false: core publish. */
  jetstream: boolean;
  /** Incidents per real minute, the weekly mean, as `rate`. */
  incidentsPerMinute: number;
  /** Epoch ms the simulated clock starts at (not in the future); default: now. */
  start?: number;
  /** Simulated time runs this many times faster than real time until it reaches the present (default 1). */
  speed?: number;
  signal?: AbortSignal;
  /** Called about once a second. */
  onProgress?: (stats: SimStats) => void;
}

export interface SimStats {
  reads: number;
  messages: number;
  incidents: number;
  /** Of the incidents, panic-button alarms. */
  panics: number;
  elapsedSeconds: number;
  /** The simulated clock, epoch ms. */
  simulatedTime: number;
}

export async function runSimulation(opts: SimulateOptions): Promise<SimStats> {
  const { nc, prefix, city, seed, rate, durationSeconds, batch, incidentsPerMinute, signal, onProgress } = opts;
  if (!(rate > 0 && Number.isFinite(rate))) throw new Error(`rate must be a positive number, got ${rate}`);
  if (!(durationSeconds >= 0)) throw new Error(`durationSeconds must be 0 or more, got ${durationSeconds}`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch must be a positive whole number, got ${batch}`);
  if (!(incidentsPerMinute >= 0 && Number.isFinite(incidentsPerMinute))) {
    throw new Error(`incidentsPerMinute must be 0 or more, got ${incidentsPerMinute}`);
  }
  const start = Date.now();
  const clock = new SimClock(start, opts.start ?? start, opts.speed ?? 1);

  const traffic = new Traffic(city, seed);
  const js = opts.jetstream ? jetstreamClient(nc) : null;
  const stats: SimStats = { reads: 0, messages: 0, incidents: 0, panics: 0, elapsedSeconds: 0, simulatedTime: clock.at(start) };
  // A failed ack is noted, not left as a rejection: one waiting for the window to fill would
  // count as unhandled and end the process. The loop checks the note every tick.
  let inFlight: Promise<void>[] = [];
  let failure: Error | null = null;

  const settle = async () => {
    const acks = inFlight;
    inFlight = [];
    await Promise.all(acks);
    if (failure) throw failure;
  };
  const send = async (subject: string, data: Uint8Array) => {
    if (!js) {
      nc.publish(subject, data);
      return;
    }
    inFlight.push(
      js.publish(subject, data).then(
        () => undefined,
        (err: Error) => {
          failure ??= explain(err, subject);
        },
      ),
    );
    if (inFlight.length >= ACK_WINDOW) await settle();
  };

  const gateways = Array.from({ length: GATEWAYS }, () => ({ reads: [] as DetectionRecord[], bytes: 0, since: 0 }));
  const flush = async (g: (typeof gateways)[number], n: number) => {
    if (g.reads.length === 0) return;
    const reads = g.reads;
    g.reads = [];
    g.bytes = 0;
    await send(`${prefix}.det.gw-${n + 1}`, encode(reads));
    stats.reads += reads.length;
    stats.messages++;
  };
  const publishRead = async (read: DetectionRecord, now: number) => {
    if (batch === 1) {
      await send(`${prefix}.det.${read.camera}`, encode(read));
      stats.reads++;
      stats.messages++;
      return;
    }
    // A camera always reports through the same gateway.
    const n = hash(read.camera) % GATEWAYS;
    const g = gateways[n];
    if (g.reads.length === 0) g.since = now;
    g.reads.push(read);
    g.bytes += 200 + (read.embedding?.byteLength ?? 0);
    if (g.reads.length >= batch || g.bytes >= GATEWAY_MAX_BYTES) await flush(g, n);
  };
  const publishIncident = async (incident: IncidentRecord) => {
    // Incident systems speak JSON; some gateways MessagePack. Every fourth exercises the latter.
    const data = stats.incidents % 4 === 3 ? encode(incident) : new TextEncoder().encode(JSON.stringify(incident));
    await send(`${prefix}.incident.${incident.type}`, data);
    stats.incidents++;
    if (incident.source === 'panic_button') stats.panics++;
  };

  const end = durationSeconds > 0 ? start + durationSeconds * 1000 : Infinity;
  const readPace = new Pacer(rate, READ_RHYTHM, clock);
  const incidentPace = new Pacer(incidentsPerMinute / 60, INCIDENT_RHYTHM, clock);
  let readsSent = 0;
  let incidentsSent = 0;
  const readsDue = new DueTimes(clock.at(start));
  const incidentsDue = new DueTimes(clock.at(start));
  let lastProgress = start;
  let simNow = clock.at(start);
  for (;;) {
    if (failure) throw failure;
    const now = Date.now();
    const stopping = signal?.aborted === true || now >= end;
    const real = Math.min(now, end);
    const sim = clock.at(real);
    simNow = sim;
    // Owed since the start rather than per tick, so late timers do not lower the rate. After a
    // long stall (slow acks, GC), catch up over several ticks, not in one burst; a run with a
    // duration still ends having sent all it owes.
    const readsOwed = readPace.advance(real);
    readsDue.record(readsOwed, sim);
    const owed = readsOwed - readsSent;
    const reads = now >= end ? owed : Math.min(owed, Math.ceil(rate));
    // Each at the simulated time it fell due (at ×1000 a tick is 50 simulated seconds).
    for (let i = 0; i < reads; i++) await publishRead(traffic.nextRead(readsDue.at(readsSent + i)), now);
    readsSent += reads;
    const incidentsOwed = incidentPace.advance(real);
    incidentsDue.record(incidentsOwed, sim);
    for (; incidentsSent < incidentsOwed; incidentsSent++) await publishIncident(traffic.nextIncident(incidentsDue.at(incidentsSent)));
    for (const [n, g] of gateways.entries()) {
      if (stopping || now - g.since >= GATEWAY_MAX_DELAY_MS) await flush(g, n);
    }
    if (stopping) break;
    if (onProgress && now - lastProgress >= 1000) {
      lastProgress = now;
      onProgress({ ...stats, elapsedSeconds: (now - start) / 1000, simulatedTime: sim });
    }
    await sleep(Math.min(TICK_MS - ((Date.now() - start) % TICK_MS), end - Date.now()), signal);
  }

  await settle();
  // Core publishes are only buffered; a flush round trip means the server has them all.
  if (!js && !nc.isClosed()) await nc.flush();
  stats.elapsedSeconds = (Date.now() - start) / 1000;
  stats.simulatedTime = simNow;
  return stats;
}

function explain(err: Error, subject: string): Error {
  if (err.name === 'JetStreamNotEnabled' || /jetstream is not enabled/i.test(err.message)) {
    return new Error(
      `no JetStream stream stores ${subject}: start the engine first (it creates the streams) or publish with core NATS (vigil simulate --core)`,
      { cause: err },
    );
  }
  return err;
}

/** FNV-1a: a stable camera → gateway assignment. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
