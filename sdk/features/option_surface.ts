/**
 * The `future_option_mbo` strike-lattice surface (pipeline.md §4.4) as an incremental engine, one
 * silver window (the dense strike grid of that second) at a time.
 *
 * - strikes are referenced to `strike_ref = RHU_step(spot, strike_step)`; a strike off the step
 *   grid is an error; `rel_strike = (strike − strike_ref) / step`;
 * - the temporal state lives per absolute cell (strike, right, side) and steps on every window
 *   in which the cell has a (valid) silver row: silver's grid is dense, so this is once per
 *   second while the strike is within `±max_strike_offsets` of spot; outside, nothing is
 *   observed and the state is held (the original's behaviour);
 * - the smoothing runs per (window, right, side) frame over the grid's own lattice
 *   `[−max_strike_offsets, +max_strike_offsets]` with the edge taps renormalised, so outer
 *   strikes are smoothed like inner ones for every product (the original used
 *   `RHE(G / strike_ticks)`, which zeroes the outer strikes of SI/GC/CL/6E, §9 item 9).
 *
 * @module
 */
import {
  OPTION_SURFACE_SCHEMA,
  type OptionSurfaceBatch,
  RIGHT_CALL,
  RIGHT_PUT,
  SIDE_ASK,
  SIDE_BID,
  type SilverWindow,
} from "./columns.ts";
import { int64At, int64Words } from "../lake/columns.ts";
import {
  emaAlpha,
  FAR_TICKS,
  NEAR_TICKS,
  type SmoothingKernel,
  smoothPair,
  strikeKernel,
} from "./kernels.ts";
import { allocSurface, headOf, newSurfaceStats, type SurfaceStats } from "./future_surface.ts";

/** Options of an {@linkcode OptionSurfaceEngine} (from the product's `config/products.yaml`). */
export interface OptionSurfaceOptions {
  /** Tick of the underlying future, 1e-9 units (`tick_int`). */
  tickInt: number;
  /** Strike step, 1e-9 units (`strike_step_int`). */
  strikeStepInt: number;
  /** Strike offsets either side of spot on silver's grid (`max_strike_offsets`). */
  maxStrikeOffsets: number;
}

const A2 = emaAlpha(2), A8 = emaAlpha(8), A32 = emaAlpha(32), A128 = emaAlpha(128);

/** `floor((x + floor(s/2)) / s) · s`, ties up (strike references, §0). */
export function rhuStep(x: number, s: number): number {
  return Math.floor((x + Math.floor(s / 2)) / s) * s;
}

/**
 * The `future_option_mbo` surface engine: {@linkcode OptionSurfaceEngine.step} takes one window
 * of silver's strike grid and returns its rows ordered (right C, P; side A, B; strike ↑).
 */
export class OptionSurfaceEngine {
  /** Ticks per strike step (`ST`). */
  readonly strikeTicks: number;
  /** Lattice half-width (strike offsets). */
  readonly half: number;
  /** Most rows one window produces: 4 frames × `2·half + 1` strikes. */
  readonly maxRowsPerWindow: number;
  /** Counters. */
  readonly stats: SurfaceStats = newSurfaceStats();
  /** The strike-lattice near kernel (σ 6 ticks, half-width 16 ticks, in strike steps). */
  readonly near: SmoothingKernel;
  /** The strike-lattice far kernel (σ 24 ticks, half-width 64 ticks, in strike steps). */
  readonly far: SmoothingKernel;

  readonly #step: number;
  readonly #L: number;
  // per-window lattice scratch (cell = frame·L + rel_strike + half)
  readonly #row: Int32Array;
  readonly #qS: Float64Array;
  readonly #qE: Float64Array;
  readonly #qA: Float64Array;
  readonly #qP: Float64Array;
  readonly #qF: Float64Array;
  readonly #qR: Float64Array;
  readonly #slot: Int32Array;
  readonly #e8: Float64Array;
  readonly #e32: Float64Array;
  readonly #om: Float64Array;
  readonly #sn8: Float64Array;
  readonly #sf32: Float64Array;
  readonly #snO: Float64Array;
  readonly #sfO: Float64Array;
  // temporal state per absolute cell (slot·4 + frame)
  readonly #slots = new Map<number, number>();
  #s2 = new Float64Array(0);
  #s8 = new Float64Array(0);
  #s32 = new Float64Array(0);
  #s128 = new Float64Array(0);
  #sdu = new Float64Array(0);
  #own: OptionSurfaceBatch | null = null;

  /** An engine for one futures-option chain (strike step a whole number of ticks). */
  constructor(options: OptionSurfaceOptions) {
    const { tickInt, strikeStepInt, maxStrikeOffsets } = options;
    if (!(tickInt > 0) || !(strikeStepInt > 0) || strikeStepInt % tickInt !== 0) {
      throw new RangeError(
        `strike step ${strikeStepInt} must be a positive multiple of the tick ${tickInt}`,
      );
    }
    if (!(Number.isInteger(maxStrikeOffsets) && maxStrikeOffsets > 0)) {
      throw new RangeError(`maxStrikeOffsets must be a positive integer, got ${maxStrikeOffsets}`);
    }
    this.#step = strikeStepInt;
    this.strikeTicks = strikeStepInt / tickInt;
    this.half = maxStrikeOffsets;
    this.#L = 2 * maxStrikeOffsets + 1;
    this.maxRowsPerWindow = 4 * this.#L;
    this.near = strikeKernel(NEAR_TICKS.sigma, NEAR_TICKS.half, this.strikeTicks);
    this.far = strikeKernel(FAR_TICKS.sigma, FAR_TICKS.half, this.strikeTicks);
    const n = this.maxRowsPerWindow;
    this.#row = new Int32Array(n);
    this.#qS = new Float64Array(n);
    this.#qE = new Float64Array(n);
    this.#qA = new Float64Array(n);
    this.#qP = new Float64Array(n);
    this.#qF = new Float64Array(n);
    this.#qR = new Float64Array(n);
    this.#slot = new Int32Array(n);
    this.#e8 = new Float64Array(n);
    this.#e32 = new Float64Array(n);
    this.#om = new Float64Array(n);
    this.#sn8 = new Float64Array(n);
    this.#sf32 = new Float64Array(n);
    this.#snO = new Float64Array(n);
    this.#sfO = new Float64Array(n);
  }

  #slotOf(strike: number): number {
    let s = this.#slots.get(strike);
    if (s === undefined) {
      s = this.#slots.size;
      this.#slots.set(strike, s);
      if ((s + 1) * 4 > this.#s2.length) {
        const grow = (a: Float64Array) => {
          const b = new Float64Array(Math.max(64, a.length * 2));
          b.set(a);
          return b;
        };
        this.#s2 = grow(this.#s2);
        this.#s8 = grow(this.#s8);
        this.#s32 = grow(this.#s32);
        this.#s128 = grow(this.#s128);
        this.#sdu = grow(this.#sdu);
      }
      // a new cell: NaN marks "not started" in the EMA-2 state
      for (let f = 0; f < 4; f++) this.#s2[s * 4 + f] = NaN;
    }
    return s;
  }

  /** One window: rows as views into a reused buffer (valid until the next call). */
  step(w: SilverWindow): OptionSurfaceBatch {
    this.#own ??= allocSurface<OptionSurfaceBatch>(OPTION_SURFACE_SCHEMA, this.maxRowsPerWindow);
    return headOf(this.#own, this.stepInto(w, this.#own, 0));
  }

  /** One window written into `out` from row `at`; returns the rows written. */
  stepInto(w: SilverWindow, out: OptionSurfaceBatch, at: number): number {
    const st = this.stats;
    st.windows++;
    const r = w.rows;
    st.rowsIn += w.end - w.start;
    const { right, strike_price_int: strikes, strike_points: points } = r;
    if ((!right || !strikes || !points) && w.end > w.start) {
      throw new Error("option surface: the flow rows need right, strike_price_int, strike_points");
    }
    const L = this.#L, H = this.half, n = this.maxRowsPerWindow, step = this.#step;
    const row = this.#row;
    row.fill(-1);
    const qS = this.#qS, qE = this.#qE, qA = this.#qA, qP = this.#qP, qF = this.#qF, qR = this.#qR;
    qS.fill(0);
    qE.fill(0);
    qA.fill(0);
    qP.fill(0);
    qF.fill(0);
    qR.fill(0);
    const rest = r.depth_qty_rest, valid = r.window_valid;
    let spotRow = -1, any = false;
    // spots and strikes as numbers without a BigInt per row
    const spotW = int64Words(r.spot_ref_price_int);
    const strikeW = strikes ? int64Words(strikes) : null;
    for (let i = w.start; i < w.end; i++) {
      const spot = int64At(spotW, i);
      const rt = right![i], sd = r.side[i];
      if (
        spot <= 0 || (rt !== RIGHT_CALL && rt !== RIGHT_PUT) ||
        (sd !== SIDE_ASK && sd !== SIDE_BID)
      ) {
        st.rowsIgnored++;
        continue;
      }
      if (valid && valid[i] === 0) {
        st.invalidDropped++;
        continue;
      }
      const strike = int64At(strikeW!, i);
      const ref = rhuStep(spot, step);
      const d = strike - ref;
      if (d % step !== 0) {
        throw new Error(
          `option surface: strike ${strike} is not on the ${step} step grid (window ${w.window_end_ts_ns})`,
        );
      }
      const k = d / step;
      if (k < -H || k > H) {
        st.rowsIgnored++;
        continue;
      }
      const c = ((rt === RIGHT_CALL ? 0 : 2) + (sd === SIDE_ASK ? 0 : 1)) * L + k + H;
      if (row[c] < 0) {
        row[c] = i;
        this.#slot[c] = this.#slotOf(strike);
      }
      qS[c] += r.depth_qty_start[i];
      qE[c] += r.depth_qty_end[i];
      qA[c] += r.add_qty[i];
      qP[c] += r.pull_qty[i];
      qF[c] += r.fill_qty[i];
      if (rest) qR[c] += rest[i];
      if (spotRow < 0) spotRow = i;
      any = true;
    }
    if (!any) {
      if (w.end === w.start || spotRow < 0) st.windowsWithoutSpot++;
      return 0;
    }
    const spot = w.spot_ref_price_int !== null && w.spot_ref_price_int > 0n
      ? w.spot_ref_price_int
      : r.spot_ref_price_int[spotRow];

    const e8 = this.#e8, e32 = this.#e32, om = this.#om;
    e8.fill(0);
    e32.fill(0);
    om.fill(0);
    const s2 = this.#s2, s8 = this.#s8, s32 = this.#s32, s128 = this.#s128, sdu = this.#sdu;
    // first pass: per-cell values into the output rows, lattice fields into the scratch
    let o = at;
    const addI = out.add_intensity, fillI = out.fill_intensity, pullI = out.pull_intensity;
    const vel = out.liquidity_velocity, rho = out.rho_opt, phi = out.phi_rest_opt;
    const o2 = out.u_opt_ema_2, o8 = out.u_opt_ema_8, o32 = out.u_opt_ema_32;
    const o128 = out.u_opt_ema_128;
    for (let c = 0; c < n; c++) {
      const i = row[c];
      if (i < 0) continue;
      const d = qS[c] + 1;
      const a = qA[c] / d, f = qF[c] / d, p = qP[c] / d;
      const x = a - p - f;
      addI[o] = a;
      fillI[o] = f;
      pullI[o] = p;
      vel[o] = x;
      const rh = Math.log1p(qE[c]);
      const ph = qR[c] / (qE[c] + 1);
      rho[o] = rh;
      phi[o] = ph;
      const z = this.#slot[c] * 4 + ((c / L) | 0);
      let y2: number, y8: number, y32: number, y128: number, du: number, d2: number;
      if (Number.isNaN(s2[z])) {
        y2 =
          y8 =
          y32 =
          y128 =
            x;
        du = d2 = 0;
      } else {
        const old = s2[z];
        y2 = (1 - A2) * old + A2 * x;
        y8 = (1 - A8) * s8[z] + A8 * x;
        y32 = (1 - A32) * s32[z] + A32 * x;
        y128 = (1 - A128) * s128[z] + A128 * x;
        du = y2 - old;
        d2 = du - sdu[z];
      }
      s2[z] = y2;
      s8[z] = y8;
      s32[z] = y32;
      s128[z] = y128;
      sdu[z] = du;
      o2[o] = y2;
      o8[o] = y8;
      o32[o] = y32;
      o128[o] = y128;
      const fast = y2 - y8, mid = y8 - y32, slow = y32 - y128;
      out.u_opt_band_fast[o] = fast;
      out.u_opt_band_mid[o] = mid;
      out.u_opt_band_slow[o] = slow;
      out.u_opt_wave_energy[o] = Math.sqrt(fast * fast + mid * mid + slow * slow);
      out.du_opt_dt[o] = du;
      out.d2u_opt_dt2[o] = d2;
      const p8 = ph * y8, p32 = ph * y32;
      out.u_opt_p[o] = p8;
      out.u_opt_p_slow[o] = p32;
      const omega = rh * (0.5 + 0.5 * ph) * (1 + (p32 > 0 ? p32 : 0));
      out.Omega_opt[o] = omega;
      e8[c] = y8;
      e32[c] = y32;
      om[c] = omega;
      out.strike_price_int[o] = strikes![i];
      out.strike_points[o] = points![i];
      out.rel_ticks[o] = r.rel_ticks[i];
      out.right[o] = c < 2 * L ? RIGHT_CALL : RIGHT_PUT;
      out.side[o] = ((c / L) | 0) % 2 === 0 ? SIDE_ASK : SIDE_BID;
      o++;
    }
    // lattice smoothing per frame, then the spatial fields of the present cells
    const sn8 = this.#sn8, sf32 = this.#sf32, snO = this.#snO, sfO = this.#sfO;
    for (let f = 0; f < 4; f++) {
      smoothPair(this.near, e8, om, f * L, L, sn8, snO, f * L);
      smoothPair(this.far, e32, om, f * L, L, sf32, sfO, f * L);
    }
    const ST = this.strikeTicks;
    o = at;
    for (let c = 0; c < n; c++) {
      if (row[c] < 0) continue;
      const k = c % L;
      const un = sn8[c], uf = sf32[c], onr = snO[c], ofr = sfO[c];
      out.u_opt_near[o] = un;
      out.u_opt_far[o] = uf;
      out.u_opt_prom[o] = un - uf;
      out.Omega_opt_near[o] = onr;
      out.Omega_opt_far[o] = ofr;
      const op = onr - ofr;
      out.Omega_opt_prom[o] = op;
      if (k === 0 || k === L - 1) {
        out.du_opt_dx[o] = 0;
        out.d2u_opt_dx2[o] = 0;
      } else {
        out.du_opt_dx[o] = (sn8[c + 1] - sn8[c - 1]) / (2 * ST);
        out.d2u_opt_dx2[o] = (sn8[c + 1] - 2 * un + sn8[c - 1]) / (ST * ST);
      }
      const v = 1 + onr + 2 * (op > 0 ? op : 0);
      out.nu_opt[o] = v;
      out.kappa_opt[o] = 1 / v;
      out.pressure_grad_opt[o] = out.side[o] === SIDE_BID ? out.u_opt_p[o] : -out.u_opt_p[o];
      o++;
    }
    const rows = o - at;
    out.window_end_ts_ns.fill(w.window_end_ts_ns, at, o);
    out.event_ts_ns.fill(w.window_end_ts_ns, at, o);
    out.spot_ref_price_int.fill(spot, at, o);
    st.windowsOut++;
    st.rowsOut += rows;
    return rows;
  }
}
