/**
 * The beta/gamma fit (pipeline.md §5.4) and the baselines fitted on the same training windows.
 *
 * Model, without intercept: `v_{t+1} = a·v_t + b·x_t`, with `v_t = S_t − S_{t−1}` (spot in lattice
 * units) and `x_t = F_t(0)/(1 + ν_loc,t(0))` the window's drive. Least squares by the 2×2 normal
 * equations (the pseudo-inverse when they are singular), mapped to `γ = 1 − clip(a, 0, 1)`,
 * `β = max(0, b)`. Unlike the original, a sample needs three consecutive one-second windows (the
 * original paired rows across gaps).
 *
 * @module
 */
import { linearRegression } from "simple-statistics";

/** The windows of one day (or part of a day) in time order. */
export interface WindowSeries {
  /** Window end in whole seconds since the epoch. */
  sec: Float64Array;
  /** Spot in lattice units. */
  spot: Float64Array;
  /** Drive `F(0)/(1 + ν_loc(0))` of each window. */
  drive: Float64Array;
  /** Best-level order flow imbalance over the second ending at each window (NaN if unknown). */
  ofi: Float64Array;
}

/** Sums of the normal equations. */
export interface NormalSums {
  /** Σ v². */
  s11: number;
  /** Σ v·x. */
  s12: number;
  /** Σ x². */
  s22: number;
  /** Σ v·y. */
  t1: number;
  /** Σ x·y. */
  t2: number;
  /** Samples. */
  count: number;
}

/** Empty sums. */
export function emptySums(): NormalSums {
  return { s11: 0, s12: 0, s22: 0, t1: 0, t2: 0, count: 0 };
}

/**
 * Adds the samples of one series: for windows t−1, t, t+1 one second apart, `x1 = S_t − S_{t−1}`,
 * `x2 = drive_t`, `y = S_{t+1} − S_t`. Only windows with `sec` in `[from, to)` are origins `t`.
 */
export function addSamples(
  acc: NormalSums,
  s: WindowSeries,
  from = -Infinity,
  to = Infinity,
): NormalSums {
  const n = s.sec.length;
  for (let t = 1; t + 1 < n; t++) {
    const sec = s.sec[t];
    if (sec < from || sec >= to) continue;
    if (s.sec[t - 1] !== sec - 1 || s.sec[t + 1] !== sec + 1) continue;
    const x1 = s.spot[t] - s.spot[t - 1], x2 = s.drive[t], y = s.spot[t + 1] - s.spot[t];
    acc.s11 += x1 * x1;
    acc.s12 += x1 * x2;
    acc.s22 += x2 * x2;
    acc.t1 += x1 * y;
    acc.t2 += x2 * y;
    acc.count++;
  }
  return acc;
}

/** The regression coefficients and the mapped parameters. */
export interface BetaGamma {
  /** Velocity persistence coefficient. */
  a: number;
  /** Drive coefficient. */
  b: number;
  /** `max(0, b)`. */
  beta: number;
  /** `1 − clip(a, 0, 1)`. */
  gamma: number;
  /** Samples used. */
  samples: number;
  /** True when the normal equations were singular (pseudo-inverse used). */
  singular: boolean;
}

/** `γ = 1 − clip(a, 0, 1)`, `β = max(0, b)` (pipeline.md §5.4; §8.10 cases). */
export function mapCoefficients(a: number, b: number): { beta: number; gamma: number } {
  return { beta: Math.max(0, b), gamma: 1 - Math.min(1, Math.max(0, a)) };
}

/**
 * Solves the normal equations. Throws when there are no samples. A singular system (e.g. a drive
 * that is 0 everywhere, as for equity gold without the force fields) gets the minimum-norm least
 * squares solution, like numpy's `lstsq`.
 */
export function solveBetaGamma(m: NormalSums): BetaGamma {
  if (m.count === 0) {
    throw new Error("no training samples: need three consecutive one-second windows");
  }
  const det = m.s11 * m.s22 - m.s12 * m.s12;
  const scale = Math.max(m.s11 * m.s22, m.s12 * m.s12);
  let a: number, b: number, singular = false;
  if (scale > 0 && Math.abs(det) > 1e-12 * scale) {
    a = (m.t1 * m.s22 - m.t2 * m.s12) / det;
    b = (m.s11 * m.t2 - m.s12 * m.t1) / det;
  } else {
    // pseudo-inverse of the symmetric PSD matrix [[s11, s12], [s12, s22]] (rank ≤ 1):
    // A = λ·u·uᵀ with λ = s11 + s22, u = (s11, s12)/‖…‖ or (s12, s22)/‖…‖
    singular = true;
    const lam = m.s11 + m.s22;
    if (lam === 0) {
      a = 0;
      b = 0;
    } else {
      let ux = m.s11, uy = m.s12;
      if (ux === 0 && uy === 0) (ux = m.s12, uy = m.s22);
      const norm = Math.hypot(ux, uy);
      ux /= norm;
      uy /= norm;
      const proj = (ux * m.t1 + uy * m.t2) / lam;
      a = proj * ux;
      b = proj * uy;
    }
  }
  return { a, b, ...mapCoefficients(a, b), samples: m.count, singular };
}

/** Baseline models, fitted per horizon on the training windows. */
export interface Baselines {
  /** Horizons (seconds). */
  horizons: number[];
  /** Persistence: `Δ_h = k_h · v0` (least squares slope through the origin). */
  persistence: number[];
  /** Order-flow imbalance: `Δ_h = c_h + d_h · OFI` (ordinary least squares). */
  ofi: { intercept: number; slope: number; samples: number }[];
  /** Training samples per horizon (origins whose outcome is known). */
  samples: number[];
}

/**
 * Origins of a series: window `t` with its initial velocity (0 when the previous window is not
 * one second earlier, as in the engine) and, per horizon, the realised move `S_{t+h} − S_t`
 * (NaN when no window is exactly h seconds later).
 */
export function originsOf(
  s: WindowSeries,
  horizons: readonly number[],
  from = -Infinity,
  to = Infinity,
): { index: Int32Array; v0: Float64Array; actual: Float64Array[] } {
  const n = s.sec.length, idx: number[] = [];
  for (let t = 0; t < n; t++) if (s.sec[t] >= from && s.sec[t] < to) idx.push(t);
  const v0 = new Float64Array(idx.length);
  const actual = horizons.map(() => new Float64Array(idx.length).fill(NaN));
  idx.forEach((t, k) => {
    v0[k] = t > 0 && s.sec[t - 1] === s.sec[t] - 1 ? s.spot[t] - s.spot[t - 1] : 0;
    horizons.forEach((h, hi) => {
      // seconds ascend strictly: the window h seconds later, if any, is at most h rows ahead
      const target = s.sec[t] + h;
      let u = Math.min(t + h, n - 1);
      while (u > t && s.sec[u] > target) u--;
      if (u > t && s.sec[u] === target) actual[hi][k] = s.spot[u] - s.spot[t];
    });
  });
  return { index: Int32Array.from(idx), v0, actual };
}

/** A series with the part of it used (`[from, to)` in seconds). */
export interface SeriesPart {
  /** The windows. */
  series: WindowSeries;
  /** First second used (inclusive; default: all). */
  from?: number;
  /** End second (exclusive; default: all). */
  to?: number;
}

/** Fits the persistence and OFI baselines on the same training windows as the model. */
export function fitBaselines(parts: readonly SeriesPart[], horizons: readonly number[]): Baselines {
  const sxy = horizons.map(() => 0), sxx = horizons.map(() => 0);
  const pairs: [number, number][][] = horizons.map(() => []);
  const samples = horizons.map(() => 0);
  for (const p of parts) {
    const o = originsOf(p.series, horizons, p.from, p.to);
    horizons.forEach((_, hi) => {
      const act = o.actual[hi];
      for (let k = 0; k < act.length; k++) {
        const y = act[k];
        if (Number.isNaN(y)) continue;
        samples[hi]++;
        sxy[hi] += o.v0[k] * y;
        sxx[hi] += o.v0[k] * o.v0[k];
        const f = p.series.ofi[o.index[k]];
        if (Number.isFinite(f)) pairs[hi].push([f, y]);
      }
    });
  }
  return {
    horizons: [...horizons],
    persistence: horizons.map((_, hi) => sxx[hi] > 0 ? sxy[hi] / sxx[hi] : 0),
    ofi: pairs.map((xy) => {
      if (xy.length < 2 || xy.every(([x]) => x === xy[0][0])) {
        const mean = xy.length ? xy.reduce((s, [, y]) => s + y, 0) / xy.length : 0;
        return { intercept: mean, slope: 0, samples: xy.length };
      }
      const { m, b } = linearRegression(xy);
      return { intercept: b, slope: m, samples: xy.length };
    }),
    samples,
  };
}
