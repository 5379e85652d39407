// Per-key state of the matching rules (a subject's geofence states, an entry's last hit),
// changed batch by batch: a batch works on an overlay that is merged only when its
// transaction commits, so a failed commit leaves the state as it was.

export class KeyedState<V> {
  private readonly base = new Map<string, V>();
  private overlay = new Map<string, V | null>();

  static from<V>(entries: Iterable<readonly [string, V]>): KeyedState<V> {
    const s = new KeyedState<V>();
    for (const [k, v] of entries) s.base.set(k, v);
    return s;
  }

  get size(): number {
    return this.base.size;
  }

  get(key: string): V | undefined {
    const o = this.overlay.get(key);
    if (o !== undefined) return o ?? undefined;
    return this.base.get(key);
  }

  set(key: string, value: V): void {
    this.overlay.set(key, value);
  }

  delete(key: string): void {
    this.overlay.set(key, null);
  }

  /** What the open batch changed: values to write, null for keys to delete. */
  changes(): ReadonlyMap<string, V | null> {
    return this.overlay;
  }

  commit(): void {
    for (const [k, v] of this.overlay) {
      if (v === null) this.base.delete(k);
      else this.base.set(k, v);
    }
    this.overlay = new Map();
  }

  rollback(): void {
    this.overlay = new Map();
  }
}
