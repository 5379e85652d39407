// Plate watchlists as a large base index plus a small delta. Compiling a million plates takes
// about a second, so a change must not recompile them: a replaced or deleted entry is retired
// in the base (it never matches again), new entries go into the delta, which compiles in
// milliseconds. The base is rebuilt only when the delta has grown, or a list is deleted.
//
// A compiled index keeps its entries as an array and their lists as small numbers, not as an
// object per entry: with a million plates every object per entry is a million more for the
// garbage collector to mark, and a WeakMap of them (ephemerons) was slower still.

import { PlateMatcher, type PlateEntrySpec, type PlateListSpec } from './plate-matcher.js';
import type { PlateMatchOptions, Watchlist, WatchEntry } from './rules.js';
import type { KernelSpec, PackedPlateEntries, PlateKernels } from './match-kernels.js';

export interface ListedEntry {
  list: Watchlist;
  entry: WatchEntry;
}

/** What worker threads need to build the same two indexes (same entry numbering). */
export type PlateKernelSpec = KernelSpec['plates'];

export interface PlatePart {
  /** Entries in both indexes, retired ones included. */
  size: number;
  /** Entry i of the combined numbering: the base's first, then the delta's. */
  entry(i: number): ListedEntry;
  kernels: PlateKernels;
  /** Built on each access (by the worker pool, once per snapshot): read it once. */
  readonly spec: PlateKernelSpec;
}

interface Compiled {
  entries: WatchEntry[];
  /** Each entry's list, as its position in the index's lists. */
  listOf: Uint16Array;
  expiresAt: Float64Array;
  matcher: PlateMatcher;
}

/** An entry's position in the base it was compiled into, kept on the entry (see drop). */
const BASE_SLOT = Symbol('plate base slot');
type Slotted = WatchEntry & { [BASE_SLOT]?: number };

/** The entries as workers receive them: no object per entry (a million cross in ~1 s). */
function packedOf(c: Compiled): PackedPlateEntries {
  return { keys: c.entries.map((e) => e.key).join('\n'), lists: Uint32Array.from(c.listOf), expiresAt: c.expiresAt.slice() };
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
  private retired: number[] = [];
  private delta = new Map<WatchEntry, Watchlist>();

  /** `formats`: the city's plate formats (PlateListSpec.formats); the matcher's own by default. */
  constructor(
    private readonly entriesOf: (listId: string) => Iterable<WatchEntry>,
    private readonly formats?: readonly string[],
  ) {
    this.base = this.compile([], []);
  }

  private modes(lists: Watchlist[]): PlateListSpec[] {
    return lists.map((l) => {
      const { ocrEquivalence, maxEdits } = l.match as PlateMatchOptions;
      return this.formats ? { ocrEquivalence, maxEdits, formats: this.formats } : { ocrEquivalence, maxEdits };
    });
  }

  private compile(lists: Watchlist[], pairs: Array<[Watchlist, WatchEntry]>): Compiled {
    if (lists.length > 65535) throw new RangeError(`plate index: more than 65,535 plate lists (${lists.length})`);
    const index = new Map(lists.map((l, i) => [l, i]));
    const n = pairs.length;
    const entries: WatchEntry[] = new Array(n);
    const listOf = new Uint16Array(n);
    const expiresAt = new Float64Array(n);
    const specs: PlateEntrySpec[] = new Array(n); // for the build only
    pairs.forEach(([list, entry], i) => {
      entries[i] = entry;
      listOf[i] = index.get(list)!;
      expiresAt[i] = expiryOf(list, entry);
      specs[i] = { list: listOf[i], key: entry.key, expiresAt: expiresAt[i] };
    });
    return { entries, listOf, expiresAt, matcher: PlateMatcher.build(this.modes(lists), specs) };
  }

  /** Everything into a new base: at start, after a list is deleted, when the delta is large. */
  rebuildAll(lists: readonly Watchlist[]): void {
    this.lists = lists.filter((l) => l.kind === 'plate');
    this.baseListCount = this.lists.length;
    const pairs: Array<[Watchlist, WatchEntry]> = [];
    for (const list of this.lists) for (const entry of this.entriesOf(list.id)) pairs.push([list, entry]);
    for (const e of this.base.entries) delete (e as Slotted)[BASE_SLOT];
    this.base = this.compile(this.lists, pairs);
    this.base.entries.forEach((e, i) => ((e as Slotted)[BASE_SLOT] = i));
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
    if (this.delta.size > Math.max(DELTA_LIMIT, this.base.entries.length * 0.05)) this.rebuildAll(allLists);
  }

  remove(entry: WatchEntry): void {
    this.drop(entry);
  }

  private drop(entry: WatchEntry): void {
    const slot = (entry as Slotted)[BASE_SLOT];
    if (slot !== undefined && this.base.entries[slot] === entry) {
      this.base.matcher.retire(slot);
      this.retired.push(slot);
      delete (entry as Slotted)[BASE_SLOT];
    }
    this.delta.delete(entry);
  }

  /** The current view: the shared base and a freshly compiled delta. */
  part(): PlatePart {
    const delta = this.compile(
      this.lists,
      [...this.delta].map(([entry, list]) => [list, entry]),
    );
    const base = this.base;
    const nb = base.entries.length;
    const lists = this.lists.slice();
    const baseLists = this.modes(this.lists.slice(0, this.baseListCount));
    const deltaLists = this.modes(this.lists);
    const { baseVersion } = this;
    const retired = this.retired.slice();
    return {
      size: nb + delta.entries.length,
      entry: (i) =>
        i < nb
          ? { list: lists[base.listOf[i]], entry: base.entries[i] }
          : { list: lists[delta.listOf[i - nb]], entry: delta.entries[i - nb] },
      kernels: { base: base.matcher, delta: delta.matcher },
      get spec(): PlateKernelSpec {
        return { baseVersion, baseLists, base: packedOf(base), retired, lists: deltaLists, delta: packedOf(delta) };
      },
    };
  }
}
