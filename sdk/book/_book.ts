/**
 * Private implementation of the {@linkcode Book} view: the mutable per-book state the engine
 * writes, plus the read-only queries.
 *
 * @module
 */

import {
  _Ladder,
  _Store,
  L_COUNT,
  L_HEAD,
  L_SIDE,
  LF_PRICE,
  LF_SIZE,
  NIL,
  O_HI,
  O_LEVEL,
  O_LO,
  O_NEXT,
  O_SIZE,
  O_TSHI,
  O_TSLO,
} from "./_store.ts";
import type { Book, BookAnomalies, Level, RestingOrder, SideLike, TradedVolume } from "./types.ts";

/** 0 for bid, 1 for ask; throws on anything else. */
export function sideIndex(side: SideLike | string | number): 0 | 1 {
  if (side === "B" || side === 66) return 0;
  if (side === "A" || side === 65) return 1;
  throw new RangeError(`book side must be "B" or "A" (66/65), got ${JSON.stringify(side)}`);
}

function priceNumber(price: number | bigint): number {
  return typeof price === "bigint" ? Number(price) : price;
}

function words(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Mutable state of one book (engine side) implementing the public read-only view. */
export class _BookImpl implements Book {
  readonly publisher_id: number;
  readonly instrument_id: number;
  readonly id: number;
  readonly store: _Store;
  readonly bids: _Ladder = new _Ladder();
  readonly asks: _Ladder = new _Ladder();

  inSnapshot = false;
  valid = true;
  consistent = false;
  orderCount = 0;
  records = 0;
  clears = 0;
  snapshots = 0;
  tsLo = 0;
  tsHi = 0;
  recvLo = 0;
  recvHi = 0;
  lastSequence = 0;
  lastTradePrice = NaN;
  volTotal = 0;
  volB = 0;
  volA = 0;
  volN = 0;
  trades = 0;

  // anomaly counters
  cancel_unknown = 0;
  modify_unknown = 0;
  fill_unknown = 0;
  cancel_oversize = 0;
  duplicate_add = 0;
  add_no_side = 0;
  bad_price = 0;
  crossed = 0;
  maybe_bad_book = 0;
  unknown_action = 0;

  constructor(id: number, publisher_id: number, instrument_id: number, store: _Store) {
    this.id = id;
    this.publisher_id = publisher_id;
    this.instrument_id = instrument_id;
    this.store = store;
  }

  get lastTsEvent(): bigint {
    return words(this.tsLo, this.tsHi);
  }

  get lastTsRecv(): bigint {
    return words(this.recvLo, this.recvHi);
  }

  get volume(): Readonly<TradedVolume> {
    return { total: this.volTotal, B: this.volB, A: this.volA, N: this.volN, trades: this.trades };
  }

  get anomalies(): Readonly<BookAnomalies> {
    return {
      cancel_unknown: this.cancel_unknown,
      modify_unknown: this.modify_unknown,
      fill_unknown: this.fill_unknown,
      cancel_oversize: this.cancel_oversize,
      duplicate_add: this.duplicate_add,
      add_no_side: this.add_no_side,
      bad_price: this.bad_price,
      crossed: this.crossed,
      maybe_bad_book: this.maybe_bad_book,
      unknown_action: this.unknown_action,
    };
  }

  ladder(side: SideLike): _Ladder {
    return sideIndex(side) === 0 ? this.bids : this.asks;
  }

  /** Level slot at a price, or NIL. */
  levelSlot(side: SideLike, price: number | bigint): number {
    const si = sideIndex(side);
    const p = priceNumber(price);
    const lad = si === 0 ? this.bids : this.asks;
    const at = lad.search(si === 0 ? p : -p);
    return at >= 0 ? lad.lv[at] : NIL;
  }

  levelCount(side: SideLike): number {
    return this.ladder(side).n;
  }

  bestPrice(side: SideLike): number {
    const lad = this.ladder(side);
    return lad.n === 0 ? NaN : this.store.lf[(lad.lv[lad.n - 1] << 1) + LF_PRICE];
  }

  best(side: SideLike): Level | undefined {
    return this.levels(side, 1)[0];
  }

  levels(side: SideLike, n = Infinity): Level[] {
    const lad = this.ladder(side);
    const out: Level[] = [];
    for (let i = lad.n - 1; i >= 0 && out.length < n; i--) {
      out.push(this.#level(lad.lv[i]));
    }
    return out;
  }

  level(side: SideLike, price: number | bigint): Level | undefined {
    const l = this.levelSlot(side, price);
    return l === NIL ? undefined : this.#level(l);
  }

  depth(side: SideLike, price: number | bigint): number {
    const l = this.levelSlot(side, price);
    return l === NIL ? 0 : this.store.lf[(l << 1) + LF_SIZE];
  }

  forEachLevel(
    side: SideLike,
    fn: (price: number, size: number, count: number) => unknown,
  ): void {
    const lad = this.ladder(side);
    const li = this.store.li, lf = this.store.lf;
    for (let i = lad.n - 1; i >= 0; i--) {
      const l = lad.lv[i];
      const price = lf[(l << 1) + LF_PRICE], size = lf[(l << 1) + LF_SIZE];
      if (fn(price, size, li[(l << 3) + L_COUNT]) === false) return;
    }
  }

  #level(l: number): Level {
    const lf = this.store.lf;
    return {
      price: lf[(l << 1) + LF_PRICE],
      size: lf[(l << 1) + LF_SIZE],
      count: this.store.li[(l << 3) + L_COUNT],
    };
  }

  #orderAt(s: number): RestingOrder {
    const o = this.store.o;
    const r = s << 3;
    const l = o[r + O_LEVEL];
    return {
      order_id: words(o[r + O_LO], o[r + O_HI]),
      side: this.store.li[(l << 3) + L_SIDE] === 0 ? "B" : "A",
      price: this.store.lf[(l << 1) + LF_PRICE],
      size: o[r + O_SIZE] >>> 0,
      ts_event: words(o[r + O_TSLO], o[r + O_TSHI]),
    };
  }

  #collect(l: number, out: RestingOrder[]): void {
    const o = this.store.o;
    for (let s = this.store.li[(l << 3) + L_HEAD]; s !== NIL; s = o[(s << 3) + O_NEXT]) {
      out.push(this.#orderAt(s));
    }
  }

  orders(side?: SideLike): RestingOrder[] {
    const out: RestingOrder[] = [];
    const sides = side === undefined ? [this.bids, this.asks] : [this.ladder(side)];
    for (const lad of sides) {
      for (let i = lad.n - 1; i >= 0; i--) this.#collect(lad.lv[i], out);
    }
    return out;
  }

  ordersAt(side: SideLike, price: number | bigint): RestingOrder[] {
    const out: RestingOrder[] = [];
    const l = this.levelSlot(side, price);
    if (l !== NIL) this.#collect(l, out);
    return out;
  }

  order(order_id: bigint): RestingOrder | undefined {
    const lo = Number(order_id & 0xffffffffn), hi = Number((order_id >> 32n) & 0xffffffffn);
    const b = this.store.find(this.id, lo, hi);
    return b === NIL ? undefined : this.#orderAt(this.store.slotAt(b));
  }

  restingSizeAt(side: SideLike, price: number | bigint, enteredBy: bigint): number {
    const l = this.levelSlot(side, price);
    if (l === NIL) return 0;
    const o = this.store.o;
    const cutHi = Number((enteredBy >> 32n) & 0xffffffffn);
    const cutLo = Number(enteredBy & 0xffffffffn);
    let sum = 0;
    for (let s = this.store.li[(l << 3) + L_HEAD]; s !== NIL; s = o[(s << 3) + O_NEXT]) {
      const r = s << 3;
      const h = o[r + O_TSHI] >>> 0;
      if (h < cutHi || (h === cutHi && o[r + O_TSLO] >>> 0 <= cutLo)) sum += o[r + O_SIZE] >>> 0;
    }
    return sum;
  }

  isCrossed(): boolean {
    const b = this.bids, a = this.asks;
    return b.n > 0 && a.n > 0 && b.keys[b.n - 1] > -a.keys[a.n - 1];
  }
}
