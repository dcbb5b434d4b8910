// Per-key flow accumulators of one book side: an open-addressing hash from a key (an integer
// held in a double: a price in 1e-9 units, or an index) to a slot of a `_FlowAcc` holding the
// current window's add / pull / pull_rest / fill. Slots are zeroed lazily the first time they are
// touched in a window, so ending a window costs nothing; the slots touched in the window are
// listed for the emitter. No allocation per update.

import { _FlowAcc } from "./_flow_acc.ts";
import { _grow } from "./_grow.ts";

const TWO32 = 4294967296;

/** Flow accumulators keyed by an integer-valued double. */
export class _FlowTable {
  bits = 10;
  mask = (1 << 10) - 1;
  /** Hash bucket → slot (-1 = empty). */
  idx: Int32Array = new Int32Array(1 << 10).fill(-1);
  cap = 256;
  used = 0;
  key: Float64Array = new Float64Array(256);
  /** The flow of each slot in the current window. */
  readonly acc: _FlowAcc = new _FlowAcc(256);
  /** Slots touched in the current window (`nTouched` of them). */
  touched: Int32Array = new Int32Array(256);
  nTouched = 0;

  #home(k: number): number {
    const hi = (k / TWO32) | 0;
    const x = (k | 0) ^ Math.imul(hi, 0x85ebca6b);
    return Math.imul(x ^ (x >>> 15), 0x9e3779b1) >>> (32 - this.bits);
  }

  /** The slot of `k`, or -1. */
  find(k: number): number {
    const idx = this.idx, key = this.key, mask = this.mask;
    let i = this.#home(k);
    for (;;) {
      const s = idx[i];
      if (s < 0) return -1;
      if (key[s] === k) return s;
      i = (i + 1) & mask;
    }
  }

  /** The slot of `k`, created when absent, zeroed and listed when first touched in the window. */
  slot(k: number): number {
    const idx = this.idx, key = this.key, mask = this.mask;
    let i = this.#home(k);
    let s: number;
    for (;;) {
      s = idx[i];
      if (s < 0) {
        s = this.#newSlot(k);
        if (this.idx !== idx) return this.slot(k); // rehashed
        idx[i] = s;
        break;
      }
      if (key[s] === k) break;
      i = (i + 1) & mask;
    }
    if (this.acc.touch(s)) {
      if (this.nTouched === this.touched.length) {
        this.touched = _grow(this.touched, this.touched.length * 2);
      }
      this.touched[this.nTouched++] = s;
    }
    return s;
  }

  /** True when slot `s` was touched in the current window. */
  live(s: number): boolean {
    return s >= 0 && this.acc.live(s);
  }

  /** Ends the window: every slot reads as untouched. */
  nextWindow(): void {
    this.acc.serial++;
    this.nTouched = 0;
  }

  #newSlot(k: number): number {
    if (this.used === this.cap) {
      this.cap *= 2;
      this.key = _grow(this.key, this.cap);
      this.acc.grow(this.cap);
    }
    const s = this.used++;
    this.key[s] = k;
    if (this.used * 2 > this.mask + 1) {
      this.#rehash(this.bits + 1);
      return s; // caller sees idx changed and retries the lookup, which now finds s
    }
    return s;
  }

  #rehash(bits: number): void {
    this.bits = bits;
    this.mask = (1 << bits) - 1;
    const idx = new Int32Array(1 << bits).fill(-1);
    for (let s = 0; s < this.used; s++) {
      let i = this.#home(this.key[s]);
      while (idx[i] >= 0) i = (i + 1) & this.mask;
      idx[i] = s;
    }
    this.idx = idx;
  }
}
