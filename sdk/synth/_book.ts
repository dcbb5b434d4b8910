// The generator's own limit order book for one instrument, and the order-flow model that drives
// it. Price levels live on a ring of 2^logL ticks (index = tick & mask) holding FIFO queues of
// orders (doubly linked lists in a typed-array pool); a dense array of live orders allows uniform
// sampling. Every action writes its MBO records through MboOut, following Databento MBO semantics:
// A adds; C reduces by size and removes at 0; M replaces price/size and loses priority; an
// aggressive order writes T (aggressor side) then one F per resting order filled (same packet),
// then in the next packet a C for every fully filled resting order and an M (or a C with the
// filled size) for a partially filled one; F_LAST closes every event.
import {
  A_ADD,
  A_CANCEL,
  A_FILL,
  A_MODIFY,
  A_TRADE,
  F_BAD_TS_RECV,
  F_SNAPSHOT,
  type MboOut,
  S_ASK,
  S_BID,
  S_NONE,
} from "./_mbo_out.ts";
import { geoTable, type Rng } from "./_rng.ts";

/** No bid / no ask sentinels for best prices (in ticks). */
export const NO_BID = -1;
export const NO_ASK = 0x3fffffff;

/** Parameters of the order-flow model (ticks and lots of the instrument). */
export interface FlowParams {
  /** Relative weights of event types (cancel and modify scale with live orders / target). */
  wAdd: number;
  wCancel: number;
  wModify: number;
  wMarket: number;
  /** Steady-state number of live orders. */
  target: number;
  /** Half spread around the latent price, in ticks (0: one-tick market). */
  halfSpread: number;
  /** Placement distance from the reference (ticks): mixture of two geometrics, capped. */
  nearMean: number;
  farMean: number;
  pFar: number;
  maxDepth: number;
  /** Order sizes: `lot` 1 (contracts) or 100 (shares). */
  lot: number;
  sizeMean: number;
  pBig: number;
  bigMean: number;
  pOddLot: number;
  /** Aggressive (market) orders: mean size, price protection in ticks, side tilt per tick. */
  mktSizeMean: number;
  protect: number;
  beta: number;
  /** Cancel targeting: stale-quote pull, near-touch pick (mean distance), partial cancels. */
  pStale: number;
  pNearCancel: number;
  nearCancelMean: number;
  pPartialCancel: number;
  /** Modify: probability of a price change (else a size change). */
  pPriceModify: number;
  /** 0: modify with M; 1: replace as C + A with a new order id (ITCH style). */
  replaceStyle: number;
  /** 0: partial fills reduced by M with the remaining size (CME); 1: by C of the filled size. */
  partialFillStyle: number;
  /** Probability that an aggressive event is a non-displayed execution (T only, no book change). */
  pHidden: number;
  /** ts_recv - ts_event = latMin + U(0, latSpan); ts_in_delta = deltaMin + U(0, deltaSpan) or, when deltaMin < 0, ts_recv - ts_event. */
  latMin: number;
  latSpan: number;
  deltaMin: number;
  deltaSpan: number;
  /** ns between the trade packet and the packet of post-trade book updates. */
  postTradeGap: number;
  /** Probability that a limit order that would cross joins its own side's best price instead. */
  pCrossPassive: number;
  /** Extra cancel weight per tick the opposite quote is stale (latent price beyond the touch). */
  staleBoost: number;
  // derived by deriveFlow(): inverse-CDF tables of the geometric draws
  tSize: Uint16Array;
  tSizeMod: Uint16Array;
  tBig: Uint16Array;
  tNear: Uint16Array;
  tFar: Uint16Array;
  tMkt: Uint16Array;
  tNearCancel: Uint16Array;
}

/** The tunable part of {@linkcode FlowParams}. */
export type FlowSettings = Omit<
  FlowParams,
  "tSize" | "tSizeMod" | "tBig" | "tNear" | "tFar" | "tMkt" | "tNearCancel"
>;

/** Completes flow settings with the derived constants (call again after changing a mean). */
export function deriveFlow(s: FlowSettings | FlowParams): FlowParams {
  const p = s as FlowParams;
  p.tSize = geoTable(p.sizeMean - 1);
  p.tSizeMod = geoTable(p.sizeMean);
  p.tBig = geoTable(p.bigMean);
  p.tNear = geoTable(p.nearMean);
  p.tFar = geoTable(p.farMean);
  p.tMkt = geoTable(p.mktSizeMean - 1);
  p.tNearCancel = geoTable(p.nearCancelMean);
  return p;
}

/** One instrument's book plus its share of the order flow. */
export class Book {
  readonly iid: number;
  readonly tickInt: number;
  readonly logL: number;
  readonly mask: number;
  readonly L: number;
  // levels: index (side << logL) | (tick & mask)
  head: Int32Array;
  tail: Int32Array;
  qty: Float64Array;
  bestBid = NO_BID;
  bestAsk = NO_ASK;
  minBid = NO_ASK;
  maxAsk = NO_BID;
  // order pool
  cap = 0;
  oTick = new Int32Array(0);
  oSize = new Int32Array(0);
  oSide = new Uint8Array(0);
  oPrev = new Int32Array(0);
  oNext = new Int32Array(0);
  oIdLo = new Uint32Array(0);
  oIdHi = new Uint32Array(0);
  oPos = new Int32Array(0);
  oTag = new Uint8Array(0);
  live = new Int32Array(0);
  nLive = 0;
  free = new Int32Array(0);
  nFree = 0;
  nextSlot = 0;
  // per-event scratch: filled orders and their fill sizes
  pendO = new Int32Array(256);
  pendF = new Int32Array(256);
  nPend = 0;
  /** Matching on (false during a pre-open: crossing orders rest). */
  matching = true;
  /** Add suppression window (vacuum episodes): side 0 bid / 1 ask / -1 none. */
  supSide = -1;
  supLo = 0;
  supHi = 0;
  supUntil = 0;
  /** Wall tags currently protected from ordinary cancels. */
  readonly wallActive = new Uint8Array(256);
  /** Half spread in ticks (may be updated per second, e.g. options). */
  halfSpread: number;
  /** Trade statistics. */
  volume = 0;
  trades = 0;
  firstTradeT = -1;
  firstTradeTick = 0;
  highTick = 0;
  lowTick = NO_ASK;
  lastTradeTick = 0;

  constructor(iid: number, tickInt: number, logL: number, halfSpread: number, capacity = 1024) {
    this.iid = iid;
    this.tickInt = tickInt;
    this.logL = logL;
    this.L = 1 << logL;
    this.mask = this.L - 1;
    this.head = new Int32Array(2 * this.L).fill(-1);
    this.tail = new Int32Array(2 * this.L).fill(-1);
    this.qty = new Float64Array(2 * this.L);
    this.halfSpread = halfSpread;
    this.#grow(capacity);
  }

  #grow(cap: number): void {
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const gu8 = (a: Uint8Array) => {
      const b = new Uint8Array(cap);
      b.set(a);
      return b;
    };
    const gu32 = (a: Uint32Array) => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    this.oTick = g32(this.oTick);
    this.oSize = g32(this.oSize);
    this.oSide = gu8(this.oSide);
    this.oPrev = g32(this.oPrev);
    this.oNext = g32(this.oNext);
    this.oIdLo = gu32(this.oIdLo);
    this.oIdHi = gu32(this.oIdHi);
    this.oPos = g32(this.oPos);
    this.oTag = gu8(this.oTag);
    this.live = g32(this.live);
    this.free = g32(this.free);
    this.cap = cap;
  }

  // ---------------------------------------------------------------- pool and ladder primitives

  #alloc(): number {
    if (this.nFree > 0) return this.free[--this.nFree];
    if (this.nextSlot >= this.cap) this.#grow(this.cap * 2);
    return this.nextSlot++;
  }

  #release(o: number): void {
    const p = this.oPos[o];
    const last = this.live[--this.nLive];
    this.live[p] = last;
    this.oPos[last] = p;
    this.free[this.nFree++] = o;
  }

  /** Creates an order (not yet linked) and returns its slot. */
  newOrder(
    side: number,
    tick: number,
    size: number,
    idLo: number,
    idHi: number,
    tag: number,
  ): number {
    const o = this.#alloc();
    this.oSide[o] = side;
    this.oTick[o] = tick;
    this.oSize[o] = size;
    this.oIdLo[o] = idLo;
    this.oIdHi[o] = idHi;
    this.oTag[o] = tag;
    this.oPos[o] = this.nLive;
    this.live[this.nLive++] = o;
    return o;
  }

  /** Appends order `o` to the tail of its level. */
  link(o: number): void {
    const s = this.oSide[o], tk = this.oTick[o];
    const li = (s << this.logL) | (tk & this.mask);
    const tl = this.tail[li];
    this.oPrev[o] = tl;
    this.oNext[o] = -1;
    if (tl === -1) this.head[li] = o;
    else this.oNext[tl] = o;
    this.tail[li] = o;
    this.qty[li] += this.oSize[o];
    if (s === 0) {
      if (tk > this.bestBid) this.bestBid = tk;
      if (tk < this.minBid) this.minBid = tk;
    } else {
      if (tk < this.bestAsk) this.bestAsk = tk;
      if (tk > this.maxAsk) this.maxAsk = tk;
    }
  }

  /** Removes order `o` from its level (keeps it allocated). */
  unlink(o: number): void {
    const s = this.oSide[o], tk = this.oTick[o];
    const li = (s << this.logL) | (tk & this.mask);
    const p = this.oPrev[o], nx = this.oNext[o];
    if (p === -1) this.head[li] = nx;
    else this.oNext[p] = nx;
    if (nx === -1) this.tail[li] = p;
    else this.oPrev[nx] = p;
    this.qty[li] -= this.oSize[o];
    if (this.head[li] === -1) this.#emptied(s, tk);
  }

  #emptied(s: number, tk: number): void {
    const head = this.head, mask = this.mask;
    if (s === 0) {
      const base = 0;
      if (tk === this.bestBid) {
        let t = tk - 1;
        while (t >= this.minBid && head[base | (t & mask)] === -1) t--;
        if (t < this.minBid) {
          this.bestBid = NO_BID;
          this.minBid = NO_ASK;
        } else this.bestBid = t;
      } else if (tk === this.minBid) {
        let t = tk + 1;
        while (t < this.bestBid && head[base | (t & mask)] === -1) t++;
        this.minBid = t;
      }
    } else {
      const base = this.L;
      if (tk === this.bestAsk) {
        let t = tk + 1;
        while (t <= this.maxAsk && head[base | (t & mask)] === -1) t++;
        if (t > this.maxAsk) {
          this.bestAsk = NO_ASK;
          this.maxAsk = NO_BID;
        } else this.bestAsk = t;
      } else if (tk === this.maxAsk) {
        let t = tk - 1;
        while (t > this.bestAsk && head[base | (t & mask)] === -1) t--;
        this.maxAsk = t;
      }
    }
  }

  /** Whether an order at `tick` keeps every live tick inside one ring turn. */
  canPlace(tick: number): boolean {
    if (tick < 1) return false;
    let lo = tick, hi = tick;
    if (this.minBid < lo) lo = this.minBid;
    if (this.bestAsk < lo) lo = this.bestAsk;
    if (this.maxAsk > hi) hi = this.maxAsk;
    if (this.bestBid > hi) hi = this.bestBid;
    return hi - lo < this.L - 1;
  }

  /** Level quantity at (side, tick). */
  levelQty(side: number, tick: number): number {
    return this.qty[(side << this.logL) | (tick & this.mask)];
  }

  /** Total resting quantity on `side` with tick in [lo, hi]. */
  rangeQty(side: number, lo: number, hi: number): number {
    let q = 0;
    for (let t = lo; t <= hi; t++) q += this.qty[(side << this.logL) | (t & this.mask)];
    return q;
  }

  // ---------------------------------------------------------------- record helpers

  /** Starts an event at `t` with a random latency and ts_in_delta from one 32-bit draw. */
  begin(out: MboOut, rng: Rng, p: FlowParams, t: number): void {
    const u = rng.u32();
    out.begin(
      t,
      p.latMin + (u & 0xffff) * p.latSpan * (1 / 65536),
      p.deltaMin < 0 ? -1 : p.deltaMin + (u >>> 16) * p.deltaSpan * (1 / 65536),
    );
  }

  #emitOrder(out: MboOut, action: number, o: number, size: number): void {
    out.put(
      this.iid,
      action,
      this.oSide[o] === 0 ? S_BID : S_ASK,
      this.oTick[o] * this.tickInt,
      size,
      this.oIdLo[o],
      this.oIdHi[o],
      0,
    );
  }

  /** Adds a resting order with a fresh id as its own event (A + F_LAST). */
  addEvent(
    out: MboOut,
    rng: Rng,
    p: FlowParams,
    t: number,
    side: number,
    tick: number,
    size: number,
    tag: number,
  ): number {
    this.begin(out, rng, p, t);
    out.nextId(1 + (t & 3));
    const o = this.newOrder(side, tick, size, out.idLo, out.idHi, tag);
    this.link(o);
    this.#emitOrder(out, A_ADD, o, size);
    out.last();
    return o;
  }

  /** Cancels order `o` entirely (its own event unless `inEvent`). */
  cancelOrder(out: MboOut, o: number): void {
    this.#emitOrder(out, A_CANCEL, o, this.oSize[o]);
    this.unlink(o);
    this.#release(o);
  }

  // ---------------------------------------------------------------- order flow

  #drawSize(rng: Rng, p: FlowParams): number {
    if (p.lot === 1) {
      let s = 1 + p.tSize[rng.u32() >>> 20];
      if (rng.next() < p.pBig) s += p.tBig[rng.u32() >>> 20];
      return s;
    }
    if (rng.next() < p.pOddLot) return 1 + rng.int(p.lot - 1);
    let lots = 1 + p.tSize[rng.u32() >>> 20];
    if (rng.next() < p.pBig) lots += p.tBig[rng.u32() >>> 20];
    return lots * p.lot;
  }

  #drawDepth(rng: Rng, p: FlowParams): number {
    let k = rng.next() < p.pFar ? p.tFar[rng.u32() >>> 20] : p.tNear[rng.u32() >>> 20];
    if (k > p.maxDepth) k = rng.int(p.maxDepth + 1);
    return k;
  }

  /** Reference ticks of a new bid / ask around latent `x` (ticks). */
  #placement(rng: Rng, p: FlowParams, x: number, side: number, t: number): number {
    const h = this.halfSpread;
    const bidRef = Math.floor(x - h);
    const k = this.#drawDepth(rng, p);
    let tick: number;
    if (side === 0) tick = bidRef - k;
    else {
      let askRef = Math.ceil(x + h);
      if (askRef <= bidRef) askRef = bidRef + 1;
      tick = askRef + k;
    }
    if (side === this.supSide && t < this.supUntil && tick >= this.supLo && tick <= this.supHi) {
      tick = side === 1 ? this.supHi + 1 + (k & 3) : this.supLo - 1 - (k & 3);
    }
    return tick;
  }

  /** One ordinary order-flow event at time `t` (ns) with latent price `x` (ticks). */
  step(out: MboOut, rng: Rng, p: FlowParams, x: number, t: number): void {
    const fill = this.nLive / p.target;
    let stale = 0;
    const h = this.halfSpread + 0.5;
    if (this.bestAsk < x - h) stale = x - h - this.bestAsk;
    else if (this.bestBid > x + h && this.bestBid !== NO_BID) stale = this.bestBid - x - h;
    const wC = p.wCancel * fill + (stale > 0 ? p.staleBoost * (stale < 4 ? stale : 4) : 0);
    const wM = p.wModify * (fill < 1 ? fill : 1);
    const wT = this.matching ? p.wMarket : 0;
    const u = rng.next() * (p.wAdd + wC + wM + wT);
    if (u < p.wAdd || this.nLive === 0) this.#limitOrder(out, rng, p, x, t);
    else if (u < p.wAdd + wT) this.#marketOrder(out, rng, p, x, t);
    else if (u < p.wAdd + wT + wC) this.#cancel(out, rng, p, x, t);
    else this.#modify(out, rng, p, x, t);
  }

  #limitOrder(out: MboOut, rng: Rng, p: FlowParams, x: number, t: number): void {
    const side = rng.next() < 0.5 ? 0 : 1;
    let tick = this.#placement(rng, p, x, side, t);
    const size = this.#drawSize(rng, p);
    if (this.matching) {
      if (side === 0 && tick >= this.bestAsk && this.bestAsk !== NO_ASK) {
        if (rng.next() >= p.pCrossPassive || this.bestBid === NO_BID) {
          this.aggress(out, rng, p, t, 0, tick, size, false);
          return;
        }
        tick = this.bestBid + 1 < this.bestAsk ? this.bestBid + 1 : this.bestBid;
      } else if (side === 1 && tick <= this.bestBid) {
        if (rng.next() >= p.pCrossPassive || this.bestAsk === NO_ASK) {
          this.aggress(out, rng, p, t, 1, tick, size, false);
          return;
        }
        tick = this.bestAsk - 1 > this.bestBid ? this.bestAsk - 1 : this.bestAsk;
      }
    }
    if (!this.canPlace(tick)) return;
    this.addEvent(out, rng, p, t, side, tick, size, 0);
  }

  #marketOrder(out: MboOut, rng: Rng, p: FlowParams, x: number, t: number): void {
    if (this.bestBid === NO_BID || this.bestAsk === NO_ASK) {
      this.#limitOrder(out, rng, p, x, t);
      return;
    }
    const mid = 0.5 * (this.bestBid + this.bestAsk);
    let z = p.beta * (x - mid);
    if (z > 20) z = 20;
    else if (z < -20) z = -20;
    const buy = rng.next() < 1 / (1 + Math.exp(-z));
    const size = p.lot === 1
      ? 1 + p.tMkt[rng.u32() >>> 20]
      : rng.next() < p.pOddLot
      ? 1 + rng.int(p.lot - 1)
      : p.lot * (1 + p.tMkt[rng.u32() >>> 20]);
    if (p.pHidden > 0 && rng.next() < p.pHidden) {
      // non-displayed liquidity: a trade print with no visible resting order
      this.begin(out, rng, p, t);
      const tick = buy ? this.bestAsk : this.bestBid;
      out.put(this.iid, A_TRADE, buy ? S_BID : S_ASK, tick * this.tickInt, size, 0, 0, 0);
      out.last();
      this.#trade(t, tick, size);
      return;
    }
    if (buy) this.aggress(out, rng, p, t, 0, this.bestAsk + p.protect, size, true);
    else this.aggress(out, rng, p, t, 1, this.bestBid - p.protect, size, true);
  }

  #trade(t: number, tick: number, size: number): void {
    this.volume += size;
    this.trades++;
    if (this.firstTradeT < 0) {
      this.firstTradeT = t;
      this.firstTradeTick = tick;
    }
    if (tick > this.highTick) this.highTick = tick;
    if (tick < this.lowTick) this.lowTick = tick;
    this.lastTradeTick = tick;
  }

  #pend(o: number, f: number): void {
    if (this.nPend === this.pendO.length) {
      const a = new Int32Array(this.nPend * 2), b = new Int32Array(this.nPend * 2);
      a.set(this.pendO);
      b.set(this.pendF);
      this.pendO = a;
      this.pendF = b;
    }
    this.pendO[this.nPend] = o;
    this.pendF[this.nPend++] = f;
  }

  /**
   * An aggressive order of `side` (0 buy, 1 sell) with limit `limit` (ticks) and `size`: trades
   * against the opposite side in price-time priority; a limit order rests its remainder, a market
   * order drops it.
   */
  aggress(
    out: MboOut,
    rng: Rng,
    p: FlowParams,
    t: number,
    side: number,
    limit: number,
    size: number,
    market: boolean,
  ): void {
    this.begin(out, rng, p, t);
    out.nextId(1 + (rng.u32() & 3));
    const aggLo = out.idLo, aggHi = out.idHi;
    const opp = 1 - side;
    const oppCode = opp === 0 ? S_BID : S_ASK;
    let remaining = size;
    this.nPend = 0;
    const base = opp << this.logL;
    while (remaining > 0) {
      const lv = opp === 1 ? this.bestAsk : this.bestBid;
      if (opp === 1 ? (lv === NO_ASK || lv > limit) : (lv === NO_BID || lv < limit)) break;
      const li = base | (lv & this.mask);
      const price = lv * this.tickInt;
      out.ensure(8);
      const ti = out.put(this.iid, A_TRADE, side === 0 ? S_BID : S_ASK, price, 0, aggLo, aggHi, 0);
      let filled = 0;
      const first = this.nPend;
      let o = this.head[li];
      while (o !== -1 && remaining > 0) {
        const sz = this.oSize[o];
        const f = sz < remaining ? sz : remaining;
        out.ensure(4);
        out.put(this.iid, A_FILL, oppCode, price, f, this.oIdLo[o], this.oIdHi[o], 0);
        remaining -= f;
        filled += f;
        this.#pend(o, f);
        o = this.oNext[o];
      }
      out.cols.size[ti] = filled;
      this.#trade(t, lv, filled);
      // apply this level's fills to the book
      for (let j = first; j < this.nPend; j++) {
        const q = this.pendO[j], f = this.pendF[j];
        if (f === this.oSize[q]) {
          this.unlink(q);
          this.oSize[q] = 0; // fully filled: released after its C record
        } else {
          this.oSize[q] -= f;
          this.qty[li] -= f;
        }
      }
    }
    out.packet(p.postTradeGap + rng.int(p.postTradeGap));
    out.ensure(this.nPend + 2);
    for (let j = 0; j < this.nPend; j++) {
      const q = this.pendO[j], f = this.pendF[j];
      const qs = this.oSide[q] === 0 ? S_BID : S_ASK;
      const qp = this.oTick[q] * this.tickInt;
      if (this.oSize[q] > 0) {
        // partially filled: CME reports the reduced size with M (priority is lost under the
        // documented replay rules, so the order moves to the back of its queue here too)
        if (p.partialFillStyle === 0) {
          out.put(this.iid, A_MODIFY, qs, qp, this.oSize[q], this.oIdLo[q], this.oIdHi[q], 0);
          this.unlink(q);
          this.link(q);
        } else {
          out.put(this.iid, A_CANCEL, qs, qp, f, this.oIdLo[q], this.oIdHi[q], 0);
        }
      } else {
        out.put(this.iid, A_CANCEL, qs, qp, f, this.oIdLo[q], this.oIdHi[q], 0);
        this.#release(q);
      }
    }
    if (remaining > 0 && !market && this.canPlace(limit)) {
      const o = this.newOrder(side, limit, remaining, aggLo, aggHi, 0);
      this.link(o);
      this.#emitOrder(out, A_ADD, o, remaining);
    }
    out.last();
  }

  #pickNear(rng: Rng, p: FlowParams, side: number): number {
    const best = side === 0 ? this.bestBid : this.bestAsk;
    if (side === 0 ? best === NO_BID : best === NO_ASK) return -1;
    let tk = side === 0
      ? best - p.tNearCancel[rng.u32() >>> 20]
      : best + p.tNearCancel[rng.u32() >>> 20];
    const base = side << this.logL;
    for (let i = 0; i < 8; i++) {
      const li = base | (tk & this.mask);
      const inRange = side === 0
        ? tk >= this.minBid && tk <= best
        : tk <= this.maxAsk && tk >= best;
      if (inRange && this.head[li] !== -1 && this.oTick[this.head[li]] === tk) {
        return rng.next() < 0.7 ? this.tail[li] : this.head[li];
      }
      tk = side === 0 ? tk + 1 : tk - 1; // move toward the touch
      if (side === 0 ? tk > best : tk < best) tk = best;
    }
    return -1;
  }

  #chooseVictim(rng: Rng, p: FlowParams, x: number): number {
    const h = this.halfSpread;
    if (rng.next() < p.pStale) {
      if (this.bestAsk !== NO_ASK && this.bestAsk < x - 0.5 - h) return this.#pickNear(rng, p, 1);
      if (this.bestBid !== NO_BID && this.bestBid > x + 0.5 + h) return this.#pickNear(rng, p, 0);
    }
    let o = -1;
    if (rng.next() < p.pNearCancel) o = this.#pickNear(rng, p, rng.next() < 0.5 ? 0 : 1);
    if (o < 0) o = this.live[rng.int(this.nLive)];
    if (this.oTag[o] !== 0 && this.wallActive[this.oTag[o]] !== 0) {
      o = this.live[rng.int(this.nLive)];
      if (this.oTag[o] !== 0 && this.wallActive[this.oTag[o]] !== 0) return -1;
    }
    return o;
  }

  #cancel(out: MboOut, rng: Rng, p: FlowParams, x: number, t: number): void {
    const o = this.#chooseVictim(rng, p, x);
    if (o < 0) {
      this.#limitOrder(out, rng, p, x, t);
      return;
    }
    this.begin(out, rng, p, t);
    const sz = this.oSize[o];
    if (sz > 1 && p.pPartialCancel > 0 && rng.next() < p.pPartialCancel) {
      let c = p.lot > 1 && sz > p.lot
        ? p.lot * (1 + rng.int(Math.floor(sz / p.lot) - 1))
        : 1 + rng.int(sz - 1);
      if (c >= sz) c = sz - 1;
      this.#emitOrder(out, A_CANCEL, o, c);
      this.oSize[o] -= c;
      this.qty[(this.oSide[o] << this.logL) | (this.oTick[o] & this.mask)] -= c;
    } else this.cancelOrder(out, o);
    out.last();
  }

  #modify(out: MboOut, rng: Rng, p: FlowParams, x: number, t: number): void {
    const o = this.#chooseVictim(rng, p, x);
    if (o < 0) {
      this.#limitOrder(out, rng, p, x, t);
      return;
    }
    const side = this.oSide[o];
    const sz = this.oSize[o];
    let tick = this.oTick[o];
    let size = sz;
    if (rng.next() < p.pPriceModify) {
      tick = this.#placement(rng, p, x, side, t);
      if (this.matching) {
        if (side === 0 && this.bestAsk !== NO_ASK && tick >= this.bestAsk) tick = this.bestAsk - 1;
        if (side === 1 && tick <= this.bestBid) tick = this.bestBid + 1;
      }
      if (rng.next() < 0.3) size = this.#drawSize(rng, p);
    }
    if (tick === this.oTick[o] && size === sz) {
      if (sz > p.lot && rng.next() < 0.65) {
        size = sz - p.lot * (1 + rng.int(Math.max(1, Math.floor(sz / p.lot) - 1)));
      } else {size = sz + (p.lot === 1
          ? 1 + p.tSizeMod[rng.u32() >>> 20]
          : p.lot * (1 + p.tSizeMod[rng.u32() >>> 20]));}
      if (size < 1) size = 1;
    }
    if (!this.canPlace(tick)) return;
    this.begin(out, rng, p, t);
    if (p.replaceStyle === 1) {
      // ITCH-style replace: cancel the old order, add a new id
      this.cancelOrder(out, o);
      out.nextId(1 + (rng.u32() & 3));
      const n = this.newOrder(side, tick, size, out.idLo, out.idHi, 0);
      this.link(n);
      this.#emitOrder(out, A_ADD, n, size);
    } else {
      this.unlink(o);
      this.oTick[o] = tick;
      this.oSize[o] = size;
      this.link(o);
      this.#emitOrder(out, A_MODIFY, o, size);
    }
    out.last();
  }

  /** Whether a quote is on the wrong side of latent `x` by more than `slack` ticks beyond the half spread. */
  isStale(x: number, slack: number): boolean {
    const h = this.halfSpread + slack;
    return (this.bestAsk !== NO_ASK && this.bestAsk < x - h) ||
      (this.bestBid !== NO_BID && this.bestBid > x + h);
  }

  /**
   * A market maker's requote: cancels every order on the wrong side of `x` (bids above x + h,
   * asks below x - h) as one event, then quotes the emptied side near `x` as a second event.
   */
  requote(out: MboOut, rng: Rng, p: FlowParams, x: number, t: number): void {
    const h = this.halfSpread;
    let n = 0, side = -1;
    for (let i = this.nLive - 1; i >= 0; i--) {
      const o = this.live[i];
      const tk = this.oTick[o];
      if ((this.oSide[o] === 0 && tk > x + h) || (this.oSide[o] === 1 && tk < x - h)) {
        if (this.oTag[o] !== 0 && this.wallActive[this.oTag[o]] !== 0) continue;
        if (n === 0) this.begin(out, rng, p, t);
        out.ensure(2);
        side = this.oSide[o];
        this.cancelOrder(out, o);
        n++;
        if (i > this.nLive) i = this.nLive;
      }
    }
    if (n > 0) out.last();
    if (side >= 0) {
      const tick = this.#placement(rng, p, x, side, t);
      if (this.canPlace(tick) && (side === 0 ? tick < this.bestAsk : tick > this.bestBid)) {
        this.addEvent(out, rng, p, t + 1, side, tick, this.#drawSize(rng, p), 0);
      }
    }
  }

  /**
   * Keeps the top of book around value `x` (ticks): cancels, as one event, every untagged bid
   * above `max(x - margin, 1)` and ask below `x + margin`, then quotes each side it cleared again at
   * the largest of `halfSpread`, `margin` and `distance` (`askDistance` for an ask) from `x`, one event each. Afterwards `bestBid <= x - margin`
   * and `bestAsk >= x + margin` (a bid that would not be positive is not placed).
   */
  enforce(
    out: MboOut,
    rng: Rng,
    p: FlowParams,
    x: number,
    t: number,
    margin: number,
    distance = margin,
    askDistance = distance,
  ): void {
    let n = 0, bids = 0, asks = 0;
    const bidMax = x - margin > 1 ? x - margin : 1; // a one-tick bid is always allowed
    for (let i = this.nLive - 1; i >= 0; i--) {
      const o = this.live[i];
      const tk = this.oTick[o];
      const side = this.oSide[o];
      if ((side === 0 && tk > bidMax) || (side === 1 && tk < x + margin)) {
        if (this.oTag[o] !== 0 && this.wallActive[this.oTag[o]] !== 0) continue;
        if (n === 0) this.begin(out, rng, p, t);
        out.ensure(2);
        this.cancelOrder(out, o);
        n++;
        if (side === 0) bids++;
        else asks++;
        if (i > this.nLive) i = this.nLive;
      }
    }
    if (n > 0) out.last();
    let h = this.halfSpread > margin ? this.halfSpread : margin;
    if (distance > h) h = distance;
    if (bids > 0) {
      const tick = Math.floor(x - h);
      if (tick >= 1 && tick < this.bestAsk && this.canPlace(tick)) {
        this.addEvent(out, rng, p, t + 1, 0, tick, this.#drawSize(rng, p), 0);
      }
    }
    if (asks > 0) {
      let tick = Math.ceil(x + (askDistance > h ? askDistance : h));
      if (tick <= this.bestBid) tick = this.bestBid + 1;
      if (this.canPlace(tick)) {
        this.addEvent(out, rng, p, t + 2, 1, tick, this.#drawSize(rng, p), 0);
      }
    }
  }

  /** Adds one order of a drawn size at `tick` on `side` as its own event, if it rests there. */
  quoteAt(out: MboOut, rng: Rng, p: FlowParams, t: number, side: number, tick: number): void {
    if (tick < 1 || !this.canPlace(tick)) return;
    if (side === 0 ? tick >= this.bestAsk : tick <= this.bestBid) return;
    this.addEvent(out, rng, p, t, side, tick, this.#drawSize(rng, p), 0);
  }

  /** Cancels up to `max` untagged orders on `side` with tick in [lo, hi] as one event; returns how many. */
  pullRange(
    out: MboOut,
    rng: Rng,
    p: FlowParams,
    t: number,
    side: number,
    lo: number,
    hi: number,
    max: number,
  ): number {
    let n = 0;
    const base = side << this.logL;
    const from = side === 1 ? lo : hi, step = side === 1 ? 1 : -1;
    for (let tk = from; n < max && (side === 1 ? tk <= hi : tk >= lo); tk += step) {
      const li = base | (tk & this.mask);
      let o = this.head[li];
      while (o !== -1 && n < max) {
        const nx = this.oNext[o];
        if (this.oTick[o] === tk && this.oTag[o] === 0) {
          if (n === 0) this.begin(out, rng, p, t);
          out.ensure(2);
          this.cancelOrder(out, o);
          n++;
        }
        o = nx;
      }
    }
    if (n > 0) out.last();
    return n;
  }

  /** Cancels every order carrying `tag`, one event per order, from time `t` in steps of `dt`. */
  pullTagged(out: MboOut, rng: Rng, p: FlowParams, t: number, tag: number, dt: number): number {
    const victims: number[] = [];
    for (let i = 0; i < this.nLive; i++) {
      if (this.oTag[this.live[i]] === tag) victims.push(this.live[i]);
    }
    for (const o of victims) {
      out.ensure(1);
      this.begin(out, rng, p, t);
      this.cancelOrder(out, o);
      out.last();
      t += dt;
    }
    return victims.length;
  }

  /** Cancels a random `fraction` of the live orders, one event per order (day-order expiry). */
  expireOrders(
    out: MboOut,
    rng: Rng,
    p: FlowParams,
    t: number,
    fraction: number,
    dt: number,
  ): number {
    const victims: number[] = [];
    for (let i = 0; i < this.nLive; i++) if (rng.next() < fraction) victims.push(this.live[i]);
    for (const o of victims) {
      out.ensure(1);
      this.begin(out, rng, p, t);
      this.cancelOrder(out, o);
      out.last();
      t += dt;
    }
    return victims.length;
  }

  /** Cancels far orders so every live price stays within `dist` ticks of `x` (keeps the ring valid). */
  purge(out: MboOut, rng: Rng, p: FlowParams, x: number, t: number, dist: number): void {
    if (this.bestBid !== NO_BID && this.minBid < x - dist) {
      const o = this.head[this.minBid & this.mask];
      this.begin(out, rng, p, t);
      this.cancelOrder(out, o);
      out.last();
    } else if (this.bestAsk !== NO_ASK && this.maxAsk > x + dist) {
      const o = this.head[this.L | (this.maxAsk & this.mask)];
      this.begin(out, rng, p, t);
      this.cancelOrder(out, o);
      out.last();
    }
  }

  /**
   * Writes a start-of-day snapshot: an `R` then `n` resting orders around latent `x`, all flagged
   * F_SNAPSHOT|F_BAD_TS_RECV with ts_recv = `tSnap` and each order's own (past) ts_event, oldest
   * first (price-time priority preserved); F_LAST on the last record. Uses `ids` (hi, lo) as the
   * first snapshot order id and `seq0` as the first original sequence number; returns the next id lo.
   */
  snapshot(
    out: MboOut,
    rng: Rng,
    p: FlowParams,
    x: number,
    tSnap: number,
    n: number,
    idHi: number,
    idLo: number,
    seq0: number,
  ): { idHi: number; idLo: number; seq: number } {
    const ages = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      const age = u < 0.7
        ? rng.exp() * 1.8e12 // ~30 min
        : u < 0.95
        ? 3.6e12 + rng.next() * 2.2e13 // 1-7 h
        : 8.64e13 + rng.next() * 1.7e14; // 1-3 days (GTC)
      ages[i] = Math.floor(age) + 1;
    }
    ages.sort();
    ages.reverse(); // oldest first
    out.ensure(n + 1);
    const flags = F_SNAPSHOT | F_BAD_TS_RECV;
    out.setRecv(tSnap);
    out.delta = 0;
    out.setEvent(tSnap - ages[0]);
    out.seqNow = 0;
    out.putClear(this.iid, flags);
    let seq = seq0;
    let lo = idLo, hi = idHi;
    for (let i = 0; i < n; i++) {
      const side = rng.next() < 0.5 ? 0 : 1;
      const tick = this.#placement(rng, p, x, side, tSnap);
      if (!this.canPlace(tick)) continue;
      const size = this.#drawSize(rng, p);
      lo += 1 + rng.int(64);
      if (lo >= 4294967296) {
        lo -= 4294967296;
        hi++;
      }
      seq += 1 + rng.int(4);
      const o = this.newOrder(side, tick, size, lo, hi, 0);
      this.link(o);
      out.setEvent(tSnap - ages[i]);
      out.seqNow = seq;
      this.#emitOrder(out, A_ADD, o, size);
      out.cols.flags[out.n - 1] = flags;
    }
    out.last();
    return { idHi: hi, idLo: lo, seq };
  }

  /**
   * The opening auction after a pre-open: matches crossed orders in price-time priority at one
   * price (the tick nearest `x` inside the matched range), writing T (side N, order id 0) with the
   * total, one F (side N) per filled order, then C / M for the filled orders. Returns the volume.
   */
  uncross(
    out: MboOut,
    rng: Rng,
    p: FlowParams,
    t: number,
    x: number,
  ): { volume: number; price: number } {
    this.matching = true;
    if (this.bestBid === NO_BID || this.bestAsk === NO_ASK || this.bestBid < this.bestAsk) {
      return { volume: 0, price: 0 };
    }
    this.nPend = 0;
    let vol = 0, lastBid = 0, lastAsk = 0;
    const bids: number[] = [], asks: number[] = [];
    const top = this.bestBid, bottom = this.bestAsk;
    for (let tk = top; tk >= bottom && tk >= this.minBid; tk--) {
      for (let o = this.head[tk & this.mask]; o !== -1; o = this.oNext[o]) {
        if (this.oTick[o] === tk) bids.push(o);
      }
    }
    for (let tk = bottom; tk <= top && tk <= this.maxAsk; tk++) {
      for (let o = this.head[this.L | (tk & this.mask)]; o !== -1; o = this.oNext[o]) {
        if (this.oTick[o] === tk) asks.push(o);
      }
    }
    let i = 0, j = 0;
    let rb = bids.length ? this.oSize[bids[0]] : 0, ra = asks.length ? this.oSize[asks[0]] : 0;
    while (i < bids.length && j < asks.length && this.oTick[bids[i]] >= this.oTick[asks[j]]) {
      const f = rb < ra ? rb : ra;
      vol += f;
      lastBid = this.oTick[bids[i]];
      lastAsk = this.oTick[asks[j]];
      this.#pend(bids[i], f);
      this.#pend(asks[j], f);
      rb -= f;
      ra -= f;
      if (rb === 0 && ++i < bids.length) rb = this.oSize[bids[i]];
      if (ra === 0 && ++j < asks.length) ra = this.oSize[asks[j]];
    }
    let px = Math.round(x);
    if (px < lastAsk) px = lastAsk;
    if (px > lastBid) px = lastBid;
    const price = px * this.tickInt;
    out.ensure(3 * this.nPend + 2);
    this.begin(out, rng, p, t);
    out.put(this.iid, A_TRADE, S_NONE, price, vol, 0, 0, 0);
    for (let j = 0; j < this.nPend; j++) {
      const q = this.pendO[j];
      out.put(this.iid, A_FILL, S_NONE, price, this.pendF[j], this.oIdLo[q], this.oIdHi[q], 0);
    }
    this.#trade(t, px, vol);
    out.packet(p.postTradeGap + rng.int(p.postTradeGap));
    // aggregate fills per order (an order can appear once per counterparty)
    const total = new Map<number, number>();
    for (let j = 0; j < this.nPend; j++) {
      total.set(this.pendO[j], (total.get(this.pendO[j]) ?? 0) + this.pendF[j]);
    }
    for (const [q, f] of total) {
      const qs = this.oSide[q] === 0 ? S_BID : S_ASK;
      const qp = this.oTick[q] * this.tickInt;
      if (f >= this.oSize[q]) {
        out.put(this.iid, A_CANCEL, qs, qp, this.oSize[q], this.oIdLo[q], this.oIdHi[q], 0);
        this.unlink(q);
        this.#release(q);
      } else {
        const left = this.oSize[q] - f;
        if (p.partialFillStyle === 0) {
          out.put(this.iid, A_MODIFY, qs, qp, left, this.oIdLo[q], this.oIdHi[q], 0);
          this.unlink(q);
          this.oSize[q] = left;
          this.link(q);
        } else {
          out.put(this.iid, A_CANCEL, qs, qp, f, this.oIdLo[q], this.oIdHi[q], 0);
          this.oSize[q] = left;
          this.qty[(this.oSide[q] << this.logL) | (this.oTick[q] & this.mask)] -= f;
        }
      }
    }
    out.last();
    this.nPend = 0;
    return { volume: vol, price: px };
  }
}
