/**
 * Batch vacuum-pressure signals: a loop over {@linkcode VpEngine} collecting its rows into
 * columns. Same engine, same numbers as the incremental path.
 *
 * @module
 */
import {
  DEFAULT_GOLD_SIGNAL_CONFIG,
  type GoldSignalConfig,
  type VpRuntimeConfig,
} from "./vp_config.ts";
import { VP_FLOAT_COLUMNS, VpEngine, type VpSignalRow, type VpWindowInput } from "./vp_engine.ts";

/** A day (or any run) of signals as columns: one entry per window, in window order. */
export interface VpSignalTable {
  /** Number of windows. */
  length: number;
  /** Window ends, ns. */
  window_end_ts_ns: BigInt64Array;
  /** First valid row's reference price per window. */
  spot_ref_price_int: BigInt64Array;
  /** Every float64 signal column by name (see `VP_FLOAT_COLUMNS`). */
  values: Record<string, Float64Array>;
  /** Snapshot mid (NaN where null). */
  mid_price: Float64Array;
  /** Snapshot best bid (valid where `best_bid_valid` is 1). */
  best_bid_price_int: BigInt64Array;
  /** 1 where the best bid is known. */
  best_bid_valid: Uint8Array;
  /** Snapshot best ask. */
  best_ask_price_int: BigInt64Array;
  /** 1 where the best ask is known. */
  best_ask_valid: Uint8Array;
  /** Snapshot book_valid (0 also when there was no snapshot). */
  book_valid: Uint8Array;
  /** 1 where the window had a snapshot. */
  has_snap: Uint8Array;
  /** 1 where the window had valid depth rows. */
  signal_valid: Uint8Array;
}

/** Grows columns as rows arrive and returns a {@linkcode VpSignalTable}. */
export class VpSignalCollector {
  #n = 0;
  #cap: number;
  #ts: BigInt64Array;
  #spot: BigInt64Array;
  #vals: Record<string, Float64Array> = {};
  #mid: Float64Array;
  #bid: BigInt64Array;
  #bidOk: Uint8Array;
  #ask: BigInt64Array;
  #askOk: Uint8Array;
  #bv: Uint8Array;
  #hasSnap: Uint8Array;
  #sv: Uint8Array;

  /** A collector with room for `capacity` rows (it grows as needed). */
  constructor(capacity = 1024) {
    this.#cap = Math.max(16, capacity);
    this.#ts = new BigInt64Array(this.#cap);
    this.#spot = new BigInt64Array(this.#cap);
    for (const c of VP_FLOAT_COLUMNS) this.#vals[c] = new Float64Array(this.#cap);
    this.#mid = new Float64Array(this.#cap);
    this.#bid = new BigInt64Array(this.#cap);
    this.#bidOk = new Uint8Array(this.#cap);
    this.#ask = new BigInt64Array(this.#cap);
    this.#askOk = new Uint8Array(this.#cap);
    this.#bv = new Uint8Array(this.#cap);
    this.#hasSnap = new Uint8Array(this.#cap);
    this.#sv = new Uint8Array(this.#cap);
  }

  #grow(): void {
    const cap = this.#cap * 2;
    const g = <T extends BigInt64Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a as never);
      return b;
    };
    this.#ts = g(this.#ts);
    this.#spot = g(this.#spot);
    for (const c of VP_FLOAT_COLUMNS) this.#vals[c] = g(this.#vals[c]);
    this.#mid = g(this.#mid);
    this.#bid = g(this.#bid);
    this.#bidOk = g(this.#bidOk);
    this.#ask = g(this.#ask);
    this.#askOk = g(this.#askOk);
    this.#bv = g(this.#bv);
    this.#hasSnap = g(this.#hasSnap);
    this.#sv = g(this.#sv);
    this.#cap = cap;
  }

  /** Rows collected so far. */
  get length(): number {
    return this.#n;
  }

  /** Appends one row. */
  add(row: VpSignalRow): void {
    if (this.#n === this.#cap) this.#grow();
    const i = this.#n++;
    this.#ts[i] = row.window_end_ts_ns;
    this.#spot[i] = row.spot_ref_price_int;
    for (const c of VP_FLOAT_COLUMNS) this.#vals[c][i] = row[c] as number;
    this.#mid[i] = row.mid_price ?? NaN;
    this.#bid[i] = row.best_bid_price_int ?? 0n;
    this.#bidOk[i] = row.best_bid_price_int === null ? 0 : 1;
    this.#ask[i] = row.best_ask_price_int ?? 0n;
    this.#askOk[i] = row.best_ask_price_int === null ? 0 : 1;
    this.#bv[i] = row.book_valid ? 1 : 0;
    this.#hasSnap[i] = row.book_valid === null ? 0 : 1;
    this.#sv[i] = row.signal_valid ? 1 : 0;
  }

  /** The collected table (views trimmed to the row count). */
  table(): VpSignalTable {
    const n = this.#n;
    const values: Record<string, Float64Array> = {};
    for (const c of VP_FLOAT_COLUMNS) values[c] = this.#vals[c].subarray(0, n);
    return {
      length: n,
      window_end_ts_ns: this.#ts.subarray(0, n),
      spot_ref_price_int: this.#spot.subarray(0, n),
      values,
      mid_price: this.#mid.subarray(0, n),
      best_bid_price_int: this.#bid.subarray(0, n),
      best_bid_valid: this.#bidOk.subarray(0, n),
      best_ask_price_int: this.#ask.subarray(0, n),
      best_ask_valid: this.#askOk.subarray(0, n),
      book_valid: this.#bv.subarray(0, n),
      has_snap: this.#hasSnap.subarray(0, n),
      signal_valid: this.#sv.subarray(0, n),
    };
  }
}

/**
 * Computes the signals of a sequence of windows (in window order) with one {@linkcode VpEngine}:
 * the batch path is exactly the incremental path run to the end.
 */
export function computeVpSignals(
  config: VpRuntimeConfig,
  windows: Iterable<VpWindowInput>,
  gold: GoldSignalConfig = DEFAULT_GOLD_SIGNAL_CONFIG,
): VpSignalTable {
  const engine = new VpEngine(config, gold);
  const out = new VpSignalCollector();
  for (const w of windows) out.add(engine.push(w));
  return out.table();
}

/** Async variant of {@linkcode computeVpSignals} (windows streamed from the lake). */
export async function computeVpSignalsAsync(
  config: VpRuntimeConfig,
  windows: AsyncIterable<VpWindowInput> | Iterable<VpWindowInput>,
  gold: GoldSignalConfig = DEFAULT_GOLD_SIGNAL_CONFIG,
): Promise<VpSignalTable> {
  const engine = new VpEngine(config, gold);
  const out = new VpSignalCollector(32_768);
  for await (const w of windows) out.add(engine.push(w));
  return out.table();
}
