// A least-recently-used cache capped in bytes, that also shares one in-flight computation among
// concurrent callers (ten viewers asking for the same tile decode it once).

export class ByteLruCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private readonly pending = new Map<string, Promise<V>>();
  private total = 0;

  constructor(
    readonly capacityBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get bytes(): number {
    return this.total;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    const bytes = this.sizeOf(value);
    const old = this.entries.get(key);
    if (old) {
      this.total -= old.bytes;
      this.entries.delete(key);
    }
    if (bytes > this.capacityBytes) return;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [k, entry] of this.entries) {
      if (this.total <= this.capacityBytes) break;
      this.entries.delete(k);
      this.total -= entry.bytes;
    }
  }

  /** The cached value, or compute() once for all concurrent callers and cache its result. */
  getOrCompute(key: string, compute: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    let running = this.pending.get(key);
    if (!running) {
      running = compute().then(
        (value) => {
          this.pending.delete(key);
          this.set(key, value);
          return value;
        },
        (error: unknown) => {
          this.pending.delete(key);
          throw error;
        },
      );
      this.pending.set(key, running);
    }
    return running;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}
