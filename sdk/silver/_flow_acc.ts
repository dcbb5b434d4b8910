// Order flow of the current window, one entry per index the caller chooses (a hash slot, a price
// tick and side, an instrument and side): the add / pull / pull_rest / fill quantities a book
// observer reports. An entry is zeroed the first time it is touched in a window (a window serial
// stamp), so opening a window costs one increment. No allocation per update.

import { _grow } from "./_grow.ts";

/** Per-entry flow accumulators of the current window (see the file comment). */
export class _FlowAcc {
  add: Float64Array;
  pull: Float64Array;
  /** Part of `pull` from orders that had rested at least the resting threshold. */
  pullRest: Float64Array;
  fill: Float64Array;
  /** Window serial of each entry's last touch (-1: never). */
  stamp: Int32Array;
  /** Serial of the current window. */
  serial = 0;

  constructor(n: number) {
    this.add = new Float64Array(n);
    this.pull = new Float64Array(n);
    this.pullRest = new Float64Array(n);
    this.fill = new Float64Array(n);
    this.stamp = new Int32Array(n).fill(-1);
  }

  /** Marks entry `j` touched in the current window, zeroing it if it was not yet: true then. */
  touch(j: number): boolean {
    if (this.stamp[j] === this.serial) return false;
    this.stamp[j] = this.serial;
    this.add[j] = 0;
    this.pull[j] = 0;
    this.pullRest[j] = 0;
    this.fill[j] = 0;
    return true;
  }

  /**
   * Books a depth change of `qty` at entry `j`: `kind` 0 add, 1 pull (also counted in `pullRest`
   * when `rested`), else fill (the `DepthChange` kinds of the book observer).
   */
  book(j: number, kind: number, qty: number, rested: boolean): void {
    this.touch(j);
    if (kind === 0) this.add[j] += qty;
    else if (kind === 1) {
      this.pull[j] += qty;
      if (rested) this.pullRest[j] += qty;
    } else this.fill[j] += qty;
  }

  /** True when entry `j` was touched in the current window. */
  live(j: number): boolean {
    return this.stamp[j] === this.serial;
  }

  /** Replaces every array by `move(array, fill)` (`fill` -1 for the stamps, else 0). */
  remap(move: <T extends Float64Array | Int32Array>(a: T, fill: number) => T): void {
    this.add = move(this.add, 0);
    this.pull = move(this.pull, 0);
    this.pullRest = move(this.pullRest, 0);
    this.fill = move(this.fill, 0);
    this.stamp = move(this.stamp, -1);
  }

  /** Grows to `n` entries, each entry keeping its index. */
  grow(n: number): void {
    this.remap((a, fill) => _grow(a, n, fill));
  }
}
