// Dense per-tick state of both book sides for tick-aligned products (futures): resting depth
// summed over the books, and the current window's add / pull / pull_rest / fill per tick in a
// `_FlowAcc`, zeroed lazily through a window serial stamp. Index = side * cap + price / tick - base
// (side 0 bid, 1 ask); the covered range grows on demand up to a cap. No allocation per update.

import { _FlowAcc } from "./_flow_acc.ts";

/** Largest number of ticks the ladder covers (changes beyond it are counted, not booked). */
export const MAX_TICK_SPAN = 1 << 21;

export class _TickLadder {
  readonly tick: number;
  base = 0;
  cap = 0;
  /** Resting depth, indexed `side * cap + i` (side 0 bid, 1 ask). */
  depth: Float64Array = new Float64Array(0);
  /** The current window's flow, indexed as `depth`. */
  readonly acc: _FlowAcc = new _FlowAcc(0);

  constructor(tick: number) {
    this.tick = tick;
  }

  /** Index of `price` (growing the range when needed), or -1 when it cannot be held. */
  index(price: number): number {
    const t = price / this.tick;
    if (!Number.isInteger(t)) return -1;
    let i = t - this.base;
    if (i >= 0 && i < this.cap) return i;
    if (!this.#grow(t)) return -1;
    i = t - this.base;
    return i;
  }

  #grow(t: number): boolean {
    let lo: number, hi: number;
    if (this.cap === 0) {
      lo = t - 2048;
      hi = t + 2048;
    } else {
      lo = Math.min(this.base, t);
      hi = Math.max(this.base + this.cap, t + 1);
      const extra = Math.max(1024, (hi - lo) >> 1);
      if (t < this.base) lo -= extra;
      else hi += extra;
    }
    const cap = hi - lo;
    if (cap > MAX_TICK_SPAN) return false;
    const off = this.base - lo;
    const move = <T extends Float64Array | Int32Array>(a: T, fill: number): T => {
      const b = new (a.constructor as new (n: number) => T)(2 * cap);
      if (fill !== 0) b.fill(fill);
      for (let s = 0; s < 2; s++) {
        if (this.cap > 0) b.set(a.subarray(s * this.cap, (s + 1) * this.cap), s * cap + off);
      }
      return b;
    };
    this.depth = move(this.depth, 0);
    this.acc.remap(move);
    this.base = lo;
    this.cap = cap;
    return true;
  }
}
