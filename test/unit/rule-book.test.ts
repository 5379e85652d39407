// engine/match/rule-book.ts without a database: the rules it is given through a repository,
// the snapshots it compiles from them, and that a failed write changes nothing.

import { describe, expect, it } from 'vitest';
import { matchPlate } from '../../engine/match/match-kernels.js';
import type { PlateMatch } from '../../engine/match/plate-matcher.js';
import { RuleBook } from '../../engine/match/rule-book.js';
import type { Geofence, RuleRepository, StoredRules, Watchlist, WatchEntry } from '../../engine/match/rules.js';

/** Rules kept in memory; `failing` makes the next write throw, as a full disk would. */
class MemoryRules implements RuleRepository {
  writes: string[] = [];
  failing = false;
  constructor(private readonly stored: StoredRules = { watchlists: [], entries: new Map(), geofences: [] }) {}
  private write(what: string): Promise<void> {
    if (this.failing) return Promise.reject(new Error('disk full'));
    this.writes.push(what);
    return Promise.resolve();
  }
  load = async () => this.stored;
  insertWatchlist = (w: Watchlist) => this.write(`insert ${w.id}`);
  updateWatchlistMatch = (id: string) => this.write(`match ${id}`);
  deleteWatchlist = (id: string) => this.write(`delete ${id}`);
  upsertEntries = (id: string, entries: readonly WatchEntry[]) => this.write(`upsert ${id} ${entries.length}`);
  deleteEntry = (id: string, key: string) => this.write(`delete ${id}/${key}`);
  deleteExpiredEntries = async (id: string, keys: readonly string[]) => {
    await this.write(`expire ${id} ${keys.join(',')}`);
    return keys.length;
  };
  insertGeofence = (g: Geofence) => this.write(`insert ${g.id}`);
  deleteGeofence = (id: string) => this.write(`delete ${id}`);
}

const list = (id: string, over: Partial<Watchlist> = {}): Watchlist => ({
  id,
  name: id,
  kind: 'plate',
  priority: 50,
  legalBasis: 'test order',
  expiresAt: null,
  match: { ocrEquivalence: true, maxEdits: 0 },
  alertOnRead: true,
  cooldownSeconds: 60,
  createdAt: 0,
  createdBy: null,
  ...over,
});
const entry = (key: string, expiresAt: number | null = null): WatchEntry => ({ key, label: null, reference: null, expiresAt });

/** The list ids a plate read hits in the book's current snapshot. */
function hits(book: RuleBook, plate: string, now = 1000): string[] {
  const plates = book.snapshot.plates;
  return (matchPlate(plates.kernels, plate, now, [] as PlateMatch[]) ?? []).map((m) => plates.entry(m.entry).list.id);
}

describe('RuleBook', () => {
  it('compiles the stored rules at load, and each change into a new snapshot', async () => {
    const repo = new MemoryRules({ watchlists: [list('wl_a')], entries: new Map([['wl_a', [entry('01A123BC')]]]), geofences: [] });
    const book = await RuleBook.load(repo, () => [], 'Asia/Tashkent');
    expect(hits(book, '01A123BC')).toEqual(['wl_a']);
    const v1 = book.snapshot.version;

    await book.addWatchlist(list('wl_b'));
    await book.upsertEntries('wl_b', [entry('10B222CC')]);
    expect(book.snapshot.version).toBe(v1 + 2);
    expect(hits(book, '10B222CC')).toEqual(['wl_b']);
    expect(repo.writes).toEqual(['insert wl_b', 'upsert wl_b 1']);

    expect(await book.removeEntry('wl_b', '10B222CC')).toBe(true);
    expect(hits(book, '10B222CC')).toEqual([]);
    expect(await book.removeWatchlist('wl_a')).toBe(true);
    expect(hits(book, '01A123BC')).toEqual([]);
    expect(await book.removeWatchlist('wl_a')).toBe(false);
  });

  it('changes nothing when the repository fails to keep a change', async () => {
    const repo = new MemoryRules();
    const book = await RuleBook.load(repo, () => [], 'Asia/Tashkent');
    await book.addWatchlist(list('wl_a'));
    const before = book.snapshot;
    repo.failing = true;
    await expect(book.upsertEntries('wl_a', [entry('01A123BC')])).rejects.toThrow('disk full');
    await expect(book.addWatchlist(list('wl_b'))).rejects.toThrow('disk full');
    expect(book.snapshot).toBe(before);
    expect(book.watchlists().map((w) => [w.id, w.entries])).toEqual([['wl_a', 0]]);
  });

  it('turns edits on for a list, keeping its estimate', async () => {
    const book = await RuleBook.load(new MemoryRules(), () => [], 'Asia/Tashkent');
    await book.addWatchlist(list('wl_a'));
    await book.upsertEntries('wl_a', [entry('01A123BC')], 0);
    expect(hits(book, '01A124BC')).toEqual([]);
    await book.updatePlateMatch('wl_a', { ocrEquivalence: true, maxEdits: 1 }, 0.02);
    expect(hits(book, '01A124BC')).toEqual(['wl_a']);
    expect(book.watchlist('wl_a')).toMatchObject({ match: { maxEdits: 1 }, estimatedFuzzyHitRate: 0.02 });
  });

  it('removes what expired by a cutoff, and keeps the rest', async () => {
    const repo = new MemoryRules();
    const book = await RuleBook.load(repo, () => [], 'Asia/Tashkent');
    await book.addWatchlist(list('wl_old', { expiresAt: 500 }));
    await book.addWatchlist(list('wl_a'));
    await book.upsertEntries('wl_a', [entry('01A123BC', 900), entry('01A999ZZ')]);
    const removed = await book.removeExpired(1000);
    expect(removed).toEqual({ watchlists: [{ id: 'wl_old', entries: 0 }], entries: [{ watchlist: 'wl_a', keys: ['01A123BC'] }] });
    expect(book.entryKeys('wl_a')).toEqual(['01A999ZZ']);
    expect(repo.writes).toContain('expire wl_a 01A123BC');
  });
});
