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

import { _Builder } from "./_builder.ts";
import {
  OPTION_SNAPSHOT_SCHEMA,
  type OptionFlowBatch,
  type OptionSnapshotBatch,
} from "./columns.ts";
import { _OptionGrid } from "./_option_grid.ts";
import { i32, put64, secHi, secLo, secondOf } from "./_math.ts";
import { type _SpotIndex, _spotIndex, type SpotSeries } from "./_spot.ts";
import { rightCode } from "./option_mbo_silver.ts";

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
export interface Cmbp1SilverStats {
  /** Quotes applied. */
  records: number;
  /** Windows emitted. */
  windows: number;
  /** `book_snapshot_1s` rows. */
  snapshotRows: number;
  /** `depth_and_flow_1s` rows. */
  flowRows: number;
  /** Instruments seen. */
  instruments: number;
  /** Instruments without a definition (left out of both tables). */
  undefinedInstruments: number;
  /** Instruments whose strike is not a multiple of the strike step (not on the grid). */
  offGridInstruments: number;
  /** Records whose `ts_event` went back in time (applied to the current window). */
  outOfOrder: number;
}

/** Streaming CMBP-1 silver engine (see the module doc). */
export class Cmbp1Silver {
  readonly #grid: _OptionGrid;
  readonly #spot: _SpotIndex;
  readonly #snap = new _Builder(OPTION_SNAPSHOT_SCHEMA, 1 << 12);
  readonly #defs = new Map<number, { right: number; strike: number }>();

  // instrument slots: open-addressing map iid → slot
  #hBits = 8;
  #hIdx = new Int32Array(1 << 8).fill(-1);
  #iid = new Float64Array(64);
  #n = 0;
  #registered = new Uint8Array(64);
  // quote state per slot, accumulators per 2*slot+side (0 bid, 1 ask)
  #bidPx = new Float64Array(64);
  #bidSz = new Float64Array(64);
  #askPx = new Float64Array(64);
  #askSz = new Float64Array(64);
  #add = new Float64Array(128);
  #pull = new Float64Array(128);
  #stamp = new Float64Array(128).fill(-1);

  #cur = -Infinity; // window id (second) of the records being applied
  #endLo = 0; // end of the current window as (lo, hi) words
  #endHi = -1;
  #startLo = 0;
  #startHi = -1;
  #next = 0;
  #acc = true;
  #emitK = 0;

  /** Counters so far. */
  readonly stats: Cmbp1SilverStats = {
    records: 0,
    windows: 0,
    snapshotRows: 0,
    flowRows: 0,
    instruments: 0,
    undefinedInstruments: 0,
    offGridInstruments: 0,
    outOfOrder: 0,
  };

  /** Creates the engine. */
  constructor(options: Cmbp1SilverOptions) {
    this.#grid = new _OptionGrid(
      options.bucketInt,
      options.strikeStepInt,
      options.maxStrikeOffsets,
    );
    this.#spot = _spotIndex(options.spot);
  }

  /** Declares an instrument's right (`"C"`/`"P"`) and strike (1e-9 units). */
  defineInstrument(instrument_id: number, right: string | number, strike: number): void {
    const r = rightCode(right);
    const old = this.#defs.get(instrument_id);
    if (old !== undefined) {
      if (old.right !== r || old.strike !== strike) {
        throw new RangeError(`instrument ${instrument_id} redefined with another right/strike`);
      }
      return;
    }
    this.#defs.set(instrument_id, { right: r, strike });
  }

  /** True once every spot window has been emitted. */
  get done(): boolean {
    return this.#next >= this.#spot.secs.length;
  }

  /** Rows waiting to be taken. */
  get pendingRows(): number {
    return this.#snap.n + this.#grid.flow.n;
  }

  /** Applies quotes `[start, end)` in order. */
  push(cols: Cmbp1ColumnsLike, start = 0, end: number = cols.length): void {
    const ts = i32(cols.ts_event);
    const bpx = i32(cols.bid_px), apx = i32(cols.ask_px);
    const bsz = cols.bid_sz, asz = cols.ask_sz, iid = cols.instrument_id;
    const add = this.#add, pull = this.#pull, stamp = this.#stamp;
    for (let i = start; i < end; i++) {
      const w = i << 1;
      const hi = ts[w + 1] >>> 0, lo = ts[w] >>> 0;
      if (hi > this.#endHi || (hi === this.#endHi && lo >= this.#endLo)) this.#advance(lo, hi);
      else if (hi < this.#startHi || (hi === this.#startHi && lo < this.#startLo)) {
        this.stats.outOfOrder++; // earlier than the current window: booked in it
      }
      const s = this.#slot(iid[i]);
      const acc = this.#acc;
      const cur = this.#cur;
      // bid side
      {
        const ph = bpx[w + 1];
        const p1 = ph === UNDEF_HI && bpx[w] === -1 ? 0 : ph * TWO32 + (bpx[w] >>> 0);
        const s1 = bsz[i];
        const p0 = this.#bidPx[s], s0 = this.#bidSz[s];
        if (acc) {
          const j = 2 * s;
          const v0 = p0 > 0 && s0 > 0, v1 = p1 > 0 && s1 > 0;
          if (v0 || v1) {
            if (stamp[j] !== cur) {
              stamp[j] = cur;
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
        this.#bidPx[s] = p1;
        this.#bidSz[s] = s1;
      }
      // ask side
      {
        const ph = apx[w + 1];
        const p1 = ph === UNDEF_HI && apx[w] === -1 ? 0 : ph * TWO32 + (apx[w] >>> 0);
        const s1 = asz[i];
        const p0 = this.#askPx[s], s0 = this.#askSz[s];
        if (acc) {
          const j = 2 * s + 1;
          const v0 = p0 > 0 && s0 > 0, v1 = p1 > 0 && s1 > 0;
          if (v0 || v1) {
            if (stamp[j] !== cur) {
              stamp[j] = cur;
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
        this.#askPx[s] = p1;
        this.#askSz[s] = s1;
      }
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
    return this.#snap.take();
  }

  /** `depth_and_flow_1s` rows emitted since the last call (views into reused buffers: valid until the next `push`/`finish`). */
  takeFlows(): OptionFlowBatch {
    return this.#grid.flow.take();
  }

  // ------------------------------------------------------------------ internals

  #advance(lo: number, hi: number): void {
    const k = secondOf(lo, hi);
    this.#emitUntil(k);
    this.#cur = k;
    this.#startLo = secLo(k);
    this.#startHi = secHi(k);
    this.#endLo = secLo(k + 1);
    this.#endHi = secHi(k + 1);
    const secs = this.#spot.secs;
    this.#acc = this.#next < secs.length && secs[this.#next] === k + 1;
  }

  /** Emits every pending spot window ending at or before second `k`. */
  #emitUntil(k: number): void {
    const secs = this.#spot.secs;
    while (this.#next < secs.length && secs[this.#next] <= k) {
      this.#emit(this.#next++);
    }
  }

  #slot(id: number): number {
    const mask = (1 << this.#hBits) - 1;
    let h = Math.imul(id ^ (id >>> 16), 0x45d9f3b) >>> (32 - this.#hBits);
    for (;;) {
      const s = this.#hIdx[h];
      if (s < 0) break;
      if (this.#iid[s] === id) return s;
      h = (h + 1) & mask;
    }
    return this.#newSlot(id);
  }

  #newSlot(id: number): number {
    const s = this.#n++;
    this.stats.instruments++;
    if (s === this.#iid.length) {
      const n = s * 2;
      const g = (a: Float64Array, fill = 0) => {
        const x = new Float64Array(n * (a.length / s));
        if (fill !== 0) x.fill(fill);
        x.set(a);
        return x;
      };
      this.#iid = g(this.#iid);
      this.#bidPx = g(this.#bidPx);
      this.#bidSz = g(this.#bidSz);
      this.#askPx = g(this.#askPx);
      this.#askSz = g(this.#askSz);
      this.#add = g(this.#add);
      this.#pull = g(this.#pull);
      this.#stamp = g(this.#stamp, -1);
      const rg = new Uint8Array(n);
      rg.set(this.#registered);
      this.#registered = rg;
    }
    this.#iid[s] = id;
    if (this.#n * 2 > 1 << this.#hBits) {
      this.#hBits++;
      this.#hIdx = new Int32Array(1 << this.#hBits).fill(-1);
      for (let t = 0; t < s; t++) this.#put(t);
    }
    this.#put(s);
    return s;
  }

  #put(s: number): void {
    const idx = this.#hIdx, mask = idx.length - 1;
    const id = this.#iid[s];
    let h = Math.imul(id ^ (id >>> 16), 0x45d9f3b) >>> (32 - this.#hBits);
    while (idx[h] >= 0) h = (h + 1) & mask;
    idx[h] = s;
  }

  #registerSlots(): void {
    let undef = 0;
    for (let s = 0; s < this.#n; s++) {
      if (this.#registered[s]) continue;
      const d = this.#defs.get(this.#iid[s]);
      if (d === undefined) {
        undef++;
        continue;
      }
      this.#registered[s] = 1;
      this.#grid.register(s, d.right, d.strike);
    }
    this.stats.undefinedInstruments = undef;
    this.stats.offGridInstruments = this.#grid.offGrid;
  }

  #emit(idx: number): void {
    const k = this.#spot.secs[idx];
    const spot = this.#spot.spots[idx];
    this.#registerSlots();
    this.stats.windows++;
    const sb = this.#snap;
    const wsLo = secLo(k - 1), wsHi = secHi(k - 1), weLo = secLo(k), weHi = secHi(k);
    for (let s = 0; s < this.#n; s++) {
      const bb = this.#bidPx[s], ba = this.#askPx[s];
      if (!(bb > 0 && ba > 0 && ba > bb)) continue;
      const id = this.#iid[s];
      const d = this.#defs.get(id);
      if (d === undefined) continue;
      sb.reserve(1);
      const i = sb.n++;
      const w = sb.w, c = sb.cols;
      w.window_start_ts_ns[i << 1] = wsLo;
      w.window_start_ts_ns[(i << 1) + 1] = wsHi;
      w.window_end_ts_ns[i << 1] = weLo;
      w.window_end_ts_ns[(i << 1) + 1] = weHi;
      put64(w.instrument_id, i, id);
      (c.right as Uint8Array)[i] = d.right;
      put64(w.strike_price_int, i, d.strike);
      put64(w.bid_price_int, i, bb);
      put64(w.ask_price_int, i, ba);
      const mid = (bb + ba) * 0.5;
      (c.mid_price as Float64Array)[i] = mid * 1e-9;
      (c.mid_price_int as Float64Array)[i] = mid;
      put64(w.spot_ref_price_int, i, spot);
      (c.book_valid as Uint8Array)[i] = 1;
      this.stats.snapshotRows++;
    }
    this.#emitK = k;
    this.#grid.emit(k, spot, this.#cellQty);
    this.stats.flowRows = this.#grid.rows;
  }

  readonly #cellQty = (slot: number, side: number, out: Float64Array): boolean => {
    const bid = side === S_BID;
    const p = bid ? this.#bidPx[slot] : this.#askPx[slot];
    const sz = bid ? this.#bidSz[slot] : this.#askSz[slot];
    const end = p > 0 && sz > 0 ? sz : 0;
    const j = 2 * slot + (bid ? 0 : 1);
    const live = this.#stamp[j] === this.#emitK - 1;
    out[0] = end;
    out[1] = live ? this.#add[j] : 0;
    out[2] = live ? this.#pull[j] : 0;
    out[3] = 0;
    out[4] = 0;
    out[5] = 0;
    return true;
  };
}
