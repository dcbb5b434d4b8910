/**
 * The `future_mbo` physics surface (pipeline.md §4.3) as an incremental engine: fed one silver
 * window at a time, it returns that window's dense surface (both sides × every tick of
 * `[−G, G]`). The batch stage is a loop over this engine, so batch and stream are the same
 * numbers by construction.
 *
 * Rules (the original's behaviour where it is right, fixes where it is not; see
 * `docs/deviations.md`, "Gold"):
 * - a window is one time step when it has a spot (> 0) and silver marked it valid; other windows
 *   are skipped whole (no rows, the temporal state is held);
 * - every cell (side, rel_ticks) steps its EMAs once per step: a cell without a silver row in the
 *   window is an observation of zero velocity (silver writes a row for every price with depth or
 *   flow inside the grid). A cell starts at its first silver row (`y₀ = x₀`) and is all zeros
 *   before;
 * - the spatial smoothing runs per (window, side) frame over the whole lattice, cells without a
 *   row holding their carried state (0 for the instantaneous fields); beyond `±G` nothing is
 *   known, so the edge ticks use the kernel taps inside the lattice, renormalised.
 *
 * @module
 */
import {
  FUTURE_SURFACE_SCHEMA,
  type FutureSurfaceBatch,
  SIDE_ASK,
  SIDE_BID,
  type SilverWindow,
} from "./columns.ts";
import { int64Words } from "../lake/columns.ts";
import {
  emaAlpha,
  FAR_TICKS,
  gaussianKernel,
  NEAR_TICKS,
  type SmoothingKernel,
} from "./kernels.ts";
import { _allocColumn } from "../silver/_builder.ts";

/** Options of a {@linkcode FutureSurfaceEngine}. */
export interface FutureSurfaceOptions {
  /** Half-width `G` of the tick lattice (`grid_max_ticks` of the product). */
  grid: number;
}

/** Counters of a surface engine. */
export interface SurfaceStats {
  /** Windows fed. */
  windows: number;
  /** Windows that produced rows. */
  windowsOut: number;
  /** Windows dropped: no spot (null or ≤ 0). */
  windowsWithoutSpot: number;
  /** Windows (or option rows) dropped: silver `window_valid = false`. */
  invalidDropped: number;
  /** Silver rows read. */
  rowsIn: number;
  /** Silver rows ignored: outside the lattice, unknown side/right or no spot. */
  rowsIgnored: number;
  /** Gold rows written. */
  rowsOut: number;
}

/** A fresh {@linkcode SurfaceStats}. */
export function newSurfaceStats(): SurfaceStats {
  return {
    windows: 0,
    windowsOut: 0,
    windowsWithoutSpot: 0,
    invalidDropped: 0,
    rowsIn: 0,
    rowsIgnored: 0,
    rowsOut: 0,
  };
}

/** A batch of a surface schema with room for `capacity` rows (`length` = capacity). */
export function allocSurface<B extends { length: number }>(
  schema: Readonly<Record<string, "i64" | "f64" | "i32" | "u8">>,
  capacity: number,
): B {
  const out: Record<string, unknown> = { length: capacity };
  for (const [name, kind] of Object.entries(schema)) out[name] = _allocColumn(kind, capacity);
  return out as B;
}

/** The rows `[0, n)` of a surface batch, as views. */
export function headOf<B extends { length: number }>(b: B, n: number): B {
  const out: Record<string, unknown> = { length: n };
  for (const [k, v] of Object.entries(b)) {
    if (k !== "length") out[k] = (v as unknown as Uint8Array).subarray(0, n);
  }
  return out as B;
}

/** `1 / Σ taps inside [0, frame)` for every lattice point (normalised convolution). */
function edgeWeights(k: SmoothingKernel, frame: number): Float64Array {
  const out = new Float64Array(frame);
  for (let t = 0; t < frame; t++) {
    let w = 0;
    for (let j = -k.half; j <= k.half; j++) {
      if (t + j >= 0 && t + j < frame) w += k.taps[j + k.half];
    }
    out[t] = 1 / w;
  }
  return out;
}

const A2 = emaAlpha(2), A8 = emaAlpha(8), A32 = emaAlpha(32), A128 = emaAlpha(128);

/**
 * The `future_mbo` surface engine. {@linkcode FutureSurfaceEngine.step} takes one silver window
 * and returns its `2 × (2G + 1)` rows (side A then B, rel_ticks ascending) or none when the
 * window is skipped; {@linkcode FutureSurfaceEngine.stepInto} writes them into a caller's batch.
 *
 * @example Two windows of one bid level
 * ```ts
 * import { FutureSurfaceEngine } from "@spymaster/sdk/features";
 *
 * const eng = new FutureSurfaceEngine({ grid: 2 });
 * const row = (add: number) => ({
 *   side: new Uint8Array([66]), rel_ticks: new Int32Array([-1]), rel_ticks_side: new Int32Array([0]),
 *   spot_ref_price_int: new BigInt64Array([21_000_000_000_000n]),
 *   depth_qty_start: new Float64Array([0]), depth_qty_end: new Float64Array([add]),
 *   add_qty: new Float64Array([add]), pull_qty: new Float64Array(1), fill_qty: new Float64Array(1),
 *   depth_qty_rest: new Float64Array(1), window_valid: new Uint8Array([1]),
 * });
 * const spot = 21_000_000_000_000n;
 * eng.step({ window_end_ts_ns: 1_000_000_000n, spot_ref_price_int: spot, rows: row(3), start: 0, end: 1 });
 * const s = eng.step({ window_end_ts_ns: 2_000_000_000n, spot_ref_price_int: spot, rows: row(0), start: 0, end: 0 });
 * // bid (second frame), rel_ticks −1: EMA-2 of velocity 3 then an empty second: 3·e^{−1/2}
 * console.log(s.length, s.u_ema_2[5 + 1]); // 10 1.8195919791379003
 * ```
 */
export class FutureSurfaceEngine {
  /** Half-width `G` of the lattice. */
  readonly grid: number;
  /** Ticks per frame, `2G + 1`. */
  readonly frame: number;
  /** Most rows one window produces (`2 × frame`). */
  readonly maxRowsPerWindow: number;
  /** Counters. */
  readonly stats: SurfaceStats = newSurfaceStats();

  readonly #near: SmoothingKernel = gaussianKernel(NEAR_TICKS.sigma, NEAR_TICKS.half);
  readonly #far: SmoothingKernel = gaussianKernel(FAR_TICKS.sigma, FAR_TICKS.half);
  // per-window accumulation (cell = side·frame + t + G, side 0 = A, 1 = B)
  readonly #qStart: Float64Array;
  readonly #qEnd: Float64Array;
  readonly #qAdd: Float64Array;
  readonly #qPull: Float64Array;
  readonly #qFill: Float64Array;
  readonly #qRest: Float64Array;
  readonly #rts: Int32Array;
  readonly #present: Uint8Array;
  // temporal state per cell
  readonly #e2: Float64Array;
  readonly #e8: Float64Array;
  readonly #e32: Float64Array;
  readonly #e128: Float64Array;
  readonly #du: Float64Array;
  readonly #started: Uint8Array;
  readonly #list: Int32Array;
  readonly #d8: Float64Array;
  readonly #d32: Float64Array;
  // carried smoothed EMAs (u_near, u_far) and the window's scatter scratch
  readonly #u8: Float64Array;
  readonly #u32: Float64Array;
  readonly #sn8: Float64Array;
  readonly #sf32: Float64Array;
  readonly #sno: Float64Array;
  readonly #sfo: Float64Array;
  /** 1 / (sum of the in-lattice taps) per tick: 1 inside, > 1 at the lattice edges. */
  readonly #invNear: Float64Array;
  readonly #invFar: Float64Array;
  #own: FutureSurfaceBatch | null = null;

  /** An engine for a lattice of half-width `options.grid` ticks; all state starts at zero. */
  constructor(options: FutureSurfaceOptions) {
    const g = options.grid;
    if (!(Number.isInteger(g) && g > 0)) {
      throw new RangeError(`grid must be a positive integer, got ${g}`);
    }
    this.grid = g;
    this.frame = 2 * g + 1;
    this.maxRowsPerWindow = 2 * this.frame;
    const n = this.maxRowsPerWindow;
    this.#qStart = new Float64Array(n);
    this.#qEnd = new Float64Array(n);
    this.#qAdd = new Float64Array(n);
    this.#qPull = new Float64Array(n);
    this.#qFill = new Float64Array(n);
    this.#qRest = new Float64Array(n);
    this.#rts = new Int32Array(n);
    this.#present = new Uint8Array(n);
    this.#e2 = new Float64Array(n);
    this.#e8 = new Float64Array(n);
    this.#e32 = new Float64Array(n);
    this.#e128 = new Float64Array(n);
    this.#du = new Float64Array(n);
    this.#started = new Uint8Array(n);
    this.#list = new Int32Array(n);
    this.#d8 = new Float64Array(n);
    this.#d32 = new Float64Array(n);
    this.#u8 = new Float64Array(n);
    this.#u32 = new Float64Array(n);
    this.#sn8 = new Float64Array(n);
    this.#sf32 = new Float64Array(n);
    this.#sno = new Float64Array(n);
    this.#sfo = new Float64Array(n);
    this.#invNear = edgeWeights(this.#near, this.frame);
    this.#invFar = edgeWeights(this.#far, this.frame);
  }

  /**
   * One window: its rows as views into a buffer the engine reuses (valid until the next call;
   * copy to keep, never write into them). Length 0 when the window is skipped.
   */
  step(w: SilverWindow): FutureSurfaceBatch {
    this.#own ??= allocSurface<FutureSurfaceBatch>(FUTURE_SURFACE_SCHEMA, this.maxRowsPerWindow);
    return headOf(this.#own, this.stepInto(w, this.#own, 0));
  }

  /**
   * One window, written into `out` from row `at` (which needs room for
   * {@linkcode FutureSurfaceEngine.maxRowsPerWindow} rows). Returns the rows written.
   */
  stepInto(w: SilverWindow, out: FutureSurfaceBatch, at: number): number {
    const st = this.stats;
    st.windows++;
    const r = w.rows;
    st.rowsIn += w.end - w.start;
    let spot = w.spot_ref_price_int !== null && w.spot_ref_price_int > 0n
      ? w.spot_ref_price_int
      : 0n;
    if (spot === 0n) {
      // no snapshot spot: the first row with a spot (as the original re-attaches it)
      for (let i = w.start; i < w.end; i++) {
        if (r.spot_ref_price_int[i] > 0n) {
          spot = r.spot_ref_price_int[i];
          break;
        }
      }
    }
    if (spot === 0n) {
      st.windowsWithoutSpot++;
      st.rowsIgnored += w.end - w.start;
      return 0;
    }
    const valid = r.window_valid;
    if (valid) {
      for (let i = w.start; i < w.end; i++) {
        if (valid[i] === 0) {
          st.invalidDropped++;
          st.rowsIgnored += w.end - w.start;
          return 0;
        }
      }
    }
    const rest = r.depth_qty_rest, rtsIn = r.rel_ticks_side;
    if ((!rest || !rtsIn) && w.end > w.start) {
      throw new Error("future surface: the flow rows need depth_qty_rest and rel_ticks_side");
    }
    const G = this.grid, F = this.frame, n = this.maxRowsPerWindow;
    const qS = this.#qStart, qE = this.#qEnd, qA = this.#qAdd, qP = this.#qPull;
    const qF = this.#qFill, qR = this.#qRest, rts = this.#rts, present = this.#present;
    const list = this.#list;
    let np = 0;
    const relT = r.rel_ticks, sideIn = r.side, spotIn = r.spot_ref_price_int;
    const dS = r.depth_qty_start, dE = r.depth_qty_end, aQ = r.add_qty, pQ = r.pull_qty;
    const fQ = r.fill_qty;
    const spot32 = int64Words(spotIn); // `spot ≤ 0` without a BigInt per row
    for (let i = w.start; i < w.end; i++) {
      const t = relT[i], sd = sideIn[i], hi = spot32[2 * i + 1];
      if (
        t < -G || t > G || (sd !== SIDE_ASK && sd !== SIDE_BID) ||
        hi < 0 || (hi === 0 && spot32[2 * i] === 0)
      ) {
        st.rowsIgnored++;
        continue;
      }
      const c = (sd === SIDE_ASK ? 0 : F) + t + G;
      if (present[c]) {
        qS[c] += dS[i];
        qE[c] += dE[i];
        qA[c] += aQ[i];
        qP[c] += pQ[i];
        qF[c] += fQ[i];
        qR[c] += rest![i];
      } else {
        present[c] = 1;
        list[np++] = c;
        qS[c] = dS[i];
        qE[c] = dE[i];
        qA[c] = aQ[i];
        qP[c] = pQ[i];
        qF[c] = fQ[i];
        qR[c] = rest![i];
        rts[c] = rtsIn![i];
      }
    }

    const addI = out.add_intensity, fillI = out.fill_intensity, pullI = out.pull_intensity;
    const vel = out.liquidity_velocity;
    const o2 = out.u_ema_2, o8 = out.u_ema_8, o32 = out.u_ema_32, o128 = out.u_ema_128;
    const bf = out.u_band_fast, bm = out.u_band_mid, bs = out.u_band_slow, en = out.u_wave_energy;
    const dut = out.du_dt, d2t = out.d2u_dt2, rho = out.rho, phi = out.phi_rest;
    const up = out.u_p, ups = out.u_p_slow, om = out.Omega, rs = out.rel_ticks_side;
    const e2 = this.#e2, e8 = this.#e8, e32 = this.#e32, e128 = this.#e128;
    const duS = this.#du, started = this.#started, d8 = this.#d8, d32 = this.#d32;
    // A cell that never had a row writes zeros in every per-cell field. In the engine's own
    // buffer (`step`) those rows already hold zeros (fresh buffer, and a cell that has not
    // started never wrote anything else), so they are skipped there.
    const clean = out === this.#own && at === 0;
    for (let c = 0; c < n; c++) {
      const here = present[c] === 1;
      if (clean && !here && started[c] === 0) continue;
      const o = at + c;
      let x = 0, ph = 0, rh = 0;
      if (here) {
        const d = qS[c] + 1;
        const a = qA[c] / d, f = qF[c] / d, p = qP[c] / d;
        x = a - p - f;
        addI[o] = a;
        fillI[o] = f;
        pullI[o] = p;
        rh = Math.log1p(qE[c]);
        ph = qR[c] / (qE[c] + 1);
        rs[o] = rts[c];
      } else {
        addI[o] = 0;
        fillI[o] = 0;
        pullI[o] = 0;
        rs[o] = 0;
      }
      rho[o] = rh;
      phi[o] = ph;
      vel[o] = x;
      let y2: number, y8: number, y32: number, y128: number, du: number, d2: number;
      if (started[c]) {
        const old2 = e2[c];
        y2 = (1 - A2) * old2 + A2 * x;
        y8 = (1 - A8) * e8[c] + A8 * x;
        y32 = (1 - A32) * e32[c] + A32 * x;
        y128 = (1 - A128) * e128[c] + A128 * x;
        du = y2 - old2;
        d2 = du - duS[c];
        if (here) {
          d8[c] = A8 * x;
          d32[c] = A32 * x;
        }
      } else if (here) {
        started[c] = 1;
        y2 =
          y8 =
          y32 =
          y128 =
            x;
        du = d2 = 0;
        d8[c] = x;
        d32[c] = x;
      } else {
        y2 =
          y8 =
          y32 =
          y128 =
          du =
          d2 =
            0;
      }
      e2[c] = y2;
      e8[c] = y8;
      e32[c] = y32;
      e128[c] = y128;
      duS[c] = du;
      o2[o] = y2;
      o8[o] = y8;
      o32[o] = y32;
      o128[o] = y128;
      const fast = y2 - y8, mid = y8 - y32, slow = y32 - y128;
      bf[o] = fast;
      bm[o] = mid;
      bs[o] = slow;
      en[o] = Math.sqrt(fast * fast + mid * mid + slow * slow);
      dut[o] = du;
      d2t[o] = d2;
      const p8 = ph * y8, p32 = ph * y32;
      up[o] = p8;
      ups[o] = p32;
      om[o] = rh * (0.5 + 0.5 * ph) * (1 + (p32 > 0 ? p32 : 0));
    }

    // Smoothing. The kernels are linear and every started cell's EMA decays by the same factor,
    // so smooth(ema_new) = (1 − α)·smooth(ema_old) + smooth(Δ), Δ non-zero only at the cells
    // with a row: the smoothed EMAs are carried and only the rows of the window are scattered.
    // Omega is zero off the rows, so its smoothing is a scatter of the rows too.
    const sn8 = this.#sn8, sf32 = this.#sf32, sno = this.#sno, sfo = this.#sfo;
    sn8.fill(0);
    sf32.fill(0);
    sno.fill(0);
    sfo.fill(0);
    const nt = this.#near.taps, ft = this.#far.taps, N = this.#near.half, M = this.#far.half;
    // Most rows of a window are resting levels without flow (velocity 0: no EMA increment) or
    // levels emptied in the window (Omega 0): only the non-zero contributions are scattered.
    for (let q = 0; q < np; q++) {
      const c = list[q];
      const base = c < F ? 0 : F, k = c - base;
      const v8 = d8[c], v32 = d32[c], vo = om[at + c];
      const lo = k - N < 0 ? 0 : k - N, hi = k + N > F - 1 ? F - 1 : k + N;
      const lo2 = k - M < 0 ? 0 : k - M, hi2 = k + M > F - 1 ? F - 1 : k + M;
      const flow = v8 !== 0 || v32 !== 0;
      if (flow && vo !== 0) {
        for (let t = lo; t <= hi; t++) {
          const wgt = nt[t - k + N];
          sn8[base + t] += wgt * v8;
          sno[base + t] += wgt * vo;
        }
        for (let t = lo2; t <= hi2; t++) {
          const wgt = ft[t - k + M];
          sf32[base + t] += wgt * v32;
          sfo[base + t] += wgt * vo;
        }
      } else if (flow) {
        for (let t = lo; t <= hi; t++) sn8[base + t] += nt[t - k + N] * v8;
        for (let t = lo2; t <= hi2; t++) sf32[base + t] += ft[t - k + M] * v32;
      } else if (vo !== 0) {
        for (let t = lo; t <= hi; t++) sno[base + t] += nt[t - k + N] * vo;
        for (let t = lo2; t <= hi2; t++) sfo[base + t] += ft[t - k + M] * vo;
      }
      present[c] = 0;
      d8[c] = 0;
      d32[c] = 0;
    }
    const u8 = this.#u8, u32 = this.#u32, iwn = this.#invNear, iwf = this.#invFar;
    const un = out.u_near, uf = out.u_far, onr = out.Omega_near, ofr = out.Omega_far;
    for (let c = 0; c < n; c++) {
      const k = c < F ? c : c - F, o = at + c;
      const a = (1 - A8) * u8[c] + sn8[c] * iwn[k];
      const b = (1 - A32) * u32[c] + sf32[c] * iwf[k];
      u8[c] = a;
      u32[c] = b;
      un[o] = a;
      uf[o] = b;
      onr[o] = sno[c] * iwn[k];
      ofr[o] = sfo[c] * iwf[k];
    }
    const pr = out.u_prom, opr = out.Omega_prom, dx = out.du_dx, d2x = out.d2u_dx2;
    const nu = out.nu, kap = out.kappa, pg = out.pressure_grad;
    for (let s = 0; s < 2; s++) {
      const f0 = at + s * F;
      const sign = s === 0 ? -1 : 1;
      for (let k = 0; k < F; k++) {
        const o = f0 + k;
        pr[o] = un[o] - uf[o];
        const op = onr[o] - ofr[o];
        opr[o] = op;
        if (k === 0 || k === F - 1) {
          dx[o] = 0;
          d2x[o] = 0;
        } else {
          dx[o] = (un[o + 1] - un[o - 1]) * 0.5;
          d2x[o] = un[o + 1] - 2 * un[o] + un[o - 1];
        }
        const v = 1 + onr[o] + 2 * (op > 0 ? op : 0);
        nu[o] = v;
        kap[o] = 1 / v;
        pg[o] = sign * up[o];
      }
    }
    out.window_end_ts_ns.fill(w.window_end_ts_ns, at, at + n);
    out.event_ts_ns.fill(w.window_end_ts_ns, at, at + n);
    out.spot_ref_price_int.fill(spot, at, at + n);
    const rt = out.rel_ticks, sd = out.side;
    for (let c = 0; c < n; c++) {
      const o = at + c;
      rt[o] = (c < F ? c : c - F) - G;
      sd[o] = c < F ? SIDE_ASK : SIDE_BID;
    }
    st.windowsOut++;
    st.rowsOut += n;
    return n;
  }
}
