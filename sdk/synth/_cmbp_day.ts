// Consolidated top-of-book (CMBP-1) for an equity option chain on OPRA: every venue keeps a
// quote per option around the option's Bachelier value on the underlying's latent price; each
// update writes one record (the venue's side that changed, with the consolidated BBO after it);
// trades print at the BBO. Quotes are refreshed so that the consolidated book never crosses.
import { allocCmbp1Columns, type Cmbp1Columns, words } from "../dbn/mod.ts";
import type { LatentDay } from "./_latent.ts";
import type { Rng } from "./_rng.ts";
import { EventClock, referenceAt } from "./_mbo_day.ts";

const TWO32 = 4294967296;
const UNDEF_LO = 0xffffffff, UNDEF_HI = 0x7fffffff;

/** Where generated CMBP-1 batches go (a `DbnWriter` fits). */
export interface Cmbp1Sink {
  /** Writes rows `[start, end)`; the columns may be reused once the promise resolves. */
  writeCmbp1(cols: Cmbp1Columns, start?: number, end?: number): Promise<void>;
}

/** One option of the OPRA chain. */
export interface OpraMember {
  iid: number;
  strike: number;
  call: boolean;
  // trade statistics (ticks)
  volume: number;
  trades: number;
  firstTradeT: number;
  firstTradeTick: number;
  highTick: number;
  lowTick: number;
  lastTradeTick: number;
}

/** Settings of an OPRA chain day. */
export interface CmbpDayConfig {
  members: OpraMember[];
  venues: number[];
  underlying: LatentDay;
  underlyingTick: number;
  optionTick: number;
  expirySecond: number;
  openSecond: number;
  volPremium: number;
  strikeStep: number;
  rate: Float64Array;
  rng: Rng;
  dayStartNs: bigint;
  /** Probability that an event is a trade. */
  pTrade: number;
  /** Records to aim for after the opening quotes (0: no steering). */
  budget: number;
  /**
   * The underlying price (points) the options are valued on at each second end (index = second
   * from day start; NaN: the latent price): the underlying book's mid.
   */
  reference?: Float64Array;
  /**
   * No-arbitrage margin in option ticks (0: not enforced): every venue's bid stays at least this
   * far below the option's value (a one-tick bid is always allowed) and its ask this far above.
   */
  arbMargin?: number;
}

/** The OPRA chain day generator. */
export class CmbpDay {
  readonly cols: Cmbp1Columns;
  n = 0;
  total = 0;
  readonly actionCounts = new Float64Array(128);
  readonly flushAt: number;
  #tsE: Uint32Array;
  #tsR: Uint32Array;
  #px: Uint32Array;
  #bpx: Uint32Array;
  #apx: Uint32Array;
  #dayLo: number;
  #dayHi: number;
  #evLo = 0;
  #evHi = 0;
  #recv = -Infinity;
  // quotes per member x venue (ticks / sizes)
  #qb: Int32Array;
  #qa: Int32Array;
  #qbs: Int32Array;
  #qas: Int32Array;
  #upd: Uint8Array;
  #nb: Int32Array;
  #na: Int32Array;
  #nbs: Int32Array;
  #nas: Int32Array;
  #vspread: Float64Array;
  readonly clock: EventClock;
  #next: number;
  #lastT = -Infinity;
  #done = false;
  #started = false;
  #cum: Float64Array;
  #weightsAt = -1;
  readonly tickInt: number;

  constructor(readonly cfg: CmbpDayConfig, capacity = 65536) {
    this.cols = allocCmbp1Columns(capacity);
    this.flushAt = capacity - 1024;
    this.#tsE = words(this.cols.ts_event);
    this.#tsR = words(this.cols.ts_recv);
    this.#px = words(this.cols.price);
    this.#bpx = words(this.cols.bid_px);
    this.#apx = words(this.cols.ask_px);
    this.#dayLo = Number(cfg.dayStartNs & 0xffffffffn);
    this.#dayHi = Number(cfg.dayStartNs >> 32n);
    const nq = cfg.members.length * cfg.venues.length;
    this.#qb = new Int32Array(nq);
    this.#qa = new Int32Array(nq);
    this.#qbs = new Int32Array(nq);
    this.#qas = new Int32Array(nq);
    this.#upd = new Uint8Array(cfg.venues.length);
    this.#nb = new Int32Array(cfg.venues.length);
    this.#na = new Int32Array(cfg.venues.length);
    this.#nbs = new Int32Array(cfg.venues.length);
    this.#nas = new Int32Array(cfg.venues.length);
    this.#vspread = new Float64Array(cfg.venues.length);
    for (let v = 0; v < cfg.venues.length; v++) this.#vspread[v] = 1 + cfg.rng.next();
    this.clock = new EventClock(cfg.rate, cfg.rng, cfg.budget, () => this.total + this.n);
    this.#next = this.clock.next();
    this.#cum = new Float64Array(cfg.members.length);
    this.tickInt = Math.round(cfg.optionTick * 1e9);
  }

  #split(t: number): [number, number] {
    const hi = Math.floor(t / TWO32);
    let lo = this.#dayLo + (t - hi * TWO32);
    let h = this.#dayHi + hi;
    if (lo >= TWO32) {
      lo -= TWO32;
      h++;
    }
    return [lo, h];
  }

  #begin(t: number, rng: Rng): void {
    [this.#evLo, this.#evHi] = this.#split(t);
    let r = t + 50_000 + rng.int(250_000);
    if (r <= this.#recv) r = this.#recv + 1;
    this.#recv = r;
  }

  #state(t: number): [number, number] {
    const c = this.cfg;
    const f = referenceAt(c.reference, c.underlying.x, c.underlyingTick, t);
    let s = Math.floor(t * 1e-9);
    if (s > c.expirySecond) s = c.expirySecond;
    const v = c.underlying.cumVar[c.expirySecond] - c.underlying.cumVar[s];
    return [f, Math.sqrt(v > 0 ? v : 0) * c.underlyingTick * c.volPremium];
  }

  /** Theoretical value of member `m` in option ticks. */
  theo(m: OpraMember, f: number, sd: number): number {
    const c = this.cfg;
    const sdEff = sd + 0.1 * c.strikeStep;
    const mny = m.call ? f - m.strike : m.strike - f;
    const d = mny / sdEff;
    const a = Math.abs(d);
    const tt = 1 / (1 + 0.2316419 * a);
    const pdf = 0.3989422804014327 * Math.exp(-0.5 * d * d);
    const tail = pdf * tt *
      (0.319381530 +
        tt * (-0.356563782 + tt * (1.781477937 + tt * (-1.821255978 + tt * 1.330274429))));
    const cdf = d >= 0 ? 1 - tail : tail;
    return (mny * cdf + sdEff * pdf) / c.optionTick;
  }

  /** Writes one record with the member's consolidated BBO after the update. */
  #put(mi: number, pub: number, action: number, side: number, tick: number, size: number): void {
    if (this.n >= this.cols.length) throw new Error("CMBP batch overflow");
    const c = this.cfg, V = c.venues.length, base = mi * V;
    let bb = -1, bbs = 0, bbp = 0, ba = 0x3fffffff, bas = 0, bap = 0;
    for (let v = 0; v < V; v++) {
      const b = this.#qb[base + v], a = this.#qa[base + v];
      if (b > bb || (b === bb && this.#qbs[base + v] > bbs)) {
        bb = b;
        bbs = this.#qbs[base + v];
        bbp = c.venues[v];
      }
      if (a < ba || (a === ba && this.#qas[base + v] > bas)) {
        ba = a;
        bas = this.#qas[base + v];
        bap = c.venues[v];
      }
    }
    const i = this.n++, i2 = i << 1;
    const cols = this.cols;
    cols.publisher_id[i] = pub;
    cols.instrument_id[i] = c.members[mi].iid;
    this.#tsE[i2] = this.#evLo;
    this.#tsE[i2 + 1] = this.#evHi;
    const [rl, rh] = this.#split(this.#recv);
    this.#tsR[i2] = rl;
    this.#tsR[i2 + 1] = rh;
    if (tick < 0) {
      this.#px[i2] = UNDEF_LO;
      this.#px[i2 + 1] = UNDEF_HI;
    } else {
      const p = tick * this.tickInt;
      this.#px[i2] = p % TWO32;
      this.#px[i2 + 1] = p / TWO32;
    }
    cols.size[i] = size;
    cols.action[i] = action;
    cols.side[i] = side;
    cols.flags[i] = 128;
    cols.ts_in_delta[i] = 0;
    const bp = bb * this.tickInt, ap = ba * this.tickInt;
    this.#bpx[i2] = bp % TWO32;
    this.#bpx[i2 + 1] = bp / TWO32;
    this.#apx[i2] = ap % TWO32;
    this.#apx[i2 + 1] = ap / TWO32;
    cols.bid_sz[i] = bbs;
    cols.ask_sz[i] = bas;
    cols.bid_pb[i] = bbp;
    cols.ask_pb[i] = bap;
  }

  /** A fresh quote for member `mi` at value `x` (ticks), written into the `#n*` scratch of venue `v`. */
  #fresh(v: number, x: number, rng: Rng): void {
    const mg = this.cfg.arbMargin ?? 0;
    let h = Math.max(1, 0.012 * x) * this.#vspread[v] * this.#widen;
    if (h < mg) h = mg;
    let b = Math.floor(x - h - rng.geometric(0.6));
    let a = Math.ceil(x + h + rng.geometric(0.6));
    if (b < 1) b = 1;
    if (a <= b) a = b + 1;
    this.#nb[v] = b;
    this.#na[v] = a;
    this.#nbs[v] = 1 + rng.geometric(12);
    this.#nas[v] = 1 + rng.geometric(12);
  }

  /**
   * Moves venue `v` of member `mi` to a fresh quote at value `x`, refreshing any other venue whose
   * stale quote would cross it. Quotes change one side per record, widening moves first, so the
   * consolidated book is uncrossed after every record.
   */
  #requote(mi: number, v: number, x: number, t: number, rng: Rng): void {
    const c = this.cfg, V = c.venues.length, base = mi * V;
    const upd = this.#upd;
    upd.fill(0);
    this.#fresh(v, x, rng);
    upd[v] = 1;
    for (let guard = 0; guard < V; guard++) {
      let maxB = -1, minA = 0x3fffffff;
      for (let u = 0; u < V; u++) {
        const b = upd[u] ? this.#nb[u] : this.#qb[base + u],
          a = upd[u] ? this.#na[u] : this.#qa[base + u];
        if (b > maxB) maxB = b;
        if (a < minA) minA = a;
      }
      if (maxB < minA) break;
      let stale = -1;
      for (let u = 0; u < V && stale < 0; u++) {
        if (!upd[u] && (this.#qb[base + u] >= minA || this.#qa[base + u] <= maxB)) stale = u;
      }
      if (stale < 0) break;
      this.#fresh(stale, x, rng);
      upd[stale] = 1;
    }
    // phase 1: widening moves (lower bids, higher asks) cannot cross anything
    for (let u = 0; u < V; u++) {
      if (!upd[u]) continue;
      const q = base + u;
      if (this.#na[u] > this.#qa[q]) {
        this.#qa[q] = this.#na[u];
        this.#qas[q] = this.#nas[u];
        this.#begin(t, rng);
        this.#put(mi, c.venues[u], 65, 65, this.#qa[q], this.#qas[q]);
      }
      if (this.#nb[u] < this.#qb[q]) {
        this.#qb[q] = this.#nb[u];
        this.#qbs[q] = this.#nbs[u];
        this.#begin(t, rng);
        this.#put(mi, c.venues[u], 65, 66, this.#qb[q], this.#qbs[q]);
      }
    }
    // phase 2: tightening moves and size changes
    for (let u = 0; u < V; u++) {
      if (!upd[u]) continue;
      const q = base + u;
      if (this.#na[u] !== this.#qa[q] || this.#nas[u] !== this.#qas[q]) {
        this.#qa[q] = this.#na[u];
        this.#qas[q] = this.#nas[u];
        this.#begin(t, rng);
        this.#put(mi, c.venues[u], 65, 65, this.#qa[q], this.#qas[q]);
      }
      if (this.#nb[u] !== this.#qb[q] || this.#nbs[u] !== this.#qbs[q]) {
        this.#qb[q] = this.#nb[u];
        this.#qbs[q] = this.#nbs[u];
        this.#begin(t, rng);
        this.#put(mi, c.venues[u], 65, 66, this.#qb[q], this.#qbs[q]);
      }
    }
  }

  /** Requotes the venues of member `mi` that break the no-arbitrage bounds at value `x`. */
  #keepBounds(mi: number, f: number, sd: number, t: number, rng: Rng): void {
    const c = this.cfg, V = c.venues.length, base = mi * V, mg = c.arbMargin!;
    const x = this.theo(c.members[mi], f, sd);
    const bidMax = x - mg > 1 ? x - mg : 1;
    for (let v = 0; v < V; v++) {
      if (this.#qb[base + v] > bidMax || this.#qa[base + v] < x + mg) {
        this.#widen = 2; // a requote forced by the underlying leaves room for its next move
        this.#requote(mi, v, x, t, rng);
        this.#widen = 1;
        this.arbRequotes++;
      }
    }
  }

  #reweight(t: number): void {
    const c = this.cfg;
    const [f, sd] = this.#state(t);
    const width = Math.max(3 * c.strikeStep, sd);
    let acc = 0;
    for (let i = 0; i < c.members.length; i++) {
      const z = (c.members[i].strike - f) / width;
      acc += Math.exp(-0.5 * z * z) + 0.01;
      this.#cum[i] = acc;
    }
  }

  #pick(u: number): number {
    const cum = this.#cum;
    const x = u * cum[cum.length - 1];
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  #quoteEvent(mi: number, t: number, rng: Rng): void {
    const c = this.cfg;
    const [f, sd] = this.#state(t);
    this.#requote(mi, rng.int(c.venues.length), this.theo(c.members[mi], f, sd), t, rng);
  }

  #tradeEvent(mi: number, t: number, rng: Rng): void {
    const c = this.cfg, V = c.venues.length, base = mi * V;
    const buy = rng.next() < 0.55;
    let best = -1;
    for (let v = 0; v < V; v++) {
      const q = base + v;
      if (best < 0) best = v;
      else if (buy ? this.#qa[q] < this.#qa[base + best] : this.#qb[q] > this.#qb[base + best]) {
        best = v;
      }
    }
    const q = base + best;
    const tick = buy ? this.#qa[q] : this.#qb[q];
    const avail = buy ? this.#qas[q] : this.#qbs[q];
    const size = Math.min(avail, 1 + rng.geometric(4));
    this.#begin(t, rng);
    this.#put(mi, c.venues[best], 84, 78, tick, size);
    const m = c.members[mi];
    m.volume += size;
    m.trades++;
    if (m.firstTradeT < 0) {
      m.firstTradeT = t;
      m.firstTradeTick = tick;
    }
    if (tick > m.highTick) m.highTick = tick;
    if (tick < m.lowTick) m.lowTick = tick;
    m.lastTradeTick = tick;
    // the venue's displayed size shrinks, or it requotes
    if (avail > size) {
      if (buy) this.#qas[q] = avail - size;
      else this.#qbs[q] = avail - size;
      this.#begin(t, rng);
      this.#put(mi, c.venues[best], 65, buy ? 65 : 66, tick, avail - size);
    } else {
      const [f, sd] = this.#state(t);
      this.#requote(mi, best, this.theo(m, f, sd), t, rng);
    }
  }

  /** Generates until the batch is nearly full or the day is over; true when done. */
  run(): boolean {
    if (this.#done) return true;
    const c = this.cfg, rng = c.rng, V = c.venues.length;
    if (!this.#started) {
      this.#started = true;
      // opening quotes: every venue quotes every option
      const t0 = c.openSecond * 1e9;
      const [f, sd] = this.#state(t0);
      for (let mi = 0; mi < c.members.length; mi++) {
        const x = this.theo(c.members[mi], f, sd);
        for (let v = 0; v < V; v++) {
          this.#fresh(v, x, rng);
          const q = mi * V + v;
          this.#qb[q] = this.#nb[v];
          this.#qa[q] = this.#na[v];
          this.#qbs[q] = this.#nbs[v];
          this.#qas[q] = this.#nas[v];
        }
      }
      let t = t0;
      for (let mi = 0; mi < c.members.length; mi++) {
        for (let v = 0; v < V; v++) {
          if (this.n >= this.flushAt) {
            // opening burst larger than a batch: let the caller flush, resume here
            this.#resume = { mi, v, t };
            return false;
          }
          this.#begin(t, rng);
          this.#put(mi, c.venues[v], 65, 78, -1, 0);
          t += 2000 + rng.int(3000);
        }
      }
      this.#lastT = t;
      this.clock.rebase();
    }
    if (this.#resume) {
      let { mi, v, t } = this.#resume;
      this.#resume = undefined;
      for (; mi < c.members.length; mi++, v = 0) {
        for (; v < V; v++) {
          if (this.n >= this.flushAt) {
            this.#resume = { mi, v, t };
            return false;
          }
          this.#begin(t, rng);
          this.#put(mi, c.venues[v], 65, 78, -1, 0);
          t += 2000 + rng.int(3000);
        }
      }
      this.#lastT = t;
      this.clock.rebase();
    }
    while (this.n < this.flushAt) {
      const end = this.#next === Infinity; // after the last event: sweeps up to the expiry
      let t = end ? (c.expirySecond + 1) * 1e9 : Math.floor(this.#next);
      if (c.arbMargin) {
        // every option is checked just before each second end (the reference moves once a second)
        const sec = Math.min(Math.floor(t * 1e-9), c.expirySecond);
        if (this.#sweptSec < c.openSecond) this.#sweptSec = c.openSecond;
        while (this.#sweptSec < sec) {
          let ts = (this.#sweptSec + 1) * 1e9 - 100_000;
          if (ts < this.#lastT) ts = this.#lastT;
          const [f, sd] = this.#state(ts);
          for (; this.#sweepMi < c.members.length; this.#sweepMi++) {
            if (this.n >= this.flushAt) return false; // resumes here after the flush
            this.#keepBounds(this.#sweepMi, f, sd, ts, rng);
          }
          this.#sweepMi = 0;
          this.#sweptSec++;
        }
      }
      if (end) {
        this.#done = true;
        return true;
      }
      if (t <= this.#lastT) t = this.#lastT + 1;
      this.#lastT = t;
      this.#next = this.clock.next();
      if (t < c.openSecond * 1e9) continue;
      const w = Math.floor(t * 1e-10);
      if (w !== this.#weightsAt) {
        this.#weightsAt = w;
        this.#reweight(t);
      }
      const mi = this.#pick(rng.next());
      if (rng.next() < c.pTrade) this.#tradeEvent(mi, t, rng);
      else this.#quoteEvent(mi, t, rng);
      if (c.arbMargin) {
        const [f, sd] = this.#state(t);
        this.#keepBounds(mi, f, sd, t, rng);
      }
    }
    return false;
  }

  #resume: { mi: number; v: number; t: number } | undefined;
  #sweptSec = -1;
  #sweepMi = 0;
  #widen = 1;
  /** Venue quotes redone to keep the no-arbitrage bounds. */
  arbRequotes = 0;

  /** Runs the day into `sink`. */
  async generate(sink: Cmbp1Sink): Promise<void> {
    for (;;) {
      const done = this.run();
      if (this.n > 0) {
        for (let i = 0; i < this.n; i++) this.actionCounts[this.cols.action[i]]++;
        this.total += this.n;
        await sink.writeCmbp1(this.cols, 0, this.n);
        this.n = 0;
      }
      if (done) return;
    }
  }
}
