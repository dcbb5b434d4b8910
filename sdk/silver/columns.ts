/**
 * Column batches of the two silver tables of every product type, one typed array per contract
 * field (`contracts/silver/<product_type>/*.avsc`, field names and order as there).
 *
 * `long` fields are `BigInt64Array`, `double` fields `Float64Array`, `int` fields `Int32Array`,
 * `boolean` fields `Uint8Array` (0/1) and the one-letter `string` fields (`side`, `right`) hold
 * ASCII codes in a `Uint8Array` (`65` `'A'`, `66` `'B'`, `67` `'C'`, `80` `'P'`).
 *
 * @module
 */

import type { ColumnBatch } from "../lake/columns.ts";
import { _allocColumn } from "./_builder.ts";

/** `book_snapshot_1s` of `future_mbo` and `equity_mbo` (one row per 1-second window). */
export interface BookSnapshotBatch {
  /** Number of rows. */
  length: number;
  /** Window start, ns. */
  window_start_ts_ns: BigInt64Array;
  /** Window end (= start + 1 s), ns. */
  window_end_ts_ns: BigInt64Array;
  /** Best bid at window end (0 = absent: the side is empty; NULL in the lake). */
  best_bid_price_int: BigInt64Array;
  /** Size at the best bid (0 when the side is empty). */
  best_bid_qty: BigInt64Array;
  /** Best ask at window end (0 = absent: the side is empty; NULL in the lake). */
  best_ask_price_int: BigInt64Array;
  /** Size at the best ask (0 when the side is empty). */
  best_ask_qty: BigInt64Array;
  /** Mid in dollars (0 = absent unless both sides are present; NULL in the lake). */
  mid_price: Float64Array;
  /** Mid in 1e-9 units, rounded half to even (0 = absent, as `mid_price`). */
  mid_price_int: BigInt64Array;
  /** Last `T` price with a positive price, carried forward (0 = absent before the first; NULL in the lake). */
  last_trade_price_int: BigInt64Array;
  /** Spot reference of the window (see the engines; 0 = absent, NULL in the lake). */
  spot_ref_price_int: BigInt64Array;
  /**
   * Book integrity at window end (F_LAST seen, no snapshot run, no `F_MAYBE_BAD_BOOK` since the
   * last clear). A one-sided book can be valid: check the prices for a two-sided quote.
   */
  book_valid: Uint8Array;
}

/**
 * The `book_snapshot_1s` fields of the MBO product types that are nullable in the contract: an
 * absent price (empty side, no mid, no trade yet, no spot) is NULL in the lake, never 0.
 */
export const BOOK_SNAPSHOT_NULLABLE = [
  "best_bid_price_int",
  "best_ask_price_int",
  "mid_price",
  "mid_price_int",
  "last_trade_price_int",
  "spot_ref_price_int",
] as const;

/**
 * The contract form of a {@linkcode BookSnapshotBatch} (what the lake stores, and what a stream of
 * silver rows should carry): the engines' in-memory sentinel 0 of every
 * {@linkcode BOOK_SNAPSHOT_NULLABLE} field becomes a null (`valid[i] = 0`); `book_valid` stays
 * 0/1 bytes. The typed arrays are shared, not copied.
 *
 * @example
 * ```ts
 * import { bookSnapshotColumns, emptyBatch, BOOK_SNAPSHOT_SCHEMA } from "@spymaster/sdk/silver";
 * const cols = bookSnapshotColumns(emptyBatch(BOOK_SNAPSHOT_SCHEMA));
 * console.log(Object.keys(cols).length); // 11
 * ```
 */
export function bookSnapshotColumns(b: BookSnapshotBatch): ColumnBatch {
  const { length: n, ...cols } = b;
  const out: ColumnBatch = { ...cols };
  for (const name of BOOK_SNAPSHOT_NULLABLE) {
    const data = b[name];
    const valid = new Uint8Array(n);
    if (data instanceof Float64Array) {
      for (let i = 0; i < n; i++) valid[i] = data[i] !== 0 ? 1 : 0;
    } else {
      // 64-bit words: present unless both halves are 0 (no BigInt)
      const w = new Int32Array(data.buffer, data.byteOffset, n * 2);
      for (let i = 0; i < n; i++) valid[i] = (w[2 * i] | w[2 * i + 1]) !== 0 ? 1 : 0;
    }
    out[name] = { data, valid };
  }
  return out;
}

/** `depth_and_flow_1s` of `future_mbo` and `equity_mbo` (one row per window, side, price). */
export interface DepthFlowBatch {
  /** Number of rows. */
  length: number;
  /** Window start, ns. */
  window_start_ts_ns: BigInt64Array;
  /** Window end, ns. */
  window_end_ts_ns: BigInt64Array;
  /** Price (futures) or price bucket (equities), 1e-9 units. */
  price_int: BigInt64Array;
  /** 66 `'B'` or 65 `'A'`. */
  side: Uint8Array;
  /** Spot reference of the window. */
  spot_ref_price_int: BigInt64Array;
  /** Offset from spot in ticks (futures) or buckets (equities). */
  rel_ticks: Int32Array;
  /** Offset from the same side's window-start best price, same unit. */
  rel_ticks_side: Int32Array;
  /** Resting size at window start. */
  depth_qty_start: Float64Array;
  /** Resting size at window end. */
  depth_qty_end: Float64Array;
  /** Size added. */
  add_qty: Float64Array;
  /** Size removed other than by fills (cancels, reducing modifies, clears). */
  pull_qty: Float64Array;
  /** Part of `depth_qty_end` resting at least 0.5 s at window end. */
  depth_qty_rest: Float64Array;
  /** Part of `pull_qty` from orders that had rested at least 0.5 s. */
  pull_qty_rest: Float64Array;
  /** Size removed by fills. */
  fill_qty: Float64Array;
  /** Book valid at window end and no clear / snapshot in the window. */
  window_valid: Uint8Array;
}

/** `book_snapshot_1s` of the option product types (one row per window and instrument). */
export interface OptionSnapshotBatch {
  /** Number of rows. */
  length: number;
  /** Window start, ns. */
  window_start_ts_ns: BigInt64Array;
  /** Window end, ns. */
  window_end_ts_ns: BigInt64Array;
  /** Instrument id. */
  instrument_id: BigInt64Array;
  /** 67 `'C'` or 80 `'P'`. */
  right: Uint8Array;
  /** Listed strike, 1e-9 units. */
  strike_price_int: BigInt64Array;
  /** Best bid. */
  bid_price_int: BigInt64Array;
  /** Best ask. */
  ask_price_int: BigInt64Array;
  /** Mid in dollars. */
  mid_price: Float64Array;
  /** Mid in 1e-9 units (futures options: floor of the average; equity options: the average). */
  mid_price_int: Float64Array;
  /** Spot of the underlying's silver snapshot for the same window. */
  spot_ref_price_int: BigInt64Array;
  /** Instrument book valid at window end. */
  book_valid: Uint8Array;
}

/**
 * `depth_and_flow_1s` of the option product types: a dense strike grid per window. The
 * `equity_option_cmbp_1` contract has no `depth_qty_rest` / `accounting_identity_valid`; the
 * stage drops them.
 */
export interface OptionFlowBatch {
  /** Number of rows. */
  length: number;
  /** Window start, ns. */
  window_start_ts_ns: BigInt64Array;
  /** Window end, ns. */
  window_end_ts_ns: BigInt64Array;
  /** Grid strike, 1e-9 units. */
  strike_price_int: BigInt64Array;
  /** Grid strike in dollars. */
  strike_points: Float64Array;
  /** 67 `'C'` or 80 `'P'`. */
  right: Uint8Array;
  /** 65 `'A'` or 66 `'B'`. */
  side: Uint8Array;
  /** Spot of the underlying for the window. */
  spot_ref_price_int: BigInt64Array;
  /** `(strike - spot) // unit` (futures: tick; equities: the equity price bucket). */
  rel_ticks: Int32Array;
  /** Resting size at window start, summed over the instruments of the cell. */
  depth_qty_start: Float64Array;
  /** Resting size at window end. */
  depth_qty_end: Float64Array;
  /** Size added. */
  add_qty: Float64Array;
  /** Size removed other than by fills. */
  pull_qty: Float64Array;
  /** Part of `pull_qty` from orders that had rested at least 0.5 s. */
  pull_qty_rest: Float64Array;
  /** Size removed by fills (0 for CMBP-1). */
  fill_qty: Float64Array;
  /** Part of `depth_qty_end` resting at least 0.5 s. */
  depth_qty_rest: Float64Array;
  /** Spot > 0 and every instrument book of the cell valid over the window. */
  window_valid: Uint8Array;
  /** `start + add - pull - fill == end` (always true here; kept for the contract). */
  accounting_identity_valid: Uint8Array;
}

/** Storage kind of a column: 64-bit integer, double, 32-bit integer, byte. */
export type Kind = "i64" | "f64" | "i32" | "u8";

/** The typed array of a {@linkcode Kind}. */
export type ArrayOf<K extends Kind> = K extends "i64" ? BigInt64Array
  : K extends "f64" ? Float64Array
  : K extends "i32" ? Int32Array
  : Uint8Array;

/** Field name → kind. */
export type Schema = Readonly<Record<string, Kind>>;

/** Schema of {@linkcode BookSnapshotBatch}, in contract order. */
export const BOOK_SNAPSHOT_SCHEMA = {
  window_start_ts_ns: "i64",
  window_end_ts_ns: "i64",
  best_bid_price_int: "i64",
  best_bid_qty: "i64",
  best_ask_price_int: "i64",
  best_ask_qty: "i64",
  mid_price: "f64",
  mid_price_int: "i64",
  last_trade_price_int: "i64",
  spot_ref_price_int: "i64",
  book_valid: "u8",
} as const satisfies Schema;

/** Schema of {@linkcode DepthFlowBatch}, in contract order. */
export const DEPTH_FLOW_SCHEMA = {
  window_start_ts_ns: "i64",
  window_end_ts_ns: "i64",
  price_int: "i64",
  side: "u8",
  spot_ref_price_int: "i64",
  rel_ticks: "i32",
  rel_ticks_side: "i32",
  depth_qty_start: "f64",
  depth_qty_end: "f64",
  add_qty: "f64",
  pull_qty: "f64",
  depth_qty_rest: "f64",
  pull_qty_rest: "f64",
  fill_qty: "f64",
  window_valid: "u8",
} as const satisfies Schema;

/** Schema of {@linkcode OptionSnapshotBatch}, in contract order. */
export const OPTION_SNAPSHOT_SCHEMA = {
  window_start_ts_ns: "i64",
  window_end_ts_ns: "i64",
  instrument_id: "i64",
  right: "u8",
  strike_price_int: "i64",
  bid_price_int: "i64",
  ask_price_int: "i64",
  mid_price: "f64",
  mid_price_int: "f64",
  spot_ref_price_int: "i64",
  book_valid: "u8",
} as const satisfies Schema;

/** Schema of {@linkcode OptionFlowBatch}, in the futures-options contract order. */
export const OPTION_FLOW_SCHEMA = {
  window_start_ts_ns: "i64",
  window_end_ts_ns: "i64",
  strike_price_int: "i64",
  strike_points: "f64",
  right: "u8",
  side: "u8",
  spot_ref_price_int: "i64",
  rel_ticks: "i32",
  depth_qty_start: "f64",
  depth_qty_end: "f64",
  add_qty: "f64",
  pull_qty: "f64",
  pull_qty_rest: "f64",
  fill_qty: "f64",
  depth_qty_rest: "f64",
  window_valid: "u8",
  accounting_identity_valid: "u8",
} as const satisfies Schema;

/** A batch of a schema: `length` plus one typed array per field. */
export type BatchOf<S extends Schema> = { length: number } & { [K in keyof S]: ArrayOf<S[K]> };

/** An empty batch of a schema. */
export function emptyBatch<S extends Schema>(schema: S): BatchOf<S> {
  const out: Record<string, unknown> = { length: 0 };
  for (const [name, kind] of Object.entries(schema)) out[name] = _allocColumn(kind, 0);
  return out as BatchOf<S>;
}

/** Concatenates batches of one schema (for tests and small outputs). */
export function concatBatches<S extends Schema>(
  schema: S,
  parts: readonly BatchOf<S>[],
): BatchOf<S> {
  let n = 0;
  for (const p of parts) n += p.length;
  const out: Record<string, unknown> = { length: n };
  for (const [name, kind] of Object.entries(schema)) {
    const a = _allocColumn(kind, n) as Uint8Array;
    let at = 0;
    for (const p of parts) {
      a.set((p as unknown as Record<string, Uint8Array>)[name], at);
      at += p.length;
    }
    out[name] = a;
  }
  return out as BatchOf<S>;
}
