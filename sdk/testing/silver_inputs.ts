// Test helpers of the silver module: build MBO / CMBP-1 columns from readable events (prices in
// dollars, times in seconds) and read output batches back as plain rows.

import type { SpotSeries } from "../silver/_spot.ts";
import {
  allocCmbp1Columns,
  allocMboColumns,
  type Cmbp1Columns,
  type MboColumns,
} from "../dbn/mod.ts";

/** One MBO event for tests: t in seconds, px in dollars. */
export interface Ev {
  t: number;
  a: "A" | "C" | "M" | "R" | "T" | "F" | "N";
  s?: "B" | "A" | "N";
  px?: number;
  sz?: number;
  id?: number | bigint;
  fl?: number;
  iid?: number;
  pub?: number;
}

/** Seconds → ns as bigint, exact to the ns for the decimal values tests use. */
export function ns(t: number): bigint {
  return BigInt(Math.round(t * 1e9));
}

/** Dollars → 1e-9 units. */
export function px(d: number): number {
  return Math.round(d * 1e9);
}

/** MBO columns from events (flags default to F_LAST = 128). */
export function mbo(evs: readonly Ev[], t0 = 0n): MboColumns {
  const c = allocMboColumns(evs.length);
  evs.forEach((e, i) => {
    c.publisher_id[i] = e.pub ?? 1;
    c.instrument_id[i] = e.iid ?? 7;
    c.ts_event[i] = t0 + ns(e.t);
    c.ts_recv[i] = t0 + ns(e.t);
    c.order_id[i] = BigInt(e.id ?? 0);
    c.price[i] = e.px === undefined ? 9223372036854775807n : BigInt(px(e.px));
    c.size[i] = e.sz ?? 0;
    c.flags[i] = e.fl ?? 128;
    c.action[i] = e.a.charCodeAt(0);
    c.side[i] = (e.s ?? "N").charCodeAt(0);
    c.sequence[i] = i + 1;
  });
  return c;
}

/** One CMBP-1 quote for tests: t in seconds, prices in dollars. */
export interface Quote {
  t: number;
  iid: number;
  bid: number;
  bsz: number;
  ask: number;
  asz: number;
}

/** CMBP-1 columns from quotes. */
export function cmbp(qs: readonly Quote[], t0 = 0n): Cmbp1Columns {
  const c = allocCmbp1Columns(qs.length);
  qs.forEach((q, i) => {
    c.instrument_id[i] = q.iid;
    c.ts_event[i] = t0 + ns(q.t);
    c.ts_recv[i] = t0 + ns(q.t);
    c.bid_px[i] = BigInt(px(q.bid));
    c.ask_px[i] = BigInt(px(q.ask));
    c.bid_sz[i] = q.bsz;
    c.ask_sz[i] = q.asz;
  });
  return c;
}

/** A batch as plain rows (bigint → number, ASCII code columns → strings). */
export function rows(
  batch: { length: number },
  charCols: readonly string[] = ["side", "right"],
): Record<string, number | string>[] {
  const out: Record<string, number | string>[] = [];
  for (let i = 0; i < batch.length; i++) {
    const r: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(batch)) {
      if (k === "length") continue;
      const x = (v as unknown as ArrayLike<number | bigint>)[i];
      r[k] = charCols.includes(k) ? String.fromCharCode(Number(x)) : Number(x);
    }
    out.push(r);
  }
  return out;
}

/** Picks some fields of a row. */
export function pick(
  r: Record<string, number | string>,
  keys: readonly string[],
): Record<string, number | string> {
  return Object.fromEntries(keys.map((k) => [k, r[k]]));
}

/** A spot series with window ends `secs` (seconds) and one spot (dollars) or one per window. */
export function spotSeries(secs: readonly number[], spot: number | readonly number[]): SpotSeries {
  return {
    length: secs.length,
    window_end_ts_ns: BigInt64Array.from(secs, (s) => BigInt(s) * 1_000_000_000n),
    spot_ref_price_int: BigInt64Array.from(
      secs,
      (_, i) => BigInt(px(typeof spot === "number" ? spot : spot[i])),
    ),
  };
}
