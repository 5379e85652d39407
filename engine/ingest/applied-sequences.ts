// The set of JetStream stream sequences already applied to the store, kept as sorted,
// disjoint ranges. It is committed in the same DuckDB transaction as the data, so after a
// crash a redelivered message is recognised and skipped: each accepted message counts once,
// whatever order redeliveries arrive in.

export type SeqRange = readonly [from: number, to: number];

export class AppliedSequences {
  private constructor(private ranges: Array<[number, number]>) {}

  static empty(): AppliedSequences {
    return new AppliedSequences([]);
  }

  static fromRanges(ranges: Iterable<SeqRange>): AppliedSequences {
    const set = new AppliedSequences([]);
    for (const [from, to] of ranges) set.addRange(from, to);
    return set;
  }

  clone(): AppliedSequences {
    return new AppliedSequences(this.ranges.map(([a, b]) => [a, b]));
  }

  toRanges(): SeqRange[] {
    return this.ranges.map(([a, b]) => [a, b] as const);
  }

  get size(): number {
    return this.ranges.length;
  }

  has(seq: number): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.ranges[mid];
      if (seq < a) hi = mid - 1;
      else if (seq > b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  add(seq: number): void {
    this.addRange(seq, seq);
  }

  /** Adds [from, to], merging with overlapping or adjacent ranges. */
  addRange(from: number, to: number): void {
    if (to < from) return;
    const r = this.ranges;
    // Fast path: in-order delivery extends the last range.
    const last = r[r.length - 1];
    if (last && from >= last[0] && from <= last[1] + 1) {
      if (to > last[1]) last[1] = to;
      return;
    }
    let i = 0;
    while (i < r.length && r[i][1] < from - 1) i++;
    let j = i;
    let lo = from;
    let hi = to;
    while (j < r.length && r[j][0] <= to + 1) {
      lo = Math.min(lo, r[j][0]);
      hi = Math.max(hi, r[j][1]);
      j++;
    }
    r.splice(i, j - i, [lo, hi]);
  }

  /**
   * The first sequence a consumer must start from so nothing unapplied is missed.
   * `streamFirst` is the stream's oldest stored sequence.
   */
  firstUnapplied(streamFirst: number): number {
    let seq = Math.max(1, streamFirst);
    for (const [from, to] of this.ranges) {
      if (to < seq) continue; // below the stream's start: those messages are gone anyway
      if (from > seq) break;
      seq = to + 1;
    }
    return seq;
  }

  /**
   * Everything up to `floor` is known settled (the consumer's ack floor: every message at or
   * below it was applied, or never existed). Collapse the holes below it into one range.
   */
  settleUpTo(floor: number): void {
    if (floor <= 0) return;
    const r = this.ranges;
    let i = 0;
    while (i < r.length && r[i][0] <= floor + 1) i++;
    if (i === 0) {
      r.unshift([1, floor]);
      return;
    }
    const hi = Math.max(floor, r[i - 1][1]);
    r.splice(0, i, [1, hi]);
  }
}
