// The matching rules as data: reads in, hits out — geofence triggers (enter, exit, inside,
// dwell), kinds, protection-order lists, schedules, cooldowns, subject-less reads, and the
// state overlay that a failed commit rolls back.

import { describe, expect, it } from 'vitest';
import type { DecodedRead } from '../../engine/domain/detection.js';
import { Placement } from '../../engine/geo/placement.js';
import { KeyedState } from '../../engine/match/keyed-state.js';
import { ReadMatcher, seenOf, type MatchStateValue, type ReadMatcherOptions } from '../../engine/match/read-matcher.js';
import { compileSnapshot } from '../../engine/match/rule-book.js';
import type { Geofence, Watchlist, WatchEntry } from '../../engine/match/rules.js';

const TZ = 'Asia/Tashkent';
const T0 = Date.UTC(2026, 10, 23, 7, 0, 0); // Monday 12:00 in Tashkent
const IN = { lat: 41.3, lon: 69.25 };
const OUT = { lat: 41.35, lon: 69.25 };

function list(id: string, over: Partial<Watchlist> = {}): Watchlist {
  return {
    id,
    name: id,
    kind: 'plate',
    priority: 50,
    legalBasis: 'test',
    expiresAt: null,
    match: { ocrEquivalence: true, maxEdits: 1 },
    alertOnRead: true,
    cooldownSeconds: 60,
    createdAt: 0,
    createdBy: null,
    ...over,
  };
}

function fence(id: string, over: Partial<Geofence> = {}): Geofence {
  return {
    id,
    name: id,
    geometry: { type: 'Circle', center: [IN.lon, IN.lat], radiusM: 500 },
    trigger: 'enter',
    dwellSeconds: null,
    kinds: null,
    watchlists: null,
    schedule: null,
    priority: 90,
    cooldownSeconds: 0,
    createdAt: 0,
    createdBy: null,
    ...over,
  };
}

function setup(lists: Watchlist[], entries: Record<string, string[]>, fences: Geofence[], opts: ReadMatcherOptions = {}) {
  const placement = new Placement();
  placement.upsertCameras([
    { id: 'cam-in', ...IN },
    { id: 'cam-out', ...OUT },
  ]);
  const byList = new Map<string, Map<string, WatchEntry>>(
    lists.map((l) => [l.id, new Map((entries[l.id] ?? []).map((key) => [key, { key, label: null, reference: null, expiresAt: null }]))]),
  );
  const snapshot = compileSnapshot(lists, byList, fences, placement.cameras(), TZ);
  const state = new KeyedState<MatchStateValue>();
  const matcher = new ReadMatcher(placement, state, opts);
  let seq = 0;
  const run = (reads: Array<Partial<DecodedRead>>) => {
    const batch = reads.map((r) => ({ kind: 'plate', camera: 'cam-in', ts: T0, seq: ++seq, index: 0, ...r }) as DecodedRead);
    const out = matcher.match(batch, snapshot, T0);
    state.commit();
    return out;
  };
  return { run, state, matcher, snapshot };
}

const what = (hits: Array<{ source: string; geofence?: { trigger: string }; readId?: string }>) =>
  hits.map((h) => `${h.source}${h.geofence ? `:${h.geofence.trigger}` : ''}`);

describe('geofence triggers', () => {
  it('enter fires when a read falls inside after one outside (or none), not while staying inside', () => {
    const { run } = setup([], {}, [fence('g', { trigger: 'enter' })]);
    expect(what(run([{ plate: 'AA111', camera: 'cam-in' }]).hits)).toEqual(['geofence:enter']);
    expect(run([{ plate: 'AA111', camera: 'cam-in', ts: T0 + 1000 }]).hits).toEqual([]);
    expect(run([{ plate: 'AA111', camera: 'cam-out', ts: T0 + 2000 }]).hits).toEqual([]);
    expect(what(run([{ plate: 'AA111', camera: 'cam-in', ts: T0 + 3000 }]).hits)).toEqual(['geofence:enter']);
  });

  it('exit fires on the first read outside after being inside', () => {
    const { run } = setup([], {}, [fence('g', { trigger: 'exit' })]);
    expect(run([{ plate: 'BB222', camera: 'cam-out' }]).hits).toEqual([]);
    expect(run([{ plate: 'BB222', camera: 'cam-in', ts: T0 + 1000 }]).hits).toEqual([]);
    expect(what(run([{ plate: 'BB222', camera: 'cam-out', ts: T0 + 2000 }]).hits)).toEqual(['geofence:exit']);
    expect(run([{ plate: 'BB222', camera: 'cam-out', ts: T0 + 3000 }]).hits).toEqual([]);
  });

  it('inside fires on every read inside, subject to the cooldown (suppressed hits counted)', () => {
    const { run } = setup([], {}, [fence('g', { trigger: 'inside', cooldownSeconds: 60 })]);
    expect(what(run([{ plate: 'CC333' }]).hits)).toEqual(['geofence:inside']);
    const second = run([{ plate: 'CC333', ts: T0 + 30_000 }]);
    expect(second.hits).toEqual([]);
    expect(second.suppressed).toBe(1);
    expect(what(run([{ plate: 'CC333', ts: T0 + 61_000 }]).hits)).toEqual(['geofence:inside']);
  });

  it('dwell fires once the subject has been read inside for dwellSeconds, once per stay', () => {
    const { run } = setup([], {}, [fence('g', { trigger: 'dwell', dwellSeconds: 300 })]);
    expect(run([{ plate: 'DD444' }]).hits).toEqual([]);
    expect(run([{ plate: 'DD444', ts: T0 + 299_000 }]).hits).toEqual([]);
    expect(what(run([{ plate: 'DD444', ts: T0 + 300_000 }]).hits)).toEqual(['geofence:dwell']);
    expect(run([{ plate: 'DD444', ts: T0 + 900_000 }]).hits).toEqual([]);
    // Leaving and coming back starts a new stay.
    run([{ plate: 'DD444', camera: 'cam-out', ts: T0 + 901_000 }]);
    run([{ plate: 'DD444', ts: T0 + 902_000 }]);
    expect(what(run([{ plate: 'DD444', ts: T0 + 1_202_000 }]).hits)).toEqual(['geofence:dwell']);
  });

  it('a mobile read is placed by its own position, not its camera', () => {
    const { run } = setup([], {}, [fence('g', { trigger: 'enter' })]);
    expect(run([{ plate: 'EE555', camera: 'cam-in', ...OUT }]).hits).toEqual([]);
    expect(what(run([{ plate: 'EE555', camera: 'patrol-7', ...IN, ts: T0 + 1 }]).hits)).toEqual(['geofence:enter']);
  });
});

describe('who a geofence applies to', () => {
  it('a protection-order zone alerts on its respondent only, whose list does not alert on its own', () => {
    const order = list('po', { alertOnRead: false, match: { ocrEquivalence: true, maxEdits: 0 } });
    const { run } = setup([order], { po: ['01Z777XA'] }, [fence('home', { watchlists: ['po'] })]);
    expect(run([{ plate: '01Z777XA', camera: 'cam-out' }]).hits).toEqual([]);
    const hits = run([{ plate: '01Z777XA', ts: T0 + 1 }]).hits;
    expect(what(hits)).toEqual(['geofence:enter']);
    expect(run([{ plate: '01Z123XA', ts: T0 + 2 }]).hits).toEqual([]);
  });

  it('kinds limits a zone to those read kinds', () => {
    const { run } = setup([], {}, [fence('g', { trigger: 'inside', kinds: ['vehicle'] })]);
    expect(run([{ plate: 'FF666', kind: 'plate' }]).hits).toEqual([]);
    expect(what(run([{ kind: 'vehicle', camera: 'cam-in', ts: T0 + 1 }]).hits)).toEqual(['geofence:inside']);
  });

  it('a read without identity can only trigger inside, cooled down per camera', () => {
    const { run } = setup([], {}, [fence('in', { trigger: 'inside', cooldownSeconds: 10 }), fence('en', { trigger: 'enter' })]);
    expect(what(run([{ kind: 'person' }]).hits)).toEqual(['geofence:inside']);
    const again = run([{ kind: 'person', ts: T0 + 5000 }]);
    expect(again.hits).toEqual([]);
    expect(again.suppressed).toBe(1);
  });

  it('a schedule limits firing to its hours on the city clock, while state still follows the subject', () => {
    // Night zone, 22:00–06:00 from Monday night (Tashkent, UTC+5).
    const night = fence('night', { trigger: 'enter', schedule: { days: [1], from: '22:00', to: '06:00' } });
    const { run } = setup([], {}, [night]);
    const mondayNoon = T0;
    const monday23 = Date.UTC(2026, 10, 23, 18, 0, 0);
    expect(run([{ plate: 'GG777', ts: mondayNoon }]).hits).toEqual([]);
    run([{ plate: 'GG777', camera: 'cam-out', ts: mondayNoon + 1000 }]);
    expect(what(run([{ plate: 'GG777', ts: monday23 }]).hits)).toEqual(['geofence:enter']);
  });
});

describe('watchlist hits', () => {
  it('one hit per list, cooldown per entry, and alertOnRead false lists stay silent', () => {
    const { run } = setup(
      [list('a'), list('b'), list('silent', { alertOnRead: false })],
      { a: ['01A123BC'], b: ['01A123BC', '01A123B0'], silent: ['01A123BC'] },
      [],
    );
    const first = run([{ plate: '01A123BC' }]);
    expect(first.hits.map((h) => [h.watchlist?.id, h.entry?.key, h.match?.type])).toEqual([
      ['a', '01A123BC', 'exact'],
      ['b', '01A123BC', 'exact'],
    ]);
    const again = run([{ plate: '01A123BC', ts: T0 + 1000 }]);
    expect(again.hits).toEqual([]);
    expect(again.suppressed).toBe(2);
  });
});

describe('state and replays', () => {
  it('a rolled-back batch leaves the state as it was, so the replay decides the same', () => {
    const { state, matcher, snapshot } = setup([], {}, [fence('g', { trigger: 'enter' })]);
    const read = { plate: 'HH888', kind: 'plate', camera: 'cam-in', ts: T0, seq: 1, index: 0 } as DecodedRead;
    const first = matcher.match([read], snapshot, T0);
    state.rollback();
    const replay = matcher.match([read], snapshot, T0);
    state.commit();
    expect(replay.hits.map((h) => h.id)).toEqual(first.hits.map((h) => h.id));
    expect(replay.hits).toHaveLength(1);
    expect(matcher.match([{ ...read, seq: 2 }], snapshot, T0).hits).toEqual([]);
  });
});

describe('retention of the matching state', () => {
  const DAY = 86_400_000;
  const retentionMs = 30 * DAY;
  const enter = () => fence('g', { trigger: 'enter' });

  it('a subject not read for the retention is entering anew; one read just within it is still inside', () => {
    const { run } = setup([], {}, [enter()], { retentionMs });
    expect(what(run([{ plate: 'JJ101', ts: T0 }]).hits)).toEqual(['geofence:enter']);
    expect(what(run([{ plate: 'KK202', ts: T0 }]).hits)).toEqual(['geofence:enter']);
    expect(run([{ plate: 'JJ101', ts: T0 + retentionMs - 1 }]).hits).toEqual([]);
    expect(what(run([{ plate: 'KK202', ts: T0 + retentionMs }]).hits)).toEqual(['geofence:enter']);
  });

  it('every read that touches a fence state moves its last read on, so a subject read often keeps it', () => {
    const { run, state } = setup([], {}, [enter()], { retentionMs });
    run([{ plate: 'LL303', ts: T0 }]);
    run([{ plate: 'LL303', ts: T0 + 20 * DAY }]); // still inside: nothing else changed
    expect(state.get('s|p:LL303')?.seen).toBe(T0 + 20 * DAY);
    run([{ plate: 'LL303', ts: T0 + 10 * DAY }]); // a late read moves nothing back
    expect(state.get('s|p:LL303')?.seen).toBe(T0 + 20 * DAY);
    expect(run([{ plate: 'LL303', ts: T0 + 45 * DAY }]).hits).toEqual([]); // 25 days after the last read
    // A subject without fence state read outside every zone writes nothing.
    run([{ plate: 'MM404', camera: 'cam-out', ts: T0 }]);
    expect(state.get('s|p:MM404')).toBeUndefined();
  });

  it('decides the same whether a purge deleted the expired state or not', () => {
    const lists = [list('wl', { cooldownSeconds: 3600, match: { ocrEquivalence: false, maxEdits: 0 } })];
    const fences = [enter(), fence('d', { trigger: 'dwell', dwellSeconds: 60 })];
    const kept = setup(lists, { wl: ['01A001AA'] }, fences, { retentionMs });
    const purged = setup(lists, { wl: ['01A001AA'] }, fences, { retentionMs });
    const history = [
      { plate: '01A001AA', ts: T0 },
      { plate: 'NN505', ts: T0 + DAY },
      { plate: 'NN505', ts: T0 + DAY + 30_000 },
    ];
    for (const m of [kept, purged]) for (const r of history) m.run([r]);
    // A purge 40 days on: the sightings' cutoff is 10 days after the last reads.
    const clock = T0 + 40 * DAY;
    const dropped = purged.state.expireBefore(clock - retentionMs, (v) => purged.matcher.retainedSince(v, 3600_000));
    purged.state.commit();
    expect(dropped).toBe(3); // the entry's cooldown and both subjects' fence states
    expect(kept.state.size).toBe(3);
    expect(purged.state.size).toBe(0);
    const later = [
      { plate: '01A001AA', ts: clock },
      { plate: 'NN505', ts: clock + 1 },
      { plate: 'NN505', ts: clock + 60_001 },
    ];
    const decide = (m: ReturnType<typeof setup>) =>
      later.map((r) => m.run([r]).hits.map((h) => `${h.source}:${h.geofence?.trigger ?? h.entry?.key}`));
    const decisions = decide(kept);
    expect(decisions).toEqual([['watchlist:01A001AA', 'geofence:enter'], ['geofence:enter'], ['geofence:dwell']]);
    expect(decide(purged)).toEqual(decisions);
  });

  it('a purge never cuts short a cooldown that outlasts the retention', () => {
    const hour = 3_600_000;
    const lists = [list('wl', { cooldownSeconds: 2 * 3600, match: { ocrEquivalence: false, maxEdits: 0 } })];
    const { run, state, matcher } = setup(lists, { wl: ['01A002AA'] }, [], { retentionMs: hour });
    expect(run([{ plate: '01A002AA', ts: T0 }]).hits).toHaveLength(1);
    // 90 minutes on, the cutoff is half an hour after the hit: the cooldown still runs.
    expect(state.expireBefore(T0 + 30 * 60_000, (v) => matcher.retainedSince(v, 2 * hour))).toBe(0);
    state.commit();
    expect(run([{ plate: '01A002AA', ts: T0 + 90 * 60_000 }]).suppressed).toBe(1);
    // Once the cooldown is over too, it goes.
    expect(state.expireBefore(T0 + hour + 1, (v) => matcher.retainedSince(v, 2 * hour))).toBe(1);
  });

  it('a state stored before the last read was kept counts from its latest stay or hit', () => {
    const legacy: MatchStateValue = {
      fences: {
        a: { inside: true, since: T0, dwellFired: false, lastHit: T0 - DAY },
        b: { inside: false, since: 0, dwellFired: false, lastHit: T0 + 5 },
      },
    };
    expect(seenOf(legacy)).toBe(T0 + 5);
    expect(seenOf({ fences: {} })).toBeNaN();
    const { run, state } = setup([], {}, [fence('a', { trigger: 'enter' })], { retentionMs });
    state.set('s|p:PP606', legacy);
    state.commit();
    expect(run([{ plate: 'PP606', ts: T0 + retentionMs }]).hits).toEqual([]);
    expect(state.get('s|p:PP606')?.seen).toBe(T0 + retentionMs);
    state.set('s|p:QQ707', legacy);
    state.commit();
    expect(what(run([{ plate: 'QQ707', ts: T0 + 5 + retentionMs }]).hits)).toEqual(['geofence:enter']);
  });
});
