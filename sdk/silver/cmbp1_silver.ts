/**
 * Silver for `equity_option_cmbp_1`: consolidated top-of-book quotes (CMBP-1) of every 0DTE option
 * of one underlying, turned into per-window `book_snapshot_1s` rows (one per instrument with a
 * two-sided uncrossed quote) and the dense strike grid of `depth_and_flow_1s` around the equity
 * spot (pipeline.md §3.5).
 *
 * Per instrument and side, a quote change from (p0, s0) to (p1, s1) books: a new quote → add s1;
 * a vanished quote → pull s0; same price → add or pull the size difference; a new price → pull s0
 * and add s1. The side's depth is its size while its price and size are positive, so
 * `depth_qty_start + add_qty - pull_qty = depth_qty_end` holds exactly (no fills in CMBP-1).
 *
 * Differences from the original (docs/deviations.md): warm-up from the start of the bronze
 * partition (pre-open quotes are known, not counted as adds at 09:30); the grid holds the listed
 * strikes around `strike_ref` (spot rounded half up to the strike step) with `rel_ticks` in equity
 * buckets, instead of virtual spot-relative strikes with far strikes clipped into the edges; the
 * whole session is emitted.
 *
 * @module
 */

import type { OptionFlowBatch, OptionSnapshotBatch } from "./columns.ts";
import { _grow } from "./_grow.ts";
import { i32, secHi, secLo, secondOf } from "./_math.ts";
import { _OptionChain, _optionStats, type OptionSilverStats } from "./_option_chain.ts";
import type { SpotSeries } from "./_spot.ts";

const TWO32 = 4294967296;
const UNDEF_HI = 0x7fffffff;
const S_BID = 66;

/** The CMBP-1 columns the engine reads (the DBN decoder's `Cmbp1Columns` fits). */
export interface Cmbp1ColumnsLike {
  /** Number of records. */
  length: number;
  /** Instrument id. */
  instrument_id: Uint32Array;
  /** Event time, ns. */
  ts_event: BigUint64Array | BigInt64Array;
  /** Best bid, 1e-9 units (0 or `UNDEF_PRICE` when absent). */
  bid_px: BigInt64Array;
  /** Best ask, 1e-9 units (0 or `UNDEF_PRICE` when absent). */
  ask_px: BigInt64Array;
  /** Bid size. */
  bid_sz: Uint32Array;
  /** Ask size. */
  ask_sz: Uint32Array;
}

/** Options of {@linkcode Cmbp1Silver}. */
export interface Cmbp1SilverOptions {
  /** Unit of `rel_ticks` in 1e-9: the equity silver bucket (`bucket_int`). */
  bucketInt: number;
  /** Strike grid step in 1e-9 (`strike_step_int`). */
  strikeStepInt: number;
  /** Strikes on each side of the reference strike (`max_strike_offsets`). */
  maxStrikeOffsets: number;
  /** The equity `book_snapshot_1s` window ends and spots: the windows to emit. */
  spot: SpotSeries;
}

/** Counters of a CMBP-1 silver run. */
export interface Cmbp1SilverStats extends OptionSilverStats {
  /** Quotes applied. */
  records: number;
  /** Records whose `ts_event` went back in time (applied to the current window). */
  outOfOrder: number;
}

/** Price of row `i` of a CMBP-1 price column viewed as int32 words: 0 when `UNDEF_PRICE`. */
function quotePx(w: Int32Array, i: number): number {
  const hi = w[(i << 1) + 1];
  return hi === UNDEF_HI && w[i << 1] === -1 ? 0 : hi * TWO32 + (w[i << 1] >>> 0);
}

/** Streaming CMBP-1 silver engine (see the module doc). */
export class Cmbp1Silver {
  readonly #chain: _OptionChain;

  // instrument slots: open-addressing map iid → slot (the slots' ids are the chain's)
  #hBits = 8;
  #hIdx = new Int32Array(1 << 8).fill(-1);
  // per (slot, side), index 2*slot + (bid ? 0 : 1): the quote, and the adds and pulls booked in
  // the window of second `#stamp`
  #px = new Float64Array(128);
  #sz = new Float64Array(128);
  #add = new Float64Array(128);
  #pull = new Float64Array(128);
  #stamp = new Float64Array(128).fill(-1);

  #cur = -Infinity; // window id (second) of the records being applied
  #endLo = 0; // end of the current window as (lo, hi) words
  #endHi = -1;
  #startLo = 0;
  #startHi = -1;
  #acc = true;
  #emitK = 0;

  /** Counters so far. */
  readonly stats: Cmbp1SilverStats = { ..._optionStats(), outOfOrder: 0 };

  /** Creates the engine. */
  constructor(options: Cmbp1SilverOptions) {
    this.#chain = new _OptionChain(
      options.bucketInt,
      options.strikeStepInt,
      options.maxStrikeOffsets,
      options.spot,
      this.stats,
    );
  }

  /** Declares an instrument's right (`"C"`/`"P"`) and strike (1e-9 units). */
  defineInstrument(instrument_id: number, right: string | number, strike: number): void {
    if (this.#chain.define(instrument_id, right, strike) !== undefined) {
      throw new RangeError(`instrument ${instrument_id} redefined with another right/strike`);
    }
  }

  /** True once every spot window has been emitted. */
  get done(): boolean {
    return this.#chain.done;
  }

  /** Rows waiting to be taken. */
  get pendingRows(): number {
    return this.#chain.pendingRows;
  }

  /** Applies quotes `[start, end)` in order. */
  push(cols: Cmbp1ColumnsLike, start = 0, end: number = cols.length): void {
    const ts = i32(cols.ts_event);
    const bpx = i32(cols.bid_px), apx = i32(cols.ask_px);
    const bsz = cols.bid_sz, asz = cols.ask_sz, iid = cols.instrument_id;
    for (let i = start; i < end; i++) {
      const hi = ts[(i << 1) + 1] >>> 0, lo = ts[i << 1] >>> 0;
      if (hi > this.#endHi || (hi === this.#endHi && lo >= this.#endLo)) this.#advance(lo, hi);
      else if (hi < this.#startHi || (hi === this.#startHi && lo < this.#startLo)) {
        this.stats.outOfOrder++; // earlier than the current window: booked in it
      }
      const j = 2 * this.#slot(iid[i]);
      this.#quote(j, quotePx(bpx, i), bsz[i]);
      this.#quote(j + 1, quotePx(apx, i), asz[i]);
    }
    this.stats.records += end - start;
  }

  /** Emits the last window and every later spot window. */
  finish(): void {
    this.#emitUntil(Infinity);
    this.#acc = false;
  }

  /** `book_snapshot_1s` rows emitted since the last call (views into reused buffers: valid until the next `push`/`finish`). */
  takeSnapshots(): OptionSnapshotBatch {
    return this.#chain.snap.take();
  }

  /** `depth_and_flow_1s` rows emitted since the last call (views into reused buffers: valid until the next `push`/`finish`). */
  takeFlows(): OptionFlowBatch {
    return this.#chain.grid.flow.take();
  }

  // ------------------------------------------------------------------ internals

  /**
   * Sets side `j`'s quote to (p1, s1), booking the change in the current window when it is
   * accumulated (see the module doc).
   */
  #quote(j: number, p1: number, s1: number): void {
    const p0 = this.#px[j], s0 = this.#sz[j];
    if (this.#acc) {
      const v0 = p0 > 0 && s0 > 0, v1 = p1 > 0 && s1 > 0;
      if (v0 || v1) {
        const add = this.#add, pull = this.#pull;
        if (this.#stamp[j] !== this.#cur) {
          this.#stamp[j] = this.#cur;
          add[j] = 0;
          pull[j] = 0;
        }
        if (!v0) add[j] += s1;
        else if (!v1) pull[j] += s0;
        else if (p1 === p0) {
          if (s1 > s0) add[j] += s1 - s0;
          else pull[j] += s0 - s1;
        } else {
          pull[j] += s0;
          add[j] += s1;
        }
      }
    }
    this.#px[j] = p1;
    this.#sz[j] = s1;
  }

  #advance(lo: number, hi: number): void {
    const k = secondOf(lo, hi);
    this.#emitUntil(k);
    this.#cur = k;
    this.#startLo = secLo(k);
    this.#startHi = secHi(k);
    this.#endLo = secLo(k + 1);
    this.#endHi = secHi(k + 1);
    const ch = this.#chain, secs = ch.spot.secs;
    this.#acc = ch.next < secs.length && secs[ch.next] === k + 1;
  }

  /** Emits every pending spot window ending at or before second `k`. */
  #emitUntil(k: number): void {
    const ch = this.#chain, secs = ch.spot.secs;
    while (ch.next < secs.length && secs[ch.next] <= k) {
      this.#emit(ch.next++);
    }
  }

  #slot(id: number): number {
    const mask = (1 << this.#hBits) - 1, ids = this.#chain.ids;
    let h = Math.imul(id ^ (id >>> 16), 0x45d9f3b) >>> (32 - this.#hBits);
    for (;;) {
      const s = this.#hIdx[h];
      if (s < 0) break;
      if (ids[s] === id) return s;
      h = (h + 1) & mask;
    }
    return this.#newSlot(id);
  }

  #newSlot(id: number): number {
    const s = this.#chain.addSlot(id);
    if (2 * s === this.#px.length) {
      const n = 4 * s;
      this.#px = _grow(this.#px, n);
      this.#sz = _grow(this.#sz, n);
      this.#add = _grow(this.#add, n);
      this.#pull = _grow(this.#pull, n);
      this.#stamp = _grow(this.#stamp, n, -1);
    }
    if ((s + 1) * 2 > 1 << this.#hBits) {
      this.#hBits++;
      this.#hIdx = new Int32Array(1 << this.#hBits).fill(-1);
      for (let t = 0; t < s; t++) this.#put(t);
    }
    this.#put(s);
    return s;
  }

  #put(s: number): void {
    const idx = this.#hIdx, mask = idx.length - 1;
    const id = this.#chain.ids[s];
    let h = Math.imul(id ^ (id >>> 16), 0x45d9f3b) >>> (32 - this.#hBits);
    while (idx[h] >= 0) h = (h + 1) & mask;
    idx[h] = s;
  }

  #emit(idx: number): void {
    const ch = this.#chain, px = this.#px;
    this.#emitK = ch.open(idx);
    for (let s = 0; s < ch.n; s++) {
      const bb = px[2 * s], ba = px[2 * s + 1];
      ch.snapshot(s, bb, ba, (bb + ba) * 0.5, true);
    }
    ch.close(this.#cellQty);
  }

  readonly #cellQty = (slot: number, side: number, out: Float64Array): boolean => {
    const j = 2 * slot + (side === S_BID ? 0 : 1);
    const p = this.#px[j], sz = this.#sz[j];
    const live = this.#stamp[j] === this.#emitK - 1;
    out[0] = p > 0 && sz > 0 ? sz : 0;
    out[1] = live ? this.#add[j] : 0;
    out[2] = live ? this.#pull[j] : 0;
    out[3] = 0;
    out[4] = 0;
    out[5] = 0;
    return true;
  };
}
