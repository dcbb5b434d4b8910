/**
 * The numerical building blocks of the gold surfaces (pipeline.md §4.3–4.4): EMA alphas, the
 * truncated Gaussian smoothing kernels and the normalised convolution that applies them to one
 * frame of a lattice.
 *
 * @module
 */

/** The EMA time constants of the temporal block, in seconds (windows). */
export const EMA_TAUS: readonly [2, 8, 32, 128] = [2, 8, 32, 128];

/** `α_τ = 1 − e^{−1/τ}`: the per-step weight of an EMA with time constant `τ` steps. */
export function emaAlpha(tau: number): number {
  return 1 - Math.exp(-1 / tau);
}

/** A smoothing kernel: `taps[i]` for offset `i − half`, summing to 1. */
export interface SmoothingKernel {
  /** Half-width `N` (the kernel has `2N + 1` taps). */
  half: number;
  /** Standard deviation, lattice units. */
  sigma: number;
  /** The normalised taps. */
  taps: Float64Array;
}

/**
 * The truncated Gaussian `k[i] = exp(−½((i − N)/σ)²)`, `i = 0..2N`, normalised to sum 1.
 * Near kernel of the futures surface: `gaussianKernel(6, 16)`; far: `gaussianKernel(24, 64)`.
 */
export function gaussianKernel(sigma: number, half: number): SmoothingKernel {
  if (!(sigma > 0) || !Number.isInteger(half) || half < 0) {
    throw new RangeError(`bad kernel: sigma ${sigma}, half-width ${half}`);
  }
  const taps = new Float64Array(2 * half + 1);
  let sum = 0;
  for (let i = 0; i < taps.length; i++) {
    const z = (i - half) / sigma;
    taps[i] = Math.exp(-0.5 * z * z);
    sum += taps[i];
  }
  for (let i = 0; i < taps.length; i++) taps[i] /= sum;
  return { half, sigma, taps };
}

/** Round half to even. */
function rhe(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The strike-lattice version of a tick kernel (§4.4): half-width `max(1, RHE(halfTicks / ST))`
 * and `σ = max(1, σTicks / ST)`, `ST` = ticks per strike step.
 */
export function strikeKernel(
  sigmaTicks: number,
  halfTicks: number,
  strikeTicks: number,
): SmoothingKernel {
  return gaussianKernel(
    Math.max(1, sigmaTicks / strikeTicks),
    Math.max(1, rhe(halfTicks / strikeTicks)),
  );
}

/** Near kernel parameters in ticks: σ 6, half-width 16. */
export const NEAR_TICKS = { sigma: 6, half: 16 } as const;
/** Far kernel parameters in ticks: σ 24, half-width 64. */
export const FAR_TICKS = { sigma: 24, half: 64 } as const;

/**
 * Smooths two fields of one frame with the same kernel: `outA[t] = Σ_j k[j]·a[t+j]` over
 * lattice points `[0, n)` of `a` and `b` (read from `from`, written from `at`).
 *
 * Missing cells inside the lattice are zeros (the caller's arrays hold 0 there). Beyond the
 * lattice nothing is known, so the edge points use the taps that fall inside it, renormalised to
 * sum 1 (normalised convolution). Interior points are the plain convolution, bit for bit the
 * original's values. Runs of zeros are skipped: output points whose whole support is zero are 0.
 */
export function smoothPair(
  k: SmoothingKernel,
  a: Float64Array,
  b: Float64Array,
  from: number,
  n: number,
  outA: Float64Array,
  outB: Float64Array,
  at: number,
): void {
  const N = k.half, taps = k.taps;
  // the non-zero span of the inputs
  let lo = n, hi = -1;
  for (let t = 0; t < n; t++) {
    if (a[from + t] !== 0 || b[from + t] !== 0) {
      lo = t;
      break;
    }
  }
  if (lo === n) {
    outA.fill(0, at, at + n);
    outB.fill(0, at, at + n);
    return;
  }
  for (let t = n - 1; t >= lo; t--) {
    if (a[from + t] !== 0 || b[from + t] !== 0) {
      hi = t;
      break;
    }
  }
  const t0 = Math.max(0, lo - N), t1 = Math.min(n - 1, hi + N);
  outA.fill(0, at, at + t0);
  outB.fill(0, at, at + t0);
  outA.fill(0, at + t1 + 1, at + n);
  outB.fill(0, at + t1 + 1, at + n);
  for (let t = t0; t <= t1; t++) {
    const jLo = t - N < 0 ? N - t : 0;
    const jHi = t + N > n - 1 ? N + (n - 1 - t) : 2 * N;
    let sa = 0, sb = 0;
    const base = from + t - N;
    for (let j = jLo; j <= jHi; j++) {
      const w = taps[j];
      sa += w * a[base + j];
      sb += w * b[base + j];
    }
    if (jLo !== 0 || jHi !== 2 * N) {
      let w = 0;
      for (let j = jLo; j <= jHi; j++) w += taps[j];
      sa /= w;
      sb /= w;
    }
    outA[at + t] = sa;
    outB[at + t] = sb;
  }
}
