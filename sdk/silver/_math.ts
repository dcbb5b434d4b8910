// Exact integer helpers of the silver engines: Python-style rounding and floor division, window
// ids from (lo, hi) timestamp words, and 64-bit column writes from doubles, all without BigInt.

const TWO32 = 4294967296;

/** Round half to even (Python `round`, numpy `rint`), not `Math.round`. */
export function rhe(x: number): number {
  const r = Math.round(x); // half toward +inf
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/** Floor division `a // b` (toward -inf), for integers held in doubles. */
export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** `floor((x + floor(s/2)) / s) * s`: round to a multiple of `s`, ties up (strike references). */
export function rhuStep(x: number, s: number): number {
  return Math.floor((x + Math.floor(s / 2)) / s) * s;
}

/** Window id `floor(ts / 1e9)` of a u64 timestamp given as (lo, hi) words (read as unsigned). */
export function secondOf(lo: number, hi: number): number {
  // long division in base 2^16; every intermediate stays below 2^53
  const h = hi >>> 0, l = lo >>> 0;
  let r = h >>> 16;
  let q = Math.floor(r / 1e9);
  r -= q * 1e9;
  let cur = r * 65536 + (h & 0xffff);
  let d = Math.floor(cur / 1e9);
  q = q * 65536 + d;
  r = cur - d * 1e9;
  cur = r * 65536 + (l >>> 16);
  d = Math.floor(cur / 1e9);
  q = q * 65536 + d;
  r = cur - d * 1e9;
  cur = r * 65536 + (l & 0xffff);
  d = Math.floor(cur / 1e9);
  return q * 65536 + d;
}

/** High word of `k * 1e9` (k a non-negative whole number of seconds below 2^31). */
export function secHi(k: number): number {
  // k * 1e9 = (k * 1953125) * 2^9 and k * 1953125 < 2^52 is exact
  return Math.floor((k * 1953125) / 8388608);
}

/** Low word (unsigned) of `k * 1e9`. */
export function secLo(k: number): number {
  const v = k * 1953125;
  return (v - Math.floor(v / 8388608) * 8388608) * 512;
}

/** Writes the integer `x` (|x| < 2^53) into row `i` of a 64-bit column viewed as int32 words. */
export function put64(w: Int32Array, i: number, x: number): void {
  const hi = Math.floor(x / TWO32);
  w[i << 1] = x - hi * TWO32;
  w[(i << 1) + 1] = hi;
}

/** Reads row `i` of a 64-bit signed column viewed as int32 words as a double (exact below 2^53). */
export function get64(w: Int32Array, i: number): number {
  return w[(i << 1) + 1] * TWO32 + (w[i << 1] >>> 0);
}

/** The int32 word view of a 64-bit column. */
export function i32(a: BigInt64Array | BigUint64Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}
