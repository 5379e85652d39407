// The live rules: watchlists, entries and geofences, persisted first and then compiled into an
// immutable MatchSnapshot that the pipeline picks up at its next batch. Ingest never waits for
// an update; a change applies to reads processed after it (well within a second).

import { randomBytes } from 'node:crypto';
import { compileSchedule } from '../domain/schedule.js';
import { FenceIndex } from '../geo/fence-geometry.js';
import type { CameraSite } from '../domain/places.js';
import { FaceMatcher, type FaceEntrySpec, type FaceListSpec } from './face-matcher.js';
import { LivePlateIndex, type ListedEntry, type PlatePart } from './live-plate-index.js';
import type { FaceMatchOptions, Geofence, PlateMatchOptions, RuleRepository, StoredRules, Watchlist, WatchEntry } from './rules.js';

export type { ListedEntry, PlatePart };

export interface FacePart {
  lists: Watchlist[];
  entries: ListedEntry[];
  matcher: FaceMatcher;
  spec: { lists: FaceListSpec[]; entries: FaceEntrySpec[] };
}

export interface FencePart {
  fences: Geofence[];
  index: FenceIndex;
  /** Per fence: is its schedule open at an event time (always, when it has none). */
  scheduled: Array<(tsMs: number) => boolean>;
  /** Per fence: the watchlist ids it is limited to, or null. */
  listSets: Array<Set<string> | null>;
  /** Fixed cameras never move: the fences each one lies in, computed once per change. */
  cameraFences: Map<string, number[]>;
  byId: Map<string, number>;
}

export interface MatchSnapshot {
  version: number;
  plates: PlatePart;
  faces: FacePart;
  fences: FencePart;
}

const expiryOf = (list: Watchlist, entry: WatchEntry): number => Math.min(list.expiresAt ?? Infinity, entry.expiresAt ?? Infinity);

function compilePlates(
  lists: Watchlist[],
  entries: Map<string, Map<string, WatchEntry>>,
  plateFormats?: readonly string[],
): LivePlateIndex {
  const index = new LivePlateIndex((id) => entries.get(id)?.values() ?? [], plateFormats);
  index.rebuildAll(lists);
  return index;
}

function compileFaces(lists: Watchlist[], entries: Map<string, Map<string, WatchEntry>>): FacePart {
  // A face list has the dimension of its embeddings; a list without any yet is left out.
  const faceLists = lists.filter((l) => l.kind === 'face' && [...(entries.get(l.id)?.values() ?? [])].some((e) => e.embedding));
  const listed: ListedEntry[] = [];
  const specs: FaceEntrySpec[] = [];
  const specsOfLists: FaceListSpec[] = [];
  for (let i = 0; i < faceLists.length; i++) {
    const list = faceLists[i];
    let dim = 0;
    for (const entry of entries.get(list.id)!.values()) {
      if (!entry.embedding) continue;
      dim ||= entry.embedding.length;
      listed.push({ list, entry });
      specs.push({ list: i, embedding: entry.embedding, expiresAt: expiryOf(list, entry) });
    }
    specsOfLists.push({ dim, threshold: (list.match as FaceMatchOptions).threshold });
  }
  return {
    lists: faceLists,
    entries: listed,
    matcher: FaceMatcher.build(specsOfLists, specs),
    spec: { lists: specsOfLists, entries: specs },
  };
}

function compileFences(fences: Geofence[], cameras: Iterable<CameraSite>, timezone: string): FencePart {
  const index = new FenceIndex(fences.map((f, id) => ({ id, geometry: f.geometry })));
  const cameraFences = new Map<string, number[]>();
  for (const c of cameras) {
    const inside = index.containing(c.lon, c.lat, []);
    if (inside.length > 0) cameraFences.set(c.id, inside.slice());
  }
  return {
    fences,
    index,
    scheduled: fences.map((f) => (f.schedule ? compileSchedule(f.schedule, timezone) : () => true)),
    listSets: fences.map((f) => (f.watchlists ? new Set(f.watchlists) : null)),
    cameraFences,
    byId: new Map(fences.map((f, i) => [f.id, i])),
  };
}

/** A whole snapshot from rules held in memory (the engine's start; tests). */
export function compileSnapshot(
  lists: Watchlist[],
  entries: Map<string, Map<string, WatchEntry>>,
  fences: Geofence[],
  cameras: Iterable<CameraSite>,
  timezone: string,
  version = 1,
  plateFormats?: readonly string[],
): MatchSnapshot {
  return {
    version,
    plates: compilePlates(lists, entries, plateFormats).part(),
    faces: compileFaces(lists, entries),
    fences: compileFences(fences, cameras, timezone),
  };
}

/** What a retention pass removed from the rules. */
export interface ExpiredRules {
  /** Lists deleted, each with the entries it held (deleted with it). */
  watchlists: Array<{ id: string; entries: number }>;
  /** Entries deleted from lists that stay. */
  entries: Array<{ watchlist: string; keys: string[] }>;
}

export function newRuleId(prefix: 'wl' | 'gf'): string {
  return `${prefix}_${randomBytes(6).toString('base64url')}`;
}

export class RuleBook {
  private readonly lists = new Map<string, Watchlist>();
  private readonly entries = new Map<string, Map<string, WatchEntry>>();
  private readonly geofences = new Map<string, Geofence>();
  private readonly plates: LivePlateIndex;
  private current: MatchSnapshot;

  private constructor(
    private readonly repo: RuleRepository,
    private readonly cameras: () => Iterable<CameraSite>,
    private readonly timezone: string,
    stored: StoredRules,
    /** The city's plate formats (config matching.plateFormats); the matcher's default if absent. */
    readonly plateFormats?: readonly string[],
  ) {
    for (const w of stored.watchlists) {
      this.lists.set(w.id, w);
      this.entries.set(w.id, new Map((stored.entries.get(w.id) ?? []).map((e) => [e.key, e])));
    }
    for (const g of stored.geofences) this.geofences.set(g.id, g);
    const lists = [...this.lists.values()];
    this.plates = compilePlates(lists, this.entries, plateFormats);
    this.current = {
      version: 1,
      plates: this.plates.part(),
      faces: compileFaces(lists, this.entries),
      fences: compileFences([...this.geofences.values()], this.cameras(), this.timezone),
    };
  }

  static async load(
    repo: RuleRepository,
    cameras: () => Iterable<CameraSite>,
    timezone: string,
    plateFormats?: readonly string[],
  ): Promise<RuleBook> {
    return new RuleBook(repo, cameras, timezone, await repo.load(), plateFormats);
  }

  /** The snapshot to match the next batch against. */
  get snapshot(): MatchSnapshot {
    return this.current;
  }

  watchlist(id: string): Watchlist | undefined {
    return this.lists.get(id);
  }

  watchlists(): Array<Watchlist & { entries: number }> {
    return [...this.lists.values()].map((w) => ({ ...w, entries: this.entries.get(w.id)?.size ?? 0 }));
  }

  /** The keys of a list's entries (none for an unknown list). */
  entryKeys(listId: string): string[] {
    return [...(this.entries.get(listId)?.keys() ?? [])];
  }

  /** Dimension of a face list's embeddings (0 while it has none). */
  faceDimension(listId: string): number {
    for (const e of this.entries.get(listId)?.values() ?? []) if (e.embedding) return e.embedding.length;
    return 0;
  }

  geofenceList(): Geofence[] {
    return [...this.geofences.values()];
  }

  async addWatchlist(w: Watchlist): Promise<void> {
    await this.repo.insertWatchlist(w);
    this.lists.set(w.id, w);
    this.entries.set(w.id, new Map());
    if (w.kind === 'plate') this.plates.addList(w);
    this.rebuild(w.kind);
  }

  async removeWatchlist(id: string): Promise<boolean> {
    const w = this.lists.get(id);
    if (!w) return false;
    await this.repo.deleteWatchlist(id);
    this.lists.delete(id);
    this.entries.delete(id);
    if (w.kind === 'plate') this.plates.rebuildAll([...this.lists.values()]);
    this.rebuild(w.kind);
    return true;
  }

  /**
   * Changes a plate list's match options (and its fuzzy-hit estimate): every plate list is
   * compiled again, since the list's entries move to another index group.
   */
  async updatePlateMatch(listId: string, match: PlateMatchOptions, fuzzyHitRate: number | null): Promise<Watchlist> {
    const w = this.lists.get(listId);
    if (w?.kind !== 'plate') throw new Error(`no plate watchlist ${listId}`);
    await this.repo.updateWatchlistMatch(listId, match, fuzzyHitRate);
    const changed: Watchlist = { ...w, match, estimatedFuzzyHitRate: fuzzyHitRate };
    this.lists.set(listId, changed);
    this.plates.rebuildAll([...this.lists.values()]);
    this.rebuild('plate');
    return changed;
  }

  /** `fuzzyHitRate` (a number or null): the list's new estimate, stored with the entries. */
  async upsertEntries(listId: string, entries: readonly WatchEntry[], fuzzyHitRate?: number | null): Promise<void> {
    const w = this.lists.get(listId);
    if (!w) throw new Error(`no watchlist ${listId}`);
    await this.repo.upsertEntries(listId, entries, fuzzyHitRate);
    if (fuzzyHitRate !== undefined) w.estimatedFuzzyHitRate = fuzzyHitRate;
    const map = this.entries.get(listId)!;
    const previous = entries.flatMap((e) => map.get(e.key) ?? []);
    for (const e of entries) map.set(e.key, e);
    if (w.kind === 'plate') this.plates.upsert(w, entries, previous, [...this.lists.values()]);
    this.rebuild(w.kind);
  }

  async removeEntry(listId: string, key: string): Promise<boolean> {
    const w = this.lists.get(listId);
    if (!w || !this.entries.get(listId)?.has(key)) return false;
    await this.repo.deleteEntry(listId, key);
    const old = this.entries.get(listId)!.get(key)!;
    this.entries.get(listId)!.delete(key);
    if (w.kind === 'plate') this.plates.remove(old);
    this.rebuild(w.kind);
    return true;
  }

  /**
   * Retention: deletes the watchlists and entries that expired at or before `cutoff` (epoch ms),
   * each list's entries in one transaction and one snapshot rebuild. Expiry is checked again
   * after each write, so an entry renewed meanwhile stays. `removed` is filled as it goes, so a
   * caller still knows what went when a later write throws.
   */
  async removeExpired(cutoff: number, removed: ExpiredRules = { watchlists: [], entries: [] }): Promise<ExpiredRules> {
    const expired = (at: number | null) => at !== null && at <= cutoff;
    for (const w of [...this.lists.values()]) {
      if (!expired(w.expiresAt)) continue;
      const entries = this.entries.get(w.id)?.size ?? 0;
      if (await this.removeWatchlist(w.id)) removed.watchlists.push({ id: w.id, entries });
    }
    for (const listId of [...this.entries.keys()]) {
      const keys = [...(this.entries.get(listId)?.values() ?? [])].filter((e) => expired(e.expiresAt)).map((e) => e.key);
      if (keys.length === 0) continue;
      await this.repo.deleteExpiredEntries(listId, keys, cutoff);
      const w = this.lists.get(listId);
      const map = this.entries.get(listId);
      if (!w || !map) continue; // the list was deleted meanwhile, with its entries
      const gone: string[] = [];
      for (const key of keys) {
        const e = map.get(key);
        if (!e || !expired(e.expiresAt)) continue;
        map.delete(key);
        if (w.kind === 'plate') this.plates.remove(e);
        gone.push(key);
      }
      if (gone.length > 0) {
        this.rebuild(w.kind);
        removed.entries.push({ watchlist: listId, keys: gone });
      }
    }
    return removed;
  }

  async addGeofence(g: Geofence): Promise<void> {
    await this.addGeofences([g]);
  }

  /** Several fences, one snapshot rebuild. */
  async addGeofences(gs: readonly Geofence[]): Promise<void> {
    for (const g of gs) await this.repo.insertGeofence(g);
    for (const g of gs) this.geofences.set(g.id, g);
    this.rebuild('fences');
  }

  async removeGeofence(id: string): Promise<boolean> {
    if (!this.geofences.has(id)) return false;
    await this.repo.deleteGeofence(id);
    this.geofences.delete(id);
    this.rebuild('fences');
    return true;
  }

  /** Cameras moved or were added: their fences are computed again. */
  camerasChanged(): void {
    this.rebuild('fences');
  }

  /** Compiles the changed part only; the others are shared with the previous snapshot. */
  private rebuild(part: 'plate' | 'face' | 'fences'): void {
    const lists = [...this.lists.values()];
    const prev = this.current;
    this.current = {
      version: prev.version + 1,
      plates: part === 'plate' ? this.plates.part() : prev.plates,
      faces: part === 'face' ? compileFaces(lists, this.entries) : prev.faces,
      fences: part === 'fences' ? compileFences([...this.geofences.values()], this.cameras(), this.timezone) : prev.fences,
    };
  }
}
