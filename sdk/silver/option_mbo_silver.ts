/**
 * Silver for `future_option_mbo`: streams the options' MBO batches (every instrument of one
 * underlying, file order) through the order-book engine (one book per instrument) and emits, for
 * every window of the underlying's silver spot series, one `book_snapshot_1s` row per instrument
 * with a two-sided uncrossed book and the dense strike grid of `depth_and_flow_1s`.
 *
 * Differences from the original (pipeline.md §9 items 3-7, docs/deviations.md): the book is the
 * shared Databento book (no double subtraction on same-price modifies, clears and snapshots
 * honoured, fills are the size the `C`/`M` after an `F` removes); warm-up on the whole bronze
 * partition; a grid for every spot window, including seconds without option events; no row caps;
 * `depth_qty_start` is the observed start depth and the identity holds exactly; `pull_qty_rest`
 * and `depth_qty_rest` are measured.
 *
 * @module
 */

import { OrderBooks } from "../book/order_books.ts";
import type { Book, BookObserver, MboColumnsLike } from "../book/types.ts";
import type { OptionFlowBatch, OptionSnapshotBatch } from "./columns.ts";
import { _FlowAcc } from "./_flow_acc.ts";
import { _grow } from "./_grow.ts";
import { i32, secondOf } from "./_math.ts";
import { _OptionChain, _optionStats, type OptionSilverStats, rightCode } from "./_option_chain.ts";
import type { SpotSeries } from "./_spot.ts";

export type { SpotSeries } from "./_spot.ts";
export { type OptionSilverStats, rightCode } from "./_option_chain.ts";

const W = 1_000_000_000n;
const S_BID = 66;
const S_ASK = 65;
const F_SNAPSHOT = 32;

/** Options of {@linkcode OptionMboSilver}. */
export interface OptionMboSilverOptions {
  /** Futures tick in 1e-9 (`tick_int`): the unit of `rel_ticks`. */
  tickInt: number;
  /** Strike grid step in 1e-9 (`strike_step_int`). */
  strikeStepInt: number;
  /** Strikes on each side of the reference strike (`max_strike_offsets`). */
  maxStrikeOffsets: number;
  /** The underlying's `book_snapshot_1s` window ends and spots: the windows to emit. */
  spot: SpotSeries;
  /** Resting threshold in ns (default 500,000,000). */
  restNs?: number;
}

/** Streaming silver engine of one futures-option chain (see the module doc). */
export class OptionMboSilver {
  readonly #books: OrderBooks;
  readonly #chain: _OptionChain;
  readonly #restNs: number;
  readonly #restBig: bigint;

  // instrument slots (one per book)
  readonly #slotOf = new Map<Book, number>();
  #slots: Book[] = [];
  #lastBook: Book | null = null;
  #lastSlot = -1;
  /** The window's flow per (slot, side): index 2*slot + (bid ? 0 : 1). */
  readonly #flow = new _FlowAcc(128);
  /** Window serial of each slot's last clear. */
  #clearStamp = new Int32Array(64).fill(-1);

  #acc = true;
  #clockOpen = false;
  #lastK = -Infinity;
  #sumSize = 0;
  #sumRest = 0;
  #cut = 0n;
  #restBook: Book | null = null;
  #restSide: 65 | 66 = S_BID;

  /** Counters so far. */
  readonly stats: OptionSilverStats = _optionStats();

  /** Creates the engine. */
  constructor(options: OptionMboSilverOptions) {
    this.#chain = new _OptionChain(
      options.tickInt,
      options.strikeStepInt,
      options.maxStrikeOffsets,
      options.spot,
      this.stats,
    );
    this.#restNs = options.restNs ?? 500_000_000;
    this.#restBig = BigInt(this.#restNs);
    const obs: BookObserver = {
      depth: (b, side, _p, kind, qty, age) => this.#onDepth(b, side, kind, qty, age),
      clear: (b) => this.#onClear(b),
      boundary: (endNs) => this.#onBoundary(endNs),
    };
    this.#books = new OrderBooks({ observer: obs });
  }

  /** Declares an instrument's right (`"C"`/`"P"`) and strike (1e-9 units); call before its rows. */
  defineInstrument(instrument_id: number, right: string | number, strike: number): void {
    const old = this.#chain.define(instrument_id, right, strike);
    if (old !== undefined) {
      throw new RangeError(
        `instrument ${instrument_id} redefined: ${
          String.fromCharCode(old.right)
        } ${old.strike} → ` +
          `${String.fromCharCode(rightCode(right))} ${strike}`,
      );
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

  /** Applies records `[start, end)` of a batch, in order. */
  push(cols: MboColumnsLike, start = 0, end: number = cols.length): void {
    if (!this.#clockOpen) {
      // Windows that end before the first live record see the book as it is before it
      // (empty, or the snapshot records applied so far).
      let i = start;
      const flags = cols.flags;
      while (i < end && (flags[i] & F_SNAPSHOT) !== 0) i++;
      if (i > start) this.#books.applyBatch(cols, start, i);
      if (i < end) {
        const ts = i32(cols.ts_event);
        const k0 = secondOf(ts[i << 1], ts[(i << 1) + 1]);
        this.#emitUntil(k0);
        this.#clockOpen = true;
        this.#books.applyBatch(cols, i, end);
      }
    } else {
      this.#books.applyBatch(cols, start, end);
    }
    this.stats.records += end - start;
  }

  /** Emits the last window and every later spot window (the books no longer change). */
  finish(): void {
    this.#books.finish();
    this.#emitUntil(Infinity);
  }

  /** `book_snapshot_1s` rows emitted since the last call (views into reused buffers: valid until the next `push`/`finish`). */
  takeSnapshots(): OptionSnapshotBatch {
    return this.#chain.snap.take();
  }

  /** `depth_and_flow_1s` rows emitted since the last call (views into reused buffers: valid until the next `push`/`finish`). */
  takeFlows(): OptionFlowBatch {
    return this.#chain.grid.flow.take();
  }

  // ------------------------------------------------------------------ slots

  #slot(b: Book): number {
    if (b === this.#lastBook) return this.#lastSlot;
    let s = this.#slotOf.get(b);
    if (s === undefined) s = this.#newSlot(b);
    this.#lastBook = b;
    this.#lastSlot = s;
    return s;
  }

  #newSlot(b: Book): number {
    const s = this.#chain.addSlot(b.instrument_id);
    this.#slots.push(b);
    this.#slotOf.set(b, s);
    if (s === this.#clearStamp.length) {
      this.#flow.grow(4 * s);
      this.#clearStamp = _grow(this.#clearStamp, 2 * s, -1);
    }
    return s;
  }

  // ------------------------------------------------------------------ hooks

  #onDepth(b: Book, side: number, kind: number, qty: number, age: number): void {
    if (!this.#acc) return;
    const j = 2 * this.#slot(b) + (side === S_BID ? 0 : 1);
    this.#flow.book(j, kind, qty, age >= this.#restNs);
  }

  #onClear(b: Book): void {
    const s = this.#slot(b);
    this.#clearStamp[s] = this.#flow.serial;
    if (!this.#acc) return;
    // a clear removes everything: booked as pulls so that the identity holds
    this.#pullAll(b, S_BID);
    this.#pullAll(b, S_ASK);
  }

  #pullAll(b: Book, side: 65 | 66): void {
    this.#sumSize = 0;
    b.forEachLevel(side, this.#sumLevel);
    if (this.#sumSize > 0) this.#onDepth(b, side, 1, this.#sumSize, 0);
  }

  readonly #sumLevel = (_p: number, size: number): void => {
    this.#sumSize += size;
  };

  readonly #sumRestLevel = (p: number): void => {
    this.#sumRest += this.#restBook!.restingSizeAt(this.#restSide, p, this.#cut);
  };

  #onBoundary(endNs: bigint): void {
    const k = Number(endNs / W);
    this.#emitUntil(k - 1); // (only windows before the clock opened can be pending here)
    const ch = this.#chain, secs = ch.spot.secs;
    if (ch.next < secs.length && secs[ch.next] === k) {
      this.#emit(ch.next++, endNs);
    }
    this.#flow.serial++;
    this.#lastK = k;
    this.#acc = ch.next < secs.length && secs[ch.next] === k + 1;
  }

  /** Emits every pending spot window ending at or before second `k` with no flow. */
  #emitUntil(k: number): void {
    const ch = this.#chain, secs = ch.spot.secs;
    while (ch.next < secs.length && secs[ch.next] <= k) {
      const kk = secs[ch.next];
      if (kk > this.#lastK) this.#emit(ch.next, BigInt(kk) * W);
      ch.next++;
      this.#flow.serial++; // flows, if any, belonged to the first of these windows
    }
    if (k === Infinity) this.#acc = false;
  }

  // ------------------------------------------------------------------ emission

  #emit(idx: number, endNs: bigint): void {
    const ch = this.#chain;
    ch.open(idx);
    this.#cut = endNs - this.#restBig;
    // snapshots: every defined instrument with a two-sided, uncrossed book
    const slots = this.#slots;
    for (let s = 0; s < slots.length; s++) {
      const b = slots[s];
      const bb = b.bestPrice(S_BID), ba = b.bestPrice(S_ASK);
      ch.snapshot(s, bb, ba, Math.floor((bb + ba) / 2), b.valid && !b.inSnapshot && b.consistent);
    }
    ch.close(this.#cellQty);
  }

  readonly #cellQty = (slot: number, side: number, out: Float64Array): boolean => {
    const b = this.#slots[slot];
    const sd = side as 65 | 66;
    this.#sumSize = 0;
    b.forEachLevel(sd, this.#sumLevel);
    const end = this.#sumSize;
    const j = 2 * slot + (side === S_BID ? 0 : 1);
    const F = this.#flow;
    const live = F.live(j);
    const add = live ? F.add[j] : 0;
    out[0] = end;
    out[1] = add;
    out[2] = live ? F.pull[j] : 0;
    out[3] = live ? F.pullRest[j] : 0;
    out[4] = live ? F.fill[j] : 0;
    if (add > 0 && end > 0) {
      this.#sumRest = 0;
      this.#restBook = b;
      this.#restSide = sd;
      b.forEachLevel(sd, this.#sumRestLevel);
      out[5] = this.#sumRest;
    } else out[5] = end;
    return b.valid && !b.inSnapshot && b.consistent && this.#clearStamp[slot] !== F.serial;
  };
}
