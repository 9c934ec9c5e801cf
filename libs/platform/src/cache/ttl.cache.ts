/** A bounded in-process map whose entries expire; the oldest entry goes first when full. */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  /** Loads in flight, by key: callers who miss while one runs share it instead of querying again. */
  private readonly loading = new Map<string, Promise<V>>();
  /** Bumped by every removal, so a load that started before one does not store what it read. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly capacity: number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /**
   * The entry, or the result of `load` — run once however many callers miss at the same moment (when
   * a hot entry expires under load, one query instead of one per request in flight). The result is
   * stored only if `keep(value)` and nothing was removed from the cache while it loaded (a write that
   * invalidates mid-load must not be undone by the read that raced it). A failed load stores nothing.
   */
  getOrLoad(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    let pending = this.loading.get(key);
    if (pending) return pending;
    const startedAt = this.generation;
    pending = load().then(
      (value) => {
        if (this.loading.get(key) === pending) this.loading.delete(key);
        if (startedAt === this.generation && keep(value)) this.set(key, value);
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key) === pending) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, pending);
    return pending;
  }

  set(key: string, value: V, ttlMs = this.ttlMs): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, until: Date.now() + ttlMs });
  }

  delete(key: string): void {
    this.removed();
    this.entries.delete(key);
    this.loading.delete(key);
  }

  /** Drops every entry whose key starts with `prefix`. */
  deletePrefix(prefix: string): void {
    this.removed();
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
    for (const key of this.loading.keys()) if (key.startsWith(prefix)) this.loading.delete(key);
  }

  clear(): void {
    this.removed();
    this.entries.clear();
    this.loading.clear();
  }

  private removed(): void {
    this.generation += 1;
  }
}
