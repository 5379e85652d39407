// Fuzz of the NATS inputs: tens of thousands of random and malformed detection and incident
// payloads, mixed with known-good ones. The engine must stay up and ready, file every bad
// message or record in the DLQ (reason from the fixed set, original subject, batch index and
// bytes), count each in vigil_rejected_total, and store exactly the good reads and incidents.
//
// Seeded: the seed is printed; VIGIL_FUZZ_SEED=<seed> replays a run, VIGIL_FUZZ_MESSAGES sets
// its size (default 24,000), VIGIL_FUZZ_WORKERS=<n> runs the decoding in worker threads.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { eventually } from '../helpers/engine.js';
import { scrape, total } from '../helpers/metrics-traffic.js';
import { HostileInput, REJECT_REASONS, type ExpectedReject, type FuzzMessage } from '../helpers/hostile-input.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

const SEED = Number(process.env.VIGIL_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MESSAGES = Number(process.env.VIGIL_FUZZ_MESSAGES ?? 24_000);
const WORKERS = Number(process.env.VIGIL_FUZZ_WORKERS ?? 0);
const PREFIX = 'vigil';

let stack: Stack;

beforeAll(async () => {
  console.log(`fuzz-nats: seed ${SEED}, ${MESSAGES} messages (replay with VIGIL_FUZZ_SEED=${SEED})`);
  stack = await startStack({ workers: { threads: WORKERS } });
});

afterAll(() => stopStack(stack));

/**
 * Publishes through JetStream, each message once (Nats-Msg-Id), `window` at a time; returns
 * each message's stream sequence (to name the message behind a stored row).
 */
async function publishAll(js: JetStreamClient, messages: readonly FuzzMessage[], window = 200): Promise<number[]> {
  const seqs = new Array<number>(messages.length);
  for (let start = 0; start < messages.length; start += window) {
    await Promise.all(
      messages.slice(start, start + window).map(async (m, k) => {
        for (let attempt = 0; ; attempt++) {
          try {
            seqs[start + k] = (await js.publish(m.subject, m.data, { msgID: `fz-${start + k}`, timeout: 5000 })).seq;
            return;
          } catch (err) {
            if (attempt > 20) throw new Error(`publish ${m.subject} (${m.label}): ${(err as Error).message}`);
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }),
    );
  }
  return seqs;
}

interface DeadLetter {
  subject: string;
  index: string;
  reason: string;
  error: string;
  data: Uint8Array;
}

/** Every message of the DLQ stream, read with an ordered consumer. */
async function readDlq(s: Stack): Promise<DeadLetter[]> {
  const jsm = await jetstreamManager(s.nc);
  const count = (await jsm.streams.info('VIGIL_DLQ')).state.messages;
  const out: DeadLetter[] = [];
  if (count === 0) return out;
  const consumer = await s.js.consumers.get('VIGIL_DLQ');
  const iter = await consumer.consume();
  for await (const m of iter) {
    const h = m.headers ?? natsHeaders();
    out.push({
      subject: h.get('Vigil-Subject'),
      index: h.get('Vigil-Index') || '-',
      reason: h.get('Vigil-Reason'),
      error: h.get('Vigil-Error'),
      data: m.data,
    });
    if (out.length === count) break;
  }
  await iter.close();
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

it('survives hostile detections and incidents: every bad one in the DLQ, the good ones stored exactly', async () => {
  const started = Date.now();
  const gen = new HostileInput(SEED, PREFIX, Date.now());
  const messages = Array.from({ length: MESSAGES }, () => gen.next());

  // What the engine must end up with.
  const goodReads = new Set<string>();
  const goodIncidents = new Set<string>();
  let duplicateIncidents = 0;
  const expected = new Map<string, ExpectedReject & { input: 'det' | 'incident'; label: string }>();
  for (const m of messages) {
    for (const id of m.reads) goodReads.add(id);
    if (m.incident !== null) {
      if (goodIncidents.has(m.incident)) duplicateIncidents++;
      goodIncidents.add(m.incident);
    }
    const input = m.subject.startsWith(`${PREFIX}.det.`) ? 'det' : 'incident';
    for (const r of m.rejects) expected.set(`${m.subject}|${r.index ?? '-'}`, { ...r, input, label: m.label });
  }
  const expectedDet = [...expected.values()].filter((e) => e.input === 'det').length;
  const why = `seed ${SEED}`;

  const seqs = await publishAll(stack.js, messages);
  const published = Date.now();

  // Done when every record was either counted or rejected (a wrong verdict shows below).
  const outcomes = expected.size + goodReads.size + goodIncidents.size + duplicateIncidents;
  const counted = (s: Awaited<ReturnType<typeof scrape>>) =>
    total(s, 'vigil_rejected_total') +
    total(s, 'vigil_detections_total') +
    total(s, 'vigil_incidents_total') +
    total(s, 'vigil_incidents_duplicate_total');
  await eventually(
    async () => counted(await scrape(stack.engine)) >= outcomes,
    60_000,
    `${expected.size} rejects, ${goodReads.size} reads and ${goodIncidents.size} incidents counted (${why})`,
  ).catch(async (err) => {
    const s = await scrape(stack.engine);
    throw new Error(
      `${(err as Error).message}; counted rejects ${total(s, 'vigil_rejected_total')}, reads ${total(s, 'vigil_detections_total')}, ` +
        `incidents ${total(s, 'vigil_incidents_total')}, readyz ${(await stack.engine.api.inject({ url: '/readyz' })).body}`,
    );
  });
  // Anything wrongly counted twice would show by now.
  await new Promise((r) => setTimeout(r, 500));

  // The engine is up and ready, and acknowledged everything.
  const ready = await stack.engine.api.inject({ url: '/readyz' });
  expect(ready.statusCode, ready.body).toBe(200);
  const jsm = await jetstreamManager(stack.nc);
  for (const [stream, durable] of [
    ['VIGIL_DET', 'vigil-det'],
    ['VIGIL_INC', 'vigil-inc'],
  ]) {
    const last = (await jsm.streams.info(stream)).state.last_seq;
    await eventually(
      async () => (await jsm.consumers.info(stream, durable)).ack_floor.stream_seq === last,
      10_000,
      `${durable} acknowledged up to ${last}`,
    );
  }

  // The DLQ holds exactly the expected rejects, each with its reason, subject, index and bytes.
  const dlq = await readDlq(stack);
  const seen = new Set<string>();
  const wrong: string[] = [];
  for (const d of dlq) {
    const key = `${d.subject}|${d.index}`;
    const e = expected.get(key);
    if (!e) {
      wrong.push(`unexpected DLQ entry ${key}: ${d.reason} ${d.error}`);
      continue;
    }
    if (seen.has(key)) wrong.push(`${key} filed twice`);
    seen.add(key);
    if (!(REJECT_REASONS as readonly string[]).includes(d.reason) || d.reason === 'unprocessable') {
      wrong.push(`${key} (${e.label}): reason '${d.reason}' (${d.error})`);
    } else if (e.reason !== null && d.reason !== e.reason) {
      wrong.push(`${key} (${e.label}): reason '${d.reason}', expected '${e.reason}' (${d.error})`);
    }
    if (!sameBytes(d.data, e.data)) wrong.push(`${key} (${e.label}): DLQ bytes differ (${d.data.length} vs ${e.data.length})`);
    if (!d.error) wrong.push(`${key}: no Vigil-Error`);
  }
  for (const [key, e] of expected) if (!seen.has(key)) wrong.push(`missing from the DLQ: ${key} (${e.label}, ${e.reason})`);
  expect(wrong.slice(0, 30), `${wrong.length} DLQ problems (${why})`).toEqual([]);
  expect(dlq.length).toBe(expected.size);

  // vigil_rejected_total equals the DLQ, per input.
  const metrics = await scrape(stack.engine);
  expect(total(metrics, 'vigil_rejected_total', { input: 'det' }), why).toBe(expectedDet);
  expect(total(metrics, 'vigil_rejected_total', { input: 'incident' }), why).toBe(expected.size - expectedDet);
  expect(total(metrics, 'vigil_rejected_total', { reason: 'unprocessable' }), why).toBe(0);
  expect(total(metrics, 'vigil_detections_total'), why).toBe(goodReads.size);
  expect(total(metrics, 'vigil_incidents_total'), why).toBe(goodIncidents.size);
  expect(total(metrics, 'vigil_incidents_duplicate_total'), why).toBe(duplicateIncidents);

  // The store holds the good data, all of it, once, and nothing else.
  const db = stack.engine.db;
  const detSeq = new Map<number, FuzzMessage>();
  messages.forEach((m, i) => m.subject.startsWith(`${PREFIX}.det.`) && detSeq.set(seqs[i], m));
  const extra = await db.query(
    "SELECT seq, idx, read_id, kind, camera FROM sightings WHERE read_id IS NULL OR NOT starts_with(read_id, 'g') LIMIT 10",
  );
  expect(
    extra.map((r) => {
      const m = detSeq.get(Number(r.seq));
      return `${m?.label} ${m?.subject}[${r.idx}] stored as ${r.kind}/${r.camera}: ${Buffer.from(m?.data ?? [])
        .toString('hex')
        .slice(0, 200)}`;
    }),
    `records stored that should have been rejected (${why})`,
  ).toEqual([]);
  const readIds = (await db.query('SELECT read_id FROM sightings')).map((r) => String(r.read_id));
  const stored = new Set(readIds);
  const byRead = new Map(messages.flatMap((m) => m.reads.map((id) => [id, m] as const)));
  const missing = [...goodReads].filter((id) => !stored.has(id));
  expect(
    missing.slice(0, 5).map(
      (id) =>
        `${id} of ${byRead.get(id)?.label} ${byRead.get(id)?.subject}: ${Buffer.from(byRead.get(id)?.data ?? [])
          .toString('hex')
          .slice(0, 300)}`,
    ),
    `${missing.length} good reads not stored (${why})`,
  ).toEqual([]);
  expect(readIds.length, why).toBe(goodReads.size);
  expect(new Set(readIds).size, why).toBe(goodReads.size);
  expect(readIds.filter((id) => !goodReads.has(id)).slice(0, 10), why).toEqual([]);
  const [agg] = await db.query(
    'SELECT (SELECT coalesce(sum(count), 0) FROM agg_camera_minute) + (SELECT coalesce(sum(count), 0) FROM rollup_camera_day) AS n',
  );
  expect(Number(agg.n), why).toBe(goodReads.size);
  const incidentIds = (await db.query('SELECT id FROM incidents')).map((r) => String(r.id));
  expect(incidentIds.filter((id) => !goodIncidents.has(id)).slice(0, 10), `incident ids stored as sent (${why})`).toEqual([]);
  expect(incidentIds.length, why).toBe(goodIncidents.size);
  for (const table of ['hits', 'cameras', 'areas', 'watchlists', 'geofences']) {
    const [row] = await db.query(`SELECT count(*)::BIGINT AS n FROM ${table}`);
    expect(Number(row.n), `${table} unchanged`).toBe(0);
  }
  console.log(
    `fuzz-nats: ${MESSAGES} messages (${goodReads.size} good reads, ${goodIncidents.size} incidents, ${expected.size} rejects) ` +
      `published in ${published - started} ms, checked after ${Date.now() - started} ms`,
  );
}, 150_000);

// Last: when it fails, the streams stall behind the message it sends.
it('files a bad message as big as the broker allows (its DLQ copy carries headers on top)', async () => {
  const before = total(await scrape(stack.engine), 'vigil_rejected_total');
  // Undecodable, a few bytes under max_payload: the message itself is accepted by JetStream.
  const big = new Uint8Array(stack.nc.info!.max_payload - 64).fill(0xc1);
  await stack.js.publish(`${PREFIX}.det.big`, big, { msgID: 'big-det' });
  await stack.js.publish(`${PREFIX}.incident.big`, big, { msgID: 'big-incident' });
  await eventually(
    async () => total(await scrape(stack.engine), 'vigil_rejected_total') >= before + 2,
    10_000,
    'both filed in the DLQ',
  ).catch(async (err) => {
    throw new Error(`${(err as Error).message}; readyz ${(await stack.engine.api.inject({ url: '/readyz' })).body}`);
  });
  expect((await stack.engine.api.inject({ url: '/readyz' })).statusCode).toBe(200);
}, 30_000);
