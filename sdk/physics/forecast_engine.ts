/**
 * The forecast engine: gold rows → per-window fields on the lattice → forecast rows in the
 * `forecast_1s` stream contract (`contracts/stream/forecast_1s.avsc`). One implementation serves
 * both paths: {@linkcode forecastBatch} groups a whole table by window and feeds the same
 * {@linkcode ForecastEngine} that a stream feeds one window at a time.
 *
 * @module
 */
import { type DictColumn, int64Words, type NullableColumn } from "../lake/columns.ts";
import {
  FieldScratch,
  forecastWindow,
  type Neighbourhood,
  newWindowFields,
  type WindowFields,
  WindowForecast,
} from "./forecast_math.ts";
import type { Lattice } from "./lattice.ts";

/** One second in ns: the window length. */
export const WINDOW_NS = 1_000_000_000n;

/** A string column as given by the lake reader (dictionary-coded) or as plain strings. */
export type StringColumn = DictColumn | readonly string[];

/**
 * Rows of a gold `physics_surface_1s` table (future_mbo or equity_mbo), columnar. Field columns
 * a product's gold does not have (equity gold has no `pressure_grad`, `u_near`, `u_p_slow`,
 * `Omega`) are omitted and read as 0, as in the original (pipeline.md §5.1).
 */
export interface SurfaceColumns {
  /** Window end, ns. Rows of one window are contiguous and windows ascend. */
  window_end_ts_ns: BigInt64Array;
  /** Spot reference of the row's window (1e-9 units). */
  spot_ref_price_int: BigInt64Array;
  /** Position on the lattice. */
  rel_ticks: Int32Array;
  /** `"A"` or `"B"`. */
  side: StringColumn;
  /** Optional field columns. */
  pressure_grad?: Float64Array;
  /** Near-smoothed liquidity velocity. */
  u_near?: Float64Array;
  /** Slow resting pressure. */
  u_p_slow?: Float64Array;
  /** Obstacle field. */
  Omega?: Float64Array;
}

/** Rows of the same root's options gold (`future_option_mbo`), columnar; windows ascend. */
export interface OptionColumns {
  /** Window end, ns. */
  window_end_ts_ns: BigInt64Array;
  /** Strike position on the underlying's lattice. */
  rel_ticks: Int32Array;
  /** Options obstacle field. */
  Omega_opt: Float64Array;
}

/** The forecast rows of the stream contract, columnar (nullable columns with validity bytes). */
export interface ForecastRows {
  /** Window end, ns. */
  window_end_ts_ns: BigInt64Array;
  /** 0 = diagnostics row, 1..H = forecasts. */
  horizon_s: Int32Array;
  /** Predicted spot in lattice units (null on diagnostics rows). */
  predicted_spot_tick: Nullable<BigInt64Array>;
  /** Predicted displacement (null on diagnostics rows). */
  predicted_tick_delta: Nullable<BigInt64Array>;
  /** Confidence (null on diagnostics rows). */
  confidence: Nullable<Float64Array>;
  /** Upward run score (diagnostics row only). */
  RunScore_up: Nullable<Float64Array>;
  /** Downward run score (diagnostics row only). */
  RunScore_down: Nullable<Float64Array>;
  /** Distance to the upward obstacle (diagnostics row only). */
  D_up: Nullable<Int32Array>;
  /** Distance to the downward obstacle (diagnostics row only). */
  D_down: Nullable<Int32Array>;
}

/** A typed {@linkcode NullableColumn}: row `i` is null when `valid[i] === 0`. */
export interface Nullable<T extends BigInt64Array | Float64Array | Int32Array>
  extends NullableColumn {
  /** Values (0 at null rows). */
  data: T;
}

/** Options of the engine. */
export interface EngineOptions {
  /** Force gain β. */
  beta: number;
  /** Velocity damping γ. */
  gamma: number;
  /** Horizons 1..horizon (default 30). */
  horizon?: number;
  /** Window spacing that counts as consecutive for the initial velocity (default 1 s). */
  windowNs?: bigint;
  /** See {@linkcode Neighbourhood}. */
  neighbourhood?: Neighbourhood;
}

/** Codes (0 = bid, 1 = ask, 2 = other) of a side column. */
function sideCodes(col: StringColumn, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const code = (s: string) => s === "B" ? 0 : s === "A" ? 1 : 2;
  if (Array.isArray(col)) {
    for (let i = 0; i < n; i++) out[i] = code((col as readonly string[])[i]);
  } else {
    const d = col as DictColumn, map = d.values.map(code);
    for (let i = 0; i < n; i++) out[i] = map[d.codes[i]];
  }
  return out;
}

const FIELD_COLUMNS = ["pressure_grad", "u_near", "u_p_slow", "Omega"] as const;

/**
 * Accumulates the rows of one window into {@linkcode WindowFields}: per side, the mean of each
 * column by position (0 where absent), directional arrays (ask for x > 0, bid for x < 0, 0 at 0),
 * and `Σ Omega_opt` per position over the option rows. Rows outside the lattice are ignored.
 */
export class WindowFieldBuilder {
  /** The fields being built (valid after {@linkcode finish}). */
  readonly fields: WindowFields;
  readonly #sum: Float64Array[]; // [column][side·n + index]
  readonly #count: Float64Array;
  readonly #n: number;
  #options = false;

  /** A builder for a lattice of half-width `gridMax`. */
  constructor(gridMax: number) {
    this.fields = newWindowFields(gridMax, true);
    this.#n = 2 * gridMax + 1;
    this.#sum = FIELD_COLUMNS.map(() => new Float64Array(2 * this.#n));
    this.#count = new Float64Array(2 * this.#n);
  }

  /** Clears the accumulators for the next window. */
  reset(): void {
    for (const s of this.#sum) s.fill(0);
    this.#count.fill(0);
    this.fields.omegaOpt!.fill(0);
    this.#options = false;
  }

  /** Adds surface rows `lo..hi−1` (side codes from {@linkcode sideCodes}). */
  addSurface(c: SurfaceColumns, sides: Uint8Array, lo: number, hi: number): void {
    const G = this.fields.gridMax, n = this.#n, count = this.#count, rel = c.rel_ticks;
    const [sg, su, sp, so] = this.#sum;
    const g = c.pressure_grad, u = c.u_near, p = c.u_p_slow, o = c.Omega;
    for (let i = lo; i < hi; i++) {
      const x = rel[i], sd = sides[i];
      // only each side's own half reaches the fields (finish): asks above the spot, bids below
      if (sd === 1 ? x <= 0 || x > G : sd !== 0 || x >= 0 || x < -G) continue;
      const slot = sd * n + x + G;
      count[slot]++;
      if (g) sg[slot] += g[i];
      if (u) su[slot] += u[i];
      if (p) sp[slot] += p[i];
      if (o) so[slot] += o[i];
    }
  }

  /** Adds option rows `lo..hi−1`. */
  addOptions(c: OptionColumns, lo: number, hi: number): void {
    const G = this.fields.gridMax, o = this.fields.omegaOpt!;
    for (let i = lo; i < hi; i++) {
      const x = c.rel_ticks[i];
      if (x < -G || x > G) continue;
      o[x + G] += c.Omega_opt[i];
      this.#options = true;
    }
  }

  /** Turns the sums into directional means; `hasOptions` tells whether option rows were added. */
  finish(): { fields: WindowFields; hasOptions: boolean } {
    const f = this.fields, G = f.gridMax, n = this.#n;
    const outs = [f.gDir, f.uNearDir, f.uPSlowDir, f.omegaFut];
    for (let k = 0; k < outs.length; k++) {
      const s = this.#sum[k], out = outs[k];
      out[G] = 0;
      for (let x = 1; x <= G; x++) {
        const a = n + G + x, b = G - x; // ask at +x, bid at −x
        out[G + x] = this.#count[a] > 0 ? s[a] / this.#count[a] : 0;
        out[G - x] = this.#count[b] > 0 ? s[b] / this.#count[b] : 0;
      }
    }
    return { fields: f, hasOptions: this.#options };
  }
}

/** Growable columnar sink of forecast rows. */
export class ForecastRowSink {
  #n = 0;
  #cap: number;
  #end: BigInt64Array;
  #h: Int32Array;
  #spot: BigInt64Array;
  #delta: BigInt64Array;
  #conf: Float64Array;
  #rsUp: Float64Array;
  #rsDn: Float64Array;
  #dUp: Int32Array;
  #dDn: Int32Array;
  #fcValid: Uint8Array;

  /** A sink with room for `capacity` rows (grows as needed). */
  constructor(capacity = 1024) {
    this.#cap = Math.max(1, capacity);
    this.#end = new BigInt64Array(this.#cap);
    this.#h = new Int32Array(this.#cap);
    this.#spot = new BigInt64Array(this.#cap);
    this.#delta = new BigInt64Array(this.#cap);
    this.#conf = new Float64Array(this.#cap);
    this.#rsUp = new Float64Array(this.#cap);
    this.#rsDn = new Float64Array(this.#cap);
    this.#dUp = new Int32Array(this.#cap);
    this.#dDn = new Int32Array(this.#cap);
    this.#fcValid = new Uint8Array(this.#cap);
  }

  /** Rows held. */
  get length(): number {
    return this.#n;
  }

  #grow(need: number): void {
    if (need <= this.#cap) return;
    let cap = this.#cap;
    while (cap < need) cap *= 2;
    const g = <T extends BigInt64Array | Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a as never);
      return b;
    };
    this.#end = g(this.#end);
    this.#h = g(this.#h);
    this.#spot = g(this.#spot);
    this.#delta = g(this.#delta);
    this.#conf = g(this.#conf);
    this.#rsUp = g(this.#rsUp);
    this.#rsDn = g(this.#rsDn);
    this.#dUp = g(this.#dUp);
    this.#dDn = g(this.#dDn);
    this.#fcValid = g(this.#fcValid);
    this.#cap = cap;
  }

  /** Appends the diagnostics row (horizon 0) and the H forecast rows of a window. */
  push(windowEndNs: bigint, w: WindowForecast): void {
    const H = w.horizon;
    this.#grow(this.#n + H + 1);
    let r = this.#n;
    this.#end[r] = windowEndNs;
    this.#h[r] = 0;
    this.#rsUp[r] = w.runScoreUp;
    this.#rsDn[r] = w.runScoreDown;
    this.#dUp[r] = w.dUp;
    this.#dDn[r] = w.dDown;
    this.#fcValid[r] = 0;
    r++;
    for (let h = 1; h <= H; h++, r++) {
      const d = w.delta[h - 1];
      this.#end[r] = windowEndNs;
      this.#h[r] = h;
      this.#delta[r] = BigInt(d);
      this.#spot[r] = BigInt(rintSpot(w.spotTicks + d));
      this.#conf[r] = w.confidence[h - 1];
      this.#fcValid[r] = 1;
    }
    this.#n = r;
  }

  /** The rows as contract columns (copies). */
  toColumns(): ForecastRows {
    const n = this.#n;
    const fc = this.#fcValid.slice(0, n);
    const diag = fc.map((v) => 1 - v);
    return {
      window_end_ts_ns: this.#end.slice(0, n),
      horizon_s: this.#h.slice(0, n),
      predicted_spot_tick: { data: this.#spot.slice(0, n), valid: fc },
      predicted_tick_delta: { data: this.#delta.slice(0, n), valid: fc },
      confidence: { data: this.#conf.slice(0, n), valid: fc },
      RunScore_up: { data: this.#rsUp.slice(0, n), valid: diag },
      RunScore_down: { data: this.#rsDn.slice(0, n), valid: diag },
      D_up: { data: this.#dUp.slice(0, n), valid: diag },
      D_down: { data: this.#dDn.slice(0, n), valid: diag },
    };
  }
}

function rintSpot(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The incremental engine: push one window at a time (its gold rows and its option rows), get its
 * forecast. Keeps the previous window's spot for the initial velocity `v0 = S − S_prev`, which is
 * 0 for the first window and after a gap (the previous window is not `windowNs` earlier).
 */
export class ForecastEngine {
  /** The lattice. */
  readonly lattice: Lattice;
  /** The options given. */
  readonly options: Readonly<Required<Omit<EngineOptions, "neighbourhood">>> & {
    neighbourhood: Neighbourhood;
  };
  readonly #scratch: FieldScratch;
  readonly #out: WindowForecast;
  #prevEnd: bigint | null = null;
  #prevSpot = 0;

  /** An engine on `lattice` with β, γ and horizon. */
  constructor(lattice: Lattice, options: EngineOptions) {
    const { beta, gamma } = options;
    if (!Number.isFinite(beta) || beta < 0) throw new RangeError(`beta must be ≥ 0, got ${beta}`);
    if (!Number.isFinite(gamma) || gamma < 0 || gamma > 1) {
      throw new RangeError(`gamma must be in [0, 1], got ${gamma}`);
    }
    this.lattice = lattice;
    this.options = {
      beta,
      gamma,
      horizon: options.horizon ?? 30,
      windowNs: options.windowNs ?? WINDOW_NS,
      neighbourhood: options.neighbourhood ?? "j+delta",
    };
    this.#scratch = new FieldScratch(lattice.gridMax);
    this.#out = new WindowForecast(this.options.horizon);
  }

  /**
   * Forecast of one window given as its own small tables: all rows of `surface` belong to one
   * window; `options` are that window's option rows (none when absent). The returned object is
   * reused by the next call.
   */
  push(surface: SurfaceColumns, options?: OptionColumns | null): WindowForecast {
    const n = surface.rel_ticks.length;
    if (n === 0) throw new RangeError("a window needs at least one surface row");
    const end = surface.window_end_ts_ns[0];
    if (surface.window_end_ts_ns[n - 1] !== end) {
      throw new RangeError("push() takes the rows of one window; use WindowAssembler for tables");
    }
    let out: WindowForecast | null = null;
    const asm = new WindowAssembler(this, (_e, w) => out = w, options ?? null);
    asm.add(surface);
    asm.flush();
    return out!;
  }

  /** Forecast of one window from fields already on the lattice (spot in lattice units). */
  pushFields(windowEndNs: bigint, spotTicks: number, fields: WindowFields): WindowForecast {
    if (fields.gridMax !== this.lattice.gridMax) {
      throw new RangeError(
        `fields have gridMax ${fields.gridMax}, lattice ${this.lattice.gridMax}`,
      );
    }
    if (this.#prevEnd !== null && windowEndNs <= this.#prevEnd) {
      throw new RangeError(
        `windows must ascend: ${windowEndNs} after ${this.#prevEnd}`,
      );
    }
    const consecutive = this.#prevEnd !== null &&
      windowEndNs - this.#prevEnd === this.options.windowNs;
    const v0 = consecutive ? spotTicks - this.#prevSpot : 0;
    this.#prevEnd = windowEndNs;
    this.#prevSpot = spotTicks;
    return forecastWindow(fields, this.#scratch, spotTicks, v0, this.options, this.#out);
  }

  /** Forgets the previous window (next window starts with v0 = 0), e.g. at a new day. */
  resetVelocity(): void {
    this.#prevEnd = null;
  }
}

/** End of the run of rows equal to row `lo` (exclusive), on {@linkcode int64Words}. */
function runEnd(e32: Int32Array, lo: number, n: number): number {
  const a = e32[2 * lo], b = e32[2 * lo + 1];
  let hi = lo + 1;
  while (hi < n && e32[2 * hi] === a && e32[2 * hi + 1] === b) hi++;
  return hi;
}

/**
 * Groups surface rows into windows as they arrive (rows of a window may span batches; windows
 * must ascend), adds the root's option rows of each window, and forecasts each complete window
 * with the engine. Shared by {@linkcode forecastBatch}, {@linkcode ForecastEngine.push} and the
 * lake scans of the fit and evaluation.
 */
export class WindowAssembler {
  readonly #engine: ForecastEngine;
  readonly #builder: WindowFieldBuilder;
  readonly #emit: (windowEndNs: bigint, w: WindowForecast) => void;
  #options: OptionColumns | null;
  #o = 0;
  #end: bigint | null = null;
  #spot = 0n;
  #rows = 0;

  /** An assembler feeding `engine`; `emit` gets each window's forecast (a reused object). */
  constructor(
    engine: ForecastEngine,
    emit: (windowEndNs: bigint, w: WindowForecast) => void,
    options: OptionColumns | null = null,
  ) {
    this.#engine = engine;
    this.#builder = new WindowFieldBuilder(engine.lattice.gridMax);
    this.#emit = emit;
    this.#options = options;
  }

  /** Adds a batch of surface rows (in window order). */
  add(surface: SurfaceColumns, sides?: Uint8Array): void {
    const n = surface.rel_ticks.length, ends = surface.window_end_ts_ns;
    const sd = sides ?? sideCodes(surface.side, n);
    const e32 = int64Words(ends);
    for (let lo = 0; lo < n;) {
      const end = ends[lo];
      const hi = runEnd(e32, lo, n);
      if (end !== this.#end) {
        if (this.#end !== null && end < this.#end) {
          throw new RangeError(
            `surface rows are not ordered by window_end_ts_ns (${end} after ${this.#end})`,
          );
        }
        this.flush();
        this.#start(end, surface.spot_ref_price_int[lo]);
      }
      this.#builder.addSurface(surface, sd, lo, hi);
      this.#rows += hi - lo;
      lo = hi;
    }
  }

  #start(end: bigint, spot: bigint): void {
    this.#end = end;
    this.#spot = spot;
    this.#builder.reset();
    const o = this.#options;
    if (!o) return;
    const oe = o.window_end_ts_ns, on = oe.length;
    while (this.#o < on && oe[this.#o] < end) this.#o++;
    let hi = this.#o;
    while (hi < on && oe[hi] === end) hi++;
    if (hi > this.#o) this.#builder.addOptions(o, this.#o, hi);
    this.#o = hi;
  }

  /** Forecasts the window in progress, if any. */
  flush(): void {
    if (this.#end === null || this.#rows === 0) return;
    const { fields, hasOptions } = this.#builder.finish();
    const spot = Number(this.#spot) / this.#engine.lattice.unitInt;
    const w = this.#engine.pushFields(
      this.#end,
      spot,
      hasOptions ? fields : { ...fields, omegaOpt: null },
    );
    this.#rows = 0;
    this.#emit(this.#end, w);
  }
}

/**
 * Calls `each(lo, hi, optLo, optHi)` for every window of `surface` (contiguous rows of one
 * `window_end_ts_ns`), with the matching rows of `options` (both ascending by window).
 */
export function forEachWindow(
  surface: SurfaceColumns,
  options: OptionColumns | null | undefined,
  each: (lo: number, hi: number, optLo: number, optHi: number) => void,
): void {
  const n = surface.rel_ticks.length, ends = surface.window_end_ts_ns;
  const on = options ? options.rel_ticks.length : 0, oe = options?.window_end_ts_ns;
  const e32 = int64Words(ends);
  let o = 0;
  for (let lo = 0; lo < n;) {
    const end = ends[lo];
    const hi = runEnd(e32, lo, n);
    if (hi < n && ends[hi] < end) {
      throw new RangeError(`surface rows are not ordered by window_end_ts_ns at row ${hi}`);
    }
    while (o < on && oe![o] < end) o++;
    let oh = o;
    while (oh < on && oe![oh] === end) oh++;
    each(lo, hi, o, oh);
    o = oh;
    lo = hi;
  }
}

/**
 * The batch path: forecasts every window of a surface table (with the root's options, if any)
 * through one {@linkcode ForecastEngine} and returns the `forecast_1s` rows, ordered by
 * (window, horizon). Identical, row for row, to pushing the windows one at a time.
 */
export function forecastBatch(
  lattice: Lattice,
  options: EngineOptions,
  surface: SurfaceColumns,
  optionRows?: OptionColumns | null,
): ForecastRows {
  const engine = new ForecastEngine(lattice, options);
  const sink = new ForecastRowSink(1024);
  const asm = new WindowAssembler(engine, (end, w) => sink.push(end, w), optionRows ?? null);
  asm.add(surface);
  asm.flush();
  return sink.toColumns();
}

export { sideCodes };
