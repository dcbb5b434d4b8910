/**
 * The look-ahead force model of one window (serving.md §3.8, pipeline.md §5.2–5.3) as pure
 * functions over typed arrays on the product's lattice: window fields → smoothed obstacle field
 * (`Ω_total`, prominence, viscosity `ν`, `κ = 1/ν`) → force `F(δ)` and local damping `ν_loc(δ)` →
 * run diagnostics (`D`, `RunScore`) → the integrated forecast path.
 *
 * Arrays are indexed by lattice position `x + gridMax` for `x ∈ [−gridMax, gridMax]`. Nothing is
 * allocated per window: callers own a {@linkcode FieldScratch} and a {@linkcode WindowForecast}.
 *
 * @module
 */

/** Constants of the model (Appendix A of pipeline.md); distances are in lattice units. */
export const MODEL = {
  /** Force weights: `exp(−k²/2σ²)`, σ 12, k = 1..64, normalised over one side. */
  forceSigma: 12,
  forceRadius: 64,
  /** Damping weights: σ 6, k = 1..16, normalised over one side. */
  dampSigma: 6,
  dampRadius: 16,
  /** Options spread kernel: σ 8, half-width 24. */
  spreadSigma: 8,
  spreadRadius: 24,
  /** Near / far smoothing of `Ω_total`: σ 6 r 16 / σ 24 r 64. */
  nearSigma: 6,
  nearRadius: 16,
  farSigma: 24,
  farRadius: 64,
  /** Weight of the options obstacle field in `Ω_total`. */
  optionsWeight: 0.7,
  /** `D` threshold: first k with prominence ≥ 0.6 × the side's maximum. */
  dThreshold: 0.6,
  /** Diagnostic search range (k = 1..64). */
  diagRange: 64,
  /** Vacuum weights `exp(−k/16)`. */
  vacuumScale: 16,
  /** Velocity clip (lattice units per second). */
  velocityClip: 8,
  /** Displacement clip (lattice units). */
  deltaClip: 80,
} as const;

/**
 * Where the force and damping sample the field around a displacement `δ`:
 * `"j+delta"` (default) samples the neighbourhood of the particle, `x = j + δ`; `"j-delta"` is the
 * original's `x = j − δ`, the mirror image of that neighbourhood (serving.md §8 item 16), kept
 * only so that the Appendix A.1 parity vector can check the rest of the machinery.
 */
export type Neighbourhood = "j+delta" | "j-delta";

/** Round half to even (numpy `rint`). */
export function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Normalised Gaussian taps `exp(−j²/2σ²)`, j = −r..r (index j + r), summing to 1. */
export function gaussianKernel(sigma: number, radius: number): Float64Array {
  const k = new Float64Array(2 * radius + 1);
  let s = 0;
  for (let j = -radius; j <= radius; j++) {
    s += k[j + radius] = Math.exp(-(j * j) / (2 * sigma * sigma));
  }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/** One-sided weights `exp(−k²/2σ²)` for k = 1..r (index k; index 0 unused), summing to 1. */
export function sideWeights(sigma: number, radius: number): Float64Array {
  const w = new Float64Array(radius + 1);
  let s = 0;
  for (let k = 1; k <= radius; k++) s += w[k] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 1; k <= radius; k++) w[k] /= s;
  return w;
}

const SPREAD = gaussianKernel(MODEL.spreadSigma, MODEL.spreadRadius);
const NEAR = gaussianKernel(MODEL.nearSigma, MODEL.nearRadius);
const FAR = gaussianKernel(MODEL.farSigma, MODEL.farRadius);
const W_FORCE = sideWeights(MODEL.forceSigma, MODEL.forceRadius);
const W_DAMP = sideWeights(MODEL.dampSigma, MODEL.dampRadius);
const VACUUM_W = Float64Array.from(
  { length: MODEL.diagRange + 1 },
  (_, k) => Math.exp(-k / MODEL.vacuumScale),
);

/** The per-window inputs on the lattice (pipeline.md §5.2), all of length `2·gridMax + 1`. */
export interface WindowFields {
  /** Half-width of the lattice. */
  gridMax: number;
  /** Directional `pressure_grad` (ask side for x > 0, bid side for x < 0, 0 at x = 0). */
  gDir: Float64Array;
  /** Directional `u_near`. */
  uNearDir: Float64Array;
  /** Directional `u_p_slow`. */
  uPSlowDir: Float64Array;
  /** Directional `Omega` (futures/equity obstacle field). */
  omegaFut: Float64Array;
  /** `Σ Omega_opt` of the root's option rows per position, or `null` when there are none. */
  omegaOpt: Float64Array | null;
}

/** Allocates zeroed {@linkcode WindowFields} for a lattice half-width. */
export function newWindowFields(gridMax: number, withOptions = false): WindowFields {
  const n = 2 * gridMax + 1;
  return {
    gridMax,
    gDir: new Float64Array(n),
    uNearDir: new Float64Array(n),
    uPSlowDir: new Float64Array(n),
    omegaFut: new Float64Array(n),
    omegaOpt: withOptions ? new Float64Array(n) : null,
  };
}

/**
 * Derived fields of a window (reused between windows). `κ`, `ν` and the smoothed fields are
 * computed lazily, outward from the centre, as far as the force, the damping and the diagnostics
 * read them ({@linkcode FieldScratch.ensure}): most windows never move the particle far, and the
 * values computed are exactly those of the whole-lattice convolution.
 */
export class FieldScratch {
  /** Half-width of the lattice. */
  readonly gridMax: number;
  /** `Ω_fut + 0.70·spread(Ω_opt)` (whole lattice). */
  readonly omegaTotal: Float64Array;
  /** Options spread (whole lattice). */
  readonly spread: Float64Array;
  /** Near-smoothed `Ω_total` (σ 6, r 16). */
  readonly omegaNear: Float64Array;
  /** Far-smoothed `Ω_total` (σ 24, r 64). */
  readonly omegaFar: Float64Array;
  /** Prominence `near − far`. */
  readonly omegaProm: Float64Array;
  /** Viscosity `ν = 1 + near + 2·max(0, prom)`. */
  readonly nu: Float64Array;
  /** `1/ν`. */
  readonly kappa: Float64Array;
  #have = -1;

  /** Scratch for a lattice of half-width `gridMax`. */
  constructor(gridMax: number) {
    const n = 2 * gridMax + 1;
    this.gridMax = gridMax;
    this.omegaTotal = new Float64Array(n);
    this.spread = new Float64Array(n);
    this.omegaNear = new Float64Array(n);
    this.omegaFar = new Float64Array(n);
    this.omegaProm = new Float64Array(n);
    this.nu = new Float64Array(n);
    this.kappa = new Float64Array(n);
  }

  /** Starts a window: the smoothed fields are recomputed on demand. */
  reset(): void {
    this.#have = -1;
  }

  /** Makes `κ`, `ν`, near, far and prominence valid at positions `−radius..radius`. */
  ensure(radius: number): void {
    const G = this.gridMax, c = Math.min(G, radius);
    if (c <= this.#have) return;
    const from = this.#have + 1;
    this.#have = c;
    for (let a = from; a <= c; a++) {
      this.#at(a);
      if (a !== 0) this.#at(-a);
    }
  }

  #at(x: number): void {
    const G = this.gridMax, i = x + G, tot = this.omegaTotal;
    const near = smoothAt(tot, G, NEAR, x), far = smoothAt(tot, G, FAR, x);
    const prom = near - far;
    const nu = 1 + near + 2 * Math.max(0, prom);
    this.omegaNear[i] = near;
    this.omegaFar[i] = far;
    this.omegaProm[i] = prom;
    this.nu[i] = nu;
    this.kappa[i] = 1 / nu;
  }
}

/** `Σ_j k[j]·src[x + j]` over `|x + j| ≤ G` (zero padding). */
function smoothAt(src: Float64Array, G: number, kernel: Float64Array, x: number): number {
  const r = (kernel.length - 1) >> 1, base = x + G;
  if (x - r >= -G && x + r <= G) {
    // symmetric kernel: one multiply per pair of taps
    let s = kernel[r] * src[base];
    for (let j = 1; j <= r; j++) s += kernel[r + j] * (src[base + j] + src[base - j]);
    return s;
  }
  const jLo = Math.max(-r, -G - x), jHi = Math.min(r, G - x);
  let s = 0;
  for (let j = jLo; j <= jHi; j++) s += kernel[r + j] * src[base + j];
  return s;
}

/**
 * Starts the derived fields of a window in `s` (pipeline.md §5.2): `Ω_total` over the lattice
 * (the options spread is accumulated from the non-zero option positions only), then near/far,
 * prominence, `ν` and `κ` out to the diagnostics' and the resting force's reach.
 */
export function deriveFields(f: WindowFields, s: FieldScratch): void {
  const G = f.gridMax, n = 2 * G + 1, tot = s.omegaTotal, sp = s.spread;
  sp.fill(0);
  const o = f.omegaOpt;
  if (o) {
    const r = MODEL.spreadRadius;
    for (let p = 0; p < n; p++) {
      const v = o[p];
      if (v === 0) continue;
      const lo = Math.max(0, p - r), hi = Math.min(n - 1, p + r);
      for (let i = lo; i <= hi; i++) sp[i] += SPREAD[i - p + r] * v;
    }
  }
  const w = MODEL.optionsWeight;
  for (let i = 0; i < n; i++) tot[i] = f.omegaFut[i] + w * sp[i];
  s.reset();
  s.ensure(Math.max(MODEL.diagRange, MODEL.forceRadius + 1));
}

/** Linear interpolation at lattice index `idx` (fractional), clamped to the end values. */
function at(a: Float64Array, idx: number, last: number): number {
  if (idx <= 0) return a[0];
  if (idx >= last) return a[last];
  const i = Math.floor(idx), t = idx - i;
  return t === 0 ? a[i] : a[i] + t * (a[i + 1] - a[i]);
}

/** `sign`: +1 for `j + δ`, −1 for the original's `j − δ`. */
function shiftOf(delta: number, nb: Neighbourhood): number {
  return nb === "j+delta" ? delta : -delta;
}

/** Force `F(δ) = Σ_{j=±1..±64} wF(|j|)·κ̃(j ± δ)·g̃(j ± δ)`. */
export function forceAt(
  s: FieldScratch,
  gDir: Float64Array,
  delta: number,
  nb: Neighbourhood = "j+delta",
): number {
  const G = s.gridMax, last = 2 * G, shift = shiftOf(delta, nb), k = s.kappa;
  s.ensure(MODEL.forceRadius + Math.ceil(Math.abs(shift)) + 1);
  let f = 0;
  const R = MODEL.forceRadius;
  const fl = Math.floor(shift), t = shift - fl;
  // positions −R + shift .. R + shift: interior fast path when all (and the next point) are inside
  if (-R + fl + G > 0 && R + fl + 1 + G < last) {
    const b = fl + G;
    if (t === 0) {
      for (let j = 1; j <= R; j++) {
        const u = b + j, d = b - j;
        f += W_FORCE[j] * (k[u] * gDir[u] + k[d] * gDir[d]);
      }
    } else {
      for (let j = 1; j <= R; j++) {
        const u = b + j, d = b - j;
        const ku = k[u] + t * (k[u + 1] - k[u]), gu = gDir[u] + t * (gDir[u + 1] - gDir[u]);
        const kd = k[d] + t * (k[d + 1] - k[d]), gd = gDir[d] + t * (gDir[d + 1] - gDir[d]);
        f += W_FORCE[j] * (ku * gu + kd * gd);
      }
    }
    return f;
  }
  for (let j = 1; j <= R; j++) {
    const up = j + shift + G, dn = -j + shift + G;
    f += W_FORCE[j] * (at(k, up, last) * at(gDir, up, last) + at(k, dn, last) * at(gDir, dn, last));
  }
  return f;
}

/** Local damping `ν_loc(δ) = Σ_{j=±1..±16} wD(|j|)·ν̃(j ± δ)`. */
export function dampingAt(s: FieldScratch, delta: number, nb: Neighbourhood = "j+delta"): number {
  const G = s.gridMax, last = 2 * G, shift = shiftOf(delta, nb), nu = s.nu;
  s.ensure(MODEL.dampRadius + Math.ceil(Math.abs(shift)) + 1);
  let d = 0;
  for (let j = 1; j <= MODEL.dampRadius; j++) {
    d += W_DAMP[j] * (at(nu, j + shift + G, last) + at(nu, -j + shift + G, last));
  }
  return d;
}

/** Run diagnostics of one direction. */
export interface RunSide {
  /** First k whose prominence reaches 0.6 × the side's maximum (64, or the grid, if none). */
  d: number;
  /** Weighted mean of `max(0, −u_near)` over k = 1..D−1 (weights `exp(−k/16)`). */
  vacuum: number;
  /** `max(0, u_p_slow)` at D. */
  reinforce: number;
  /** `vacuum − reinforce`. */
  runScore: number;
}

/**
 * Diagnostics upward (`dir` +1) or downward (−1) from the centre (pipeline.md §5.3). The search
 * range is k = 1..min(64, gridMax).
 */
export function runSide(f: WindowFields, s: FieldScratch, dir: 1 | -1): RunSide {
  const G = f.gridMax, K = Math.min(MODEL.diagRange, G), prom = s.omegaProm;
  let w = -Infinity;
  for (let k = 1; k <= K; k++) w = Math.max(w, prom[G + dir * k]);
  const t = MODEL.dThreshold * w;
  let d = K;
  for (let k = 1; k <= K; k++) {
    if (prom[G + dir * k] >= t) {
      d = k;
      break;
    }
  }
  let num = 0, den = 0;
  for (let k = 1; k < d; k++) {
    const c = VACUUM_W[k];
    num += c * Math.max(0, -f.uNearDir[G + dir * k]);
    den += c;
  }
  const vacuum = den > 0 ? num / den : 0;
  const reinforce = Math.max(0, f.uPSlowDir[G + dir * d]);
  return { d, vacuum, reinforce, runScore: vacuum - reinforce };
}

/** Parameters of the integration. */
export interface ForecastParams {
  /** Force gain β ≥ 0. */
  beta: number;
  /** Velocity damping γ ∈ [0, 1]. */
  gamma: number;
  /** Horizons 1..horizon seconds are produced. */
  horizon: number;
  /** See {@linkcode Neighbourhood} (default `"j+delta"`). */
  neighbourhood?: Neighbourhood;
}

/** The forecast of one window (reused between windows). */
export class WindowForecast {
  /** Horizon H: `delta`/`confidence` hold horizons 1..H at index h − 1. */
  readonly horizon: number;
  /** Spot in lattice units (`spot_ref_price_int / unitInt`). */
  spotTicks = 0;
  /** Initial velocity used (lattice units per second). */
  v0 = 0;
  /** Drive `x = F(0)/(1 + ν_loc(0))`: the regressor of the fit. */
  drive = 0;
  /** `c0 = tanh(|F(0)|/(1 + ν_loc(0)))`. */
  c0 = 0;
  /** Diagnostics. */
  runScoreUp = 0;
  /** Downward run score. */
  runScoreDown = 0;
  /** Upward obstacle distance. */
  dUp = 0;
  /** Downward obstacle distance. */
  dDown = 0;
  /** Predicted displacement `rint(δ_h)` per horizon (whole lattice units). */
  readonly delta: Float64Array;
  /** Confidence per horizon. */
  readonly confidence: Float64Array;

  /** A forecast buffer for horizons 1..`horizon`. */
  constructor(horizon: number) {
    if (!Number.isInteger(horizon) || horizon < 1) {
      throw new RangeError(`horizon must be a positive integer, got ${horizon}`);
    }
    this.horizon = horizon;
    this.delta = new Float64Array(horizon);
    this.confidence = new Float64Array(horizon);
  }
}

/**
 * Forecast of one window whose fields are already in `f` (pipeline.md §5.3): derives the field
 * into `s`, the diagnostics, and integrates `v ← clip((1−γ)v + β·F(δ)/(1+ν_loc(δ)), ±8)`,
 * `δ ← clip(δ + v, ±80)` for h = 1..H into `out`.
 */
export function forecastWindow(
  f: WindowFields,
  s: FieldScratch,
  spotTicks: number,
  v0: number,
  p: ForecastParams,
  out: WindowForecast,
): WindowForecast {
  const nb = p.neighbourhood ?? "j+delta";
  const H = Math.min(p.horizon, out.horizon);
  deriveFields(f, s);
  const up = runSide(f, s, 1), dn = runSide(f, s, -1);
  const f0 = forceAt(s, f.gDir, 0, nb), d0 = dampingAt(s, 0, nb);
  out.spotTicks = spotTicks;
  out.v0 = v0;
  out.drive = f0 / (1 + d0);
  out.c0 = Math.tanh(Math.abs(f0) / (1 + d0));
  out.runScoreUp = up.runScore;
  out.runScoreDown = dn.runScore;
  out.dUp = up.d;
  out.dDown = dn.d;
  const gateUp = Math.tanh(Math.max(0, up.runScore)), gateDn = Math.tanh(Math.max(0, dn.runScore));
  const vc = MODEL.velocityClip, dc = MODEL.deltaClip;
  let v = Math.min(vc, Math.max(-vc, v0)), delta = 0;
  for (let h = 1; h <= H; h++) {
    const force = delta === 0 ? f0 : forceAt(s, f.gDir, delta, nb);
    const damp = delta === 0 ? d0 : dampingAt(s, delta, nb);
    const a = p.beta * force / (1 + damp);
    v = Math.min(vc, Math.max(-vc, (1 - p.gamma) * v + a));
    delta = Math.min(dc, Math.max(-dc, delta + v));
    const d = rint(delta);
    out.delta[h - 1] = d;
    out.confidence[h - 1] = out.c0 * (d > 0 ? gateUp : d < 0 ? gateDn : 0);
  }
  return out;
}
