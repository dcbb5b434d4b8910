/**
 * Private implementation of the {@linkcode Book} view: the mutable per-book state the engine
 * writes, plus the read-only queries.
 *
 * @module
 */

import { _Ladder, _Store, NIL } from "./_store.ts";
import type {
  Book,
  BookAnomalies,
  Level,
  RestingOrder,
  SideLike,
  TradedVolume,
} from "./types.ts";

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
  return (BigInt(hi) << 32n) | BigInt(lo);
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
    return lad.n === 0 ? NaN : this.store.lPrice[lad.lv[lad.n - 1]];
  }

  best(side: SideLike): Level | undefined {
    return this.levels(side, 1)[0];
  }

  levels(side: SideLike, n = Infinity): Level[] {
    const lad = this.ladder(side);
    const st = this.store;
    const out: Level[] = [];
    for (let i = lad.n - 1; i >= 0 && out.length < n; i--) {
      const l = lad.lv[i];
      out.push({ price: st.lPrice[l], size: st.lSize[l], count: st.lCount[l] });
    }
    return out;
  }

  level(side: SideLike, price: number | bigint): Level | undefined {
    const l = this.levelSlot(side, price);
    if (l === NIL) return undefined;
    const st = this.store;
    return { price: st.lPrice[l], size: st.lSize[l], count: st.lCount[l] };
  }

  depth(side: SideLike, price: number | bigint): number {
    const l = this.levelSlot(side, price);
    return l === NIL ? 0 : this.store.lSize[l];
  }

  forEachLevel(
    side: SideLike,
    fn: (price: number, size: number, count: number) => unknown,
  ): void {
    const lad = this.ladder(side);
    const st = this.store;
    for (let i = lad.n - 1; i >= 0; i--) {
      const l = lad.lv[i];
      if (fn(st.lPrice[l], st.lSize[l], st.lCount[l]) === false) return;
    }
  }

  #orderAt(s: number): RestingOrder {
    const st = this.store;
    const l = st.oLevel[s];
    return {
      order_id: words(st.oLo[s], st.oHi[s]),
      side: st.lSide[l] === 0 ? "B" : "A",
      price: st.lPrice[l],
      size: st.oSize[s],
      ts_event: words(st.oTsLo[s], st.oTsHi[s]),
    };
  }

  #collect(l: number, out: RestingOrder[]): void {
    const st = this.store;
    for (let s = st.lHead[l]; s !== NIL; s = st.oNext[s]) out.push(this.#orderAt(s));
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
    const st = this.store;
    const cutHi = Number((enteredBy >> 32n) & 0xffffffffn);
    const cutLo = Number(enteredBy & 0xffffffffn);
    let sum = 0;
    for (let s = st.lHead[l]; s !== NIL; s = st.oNext[s]) {
      const h = st.oTsHi[s];
      if (h < cutHi || (h === cutHi && st.oTsLo[s] <= cutLo)) sum += st.oSize[s];
    }
    return sum;
  }

  isCrossed(): boolean {
    const b = this.bids, a = this.asks;
    return b.n > 0 && a.n > 0 && b.keys[b.n - 1] > -a.keys[a.n - 1];
  }
}
