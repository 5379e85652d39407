// The dispatch board's state: hits from the stream and the backlog merged by id, acks from any
// desk, and the order a dispatcher works in. Pure (no DOM), so it is unit-tested, and cheap
// enough to run on every batch at 100 hits/s: a few thousand hits kept, the rows capped.

import { type Ack, type AckEvent, type Hit, isPanic } from './hit.js';

export interface BoardLimits {
  /** Open (unacknowledged) rows shown at most. */
  open: number;
  /** Recently decided rows shown below them. */
  decided: number;
  /** Hits kept in memory; past it the oldest decided, then the oldest open, are forgotten. */
  keep: number;
}

export const DEFAULT_LIMITS: BoardLimits = { open: 500, decided: 50, keep: 5000 };

export interface BoardHit extends Hit {
  tsMs: number;
  ack: Ack | null;
}

export interface BoardRows {
  open: BoardHit[];
  decided: BoardHit[];
  /** Open hits not shown (past `open`). */
  hiddenOpen: number;
}

/** A later decision replaces an earlier one; equal times keep the first seen. */
function later(a: Ack | null | undefined, b: Ack | null | undefined): Ack | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return Date.parse(b.at) > Date.parse(a.at) ? b : a;
}

/** Panic alarms first, then priority (high first), then time (newest first); id breaks ties. */
export function workOrder(a: BoardHit, b: BoardHit): number {
  const panic = Number(isPanic(b)) - Number(isPanic(a));
  if (panic !== 0) return panic;
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.tsMs !== b.tsMs) return b.tsMs - a.tsMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export class HitBoard {
  private readonly hits = new Map<string, BoardHit>();
  /** Acks of hits not seen yet (an ack event can overtake the backlog), bounded. */
  private readonly early = new Map<string, Ack>();

  constructor(private readonly limits: BoardLimits = DEFAULT_LIMITS) {}

  get size(): number {
    return this.hits.size;
  }

  get(id: string): BoardHit | undefined {
    return this.hits.get(id);
  }

  /**
   * Adds hits (from the stream or the backlog), each once: a hit seen again keeps the later of
   * the two acks. Returns the hits that were new.
   */
  add(hits: readonly Hit[]): BoardHit[] {
    const added: BoardHit[] = [];
    for (const hit of hits) {
      const known = this.hits.get(hit.id);
      if (known) {
        known.ack = later(known.ack, hit.ack);
        continue;
      }
      const tsMs = Date.parse(hit.ts);
      const entry: BoardHit = { ...hit, tsMs: Number.isNaN(tsMs) ? 0 : tsMs, ack: later(hit.ack, this.early.get(hit.id)) };
      this.early.delete(hit.id);
      this.hits.set(hit.id, entry);
      added.push(entry);
    }
    if (this.hits.size > this.limits.keep * 1.1) this.forget();
    return added;
  }

  /** Records a decision made at any desk. */
  ack(event: AckEvent): void {
    const { hit: id, ...ack } = event;
    const known = this.hits.get(id);
    if (known) {
      known.ack = later(known.ack, ack);
      return;
    }
    this.early.set(id, later(this.early.get(id), ack)!);
    if (this.early.size > this.limits.keep) this.early.delete(this.early.keys().next().value!);
  }

  rows(): BoardRows {
    const open: BoardHit[] = [];
    const decided: BoardHit[] = [];
    for (const h of this.hits.values()) (h.ack ? decided : open).push(h);
    open.sort(workOrder);
    const decidedAt = new Map(decided.map((h) => [h, Date.parse(h.ack!.at)]));
    decided.sort((a, b) => decidedAt.get(b)! - decidedAt.get(a)! || workOrder(a, b));
    return {
      open: open.slice(0, this.limits.open),
      decided: decided.slice(0, this.limits.decided),
      hiddenOpen: Math.max(0, open.length - this.limits.open),
    };
  }

  /** Back to `keep` hits: the oldest decided go first, then the oldest open, panic alarms last. */
  private forget(): void {
    const all = [...this.hits.values()].sort(
      (a, b) => Number(!b.ack) - Number(!a.ack) || Number(isPanic(b)) - Number(isPanic(a)) || b.tsMs - a.tsMs,
    );
    for (const h of all.slice(this.limits.keep)) this.hits.delete(h.id);
  }
}
