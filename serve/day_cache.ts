/**
 * A bounded cache of loaded days shared by every stream: least recently used entries are evicted
 * when the count or the byte budget is exceeded, concurrent requests for a key share one load,
 * and failed loads are not kept (the original kept every day it ever loaded, forever).
 *
 * @module
 */

/** A cached value and the bytes it holds (may grow: see {@linkcode DayCache.grow}). */
export interface Sized<V> {
  /** The value. */
  value: V;
  /** Bytes held by the value. */
  bytes: number;
}

/** Limits of a {@linkcode DayCache}. */
export interface DayCacheOptions {
  /** Most entries kept (default 16). */
  maxEntries?: number;
  /** Most bytes kept, summed over entries (default 512 MiB). */
  maxBytes?: number;
}

/** LRU cache of loaded days keyed by a string. */
export class DayCache<V> {
  #entries = new Map<string, Sized<V>>();
  #loading = new Map<string, Promise<Sized<V>>>();
  #bytes = 0;
  readonly #maxEntries: number;
  readonly #maxBytes: number;

  /** An empty cache with the given limits. */
  constructor(options: DayCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 16;
    this.#maxBytes = options.maxBytes ?? 512 * 2 ** 20;
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The value of `key`, loading it with `load` (once, however many callers wait) when absent. */
  async get(key: string, load: () => Promise<Sized<V>>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.value;
    }
    let p = this.#loading.get(key);
    if (!p) {
      p = load();
      this.#loading.set(key, p);
      p.then((e) => {
        this.#loading.delete(key);
        this.#entries.set(key, e);
        this.#bytes += e.bytes;
        this.#evict(key);
      }, () => this.#loading.delete(key));
    }
    return (await p).value;
  }

  /** Records that the entry of `key` now holds `bytes` more (e.g. frames encoded on demand). */
  grow(key: string, bytes: number): void {
    const e = this.#entries.get(key);
    if (!e) return;
    e.bytes += bytes;
    this.#bytes += bytes;
    this.#evict(key);
  }

  #evict(keep: string): void {
    for (const [k, e] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      if (k === keep) continue;
      this.#entries.delete(k);
      this.#bytes -= e.bytes;
    }
  }
}
