/**
 * Best-level order flow imbalance (Cont, Kukanov & Stoikov 2014, "The price impact of order book
 * events", eq. 3) from consecutive one-second book snapshots of silver `book_snapshot_1s`:
 *
 *   e_t = q^b_t·1{P^b_t ≥ P^b_{t−1}} − q^b_{t−1}·1{P^b_t ≤ P^b_{t−1}}
 *       − q^a_t·1{P^a_t ≤ P^a_{t−1}} + q^a_{t−1}·1{P^a_t ≥ P^a_{t−1}}
 *
 * Sampled once a second this is the sum of the paper's per-event terms only when at most one
 * best-level change happens in the second; it is the coarser "snapshot OFI" a 1 s lake allows.
 * A side that is empty (null price, 0, or Databento's undefined price) in either snapshot
 * contributes 0; the first window, and a window whose previous snapshot is not one second
 * earlier, get NaN.
 *
 * @module
 */
import type { NullableColumn } from "../lake/columns.ts";

/** int64 max: Databento's undefined price. */
const NULL_PRICE = 9_223_372_036_854_775_807n;

/** An integer column as read (64-bit sizes as `BigInt64Array`). */
export type IntColumn = BigInt64Array | Int32Array | Float64Array;

/** The snapshot columns OFI needs (as read from the lake; prices may be nullable). */
export interface BestLevelColumns {
  /** Window end, ns. */
  window_end_ts_ns: BigInt64Array;
  /** Best bid price (null, 0 or undefined when the side is empty). */
  best_bid_price_int: BigInt64Array | NullableColumn;
  /** Size at the best bid. */
  best_bid_qty: IntColumn;
  /** Best ask price. */
  best_ask_price_int: BigInt64Array | NullableColumn;
  /** Size at the best ask. */
  best_ask_qty: IntColumn;
}

function prices(c: BigInt64Array | NullableColumn): Float64Array {
  const data = (c instanceof BigInt64Array ? c : c.data) as BigInt64Array;
  const valid = c instanceof BigInt64Array ? null : c.valid;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = (valid && !valid[i]) || v <= 0n || v === NULL_PRICE ? NaN : Number(v);
  }
  return out;
}

/** OFI of each snapshot row against the previous one, with the window end in whole seconds. */
export function bestLevelOfi(c: BestLevelColumns): { sec: Float64Array; ofi: Float64Array } {
  const n = c.window_end_ts_ns.length;
  const pb = prices(c.best_bid_price_int), pa = prices(c.best_ask_price_int);
  const sec = new Float64Array(n), ofi = new Float64Array(n);
  for (let i = 0; i < n; i++) sec[i] = Number(c.window_end_ts_ns[i] / 1_000_000_000n);
  const q = (a: IntColumn, i: number) => Number(a[i]);
  for (let i = 0; i < n; i++) {
    if (i === 0 || sec[i - 1] !== sec[i] - 1) {
      ofi[i] = NaN;
      continue;
    }
    let e = 0;
    const b0 = pb[i - 1], b1 = pb[i], a0 = pa[i - 1], a1 = pa[i];
    if (!Number.isNaN(b0) && !Number.isNaN(b1)) {
      if (b1 >= b0) e += q(c.best_bid_qty, i);
      if (b1 <= b0) e -= q(c.best_bid_qty, i - 1);
    }
    if (!Number.isNaN(a0) && !Number.isNaN(a1)) {
      if (a1 <= a0) e -= q(c.best_ask_qty, i);
      if (a1 >= a0) e += q(c.best_ask_qty, i - 1);
    }
    ofi[i] = e;
  }
  return { sec, ofi };
}
