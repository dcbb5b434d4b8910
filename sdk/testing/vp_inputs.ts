// Hand-built vacuum-pressure inputs: the original's test fixtures (serving.md §4.8, Appendix A).
import type { VpFlowColumns, VpWindowInput } from "../features/vp_engine.ts";
import type { Lake } from "../lake/lake.ts";
import { writePartition } from "../lake/writer.ts";

/** One depth & flow row. */
export interface VpRow {
  /** Window index (window end = 1e12 + w·1e9 ns). */
  w: number;
  /** rel_ticks. */
  k: number;
  /** `A` or `B`. */
  side: "A" | "B";
  add: number;
  pull: number;
  fill: number;
  depthEnd: number;
  depthRest: number;
  pullRest: number;
  valid?: boolean;
  /** Reference price (default 100 $ = 1e11). */
  spot?: bigint;
}

/** Window end of window index `w`: `1e12 + w·1e9`. */
export function windowTs(w: number): bigint {
  return 1_000_000_000_000n + BigInt(w) * 1_000_000_000n;
}

/** Columns of rows (in the given order). */
export function flowColumns(rows: readonly VpRow[]): VpFlowColumns & { window: Int32Array } {
  const n = rows.length;
  const f = (g: (r: VpRow) => number) => Float64Array.from(rows, g);
  return {
    window: Int32Array.from(rows, (r) => r.w),
    rel_ticks: Int32Array.from(rows, (r) => r.k),
    side: Uint8Array.from(rows, (r) => r.side.charCodeAt(0)),
    spot_ref_price_int: BigInt64Array.from(rows, (r) => r.spot ?? 100_000_000_000n),
    add_qty: f((r) => r.add),
    pull_qty: f((r) => r.pull),
    fill_qty: f((r) => r.fill),
    depth_qty_end: f((r) => r.depthEnd),
    depth_qty_rest: f((r) => r.depthRest),
    pull_qty_rest: f((r) => r.pullRest),
    window_valid: Uint8Array.from({ length: n }, (_, i) => (rows[i].valid === false ? 0 : 1)),
  };
}

/** Splits rows (sorted by window) into engine windows, with the fixtures' snapshot (mid 100). */
export function windowsOf(rows: readonly VpRow[], snap = true): VpWindowInput[] {
  const cols = flowColumns(rows);
  const out: VpWindowInput[] = [];
  let s = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i === rows.length || cols.window[i] !== cols.window[s]) {
      out.push({
        window_end_ts_ns: windowTs(cols.window[s]),
        flow: cols,
        start: s,
        end: i,
        snap: snap
          ? {
            mid_price: 100.0,
            best_bid_price_int: 99_500_000_000n,
            best_ask_price_int: 100_500_000_000n,
            book_valid: true,
          }
          : null,
      });
      s = i;
    }
  }
  return out;
}

/**
 * The original's `_make_flow_df(n_windows, n_ticks)`: k ∈ [−n..n]\{0}, both sides at every k,
 * add=10|k|, pull=5|k|, fill=2|k|, depth_end=50|k|, depth_rest=20|k|, pull_rest=3|k|.
 */
export function makeFlow(nWindows: number, nTicks: number): VpRow[] {
  const rows: VpRow[] = [];
  for (let w = 0; w < nWindows; w++) {
    for (let k = -nTicks; k <= nTicks; k++) {
      if (k === 0) continue;
      const a = Math.abs(k);
      for (const side of ["A", "B"] as const) {
        rows.push({
          w,
          k,
          side,
          add: 10 * a,
          pull: 5 * a,
          fill: 2 * a,
          depthEnd: 50 * a,
          depthRest: 20 * a,
          pullRest: 3 * a,
        });
      }
    }
  }
  return rows;
}

/** The asymmetric scenario of serving.md Appendix A.3 (6 windows, k ∈ [−6..6]\{0}). */
export function asymmetricFlow(): VpRow[] {
  const rows: VpRow[] = [];
  for (let w = 0; w < 6; w++) {
    for (let k = -6; k <= 6; k++) {
      if (k === 0) continue;
      const a = Math.abs(k);
      if (k > 0) {
        rows.push({
          w,
          k,
          side: "A",
          add: 10 * a,
          pull: 10 * a + 20 * w,
          fill: 5 * w,
          pullRest: 3 * w,
          depthRest: 40 * a,
          depthEnd: 100 * a,
          valid: !(w === 4 && k === 1),
        });
      } else {
        rows.push({
          w,
          k,
          side: "B",
          add: 10 * a + 15 * w,
          pull: 10 * a,
          fill: 2,
          pullRest: 1,
          depthRest: 40 * a + 10 * w,
          depthEnd: 100 * a,
        });
      }
    }
  }
  return rows;
}

/** A snapshot row for {@linkcode writeVpSilver} (prices in 1e-9 units; 0 = empty side). */
export interface VpSnapRow {
  w: number;
  bid: bigint;
  ask: bigint;
  valid?: boolean;
}

/**
 * Writes the two silver partitions the detector reads from hand-built rows (`rows` sorted by
 * window). Snapshots default to mid 100 $, bid 99.5, ask 100.5 for every window of `rows`.
 */
export async function writeVpSilver(
  lake: Lake,
  productType: "equity_mbo" | "future_mbo",
  symbol: string,
  dt: string,
  rows: readonly VpRow[],
  snaps?: readonly VpSnapRow[],
  which: ("book_snapshot_1s" | "depth_and_flow_1s")[] = ["book_snapshot_1s", "depth_and_flow_1s"],
): Promise<void> {
  const key = { symbol, dt };
  if (which.includes("depth_and_flow_1s")) {
    const c = flowColumns(rows);
    const ts = BigInt64Array.from(rows, (r) => windowTs(r.w));
    await writePartition(lake, `silver.${productType}.depth_and_flow_1s`, key, [{
      window_start_ts_ns: ts.map((t) => t - 1_000_000_000n),
      window_end_ts_ns: ts,
      price_int: BigInt64Array.from(
        rows,
        (r) => (r.spot ?? 100_000_000_000n) + BigInt(r.k) * 500_000_000n,
      ),
      side: rows.map((r) => r.side),
      spot_ref_price_int: c.spot_ref_price_int as BigInt64Array,
      rel_ticks: c.rel_ticks as Int32Array,
      rel_ticks_side: c.rel_ticks as Int32Array,
      depth_qty_start: c.depth_qty_end as Float64Array,
      depth_qty_end: c.depth_qty_end as Float64Array,
      add_qty: c.add_qty as Float64Array,
      pull_qty: c.pull_qty as Float64Array,
      depth_qty_rest: c.depth_qty_rest as Float64Array,
      pull_qty_rest: c.pull_qty_rest as Float64Array,
      fill_qty: c.fill_qty as Float64Array,
      window_valid: c.window_valid as Uint8Array,
    }]);
  }
  if (which.includes("book_snapshot_1s")) {
    const s: readonly VpSnapRow[] = snaps ??
      [...new Set(rows.map((r) => r.w))].map((w) => ({
        w,
        bid: 99_500_000_000n,
        ask: 100_500_000_000n,
      }));
    const ts = BigInt64Array.from(s, (r) => windowTs(r.w));
    const mid = (r: VpSnapRow) => (r.bid > 0n && r.ask > 0n ? Number(r.bid + r.ask) / 2e9 : 0);
    await writePartition(lake, `silver.${productType}.book_snapshot_1s`, key, [{
      window_start_ts_ns: ts.map((t) => t - 1_000_000_000n),
      window_end_ts_ns: ts,
      best_bid_price_int: BigInt64Array.from(s, (r) => r.bid),
      best_bid_qty: BigInt64Array.from(s, () => 10n),
      best_ask_price_int: BigInt64Array.from(s, (r) => r.ask),
      best_ask_qty: BigInt64Array.from(s, () => 10n),
      mid_price: Float64Array.from(s, mid),
      mid_price_int: BigInt64Array.from(s, (r) => BigInt(Math.round(mid(r) * 1e9))),
      last_trade_price_int: BigInt64Array.from(s, () => 0n),
      spot_ref_price_int: BigInt64Array.from(s, () => 100_000_000_000n),
      book_valid: Uint8Array.from(s, (r) => (r.valid === false ? 0 : 1)),
    }]);
  }
}
