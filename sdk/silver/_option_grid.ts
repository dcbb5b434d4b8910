// The dense strike grid of the option silver tables: per window, strikes strike_ref + o·step for
// o in [-K, K] (strike_ref = spot rounded half up to the step), × rights C, P × sides A, B, each
// cell summing the instruments listed at that strike and right.

import { _Builder } from "./_builder.ts";
import { OPTION_FLOW_SCHEMA } from "./columns.ts";
import { floorDiv, put64, rhuStep, secHi, secLo } from "./_math.ts";

const R_CALL = 67, R_PUT = 80;
const S_ASK = 65, S_BID = 66;

/**
 * Quantities of one instrument side for the window being emitted, written into `out` as
 * [end, add, pull, pull_rest, fill, rest]; returns false when the instrument's book is not valid.
 */
export type _CellQty = (slot: number, side: number, out: Float64Array) => boolean;

export class _OptionGrid {
  readonly unit: number;
  readonly step: number;
  readonly k: number;
  readonly flow = new _Builder(OPTION_FLOW_SCHEMA, 1 << 14);
  /** strike → [call slots, put slots] */
  readonly #byStrike = new Map<number, [number[], number[]]>();
  /** Instruments whose strike is not a multiple of the step (never on the grid). */
  offGrid = 0;
  rows = 0;
  readonly #q = new Float64Array(6);

  constructor(unit: number, step: number, k: number) {
    for (
      const [name, v] of [["unit", unit], ["strike step", step], ["max strike offsets", k]] as const
    ) {
      if (!(Number.isInteger(v) && v > 0)) {
        throw new RangeError(`option grid: ${name} must be a positive integer, got ${v}`);
      }
    }
    this.unit = unit;
    this.step = step;
    this.k = k;
  }

  /** Lists instrument slot `slot` at (strike, right). */
  register(slot: number, right: number, strike: number): void {
    if (right !== R_CALL && right !== R_PUT) return;
    if (strike % this.step !== 0) {
      this.offGrid++;
      return;
    }
    let cell = this.#byStrike.get(strike);
    if (cell === undefined) {
      cell = [[], []];
      this.#byStrike.set(strike, cell);
    }
    cell[right === R_CALL ? 0 : 1].push(slot);
  }

  /** Writes the (2K+1)·4 grid rows of the window ending at second `k`. */
  emit(k: number, spot: number, qty: _CellQty): void {
    const wsLo = secLo(k - 1), wsHi = secHi(k - 1), weLo = secLo(k), weHi = secHi(k);
    const ref = rhuStep(spot, this.step);
    const fb = this.flow;
    fb.reserve((2 * this.k + 1) * 4);
    const c = fb.cols, w = fb.w;
    const q = this.#q;
    const none: number[] = [];
    for (let o = -this.k; o <= this.k; o++) {
      const strike = ref + o * this.step;
      const cell = this.#byStrike.get(strike);
      const rel = floorDiv(strike - spot, this.unit);
      for (let ri = 0; ri < 2; ri++) {
        const slots = cell === undefined ? none : cell[ri];
        for (let si = 0; si < 2; si++) {
          const side = si === 0 ? S_ASK : S_BID;
          let end = 0, add = 0, pull = 0, pullRest = 0, fill = 0, rest = 0;
          let valid = spot > 0;
          for (const s of slots) {
            if (!qty(s, side, q)) valid = false;
            end += q[0];
            add += q[1];
            pull += q[2];
            pullRest += q[3];
            fill += q[4];
            rest += q[5];
          }
          const start = end - add + pull + fill;
          const r = fb.n++;
          const r2 = r << 1;
          w.window_start_ts_ns[r2] = wsLo;
          w.window_start_ts_ns[r2 + 1] = wsHi;
          w.window_end_ts_ns[r2] = weLo;
          w.window_end_ts_ns[r2 + 1] = weHi;
          put64(w.strike_price_int, r, strike);
          (c.strike_points as Float64Array)[r] = strike * 1e-9;
          (c.right as Uint8Array)[r] = ri === 0 ? R_CALL : R_PUT;
          (c.side as Uint8Array)[r] = side;
          put64(w.spot_ref_price_int, r, spot);
          (c.rel_ticks as Int32Array)[r] = rel;
          (c.depth_qty_start as Float64Array)[r] = start;
          (c.depth_qty_end as Float64Array)[r] = end;
          (c.add_qty as Float64Array)[r] = add;
          (c.pull_qty as Float64Array)[r] = pull;
          (c.pull_qty_rest as Float64Array)[r] = pullRest;
          (c.fill_qty as Float64Array)[r] = fill;
          (c.depth_qty_rest as Float64Array)[r] = Math.min(rest, end);
          (c.window_valid as Uint8Array)[r] = valid ? 1 : 0;
          (c.accounting_identity_valid as Uint8Array)[r] =
            Math.abs(start + add - pull - fill - end) < 0.01 && start >= 0 ? 1 : 0;
        }
      }
    }
    this.rows += (2 * this.k + 1) * 4;
  }
}
