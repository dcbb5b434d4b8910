// A growable batch the engines write rows into: typed arrays per column, 64-bit columns written
// through int32 word views (no BigInt); and the column allocation `columns.ts` shares.

import type { BatchOf, Kind, Schema } from "./columns.ts";

/** A zeroed column of `n` rows of a {@linkcode Kind}. */
export function _allocColumn(
  kind: Kind,
  n: number,
): BigInt64Array | Float64Array | Int32Array | Uint8Array {
  switch (kind) {
    case "i64":
      return new BigInt64Array(n);
    case "f64":
      return new Float64Array(n);
    case "i32":
      return new Int32Array(n);
    default:
      return new Uint8Array(n);
  }
}

/**
 * A growable batch: the engines write rows through typed arrays (64-bit columns through int32
 * word views, no BigInt) and hand them out with {@linkcode _Builder.take}.
 */
export class _Builder<S extends Schema> {
  readonly schema: S;
  n = 0;
  cap: number;
  cols!: Record<string, BigInt64Array | Float64Array | Int32Array | Uint8Array>;
  /** Int32 word views of the i64 columns, by name. */
  w!: Record<string, Int32Array>;

  constructor(schema: S, capacity = 4096) {
    this.schema = schema;
    this.cap = capacity;
    this.#alloc(capacity);
  }

  #alloc(cap: number): void {
    const old = this.cols;
    this.cols = {};
    this.w = {};
    for (const [name, kind] of Object.entries(this.schema)) {
      const a = _allocColumn(kind, cap);
      if (old !== undefined && this.n > 0) {
        (a as Uint8Array).set((old[name] as Uint8Array).subarray(0, this.n));
      }
      this.cols[name] = a;
      if (kind === "i64") this.w[name] = new Int32Array(a.buffer);
    }
    this.cap = cap;
  }

  /** Makes room for `k` more rows. */
  reserve(k: number): void {
    if (this.n + k <= this.cap) return;
    let cap = this.cap * 2;
    while (cap < this.n + k) cap *= 2;
    this.#alloc(cap);
  }

  /**
   * Rows written and not yet taken, as views into the builder's buffers: valid until the engine
   * writes again (the next `push`/`finish`); copy them to keep them longer.
   */
  take(): BatchOf<S> {
    const out: Record<string, unknown> = { length: this.n };
    for (const name of Object.keys(this.schema)) out[name] = this.cols[name].subarray(0, this.n);
    this.n = 0;
    return out as BatchOf<S>;
  }
}
