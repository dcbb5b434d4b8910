// Columnar MBO output of the generator: a reusable MboColumns batch written through 32-bit word
// views (no BigInt in the hot path), with the event context (timestamps, sequence, latency) and
// the order-id counter shared by every book of one file.
import { allocMboColumns, type MboColumns, words } from "../dbn/mod.ts";

const TWO32 = 4294967296;

/** Where generated MBO batches go (a `DbnWriter` fits). */
export interface MboSink {
  /** Writes rows `[start, end)` of `cols`; the columns may be reused once the promise resolves. */
  writeMbo(cols: MboColumns, start?: number, end?: number): Promise<void>;
}

/** ASCII codes used in the columns. */
export const A_ADD = 65, A_CANCEL = 67, A_MODIFY = 77, A_CLEAR = 82, A_TRADE = 84, A_FILL = 70;
/** Side codes. */
export const S_ASK = 65, S_BID = 66, S_NONE = 78;
/** Flag bits. */
export const F_LAST = 128, F_SNAPSHOT = 32, F_BAD_TS_RECV = 8, F_MAYBE_BAD_BOOK = 4;

export class MboOut {
  cols: MboColumns;
  cap: number;
  n = 0;
  readonly flushAt: number;
  tsE!: Uint32Array;
  tsR!: Uint32Array;
  oid!: Uint32Array;
  px!: Uint32Array;
  readonly pub: number;
  readonly channel: number;
  readonly dayLo: number;
  readonly dayHi: number;
  // event context
  evLo = 0;
  evHi = 0;
  rcLo = 0;
  rcHi = 0;
  recv = -Infinity; // current ts_recv offset (ns from day start)
  delta = 0;
  seqNow = 0;
  seq = 0; // live sequence counter
  // order ids (u64 as two u32 words)
  idLo = 0;
  idHi = 0;
  /** Records per action code, over everything flushed. */
  readonly actionCounts = new Float64Array(128);
  total = 0;

  constructor(dayStartNs: bigint, publisher: number, channel: number, capacity = 65536) {
    this.cap = capacity;
    this.flushAt = capacity - 4096;
    this.cols = allocMboColumns(capacity);
    this.#views();
    this.pub = publisher;
    this.channel = channel;
    this.dayLo = Number(dayStartNs & 0xffffffffn);
    this.dayHi = Number(dayStartNs >> 32n);
  }

  #views(): void {
    this.tsE = words(this.cols.ts_event);
    this.tsR = words(this.cols.ts_recv);
    this.oid = words(this.cols.order_id);
    this.px = words(this.cols.price);
  }

  /** Makes room for `k` more records in this batch (grows the columns for very large events). */
  ensure(k: number): void {
    if (this.n + k <= this.cap) return;
    let cap = this.cap * 2;
    while (cap < this.n + k) cap *= 2;
    const old = this.cols;
    const c = allocMboColumns(cap);
    c.publisher_id.set(old.publisher_id);
    c.instrument_id.set(old.instrument_id);
    c.ts_event.set(old.ts_event);
    c.order_id.set(old.order_id);
    c.price.set(old.price);
    c.size.set(old.size);
    c.flags.set(old.flags);
    c.channel_id.set(old.channel_id);
    c.action.set(old.action);
    c.side.set(old.side);
    c.ts_recv.set(old.ts_recv);
    c.ts_in_delta.set(old.ts_in_delta);
    c.sequence.set(old.sequence);
    this.cols = c;
    this.cap = cap;
    this.#views();
  }

  /** Sets the order-id counter to `hi * 2^32 + lo`. */
  setId(hi: number, lo: number): void {
    this.idHi = hi;
    this.idLo = lo;
  }

  /** Advances the order-id counter by `gap` (>= 1). */
  nextId(gap: number): void {
    let lo = this.idLo + gap;
    if (lo >= TWO32) {
      lo -= TWO32;
      this.idHi++;
    }
    this.idLo = lo;
  }

  /** Sets the event time (ns offset from day start, integral, may be negative). */
  setEvent(t: number): void {
    const hi = Math.floor(t / TWO32);
    let lo = this.dayLo + (t - hi * TWO32);
    let h = this.dayHi + hi;
    if (lo >= TWO32) {
      lo -= TWO32;
      h++;
    }
    this.evLo = lo;
    this.evHi = h;
  }

  /** Sets the receive time (ns offset from day start, integral). */
  setRecv(t: number): void {
    this.recv = t;
    const hi = Math.floor(t / TWO32);
    let lo = this.dayLo + (t - hi * TWO32);
    let h = this.dayHi + hi;
    if (lo >= TWO32) {
      lo -= TWO32;
      h++;
    }
    this.rcLo = lo;
    this.rcHi = h;
  }

  /**
   * Starts a live event at `t`: ts_recv = max(t + latency, previous ts_recv + 1), a new sequence
   * number, and ts_in_delta (`delta`, or ts_recv - ts_event when `delta < 0`).
   */
  begin(t: number, latency: number, delta: number): void {
    this.setEvent(t);
    let r = t + latency;
    if (r <= this.recv) r = this.recv + 1;
    this.setRecv(r);
    this.delta = delta < 0 ? r - t : delta;
    this.seqNow = ++this.seq;
  }

  /** Starts the next packet of the same event `gap` ns later (new sequence number). */
  packet(gap: number): void {
    this.setRecv(this.recv + gap);
    this.seqNow = ++this.seq;
  }

  /** Writes one record in the current context; `price` in 1e-9 units (a non-negative integer < 2^53). */
  put(
    iid: number,
    action: number,
    side: number,
    price: number,
    size: number,
    idLo: number,
    idHi: number,
    flags: number,
  ): number {
    const i = this.n++;
    const i2 = i << 1;
    const c = this.cols;
    c.publisher_id[i] = this.pub;
    c.instrument_id[i] = iid;
    this.tsE[i2] = this.evLo;
    this.tsE[i2 + 1] = this.evHi;
    this.tsR[i2] = this.rcLo;
    this.tsR[i2 + 1] = this.rcHi;
    this.oid[i2] = idLo;
    this.oid[i2 + 1] = idHi;
    this.px[i2] = price % TWO32;
    this.px[i2 + 1] = price / TWO32;
    c.size[i] = size;
    c.flags[i] = flags;
    c.channel_id[i] = this.channel;
    c.action[i] = action;
    c.side[i] = side;
    c.ts_in_delta[i] = this.delta;
    c.sequence[i] = this.seqNow;
    return i;
  }

  /** Writes a clear (`R`) record: side N, undefined price, size 0, order id 0. */
  putClear(iid: number, flags: number): void {
    const i = this.put(iid, A_CLEAR, S_NONE, 0, 0, 0, 0, flags);
    this.px[i << 1] = 0xffffffff;
    this.px[(i << 1) + 1] = 0x7fffffff;
  }

  /** Sets F_LAST on the most recent record. */
  last(): void {
    if (this.n > 0) this.cols.flags[this.n - 1] |= F_LAST;
  }

  /** Hands the batch to `sink` and empties it. */
  async flush(sink: MboSink): Promise<void> {
    await this.flushSwap(sink);
  }

  #spare: MboColumns | undefined;

  /**
   * Starts writing the batch to `sink` and switches to a second set of columns, so the next
   * batch can be generated while this one is written. Await the returned promise before the next
   * call (at most one write in flight).
   */
  flushSwap(sink: MboSink): Promise<void> {
    if (this.n === 0) return Promise.resolve();
    const a = this.cols.action;
    for (let i = 0; i < this.n; i++) this.actionCounts[a[i]]++;
    this.total += this.n;
    const p = sink.writeMbo(this.cols, 0, this.n);
    const next = this.#spare && this.#spare.length >= this.cap
      ? this.#spare
      : allocMboColumns(this.cap);
    this.#spare = this.cols;
    this.cols = next;
    this.#views();
    this.n = 0;
    return p;
  }
}
