// Plate watchlists as a large base index plus a small delta. Compiling a million plates takes
// about a second, so a change must not recompile them: a replaced or deleted entry is retired
// in the base (it never matches again), new entries go into the delta, which compiles in
// milliseconds. The base is rebuilt only when the delta has grown, or a list is deleted.

import { PlateMatcher, type PlateEntrySpec, type PlateListSpec } from './plate-matcher.js';
import type { PlateMatchOptions, Watchlist, WatchEntry } from './rules.js';
import type { PlateKernels } from '../../workers/match-kernels.js';

export interface ListedEntry {
  list: Watchlist;
  entry: WatchEntry;
}

/** What worker threads need to build the same two indexes (same entry numbering). */
export interface PlateKernelSpec {
  baseVersion: number;
  baseLists: PlateListSpec[];
  base: PlateEntrySpec[];
  retired: number[];
  lists: PlateListSpec[];
  delta: PlateEntrySpec[];
}

export interface PlatePart {
  /** Entries in both indexes, retired ones included. */
  size: number;
  /** Entry i of the combined numbering: the base's first, then the delta's. */
  entry(i: number): ListedEntry;
  kernels: PlateKernels;
  spec: PlateKernelSpec;
}

interface Compiled {
  listed: ListedEntry[];
  specs: PlateEntrySpec[];
  matcher: PlateMatcher;
}

const expiryOf = (list: Watchlist, entry: WatchEntry): number => Math.min(list.expiresAt ?? Infinity, entry.expiresAt ?? Infinity);

/** The delta is folded into a new base past this many entries (or 5 % of the base). */
const DELTA_LIMIT = 5000;

export class LivePlateIndex {
  /** Plate lists in numbering order: the base knows the first `baseListCount`. */
  private lists: Watchlist[] = [];
  private baseListCount = 0;
  private base: Compiled;
  private baseVersion = 0;
  /** Base position of each entry compiled into it (replaced entries are new objects). */
  private baseSlot = new WeakMap<WatchEntry, number>();
  private retired: number[] = [];
  private delta = new Map<WatchEntry, Watchlist>();

  constructor(private readonly entriesOf: (listId: string) => Iterable<WatchEntry>) {
    this.base = this.compile([], []);
  }

  private modes(lists: Watchlist[]): PlateListSpec[] {
    return lists.map((l) => l.match as PlateMatchOptions);
  }

  private compile(lists: Watchlist[], pairs: Array<[Watchlist, WatchEntry]>): Compiled {
    const index = new Map(lists.map((l, i) => [l, i]));
    const listed: ListedEntry[] = [];
    const specs: PlateEntrySpec[] = [];
    for (const [list, entry] of pairs) {
      listed.push({ list, entry });
      specs.push({ list: index.get(list)!, key: entry.key, expiresAt: expiryOf(list, entry) });
    }
    return { listed, specs, matcher: PlateMatcher.build(this.modes(lists), specs) };
  }

  /** Everything into a new base: at start, after a list is deleted, when the delta is large. */
  rebuildAll(lists: readonly Watchlist[]): void {
    this.lists = lists.filter((l) => l.kind === 'plate');
    this.baseListCount = this.lists.length;
    const pairs: Array<[Watchlist, WatchEntry]> = [];
    for (const list of this.lists) for (const entry of this.entriesOf(list.id)) pairs.push([list, entry]);
    this.base = this.compile(this.lists, pairs);
    this.baseSlot = new WeakMap(pairs.map(([, e], i) => [e, i]));
    this.baseVersion++;
    this.retired = [];
    this.delta.clear();
  }

  addList(list: Watchlist): void {
    this.lists.push(list);
  }

  /** `previous` are the entries being replaced (same keys), already out of the list. */
  upsert(list: Watchlist, entries: readonly WatchEntry[], previous: readonly WatchEntry[], allLists: readonly Watchlist[]): void {
    for (const old of previous) this.drop(old);
    for (const e of entries) this.delta.set(e, list);
    if (this.delta.size > Math.max(DELTA_LIMIT, this.base.listed.length * 0.05)) this.rebuildAll(allLists);
  }

  remove(entry: WatchEntry): void {
    this.drop(entry);
  }

  private drop(entry: WatchEntry): void {
    const slot = this.baseSlot.get(entry);
    if (slot !== undefined) {
      this.base.matcher.retire(slot);
      this.retired.push(slot);
      this.baseSlot.delete(entry);
    }
    this.delta.delete(entry);
  }

  /** The current view: the shared base and a freshly compiled delta. */
  part(): PlatePart {
    const delta = this.compile(this.lists, [...this.delta].map(([entry, list]) => [list, entry]));
    const base = this.base;
    const nb = base.listed.length;
    return {
      size: nb + delta.listed.length,
      entry: (i) => (i < nb ? base.listed[i] : delta.listed[i - nb]),
      kernels: { base: base.matcher, delta: delta.matcher },
      spec: {
        baseVersion: this.baseVersion,
        baseLists: this.modes(this.lists.slice(0, this.baseListCount)),
        base: base.specs,
        retired: this.retired.slice(),
        lists: this.modes(this.lists),
        delta: delta.specs,
      },
    };
  }
}
