/**
 * Silver for MBO products (`future_mbo`, `equity_mbo`): streams MBO column batches through the
 * order-book engine and emits, per 1-second window, one `book_snapshot_1s` row and the
 * `depth_and_flow_1s` rows of every price (futures) or $-bucket (equities) near spot.
 *
 * Semantics (pipeline.md §3.2/§3.3 with the fixes of §9, see docs/deviations.md):
 * - the book is Databento's (`sdk/book`): `C` reduces by its size, `M` of an unknown id adds,
 *   `F` alone changes nothing and the `C`/`M` that removes filled size counts as `fill_qty`;
 * - every change of resting size is booked: `add_qty`, `pull_qty` (cancels, reducing modifies and
 *   clears), `fill_qty`; so `depth_qty_start + add_qty - pull_qty - fill_qty = depth_qty_end`
 *   holds exactly on every row, with `depth_qty_start` the observed depth at window start;
 * - windows are emitted for every second from the first record's window to the last one's
 *   (gaps included), restricted to the requested range of window ends;
 * - the spot of a window is resolved from the book at window start (last trade if resting, else
 *   the nearer best price), else at window end (futures and, fixed, equities); equities round it
 *   to the bucket;
 * - `book_valid` = every book has seen `F_LAST`, is outside a snapshot run and has no
 *   `F_MAYBE_BAD_BOOK` since its last clear; `window_valid` also needs no clear/snapshot in the
 *   window.
 *
 * @module
 */

import { OrderBooks } from "../book/order_books.ts";
import type { Book, BookObserver, MboColumnsLike } from "../book/types.ts";
import { _Builder } from "./_builder.ts";
import {
  BOOK_SNAPSHOT_SCHEMA,
  type BookSnapshotBatch,
  DEPTH_FLOW_SCHEMA,
  type DepthFlowBatch,
} from "./columns.ts";
import { _FlowTable } from "./_flow_table.ts";
import { _grow } from "./_grow.ts";
import { _TickLadder } from "./_tick_ladder.ts";
import { put64, rhe, secHi, secLo } from "./_math.ts";

const W = 1_000_000_000n;
const S_BID = 66;
const S_ASK = 65;

/** Options of {@linkcode MboSilver}. */
export interface MboSilverOptions {
  /** `"future"`: one row per price, `rel_ticks` in ticks. `"equity"`: rows per price bucket. */
  kind: "future" | "equity";
  /** Unit of `rel_ticks` in 1e-9: the tick (`tick_int`) or the bucket (`bucket_int`). */
  unit: number;
  /** Half-width of the grid in units (`grid_max_ticks` / `grid_max_buckets`). */
  grid: number;
  /** First window end to emit (inclusive, ns). Default: no lower bound. */
  outputStartNs?: bigint;
  /** Last window end to emit (inclusive, ns). Default: no upper bound. */
  outputEndNs?: bigint;
  /** Resting threshold in ns (default 500,000,000). */
  restNs?: number;
}

/** Counters of an {@linkcode MboSilver} run. */
export interface MboSilverStats {
  /** MBO records applied. */
  records: number;
  /** Windows emitted. */
  windows: number;
  /** `book_snapshot_1s` rows emitted. */
  snapshotRows: number;
  /** `depth_and_flow_1s` rows emitted. */
  flowRows: number;
  /** Emitted windows with `window_valid = false`. */
  invalidWindows: number;
  /** Emitted windows without a spot (no depth rows). */
  windowsWithoutSpot: number;
  /**
   * Futures: depth changes at prices off the tick grid (or absurdly far from the rest), which no
   * row can hold; they are left out of `depth_and_flow_1s`. 0 on real data.
   */
  offTickChanges: number;
}

/**
 * Streaming silver engine of one MBO product (all records of one symbol, in file order).
 *
 * ```ts ignore
 * const eng = new MboSilver({ kind: "future", unit: 250_000_000, grid: 400, ...regularSession(dt) });
 * for await (const cols of batches) { eng.push(cols); write(eng.takeSnapshots(), eng.takeFlows()); if (eng.done) break; }
 * eng.finish();
 * ```
 */
export class MboSilver {
  /** `"future"` or `"equity"`. */
  readonly kind: "future" | "equity";
  /** Unit of `rel_ticks` in 1e-9. */
  readonly unit: number;
  /** Half-width of the grid in units. */
  readonly grid: number;
  readonly #outStart: bigint;
  readonly #outEnd: bigint;
  readonly #restNs: number;
  readonly #restBig: bigint;
  readonly #books: OrderBooks;
  readonly #bid = new _FlowTable();
  readonly #ask = new _FlowTable();
  /** Futures: dense per-tick state (equities use the sparse tables above). */
  readonly #ladder: _TickLadder | null;
  readonly #snap = new _Builder(BOOK_SNAPSHOT_SCHEMA, 1024);
  readonly #flow = new _Builder(DEPTH_FLOW_SCHEMA, 1 << 14);
  #list: Book[] = [];

  // window state
  #acc = true;
  #done = false;
  #lastTrade = 0;
  #spotStart = 0;
  #bbStart = 0;
  #baStart = 0;
  #snapAtStart = false;
  #clearInWin = false;

  // candidate scratch
  #cand = new Float64Array(1024);
  #nCand = 0;
  #cLo = 0;
  #cHi = 0;

  /** Counters so far. */
  readonly stats: MboSilverStats = {
    records: 0,
    windows: 0,
    snapshotRows: 0,
    flowRows: 0,
    invalidWindows: 0,
    windowsWithoutSpot: 0,
    offTickChanges: 0,
  };

  /** Creates the engine (empty books). */
  constructor(options: MboSilverOptions) {
    if (options.kind !== "future" && options.kind !== "equity") {
      throw new RangeError(
        `kind must be "future" or "equity", got ${JSON.stringify(options.kind)}`,
      );
    }
    if (!(Number.isInteger(options.unit) && options.unit > 0)) {
      throw new RangeError(`unit must be a positive integer (1e-9 units), got ${options.unit}`);
    }
    if (!(Number.isInteger(options.grid) && options.grid > 0)) {
      throw new RangeError(`grid must be a positive integer, got ${options.grid}`);
    }
    this.kind = options.kind;
    this.unit = options.unit;
    this.grid = options.grid;
    this.#outStart = options.outputStartNs ?? -(1n << 62n);
    this.#outEnd = options.outputEndNs ?? (1n << 62n);
    this.#restNs = options.restNs ?? 500_000_000;
    this.#restBig = BigInt(this.#restNs);
    this.#ladder = this.kind === "future" ? new _TickLadder(this.unit) : null;
    const obs: BookObserver = {
      depth: (_b, side, price, kind, qty, age) => this.#onDepth(side, price, kind, qty, age),
      clear: (b) => this.#onClear(b),
      trade: (_b, price) => {
        if (price > 0) this.#lastTrade = price;
      },
      boundary: (endNs) => this.#onBoundary(endNs),
    };
    this.#books = new OrderBooks({ observer: obs });
  }

  /** True once every window of the output range has been emitted: further input is useless. */
  get done(): boolean {
    return this.#done;
  }

  /** Rows waiting in {@linkcode MboSilver.takeSnapshots} / {@linkcode MboSilver.takeFlows}. */
  get pendingRows(): number {
    return this.#snap.n + this.#flow.n;
  }

  /** Applies records `[start, end)` of a batch, in order, emitting the windows they close. */
  push(cols: MboColumnsLike, start = 0, end: number = cols.length): void {
    if (this.#done) return;
    this.#books.applyBatch(cols, start, end);
    this.stats.records += end - start;
  }

  /** Emits the window holding the last record (call once, after the last batch). */
  finish(): void {
    this.#books.finish();
  }

  /** `book_snapshot_1s` rows emitted since the last call (views into reused buffers: valid until the next `push`/`finish`). */
  takeSnapshots(): BookSnapshotBatch {
    return this.#snap.take();
  }

  /** `depth_and_flow_1s` rows emitted since the last call (views into reused buffers: valid until the next `push`/`finish`). */
  takeFlows(): DepthFlowBatch {
    return this.#flow.take();
  }

  // ------------------------------------------------------------------ hooks

  #onDepth(side: number, price: number, kind: number, qty: number, age: number): void {
    const L = this.#ladder;
    if (L !== null) {
      const i = L.index(price);
      if (i < 0) {
        this.stats.offTickChanges++;
        return;
      }
      const j = (side === S_BID ? 0 : L.cap) + i;
      L.depth[j] += kind === 0 ? qty : -qty;
      if (this.#acc) L.acc.book(j, kind, qty, age >= this.#restNs);
      return;
    }
    if (!this.#acc) return;
    const t = side === S_BID ? this.#bid : this.#ask;
    t.acc.book(t.slot(price), kind, qty, age >= this.#restNs);
  }

  #onClear(b: Book): void {
    this.#clearInWin = true;
    // a clear removes every resting order: booked as pulls so that the identity holds
    b.forEachLevel(S_BID, this.#clearBid);
    b.forEachLevel(S_ASK, this.#clearAsk);
  }

  readonly #clearBid = (p: number, size: number): void => {
    if (size > 0) this.#onDepth(S_BID, p, 1, size, 0);
  };

  readonly #clearAsk = (p: number, size: number): void => {
    if (size > 0) this.#onDepth(S_ASK, p, 1, size, 0);
  };

  #onBoundary(endNs: bigint): void {
    this.#list = this.#books.books();
    if (endNs >= this.#outStart && endNs <= this.#outEnd) this.#emit(endNs);
    // open the next window
    this.#bid.nextWindow();
    this.#ask.nextWindow();
    if (this.#ladder !== null) this.#ladder.acc.serial++;
    this.#clearInWin = false;
    const next = endNs + W;
    this.#acc = next >= this.#outStart && next <= this.#outEnd;
    if (next > this.#outEnd) this.#done = true;
    this.#spotStart = this.#spot();
    this.#bbStart = this.#best(S_BID);
    this.#baStart = this.#best(S_ASK);
    let snap = false;
    for (const b of this.#list) if (b.inSnapshot) snap = true;
    this.#snapAtStart = snap;
  }

  // ------------------------------------------------------------------ book queries

  /** Best price of a side over every book (0 when empty). */
  #best(side: number): number {
    let best = 0;
    for (const b of this.#list) {
      const p = b.bestPrice(side as 65 | 66);
      if (p === p && (best === 0 || (side === S_BID ? p > best : p < best))) best = p;
    }
    return best;
  }

  #depth(side: number, price: number): number {
    let q = 0;
    for (const b of this.#list) q += b.depth(side as 65 | 66, price);
    return q;
  }

  /** Size at `price` over every book entered at or before `cut` (resting long enough at window end). */
  #restingAt(side: number, price: number, cut: bigint): number {
    let q = 0;
    for (const b of this.#list) q += b.restingSizeAt(side as 65 | 66, price, cut);
    return q;
  }

  /** resolve_spot (pipeline.md §3.2), bucketed for equities. */
  #spot(): number {
    const lt = this.#lastTrade;
    let x: number;
    if (lt > 0 && (this.#depth(S_BID, lt) > 0 || this.#depth(S_ASK, lt) > 0)) x = lt;
    else {
      const bb = this.#best(S_BID), ba = this.#best(S_ASK);
      if (bb > 0 && ba > 0) {
        if (lt > 0) x = Math.abs(lt - bb) <= Math.abs(ba - lt) ? bb : ba;
        else x = bb;
      } else if (bb > 0) x = bb;
      else if (ba > 0) x = ba;
      else x = lt > 0 ? lt : 0;
    }
    if (this.kind === "equity") return x <= 0 ? 0 : rhe(x / this.unit) * this.unit;
    return x;
  }

  // ------------------------------------------------------------------ emission

  #emit(endNs: bigint): void {
    const k = Number(endNs / W);
    const wsLo = secLo(k - 1), wsHi = secHi(k - 1), weLo = secLo(k), weHi = secHi(k);
    const bb = this.#best(S_BID), ba = this.#best(S_ASK);
    let spot = this.#spotStart;
    if (spot === 0) spot = this.#spot(); // end-of-window fallback
    let valid = this.#list.length > 0;
    for (const b of this.#list) if (!b.valid || b.inSnapshot || !b.consistent) valid = false;
    const wValid = valid && !this.#clearInWin && !this.#snapAtStart;

    const sb = this.#snap;
    sb.reserve(1);
    const i = sb.n++;
    const sw = sb.w;
    sw.window_start_ts_ns[i << 1] = wsLo;
    sw.window_start_ts_ns[(i << 1) + 1] = wsHi;
    sw.window_end_ts_ns[i << 1] = weLo;
    sw.window_end_ts_ns[(i << 1) + 1] = weHi;
    put64(sw.best_bid_price_int, i, bb);
    put64(sw.best_bid_qty, i, bb > 0 ? this.#depth(S_BID, bb) : 0);
    put64(sw.best_ask_price_int, i, ba);
    put64(sw.best_ask_qty, i, ba > 0 ? this.#depth(S_ASK, ba) : 0);
    if (bb > 0 && ba > 0) {
      (sb.cols.mid_price as Float64Array)[i] = (bb + ba) * 0.5 * 1e-9;
      put64(sw.mid_price_int, i, rhe((bb + ba) * 0.5));
    } else {
      (sb.cols.mid_price as Float64Array)[i] = 0;
      put64(sw.mid_price_int, i, 0);
    }
    put64(sw.last_trade_price_int, i, this.#lastTrade);
    put64(sw.spot_ref_price_int, i, spot);
    (sb.cols.book_valid as Uint8Array)[i] = valid ? 1 : 0;
    this.stats.snapshotRows++;
    this.stats.windows++;
    if (!wValid) this.stats.invalidWindows++;

    if (spot > 0) {
      const cut = endNs - this.#restBig;
      const rowsBefore = this.#flow.n;
      const side = this.#ladder !== null ? this.#denseSide : this.#side;
      side.call(this, S_BID, spot, this.#bbStart > 0 ? this.#bbStart : bb > 0 ? bb : spot, cut);
      side.call(this, S_ASK, spot, this.#baStart > 0 ? this.#baStart : ba > 0 ? ba : spot, cut);
      const fb = this.#flow, fw = fb.w, c = fb.cols;
      const valid8 = wValid ? 1 : 0;
      const spotHi = Math.floor(spot / 4294967296), spotLo = spot - spotHi * 4294967296;
      for (let r = rowsBefore; r < fb.n; r++) {
        const r2 = r << 1;
        fw.window_start_ts_ns[r2] = wsLo;
        fw.window_start_ts_ns[r2 + 1] = wsHi;
        fw.window_end_ts_ns[r2] = weLo;
        fw.window_end_ts_ns[r2 + 1] = weHi;
        fw.spot_ref_price_int[r2] = spotLo;
        fw.spot_ref_price_int[r2 + 1] = spotHi;
        (c.window_valid as Uint8Array)[r] = valid8;
      }
      this.stats.flowRows += fb.n - rowsBefore;
    } else {
      this.stats.windowsWithoutSpot++;
    }
  }

  #pushCand(p: number): void {
    if (this.#nCand === this.#cand.length) this.#cand = _grow(this.#cand, this.#nCand * 2);
    this.#cand[this.#nCand++] = p;
  }

  readonly #collectBid = (p: number): boolean => {
    if (p < this.#cLo) return false;
    if (p <= this.#cHi) this.#pushCand(p);
    return true;
  };

  readonly #collectAsk = (p: number): boolean => {
    if (p > this.#cHi) return false;
    if (p >= this.#cLo) this.#pushCand(p);
    return true;
  };

  /** Futures: depth rows of one side from the dense ladder, ascending price. */
  #denseSide(side: number, spot: number, anchor: number, cut: bigint): void {
    const L = this.#ladder!;
    if (L.cap === 0) return;
    const unit = this.unit, span = this.grid * unit;
    const lo = Math.max(0, Math.ceil((spot - span) / unit) - L.base);
    const hi = Math.min(L.cap - 1, Math.floor((spot + span) / unit) - L.base);
    const off = side === S_BID ? 0 : L.cap;
    const depth = L.depth, A = L.acc, stamp = A.stamp, serial = A.serial;
    for (let i = lo; i <= hi; i++) {
      const j = off + i;
      const end = depth[j];
      const live = stamp[j] === serial;
      if (end === 0 && !live) continue;
      const add = live ? A.add[j] : 0, pull = live ? A.pull[j] : 0, fill = live ? A.fill[j] : 0;
      if (end === 0 && add === 0 && pull === 0 && fill === 0) continue;
      const p = (L.base + i) * unit;
      const rest = add > 0 && end > 0 ? this.#restingAt(side, p, cut) : end;
      this.#row(
        side,
        p,
        rhe((p - spot) / unit),
        rhe((p - anchor) / unit),
        end,
        add,
        pull,
        rest,
        live ? A.pullRest[j] : 0,
        fill,
      );
    }
  }

  /** Equities (futures read the dense ladder): depth rows of one side, per bucket, ascending price. */
  #side(side: number, spot: number, anchor: number, cut: bigint): void {
    const unit = this.unit, grid = this.grid;
    const span = (grid + 0.5) * unit;
    const lo = spot - span, hi = spot + span;
    this.#cLo = lo;
    this.#cHi = hi;
    this.#nCand = 0;
    const t = side === S_BID ? this.#bid : this.#ask;
    for (let j = 0; j < t.nTouched; j++) {
      const p = t.key[t.touched[j]];
      if (p >= lo && p <= hi) this.#pushCand(p);
    }
    const collect = side === S_BID ? this.#collectBid : this.#collectAsk;
    for (const b of this.#list) b.forEachLevel(side as 65 | 66, collect);
    const n = this.#nCand;
    if (n === 0) return;
    const cand = this.#cand.subarray(0, n).sort();

    const anchorOff = rhe((anchor - spot) / unit);
    // bucket aggregation: one open bucket at a time (offsets rise with price)
    let bOff = 0, bOpen = false;
    let bEnd = 0, bAdd = 0, bPull = 0, bPullRest = 0, bFill = 0, bRest = 0;
    const flushBucket = () => {
      if (!bOpen) return;
      bOpen = false;
      if (bEnd === 0 && bAdd === 0 && bPull === 0 && bFill === 0) return;
      this.#row(
        side,
        spot + bOff * unit,
        bOff,
        bOff - anchorOff,
        bEnd,
        bAdd,
        bPull,
        Math.min(bRest, bEnd),
        bPullRest,
        bFill,
      );
    };
    let prev = NaN;
    for (let j = 0; j < n; j++) {
      const p = cand[j];
      if (p === prev) continue;
      prev = p;
      const end = this.#depth(side, p);
      const s = t.find(p);
      let add = 0, pull = 0, pullRest = 0, fill = 0;
      if (t.live(s)) {
        const A = t.acc;
        add = A.add[s];
        pull = A.pull[s];
        pullRest = A.pullRest[s];
        fill = A.fill[s];
      }
      if (end === 0 && add === 0 && pull === 0 && fill === 0) continue;
      // only orders entered in this window can be younger than the threshold
      const rest = add > 0 && end > 0 ? this.#restingAt(side, p, cut) : end;
      const off = rhe((p - spot) / unit);
      if (off < -grid || off > grid) continue;
      if (!bOpen || off !== bOff) {
        flushBucket();
        bOpen = true;
        bOff = off;
        bEnd =
          bAdd =
          bPull =
          bPullRest =
          bFill =
          bRest =
            0;
      }
      bEnd += end;
      bAdd += add;
      bPull += pull;
      bPullRest += pullRest;
      bFill += fill;
      bRest += rest;
    }
    flushBucket();
  }

  #row(
    side: number,
    price: number,
    rel: number,
    relSide: number,
    end: number,
    add: number,
    pull: number,
    rest: number,
    pullRest: number,
    fill: number,
  ): void {
    const fb = this.#flow;
    fb.reserve(1);
    const r = fb.n++;
    const c = fb.cols;
    put64(fb.w.price_int, r, price);
    (c.side as Uint8Array)[r] = side;
    (c.rel_ticks as Int32Array)[r] = rel;
    (c.rel_ticks_side as Int32Array)[r] = relSide;
    (c.depth_qty_start as Float64Array)[r] = end - add + pull + fill;
    (c.depth_qty_end as Float64Array)[r] = end;
    (c.add_qty as Float64Array)[r] = add;
    (c.pull_qty as Float64Array)[r] = pull;
    (c.depth_qty_rest as Float64Array)[r] = rest;
    (c.pull_qty_rest as Float64Array)[r] = pullRest;
    (c.fill_qty as Float64Array)[r] = fill;
  }
}
