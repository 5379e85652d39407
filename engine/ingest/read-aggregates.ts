// Per-batch counts of reads per camera × minute × kind and per area × hour × kind. Stored as
// delta rows; queries sum them, so a batch never has to update earlier rows.
//
// Cells are found through nested maps (bucket → kind → key) rather than one map on a joined
// string key: a batch has few buckets and kinds, and this saves a string per read (it was ~5 %
// of ingest CPU).

export interface AggregateCell {
  key: string;
  bucket: number;
  kind: string;
  count: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

class CellCounts {
  private readonly byBucket = new Map<number, Map<string, Map<string, AggregateCell>>>();

  bump(key: string, bucket: number, kind: string): void {
    let byKind = this.byBucket.get(bucket);
    if (!byKind) this.byBucket.set(bucket, (byKind = new Map()));
    let byKey = byKind.get(kind);
    if (!byKey) byKind.set(kind, (byKey = new Map()));
    const cell = byKey.get(key);
    if (cell) cell.count++;
    else byKey.set(key, { key, bucket, kind, count: 1 });
  }

  cells(): AggregateCell[] {
    const out: AggregateCell[] = [];
    for (const byKind of this.byBucket.values()) for (const byKey of byKind.values()) for (const c of byKey.values()) out.push(c);
    return out;
  }
}

export class ReadAggregates {
  readonly cameraMinute = new CellCounts();
  readonly areaHour = new CellCounts();

  add(camera: string, area: string | null, kind: string, ts: number): void {
    this.cameraMinute.bump(camera, ts - (ts % MINUTE_MS), kind);
    // Hour buckets are UTC hours: they add up exactly to local days in a whole-hour zone such
    // as Asia/Tashkent; in a half-hour zone a local day's edges are off by that half hour.
    if (area !== null) this.areaHour.bump(area, ts - (ts % HOUR_MS), kind);
  }
}
