// The base + delta plate index: changes apply without recompiling the base, and a worker's
// kernels built from the spec number entries exactly as the main thread does.

import { describe, expect, it } from 'vitest';
import { LivePlateIndex, type PlatePart } from '../../engine/match/live-plate-index.js';
import type { Watchlist, WatchEntry } from '../../engine/match/rules.js';
import { buildKernels, matchPlate, type KernelSpec } from '../../engine/match/match-kernels.js';

const list = (id: string, maxEdits = 1): Watchlist => ({
  id,
  name: id,
  kind: 'plate',
  priority: 1,
  legalBasis: 't',
  expiresAt: null,
  match: { ocrEquivalence: true, maxEdits },
  alertOnRead: true,
  cooldownSeconds: 0,
  createdAt: 0,
  createdBy: null,
});
const entry = (key: string, label: string | null = null): WatchEntry => ({ key, label, reference: null, expiresAt: null });

function setup(lists: Watchlist[], entries: Record<string, WatchEntry[]>) {
  const store = new Map(Object.entries(entries).map(([id, es]) => [id, new Map(es.map((e) => [e.key, e]))]));
  const index = new LivePlateIndex((id) => store.get(id)?.values() ?? []);
  index.rebuildAll(lists);
  return { index, store };
}

/** (list id, entry key, label, type) of each match of `plate`. */
function found(part: PlatePart, plate: string) {
  return (matchPlate(part.kernels, plate, Date.now(), []) ?? []).map((m) => {
    const { list, entry } = part.entry(m.entry);
    return [list.id, entry.key, entry.label, m.type];
  });
}

function workerPart(part: PlatePart): PlatePart {
  const spec: KernelSpec = {
    version: 1,
    plates: part.spec,
    faces: { lists: [], entries: [] },
    fences: [],
  };
  return { ...part, kernels: buildKernels(spec, null).plates };
}

describe('LivePlateIndex', () => {
  it('a replaced entry matches with its new data and the old one never again', () => {
    const a = list('a');
    const { index, store } = setup([a], { a: [entry('01A123BC', 'old'), entry('01B222BB')] });
    expect(found(index.part(), '01A123BC')).toEqual([['a', '01A123BC', 'old', 'exact']]);
    const old = store.get('a')!.get('01A123BC')!;
    const fresh = entry('01A123BC', 'new');
    store.get('a')!.set(fresh.key, fresh);
    index.upsert(a, [fresh], [old], [a]);
    const part = index.part();
    expect(found(part, '01A123BC')).toEqual([['a', '01A123BC', 'new', 'exact']]);
    expect(part.spec.retired).toEqual([0]);
    expect(part.spec.delta.lists).toHaveLength(1);
    expect(found(workerPart(part), '01A123BC')).toEqual([['a', '01A123BC', 'new', 'exact']]);
  });

  it('a removed entry stops matching, from the base or from the delta', () => {
    const a = list('a');
    const inBase = entry('01A123BC');
    const { index } = setup([a], { a: [inBase] });
    const added = entry('01C333CC');
    index.upsert(a, [added], [], [a]);
    expect(found(index.part(), '01C333CC')).toHaveLength(1);
    index.remove(added);
    index.remove(inBase);
    const part = index.part();
    expect(found(part, '01C333CC')).toEqual([]);
    expect(found(part, '01A123BC')).toEqual([]);
    expect(found(workerPart(part), '01A123BC')).toEqual([]);
  });

  it('a list added after the base gets its own best match; the closer entry wins across base and delta', () => {
    const a = list('a');
    const { index } = setup([a], { a: [entry('01A123BD')] });
    const b = list('b');
    index.addList(b);
    index.upsert(b, [entry('01A123BC')], [], [a, b]);
    index.upsert(a, [entry('01A123BC', 'exact one')], [], [a, b]);
    const part = index.part();
    expect(found(part, '01A123BC')).toEqual([
      ['a', '01A123BC', 'exact one', 'exact'],
      ['b', '01A123BC', null, 'exact'],
    ]);
    expect(found(workerPart(part), '01A123BC')).toEqual(found(part, '01A123BC'));
  });

  it('folds a large delta into a new base', () => {
    const a = list('a', 0);
    const { index, store } = setup([a], { a: [] });
    const many = Array.from({ length: 5001 }, (_, i) => entry(`77X${String(i).padStart(4, '0')}`));
    for (const e of many) store.get('a')!.set(e.key, e);
    const before = index.part().spec.baseVersion;
    index.upsert(a, many, [], [a]);
    const part = index.part();
    expect(part.spec.baseVersion).toBe(before + 1);
    expect(part.spec.delta.lists).toHaveLength(0);
    expect(part.spec.base.lists).toHaveLength(5001);
    expect(found(part, '77X4999')).toEqual([['a', '77X4999', null, 'exact']]);
  });
});
