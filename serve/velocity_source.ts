/**
 * The velocity stream's windows (serving.md §3): the window list is the day's silver snapshot
 * windows; each window carries the requested surfaces among `snap`, `velocity`, `options` and
 * `forecast` (all four by default, each always present, 0-row when the window has no rows).
 * `batch_start` carries the product's tick and grid, from `config/products.yaml` for any futures
 * root (the original fell back to ES values).
 *
 * @module
 */
import { datasetSpec, productForSymbol } from "@spymaster/sdk/lake";
import { VELOCITY_SNAP } from "./arrow_frames.ts";
import type { ServeContext, SnapEntry } from "./context.ts";
import type { StreamParams } from "./params.ts";
import { StreamError, type StreamWindow, type WindowSource, type WindowStart } from "./session.ts";
import { type Col, firstAtOrAfter, requirePartition } from "./snap_day.ts";

/** One row of a column, keeping its validity. */
export function row<T extends BigInt64Array | Float64Array | Uint8Array>(
  c: Col<T>,
  i: number,
): { data: T; valid: Uint8Array | null } {
  return { data: c.data.subarray(i, i + 1) as T, valid: c.valid?.subarray(i, i + 1) ?? null };
}

/** Product fields of every velocity `batch_start`. */
export function velocityBatchFields(ctx: ServeContext, symbol: string): Record<string, number> {
  const p = productForSymbol(ctx.products, symbol);
  return {
    tick_size: p.tick_size,
    tick_int: p.tick_int,
    strike_ticks: p.strike_ticks,
    grid_max_ticks: p.grid_max_ticks,
  };
}

/** The layers a velocity surface is computed from, and whether this build can compute it. */
const SURFACE_INPUTS: Record<string, { dataset: string; engine?: string }> = {
  velocity: { dataset: "gold.future_mbo.physics_surface_1s" },
  options: { dataset: "gold.future_option_mbo.physics_surface_1s" },
  forecast: {
    dataset: "gold.future_mbo.physics_surface_1s",
    engine: "the physics forecast engine (sdk/physics)",
  },
};

/** Builds the velocity source of a validated request (loads the day; errors name the layer). */
export async function velocitySource(ctx: ServeContext, p: StreamParams): Promise<WindowSource> {
  const batchFields = velocityBatchFields(ctx, p.symbol);
  for (const s of p.surfaces) {
    const need = SURFACE_INPUTS[s];
    if (!need) continue;
    if (need.engine) {
      throw new StreamError(
        `surface '${s}' needs ${need.engine}, which this server build does not include; ` +
          `request surfaces=${p.surfaces.filter((x) => !SURFACE_INPUTS[x]?.engine).join(",")}`,
        1008,
      );
    }
    datasetSpec(ctx.lake.config, need.dataset);
    await requirePartition(ctx.lake, need.dataset, p.symbol, p.dt);
    throw new StreamError(
      `surface '${s}' (${need.dataset}) cannot be streamed by this server build yet`,
      1008,
    );
  }
  const entry = await ctx.snapDay("future_mbo", p.symbol, p.dt);
  return new VelocitySource(ctx, entry, batchFields);
}

class VelocitySource implements WindowSource {
  readonly preamble: readonly Record<string, unknown>[] = [];
  constructor(
    readonly ctx: ServeContext,
    readonly entry: SnapEntry,
    readonly batchFields: Readonly<Record<string, unknown>>,
  ) {}

  async *windows(start: WindowStart): AsyncGenerator<StreamWindow> {
    const d = this.entry.day;
    const first = "skip" in start
      ? Math.min(start.skip, d.n)
      : firstAtOrAfter(d.window_end_ts_ns, start.from);
    for (let i = first; i < d.n; i++) {
      const bytes = this.ctx.snapFrame(this.entry, VELOCITY_SNAP, i, (i) => ({
        window_end_ts_ns: d.window_end_ts_ns.subarray(i, i + 1),
        mid_price: row(d.mid_price, i),
        spot_ref_price_int: row(d.spot_ref_price_int, i),
        book_valid: row(d.book_valid, i),
      }));
      yield { window_end_ts_ns: d.window_end_ts_ns[i], frames: [{ surface: "snap", bytes }] };
    }
  }
}

/**
 * Velocity surfaces this build can serve for a day of `productType`, given which tables are
 * complete (`present(layer, table, productType?)`).
 */
export function velocitySurfacesFor(
  productType: string,
  present: (layer: string, table: string, productType?: string) => boolean,
): string[] {
  if (productType !== "future_mbo" || !present("silver", "book_snapshot_1s")) return [];
  return ["snap"];
}
