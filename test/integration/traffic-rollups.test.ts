// Traffic counts through the API across a compaction of their deltas (engine/store/rollups.ts):
// reads published to JetStream answer the same before and after, and minute buckets older than
// store.minuteBucketsHours are refused with a 400 that names `bucket`.

import { encode } from '@msgpack/msgpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactRollups } from '../../engine/store/rollups.js';
import { auth, eventually } from '../helpers/engine.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ store: { minuteBucketsHours: 3 } });
});

afterAll(() => stopStack(stack));

async function traffic(params: Record<string, string>) {
  return stack.engine.api.inject({ url: `/api/v1/analytics/traffic?${new URLSearchParams(params)}`, headers: auth('analyst') });
}

describe('traffic over compacted counts', () => {
  it('answers the same before and after the deltas are compacted', async () => {
    // Reads two hours ago, an hour ago and now: the first two are closed buckets, the last open.
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    const times = [now - 2 * HOUR + 5 * MINUTE, now - 2 * HOUR + 5 * MINUTE, now - HOUR, now - HOUR + MINUTE, now];
    for (const [i, ts] of times.entries()) {
      const read = i % 3 === 0 ? { ts, kind: 'plate', plate: '01A111AA' } : { ts, kind: 'vehicle' };
      await stack.js.publish(`vigil.det.cam-${i % 2}`, encode(read));
    }
    const window = { from: iso(now - 150 * MINUTE), to: iso(now + MINUTE) };
    const all = async () => {
      const out: unknown[] = [];
      for (const bucket of ['minute', 'hour', 'day']) {
        const res = await traffic({ ...window, bucket, groupBy: 'camera' });
        expect(res.statusCode, res.body).toBe(200);
        out.push(res.json().rows);
      }
      return out;
    };
    await eventually(
      async () => ((await all())[2] as Array<{ count: number }>).reduce((s, r) => s + r.count, 0) === times.length,
      20_000,
      'reads counted',
    );
    const before = await all();
    const done = await compactRollups(stack.engine.db, now - 30 * MINUTE, now - 3 * HOUR);
    expect(done.cameraDeltas).toBeGreaterThan(0);
    const [open] = await stack.engine.db.query('SELECT count(*)::INTEGER AS n FROM agg_camera_minute');
    expect(open.n).toBe(1); // the read of this minute
    expect(await all()).toEqual(before);
  });

  it('refuses minute buckets from before store.minuteBucketsHours with a 400 naming bucket', async () => {
    const from = iso(Date.now() - 3 * HOUR - MINUTE);
    const res = await traffic({ bucket: 'minute', from });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VIGIL_ERR_INPUT_INVALID' });
    expect(res.json().message).toMatch(/^querystring\.bucket=minute counts are kept from \S+Z on \(store\.minuteBucketsHours\)/);
    // Hours of that time are still there, and minutes inside the window.
    expect((await traffic({ bucket: 'hour', from })).statusCode).toBe(200);
    expect((await traffic({ bucket: 'minute', from: iso(Date.now() - 2 * HOUR) })).statusCode).toBe(200);
  });
});
