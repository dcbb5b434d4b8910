/**
 * The particle-wave tester's model (serving.md §5.5): a plane wave travelling in +x through a
 * medium with an object (a rectangle of density ρ) that attenuates, slows and scatters it. Pure
 * functions over typed arrays, so the page and the tests share them.
 *
 * Two fixes against the original (docs/deviations.md, UI section):
 * - The wave speed control works: the wave obeys v = λ·f. λ and v are the inputs and f = v/λ
 *   follows (moving the frequency slider sets v = λ·f), so the pattern moves at the speed shown.
 *   The original read v and ignored it.
 * - The interference term works: outside the object the scattered wave
 *   `0.2·ρ·e^{−d}·cos(2·phase)` uses the object's density ρ (the original multiplied by the
 *   per-pixel density, which is 0 everywhere outside the object, so the term was always 0).
 *
 * @module
 */

/** The tester's parameters (slider values). */
export interface WaveParams {
  /** Wavelength λ in world units (2–30). */
  wavelength: number;
  /** Wave speed v in world units per second (1–50). */
  speed: number;
  /** Amplitude A (0.1–3). */
  amplitude: number;
  /** Viscosity μ (0–1). */
  viscosity: number;
  /** Decay α per world unit (0–0.5). */
  decay: number;
  /** Permeability ε (0.1–5). */
  permeability: number;
  /** Object density ρ (0–2). */
  density: number;
  /** Object centre x (0–20). */
  objectX: number;
  /** Object centre y (0–10). */
  objectY: number;
  /** Object width (0.5–5). */
  objectWidth: number;
  /** Object height (fixed 3 in the original page). */
  objectHeight: number;
}

/** Defaults of the page (λ 10, v 10 → f 1 Hz, as the original's defaults). */
export const DEFAULT_WAVE: WaveParams = {
  wavelength: 10,
  speed: 10,
  amplitude: 1,
  viscosity: 0,
  decay: 0,
  permeability: 1,
  density: 0.5,
  objectX: 10,
  objectY: 5,
  objectWidth: 2,
  objectHeight: 3,
};

/** Frequency implied by λ and v (f = v/λ). */
export function frequencyOf(p: Pick<WaveParams, "wavelength" | "speed">): number {
  return p.speed / p.wavelength;
}

/** The world grid: 20 × 10 units at `pxPerUnit` pixels per unit. */
export interface WaveGrid {
  /** Pixels across. */
  width: number;
  /** Pixels down. */
  height: number;
  /** Pixels per world unit. */
  pxPerUnit: number;
}

/** 800 × 400 pixels, 40 per unit, as the original. */
export const DEFAULT_GRID: WaveGrid = { width: 800, height: 400, pxPerUnit: 40 };

/** The per-pixel physics tensor (five channels), recomputed when a parameter changes. */
export interface WaveTensor {
  /** Distance to the object (world units; 0 inside). */
  dist: Float32Array;
  /** Effective viscosity. */
  viscosity: Float32Array;
  /** Effective decay. */
  decay: Float32Array;
  /** Effective permeability. */
  permeability: Float32Array;
  /** Density (ρ inside the object, 0 outside). */
  density: Float32Array;
}

/**
 * Distance from world point (x, y) to the object rectangle: the y-distance when x is within the
 * object's x-range, else the Euclidean distance to the nearest point of the rectangle.
 */
export function distanceToObject(x: number, y: number, p: WaveParams): number {
  const x0 = p.objectX - p.objectWidth / 2, x1 = p.objectX + p.objectWidth / 2;
  const y0 = p.objectY - p.objectHeight / 2, y1 = p.objectY + p.objectHeight / 2;
  const dx = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
  const dy = y < y0 ? y0 - y : y > y1 ? y - y1 : 0;
  return dx === 0 ? dy : Math.hypot(dx, dy);
}

/** Computes the tensor for `p` on `grid` (world y grows upwards; row 0 is the top). */
export function computeTensor(p: WaveParams, grid: WaveGrid = DEFAULT_GRID): WaveTensor {
  const n = grid.width * grid.height;
  const t: WaveTensor = {
    dist: new Float32Array(n),
    viscosity: new Float32Array(n),
    decay: new Float32Array(n),
    permeability: new Float32Array(n),
    density: new Float32Array(n),
  };
  for (let r = 0; r < grid.height; r++) {
    const y = (grid.height - 0.5 - r) / grid.pxPerUnit;
    for (let c = 0; c < grid.width; c++) {
      const x = (c + 0.5) / grid.pxPerUnit;
      const i = r * grid.width + c;
      const d = distanceToObject(x, y, p);
      const inside = d === 0 && isInside(x, y, p);
      t.dist[i] = d;
      t.viscosity[i] = Math.min(1, p.viscosity * (1 + 0.5 * Math.exp(-0.5 * d)));
      t.decay[i] = p.decay * (1 + 0.3 * p.density * Math.exp(-0.3 * d));
      t.permeability[i] = inside ? p.permeability / (1 + p.density) : p.permeability;
      t.density[i] = inside ? p.density : 0;
    }
  }
  return t;
}

function isInside(x: number, y: number, p: WaveParams): boolean {
  return Math.abs(x - p.objectX) <= p.objectWidth / 2 &&
    Math.abs(y - p.objectY) <= p.objectHeight / 2;
}

/**
 * Wave value at world x with tensor channels (`visc`, `decay`, `perm`, `dens`, `dist`) at time
 * `t` seconds: phase = k·x − ω·t with k = 2π/λ and ω = 2π·v/λ (so crests move at v);
 * amp = A·e^{−decay·x}·(1 − 0.5·visc)·√perm, damped by e^{−2ρ} inside the object, plus the
 * scattered term 0.2·ρ·e^{−dist}·cos(2·phase) outside it.
 */
export function waveValue(
  p: WaveParams,
  x: number,
  t: number,
  visc: number,
  decay: number,
  perm: number,
  dens: number,
  dist: number,
): number {
  const k = (2 * Math.PI) / p.wavelength;
  const omega = k * p.speed;
  const phase = k * x - omega * t;
  let amp = p.amplitude * Math.exp(-decay * x) * (1 - 0.5 * visc) * Math.sqrt(perm);
  if (dens > 0) amp *= Math.exp(-2 * dens);
  else amp += 0.2 * p.density * Math.exp(-dist) * Math.cos(2 * phase);
  return amp * Math.sin(phase);
}

/** Fills `out` (one value per pixel) with the field at time `t`; returns max |value| and RMS. */
export function computeField(
  p: WaveParams,
  tensor: WaveTensor,
  t: number,
  out: Float32Array,
  grid: WaveGrid = DEFAULT_GRID,
): { maxAmp: number; rms: number } {
  let max = 0, sum = 0;
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const i = r * grid.width + c;
      const x = (c + 0.5) / grid.pxPerUnit;
      const v = waveValue(
        p,
        x,
        t,
        tensor.viscosity[i],
        tensor.decay[i],
        tensor.permeability[i],
        tensor.density[i],
        tensor.dist[i],
      );
      out[i] = v;
      const a = Math.abs(v);
      if (a > max) max = a;
      sum += v * v;
    }
  }
  return { maxAmp: max, rms: Math.sqrt(sum / out.length) };
}

/** RGB of a wave value (cyan for crests, magenta for troughs), as the original. */
export function waveColor(v: number): [number, number, number] {
  const c = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  return v > 0 ? [0, c(128 + 127 * v), 255] : [255, 0, c(128 + 127 * v)];
}
