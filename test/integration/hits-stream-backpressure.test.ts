// The hit stream under a client that stops reading, over a real socket: the server stops
// pulling from VIGIL_HITS (its consumer's delivered sequence stands still with most of the
// stream pending) instead of buffering the stream for the client, and delivers every hit in
// order once the client reads again. A client that stays stalled is cut and its consumer
// removed; it resumes with Last-Event-ID without a gap or a repeat.

import { scrape, total } from '../helpers/metrics-traffic.js';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { encode } from '@msgpack/msgpack';
import { jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { hitRoutes } from '../../api/routes/hits.js';
import { auth, eventually, TOKENS } from '../helpers/engine.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

/** Hits in the stream: at about 1.2 KiB each, far more than the kernel's socket buffers take. */
const HITS = 20_000;
const READS_PER_MESSAGE = 100;
const PAD = 'x'.repeat(1000);

let stack: Stack;
let jsm: JetStreamManager;
let baseUrl: string;
/** The hit routes alone with a short limit for slow clients, on the same engine. */
let quick: FastifyInstance;
let quickUrl: string;
const clients: SseClient[] = [];

/** An SSE client that reads nothing until told to: the socket's buffers fill and TCP stops the server. */
class SseClient {
  readonly ids: number[] = [];
  readonly readIds: string[] = [];
  /** Resolves when the answer is over: ended by the server, cut, or closed here. */
  readonly ended: Promise<void>;
  private buffer = '';

  constructor(
    private readonly req: ClientRequest,
    private readonly res: IncomingMessage,
  ) {
    res.setEncoding('utf8');
    res.on('error', () => undefined);
    this.ended = new Promise((resolve) => res.once('close', resolve));
  }

  read(): void {
    this.res.on('data', (chunk: string) => this.take(chunk));
  }

  close(): void {
    this.req.destroy();
  }

  /** Only complete events count, as in a browser: a cut mid-event leaves no trace. */
  private take(chunk: string): void {
    this.buffer += chunk;
    let cut;
    while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (id === undefined || data === undefined) continue;
      this.ids.push(Number(id));
      this.readIds.push((JSON.parse(data) as { readId: string }).readId);
    }
  }
}

function openStream(base: string, lastEventId: string | null): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const url = new URL('/api/v1/hits/stream', base);
    const headers = { authorization: `Bearer ${TOKENS.dispatcher}`, ...(lastEventId === null ? {} : { 'last-event-id': lastEventId }) };
    // Its own connection (no agent): the test decides when that socket is read.
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`hit stream answered ${res.statusCode}`));
      const client = new SseClient(req, res);
      clients.push(client);
      resolve(client);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Plate reads that each hit the list, in gateway batches; returns once JetStream stored them. */
async function publishReads(count: number): Promise<void> {
  const ts = Date.now();
  const message = (m: number) =>
    encode(
      Array.from({ length: READS_PER_MESSAGE }, (_, k) => ({
        ts: ts + k,
        kind: 'plate',
        plate: '01A111AA',
        id: `read-${m * READS_PER_MESSAGE + k}`,
        attrs: { pad: PAD },
      })),
    );
  const messages = Array.from({ length: count / READS_PER_MESSAGE }, (_, m) => m);
  for (let i = 0; i < messages.length; i += 20) {
    await Promise.all(messages.slice(i, i + 20).map((m) => stack.js.publish('vigil.det.cam-1', message(m), { msgID: `bp-${m}` })));
  }
}

async function hitConsumers(): Promise<ConsumerInfo[]> {
  return jsm.consumers.list('VIGIL_HITS').next();
}

/** The one consumer of VIGIL_HITS once its delivered sequence has not moved for `stillMs`. */
async function consumerAtRest(stillMs: number): Promise<ConsumerInfo> {
  let last: ConsumerInfo | undefined;
  let since = Date.now();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const all = await hitConsumers();
    expect(all).toHaveLength(1);
    const [now] = all;
    if (last === undefined || now.delivered.stream_seq !== last.delivered.stream_seq) since = Date.now();
    else if (Date.now() - since >= stillMs) return now;
    if (Date.now() > deadline) throw new Error(`the consumer kept moving: delivered ${now.delivered.stream_seq}`);
    last = now;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The ids 1…n, each once, in order: the stream's sequence with no gap and no repeat. */
function expectWholeStream(ids: readonly number[], n: number): void {
  expect(ids.length).toBe(n);
  const misplaced = ids.findIndex((id, i) => id !== i + 1);
  expect(misplaced, `event ${misplaced} has id ${ids[misplaced]}`).toBe(-1);
}

beforeAll(async () => {
  stack = await startStack({ http: { host: '127.0.0.1', port: 0, rateLimit: { max: 0 } } });
  jsm = await jetstreamManager(stack.nc);
  baseUrl = (await stack.engine.api.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
  quick = Fastify();
  quick.decorate('deps', stack.engine.api.deps);
  await quick.register(hitRoutes, { prefix: '/api/v1', slowClientMs: 1500 });
  quickUrl = (await quick.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
  const admin = async (url: string, payload: object) => {
    const res = await stack.engine.api.inject({ method: 'POST', url, headers: auth('admin'), payload });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json() as { id: string };
  };
  const list = await admin('/api/v1/watchlists', {
    name: 'stolen cars',
    kind: 'plate',
    priority: 75,
    legalBasis: 'theft reports register',
    cooldownSeconds: 0,
  });
  await admin(`/api/v1/watchlists/${list.id}/entries`, [{ key: '01A111AA', label: 'red sedan' }]);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await quick?.close();
  await stopStack(stack);
});

describe('hit stream backpressure', () => {
  it('stops pulling hits while the client does not read, then delivers them all in order', async () => {
    const client = await openStream(baseUrl, null);
    await publishReads(HITS);
    await eventually(async () => (await jsm.streams.info('VIGIL_HITS')).state.last_seq >= HITS, 50_000, `${HITS} hits in VIGIL_HITS`);
    expect((await jsm.streams.info('VIGIL_HITS')).state.last_seq).toBe(HITS);
    // What the sockets' buffers took has been sent; beyond it the server must not pull.
    const paused = await consumerAtRest(2000);
    console.log(`paused client: consumer delivered ${paused.delivered.stream_seq} of ${HITS}, ${paused.num_pending} pending`);
    expect(paused.num_pending).toBeGreaterThan(HITS / 2);
    expect(paused.delivered.stream_seq + paused.num_pending).toBe(HITS);

    client.read();
    await eventually(() => client.ids.length >= HITS, 30_000, `${HITS} events`);
    expectWholeStream(client.ids, HITS);
    expect(new Set(client.readIds).size).toBe(HITS);

    client.close();
    await eventually(async () => (await hitConsumers()).length === 0, 10_000, 'the consumer removed after the client hung up');
  });

  it('cuts a client that stays stalled; it resumes with Last-Event-ID without gap or repeat', async () => {
    const started = Date.now();
    const first = await openStream(quickUrl, '0');
    expect(await hitConsumers()).toHaveLength(1);
    // Cut after slowClientMs of reading nothing, the consumer with it.
    await eventually(async () => (await hitConsumers()).length === 0, 20_000, 'the stalled stream cut');
    const cutAfter = Date.now() - started;
    expect(cutAfter).toBeGreaterThanOrEqual(1500);
    expect(total(await scrape(stack.engine), 'vigil_hit_stream_slow_clients_total')).toBe(1);
    // What the kernel still held reaches the client, then the end of the connection.
    first.read();
    await first.ended;
    console.log(`stalled client: cut after ${cutAfter} ms with ${first.ids.length} of ${HITS} events received`);
    expect(first.ids.length).toBeGreaterThan(0);
    expect(first.ids.length).toBeLessThan(HITS / 2);

    const second = await openStream(quickUrl, String(first.ids.at(-1)));
    second.read();
    await eventually(() => first.ids.length + second.ids.length >= HITS, 30_000, `${HITS} events over two connections`);
    expectWholeStream([...first.ids, ...second.ids], HITS);
    second.close();
    await eventually(async () => (await hitConsumers()).length === 0, 10_000, 'the consumer removed after the client hung up');
  });
});
