// Matching one batch of reads against a MatchSnapshot: watchlist hits (plates, faces) and
// geofence hits (enter, exit, inside, dwell), with cooldowns. Decisions depend only on the
// reads, their event times, the snapshot and the keyed state, so a batch replayed after a
// crash (state rolled back with it) decides exactly as before and yields the same hit ids.

import type { DecodedRead } from '../domain/detection.js';
import type { Placement } from '../geo/placement.js';
import { geofenceHitId, watchlistHitId, type Hit } from './hit.js';
import { precompute, type Precomputed } from './match-kernels.js';
import type { KeyedState } from './keyed-state.js';
import type { PlateMatch } from './plate-matcher.js';
import type { MatchSnapshot } from './rule-book.js';
import { hitPriority, type Geofence, type Watchlist, type WatchEntry } from './rules.js';

export interface FenceState {
  inside: boolean;
  /** Event time the subject was first read inside, while it stays inside. */
  since: number;
  dwellFired: boolean;
  lastHit: number | null;
}

export interface MatchStateValue {
  /** Watchlist cooldown: the event time of the entry's last hit. */
  lastHit?: number;
  /** A subject's state per geofence id. */
  fences?: Record<string, FenceState>;
  /**
   * With `fences`: the event time the subject was last read. Absent in states stored before
   * it existed (seenOf estimates it).
   */
  seen?: number;
}

export interface ReadMatcherOptions {
  /**
   * retention.detectionsDays in ms: a subject not read for this long (by event time) has no
   * fence state any more, whether or not a purge has deleted it yet. Default: for ever.
   */
  retentionMs?: number;
}

export interface MatchOutcome {
  hits: Hit[];
  /** Stream sequence of the read behind each hit (for publish → hit latency). */
  seqs: number[];
  suppressed: number;
}

interface Matched {
  list: Watchlist;
  entry: WatchEntry;
  type: PlateMatch['type'] | 'face';
  distance: number;
  score: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class ReadMatcher {
  private readonly retentionMs: number;

  constructor(
    private readonly placement: Placement,
    private readonly state: KeyedState<MatchStateValue>,
    opts: ReadMatcherOptions = {},
  ) {
    this.retentionMs = opts.retentionMs ?? Infinity;
  }

  /**
   * The event time a state's retention runs from, for a purge that deletes states retained
   * since before (clock − retention): a subject's last read, as the matcher itself expires it;
   * a cooldown's last hit, held on by as much as the longest cooldown (of any list or fence,
   * `longestCooldownMs`) outlasts the retention. Either way a deleted state is one that decides
   * nothing for a read at or after the purge's clock: the purge changes no decision.
   */
  retainedSince(value: MatchStateValue, longestCooldownMs: number): number {
    if (value.fences !== undefined) return seenOf(value);
    return (value.lastHit ?? Number.NaN) + Math.max(0, longestCooldownMs - this.retentionMs);
  }

  /**
   * `pre` carries the stateless matches when a worker computed them; without it they are
   * computed here, on the calling thread.
   */
  match(reads: readonly DecodedRead[], snap: MatchSnapshot, nowMs: number, pre?: Precomputed): MatchOutcome {
    const out: MatchOutcome = { hits: [], seqs: [], suppressed: 0 };
    const rules = snap.plates.size + snap.faces.entries.length + snap.fences.fences.length;
    if (rules === 0) return out;
    const emittedAt = iso(nowMs);
    const p = pre ?? precompute(reads, { plates: snap.plates.kernels, faces: snap.faces.matcher, fences: snap.fences.index }, nowMs);

    for (let i = 0; i < reads.length; i++) {
      const read = reads[i];
      const matched: Matched[] = [];
      for (const m of p.plates[i] ?? []) {
        const { list, entry } = snap.plates.entry(m.entry);
        const score = m.type === 'edit' ? 1 - m.distance / Math.max(entry.key.length, read.plate!.length) : 1;
        matched.push({ list, entry, type: m.type, distance: m.distance, score });
      }
      for (const m of p.faces[i] ?? []) {
        const { list, entry } = snap.faces.entries[m.entry];
        matched.push({ list, entry, type: 'face', distance: 0, score: m.score });
      }
      if (matched.length === 0 && snap.fences.fences.length === 0) continue;
      const pos = this.placement.positionOf(read.camera, read.lat, read.lon);
      for (const m of matched) {
        if (m.list.alertOnRead) this.watchlistHit(read, m, pos, emittedAt, out);
      }
      if (snap.fences.fences.length > 0 && pos) {
        const zones =
          read.lat !== undefined && read.lon !== undefined ? (p.zones[i] ?? []) : (snap.fences.cameraFences.get(read.camera) ?? []);
        this.fenceHits(read, matched, zones, pos, snap, emittedAt, out);
      }
    }
    return out;
  }

  // A cooldown needs no expiry of its own: past its cooldown a last hit suppresses nothing,
  // which is what an absent state does too.
  private watchlistHit(read: DecodedRead, m: Matched, pos: { lat: number; lon: number } | null, emittedAt: string, out: MatchOutcome) {
    const key = `w|${m.list.id}|${m.entry.key}`;
    const prev = this.state.get(key);
    if (prev?.lastHit !== undefined && read.ts >= prev.lastHit && read.ts - prev.lastHit < m.list.cooldownSeconds * 1000) {
      out.suppressed++;
      return;
    }
    this.state.set(key, { lastHit: read.ts });
    emit(out, read, {
      ...this.readPart(read, pos, emittedAt),
      id: watchlistHitId(read.seq, read.index, m.list.id),
      source: 'watchlist',
      priority: hitPriority(m.list, m.type),
      watchlist: { id: m.list.id, name: m.list.name },
      entry: { key: m.entry.key, label: m.entry.label, reference: m.entry.reference },
      match: { type: m.type, distance: m.distance, score: round(m.score) },
    });
  }

  private fenceHits(
    read: DecodedRead,
    matched: Matched[],
    zones: readonly number[],
    pos: { lat: number; lon: number },
    snap: MatchSnapshot,
    emittedAt: string,
    out: MatchOutcome,
  ) {
    const part = snap.fences;
    const subject = subjectOf(read, matched);
    const key = subject === null ? null : `s|${subject}`;
    const held = key === null ? undefined : this.live(this.state.get(key), read.ts);
    // Most reads are in no zone and their subject has no fence state: nothing can fire or change.
    if (zones.length === 0 && held === undefined) return;
    // A protection-order zone follows its respondent's plate exactly or by look-alikes, never
    // by edit: a neighbour's car one character away must not set it off.
    const onLists = new Set(matched.flatMap((m) => (m.type === 'edit' ? [] : [m.list.id])));
    const applies = (f: number) => {
      const fence = part.fences[f];
      if (fence.kinds && !fence.kinds.includes(read.kind)) return false;
      const lists = part.listSets[f];
      if (lists) {
        for (const id of onLists) if (lists.has(id)) return true;
        return false;
      }
      return true;
    };

    if (key === null) {
      // No identity to follow: only `inside` can fire, cooled down per camera.
      for (const f of zones) {
        const fence = part.fences[f];
        if (fence.trigger !== 'inside' || !applies(f) || !part.scheduled[f](read.ts)) continue;
        const key = `c|${fence.id}|${read.camera}`;
        const prev = this.state.get(key);
        if (this.cooling(prev?.lastHit ?? null, read.ts, fence)) out.suppressed++;
        else {
          this.state.set(key, { lastHit: read.ts });
          emit(out, read, this.fenceHit(read, fence, pos, emittedAt));
        }
      }
      return;
    }

    const before = held?.fences ?? {};
    const after: Record<string, FenceState> = {};
    const seen = new Set<number>();
    const candidates: number[] = [...zones];
    for (const id of Object.keys(before)) {
      const f = part.byId.get(id);
      if (f !== undefined) candidates.push(f); // a deleted fence's state is dropped
    }
    let changed = Object.keys(before).some((id) => !part.byId.has(id));
    for (const f of candidates) {
      if (seen.has(f)) continue;
      seen.add(f);
      const fence = part.fences[f];
      const prev = before[fence.id];
      if (!applies(f)) {
        if (prev) after[fence.id] = prev;
        continue;
      }
      const inside = zones.includes(f);
      const wasInside = prev?.inside === true;
      const since = inside ? (wasInside ? prev.since : read.ts) : 0;
      let fire = false;
      let dwellFired = inside && wasInside ? prev.dwellFired : false;
      switch (fence.trigger) {
        case 'enter':
          fire = inside && !wasInside;
          break;
        case 'exit':
          fire = !inside && wasInside;
          break;
        case 'inside':
          fire = inside;
          break;
        case 'dwell':
          fire = inside && !dwellFired && read.ts - since >= (fence.dwellSeconds ?? 0) * 1000;
          if (fire) dwellFired = true;
          break;
      }
      let lastHit = prev?.lastHit ?? null;
      if (fire && part.scheduled[f](read.ts)) {
        if (this.cooling(lastHit, read.ts, fence)) out.suppressed++;
        else {
          lastHit = read.ts;
          emit(out, read, this.fenceHit(read, fence, pos, emittedAt));
        }
      }
      const next: FenceState = { inside, since, dwellFired, lastHit };
      // Outside and past its cooldown, a fence state carries nothing worth keeping.
      const keep = inside || (lastHit !== null && read.ts - lastHit < fence.cooldownSeconds * 1000);
      if (keep) after[fence.id] = next;
      if (
        !prev ||
        !keep ||
        prev.inside !== next.inside ||
        prev.since !== next.since ||
        prev.dwellFired !== next.dwellFired ||
        prev.lastHit !== next.lastHit
      ) {
        changed = true;
      }
    }
    // Written when a zone changed, or to move `seen` on: what retention counts from.
    const prior = held === undefined ? Number.NaN : seenOf(held);
    const lastRead = prior > read.ts ? prior : read.ts; // an earlier read arriving late moves nothing
    if (!changed && (held === undefined || held.seen === lastRead)) return;
    if (Object.keys(after).length === 0) this.state.delete(key);
    else this.state.set(key, { fences: after, seen: lastRead });
  }

  /**
   * A subject's fence state as a read at `ts` sees it: absent once the subject has not been
   * read for the retention. Decided by event times alone (never by the clock, nor by whether
   * a purge has deleted it yet), so a replayed batch decides as the first time.
   */
  private live(value: MatchStateValue | undefined, ts: number): MatchStateValue | undefined {
    if (value?.fences === undefined) return undefined;
    // Written as a comparison that NaN (an unknown time) fails: such a state is kept.
    return ts - seenOf(value) >= this.retentionMs ? undefined : value;
  }

  private cooling(lastHit: number | null, ts: number, rule: { cooldownSeconds: number }): boolean {
    return lastHit !== null && ts >= lastHit && ts - lastHit < rule.cooldownSeconds * 1000;
  }

  private fenceHit(read: DecodedRead, fence: Geofence, pos: { lat: number; lon: number }, emittedAt: string): Hit {
    return {
      ...this.readPart(read, pos, emittedAt),
      id: geofenceHitId(read.seq, read.index, fence.id),
      source: 'geofence',
      priority: fence.priority,
      geofence: { id: fence.id, name: fence.name, trigger: fence.trigger },
    };
  }

  private readPart(read: DecodedRead, pos: { lat: number; lon: number } | null, emittedAt: string) {
    const part: Omit<Hit, 'id' | 'source' | 'priority'> = {
      ts: iso(read.ts),
      emittedAt,
      camera: read.camera,
      lat: pos?.lat ?? null,
      lon: pos?.lon ?? null,
      kind: read.kind,
    };
    if (read.id !== undefined) part.readId = read.id;
    if (read.plate !== undefined) part.plate = read.plate;
    if (read.attrs !== undefined) part.attrs = read.attrs;
    return part;
  }
}

/**
 * Whom a geofence follows: a plate read's plate; a face read's best-matching listed face.
 * Other reads (and unknown faces) carry no identity.
 */
function subjectOf(read: DecodedRead, matched: Matched[]): string | null {
  if (read.plate !== undefined) return `p:${read.plate}`;
  let best: Matched | null = null;
  for (const m of matched) if (m.type === 'face' && (!best || m.score > best.score)) best = m;
  return best ? `f:${best.list.id}:${best.entry.key}` : null;
}

/**
 * When a subject with fence state was last read. A state stored before `seen` existed: its
 * latest stay's start or hit, the latest read known of; NaN (never expires) without either.
 */
export function seenOf(value: MatchStateValue): number {
  if (value.seen !== undefined) return value.seen;
  const times = Object.values(value.fences ?? {}).flatMap((f) => [f.inside ? f.since : null, f.lastHit].filter((t) => t !== null));
  return times.length > 0 ? Math.max(...times) : Number.NaN;
}

function emit(out: MatchOutcome, read: DecodedRead, hit: Hit): void {
  out.hits.push(hit);
  out.seqs.push(read.seq);
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
