// Matching end to end against a ground truth of the test's own: thousands of random reads
// with listed plates injected (exact, look-alike, one edit), near misses, listed and unknown
// faces, a protection-order zone crossed by its respondent, by a neighbour's car one character
// away and by a stranger, expired entries, a cooldown and a panic alarm. Every expected hit
// arrives once on NATS; no other hit arrives.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Engine } from '../../app/engine.js';
import { auth, eventually } from '../helpers/engine.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let engine: Engine;
let js: JetStreamClient;

// A seeded generator, so a failure can be replayed.
let seed = 20261128;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const LETTERS = 'ABCDEFGHJKLMNPRSTUVXYZ';
const DIGITS = '0123456789';
const pick = (s: string) => s[Math.floor(rnd() * s.length)];
const randomPlate = () =>
  `${pick(DIGITS)}${pick(DIGITS)}${pick(LETTERS)}${pick(DIGITS)}${pick(DIGITS)}${pick(DIGITS)}${pick(LETTERS)}${pick(LETTERS)}`;

// The test's own reference, wider than the engine's rules (so "far from every entry" is safe):
// look-alike classes with D and Q, and plain Levenshtein.
const CLASS: Record<string, string> = { O: '0', D: '0', Q: '0', I: '1', B: '8', S: '5', Z: '2', G: '6' };
const cls = (p: string) => [...p].map((c) => CLASS[c] ?? c).join('');
function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}
/** Change character i to another of its type (a digit for a digit) that does not look like it. */
function substitute(p: string, i: number): string {
  const same = DIGITS.includes(p[i]) ? DIGITS : LETTERS;
  let c = pick(same);
  while (cls(c) === cls(p[i])) c = pick(same);
  return p.slice(0, i) + c + p.slice(i + 1);
}
const LOOKALIKE: Record<string, string> = {
  '0': 'O',
  O: '0',
  '1': 'I',
  '8': 'B',
  B: '8',
  '5': 'S',
  S: '5',
  '2': 'Z',
  Z: '2',
  '6': 'G',
  G: '6',
};
function lookalike(p: string): string | null {
  const i = [...p].findIndex((c) => LOOKALIKE[c]);
  return i < 0 ? null : p.slice(0, i) + LOOKALIKE[p[i]] + p.slice(i + 1);
}

const DIM = 64;
function randomUnit(): number[] {
  const v = Array.from({ length: DIM }, () => rnd() * 2 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const noisy = (v: number[], amount: number) => v.map((x) => x + (rnd() * 2 - 1) * amount);
const f32 = (v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

// Tashkent: a protected person's home, a camera at it and one 2 km away.
const HOME = { lat: 41.3111, lon: 69.2797 };
const AWAY = { lat: 41.2931, lon: 69.2797 };

async function api(method: 'POST' | 'PUT', url: string, body: unknown) {
  const res = await engine.api.inject({ method, url, headers: auth('admin'), payload: body as object });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

beforeAll(async () => {
  stack = await startStack();
  ({ engine, js } = stack);
});

afterAll(() => stopStack(stack));

it('sends every expected hit once and no other', async () => {
  const now = Date.now();
  await api('PUT', '/api/v1/cameras', [
    { id: 'cam-home', lat: HOME.lat, lon: HOME.lon, kind: 'plate' },
    { id: 'cam-away', lat: AWAY.lat, lon: AWAY.lon, kind: 'plate' },
    { id: 'cam-face', lat: AWAY.lat, lon: AWAY.lon + 0.01, kind: 'face' },
  ]);

  // Wanted plates: 60 entries, one of them expired.
  const wanted: string[] = [];
  while (wanted.length < 60) {
    const p = randomPlate();
    if (wanted.every((w) => levenshtein(cls(w), cls(p)) > 4)) wanted.push(p);
  }
  const plates = await api('POST', '/api/v1/watchlists', {
    name: 'wanted vehicles',
    kind: 'plate',
    priority: 70,
    legalBasis: 'Art. 12 Police Act, warrant register',
    match: { maxEdits: 1 },
  });
  await api(
    'POST',
    `/api/v1/watchlists/${plates.id}/entries?force=true`,
    wanted.map((key, i) => ({
      key,
      label: `case ${i}`,
      reference: `W-${i}`,
      ...(i === 59 ? { expiresAt: new Date(now - 60_000).toISOString() } : {}),
    })),
  );

  const faceVectors = Array.from({ length: 20 }, randomUnit);
  const faces = await api('POST', '/api/v1/watchlists', {
    name: 'missing persons',
    kind: 'face',
    priority: 60,
    legalBasis: 'Family request, case file 2026/88',
  });
  await api(
    'POST',
    `/api/v1/watchlists/${faces.id}/entries`,
    faceVectors.map((embedding, i) => ({ key: `person-${i}`, embedding })),
  );

  // A protection order: the respondent's plate is listed only to serve the zone around the home.
  const respondent = '10Z777XA';
  const stranger = '10Z778XA'.replace('778', '123');
  const neighbour = '10Z777XB'; // one edit from the respondent
  // Edits on: the zone still follows the respondent's plate exactly or by look-alikes only.
  const order = await api('POST', '/api/v1/watchlists', {
    name: 'protection orders',
    kind: 'plate',
    priority: 90,
    legalBasis: 'Court order 2-1188/2026',
    alertOnRead: false,
    match: { maxEdits: 1 },
  });
  await api('POST', `/api/v1/watchlists/${order.id}/entries`, [{ key: respondent, label: 'respondent', reference: 'PO-1188' }]);
  const zone = await api('POST', '/api/v1/geofences', {
    name: 'protected home 1188',
    geometry: { type: 'Circle', center: [HOME.lon, HOME.lat], radiusM: 300 },
    trigger: 'enter',
    watchlists: [order.id],
    priority: 95,
  });

  const expected = new Map<string, string>(); // readId → what must hit
  const reads: Array<Record<string, unknown>> = [];
  let n = 0;
  const read = (fields: Record<string, unknown>, expect?: string) => {
    const id = `r${n++}`;
    reads.push({ ts: now - 5000 + n, id, ...fields });
    if (expect) expected.set(id, expect);
  };
  // Background: random plates, none within two edits of a listed one.
  for (let i = 0; i < 3000; i++) {
    let p = randomPlate();
    while (wanted.some((w) => levenshtein(cls(w), cls(p)) <= 2) || levenshtein(cls(p), cls(respondent)) <= 2 || p === neighbour)
      p = randomPlate();
    read({ kind: 'plate', camera: i % 2 ? 'cam-away' : 'cam-home', plate: p });
  }
  // Injected: exact, look-alike and one-edit reads of distinct entries (one hit each).
  for (let i = 0; i < 15; i++) read({ kind: 'plate', camera: 'cam-away', plate: wanted[i] }, `plate:${wanted[i]}:exact`);
  let injected = 15;
  for (let i = 15; injected < 30 && i < 50; i++) {
    const l = lookalike(wanted[i]);
    if (!l) continue;
    read({ kind: 'plate', camera: 'cam-away', plate: l.replace(/(..)(.)/, '$1 $2 ') }, `plate:${wanted[i]}:ocr`);
    injected++;
  }
  for (let i = 50; i < 56; i++) read({ kind: 'plate', camera: 'cam-away', plate: substitute(wanted[i], 4) }, `plate:${wanted[i]}:edit`);
  // Near misses: two substitutions — must not hit.
  for (let i = 56; i < 59; i++) read({ kind: 'plate', camera: 'cam-away', plate: substitute(substitute(wanted[i], 2), 5) });
  // The expired entry, read exactly — must not hit.
  read({ kind: 'plate', camera: 'cam-away', plate: wanted[59] });
  // Cooldown: entry 0 read again a minute later than... within its 60 s: suppressed.
  read({ kind: 'plate', camera: 'cam-home', plate: wanted[0] });
  // Faces: listed faces with noise hit; unknown faces do not.
  for (let i = 0; i < 10; i++) read({ kind: 'face', camera: 'cam-face', embedding: f32(noisy(faceVectors[i], 0.02)) }, `face:person-${i}`);
  for (let i = 0; i < 20; i++) read({ kind: 'face', camera: 'cam-face', embedding: f32(randomUnit()) });
  // The respondent is read away from the home, then at it (enter), then at it again (no enter).
  read({ kind: 'plate', camera: 'cam-away', plate: respondent });
  read({ kind: 'plate', camera: 'cam-home', plate: respondent }, `geofence:${zone.id}`);
  read({ kind: 'plate', camera: 'cam-home', plate: respondent });
  // A stranger at the home: not on the order's list, no hit. Nor the neighbour's car.
  read({ kind: 'plate', camera: 'cam-home', plate: stranger });
  read({ kind: 'plate', camera: 'cam-home', plate: neighbour });

  // Collect every hit published, from the stream's start.
  const hits: Array<Record<string, any>> = [];
  const consumer = await js.consumers.get('VIGIL_HITS');
  const iter = await consumer.consume();
  void (async () => {
    for await (const m of iter) hits.push(m.json());
  })();

  // Gateway batches of 100, plus a panic alarm.
  for (let i = 0; i < reads.length; i += 100) await js.publish('vigil.det.gw-1', encode(reads.slice(i, i + 100)));
  await js.publish(
    'vigil.incident.panic',
    JSON.stringify({ id: 'panic-1', ts: now, lat: HOME.lat, lon: HOME.lon, source: 'panic_button', severity: 5 }),
  );

  await eventually(
    async () => {
      const m = (await engine.api.inject({ url: '/metrics' })).body;
      const counted = [...m.matchAll(/vigil_detections_total\{kind="\w+"\} (\d+)/g)].reduce((s, x) => s + Number(x[1]), 0);
      return counted === reads.length && hits.some((h) => h.source === 'panic');
    },
    30_000,
    'all reads counted and the panic hit',
  );
  await new Promise((r) => setTimeout(r, 500));
  await iter.close();

  const got = new Map<string, string>();
  for (const h of hits) {
    if (h.source === 'panic') continue;
    const what =
      h.source === 'geofence'
        ? `geofence:${h.geofence.id}`
        : h.match.type === 'face'
          ? `face:${h.entry.key}`
          : `plate:${h.entry.key}:${h.match.type}`;
    expect(got.has(h.readId), `a second hit for read ${h.readId}: ${what}`).toBe(false);
    got.set(h.readId, what);
  }
  expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));

  const panic = hits.filter((h) => h.source === 'panic');
  expect(panic).toHaveLength(1);
  expect(panic[0]).toMatchObject({ id: 'p.panic-1', priority: 100, incident: { id: 'panic-1', source: 'panic_button' } });

  // Each hit says how it matched; watchlist hits carry their entry.
  const edit = hits.find((h) => h.match?.type === 'edit');
  // …and a hit by edit ranks below the list (its editPriority: 70 − 20 by default).
  expect(edit).toMatchObject({
    source: 'watchlist',
    priority: 50,
    watchlist: { id: plates.id, name: 'wanted vehicles' },
    match: { distance: 1 },
  });
  expect(hits.find((h) => h.match?.type === 'exact')).toMatchObject({ priority: 70 });
  expect(edit!.entry.reference).toMatch(/^W-5\d$/);
  const face = hits.find((h) => h.match?.type === 'face');
  expect(face!.match.score).toBeGreaterThan(0.9);
  expect(face).not.toHaveProperty('embedding');

  // The cooldown suppressed the second read of entry 0, and counted it.
  const metrics = (await engine.api.inject({ url: '/metrics' })).body;
  expect(metrics).toMatch(/vigil_hits_suppressed_total 1\b/);

  // The same hits are listed by the API, once each.
  const listed = await engine.api.inject({ url: '/api/v1/hits?limit=1000', headers: auth('dispatcher') });
  expect(listed.statusCode).toBe(200);
  expect(
    listed
      .json()
      .rows.map((h: { id: string }) => h.id)
      .sort(),
  ).toEqual(hits.map((h) => h.id).sort());
}, 120_000);
