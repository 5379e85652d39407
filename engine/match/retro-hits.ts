// Past-read matching, the pure part: new entries of one list against reads already stored.
// The same ReadMatcher as live matching decides (one hit per list and read, the list's
// priorities, its cooldown per entry, on event time); only the ids differ (`r…` for `d…`, so
// the same upload over the same window sends nothing twice) and the hits say `retro: true`.

import type { DecodedRead } from '../domain/detection.js';
import type { Placement } from '../geo/placement.js';
import { asRetro, type Hit } from './hit.js';
import { KeyedState } from './keyed-state.js';
import { matchPlate } from './match-kernels.js';
import type { PlateMatch } from './plate-matcher.js';
import { ReadMatcher, type MatchStateValue } from './read-matcher.js';
import { compileSnapshot, type MatchSnapshot } from './rule-book.js';
import type { Watchlist, WatchEntry } from './rules.js';

/** A snapshot holding only `entries` of `list`. */
export function retroSnapshot(list: Watchlist, entries: readonly WatchEntry[], plateFormats?: readonly string[]): MatchSnapshot {
  return compileSnapshot([list], new Map([[list.id, new Map(entries.map((e) => [e.key, e]))]]), [], [], 'UTC', 1, plateFormats);
}

/** Which of `plates` hit the snapshot's entries: the sightings worth reading. */
export function platesThatHit(snapshot: MatchSnapshot, plates: Iterable<string>, nowMs: number): string[] {
  const scratch: PlateMatch[] = [];
  const out: string[] = [];
  for (const plate of plates) if (matchPlate(snapshot.plates.kernels, plate, nowMs, scratch)) out.push(plate);
  return out;
}

/** The hits of `reads` (in event-time order) against the snapshot, as past-read hits. */
export function retroHits(snapshot: MatchSnapshot, reads: readonly DecodedRead[], placement: Placement, nowMs: number): Hit[] {
  const matcher = new ReadMatcher(placement, new KeyedState<MatchStateValue>());
  return matcher.match(reads, snapshot, nowMs).hits.map(asRetro);
}
