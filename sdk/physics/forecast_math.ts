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

/**
 * Same-length convolution with zero padding (`np.convolve(…, "same")` with a symmetric kernel),
 * computed only at positions `−reach..reach`: `out[x] = Σ_j k[j]·src[x + j]` over `|x + j| ≤ G`.
 */
export function convolveSame(
  src: Float64Array,
  gridMax: number,
  kernel: Float64Array,
  out: Float64Array,
  reach = gridMax,
): void {
  const r = (kernel.length - 1) / 2, G = gridMax;
  for (let x = -reach; x <= reach; x++) {
    const jLo = Math.max(-r, -G - x), jHi = Math.min(r, G - x);
    let s = 0;
    for (let j = jLo, si = x + jLo + G, ki = jLo + r; j <= jHi; j++, si++, ki++) {
      s += kernel[ki] * src[si];
    }
    out[x + G] = s;
  }
}

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

/** Derived fields of a window (reused between windows). */
export class FieldScratch {
  /** Half-width of the lattice. */
  readonly gridMax: number;
  /** Positions at which `κ` and `ν` are computed: every position the force can reach. */
  readonly reach: number;
  /** `Ω_fut + 0.70·spread(Ω_opt)`. */
  readonly omegaTotal: Float64Array;
  /** Options spread. */
  readonly spread: Float64Array;
  /** Near / far smoothed `Ω_total` and their difference. */
  readonly omegaNear: Float64Array;
  /** Far-smoothed `Ω_total` (σ 24, r 64). */
  readonly omegaFar: Float64Array;
  /** Prominence `near − far`. */
  readonly omegaProm: Float64Array;
  /** Viscosity `ν = 1 + near + 2·max(0, prom)` and `κ = 1/ν`. */
  readonly nu: Float64Array;
  /** `1/ν`. */
  readonly kappa: Float64Array;

  /** Scratch for a lattice of half-width `gridMax`. */
  constructor(gridMax: number) {
    const n = 2 * gridMax + 1;
    this.gridMax = gridMax;
    // |j ± δ| ≤ 64 + 80; linear interpolation reads one more point
    this.reach = Math.min(gridMax, MODEL.forceRadius + MODEL.deltaClip + 1);
    this.omegaTotal = new Float64Array(n);
    this.spread = new Float64Array(n);
    this.omegaNear = new Float64Array(n);
    this.omegaFar = new Float64Array(n);
    this.omegaProm = new Float64Array(n);
    this.nu = new Float64Array(n);
    this.kappa = new Float64Array(n);
  }
}

/**
 * Smooths the obstacle field of a window into `s` (pipeline.md §5.2): `Ω_total`, near/far,
 * prominence, `ν`, `κ`. Values are exact wherever the force, damping and diagnostics read them.
 */
export function deriveFields(f: WindowFields, s: FieldScratch): void {
  const G = f.gridMax, reach = s.reach;
  const totalReach = Math.min(G, reach + MODEL.farRadius);
  const tot = s.omegaTotal;
  if (f.omegaOpt) {
    convolveSame(f.omegaOpt, G, SPREAD, s.spread, totalReach);
    for (let i = G - totalReach; i <= G + totalReach; i++) {
      tot[i] = f.omegaFut[i] + MODEL.optionsWeight * s.spread[i];
    }
  } else {
    for (let i = G - totalReach; i <= G + totalReach; i++) tot[i] = f.omegaFut[i];
  }
  // positions beyond totalReach are never read by the convolutions below (|x ± 64| ≤ totalReach
  // for every |x| ≤ reach unless the lattice ends first), but keep them defined
  if (totalReach < G) {
    tot.fill(0, 0, G - totalReach);
    tot.fill(0, G + totalReach + 1);
  }
  convolveSame(tot, G, NEAR, s.omegaNear, reach);
  convolveSame(tot, G, FAR, s.omegaFar, reach);
  for (let i = G - reach; i <= G + reach; i++) {
    const prom = s.omegaNear[i] - s.omegaFar[i];
    s.omegaProm[i] = prom;
    const nu = 1 + s.omegaNear[i] + 2 * Math.max(0, prom);
    s.nu[i] = nu;
    s.kappa[i] = 1 / nu;
  }
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
  let f = 0;
  for (let j = 1; j <= MODEL.forceRadius; j++) {
    const up = j + shift + G, dn = -j + shift + G;
    f += W_FORCE[j] * (at(k, up, last) * at(gDir, up, last) + at(k, dn, last) * at(gDir, dn, last));
  }
  return f;
}

/** Local damping `ν_loc(δ) = Σ_{j=±1..±16} wD(|j|)·ν̃(j ± δ)`. */
export function dampingAt(s: FieldScratch, delta: number, nb: Neighbourhood = "j+delta"): number {
  const G = s.gridMax, last = 2 * G, shift = shiftOf(delta, nb), nu = s.nu;
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
    const c = Math.exp(-k / MODEL.vacuumScale);
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
