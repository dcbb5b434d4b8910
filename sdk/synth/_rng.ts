// Seeded pseudo-random numbers for the generator: sfc32 (Chris Doty-Humphrey's Small Fast
// Counting generator, 32-bit words) seeded through a murmur3-style mixer, plus the few
// distributions the market model needs. Never Math.random: same seed, same stream.

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;

/** murmur3 fmix32 finaliser. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a 32-bit hash of a string (ASCII/UTF-16 code units). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const tables = new Map<number, Uint16Array>();

/**
 * Inverse-CDF table (4096 entries) of the geometric distribution with mean `mean` (rounded to
 * 0.01): `table[rng.u32() >>> 20]` is a draw, without a logarithm. Tables are cached.
 */
export function geoTable(mean: number): Uint16Array {
  const key = Math.round(mean * 100);
  let t = tables.get(key);
  if (t) return t;
  t = new Uint16Array(4096);
  const m = key / 100;
  if (m > 0) {
    const inv = 1 / Math.log(m / (m + 1));
    for (let i = 0; i < 4096; i++) {
      t[i] = Math.min(65535, Math.floor(Math.log((i + 0.5) / 4096) * inv));
    }
  }
  tables.set(key, t);
  return t;
}

/** A seeded sfc32 stream. `seed` is any integer (up to 2^53), `stream` names an independent substream. */
export class Rng {
  // sfc32 state words (public for speed; do not touch)
  a: number;
  b: number;
  c: number;
  d: number;
  #spare = 0;
  #hasSpare = false;

  constructor(seed: number, stream = "") {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`seed must be a safe integer, got ${seed}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO32) >>> 0;
    const s = fnv1a(stream);
    this.a = mix32(lo ^ 0x9e3779b9);
    this.b = mix32(hi ^ 0x7f4a7c15 ^ s);
    this.c = mix32(s ^ 0x94d049bb ^ lo);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** Next 32-bit unsigned integer. */
  u32(): number {
    const a = this.a, b = this.b, c = this.c, d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in the open interval (0, 1). */
  next(): number {
    const a = this.a, b = this.b, c = this.c, d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return ((t >>> 0) + 0.5) * INV32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Exponential with mean 1. */
  exp(): number {
    return -Math.log(this.next());
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.#hasSpare) {
      this.#hasSpare = false;
      return this.#spare;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt(-2 * Math.log(s) / s);
    this.#spare = v * f;
    this.#hasSpare = true;
    return u * f;
  }

  /** Geometric number of failures before a success, with mean `mean` (>= 0). */
  geometric(mean: number): number {
    if (mean <= 0) return 0;
    // P(k) = p (1-p)^k with p = 1/(mean+1)
    return Math.floor(Math.log(this.next()) / Math.log(mean / (mean + 1)));
  }

  /** Poisson with mean `lambda`. */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda < 30) {
      const l = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > l) {
        k++;
        p *= this.next();
      }
      return k;
    }
    const k = Math.round(lambda + Math.sqrt(lambda) * this.normal());
    return k < 0 ? 0 : k;
  }

  /** Picks an index with probability proportional to `weights` (non-negative, some positive). */
  pick(weights: ArrayLike<number>, total?: number): number {
    let sum = total ?? 0;
    if (total === undefined) { for (let i = 0; i < weights.length; i++) sum += weights[i]; }
    let u = this.next() * sum;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }
}
