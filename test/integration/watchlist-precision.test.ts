// Hits a dispatcher can trust, through the API of a real engine (NATS, DuckDB): edits on a
// large plate list are refused with their estimated false-hit rate, accepted and audited with
// force; a hit by edit ranks below the list; and each list shows how dispatchers judged its hits.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { cityPlateReads, unlistedPlates } from '../../bench/plate-false-hits.js';
import { normalisePlate } from '../../engine/domain/plate.js';
import { auth, eventually } from '../helpers/engine.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stopStack(stack));

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, role: 'admin' | 'dispatcher', payload?: unknown) {
  const res = await stack.engine.api.inject({
    method,
    url,
    headers: auth(role),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: res.json() };
}
const ok = async (method: 'GET' | 'POST' | 'PATCH', url: string, role: 'admin' | 'dispatcher', payload?: unknown) => {
  const r = await call(method, url, role, payload);
  expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
};
const listOf = async (id: string) => (await ok('GET', '/api/v1/watchlists', 'admin')).rows.find((w: { id: string }) => w.id === id);

async function publishPlates(plates: readonly string[], idPrefix: string): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < plates.length; i += 500) {
    const batch = plates
      .slice(i, i + 500)
      .map((plate, j) => ({ ts: now - 1000, kind: 'plate', camera: 'cam-1', plate, id: `${idPrefix}${i + j}` }));
    await stack.js.publish('vigil.det.gw', encode(batch));
  }
}

async function storedReads(): Promise<number> {
  return Number((await stack.engine.db.query('SELECT count(*) AS n FROM sightings'))[0].n);
}

describe('edits on a large plate list', () => {
  const city = cityPlateReads(31, 3000);
  const printed = unlistedPlates(32, 100_000, city.carried);
  const keys = printed.map((p) => normalisePlate(p)!);
  let listId: string;

  it('are refused with the estimate, and accepted and audited with force', async () => {
    // A day of the city's reads in the store, so the estimate rests on them.
    await publishPlates(city.reads, 'city-');
    await eventually(async () => (await storedReads()) >= city.reads.length, 20_000, 'city reads stored');

    listId = (
      await ok('POST', '/api/v1/watchlists', 'admin', {
        name: 'stolen',
        kind: 'plate',
        priority: 80,
        legalBasis: 'theft register',
        cooldownSeconds: 0,
      })
    ).id;
    expect(
      (
        await ok(
          'POST',
          `/api/v1/watchlists/${listId}/entries`,
          'admin',
          keys.map((key) => ({ key })),
        )
      ).upserted,
    ).toBe(100_000);
    expect(await listOf(listId)).toMatchObject({
      match: { ocrEquivalence: true, maxEdits: 0 },
      entries: 100_000,
      estimatedFuzzyHitRate: 0,
    });

    const refused = await call('PATCH', `/api/v1/watchlists/${listId}`, 'admin', { match: { maxEdits: 1 } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^body\.match\.maxEdits 1 would give an estimated [\d.]+ false hits per 1,000 reads/);
    expect(refused.body.message).toContain('matching.maxFuzzyHitRate is 0.05');
    // Measured on the city's traffic: about 15 % of reads hit a 100,000-plate list by one edit.
    expect(refused.body.estimatedFuzzyHitRate).toBeGreaterThan(50);
    expect(refused.body.basis).toBe('reads');
    expect((await listOf(listId)).match.maxEdits).toBe(0);

    const forced = await ok('PATCH', `/api/v1/watchlists/${listId}`, 'admin', { match: { maxEdits: 1 }, force: true });
    expect(forced).toMatchObject({ id: listId, match: { maxEdits: 1 }, forced: true, estimateBasis: 'reads' });
    expect(forced.estimatedFuzzyHitRate).toBe(refused.body.estimatedFuzzyHitRate);
    expect(await listOf(listId)).toMatchObject({ match: { maxEdits: 1 }, estimatedFuzzyHitRate: forced.estimatedFuzzyHitRate });
    const audit = (await ok('GET', '/api/v1/audit?action=watchlist.fuzzy.override', 'admin')).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'admin-user',
      target: listId,
      detail: { maxEdits: 1, estimatedFuzzyHitRate: forced.estimatedFuzzyHitRate, maxFuzzyHitRate: 0.05, entries: 100_000 },
    });
  });

  it('adding entries to it is estimated again, and refused without force', async () => {
    const more = [{ key: '01X999XX' }];
    const refused = await call('POST', `/api/v1/watchlists/${listId}/entries`, 'admin', more);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(new RegExp(`^match\\.maxEdits of watchlist ${listId} 1 would give an estimated`));
    const forced = await ok('POST', `/api/v1/watchlists/${listId}/entries?force=true`, 'admin', more);
    expect(forced).toMatchObject({ upserted: 1, forced: true });
    expect((await listOf(listId)).entries).toBe(100_001);
  });

  it('a hit by edit ranks below the list, and the estimate is back to 0 with edits off', async () => {
    // One digit read as another (the fourth character is a digit in both formats): one edit
    // from a listed plate, and not itself listed.
    const listedKeys = new Set(keys);
    const misreadOf = (k: string) => k.slice(0, 3) + String((Number(k[3]) + 1) % 10) + k.slice(4);
    const listed = keys.find((k) => !listedKeys.has(misreadOf(k)))!;
    const misread = misreadOf(listed);
    await publishPlates([misread, listed], 'edit-');
    let hits: Array<Record<string, any>> = [];
    await eventually(
      async () => {
        hits = (await ok('GET', '/api/v1/hits?limit=1000', 'dispatcher')).rows.filter((h: { readId: string }) =>
          h.readId?.startsWith('edit-'),
        );
        return hits.length === 2;
      },
      15_000,
      'the two hits',
    );
    const byRead = Object.fromEntries(hits.map((h) => [h.readId, { type: h.match.type, priority: h.priority }]));
    expect(byRead).toEqual({ 'edit-0': { type: 'edit', priority: 60 }, 'edit-1': { type: 'exact', priority: 80 } });
    // minPriority lets a desk see only what it must act on.
    const urgent = (await ok('GET', '/api/v1/hits?limit=1000&minPriority=70', 'dispatcher')).rows.filter((h: { readId: string }) =>
      h.readId?.startsWith('edit-'),
    );
    expect(urgent.map((h: { readId: string }) => h.readId)).toEqual(['edit-1']);

    const off = await ok('PATCH', `/api/v1/watchlists/${listId}`, 'admin', { match: { maxEdits: 0, editPriority: 10 } });
    expect(off).toMatchObject({ match: { maxEdits: 0, editPriority: 10 }, estimatedFuzzyHitRate: 0, forced: false });
  });
});

describe('precision from dispatchers', () => {
  it('GET /watchlists counts hits, acceptances and rejections per list and match type, and shows precision', async () => {
    const judged = (
      await ok('POST', '/api/v1/watchlists', 'admin', {
        name: 'judged',
        kind: 'plate',
        priority: 70,
        legalBasis: 'warrants',
        cooldownSeconds: 0,
      })
    ).id;
    const few = (
      await ok('POST', '/api/v1/watchlists', 'admin', {
        name: 'few acks',
        kind: 'plate',
        priority: 70,
        legalBasis: 'warrants',
        cooldownSeconds: 0,
      })
    ).id;
    await ok('POST', `/api/v1/watchlists/${judged}/entries`, 'admin', [{ key: '01P111PP' }]);
    await ok('POST', `/api/v1/watchlists/${few}/entries`, 'admin', [{ key: '01R222RR' }]);
    // 10 exact reads and 4 look-alike reads of the judged plate, 3 reads of the other.
    await publishPlates([...Array(10).fill('01P111PP'), ...Array(4).fill('0IP111PP'), ...Array(3).fill('01R222RR')], 'judge-');
    let hits: Array<Record<string, any>> = [];
    await eventually(
      async () => {
        hits = (await ok('GET', '/api/v1/hits?limit=1000', 'dispatcher')).rows.filter((h: { readId: string }) =>
          h.readId?.startsWith('judge-'),
        );
        return hits.length === 17;
      },
      15_000,
      '17 hits',
    );
    const ofList = (id: string, type: string) => hits.filter((h) => h.watchlist.id === id && h.match.type === type);
    const ack = (h: Record<string, any>, status: 'accepted' | 'rejected') =>
      ok('POST', `/api/v1/hits/${h.id}/ack`, 'dispatcher', status === 'rejected' ? { status, reason: 'different car' } : { status });
    const exact = ofList(judged, 'exact');
    const ocr = ofList(judged, 'ocr');
    expect([exact.length, ocr.length]).toEqual([10, 4]);
    for (const h of exact.slice(0, 7)) await ack(h, 'accepted');
    // A decision changed: only the latest counts.
    await ack(exact[7], 'accepted');
    await ack(exact[7], 'rejected');
    for (const h of ocr.slice(0, 3)) await ack(h, 'rejected');
    for (const h of ofList(few, 'exact')) await ack(h, 'accepted');

    expect(await listOf(judged)).toMatchObject({
      hits24h: 14,
      accepted24h: 7,
      rejected24h: 4,
      precision: 0.6364,
      byMatch: {
        exact: { hits24h: 10, accepted24h: 7, rejected24h: 1, precision: null },
        ocr: { hits24h: 4, accepted24h: 0, rejected24h: 3, precision: null },
      },
    });
    // Three decisions are too few to tell a precision.
    expect(await listOf(few)).toMatchObject({ hits24h: 3, accepted24h: 3, rejected24h: 0, precision: null });
  });
});
