// Hits through the API: live Server-Sent Events resumable with Last-Event-ID, the filtered and
// paged list, dispatchers' acknowledgements, live watchlist changes and past-read matching.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { auth, eventually, testConfig, TOKENS } from '../helpers/engine.js';
import { scrape, total } from '../helpers/metrics-traffic.js';

let nats: TestNatsServer;
let engine: Engine;
let nc: NatsConnection;
let js: JetStreamClient;
let listId: string;
let seq = 0;

async function admin(method: 'POST' | 'DELETE', url: string, body?: unknown) {
  const res = await engine.api.inject({ method, url, headers: auth('admin'), ...(body === undefined ? {} : { payload: body as object }) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

async function readPlate(plate: string, ts = Date.now()): Promise<string> {
  const id = `read-${seq++}`;
  await js.publish('vigil.det.cam-1', encode({ ts, kind: 'plate', plate, id }));
  return id;
}

async function hitsFor(readId: string): Promise<Array<Record<string, any>>> {
  const res = await engine.api.inject({ url: '/api/v1/hits?limit=10000&from=2000-01-01', headers: auth('dispatcher') });
  return res.json().rows.filter((h: { readId?: string }) => h.readId === readId);
}

/** Reads SSE events from a live connection until `count` arrived. */
async function sseEvents(lastEventId: string | null, count: number, during: () => Promise<void>) {
  const abort = new AbortController();
  const res = await fetch(`${engine.address}/api/v1/hits/stream`, {
    headers: { authorization: `Bearer ${TOKENS.dispatcher}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events: Array<{ id: string | undefined; type: string | undefined; data: Record<string, any> }> = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let opened = false;
  const reading = (async () => {
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      opened = true;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data) events.push({ id, type, data: JSON.parse(data) });
      }
    }
  })();
  // The stream's opening comment: from here on it receives hits and decisions.
  await eventually(() => opened, 5_000, 'the stream opened');
  await during();
  await Promise.race([
    reading,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${events.length} of ${count} events`)), 15_000)),
  ]);
  abort.abort();
  return events;
}

beforeAll(async () => {
  nats = await TestNatsServer.start();
  engine = await Engine.start(testConfig(nats.url), createLogger(process.env.VIGIL_TEST_LOG ?? 'silent'));
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  listId = (
    await admin('POST', '/api/v1/watchlists', {
      name: 'stolen cars',
      kind: 'plate',
      priority: 75,
      legalBasis: 'theft reports register',
      cooldownSeconds: 0,
    })
  ).id;
  await admin('POST', `/api/v1/watchlists/${listId}/entries`, [{ key: '01 A 111 AA', label: 'red sedan', reference: 'T-1' }]);
});

afterAll(async () => {
  await nc?.close();
  await engine?.stop();
  await nats?.stop();
});

describe('hits', () => {
  it('streams hits as Server-Sent Events and resumes after Last-Event-ID', async () => {
    const first = await sseEvents(null, 2, async () => {
      await new Promise((r) => setTimeout(r, 200));
      await readPlate('01A111AA');
      await readPlate('01A111AA');
    });
    expect(first.map((e) => e.data.entry.key)).toEqual(['01A111AA', '01A111AA']);
    expect(Number(first[1].id)).toBeGreaterThan(Number(first[0].id));
    // Resume after the first: the second comes again, then new ones.
    const resumed = await sseEvents(first[0].id ?? null, 2, async () => {
      await readPlate('01A111AA');
    });
    expect(resumed[0].id).toBe(first[1].id);
    expect(resumed[0].data.id).toBe(first[1].data.id);
    expect(Number(resumed[1].id)).toBeGreaterThan(Number(first[1].id));
  });

  it('refuses a Last-Event-ID it did not send, naming the header', async () => {
    const res = await engine.api.inject({ url: '/api/v1/hits/stream', headers: { ...auth('dispatcher'), 'last-event-id': 'abc' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/Last-Event-ID/);
  });

  it('lists hits newest first with filters and a cursor', async () => {
    // Hits reach NATS before their batch commits: wait for the store to have all three.
    let all: Array<{ id: string }> = [];
    await eventually(
      async () => {
        all = (await engine.api.inject({ url: '/api/v1/hits?limit=1000', headers: auth('analyst') })).json().rows;
        return all.length === 3;
      },
      10_000,
      'three hits stored',
    );
    const page1 = (await engine.api.inject({ url: '/api/v1/hits?limit=2', headers: auth('analyst') })).json();
    expect(page1.rows.map((h: { id: string }) => h.id)).toEqual(all.slice(0, 2).map((h: { id: string }) => h.id));
    const page2 = (await engine.api.inject({ url: `/api/v1/hits?limit=2&cursor=${page1.nextCursor}`, headers: auth('analyst') })).json();
    expect(page2.rows.map((h: { id: string }) => h.id)).toEqual([all[2].id]);
    expect(page2.nextCursor).toBeNull();
    const none = (await engine.api.inject({ url: '/api/v1/hits?source=geofence', headers: auth('analyst') })).json();
    expect(none.rows).toEqual([]);
    const high = (await engine.api.inject({ url: '/api/v1/hits?minPriority=76', headers: auth('analyst') })).json();
    expect(high.rows).toEqual([]);
    const bad = await engine.api.inject({ url: '/api/v1/hits?cursor=xyz', headers: auth('analyst') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/cursor/);
  });

  it('records acknowledgements, audited; a rejection needs a reason', async () => {
    const [hit] = (await engine.api.inject({ url: '/api/v1/hits?limit=1', headers: auth('dispatcher') })).json().rows;
    const noReason = await engine.api.inject({
      method: 'POST',
      url: `/api/v1/hits/${hit.id}/ack`,
      headers: auth('dispatcher'),
      payload: { status: 'rejected' },
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().message).toMatch(/body\.reason/);
    const ok = await engine.api.inject({
      method: 'POST',
      url: `/api/v1/hits/${hit.id}/ack`,
      headers: auth('dispatcher'),
      payload: { status: 'rejected', reason: 'plate misread, different car' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ hit: hit.id, status: 'rejected', by: 'dispatcher-user' });
    const listed = (await engine.api.inject({ url: '/api/v1/hits?limit=1', headers: auth('dispatcher') })).json().rows[0];
    expect(listed.ack).toMatchObject({ status: 'rejected', reason: 'plate misread, different car', by: 'dispatcher-user' });
    const unknown = await engine.api.inject({
      method: 'POST',
      url: '/api/v1/hits/nope/ack',
      headers: auth('dispatcher'),
      payload: { status: 'accepted' },
    });
    expect(unknown.statusCode).toBe(404);
    const audit = (await engine.api.inject({ url: '/api/v1/audit?action=hit.ack', headers: auth('admin') })).json().rows;
    expect(audit[0]).toMatchObject({ actor: 'dispatcher-user', target: hit.id, reason: 'plate misread, different car' });
    // Counted under the hit's list; the list's other status is there at 0 for its precision.
    const samples = await scrape(engine);
    expect(total(samples, 'vigil_hit_acks_total', { watchlist: listId, status: 'rejected' })).toBe(1);
    expect(
      samples.filter((s) => s.name === 'vigil_hit_acks_total' && s.labels.watchlist === listId && s.labels.status === 'accepted'),
    ).toMatchObject([{ value: 0 }]);
  });

  it("shows a dispatcher's decision on every open stream, as an event without an id", async () => {
    const [hit] = (await engine.api.inject({ url: '/api/v1/hits?limit=1', headers: auth('dispatcher') })).json().rows;
    const decide = () =>
      engine.api.inject({
        method: 'POST',
        url: `/api/v1/hits/${hit.id}/ack`,
        headers: auth('dispatcher'),
        payload: { status: 'accepted' },
      });
    // Two boards: the second opens while the first waits, and both see the one decision.
    let other: Awaited<ReturnType<typeof sseEvents>> = [];
    const [mine] = await sseEvents(null, 1, async () => {
      other = await sseEvents(null, 1, async () => {
        expect((await decide()).statusCode).toBe(200);
      });
    });
    for (const event of [mine, other[0]]) {
      expect(event.type).toBe('ack');
      expect(event.id).toBeUndefined();
      expect(event.data).toMatchObject({ hit: hit.id, status: 'accepted', reason: null, by: 'dispatcher-user' });
    }
  });
});

describe('live watchlist changes', () => {
  it('a new entry hits reads that arrive after it; a deleted entry no longer does', async () => {
    await admin('POST', `/api/v1/watchlists/${listId}/entries`, [{ key: '01B222BB' }]);
    const r1 = await readPlate('01B222BB');
    await eventually(async () => (await hitsFor(r1)).length === 1, 10_000, 'hit for the new entry');
    await admin('DELETE', `/api/v1/watchlists/${listId}/entries/01B222BB`);
    const r2 = await readPlate('01B222BB');
    const control = await readPlate('01A111AA');
    await eventually(async () => (await hitsFor(control)).length === 1, 10_000, 'control hit');
    expect(await hitsFor(r2)).toEqual([]);
  });

  it('a key given twice in one upload keeps its last entry, and the answer counts the repeats', async () => {
    const res = await admin('POST', `/api/v1/watchlists/${listId}/entries`, [
      { key: '01 F 666 FF', label: 'first report', reference: 'R-1' },
      { key: '01G777GG', label: 'once' },
      { key: '01F666FF', label: 'corrected report', reference: 'R-2' },
      { key: '01f666ff', label: 'last word', reference: 'R-3' },
    ]);
    expect(res).toEqual({ upserted: 2, repeated: 1 });
    const r = await readPlate('01F666FF');
    await eventually(async () => (await hitsFor(r)).length === 1, 10_000, 'hit for the repeated key');
    expect((await hitsFor(r))[0].entry).toMatchObject({ key: '01F666FF', label: 'last word', reference: 'R-3' });
    const audit = (await engine.api.inject({ url: '/api/v1/audit?action=watchlist.entries.upsert', headers: auth('admin') })).json();
    expect(audit.rows[0].detail).toMatchObject({ count: 2, repeated: 1 });
  });

  it('an expired watchlist never hits', async () => {
    const expired = (
      await admin('POST', '/api/v1/watchlists', {
        name: 'old',
        kind: 'plate',
        priority: 10,
        legalBasis: 'expired order',
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      })
    ).id;
    await admin('POST', `/api/v1/watchlists/${expired}/entries`, [{ key: '01C333CC' }]);
    const r = await readPlate('01C333CC');
    const control = await readPlate('01A111AA');
    await eventually(async () => (await hitsFor(control)).length === 1, 10_000, 'control hit');
    expect(await hitsFor(r)).toEqual([]);
  });
});

describe('past-read matching', () => {
  it('matches new entries against stored sightings of the window, once', async () => {
    // The second read took the O for a 0: a look-alike.
    const past = [await readPlate('01D444OD', Date.now() - 3_600_000), await readPlate('01D 4440D', Date.now() - 1_800_000)];
    await eventually(
      async () => {
        const rows = await engine.db.query(`SELECT count(*) AS n FROM sightings WHERE plate IN ('01D444OD', '01D4440D')`);
        return Number(rows[0].n) === 2;
      },
      10_000,
      'past reads stored',
    );
    const before = await scrape(engine);
    const res = await admin('POST', `/api/v1/watchlists/${listId}/entries?retro=24h`, [{ key: '01D444OD', label: 'retro' }]);
    expect(res.retro).toMatchObject({ plates: 2, hits: 2 });
    for (const id of past) {
      const [h] = await hitsFor(id);
      expect(h).toMatchObject({ retro: true, entry: { key: '01D444OD' } });
    }
    expect((await hitsFor(past[1]))[0].match.type).toBe('ocr');
    // Retro hits count in the per-list hit counter too, by how they matched.
    const after = await scrape(engine);
    const matches = (await Promise.all(past.map(hitsFor))).map(([h]) => String(h.match.type));
    for (const match of new Set(matches)) {
      const grew =
        total(after, 'vigil_watchlist_hits_total', { watchlist: listId, match }) -
        total(before, 'vigil_watchlist_hits_total', { watchlist: listId, match });
      expect(grew, match).toBe(matches.filter((m) => m === match).length);
    }
    const again = await admin('POST', `/api/v1/watchlists/${listId}/entries?retro=24h`, [{ key: '01D444OD', label: 'retro' }]);
    expect(again.retro.hits).toBe(0);
    const bad = await engine.api.inject({
      method: 'POST',
      url: `/api/v1/watchlists/${listId}/entries?retro=forever`,
      headers: auth('admin'),
      payload: [{ key: '01E555EE' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/retro/);
  });
});

describe("a hit's context for dispatch", () => {
  it("gives the plate's trail of the hour before and the nearest units, audited", async () => {
    const now = Date.now();
    // A patrol car and a drone report where they are; a fixed camera's read has no position of its own.
    await js.publish('vigil.det.patrol-07', encode({ ts: now - 60_000, kind: 'vehicle', id: `unit-${seq++}`, lat: 41.302, lon: 69.25 }));
    await js.publish('vigil.det.drone-02', encode({ ts: now - 60_000, kind: 'person', id: `unit-${seq++}`, lat: 41.32, lon: 69.25 }));
    const earlier = `read-${seq++}`;
    await js.publish(
      'vigil.det.patrol-09',
      encode({ ts: now - 1_800_000, kind: 'plate', plate: '01H888HH', id: earlier, lat: 41.29, lon: 69.2 }),
    );
    await admin('POST', `/api/v1/watchlists/${listId}/entries`, [{ key: '01H888HH', label: 'context' }]);
    const last = `read-${seq++}`;
    await js.publish('vigil.det.patrol-09', encode({ ts: now, kind: 'plate', plate: '01H 888 HH', id: last, lat: 41.3, lon: 69.25 }));
    await eventually(async () => (await hitsFor(last)).length === 1, 10_000, 'hit of the last read');
    const [hit] = await hitsFor(last);

    const res = await engine.api.inject({ url: `/api/v1/hits/${hit.id}/context?units=2`, headers: auth('dispatcher') });
    expect(res.statusCode, res.body).toBe(200);
    const context = res.json();
    expect(context).toMatchObject({ hit: hit.id, plate: '01H888HH', lat: 41.3, lon: 69.25 });
    expect(context.trail.rows.map((r: any) => [r.camera, r.lat, r.lon])).toEqual([
      ['patrol-09', 41.29, 69.2],
      ['patrol-09', 41.3, 69.25],
    ]);
    expect(Date.parse(context.trail.from)).toBe(now - 3_600_000);
    // The car that read the plate is itself nearest; then the patrol 222 m north.
    expect(context.units.map((u: any) => u.camera)).toEqual(['patrol-09', 'patrol-07']);
    expect(context.units[1]).toMatchObject({ lat: 41.302, lon: 69.25, at: new Date(now - 60_000).toISOString() });
    expect(context.units[1].distanceM).toBeGreaterThan(215);
    expect(context.units[1].distanceM).toBeLessThan(230);

    const audit = (await engine.api.inject({ url: '/api/v1/audit?action=hit.context', headers: auth('admin') })).json().rows;
    expect(audit[0]).toMatchObject({ actor: 'dispatcher-user', target: hit.id, reason: `dispatch of hit ${hit.id}` });
    expect(audit[0].detail).toMatchObject({ plate: '01H888HH' });

    const unknown = await engine.api.inject({ url: '/api/v1/hits/nope/context', headers: auth('dispatcher') });
    expect(unknown.statusCode).toBe(404);
  });
});
