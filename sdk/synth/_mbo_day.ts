// Day drivers for MBO files: one book (future, equity) or a chain of option books, fed by a
// non-homogeneous Poisson stream of order-flow events plus timed injections (snapshot, session
// clear, day-order expiry, pre-open and opening auction, planted vacuums and walls).
import { Book, type FlowParams, NO_ASK, NO_BID } from "./_book.ts";
import { latentAt, type LatentDay, type VacuumPlan, type WallPlan } from "./_latent.ts";
import { F_LAST, type MboOut, type MboSink } from "./_mbo_out.ts";
import { geoTable, type Rng } from "./_rng.ts";

/** A timed action, run when the clock reaches `t` (ns from day start). */
interface Injection {
  t: number;
  run: (t: number) => number; // returns the last ns used
}

/** An episode as recorded in the sidecar (prices in ticks; converted by the caller). */
export interface RecordedEpisode {
  kind: "vacuum" | "wall" | "crossed";
  side: "bid" | "ask" | "both";
  start_ns: number;
  end_ns: number;
  tick_lo: number;
  tick_hi: number;
  details: Record<string, number | string>;
}

/** Events-per-second of a day from the intensity profile, the per-minute activity and a total. */
export function eventRates(
  profile: Float64Array,
  activity: Float64Array,
  total: number,
): Float64Array {
  const r = new Float64Array(86_400);
  let sum = 0;
  for (let s = 0; s < 86_400; s++) {
    r[s] = profile[s] * activity[(s / 60) | 0];
    sum += r[s];
  }
  const k = sum > 0 ? total / sum : 0;
  for (let s = 0; s < 86_400; s++) r[s] *= k;
  return r;
}

/**
 * Poisson event clock over a per-second rate table. With a record budget it also steers the
 * rate once a minute (multiplier within [0.25, 4]) so that the records written track the budget
 * in proportion to the intended profile: the count stays near the target whatever the average
 * number of records per event turns out to be.
 */
export class EventClock {
  s = -1;
  t = 0;
  lam = 0;
  secEnd = 0;
  kappa = 1;
  #cum: Float64Array | undefined;
  #base = -1;

  constructor(
    readonly rate: Float64Array,
    readonly rng: Rng,
    readonly budget = 0,
    readonly count: () => number = () => 0,
  ) {
    this.secEnd = 0;
    this.t = 0;
    if (budget > 0) {
      const cum = new Float64Array(86_401);
      for (let i = 0; i < 86_400; i++) cum[i + 1] = cum[i] + rate[i];
      this.#cum = cum;
    }
  }

  /** Starts counting the budget from the records written so far (after a snapshot). */
  rebase(): void {
    this.#base = this.count();
  }

  #steer(): void {
    const cum = this.#cum!;
    if (this.#base < 0) return;
    const done = this.count() - this.#base;
    const want = this.budget * cum[this.s] / cum[86_400];
    if (want < 200 || done < 50) return;
    let k = this.kappa * Math.sqrt(want / done);
    if (k < 0.25) k = 0.25;
    else if (k > 4) k = 4;
    this.kappa = k;
  }

  /** Time (ns, fractional) of the next event, or Infinity after the day. */
  next(): number {
    for (;;) {
      if (this.lam > 0) {
        const g = this.rng.exp() / this.lam * 1e9;
        if (this.t + g < this.secEnd) {
          this.t += g;
          return this.t;
        }
      }
      this.s++;
      if (this.s >= 86_400) return Infinity;
      if (this.#cum && this.s % 60 === 0) this.#steer();
      this.t = this.s * 1e9;
      this.secEnd = this.t + 1e9;
      this.lam = this.rate[this.s] * this.kappa;
    }
  }
}

/** Settings of a single-instrument day. */
export interface SingleDayConfig {
  book: Book;
  flow: FlowParams;
  latent: LatentDay;
  rate: Float64Array;
  rng: Rng;
  /** Snapshot at 00:00 UTC with this many orders (0: none). */
  snapshotOrders: number;
  /** Snapshot order ids start at (hi, lo); live ids start at (hi, lo). */
  snapshotId: [number, number];
  liveId: [number, number];
  /** Equity session clear (`R`) at this second (-1: none). */
  clearSecond: number;
  /** Futures session: halt start, pre-open start and reopen seconds (-1: none). */
  haltSecond: number;
  preopenSecond: number;
  reopenSecond: number;
  /** Fraction of live orders expiring at the halt (day orders). */
  dayOrderFraction: number;
  vacuums: VacuumPlan[];
  walls: WallPlan[];
  /** Lot size used for wall orders (1 or 100). */
  lot: number;
  /** Records to aim for after the snapshot / session clear (0: no steering). */
  budget: number;
  /** Ring safety distance for purges (ticks). */
  purgeDist: number;
}

/** One instrument's MBO day (future or equity). */
export class SingleBookDay {
  readonly episodes: RecordedEpisode[] = [];
  readonly clock: EventClock;
  #inj: Injection[] = [];
  #ii = 0;
  #next: number;
  #lastT = -Infinity;
  #done = false;
  #started = false;
  #sampled = -1;
  /**
   * Called at every second end `sec` (seconds from day start) with the book's best bid and ask
   * (ticks; `NO_BID` / `NO_ASK` when empty) over the events before it: what an option market
   * maker pricing off this book sees.
   */
  onSecond?: (sec: number, bestBid: number, bestAsk: number) => void;

  constructor(readonly cfg: SingleDayConfig, readonly out: MboOut) {
    this.clock = new EventClock(cfg.rate, cfg.rng, cfg.budget, () => out.total + out.n);
    this.#next = this.clock.next();
    this.#plan();
  }

  #at(t: number, run: (t: number) => number): void {
    this.#inj.push({ t: Math.floor(t), run });
  }

  #plan(): void {
    const c = this.cfg, b = c.book, rng = c.rng, p = c.flow, out = this.out;
    if (c.clearSecond >= 0) {
      this.#at(c.clearSecond * 1e9 + 1000, (t) => {
        out.begin(t, p.latMin, p.deltaMin < 0 ? -1 : p.deltaMin);
        out.putClear(b.iid, F_LAST);
        return t;
      });
    }
    if (c.haltSecond >= 0) {
      this.#at(c.haltSecond * 1e9, (t) => {
        const n = b.expireOrders(out, rng, p, t, c.dayOrderFraction, 1500);
        return t + n * 1500;
      });
    }
    if (c.preopenSecond >= 0 && c.reopenSecond >= 0) {
      const t0 = c.preopenSecond * 1e9, t1 = c.reopenSecond * 1e9;
      this.#at(t0, (t) => {
        b.matching = false;
        return t;
      });
      // pre-open interest that crosses: bids above and offers below the latent price
      const n = 12 + rng.int(16);
      for (let i = 0; i < n; i++) {
        const tt = t0 + (t1 - t0) * (0.1 + 0.85 * (i + rng.next()) / n);
        this.#at(tt, (t) => {
          const x = latentAt(c.latent.x, t);
          const side = rng.next() < 0.5 ? 0 : 1;
          const k = 1 + rng.int(4);
          const tick = side === 0 ? Math.floor(x) + k : Math.ceil(x) - k;
          if (b.canPlace(tick)) b.addEvent(out, rng, p, t, side, tick, 1 + rng.int(6), 0);
          return t;
        });
      }
      this.#at(t1, (t) => {
        const crossedFrom = t0;
        const bb = b.bestBid, ba = b.bestAsk;
        const { volume, price } = b.uncross(out, rng, p, t, latentAt(c.latent.x, t));
        this.episodes.push({
          kind: "crossed",
          side: "both",
          start_ns: crossedFrom,
          end_ns: t,
          tick_lo: Math.min(bb, ba),
          tick_hi: Math.max(bb, ba),
          details: {
            auction_volume: volume,
            auction_tick: price,
            note:
              "pre-open before the Globex reopen; crossed orders uncross in the opening auction",
          },
        });
        return t + 1;
      });
    }
    c.vacuums.forEach((v) => this.#planVacuum(v));
    c.walls.forEach((w, i) => this.#planWall(w, i + 1));
    this.#inj.sort((a, b) => a.t - b.t);
  }

  #planVacuum(v: VacuumPlan): void {
    const c = this.cfg, b = c.book, rng = c.rng, p = c.flow, out = this.out;
    const ep: RecordedEpisode = {
      kind: "vacuum",
      side: v.side === 1 ? "ask" : "bid",
      start_ns: Math.floor(v.pullStart * 1e9),
      end_ns: Math.floor(v.moveEnd * 1e9),
      tick_lo: 0,
      tick_hi: 0,
      details: {},
    };
    const k = 6 + rng.int(10);
    const t0 = v.pullStart * 1e9, t1 = v.moveStart * 1e9;
    this.#at(t0, (t) => {
      const side = v.side;
      let lo: number, hi: number;
      if (side === 1) {
        lo = b.bestAsk === NO_ASK ? Math.ceil(latentAt(c.latent.x, t)) : b.bestAsk;
        hi = lo + v.ticks + 1;
      } else {
        hi = b.bestBid === NO_BID ? Math.floor(latentAt(c.latent.x, t)) : b.bestBid;
        lo = hi - v.ticks - 1;
      }
      ep.tick_lo = lo;
      ep.tick_hi = hi;
      ep.details.depth_before = b.rangeQty(side, lo, hi);
      b.supSide = side;
      b.supLo = lo;
      b.supHi = hi;
      b.supUntil = v.moveEnd * 1e9 + 3e9;
      this.episodes.push(ep);
      return t;
    });
    for (let i = 0; i < k; i++) {
      const tt = t0 + (t1 - t0) * (i + 0.5 + 0.4 * (rng.next() - 0.5)) / k;
      const left = k - i;
      this.#at(tt, (t) => {
        const side = v.side;
        let count = 0;
        for (let tk = ep.tick_lo; tk <= ep.tick_hi; tk++) {
          for (let o = b.head[(side << b.logL) | (tk & b.mask)]; o !== -1; o = b.oNext[o]) {
            if (b.oTick[o] === tk && b.oTag[o] === 0) count++;
          }
        }
        const n = b.pullRange(
          out,
          rng,
          p,
          t,
          side,
          ep.tick_lo,
          ep.tick_hi,
          left === 1 ? count : Math.ceil(count / left),
        );
        ep.details.pulled_orders = (Number(ep.details.pulled_orders) || 0) + n;
        return t;
      });
    }
    this.#at(t1, (t) => {
      ep.details.depth_at_move = b.rangeQty(v.side, ep.tick_lo, ep.tick_hi);
      ep.details.move_start_ns = t;
      ep.details.move_ticks = v.ticks;
      return t;
    });
  }

  #planWall(w: WallPlan, tag: number): void {
    const c = this.cfg, b = c.book, rng = c.rng, p = c.flow, out = this.out;
    const ep: RecordedEpisode = {
      kind: "wall",
      side: w.side === 1 ? "ask" : "bid",
      start_ns: Math.floor(w.start * 1e9),
      end_ns: Math.floor(w.end * 1e9),
      tick_lo: w.tick,
      tick_hi: w.tick,
      details: {},
    };
    const nb = 4 + rng.int(6);
    const t0 = w.start * 1e9, t1 = w.buildEnd * 1e9;
    let tick = w.tick;
    this.#at(t0, (t) => {
      b.wallActive[tag] = 1;
      if (w.side === 0 && b.bestAsk !== NO_ASK && tick >= b.bestAsk) tick = b.bestAsk - 1;
      if (w.side === 1 && b.bestBid !== NO_BID && tick <= b.bestBid) tick = b.bestBid + 1;
      ep.tick_lo = ep.tick_hi = tick;
      ep.details.depth_before = b.levelQty(w.side, tick);
      this.episodes.push(ep);
      return t;
    });
    for (let i = 0; i < nb; i++) {
      const tt = t0 + (t1 - t0) * (i + 0.5) / nb;
      this.#at(tt, (t) => {
        const lots = Math.max(1, Math.round(w.lots / nb * (0.6 + 0.8 * rng.next())));
        if (b.canPlace(tick) && (w.side === 0 ? tick < b.bestAsk : tick > b.bestBid)) {
          b.addEvent(out, rng, p, t, w.side, tick, lots * c.lot, tag);
        }
        return t;
      });
    }
    this.#at(t1 + 1e6, (t) => {
      ep.details.depth_at_build_end = b.levelQty(w.side, tick);
      ep.details.build_end_ns = t;
      return t;
    });
    this.#at(w.end * 1e9, (t) => {
      ep.details.depth_at_end = b.levelQty(w.side, tick);
      b.wallActive[tag] = 0;
      const n = b.pullTagged(out, rng, p, t, tag, 2000);
      return t + n * 2000;
    });
  }

  /** Generates until the batch is nearly full or the day is over; true when the day is done. */
  run(): boolean {
    if (this.#done) return true;
    const c = this.cfg, b = c.book, rng = c.rng, p = c.flow, out = this.out, x = c.latent.x;
    if (!this.#started) {
      this.#started = true;
      if (c.snapshotOrders > 0) {
        const r = b.snapshot(
          out,
          rng,
          p,
          x[0],
          0,
          c.snapshotOrders,
          c.snapshotId[0],
          c.snapshotId[1],
          1000 + rng.int(1000),
        );
        out.seq = r.seq + 100 + rng.int(1000);
      }
      out.setId(c.liveId[0], c.liveId[1]);
      this.clock.rebase();
    }
    const inj = this.#inj;
    while (out.n < out.flushAt) {
      const ti = this.#ii < inj.length ? inj[this.#ii].t : Infinity;
      if (this.onSecond) {
        let tn = ti <= this.#next ? ti : this.#next;
        if (tn <= this.#lastT) tn = this.#lastT + 1;
        while (this.#sampled < 86_400 && (this.#sampled + 1) * 1e9 <= tn) {
          this.onSecond(++this.#sampled, b.bestBid, b.bestAsk);
        }
      }
      if (ti === Infinity && this.#next === Infinity) {
        this.#done = true;
        return true;
      }
      if (ti <= this.#next) {
        const t = ti > this.#lastT ? ti : this.#lastT + 1;
        this.#lastT = inj[this.#ii++].run(t);
        continue;
      }
      let t = Math.floor(this.#next);
      if (t <= this.#lastT) t = this.#lastT + 1;
      this.#lastT = t;
      this.#next = this.clock.next();
      const xt = latentAt(x, t);
      b.step(out, rng, p, xt, t);
      if (b.minBid < xt - c.purgeDist || b.maxAsk > xt + c.purgeDist) {
        b.purge(out, rng, p, xt, t, c.purgeDist);
      }
    }
    return false;
  }

  /** Runs the whole day into `sink`. */
  async generate(sink: MboSink): Promise<void> {
    for (;;) {
      const done = this.run();
      await this.out.flush(sink);
      if (done) return;
    }
  }
}

/** One option of a chain. */
export interface ChainMember {
  book: Book;
  flow: FlowParams;
  strike: number; // points
  call: boolean;
  snapshotOrders: number;
}

/** Settings of an options chain day (MBO). */
export interface ChainDayConfig {
  members: ChainMember[];
  underlying: LatentDay;
  /** Underlying tick (points per latent tick) and option tick (points). */
  underlyingTick: number;
  optionTick: number;
  /** Expiry second (UTC) and the latent cumulative variance per second (ticks^2). */
  expirySecond: number;
  cumVar: Float64Array;
  /** Implied-vol multiplier on the model's remaining variance. */
  volPremium: number;
  rate: Float64Array;
  rng: Rng;
  snapshotId: [number, number];
  liveId: [number, number];
  strikeStep: number;
  /** Records to aim for after the snapshots (0: no steering). */
  budget: number;
  /**
   * The underlying price (points) the options are valued on at each second end (index = second
   * from day start; NaN: the latent price): the underlying book's mid, see `underlyingMids`.
   */
  reference?: Float64Array;
  /**
   * No-arbitrage margin in option ticks: every member's best bid stays at least this far below,
   * and its best ask this far above, its value on `reference` (0: not enforced).
   */
  arbMargin?: number;
}

/** An options chain's MBO day: events are spread over the members by moneyness. */
export class ChainDay {
  readonly clock: EventClock;
  #next: number;
  #lastT = -Infinity;
  #done = false;
  #started = false;
  #cum: Float64Array;
  #weightsAt = -1;
  #sweptSec = -1;
  /** Members requoted to keep the no-arbitrage bounds. */
  arbRequotes = 0;

  constructor(readonly cfg: ChainDayConfig, readonly out: MboOut) {
    this.clock = new EventClock(cfg.rate, cfg.rng, cfg.budget, () => out.total + out.n);
    this.#next = this.clock.next();
    this.#cum = new Float64Array(cfg.members.length);
  }

  /**
   * Member `i`'s top of book must bracket its value `x` with the margin, else it is requoted
   * (see `Book.enforce`): the new quotes sit mid-way in [x - bidDepthTicks(x), x - margin] and
   * twice as far above, so that they last while the underlying moves. An empty side is quoted
   * there too.
   */
  #keepBounds(i: number, f: number, sd: number, t: number): void {
    const c = this.cfg, m = c.members[i], b = m.book, mg = c.arbMargin!;
    const x = this.theo(m, f, sd);
    const bidMax = x - mg > 1 ? x - mg : 1; // a one-tick bid is always allowed
    const cushion = 0.5 * (bidDepthTicks(x) + mg);
    if (
      (b.bestBid !== NO_BID && b.bestBid > bidMax) || (b.bestAsk !== NO_ASK && b.bestAsk < x + mg)
    ) {
      const at = this.#lastT + 1 > t ? this.#lastT + 1 : t;
      b.enforce(this.out, c.rng, m.flow, x, at, mg, cushion, 2 * cushion);
      this.#lastT = at + 2;
      this.arbRequotes++;
    }
    // a market maker keeps both sides quoted
    if (b.bestAsk === NO_ASK) {
      const at = this.#lastT + 1 > t ? this.#lastT + 1 : t;
      b.quoteAt(this.out, c.rng, m.flow, at, 1, Math.ceil(x + 2 * cushion));
      this.#lastT = at;
    }
    if (b.bestBid === NO_BID && x - cushion >= 1) {
      const at = this.#lastT + 1 > t ? this.#lastT + 1 : t;
      b.quoteAt(this.out, c.rng, m.flow, at, 0, Math.floor(x - cushion));
      this.#lastT = at;
    }
  }

  /** Every member checked at `t` (the reference and the time value change once a second). */
  #sweep(f: number, sd: number, t: number): void {
    for (let i = 0; i < this.cfg.members.length; i++) this.#keepBounds(i, f, sd, t);
  }

  /** Underlying forward (points) and remaining standard deviation (points) at `t`. */
  #state(t: number): [number, number] {
    const c = this.cfg;
    const f = referenceAt(c.reference, c.underlying.x, c.underlyingTick, t);
    let s = Math.floor(t * 1e-9);
    if (s > c.expirySecond) s = c.expirySecond;
    if (s < 0) s = 0;
    const v = c.cumVar[c.expirySecond] - c.cumVar[s];
    const sd = Math.sqrt(v > 0 ? v : 0) * c.underlyingTick * c.volPremium;
    return [f, sd];
  }

  /** Theoretical value of member `m` in option ticks. */
  theo(m: ChainMember, f: number, sd: number): number {
    const c = this.cfg;
    const sdEff = sd + 0.25 * c.strikeStep; // a floor so deep wings keep a little time value
    const strikeVol = sdEff *
      (1 + 0.08 * Math.min(4, Math.abs(m.strike - f) / Math.max(sdEff, 1e-9)));
    return bachelierTicks(f, m.strike, strikeVol, m.call, c.optionTick);
  }

  #reweight(t: number): void {
    const c = this.cfg;
    const [f, sd] = this.#state(t);
    const width = Math.max(2 * c.strikeStep, Math.min(sd, 6 * c.strikeStep));
    let acc = 0;
    for (let i = 0; i < c.members.length; i++) {
      const m = c.members[i];
      const z = (m.strike - f) / width;
      acc += Math.exp(-0.5 * z * z) + 0.01;
      this.#cum[i] = acc;
      const th = this.theo(m, f, sd);
      m.book.halfSpread = Math.max(0.5 + 0.004 * th, (c.arbMargin ?? 0) + 0.5);
      m.flow.nearMean = Math.round(4 + 2 * m.book.halfSpread) / 4;
      m.flow.farMean = Math.round(12 + 8 * m.book.halfSpread) / 4;
      m.flow.tNear = geoTable(m.flow.nearMean);
      m.flow.tFar = geoTable(m.flow.farMean);
    }
  }

  #pickMember(u: number): number {
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

  run(): boolean {
    if (this.#done) return true;
    const c = this.cfg, out = this.out, rng = c.rng;
    if (!this.#started) {
      this.#started = true;
      this.#reweight(0);
      const [f, sd] = this.#state(0);
      let id: { idHi: number; idLo: number; seq: number } = {
        idHi: c.snapshotId[0],
        idLo: c.snapshotId[1],
        seq: 1000 + rng.int(1000),
      };
      for (const m of c.members) {
        if (m.snapshotOrders > 0) {
          id = m.book.snapshot(
            out,
            rng,
            m.flow,
            this.theo(m, f, sd),
            0,
            m.snapshotOrders,
            id.idHi,
            id.idLo,
            id.seq,
          );
        }
      }
      out.seq = id.seq + 100 + rng.int(1000);
      out.setId(c.liveId[0], c.liveId[1]);
      this.clock.rebase();
    }
    while (out.n < out.flushAt) {
      const end = this.#next === Infinity; // after the last event: sweeps up to the expiry
      let t = end ? (c.expirySecond + 1) * 1e9 : Math.floor(this.#next);
      if (c.arbMargin) {
        // the underlying moves between events too: every second end is checked, at its time
        const sec = Math.min(Math.floor(t * 1e-9), c.expirySecond);
        while (this.#sweptSec < sec) {
          const ts = ++this.#sweptSec * 1e9 - 100_000; // just before the second ends
          const [f, sd] = this.#state(ts);
          this.#sweep(f, sd, ts);
        }
      }
      if (end) {
        this.#done = true;
        return true;
      }
      if (t <= this.#lastT) t = this.#lastT + 1;
      this.#lastT = t;
      this.#next = this.clock.next();
      const sec = Math.floor(t * 1e-9 / 10);
      if (sec !== this.#weightsAt) {
        this.#weightsAt = sec;
        this.#reweight(t);
      }
      const mi = this.#pickMember(rng.next());
      const m = c.members[mi];
      const [f, sd] = this.#state(t);
      const x = this.theo(m, f, sd);
      if (m.book.isStale(x, 1)) {
        m.book.requote(out, rng, m.flow, x, t);
        this.#lastT = t + 1;
      } else m.book.step(out, rng, m.flow, x, t);
      const dist = 1500;
      if (m.book.minBid < x - dist || m.book.maxAsk > x + dist) {
        m.book.purge(out, rng, m.flow, x, t, dist);
      }
      if (c.arbMargin) {
        this.#keepBounds(mi, f, sd, t);
      }
    }
    return false;
  }

  async generate(sink: MboSink): Promise<void> {
    for (;;) {
      const done = this.run();
      await this.out.flush(sink);
      if (done) return;
    }
  }
}

/**
 * How far (option ticks) below its value `x` a requoted option bid may sit: 2 ticks plus 2 % of
 * the value (requotes go half-way).
 */
export function bidDepthTicks(x: number): number {
  return 2 + 0.02 * x;
}

/**
 * The underlying price (points) at `t` (ns from day start): the reference at the end of the
 * second `t` falls in (the state an observer sees at that second end), else the latent price.
 */
export function referenceAt(
  ref: Float64Array | undefined,
  latent: Float64Array,
  tick: number,
  t: number,
): number {
  if (ref !== undefined) {
    let s = Math.ceil(t * 1e-9);
    if (s < 0) s = 0;
    else if (s >= ref.length) s = ref.length - 1;
    const r = ref[s];
    if (r === r) return r;
  }
  return latentAt(latent, t) * tick;
}

/** Bachelier value in option ticks (inlined for the hot path). */
function bachelierTicks(f: number, k: number, sd: number, call: boolean, tick: number): number {
  const m = call ? f - k : k - f;
  if (sd <= 1e-12) return (m > 0 ? m : 0) / tick;
  const d = m / sd;
  const a = Math.abs(d);
  const tt = 1 / (1 + 0.2316419 * a);
  const pdf = 0.3989422804014327 * Math.exp(-0.5 * d * d);
  const tail = pdf * tt *
    (0.319381530 +
      tt * (-0.356563782 + tt * (1.781477937 + tt * (-1.821255978 + tt * 1.330274429))));
  const cdf = d >= 0 ? 1 - tail : tail;
  return (m * cdf + sd * pdf) / tick;
}
