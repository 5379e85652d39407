// The matching rules as data: reads in, hits out — geofence triggers (enter, exit, inside,
// dwell), kinds, protection-order lists, schedules, cooldowns, subject-less reads, and the
// state overlay that a failed commit rolls back.

import { describe, expect, it } from 'vitest';
import type { DecodedRead } from '../../engine/domain/detection.js';
import { Placement } from '../../engine/geo/placement.js';
import { KeyedState } from '../../engine/match/keyed-state.js';
import { ReadMatcher, type MatchStateValue } from '../../engine/match/read-matcher.js';
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

function setup(lists: Watchlist[], entries: Record<string, string[]>, fences: Geofence[]) {
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
  const matcher = new ReadMatcher(placement, state);
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
