/**
 * What every stream of a server shares: the lake, the product table and the bounded day caches.
 *
 * @module
 */
import type { Lake, ProductTable } from "@spymaster/sdk/lake";
import { DayCache, type DayCacheOptions } from "./day_cache.ts";
import { loadSnapDay, type SnapDay, snapDayBytes } from "./snap_day.ts";
import { encodeSurface, type SurfaceSchema } from "./arrow_frames.ts";

/** A loaded snapshot day and its frames, encoded once and shared by every client. */
export interface SnapEntry {
  /** The rows. */
  day: SnapDay;
  /** Encoded frames by schema, per window index (filled on first use). */
  frames: Map<SurfaceSchema, (Uint8Array | undefined)[]>;
}

/** The server's shared state. */
export class ServeContext {
  /** Snapshot days by `product_type/symbol/dt`. */
  readonly snaps: DayCache<SnapEntry>;

  /** A context over `lake` with the product table `products`. */
  constructor(
    readonly lake: Lake,
    readonly products: ProductTable,
    cache: DayCacheOptions = {},
  ) {
    this.snaps = new DayCache(cache);
  }

  /** The snapshot day of a symbol (loaded off the request path, cached, shared). */
  async snapDay(productType: string, symbol: string, dt: string): Promise<SnapEntry> {
    const key = `${productType}/${symbol}/${dt}`;
    return await this.snaps.get(key, async () => {
      const day = await loadSnapDay(this.lake, productType, symbol, dt);
      return { value: { day, frames: new Map() }, bytes: snapDayBytes(day) };
    });
  }

  /**
   * The frame of window `i` of a snapshot day under `schema`, built by `encode` on first use and
   * kept with the day (its bytes count against the cache budget).
   */
  snapFrame(
    entry: SnapEntry,
    schema: SurfaceSchema,
    i: number,
    columns: (i: number) => Parameters<typeof encodeSurface>[2],
  ): Uint8Array {
    let list = entry.frames.get(schema);
    if (!list) entry.frames.set(schema, list = new Array(entry.day.n));
    let bytes = list[i];
    if (!bytes) {
      bytes = list[i] = encodeSurface(schema, 1, columns(i));
      const d = entry.day;
      this.snaps.grow(`${d.productType}/${d.symbol}/${d.dt}`, bytes.length);
    }
    return bytes;
  }
}
