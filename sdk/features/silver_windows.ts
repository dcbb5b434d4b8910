/**
 * Silver tables as a sequence of 1-second windows, the unit the surface engines step on. The
 * batch gold stage and any live consumer read silver through this one function.
 *
 * MBO product types (`future_mbo`, `equity_mbo`) take their windows from `book_snapshot_1s`
 * (every second, with its spot; a null or absent spot is passed as `null`, never as 0) and attach
 * each window's `depth_and_flow_1s` rows; option product types take them from the flow grid
 * (their snapshot table is per instrument) with the rows' spot.
 *
 * @module
 */
import type { ColumnBatch } from "../lake/columns.ts";
import { isDictColumn, isNullableColumn } from "../lake/columns.ts";
import type { Lake } from "../lake/lake.ts";
import type { ProductType } from "../lake/product_types.ts";
import { readBatches, type ReadColumn } from "../lake/reader.ts";
import type { FlowRows, SilverWindow } from "./columns.ts";

/** Silver snapshot and flow dataset keys of a product type. */
export function silverKeys(pt: ProductType): { snapshot: string; flow: string } {
  return {
    snapshot: `silver.${pt}.book_snapshot_1s`,
    flow: `silver.${pt}.depth_and_flow_1s`,
  };
}

const FLOW_COMMON = [
  "window_end_ts_ns",
  "side",
  "rel_ticks",
  "spot_ref_price_int",
  "depth_qty_start",
  "depth_qty_end",
  "add_qty",
  "pull_qty",
  "fill_qty",
  "window_valid",
] as const;

/** The silver flow columns a product type's surface reads. */
export function flowColumnsFor(pt: ProductType): string[] {
  switch (pt) {
    case "future_mbo":
      return [...FLOW_COMMON, "rel_ticks_side", "depth_qty_rest"];
    case "equity_mbo":
      return [...FLOW_COMMON, "rel_ticks_side"];
    case "future_option_mbo":
      return [...FLOW_COMMON, "right", "strike_price_int", "strike_points", "depth_qty_rest"];
    case "equity_option_cmbp_1":
      return [...FLOW_COMMON, "right", "strike_price_int", "strike_points"];
  }
}

function ascii(c: ReadColumn, name: string): Uint8Array {
  if (!isDictColumn(c)) throw new Error(`silver column '${name}': expected a string column`);
  const map = new Uint8Array(Math.max(1, c.values.length));
  c.values.forEach((v, i) => map[i] = v.length === 1 ? v.charCodeAt(0) : 0);
  const out = new Uint8Array(c.codes.length);
  const codes = c.codes;
  for (let i = 0; i < codes.length; i++) out[i] = map[codes[i]];
  return out;
}

/** Silver flow columns as read from the lake → {@linkcode FlowRows} (strings as ASCII codes). */
export function flowRowsOf(
  columns: Record<string, ReadColumn> | ColumnBatch,
): FlowRows & { window_end_ts_ns: BigInt64Array } {
  const out: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(columns)) {
    if (name === "side" || name === "right") out[name] = ascii(c as ReadColumn, name);
    else if (isNullableColumn(c)) out[name] = c.data;
    else out[name] = c;
  }
  return out as unknown as FlowRows & { window_end_ts_ns: BigInt64Array };
}

type Rows = FlowRows & { window_end_ts_ns: BigInt64Array };

function tail(r: Rows, from: number, to: number): Rows {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    out[k] = (v as Uint8Array).slice(from, to);
  }
  return out as unknown as Rows;
}

function concat(a: Rows, b: Rows): Rows {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) {
    const x = (a as unknown as Record<string, Uint8Array>)[k];
    const y = v as Uint8Array;
    const z = new (y.constructor as Uint8ArrayConstructor)(x.length + y.length);
    z.set(x);
    z.set(y, x.length);
    out[k] = z;
  }
  return out as unknown as Rows;
}

/** Options of {@linkcode silverWindows}. */
export interface SilverWindowsOptions {
  /** Called after each flow batch with the flow rows read so far. */
  onRows?: (rows: number) => void;
}

/**
 * The silver windows of one (product type, symbol, date), in time order. A window's `rows` are
 * views into buffers reused by the next iteration: copy what you keep. Flow rows out of window
 * order are an error naming the row.
 */
export async function* silverWindows(
  lake: Lake,
  productType: ProductType,
  symbol: string,
  dt: string,
  options: SilverWindowsOptions = {},
): AsyncGenerator<SilverWindow> {
  const keys = silverKeys(productType);
  const key = { symbol, dt };
  const mbo = productType === "future_mbo" || productType === "equity_mbo";
  // the snapshot windows (MBO types): every second with its spot
  let snapEnds = new BigInt64Array(0);
  let snapSpot = new BigInt64Array(0);
  let snapHas = new Uint8Array(0);
  if (mbo) {
    const ends: bigint[] = [], spots: bigint[] = [], has: number[] = [];
    for await (
      const b of readBatches(lake, keys.snapshot, key, {
        columns: ["window_end_ts_ns", "spot_ref_price_int"],
      })
    ) {
      const e = b.columns.window_end_ts_ns as BigInt64Array;
      const s = b.columns.spot_ref_price_int;
      const data = (isNullableColumn(s) ? s.data : s) as BigInt64Array;
      const valid = isNullableColumn(s) ? s.valid : null;
      for (let i = 0; i < b.length; i++) {
        ends.push(e[i]);
        const ok = (valid === null || valid[i] === 1) && data[i] > 0n;
        spots.push(ok ? data[i] : 0n);
        has.push(ok ? 1 : 0);
      }
    }
    snapEnds = BigInt64Array.from(ends);
    snapSpot = BigInt64Array.from(spots);
    snapHas = Uint8Array.from(has);
  }
  let j = 0;
  const empty = { ...flowRowsOf({}) } as Rows;
  const snapWindow = (i: number): SilverWindow => ({
    window_end_ts_ns: snapEnds[i],
    spot_ref_price_int: snapHas[i] ? snapSpot[i] : null,
    rows: empty,
    start: 0,
    end: 0,
  });
  let carry: Rows | null = null;
  let lastEnd: bigint | null = null;
  let read = 0;
  const windowsOf = function* (r: Rows, n: number, final: boolean): Generator<SilverWindow> {
    const we = r.window_end_ts_ns;
    let s = 0;
    while (s < n) {
      const e0 = we[s];
      let e = s + 1;
      while (e < n && we[e] === e0) e++;
      if (e === n && !final) {
        carry = tail(r, s, n);
        return;
      }
      if (lastEnd !== null && e0 <= lastEnd) {
        throw new Error(
          `${keys.flow} ${symbol} ${dt}: rows are not in window order (window end ${e0} after ` +
            `${lastEnd}, flow row ${read - n + s})`,
        );
      }
      lastEnd = e0;
      let spot: bigint | null = null;
      if (mbo) {
        while (j < snapEnds.length && snapEnds[j] < e0) yield snapWindow(j++);
        if (j < snapEnds.length && snapEnds[j] === e0) {
          spot = snapHas[j] ? snapSpot[j] : null;
          j++;
        }
      }
      yield { window_end_ts_ns: e0, spot_ref_price_int: spot, rows: r, start: s, end: e };
      s = e;
    }
    carry = null;
  };
  for await (
    const b of readBatches(lake, keys.flow, key, { columns: flowColumnsFor(productType) })
  ) {
    read += b.length;
    let rows = flowRowsOf(b.columns);
    const c = carry as Rows | null;
    if (c) rows = concat(c, rows);
    yield* windowsOf(rows, rows.window_end_ts_ns.length, false);
    options.onRows?.(read);
  }
  const last = carry as Rows | null;
  if (last) yield* windowsOf(last, last.window_end_ts_ns.length, true);
  while (j < snapEnds.length) yield snapWindow(j++);
}
