/**
 * The velocity stream's windows (serving.md §3): the window list is the day's silver snapshot
 * windows; each window carries the requested surfaces among `snap`, `velocity`, `options` and
 * `forecast` (all four by default, each always present, 0-row when the window has no rows).
 * `batch_start` carries the product's tick and grid, from `config/products.yaml` for any futures
 * root (the original fell back to ES values).
 *
 * `velocity` and `options` are the gold engines of `sdk/features` run live on the day's silver
 * (the batch gold stage is a loop over the same engines, so the numbers are the gold table's);
 * `forecast` is `sdk/physics`'s `ForecastEngine` with the fitted β/γ. The engines carry state
 * from the start of the day, so skipped windows are computed but not encoded.
 *
 * @module
 */
import { datasetSpec, extractRoot, listPartitions, productForSymbol } from "@spymaster/sdk/lake";
import {
  createSurfaceEngine,
  type FutureSurfaceBatch,
  type OptionSurfaceBatch,
  type SilverWindow,
  silverWindows,
  surfaceParams,
} from "@spymaster/sdk/features";
import {
  ForecastEngine,
  type ForecastRows,
  ForecastRowSink,
  latticeFor,
} from "@spymaster/sdk/physics";
import {
  encodeSurface,
  type SurfaceColumn,
  VELOCITY_FORECAST,
  VELOCITY_OPTIONS,
  VELOCITY_SNAP,
  VELOCITY_SURFACE,
} from "./arrow_frames.ts";
import type { ServeContext, SnapEntry } from "./context.ts";
import type { StreamParams } from "./params.ts";
import {
  StreamError,
  type StreamWindow,
  type SurfaceFrame,
  type WindowSource,
  type WindowStart,
} from "./session.ts";
import { type Col, firstAtOrAfter, pipelineHint, requirePartition } from "./snap_day.ts";

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

const FUTURE_FLOW = "silver.future_mbo.depth_and_flow_1s";
const OPTION_FLOW = "silver.future_option_mbo.depth_and_flow_1s";
/** Side names by ASCII code (65 `A`, 66 `B`), usable as a dictionary. */
const SIDE_VALUES: string[] = Array.from(
  { length: 67 },
  (_, c) => (c === 65 ? "A" : c === 66 ? "B" : ""),
);

/** The options silver of a contract on a date: the contract's own, else another of its root. */
async function optionsSymbolFor(
  ctx: ServeContext,
  symbol: string,
  dt: string,
): Promise<string | null> {
  const spec = datasetSpec(ctx.lake.config, OPTION_FLOW);
  const parts = await listPartitions(ctx.lake.root, spec, { start: dt, end: dt });
  const root = productForSymbol(ctx.products, symbol).root;
  const sameRoot = parts.filter((p) => {
    try {
      return extractRoot(p.symbol, ctx.products.products.keys()) === root;
    } catch {
      return false;
    }
  });
  return sameRoot.find((p) => p.symbol === symbol)?.symbol ?? sameRoot[0]?.symbol ?? null;
}

/** Builds the velocity source of a validated request (errors name the missing layer). */
export async function velocitySource(ctx: ServeContext, p: StreamParams): Promise<WindowSource> {
  const batchFields = velocityBatchFields(ctx, p.symbol);
  const want = new Set(p.surfaces);
  if (want.has("velocity") || want.has("forecast")) {
    await requirePartition(ctx.lake, FUTURE_FLOW, p.symbol, p.dt);
  }
  let optionsSymbol: string | null = null;
  if (want.has("options") || want.has("forecast")) {
    optionsSymbol = await optionsSymbolFor(ctx, p.symbol, p.dt);
    if (!optionsSymbol && want.has("options")) {
      const root = productForSymbol(ctx.products, p.symbol).root;
      throw new StreamError(
        `surface 'options' needs silver future_option_mbo depth_and_flow_1s of ${p.symbol} ` +
          `(or another ${root} contract) on ${p.dt}, which is not in the lake (build it: ` +
          `${pipelineHint("future_option_mbo", "silver", p.symbol, p.dt)}; or ask for ` +
          `surfaces=${p.surfaces.filter((s) => s !== "options").join(",")})`,
        1008,
      );
    }
  }
  const params = want.has("forecast") ? await ctx.physicsParams(p.symbol) : null;
  const entry = await ctx.snapDay("future_mbo", p.symbol, p.dt);
  return new VelocitySource(ctx, entry, batchFields, p, optionsSymbol, params);
}

/** Steps an engine through a silver day in order, handing out the rows of a requested window. */
class EngineCursor<B> {
  #it: AsyncIterator<SilverWindow>;
  #head: SilverWindow | null | undefined = undefined;
  constructor(it: AsyncIterable<SilverWindow>, readonly step: (w: SilverWindow) => B) {
    this.#it = it[Symbol.asyncIterator]();
  }

  /** Steps every window up to `ts`; the rows of window `ts` (views until the next call) or null. */
  async at(ts: bigint): Promise<B | null> {
    while (true) {
      if (this.#head === undefined) {
        const r = await this.#it.next();
        this.#head = r.done ? null : r.value;
      }
      const h = this.#head;
      if (h === null || h.window_end_ts_ns > ts) return null;
      this.#head = undefined;
      const rows = this.step(h);
      if (h.window_end_ts_ns === ts) return rows;
    }
  }

  async close(): Promise<void> {
    await this.#it.return?.();
  }
}

class VelocitySource implements WindowSource {
  readonly preamble: readonly Record<string, unknown>[] = [];
  readonly #want: Set<string>;

  constructor(
    readonly ctx: ServeContext,
    readonly entry: SnapEntry,
    readonly batchFields: Readonly<Record<string, unknown>>,
    readonly p: StreamParams,
    readonly optionsSymbol: string | null,
    readonly params: { beta: number; gamma: number } | null,
  ) {
    this.#want = new Set(p.surfaces);
  }

  async *windows(start: WindowStart): AsyncGenerator<StreamWindow> {
    const { ctx, p } = this;
    const d = this.entry.day;
    const first = "skip" in start
      ? Math.min(start.skip, d.n)
      : firstAtOrAfter(d.window_end_ts_ns, start.from);
    const want = this.#want;
    let fut: EngineCursor<FutureSurfaceBatch> | null = null;
    if (want.has("velocity") || want.has("forecast")) {
      const e = createSurfaceEngine(
        "future_mbo",
        surfaceParams(ctx.products, "future_mbo", p.symbol),
      );
      fut = new EngineCursor(
        silverWindows(ctx.lake, "future_mbo", p.symbol, p.dt),
        (w) => e.step(w),
      );
    }
    let opt: EngineCursor<OptionSurfaceBatch> | null = null;
    if (this.optionsSymbol && (want.has("options") || want.has("forecast"))) {
      const e = createSurfaceEngine(
        "future_option_mbo",
        surfaceParams(ctx.products, "future_option_mbo", this.optionsSymbol),
      );
      opt = new EngineCursor(
        silverWindows(ctx.lake, "future_option_mbo", this.optionsSymbol, p.dt),
        (w) => e.step(w),
      );
    }
    const forecast = this.params
      ? new ForecastEngine(latticeFor(ctx.products, "future_mbo", p.symbol), this.params)
      : null;
    try {
      for (let i = fut || opt ? 0 : first; i < d.n; i++) {
        const ts = d.window_end_ts_ns[i];
        const futRows = fut ? await fut.at(ts) : null;
        const optRows = opt ? await opt.at(ts) : null;
        let fc: ForecastRows | null = null;
        if (forecast && i >= first - 1 && futRows && futRows.length > 0) {
          fc = forecastRows(forecast, ts, futRows, optRows);
        }
        if (i < first) continue; // computed (the engines carry state), not sent
        const frames: SurfaceFrame[] = [];
        if (want.has("snap")) {
          const bytes = ctx.snapFrame(this.entry, VELOCITY_SNAP, i, (i) => ({
            window_end_ts_ns: d.window_end_ts_ns.subarray(i, i + 1),
            mid_price: row(d.mid_price, i),
            spot_ref_price_int: row(d.spot_ref_price_int, i),
            book_valid: row(d.book_valid, i),
          }));
          frames.push({ surface: "snap", bytes });
        }
        if (want.has("velocity")) {
          frames.push({ surface: "velocity", bytes: velocityFrame(futRows) });
        }
        if (want.has("options")) frames.push({ surface: "options", bytes: optionsFrame(optRows) });
        if (want.has("forecast")) frames.push({ surface: "forecast", bytes: forecastFrame(fc) });
        yield { window_end_ts_ns: ts, frames };
      }
    } finally {
      await fut?.close();
      await opt?.close();
    }
  }
}

/** The original's stream cut: rows beyond ±400 ticks are not streamed (serving.md §3.3). */
const MAX_STREAM_TICKS = 400;

/** The `velocity` frame of a window's gold rows (a 0-row frame for none). */
export function velocityFrame(b: FutureSurfaceBatch | null): Uint8Array {
  const n = b?.length ?? 0;
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (Math.abs(b!.rel_ticks[i]) <= MAX_STREAM_TICKS) idx.push(i);
  const m = idx.length;
  const take = <T extends Float64Array | BigInt64Array | Int32Array>(
    a: T | undefined,
    C: new (n: number) => T,
  ): T => {
    const out = new C(m);
    for (let j = 0; j < m; j++) out[j] = a![idx[j]];
    return out;
  };
  const f = (a: Float64Array | undefined) => take(a, Float64Array);
  return encodeSurface(VELOCITY_SURFACE, m, {
    window_end_ts_ns: take(b?.window_end_ts_ns, BigInt64Array),
    spot_ref_price_int: take(b?.spot_ref_price_int, BigInt64Array),
    rel_ticks: take(b?.rel_ticks, Int32Array),
    side: idx.map((i) => SIDE_VALUES[b!.side[i]]),
    liquidity_velocity: f(b?.liquidity_velocity),
    rho: f(b?.rho),
    nu: f(b?.nu),
    kappa: f(b?.kappa),
    pressure_grad: f(b?.pressure_grad),
    u_wave_energy: f(b?.u_wave_energy),
    Omega: f(b?.Omega),
  });
}

/**
 * The `options` frame: rows aggregated per strike offset, calls and puts, bids and asks collapsed
 * (serving.md §3.3): Σ liquidity_velocity, Σ pressure_grad_opt, Σ u_opt_wave_energy, Σ nu_opt,
 * max Omega_opt; sorted by `rel_ticks`.
 */
export function optionsFrame(b: OptionSurfaceBatch | null): Uint8Array {
  const n = b?.length ?? 0;
  const groups = new Map<number, number>();
  const keys: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = b!.rel_ticks[i];
    if (Math.abs(k) > MAX_STREAM_TICKS || groups.has(k)) continue;
    groups.set(k, 0);
    keys.push(k);
  }
  keys.sort((x, y) => x - y);
  keys.forEach((k, j) => groups.set(k, j));
  const m = keys.length;
  const out = {
    window_end_ts_ns: new BigInt64Array(m),
    spot_ref_price_int: new BigInt64Array(m),
    rel_ticks: Int32Array.from(keys),
    liquidity_velocity: new Float64Array(m),
    pressure_grad: new Float64Array(m),
    u_wave_energy: new Float64Array(m),
    nu: new Float64Array(m),
    Omega: new Float64Array(m).fill(-Infinity),
  };
  for (let i = 0; i < n; i++) {
    const j = groups.get(b!.rel_ticks[i]);
    if (j === undefined) continue;
    out.window_end_ts_ns[j] = b!.window_end_ts_ns[i];
    out.spot_ref_price_int[j] = b!.spot_ref_price_int[i];
    out.liquidity_velocity[j] += b!.liquidity_velocity[i];
    out.pressure_grad[j] += b!.pressure_grad_opt[i];
    out.u_wave_energy[j] += b!.u_opt_wave_energy[i];
    out.nu[j] += b!.nu_opt[i];
    out.Omega[j] = Math.max(out.Omega[j], b!.Omega_opt[i]);
  }
  return encodeSurface(VELOCITY_OPTIONS, m, out);
}

/** Steps the forecast engine on a window's gold rows; the window's forecast rows. */
export function forecastRows(
  engine: ForecastEngine,
  ts: bigint,
  b: FutureSurfaceBatch,
  o: OptionSurfaceBatch | null,
): ForecastRows {
  const n = b.length;
  const w = engine.push(
    {
      window_end_ts_ns: b.window_end_ts_ns.subarray(0, n),
      spot_ref_price_int: b.spot_ref_price_int.subarray(0, n),
      rel_ticks: b.rel_ticks.subarray(0, n),
      side: { codes: b.side.subarray(0, n), values: SIDE_VALUES },
      pressure_grad: b.pressure_grad.subarray(0, n),
      u_near: b.u_near.subarray(0, n),
      u_p_slow: b.u_p_slow.subarray(0, n),
      Omega: b.Omega.subarray(0, n),
    },
    o && o.length
      ? {
        window_end_ts_ns: o.window_end_ts_ns.subarray(0, o.length),
        rel_ticks: o.rel_ticks.subarray(0, o.length),
        Omega_opt: o.Omega_opt.subarray(0, o.length),
      }
      : null,
  );
  const sink = new ForecastRowSink(w.horizon + 1);
  sink.push(ts, w);
  return sink.toColumns();
}

/** The `forecast` frame of a window (a 0-row frame for none). */
export function forecastFrame(fc: ForecastRows | null): Uint8Array {
  if (!fc) {
    const empty: Record<string, SurfaceColumn> = {};
    for (const [name, t] of VELOCITY_FORECAST) {
      empty[name] = t === "int64"
        ? new BigInt64Array(0)
        : t === "int32"
        ? new Int32Array(0)
        : new Float64Array(0);
    }
    return encodeSurface(VELOCITY_FORECAST, 0, empty);
  }
  return encodeSurface(
    VELOCITY_FORECAST,
    fc.horizon_s.length,
    fc as unknown as Record<string, SurfaceColumn>,
  );
}

/**
 * Velocity surfaces this build can serve for a day of `productType`, given which tables are
 * complete (`present(layer, table, productType?)`). `forecast` also needs fitted parameters.
 */
export function velocitySurfacesFor(
  productType: string,
  present: (layer: string, table: string, productType?: string) => boolean,
): string[] {
  if (productType !== "future_mbo" || !present("silver", "book_snapshot_1s")) return [];
  const out = ["snap"];
  if (present("silver", "depth_and_flow_1s")) out.push("velocity");
  if (present("silver", "depth_and_flow_1s", "future_option_mbo")) out.push("options");
  if (present("silver", "depth_and_flow_1s")) out.push("forecast");
  return out;
}
