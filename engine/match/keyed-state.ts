// Per-key state of the matching rules (a subject's geofence states, an entry's last hit),
// changed batch by batch. Ingest is a two-stage pipeline (match, then store), so the state has
// three layers: what is committed to the store (base); what matched batches changed but the
// store has not committed yet (staged, oldest first); and what the open batch is changing
// (overlay). A batch that must be matched again drops only its overlay; the store commits
// staged layers in order.

export class KeyedState<V> {
  private readonly base = new Map<string, V>();
  private readonly staged: Array<Map<string, V | null>> = [];
  private overlay = new Map<string, V | null>();

  static from<V>(entries: Iterable<readonly [string, V]>): KeyedState<V> {
    const s = new KeyedState<V>();
    for (const [k, v] of entries) s.base.set(k, v);
    return s;
  }

  /** Keys committed to the store. */
  get size(): number {
    return this.base.size;
  }

  get(key: string): V | undefined {
    const o = this.overlay.get(key);
    if (o !== undefined) return o ?? undefined;
    for (let i = this.staged.length - 1; i >= 0; i--) {
      const s = this.staged[i].get(key);
      if (s !== undefined) return s ?? undefined;
    }
    return this.base.get(key);
  }

  set(key: string, value: V): void {
    this.overlay.set(key, value);
  }

  delete(key: string): void {
    this.overlay.set(key, null);
  }

  /**
   * Deletes, as changes of the open batch, every key whose freshest event time (as `freshest`
   * reads it from the key's current value) is before `cutoff`; returns how many. Through the
   * overlay, so the deletions reach the store with the batch's commit and a rollback undoes them.
   */
  expireBefore(cutoff: number, freshest: (value: V, key: string) => number): number {
    let dropped = 0;
    const expire = (key: string) => {
      const value = this.get(key);
      // A value without a time (NaN) is kept: deleting is the step that cannot be undone.
      if (value === undefined || !(freshest(value, key) < cutoff)) return;
      this.overlay.set(key, null);
      dropped++;
    };
    // The base holds nearly every key: walked in place rather than copied into a key set.
    for (const key of this.base.keys()) expire(key);
    for (const key of this.unstoredKeys()) if (!this.base.has(key)) expire(key);
    return dropped;
  }

  /** Keys the staged layers and the overlay change, each once (a copy: expiry adds to the overlay). */
  private unstoredKeys(): Set<string> {
    const keys = new Set<string>();
    for (const layer of this.staged) for (const key of layer.keys()) keys.add(key);
    for (const key of this.overlay.keys()) keys.add(key);
    return keys;
  }

  /** The open batch's changes so far (null for keys to delete), for a store to commit before `commit()`. */
  pending(): ReadonlyMap<string, V | null> {
    return this.overlay;
  }

  /**
   * Closes the open batch: its changes (values to write, null for keys to delete) become a
   * staged layer that later batches read through, and are returned for the store to write.
   */
  stage(): ReadonlyMap<string, V | null> {
    const changes = this.overlay;
    this.staged.push(changes);
    this.overlay = new Map();
    return changes;
  }

  /** The store committed the oldest staged layer: fold it into the base. */
  commitStaged(): void {
    const changes = this.staged.shift();
    if (!changes) throw new Error('no staged state to commit');
    for (const [k, v] of changes) {
      if (v === null) this.base.delete(k);
      else this.base.set(k, v);
    }
  }

  /** Stages and commits the open batch at once (no store in between). */
  commit(): void {
    this.stage();
    this.commitStaged();
  }

  /** Drops the open batch's changes; staged layers stay. */
  rollback(): void {
    this.overlay = new Map();
  }
}
