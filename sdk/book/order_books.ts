/**
 * The MBO book engine: {@linkcode OrderBooks} keeps one limit-order book per
 * (publisher_id, instrument_id) and applies Databento MBO records to them.
 *
 * @module
 */

import { _BookImpl } from "./_book.ts";
import {
  _Store,
  L_COUNT,
  L_HEAD,
  L_SIDE,
  L_TAIL,
  LF_PRICE,
  LF_SIZE,
  NIL,
  O_HI,
  O_LEVEL,
  O_LO,
  O_NEXT,
  O_PREV,
  O_SIZE,
  O_TSHI,
  O_TSLO,
} from "./_store.ts";
import {
  ANOMALY_NAMES,
  type Book,
  type BookAnomalies,
  type BookObserver,
  DepthChange,
  type MboColumnsLike,
  type MboRecordLike,
} from "./types.ts";

const F_LAST = 128;
const F_SNAPSHOT = 32;
const F_MAYBE_BAD_BOOK = 4;

const A_ADD = 0x41;
const A_CANCEL = 0x43;
const A_MODIFY = 0x4d;
const A_CLEAR = 0x52;
const A_TRADE = 0x54;
const A_FILL = 0x46;
const A_NONE = 0x4e;

const S_ASK = 0x41;
const S_BID = 0x42;

const TWO32 = 4294967296;
const UNDEF_HI = 0x7fffffff;
const UNDEF_LO = -1; // low word of i64::MAX read as int32

/** Options of {@linkcode OrderBooks}. */
export interface OrderBooksOptions {
  /** Hooks called while records are applied (per-event depth changes, clears, trades, clock). */
  observer?: BookObserver;
  /** Interval of the {@linkcode BookObserver.boundary} clock in ns (default 1 s = 1_000_000_000n). */
  interval?: bigint;
  /** Timestamp that drives the boundary clock (default `"ts_event"`). */
  clock?: "ts_event" | "ts_recv";
  /** Initial capacity of the order table (it grows as needed). Default 16,384. */
  initialOrders?: number;
}

/** Per-action record counts of everything applied so far. */
export interface ActionCounts {
  /** `A` records. */
  A: number;
  /** `C` records. */
  C: number;
  /** `M` records. */
  M: number;
  /** `R` records. */
  R: number;
  /** `T` records. */
  T: number;
  /** `F` records. */
  F: number;
  /** `N` records. */
  N: number;
  /** Any other action code. */
  other: number;
}

/** (lo, hi) words of a 64-bit column as int32 (V8 keeps int32 values unboxed). */
function i32Words(a: BigUint64Array | BigInt64Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

function charCode(v: string | number, what: string): number {
  if (typeof v === "number") return v;
  if (v.length !== 1) {
    throw new RangeError(`${what} must be one character, got ${JSON.stringify(v)}`);
  }
  return v.charCodeAt(0);
}

/**
 * Limit-order books rebuilt from Databento MBO, one per (publisher_id, instrument_id).
 *
 * Semantics (Databento's): `R` clears the book; a run of `F_SNAPSHOT` records rebuilds it (the
 * book is cleared first when the run does not start with `R`); `A` adds; `C` reduces the order by
 * its size and removes it at zero; `M` changes price/size/side (a new price or side, or a larger
 * size, sends the order to the back of the queue; a smaller size keeps its place; an unknown id is
 * an add); `T`, `F` and `N` leave the book unchanged. Traded volume counts `T` only. Unknown ids,
 * oversize cancels and crossed books are counted in {@linkcode Book.anomalies}, never thrown.
 *
 * The hot path ({@linkcode OrderBooks.applyBatch}) reads the typed-array columns directly: order
 * ids are handled as (lo, hi) u32 words in an open-addressing hash table (never rounded, no
 * BigInt), prices as exact doubles, and nothing is allocated per record.
 */
export class OrderBooks {
  readonly #store: _Store;
  readonly #byKey = new Map<number, _BookImpl>();
  readonly #books: _BookImpl[] = [];
  readonly #actions = new Float64Array(256);
  #records = 0;

  // cache of the last book
  #lastPub = -1;
  #lastIid = -1;
  #last: _BookImpl | null = null;

  // observer
  readonly #obs: BookObserver | null;
  readonly #hasDepth: boolean;
  readonly #hasClear: boolean;
  readonly #hasTrade: boolean;
  readonly #hasBoundary: boolean;
  readonly #interval: bigint;
  readonly #clockRecv: boolean;
  #clkOpen = false;
  #clkEnd = 0n;
  #endLo = 0;
  #endHi = 0;

  // scratch columns of apply()
  #one: MboColumnsLike | null = null;

  /** Creates an empty set of books. */
  constructor(options: OrderBooksOptions = {}) {
    this.#store = new _Store(options.initialOrders ?? 1 << 14);
    const obs = options.observer ?? null;
    this.#obs = obs;
    this.#hasDepth = typeof obs?.depth === "function";
    this.#hasClear = typeof obs?.clear === "function";
    this.#hasTrade = typeof obs?.trade === "function";
    this.#hasBoundary = typeof obs?.boundary === "function";
    const interval = options.interval ?? 1_000_000_000n;
    if (interval <= 0n) throw new RangeError(`interval must be > 0 ns, got ${interval}`);
    this.#interval = interval;
    const clock = options.clock ?? "ts_event";
    if (clock !== "ts_event" && clock !== "ts_recv") {
      throw new RangeError(`clock must be "ts_event" or "ts_recv", got ${JSON.stringify(clock)}`);
    }
    this.#clockRecv = clock === "ts_recv";
  }

  /** Number of records applied. */
  get records(): number {
    return this.#records;
  }

  /** Per-action counts of the records applied. */
  get actionCounts(): ActionCounts {
    const a = this.#actions;
    const known = a[A_ADD] + a[A_CANCEL] + a[A_MODIFY] + a[A_CLEAR] + a[A_TRADE] + a[A_FILL] +
      a[A_NONE];
    return {
      A: a[A_ADD],
      C: a[A_CANCEL],
      M: a[A_MODIFY],
      R: a[A_CLEAR],
      T: a[A_TRADE],
      F: a[A_FILL],
      N: a[A_NONE],
      other: this.#records - known,
    };
  }

  /** Anomaly counters summed over every book. */
  get anomalies(): BookAnomalies {
    const sum = Object.fromEntries(ANOMALY_NAMES.map((k) => [k, 0])) as unknown as BookAnomalies;
    for (const b of this.#books) for (const k of ANOMALY_NAMES) sum[k] += b[k];
    return sum;
  }

  /** Resting orders over every book. */
  get orderCount(): number {
    return this.#store.hCount;
  }

  /**
   * The book of an instrument. Without `publisher_id`, the first book created for that
   * instrument id (there is one per publisher).
   */
  book(instrument_id: number, publisher_id?: number): Book | undefined {
    if (publisher_id !== undefined) return this.#byKey.get(publisher_id * TWO32 + instrument_id);
    return this.#books.find((b) => b.instrument_id === instrument_id);
  }

  /** Every book, in order of first appearance. */
  books(): Book[] {
    return this.#books.slice();
  }

  /**
   * Fires {@linkcode BookObserver.boundary} for the interval still open (the one holding the
   * last record), once, and closes the clock: the next record opens a new interval.
   */
  finish(): void {
    if (!this.#clkOpen) return;
    this.#clkOpen = false;
    const end = this.#clkEnd;
    this.#endLo = 0;
    this.#endHi = 0;
    this.#obs!.boundary!(end);
  }

  /**
   * Applies one record given as a plain object (e.g. a decoded `MboMsg`). Convenient for tests;
   * use {@linkcode OrderBooks.applyBatch} for volume.
   */
  apply(rec: MboRecordLike): void {
    let c = this.#one;
    if (c === null) {
      c = {
        length: 1,
        publisher_id: new Uint16Array(1),
        instrument_id: new Uint32Array(1),
        ts_event: new BigUint64Array(1),
        order_id: new BigUint64Array(1),
        price: new BigInt64Array(1),
        size: new Uint32Array(1),
        flags: new Uint8Array(1),
        action: new Uint8Array(1),
        side: new Uint8Array(1),
        ts_recv: new BigUint64Array(1),
        sequence: new Uint32Array(1),
      };
      this.#one = c;
    }
    c.publisher_id[0] = rec.publisher_id ?? 0;
    c.instrument_id[0] = rec.instrument_id;
    c.ts_event[0] = rec.ts_event;
    c.order_id[0] = rec.order_id;
    c.price[0] = rec.price;
    c.size[0] = rec.size;
    c.flags[0] = rec.flags ?? F_LAST;
    c.action[0] = charCode(rec.action, "action");
    c.side[0] = charCode(rec.side, "side");
    c.ts_recv[0] = rec.ts_recv ?? rec.ts_event;
    c.sequence[0] = rec.sequence ?? 0;
    this.applyBatch(c, 0, 1);
  }

  /**
   * Applies records `start` (default 0) to `end` (default `cols.length`) of a columnar MBO batch,
   * in order. This is the hot path: no per-record allocation, no BigInt.
   */
  applyBatch(cols: MboColumnsLike, start = 0, end: number = cols.length): void {
    if (!(start >= 0 && end <= cols.length && start <= end)) {
      throw new RangeError(`applyBatch: bad range [${start}, ${end}) for ${cols.length} records`);
    }
    this.#run(cols, start, end);
    this.#records += end - start;
  }

  /**
   * The record loop. Nothing follows the loop: code that runs only after a first long loop has
   * no type feedback when V8 optimizes it on-stack, and would deoptimize on every call.
   */
  #run(cols: MboColumnsLike, start: number, end: number): void {
    const oid = i32Words(cols.order_id);
    const px = i32Words(cols.price);
    const tsw = i32Words(cols.ts_event);
    const rcv = i32Words(cols.ts_recv);
    const clk = this.#clockRecv ? rcv : tsw;
    const useClock = this.#hasBoundary;
    const pub = cols.publisher_id, iid = cols.instrument_id, size = cols.size;
    const flags = cols.flags, action = cols.action, sideCol = cols.side, seq = cols.sequence;
    const actions = this.#actions;
    const st = this.#store;
    let lastPub = this.#lastPub, lastIid = this.#lastIid;
    let bk = this.#last;
    for (let i = start; i < end; i++) {
      const p = pub[i], ins = iid[i];
      if (bk === null || p !== lastPub || ins !== lastIid) {
        bk = this.#resolve(p, ins);
        lastPub = p;
        lastIid = ins;
        this.#lastPub = p;
        this.#lastIid = ins;
        this.#last = bk;
      }
      const f = flags[i];
      const a = action[i];
      const w = i * 2;
      const tsLo = tsw[w], tsHi = tsw[w + 1];
      if (useClock && (f & F_SNAPSHOT) === 0) {
        const ch = clk[w + 1];
        if (ch > this.#endHi || (ch === this.#endHi && clk[w] >>> 0 >= this.#endLo)) {
          this.#advance(clk[w], ch);
        }
      }
      actions[a]++;

      // Snapshot runs: a run that does not start with R clears the book first.
      if ((f & F_SNAPSHOT) !== 0) {
        if (!bk.inSnapshot) {
          bk.snapshots++;
          if (a !== A_CLEAR) this.#clear(bk);
          bk.inSnapshot = true;
        }
      } else if (bk.inSnapshot) {
        bk.inSnapshot = false;
      }

      switch (a) {
        case A_ADD:
        case A_MODIFY: {
          const s = sideCol[i];
          const si = s === S_BID ? 0 : s === S_ASK ? 1 : -1;
          const phi = px[w + 1], plo = px[w];
          if (phi === UNDEF_HI && plo === UNDEF_LO) {
            bk.bad_price++;
            break;
          }
          const price = phi * TWO32 + (plo >>> 0);
          if (a === A_ADD) {
            if (si < 0) bk.add_no_side++;
            else this.#add(bk, oid[w], oid[w + 1], si, price, size[i], tsLo, tsHi);
          } else {
            this.#modify(bk, oid[w], oid[w + 1], si, price, size[i], tsLo, tsHi);
          }
          break;
        }
        case A_CANCEL:
          this.#cancel(bk, oid[w], oid[w + 1], size[i], tsLo, tsHi);
          break;
        case A_CLEAR:
          this.#clear(bk);
          break;
        case A_TRADE:
          this.#trade(bk, px[w], px[w + 1], size[i], sideCol[i]);
          break;
        case A_FILL:
          this.#fill(bk, oid[w], oid[w + 1], size[i]);
          break;
        case A_NONE:
          break;
        default:
          bk.unknown_action++;
      }

      bk.records++;
      bk.tsLo = tsLo;
      bk.tsHi = tsHi;
      bk.recvLo = rcv[w];
      bk.recvHi = rcv[w + 1];
      bk.lastSequence = seq[i];
      if ((f & F_MAYBE_BAD_BOOK) !== 0) {
        bk.valid = false;
        bk.maybe_bad_book++;
      }
      if ((f & F_LAST) !== 0) {
        bk.inSnapshot = false;
        bk.consistent = true;
        if (st.pendN !== 0) st.clearPending(bk.id);
        const bn = bk.bids.n, an = bk.asks.n;
        if (bn !== 0 && an !== 0 && bk.bids.keys[bn - 1] > -bk.asks.keys[an - 1]) bk.crossed++;
      } else {
        bk.consistent = false;
      }
    }
  }

  /** `C`: the hot path, written out (hash probe, reduce, unlink, unindex) to avoid calls. */
  #cancel(bk: _BookImpl, lo: number, hi: number, size: number, tsLo: number, tsHi: number): void {
    const st = this.#store;
    const h = st.h, o = st.o, mask = st.hMask;
    const fp = st.hash(bk.id, lo, hi);
    let i = fp >>> (32 - st.hBits);
    let s: number;
    for (;;) {
      const j = i << 1;
      s = h[j + 1];
      if (s === NIL) {
        bk.cancel_unknown++;
        return;
      }
      if (h[j] === fp && o[s << 3] === lo && o[(s << 3) + 1] === hi) break;
      i = (i + 1) & mask;
    }
    const r = s << 3;
    const have = o[r + O_SIZE] >>> 0;
    let q = size;
    if (q > have) {
      bk.cancel_oversize++;
      q = have;
    }
    if (q === 0 && have !== 0) return;
    if (this.#hasDepth && q > 0) this.#reportOut(bk, s, q, tsLo, tsHi);
    const l = o[r + O_LEVEL];
    st.lf[(l << 1) + LF_SIZE] -= q;
    if (have > q) {
      o[r + O_SIZE] = have - q;
      return;
    }
    const li = st.li, lr = l << 3, prev = o[r + O_PREV], next = o[r + O_NEXT];
    if (prev === NIL) li[lr + L_HEAD] = next;
    else o[(prev << 3) + O_NEXT] = next;
    if (next === NIL) li[lr + L_TAIL] = prev;
    else o[(next << 3) + O_PREV] = prev;
    if (--li[lr + L_COUNT] === 0) this.#dropLevel(bk, l);
    st.removeAt(i);
    st.freeOrder(s);
    bk.orderCount--;
  }

  #trade(bk: _BookImpl, plo: number, phi: number, q: number, side: number): void {
    bk.volTotal += q;
    if (side === S_BID) bk.volB += q;
    else if (side === S_ASK) bk.volA += q;
    else bk.volN += q;
    bk.trades++;
    const price = phi === UNDEF_HI && plo === UNDEF_LO ? NaN : phi * TWO32 + (plo >>> 0);
    if (price === price) bk.lastTradePrice = price;
    if (this.#hasTrade) this.#obs!.trade!(bk, price, q, side);
  }

  #fill(bk: _BookImpl, lo: number, hi: number, size: number): void {
    const st = this.#store;
    const b = st.probe(bk.id, lo, hi);
    if (b < 0) {
      bk.fill_unknown++;
    } else if (this.#hasDepth) {
      const s = st.slotAt(b);
      if (st.oPend[s] === 0) st.pushPending(s);
      st.oPend[s] += size;
    }
  }

  #resolve(pub: number, iid: number): _BookImpl {
    const key = pub * TWO32 + iid;
    let b = this.#byKey.get(key);
    if (b === undefined) {
      b = new _BookImpl(this.#books.length, pub, iid, this.#store);
      this.#books.push(b);
      this.#byKey.set(key, b);
    }
    return b;
  }

  #advance(lo: number, hi: number): void {
    const ts = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    const iv = this.#interval;
    if (!this.#clkOpen) {
      this.#clkOpen = true;
      this.#clkEnd = (ts / iv + 1n) * iv;
    } else {
      const cb = this.#obs!;
      while (this.#clkEnd <= ts) {
        const e = this.#clkEnd;
        this.#clkEnd = e + iv;
        cb.boundary!(e);
      }
    }
    const e = this.#clkEnd;
    this.#endLo = Number(e & 0xffffffffn);
    this.#endHi = Number((e >> 32n) & 0xffffffffn);
  }

  /** The level of `price` on side `si` of `bk`, created if needed. */
  #levelFor(bk: _BookImpl, si: number, price: number): number {
    const lad = si === 0 ? bk.bids : bk.asks;
    const key = si === 0 ? price : -price;
    const at = lad.search(key);
    if (at >= 0) return lad.lv[at];
    const l = this.#store.allocLevel(bk.id, si, price);
    lad.insertAt(~at, key, l);
    return l;
  }

  #add(
    bk: _BookImpl,
    lo: number,
    hi: number,
    si: number,
    price: number,
    size: number,
    tsLo: number,
    tsHi: number,
  ): void {
    const st = this.#store;
    st.reserve();
    let b = st.probe(bk.id, lo, hi);
    if (b >= 0) {
      bk.duplicate_add++;
      const s = st.slotAt(b);
      this.#reduce(bk, s, b, st.o[(s << 3) + O_SIZE] >>> 0, tsLo, tsHi, true);
      b = st.probe(bk.id, lo, hi);
    }
    const l = this.#levelFor(bk, si, price);
    const s = st.allocOrder();
    const o = st.o, r = s << 3;
    o[r + O_LO] = lo;
    o[r + O_HI] = hi;
    o[r + O_TSLO] = tsLo;
    o[r + O_TSHI] = tsHi;
    o[r + O_SIZE] = size;
    st.linkTail(l, s);
    st.lf[(l << 1) + LF_SIZE] += size;
    st.li[(l << 3) + L_COUNT]++;
    st.insertAt(~b, bk.id, lo, hi, s);
    bk.orderCount++;
    if (this.#hasDepth && size > 0) {
      this.#obs!.depth!(bk, si === 0 ? S_BID : S_ASK, price, DepthChange.ADD, size, 0);
    }
  }

  /** Reports `q` removed from order `s` as FILL (up to its pending fills) and/or PULL. */
  #reportOut(bk: _BookImpl, s: number, q: number, tsLo: number, tsHi: number): void {
    const st = this.#store;
    const o = st.o, r = s << 3;
    const l = o[r + O_LEVEL];
    const sideCode = st.li[(l << 3) + L_SIDE] === 0 ? S_BID : S_ASK;
    const price = st.lf[(l << 1) + LF_PRICE];
    const age = (tsHi - o[r + O_TSHI]) * TWO32 + ((tsLo >>> 0) - (o[r + O_TSLO] >>> 0));
    const pend = st.oPend[s];
    const fill = pend < q ? pend : q;
    const obs = this.#obs!;
    if (fill > 0) {
      st.oPend[s] = pend - fill;
      obs.depth!(bk, sideCode, price, DepthChange.FILL, fill, age);
    }
    if (q > fill) obs.depth!(bk, sideCode, price, DepthChange.PULL, q - fill, age);
  }

  /**
   * Reduces order `s` (hash bucket `b`) by `q` (≤ its size); removes it when nothing is left or
   * when `remove` is set.
   */
  #reduce(
    bk: _BookImpl,
    s: number,
    b: number,
    q: number,
    tsLo: number,
    tsHi: number,
    remove: boolean,
  ): void {
    const st = this.#store;
    if (this.#hasDepth && q > 0) this.#reportOut(bk, s, q, tsLo, tsHi);
    const o = st.o, r = s << 3;
    const l = o[r + O_LEVEL];
    const lf = st.lf, lz = (l << 1) + LF_SIZE;
    const rem = (o[r + O_SIZE] >>> 0) - q;
    if (rem > 0 && !remove) {
      o[r + O_SIZE] = rem;
      lf[lz] -= q;
      return;
    }
    lf[lz] -= q + rem;
    st.unlink(s);
    if (--st.li[(l << 3) + L_COUNT] === 0) this.#dropLevel(bk, l);
    st.removeAt(b);
    st.freeOrder(s);
    bk.orderCount--;
  }

  #dropLevel(bk: _BookImpl, l: number): void {
    const st = this.#store;
    const price = st.lf[(l << 1) + LF_PRICE];
    const bid = st.li[(l << 3) + L_SIDE] === 0;
    const lad = bid ? bk.bids : bk.asks;
    lad.removeAt(lad.search(bid ? price : -price));
    st.freeLevel(l);
  }

  #modify(
    bk: _BookImpl,
    lo: number,
    hi: number,
    si: number,
    price: number,
    size: number,
    tsLo: number,
    tsHi: number,
  ): void {
    const st = this.#store;
    const b = st.probe(bk.id, lo, hi);
    if (b < 0) {
      bk.modify_unknown++;
      if (si < 0) bk.add_no_side++;
      else this.#add(bk, lo, hi, si, price, size, tsLo, tsHi);
      return;
    }
    const s = st.slotAt(b);
    const o = st.o, r = s << 3;
    const l = o[r + O_LEVEL];
    const oldSide = st.li[(l << 3) + L_SIDE];
    const oldPrice = st.lf[(l << 1) + LF_PRICE];
    const oldSize = o[r + O_SIZE] >>> 0;
    if (si < 0) si = oldSide;
    if (size === 0) {
      this.#reduce(bk, s, b, oldSize, tsLo, tsHi, true);
      return;
    }
    if (price !== oldPrice || si !== oldSide) {
      // Another level: loses priority.
      if (this.#hasDepth && oldSize > 0) this.#reportOut(bk, s, oldSize, tsLo, tsHi);
      st.unlink(s);
      st.lf[(l << 1) + LF_SIZE] -= oldSize;
      if (--st.li[(l << 3) + L_COUNT] === 0) this.#dropLevel(bk, l);
      const nl = this.#levelFor(bk, si, price);
      st.linkTail(nl, s);
      st.lf[(nl << 1) + LF_SIZE] += size;
      st.li[(nl << 3) + L_COUNT]++;
      o[r + O_SIZE] = size;
      o[r + O_TSLO] = tsLo;
      o[r + O_TSHI] = tsHi;
      if (this.#hasDepth) {
        this.#obs!.depth!(bk, si === 0 ? S_BID : S_ASK, price, DepthChange.ADD, size, 0);
      }
    } else if (size > oldSize) {
      // Larger size: back of the queue.
      st.unlink(s);
      st.linkTail(l, s);
      st.lf[(l << 1) + LF_SIZE] += size - oldSize;
      o[r + O_SIZE] = size;
      o[r + O_TSLO] = tsLo;
      o[r + O_TSHI] = tsHi;
      if (this.#hasDepth) {
        const code = si === 0 ? S_BID : S_ASK;
        this.#obs!.depth!(bk, code, price, DepthChange.ADD, size - oldSize, 0);
      }
    } else if (size < oldSize) {
      // Smaller size: keeps its place.
      this.#reduce(bk, s, b, oldSize - size, tsLo, tsHi, false);
    }
  }

  #clear(bk: _BookImpl): void {
    if (this.#hasClear) this.#obs!.clear!(bk);
    const st = this.#store;
    if (bk.orderCount === st.hCount) {
      // The only book with orders: reset every table at once (and allocate compactly again).
      st.reset();
      bk.bids.n = 0;
      bk.asks.n = 0;
    } else {
      for (const lad of [bk.bids, bk.asks]) {
        for (let i = 0; i < lad.n; i++) {
          const l = lad.lv[i];
          let s = st.li[(l << 3) + L_HEAD];
          while (s !== NIL) {
            const r = s << 3;
            const next = st.o[r + O_NEXT];
            st.removeAt(st.find(bk.id, st.o[r + O_LO], st.o[r + O_HI]));
            st.freeOrder(s);
            s = next;
          }
          st.freeLevel(l);
        }
        lad.n = 0;
      }
    }
    bk.orderCount = 0;
    bk.valid = true;
    bk.clears++;
  }
}
