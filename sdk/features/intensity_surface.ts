/**
 * The intensity-only surfaces of the equity product types (pipeline.md §4.1–4.2): one gold row per
 * silver depth row (no densification, no temporal state), `event_ts_ns = window_end_ts_ns`.
 * `equity_mbo` keeps `rel_ticks_side`; `equity_option_cmbp_1` keeps the strike and right
 * (`fill_intensity` is 0 there: CMBP-1 has no fills).
 *
 * @module
 */
import {
  EQUITY_OPTION_SURFACE_SCHEMA,
  EQUITY_SURFACE_SCHEMA,
  type EquityOptionSurfaceBatch,
  type EquitySurfaceBatch,
  SIDE_ASK,
  SIDE_BID,
  type SilverWindow,
} from "./columns.ts";
import { int64Words } from "../lake/columns.ts";
import { allocSurface, headOf, newSurfaceStats, type SurfaceStats } from "./future_surface.ts";

/** Which intensity table an {@linkcode IntensitySurfaceEngine} writes. */
export type IntensityKind = "equity_mbo" | "equity_option_cmbp_1";

/** The batch type of an intensity kind. */
export type IntensityBatchOf<K extends IntensityKind> = K extends "equity_mbo" ? EquitySurfaceBatch
  : EquityOptionSurfaceBatch;

/**
 * Intensities per silver row: `add/fill/pull_intensity = qty / (depth_qty_start + 1)` and
 * `liquidity_velocity = add − pull − fill`. Rows without a spot or in a window silver marked
 * invalid are dropped (the gold filter).
 */
export class IntensitySurfaceEngine<K extends IntensityKind> {
  /** The table written. */
  readonly kind: K;
  /** Counters. */
  readonly stats: SurfaceStats = newSurfaceStats();
  #own: IntensityBatchOf<K> | null = null;

  /** An engine writing the `kind` table. */
  constructor(kind: K) {
    if (kind !== "equity_mbo" && kind !== "equity_option_cmbp_1") {
      throw new RangeError(`no intensity surface for '${kind}'`);
    }
    this.kind = kind;
  }

  /** The output schema. */
  get schema(): typeof EQUITY_SURFACE_SCHEMA | typeof EQUITY_OPTION_SURFACE_SCHEMA {
    return this.kind === "equity_mbo" ? EQUITY_SURFACE_SCHEMA : EQUITY_OPTION_SURFACE_SCHEMA;
  }

  /** One window: rows as views into a reused buffer (valid until the next call). */
  step(w: SilverWindow): IntensityBatchOf<K> {
    const need = w.end - w.start;
    if (!this.#own || this.#own.length < need) {
      this.#own = allocSurface<IntensityBatchOf<K>>(this.schema, Math.max(need, 256));
    }
    return headOf(this.#own, this.stepInto(w, this.#own, 0));
  }

  /** One window written into `out` from row `at` (room for `end − start` rows); rows written. */
  stepInto(w: SilverWindow, out: IntensityBatchOf<K>, at: number): number {
    const st = this.stats;
    st.windows++;
    const r = w.rows;
    st.rowsIn += w.end - w.start;
    const opt = this.kind === "equity_option_cmbp_1";
    const eo = out as EquityOptionSurfaceBatch, eq = out as EquitySurfaceBatch;
    if (w.end > w.start && opt && (!r.right || !r.strike_price_int || !r.strike_points)) {
      throw new Error(
        "equity option surface: the rows need right, strike_price_int, strike_points",
      );
    }
    if (w.end > w.start && !opt && !r.rel_ticks_side) {
      throw new Error("equity surface: the rows need rel_ticks_side");
    }
    const valid = r.window_valid;
    let o = at, noSpot = 0;
    // 64-bit columns read and copied as 32-bit words: no BigInt per row
    const spotW = int64Words(r.spot_ref_price_int), outSpot = int64Words(out.spot_ref_price_int);
    const strikeW = opt && r.strike_price_int ? int64Words(r.strike_price_int) : null;
    const outStrike = opt ? int64Words(eo.strike_price_int) : null;
    for (let i = w.start; i < w.end; i++) {
      const hi = spotW[2 * i + 1], sd = r.side[i];
      const noPrice = hi < 0 || (hi === 0 && spotW[2 * i] === 0); // spot ≤ 0
      if (noPrice || (sd !== SIDE_ASK && sd !== SIDE_BID)) {
        if (noPrice) noSpot++;
        st.rowsIgnored++;
        continue;
      }
      if (valid && valid[i] === 0) {
        st.invalidDropped++;
        continue;
      }
      const d = r.depth_qty_start[i] + 1;
      const a = r.add_qty[i] / d, f = r.fill_qty[i] / d, p = r.pull_qty[i] / d;
      out.add_intensity[o] = a;
      out.fill_intensity[o] = f;
      out.pull_intensity[o] = p;
      out.liquidity_velocity[o] = a - p - f;
      outSpot[2 * o] = spotW[2 * i];
      outSpot[2 * o + 1] = hi;
      out.rel_ticks[o] = r.rel_ticks[i];
      out.side[o] = sd;
      if (opt) {
        outStrike![2 * o] = strikeW![2 * i];
        outStrike![2 * o + 1] = strikeW![2 * i + 1];
        eo.strike_points[o] = r.strike_points![i];
        eo.right[o] = r.right![i];
      } else {
        eq.rel_ticks_side[o] = r.rel_ticks_side![i];
      }
      o++;
    }
    out.window_end_ts_ns.fill(w.window_end_ts_ns, at, o);
    out.event_ts_ns.fill(w.window_end_ts_ns, at, o);
    if (w.end > w.start && noSpot === w.end - w.start) st.windowsWithoutSpot++;
    if (o > at) st.windowsOut++;
    st.rowsOut += o - at;
    return o - at;
  }
}
