/**
 * The incremental vacuum-pressure engine (serving.md §4.4): one 1-second window of silver depth &
 * flow (and its book snapshot) in, one row of signals out. The batch computation
 * ({@linkcode computeVpSignals}) is a loop over this engine, so a day computed at once and a day
 * streamed window by window give the same numbers by construction.
 *
 * Per window: (b) proximity-weighted aggregates over the rows with `window_valid`, (c) the
 * composite and its confidence, (d) EMA derivatives d1/d2/d3 of the composite and of three
 * sub-signals, (e) a rolling z-score strength, (f) the gold variants (smoothed composite, its
 * derivatives, weighted slope, Taylor projections), (g) the snapshot columns. Recursive state
 * (EMAs, rolling windows) advances only on windows with valid rows, as in the original; a window
 * without any valid row is still emitted, flagged `signal_valid = false`, holding the last values.
 *
 * @module
 */
import {
  COMPOSITE_WEIGHTS,
  DEFAULT_GOLD_SIGNAL_CONFIG,
  depthRangeTicks,
  EMA_SPANS,
  type GoldSignalConfig,
  nearSpotTicks,
  proximityTau,
  validateGoldSignalConfig,
  VP_EPS,
  type VpRuntimeConfig,
  ZSCORE_WINDOW,
} from "./vp_config.ts";

import { SIDE_ASK, SIDE_BID } from "./columns.ts";
export { SIDE_ASK, SIDE_BID };

/**
 * Silver `depth_and_flow_1s` columns the engine reads (serving.md §4.3), one entry per row.
 * `side` holds ASCII codes (`65` = `A`, `66` = `B`); `window_valid` 1/0. `price_int`, when given,
 * is passed through to {@linkcode enrichVpFlow} to place rows at their absolute price.
 */
export interface VpFlowColumns {
  /** Signed distance from `spot_ref_price_int` in `rel_ticks` (ticks or $ buckets). */
  rel_ticks: ArrayLike<number>;
  /** `65` ask / `66` bid. */
  side: ArrayLike<number>;
  /** Reference price of the row's window, 1e-9 units. */
  spot_ref_price_int: ArrayLike<bigint>;
  /** Size added in the window. */
  add_qty: ArrayLike<number>;
  /** Size cancelled in the window. */
  pull_qty: ArrayLike<number>;
  /** Size filled in the window. */
  fill_qty: ArrayLike<number>;
  /** Depth at window end. */
  depth_qty_end: ArrayLike<number>;
  /** Depth at window end resting ≥ 500 ms. */
  depth_qty_rest: ArrayLike<number>;
  /** Size cancelled in the window that had rested ≥ 500 ms. */
  pull_qty_rest: ArrayLike<number>;
  /** 1 when the window's book was valid for the row. */
  window_valid: ArrayLike<number>;
  /** Absolute price of the row, 1e-9 units (optional). */
  price_int?: ArrayLike<bigint>;
}

/** Book snapshot of a window (null prices: that side of the book was empty or unknown). */
export interface VpSnap {
  /** Mid price in dollars, or null. */
  mid_price: number | null;
  /** Best bid, 1e-9 units, or null. */
  best_bid_price_int: bigint | null;
  /** Best ask, 1e-9 units, or null. */
  best_ask_price_int: bigint | null;
  /** Whether the book was valid at window end. */
  book_valid: boolean;
}

/** One window of input: rows `[start, end)` of `flow` (all of one window) and its snapshot. */
export interface VpWindowInput {
  /** Window end, ns since the epoch. */
  window_end_ts_ns: bigint;
  /** Columns holding the window's rows. */
  flow: VpFlowColumns;
  /** First row of the window in `flow`. */
  start: number;
  /** One past the last row. */
  end: number;
  /** The window's book snapshot, or null when silver has none. */
  snap: VpSnap | null;
}

/**
 * One row of signals. Column meanings follow serving.md §4.4; all derived values are 0 where the
 * original leaves them undefined (NaN-filled), and `signal_valid` is false for a window without
 * valid depth rows (its values repeat the last valid window's).
 */
export interface VpSignalRow {
  /** Window end, ns. */
  window_end_ts_ns: bigint;
  /** Σ over ask rows (pull − add)·w(k): positive = liquidity draining above the market. */
  vacuum_above: number;
  /** Σ over bid rows (pull − add)·w(k): positive = liquidity draining below. */
  vacuum_below: number;
  /** Σ over ask rows pull_rest·w(k): resting (≥ 500 ms) size pulled above. */
  resting_drain_ask: number;
  /** Σ over bid rows pull_rest·w(k). */
  resting_drain_bid: number;
  /** First valid row's reference price (0 before any valid window). */
  spot_ref_price_int: bigint;
  /** Near-spot added size, bids minus asks, weighted. */
  flow_imbalance: number;
  /** Fills at asks minus fills at bids. */
  fill_imbalance: number;
  /** (Db − Da)/(Db + Da + 1) of depth within the depth band. */
  depth_imbalance: number;
  /** Same on resting depth. */
  rest_depth_imbalance: number;
  /** Σ_B k·add / (Σ_B add + 1). */
  bid_migration_com: number;
  /** Σ_A k·add / (Σ_A add + 1). */
  ask_migration_com: number;
  /** Σ depth_end·w over both sides. */
  total_weighted_depth: number;
  /** The composite directional signal (positive = bullish). */
  composite: number;
  /** Fraction of components agreeing with the composite's sign (0 when |composite| < 1). */
  confidence: number;
  /** d1 of composite. */
  d1_composite: number;
  /** d2 of composite. */
  d2_composite: number;
  /** d3 of composite. */
  d3_composite: number;
  /** d1 of vacuum_above. */
  d1_vacuum_above: number;
  /** d2 of vacuum_above. */
  d2_vacuum_above: number;
  /** d3 of vacuum_above. */
  d3_vacuum_above: number;
  /** d1 of vacuum_below. */
  d1_vacuum_below: number;
  /** d2 of vacuum_below. */
  d2_vacuum_below: number;
  /** d3 of vacuum_below. */
  d3_vacuum_below: number;
  /** d1 of flow_imbalance. */
  d1_flow_imbalance: number;
  /** d2 of flow_imbalance. */
  d2_flow_imbalance: number;
  /** d3 of flow_imbalance. */
  d3_flow_imbalance: number;
  /** Rolling z-score of composite (60 windows). */
  z_composite: number;
  /** min(1, |z_composite_smooth|/3). */
  strength_smooth: number;
  /** EMA_{pre_smooth_span}(composite). */
  composite_smooth: number;
  /** EMA_{d1_span}(diff composite_smooth). */
  d1_smooth: number;
  /** EMA_{d2_span}(diff d1_smooth). */
  d2_smooth: number;
  /** EMA_{d3_span}(diff d2_smooth). */
  d3_smooth: number;
  /** Normalised-weight sum of the smoothed derivatives. */
  wtd_slope: number;
  /** Taylor projection of composite_smooth at projection_horizon_s. */
  wtd_projection: number;
  /** Taylor projection at fast_projection_horizon_s. */
  wtd_projection_500ms: number;
  /** Fraction of smoothed derivatives whose sign agrees with wtd_slope. */
  wtd_deriv_conf: number;
  /** Rolling z-score of composite_smooth (smooth_zscore_window). */
  z_composite_smooth: number;
  /** min(1, |z_composite|/3). */
  strength: number;
  /** Copy of z_composite. */
  z_composite_raw: number;
  /** Snapshot mid in dollars (null: no snapshot or an empty side). */
  mid_price: number | null;
  /** Snapshot best bid (null when missing). */
  best_bid_price_int: bigint | null;
  /** Snapshot best ask (null when missing). */
  best_ask_price_int: bigint | null;
  /** Snapshot validity (null: no snapshot for the window). */
  book_valid: boolean | null;
  /** False when the window had no valid depth row (state not advanced). */
  signal_valid: boolean;
}

/** Output columns in order: the original's 44 (serving.md §4.4) then `signal_valid`. */
export const VP_SIGNAL_COLUMNS: readonly (keyof VpSignalRow)[] = [
  "window_end_ts_ns",
  "vacuum_above",
  "vacuum_below",
  "resting_drain_ask",
  "resting_drain_bid",
  "spot_ref_price_int",
  "flow_imbalance",
  "fill_imbalance",
  "depth_imbalance",
  "rest_depth_imbalance",
  "bid_migration_com",
  "ask_migration_com",
  "total_weighted_depth",
  "composite",
  "confidence",
  "d1_composite",
  "d2_composite",
  "d3_composite",
  "d1_vacuum_above",
  "d2_vacuum_above",
  "d3_vacuum_above",
  "d1_vacuum_below",
  "d2_vacuum_below",
  "d3_vacuum_below",
  "d1_flow_imbalance",
  "d2_flow_imbalance",
  "d3_flow_imbalance",
  "z_composite",
  "strength_smooth",
  "composite_smooth",
  "d1_smooth",
  "d2_smooth",
  "d3_smooth",
  "wtd_slope",
  "wtd_projection",
  "wtd_projection_500ms",
  "wtd_deriv_conf",
  "z_composite_smooth",
  "strength",
  "z_composite_raw",
  "mid_price",
  "best_bid_price_int",
  "best_ask_price_int",
  "book_valid",
  "signal_valid",
];

/** The float64 columns of {@linkcode VpSignalRow} (everything but timestamps, prices and flags). */
export const VP_FLOAT_COLUMNS: readonly (keyof VpSignalRow)[] = VP_SIGNAL_COLUMNS.filter((c) =>
  !["window_end_ts_ns", "spot_ref_price_int", "best_bid_price_int", "best_ask_price_int"]
    .includes(c) && !["mid_price", "book_valid", "signal_valid"].includes(c)
);

/** Recursive EMA with α = 2/(span+1), undefined (NaN) until its first defined input. */
class Ema {
  readonly #alpha: number;
  value = NaN;
  constructor(span: number) {
    this.#alpha = 2 / (span + 1);
  }
  push(x: number): number {
    if (Number.isNaN(x)) return this.value;
    this.value = Number.isNaN(this.value) ? x : (1 - this.#alpha) * this.value + this.#alpha * x;
    return this.value;
  }
}

/** d1 = EMA(diff S), d2 = EMA(diff d1), d3 = EMA(diff d2); NaN where undefined. */
class DerivChain {
  readonly #e1: Ema;
  readonly #e2: Ema;
  readonly #e3: Ema;
  #prevS = NaN;
  #prevD1 = NaN;
  #prevD2 = NaN;
  d1 = NaN;
  d2 = NaN;
  d3 = NaN;
  constructor(s1: number, s2: number, s3: number) {
    this.#e1 = new Ema(s1);
    this.#e2 = new Ema(s2);
    this.#e3 = new Ema(s3);
  }
  push(s: number): void {
    this.d1 = this.#e1.push(s - this.#prevS);
    this.#prevS = s;
    this.d2 = this.#e2.push(this.d1 - this.#prevD1);
    this.#prevD1 = this.d1;
    this.d3 = this.#e3.push(this.d2 - this.#prevD2);
    this.#prevD2 = this.d2;
  }
}

/**
 * Trailing rolling z-score over the last `w` values: `(x − mean)/(std + 1)`, sample std (ddof 1),
 * NaN for a single value (pandas `rolling(w, min_periods=1)`). Mean and variance are computed
 * from the buffer in two passes at every step (exact, no running-sum drift).
 */
class RollingZ {
  readonly #buf: Float64Array;
  #n = 0;
  #pos = 0;
  constructor(w: number) {
    this.#buf = new Float64Array(w);
  }
  push(x: number): number {
    const buf = this.#buf;
    buf[this.#pos] = x;
    this.#pos = (this.#pos + 1) % buf.length;
    if (this.#n < buf.length) this.#n++;
    const n = this.#n;
    if (n < 2) return NaN;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += buf[i];
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = buf[i] - mean;
      ss += d * d;
    }
    return (x - mean) / (Math.sqrt(ss / (n - 1)) + 1);
  }
}

// Slots of the per-window sums.
const VAC_ABOVE = 0, VAC_BELOW = 1, DRAIN_ASK = 2, DRAIN_BID = 3, ADD_NEAR_A = 4, ADD_NEAR_B = 5;
const FILL_A = 6, FILL_B = 7, DA = 8, DB = 9, RA = 10, RB = 11, ASK_KADD = 12, ASK_ADD = 13;
const BID_KADD = 14, BID_ADD = 15, TWD = 16, N_SUMS = 17;

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);
const zero = (x: number): number => (Number.isNaN(x) ? 0 : x);

/** The gold variants of one window (serving.md §4.4 (f)). */
export interface GoldVariantRow {
  /** EMA_{pre_smooth_span}(composite). */
  composite_smooth: number;
  /** EMA_{d1_span}(diff composite_smooth) (0 while undefined). */
  d1_smooth: number;
  /** EMA_{d2_span}(diff d1_smooth). */
  d2_smooth: number;
  /** EMA_{d3_span}(diff d2_smooth). */
  d3_smooth: number;
  /** ŵ1·d1 + ŵ2·d2 + ŵ3·d3 with normalised weights. */
  wtd_slope: number;
  /** composite_smooth + d1·K + d2·K²/2 + d3·K³/6, K = projection_horizon_s. */
  wtd_projection: number;
  /** Same with K = fast_projection_horizon_s. */
  wtd_projection_500ms: number;
  /** Fraction of d1/d2/d3_smooth whose sign equals sign(wtd_slope) (0 compares to +1). */
  wtd_deriv_conf: number;
  /** Rolling z-score of composite_smooth over smooth_zscore_window (0 while undefined). */
  z_composite_smooth: number;
  /** min(1, |z_composite_smooth|/3). */
  strength_smooth: number;
}

/**
 * The gold-variant stage on its own: composite values in, one {@linkcode GoldVariantRow} per
 * value. {@linkcode VpEngine} runs its composite through one of these.
 */
export class GoldVariants {
  readonly #smooth: Ema;
  readonly #d: DerivChain;
  readonly #z: RollingZ;
  readonly #w: [number, number, number];
  readonly #gold: GoldSignalConfig;

  /** A stage with validated knobs. */
  constructor(gold: GoldSignalConfig = DEFAULT_GOLD_SIGNAL_CONFIG) {
    validateGoldSignalConfig(gold);
    this.#gold = { ...gold };
    const wsum = gold.w_d1 + gold.w_d2 + gold.w_d3;
    this.#w = [gold.w_d1 / wsum, gold.w_d2 / wsum, gold.w_d3 / wsum];
    this.#smooth = new Ema(gold.pre_smooth_span);
    this.#d = new DerivChain(gold.d1_span, gold.d2_span, gold.d3_span);
    this.#z = new RollingZ(gold.smooth_zscore_window);
  }

  /** The variants after the next composite value. */
  push(composite: number): GoldVariantRow {
    const g = this.#gold;
    const cs = this.#smooth.push(composite);
    const ds = this.#d;
    ds.push(cs);
    // Undefined derivatives (the first rows) contribute 0: the original let d3_smooth's NaN
    // wipe out wtd_slope and the projections of rows 0–2 (serving.md §8 item 22).
    const s1 = zero(ds.d1), s2 = zero(ds.d2), s3 = zero(ds.d3);
    const [w1, w2, w3] = this.#w;
    const slope = w1 * s1 + w2 * s2 + w3 * s3;
    const proj = (h: number) => cs + s1 * h + s2 * h * h / 2 + s3 * h * h * h / 6;
    const ref = sign(slope) || 1;
    const conf = ((sign(ds.d1) === ref ? 1 : 0) + (sign(ds.d2) === ref ? 1 : 0) +
      (sign(ds.d3) === ref ? 1 : 0)) / 3;
    const zs = zero(this.#z.push(cs));
    return {
      composite_smooth: cs,
      d1_smooth: s1,
      d2_smooth: s2,
      d3_smooth: s3,
      wtd_slope: slope,
      wtd_projection: proj(g.projection_horizon_s),
      wtd_projection_500ms: proj(g.fast_projection_horizon_s),
      wtd_deriv_conf: conf,
      z_composite_smooth: zs,
      strength_smooth: Math.min(1, Math.abs(zs) / 3),
    };
  }
}

/** Validates that `flow` has every column the engine reads; throws naming the missing ones. */
export function checkVpFlowColumns(flow: Partial<VpFlowColumns>, what = "depth_and_flow_1s"): void {
  const need = [
    "rel_ticks",
    "side",
    "spot_ref_price_int",
    "add_qty",
    "pull_qty",
    "fill_qty",
    "depth_qty_end",
    "depth_qty_rest",
    "pull_qty_rest",
    "window_valid",
  ] as const;
  const missing = need.filter((k) => flow[k] === undefined || flow[k] === null);
  if (missing.length) {
    throw new Error(
      `${what}: schema mismatch, missing column(s) ${missing.join(", ")} ` +
        `(the vacuum-pressure engine needs ${need.join(", ")})`,
    );
  }
  const n = flow.rel_ticks!.length;
  const bad = need.filter((k) => flow[k]!.length !== n);
  if (bad.length) {
    throw new Error(`${what}: column length mismatch (${bad.join(", ")} differ from rel_ticks)`);
  }
}

/**
 * The incremental engine: {@linkcode push} one window at a time, in window order.
 *
 * @example One window of a symmetric book (adds outpace pulls on both sides: no direction)
 * ```ts
 * import { resolveVpConfig, VpEngine } from "@spymaster/sdk/features";
 * const cfg = await resolveVpConfig("equity_mbo", "QQQ");
 * const k = [-2, -1, 1, 2];
 * const flow = {
 *   rel_ticks: k, side: k.map((x) => (x < 0 ? 66 : 65)), spot_ref_price_int: k.map(() => 100_000_000_000n),
 *   add_qty: k.map((x) => 10 * Math.abs(x)), pull_qty: k.map((x) => 5 * Math.abs(x)),
 *   fill_qty: k.map(() => 0), depth_qty_end: k.map(() => 50), depth_qty_rest: k.map(() => 20),
 *   pull_qty_rest: k.map(() => 3), window_valid: k.map(() => 1),
 * };
 * const engine = new VpEngine(cfg);
 * const row = engine.push({ window_end_ts_ns: 1_000_000_000_000n, flow, start: 0, end: 4, snap: null });
 * console.log(row.vacuum_above < 0, row.composite); // true 0
 * ```
 */
export class VpEngine {
  /** The instrument constants. */
  readonly config: VpRuntimeConfig;
  /** The gold knobs (validated). */
  readonly gold: GoldSignalConfig;
  readonly #nearTicks: number;
  readonly #depthTicks: number;
  readonly #weights: Float64Array;
  readonly #tau: number;
  readonly #acc = new Float64Array(N_SUMS);
  readonly #comp = new Float64Array(N_SUMS);
  readonly #dComposite: DerivChain;
  readonly #dAbove: DerivChain;
  readonly #dBelow: DerivChain;
  readonly #dFlow: DerivChain;
  readonly #zRaw = new RollingZ(ZSCORE_WINDOW);
  readonly #gold: GoldVariants;
  #last: VpSignalRow;
  #windows = 0;
  #validWindows = 0;
  #lastTs: bigint | null = null;

  /** An engine for one instrument and gold knob setting (the knobs are validated). */
  constructor(config: VpRuntimeConfig, gold: GoldSignalConfig = DEFAULT_GOLD_SIGNAL_CONFIG) {
    validateGoldSignalConfig(gold);
    this.config = config;
    this.gold = { ...gold };
    const b = config.bucket_size_dollars;
    this.#tau = proximityTau(b);
    this.#nearTicks = nearSpotTicks(b);
    this.#depthTicks = depthRangeTicks(b);
    this.#weights = new Float64Array(Math.max(config.grid_max_ticks, 1) * 4 + 1);
    for (let k = 0; k < this.#weights.length; k++) this.#weights[k] = Math.exp(-k / this.#tau);
    const [s1, s2, s3] = EMA_SPANS;
    this.#dComposite = new DerivChain(s1, s2, s3);
    this.#dAbove = new DerivChain(s1, s2, s3);
    this.#dBelow = new DerivChain(s1, s2, s3);
    this.#dFlow = new DerivChain(s1, s2, s3);
    this.#gold = new GoldVariants(gold);
    this.#last = emptyRow();
  }

  /** Windows pushed so far. */
  get windows(): number {
    return this.#windows;
  }

  /** Windows pushed so far that had at least one valid row. */
  get validWindows(): number {
    return this.#validWindows;
  }

  #weight(k: number): number {
    const a = k < 0 ? -k : k;
    return a < this.#weights.length ? this.#weights[a] : Math.exp(-a / this.#tau);
  }

  /**
   * Computes the signals of the next window. Windows must come in strictly increasing
   * `window_end_ts_ns` order. The returned object is new for every call.
   */
  push(w: VpWindowInput): VpSignalRow {
    if (this.#lastTs !== null && w.window_end_ts_ns <= this.#lastTs) {
      throw new Error(
        `windows must be pushed in increasing order: ${w.window_end_ts_ns} after ${this.#lastTs}`,
      );
    }
    this.#lastTs = w.window_end_ts_ns;
    this.#windows++;
    const f = w.flow;
    const near = this.#nearTicks, band = this.#depthTicks;
    // Sums are Kahan-compensated, as pandas' groupby sums are: mirrored sides then cancel exactly.
    const acc = this.#acc, comp = this.#comp;
    acc.fill(0);
    comp.fill(0);
    const add_ = (j: number, x: number) => {
      const y = x - comp[j];
      const t = acc[j] + y;
      comp[j] = t - acc[j] - y;
      acc[j] = t;
    };
    let spot = 0n, valid = 0;
    for (let i = w.start; i < w.end; i++) {
      if (!f.window_valid[i]) continue;
      if (valid++ === 0) spot = f.spot_ref_price_int[i];
      const k = f.rel_ticks[i];
      const wk = this.#weight(k);
      const add = f.add_qty[i], pull = f.pull_qty[i], depth = f.depth_qty_end[i];
      const ak = k < 0 ? -k : k;
      add_(TWD, depth * wk);
      // Vacuum and drain count every ask (bid) row, whatever the sign of k: the original kept
      // only k > 0 (k < 0), which misses the best ask whenever the spot is at the ask (k = 0) and,
      // on $0.50 equity buckets, the whole bucket holding the spot (docs/deviations.md VP5).
      if (f.side[i] === SIDE_ASK) {
        add_(VAC_ABOVE, (pull - add) * wk);
        add_(DRAIN_ASK, f.pull_qty_rest[i] * wk);
        if (ak <= near) add_(ADD_NEAR_A, add * wk);
        add_(FILL_A, f.fill_qty[i]);
        if (ak <= band) {
          add_(DA, depth);
          add_(RA, f.depth_qty_rest[i]);
        }
        add_(ASK_KADD, k * add);
        add_(ASK_ADD, add);
      } else if (f.side[i] === SIDE_BID) {
        add_(VAC_BELOW, (pull - add) * wk);
        add_(DRAIN_BID, f.pull_qty_rest[i] * wk);
        if (ak <= near) add_(ADD_NEAR_B, add * wk);
        add_(FILL_B, f.fill_qty[i]);
        if (ak <= band) {
          add_(DB, depth);
          add_(RB, f.depth_qty_rest[i]);
        }
        add_(BID_KADD, k * add);
        add_(BID_ADD, add);
      }
    }
    const vacAbove = acc[VAC_ABOVE], vacBelow = acc[VAC_BELOW];
    const drainAsk = acc[DRAIN_ASK], drainBid = acc[DRAIN_BID];
    const addNearA = acc[ADD_NEAR_A], addNearB = acc[ADD_NEAR_B];
    const fillA = acc[FILL_A], fillB = acc[FILL_B];
    const da = acc[DA], db = acc[DB], ra = acc[RA], rb = acc[RB];
    const askKAdd = acc[ASK_KADD], askAdd = acc[ASK_ADD];
    const bidKAdd = acc[BID_KADD], bidAdd = acc[BID_ADD], twd = acc[TWD];
    const snap = w.snap;
    const snapCols = {
      mid_price: snap?.mid_price ?? null,
      best_bid_price_int: snap?.best_bid_price_int ?? null,
      best_ask_price_int: snap?.best_ask_price_int ?? null,
      book_valid: snap ? snap.book_valid : null,
    };
    if (valid === 0) {
      const held: VpSignalRow = {
        ...this.#last,
        window_end_ts_ns: w.window_end_ts_ns,
        ...snapCols,
        signal_valid: false,
      };
      return held;
    }
    this.#validWindows++;
    const flowImb = addNearB - addNearA;
    const fillImb = fillA - fillB;
    const restImb = (rb - ra) / (rb + ra + 1);
    const W = COMPOSITE_WEIGHTS;
    const composite = W.vacuum * vacAbove - W.vacuum * vacBelow + W.flow * flowImb +
      W.fill * fillImb + W.institutional_drain * (drainAsk - drainBid) + W.rest_depth * restImb;
    const ref = sign(composite) || 1;
    let agree = 0;
    for (const c of [vacAbove, -vacBelow, flowImb, fillImb, drainAsk - drainBid]) {
      if (sign(c) === ref) agree++;
    }
    const confidence = Math.abs(composite) < 1 ? 0 : agree / 5;

    const dc = this.#dComposite, dA = this.#dAbove, dB = this.#dBelow, dF = this.#dFlow;
    dc.push(composite);
    dA.push(vacAbove);
    dB.push(vacBelow);
    dF.push(flowImb);
    const z = this.#zRaw.push(composite);

    const gv = this.#gold.push(composite);
    const zr = zero(z);

    const row: VpSignalRow = {
      window_end_ts_ns: w.window_end_ts_ns,
      vacuum_above: vacAbove,
      vacuum_below: vacBelow,
      resting_drain_ask: drainAsk,
      resting_drain_bid: drainBid,
      spot_ref_price_int: spot,
      flow_imbalance: flowImb,
      fill_imbalance: fillImb,
      depth_imbalance: (db - da) / (db + da + 1),
      rest_depth_imbalance: restImb,
      bid_migration_com: bidKAdd / (bidAdd + 1),
      ask_migration_com: askKAdd / (askAdd + 1),
      total_weighted_depth: twd,
      composite,
      confidence,
      d1_composite: zero(dc.d1),
      d2_composite: zero(dc.d2),
      d3_composite: zero(dc.d3),
      d1_vacuum_above: zero(dA.d1),
      d2_vacuum_above: zero(dA.d2),
      d3_vacuum_above: zero(dA.d3),
      d1_vacuum_below: zero(dB.d1),
      d2_vacuum_below: zero(dB.d2),
      d3_vacuum_below: zero(dB.d3),
      d1_flow_imbalance: zero(dF.d1),
      d2_flow_imbalance: zero(dF.d2),
      d3_flow_imbalance: zero(dF.d3),
      z_composite: zr,
      strength_smooth: gv.strength_smooth,
      composite_smooth: gv.composite_smooth,
      d1_smooth: gv.d1_smooth,
      d2_smooth: gv.d2_smooth,
      d3_smooth: gv.d3_smooth,
      wtd_slope: gv.wtd_slope,
      wtd_projection: gv.wtd_projection,
      wtd_projection_500ms: gv.wtd_projection_500ms,
      wtd_deriv_conf: gv.wtd_deriv_conf,
      z_composite_smooth: gv.z_composite_smooth,
      strength: Math.min(1, Math.abs(zr) / 3),
      z_composite_raw: zr,
      ...snapCols,
      signal_valid: true,
    };
    this.#last = row;
    return row;
  }
}

function emptyRow(): VpSignalRow {
  const row: Record<string, unknown> = {};
  for (const c of VP_SIGNAL_COLUMNS) row[c] = 0;
  row.window_end_ts_ns = 0n;
  row.spot_ref_price_int = 0n;
  return row as unknown as VpSignalRow;
}

/** Per-row enrichment of a window's depth & flow (serving.md §4.4 (a)), all rows incl. invalid ones. */
export interface VpEnrichedFlow {
  /** Rows in the window. */
  length: number;
  /** `rel_ticks` of each row. */
  rel_ticks: Int32Array;
  /** `65` ask / `66` bid. */
  side: Uint8Array;
  /**
   * Absolute price of the row (1e-9 units): `price_int` when silver gave it, else
   * `spot_ref_price_int + rel_ticks · bucket` — the row's own reference, never the mid.
   */
  price_int: BigInt64Array;
  /** Depth at window end. */
  depth_qty_end: Float64Array;
  /** Added size. */
  add_qty: Float64Array;
  /** Pulled size. */
  pull_qty: Float64Array;
  /** Filled size. */
  fill_qty: Float64Array;
  /** Resting depth. */
  depth_qty_rest: Float64Array;
  /** Resting pulls. */
  pull_qty_rest: Float64Array;
  /** `exp(-|k|/τ)`. */
  proximity_weight: Float64Array;
  /** add − pull. */
  net_flow: Float64Array;
  /** max(0, pull − add)·w. */
  vacuum_intensity: Float64Array;
  /** max(0, add − pull)·w. */
  pressure_intensity: Float64Array;
  /** depth_rest / depth_end when depth_end > 1, else 0. */
  rest_fraction: Float64Array;
  /** 1 when the row was valid (used by the signals). */
  window_valid: Uint8Array;
}

/** Enriches the rows of one window (for heatmaps and the live flow surface). */
export function enrichVpFlow(config: VpRuntimeConfig, w: VpWindowInput): VpEnrichedFlow {
  const n = w.end - w.start, f = w.flow;
  const tau = proximityTau(config.bucket_size_dollars);
  const bucketInt = BigInt(Math.round(config.bucket_size_dollars / config.price_scale));
  const out: VpEnrichedFlow = {
    length: n,
    rel_ticks: new Int32Array(n),
    side: new Uint8Array(n),
    price_int: new BigInt64Array(n),
    depth_qty_end: new Float64Array(n),
    add_qty: new Float64Array(n),
    pull_qty: new Float64Array(n),
    fill_qty: new Float64Array(n),
    depth_qty_rest: new Float64Array(n),
    pull_qty_rest: new Float64Array(n),
    proximity_weight: new Float64Array(n),
    net_flow: new Float64Array(n),
    vacuum_intensity: new Float64Array(n),
    pressure_intensity: new Float64Array(n),
    rest_fraction: new Float64Array(n),
    window_valid: new Uint8Array(n),
  };
  for (let j = 0; j < n; j++) {
    const i = w.start + j;
    const k = f.rel_ticks[i];
    const wk = Math.exp(-Math.abs(k) / tau);
    const add = f.add_qty[i], pull = f.pull_qty[i], end = f.depth_qty_end[i];
    out.rel_ticks[j] = k;
    out.side[j] = f.side[i];
    out.price_int[j] = f.price_int
      ? f.price_int[i]
      : f.spot_ref_price_int[i] + BigInt(k) * bucketInt;
    out.depth_qty_end[j] = end;
    out.add_qty[j] = add;
    out.pull_qty[j] = pull;
    out.fill_qty[j] = f.fill_qty[i];
    out.depth_qty_rest[j] = f.depth_qty_rest[i];
    out.pull_qty_rest[j] = f.pull_qty_rest[i];
    out.proximity_weight[j] = wk;
    out.net_flow[j] = add - pull;
    out.vacuum_intensity[j] = Math.max(0, pull - add) * wk;
    out.pressure_intensity[j] = Math.max(0, add - pull) * wk;
    out.rest_fraction[j] = end > VP_EPS ? f.depth_qty_rest[i] / end : 0;
    out.window_valid[j] = f.window_valid[i] ? 1 : 0;
  }
  return out;
}
