/**
 * A small in-process cache of values read from the store, each kept for `ttlMs` (another process
 * sharing the database may change them: they are seen within that time) and emptied whole when it
 * holds `max` entries. Services clear it after their own writes commit.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get(key: string, t = Date.now()): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > t ? hit.value : undefined;
  }

  set(key: string, value: V, t = Date.now()): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: t + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
