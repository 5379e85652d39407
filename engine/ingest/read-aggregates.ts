// Per-batch counts of reads per camera × minute × kind and per area × hour × kind. Stored as
// delta rows; queries sum them, so a batch never has to update earlier rows.

export interface AggregateCell {
  key: string;
  bucket: number;
  kind: string;
  count: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export class ReadAggregates {
  readonly cameraMinute = new Map<string, AggregateCell>();
  readonly areaHour = new Map<string, AggregateCell>();

  add(camera: string, area: string | null, kind: string, ts: number): void {
    bump(this.cameraMinute, camera, ts - (ts % MINUTE_MS), kind);
    // Hour buckets are UTC hours: they add up exactly to local days in a whole-hour zone such
    // as Asia/Tashkent; in a half-hour zone a local day's edges are off by that half hour.
    if (area !== null) bump(this.areaHour, area, ts - (ts % HOUR_MS), kind);
  }
}

function bump(cells: Map<string, AggregateCell>, key: string, bucket: number, kind: string) {
  const id = `${key}\u0000${bucket}\u0000${kind}`;
  const cell = cells.get(id);
  if (cell) cell.count++;
  else cells.set(id, { key, bucket, kind, count: 1 });
}
