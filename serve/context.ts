/**
 * What every stream of a server shares: the lake, the product table and the bounded day caches.
 *
 * @module
 */
import type { Lake, ProductTable } from "@spymaster/sdk/lake";
import { DayCache, type DayCacheOptions } from "./day_cache.ts";
import { loadSnapDay, type SnapDay, snapDayBytes } from "./snap_day.ts";
import { encodeSurface, type SurfaceSchema } from "./arrow_frames.ts";
import { productForSymbol } from "@spymaster/sdk/lake";
import { StreamError } from "./session.ts";

/** The fitted forecast parameters the velocity stream needs. */
export interface ForecastParams {
  /** Force gain β. */
  beta: number;
  /** Velocity damping γ. */
  gamma: number;
}

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

  readonly #params = new Map<string, Promise<ForecastParams>>();

  /**
   * A context over `lake` with the product table `products`; `physicsParamsPath` overrides where
   * the forecast's β/γ are read (default: what `deno task physics fit` writes in the lake).
   */
  constructor(
    readonly lake: Lake,
    readonly products: ProductTable,
    cache: DayCacheOptions = {},
    readonly physicsParamsPath: string | null = null,
  ) {
    this.snaps = new DayCache(cache);
  }

  /**
   * β/γ for a futures contract: `physicsParamsPath` when given, else the lake's
   * `physics/product_type=future_mbo/symbol=<contract or root>/physics_beta_gamma.json`.
   */
  physicsParams(symbol: string): Promise<ForecastParams> {
    let p = this.#params.get(symbol);
    if (!p) {
      p = this.#loadParams(symbol);
      this.#params.set(symbol, p);
      p.catch(() => this.#params.delete(symbol));
    }
    return p;
  }

  async #loadParams(symbol: string): Promise<ForecastParams> {
    const root = productForSymbol(this.products, symbol).root;
    const rel = (s: string) =>
      `physics/product_type=future_mbo/symbol=${s}/physics_beta_gamma.json`;
    const candidates = this.physicsParamsPath
      ? [this.physicsParamsPath]
      : [`${this.lake.root}/${rel(symbol)}`, `${this.lake.root}/${rel(root)}`];
    for (const path of candidates) {
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) continue;
        throw e;
      }
      const shown = path.replace(this.lake.root, "<lake>");
      let v: { beta?: unknown; gamma?: unknown };
      try {
        v = JSON.parse(text);
      } catch {
        throw new StreamError(`physics parameters ${shown} are not JSON`);
      }
      const { beta, gamma } = v;
      if (
        typeof beta !== "number" || !(beta >= 0) || !Number.isFinite(beta) ||
        typeof gamma !== "number" || !(gamma >= 0 && gamma <= 1)
      ) {
        throw new StreamError(`physics parameters ${shown}: need beta >= 0 and gamma in [0, 1]`);
      }
      return { beta, gamma };
    }
    throw new StreamError(
      `surface 'forecast' needs fitted physics parameters (beta, gamma) for ${symbol}: none at ` +
        (this.physicsParamsPath
          ? this.physicsParamsPath
          : `<lake>/${rel(symbol)} or <lake>/${rel(root)}`) +
        ` (fit them: deno task physics fit --symbol ${root}; or leave out the forecast surface)`,
      1008,
    );
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
