/**
 * Column batches of the four gold `physics_surface_1s` tables, one typed array per contract field
 * (`contracts/gold/<product_type>/physics_surface_1s.avsc`, names and order as there), and of
 * the silver rows the surface engines take one window at a time.
 *
 * Storage follows the silver batches: `long` → `BigInt64Array`, `double` → `Float64Array`,
 * `int` → `Int32Array`, one-letter `string` fields (`side`, `right`) → ASCII codes in a
 * `Uint8Array` (`65` `'A'`, `66` `'B'`, `67` `'C'`, `80` `'P'`).
 *
 * @module
 */
import type { BatchOf, Schema } from "../silver/columns.ts";

export type { BatchOf, Kind, Schema } from "../silver/columns.ts";

/** ASCII `'A'` (ask side). */
export const SIDE_ASK = 65;
/** ASCII `'B'` (bid side). */
export const SIDE_BID = 66;
/** ASCII `'C'` (call). */
export const RIGHT_CALL = 67;
/** ASCII `'P'` (put). */
export const RIGHT_PUT = 80;

/** The intensity block every surface starts with (pipeline.md §4). */
const INTENSITY = {
  add_intensity: "f64",
  fill_intensity: "f64",
  pull_intensity: "f64",
  liquidity_velocity: "f64",
} as const;

/** `gold.future_mbo.physics_surface_1s`: the 36-field surface, one row per (window, side, tick). */
export const FUTURE_SURFACE_SCHEMA = {
  window_end_ts_ns: "i64",
  event_ts_ns: "i64",
  spot_ref_price_int: "i64",
  rel_ticks: "i32",
  rel_ticks_side: "i32",
  side: "u8",
  ...INTENSITY,
  u_ema_2: "f64",
  u_ema_8: "f64",
  u_ema_32: "f64",
  u_ema_128: "f64",
  u_band_fast: "f64",
  u_band_mid: "f64",
  u_band_slow: "f64",
  u_wave_energy: "f64",
  du_dt: "f64",
  d2u_dt2: "f64",
  u_near: "f64",
  u_far: "f64",
  u_prom: "f64",
  du_dx: "f64",
  d2u_dx2: "f64",
  rho: "f64",
  phi_rest: "f64",
  u_p: "f64",
  u_p_slow: "f64",
  Omega: "f64",
  Omega_near: "f64",
  Omega_far: "f64",
  Omega_prom: "f64",
  nu: "f64",
  kappa: "f64",
  pressure_grad: "f64",
} as const satisfies Schema;

/** `gold.future_option_mbo.physics_surface_1s`: the 38-field strike-lattice surface. */
export const OPTION_SURFACE_SCHEMA = {
  window_end_ts_ns: "i64",
  event_ts_ns: "i64",
  spot_ref_price_int: "i64",
  strike_price_int: "i64",
  strike_points: "f64",
  rel_ticks: "i32",
  right: "u8",
  side: "u8",
  ...INTENSITY,
  rho_opt: "f64",
  phi_rest_opt: "f64",
  u_opt_ema_2: "f64",
  u_opt_ema_8: "f64",
  u_opt_ema_32: "f64",
  u_opt_ema_128: "f64",
  u_opt_band_fast: "f64",
  u_opt_band_mid: "f64",
  u_opt_band_slow: "f64",
  u_opt_wave_energy: "f64",
  du_opt_dt: "f64",
  d2u_opt_dt2: "f64",
  u_opt_p: "f64",
  u_opt_p_slow: "f64",
  u_opt_near: "f64",
  u_opt_far: "f64",
  u_opt_prom: "f64",
  du_opt_dx: "f64",
  d2u_opt_dx2: "f64",
  Omega_opt: "f64",
  Omega_opt_near: "f64",
  Omega_opt_far: "f64",
  Omega_opt_prom: "f64",
  nu_opt: "f64",
  kappa_opt: "f64",
  pressure_grad_opt: "f64",
} as const satisfies Schema;

/** `gold.equity_mbo.physics_surface_1s`: intensities per silver depth row (10 fields). */
export const EQUITY_SURFACE_SCHEMA = {
  window_end_ts_ns: "i64",
  event_ts_ns: "i64",
  spot_ref_price_int: "i64",
  rel_ticks: "i32",
  rel_ticks_side: "i32",
  side: "u8",
  ...INTENSITY,
} as const satisfies Schema;

/** `gold.equity_option_cmbp_1.physics_surface_1s`: intensities per strike-grid row (12 fields). */
export const EQUITY_OPTION_SURFACE_SCHEMA = {
  window_end_ts_ns: "i64",
  event_ts_ns: "i64",
  spot_ref_price_int: "i64",
  strike_price_int: "i64",
  strike_points: "f64",
  rel_ticks: "i32",
  right: "u8",
  side: "u8",
  ...INTENSITY,
} as const satisfies Schema;

/** A `future_mbo` surface batch. */
export type FutureSurfaceBatch = BatchOf<typeof FUTURE_SURFACE_SCHEMA>;
/** A `future_option_mbo` surface batch. */
export type OptionSurfaceBatch = BatchOf<typeof OPTION_SURFACE_SCHEMA>;
/** An `equity_mbo` surface batch. */
export type EquitySurfaceBatch = BatchOf<typeof EQUITY_SURFACE_SCHEMA>;
/** An `equity_option_cmbp_1` surface batch. */
export type EquityOptionSurfaceBatch = BatchOf<typeof EQUITY_OPTION_SURFACE_SCHEMA>;

/**
 * Silver `depth_and_flow_1s` rows as the engines read them (any product type). Every engine needs
 * the common columns; the futures surface also reads `rel_ticks_side` and `depth_qty_rest`, the
 * option surfaces `right`, `strike_price_int` and `strike_points` (and `depth_qty_rest` for
 * futures options). `window_valid` is optional: absent means every row is valid.
 */
export interface FlowRows {
  /** 65 `'A'` / 66 `'B'`. */
  side: Uint8Array;
  /** Offset from spot in the product's unit (ticks, equity buckets). */
  rel_ticks: Int32Array;
  /** Spot of the row's window (0 = none). */
  spot_ref_price_int: BigInt64Array;
  /** Resting size at window start. */
  depth_qty_start: Float64Array;
  /** Resting size at window end. */
  depth_qty_end: Float64Array;
  /** Size added. */
  add_qty: Float64Array;
  /** Size pulled. */
  pull_qty: Float64Array;
  /** Size filled. */
  fill_qty: Float64Array;
  /** Silver's validity of the window (1) or not (0). */
  window_valid?: Uint8Array;
  /** MBO tables: offset from the same side's window-start best price. */
  rel_ticks_side?: Int32Array;
  /** Part of `depth_qty_end` resting ≥ 0.5 s (MBO and futures options). */
  depth_qty_rest?: Float64Array;
  /** Option tables: 67 `'C'` / 80 `'P'`. */
  right?: Uint8Array;
  /** Option tables: grid strike, 1e-9 units. */
  strike_price_int?: BigInt64Array;
  /** Option tables: grid strike in dollars. */
  strike_points?: Float64Array;
}

/**
 * One 1-second silver window, the unit the surface engines step on: the window end, the book
 * snapshot's spot for it, and that window's depth & flow rows `[start, end)` of `rows`.
 */
export interface SilverWindow {
  /** Window end, ns (`event_ts_ns` of the gold rows). */
  window_end_ts_ns: bigint;
  /**
   * Spot of the window from the book snapshot. `null` (or ≤ 0) = no spot: the gold strict
   * filter drops the window (pipeline.md §2.7.2); never read as a price of 0. Option windows,
   * which have no per-window snapshot row, pass the rows' spot or `null`.
   */
  spot_ref_price_int: bigint | null;
  /** The window's depth & flow rows (typed arrays; only `[start, end)` is read). */
  rows: FlowRows;
  /** First row of the window in `rows`. */
  start: number;
  /** One past the last row of the window in `rows`. */
  end: number;
}
