/**
 * Columnar views of MBO and CMBP-1 records: one typed array per field, the hot path of the SDK.
 *
 * 64-bit fields are `BigUint64Array`/`BigInt64Array` holding the exact values. Hot loops that want
 * no `BigInt` can view the same memory as 32-bit words (little-endian `lo, hi` pairs) with
 * {@linkcode words}.
 *
 * @module
 */
import type { Cmbp1Msg, MboMsg } from "./records.ts";

/** MBO records as columns (rtype 0xA0). `action` and `side` hold ASCII codes (`65` = `'A'`). */
export interface MboColumns {
  /** Number of records. */
  length: number;
  /** Databento publisher (dataset + venue). */
  publisher_id: Uint16Array;
  /** Numeric instrument id. */
  instrument_id: Uint32Array;
  /** Event time, ns since the UNIX epoch. */
  ts_event: BigUint64Array;
  /** Venue order id (u64; may exceed 2^53). */
  order_id: BigUint64Array;
  /** Price, fixed point (1 unit = 1e-9); `UNDEF_PRICE` when null. */
  price: BigInt64Array;
  /** Quantity. */
  size: Uint32Array;
  /** Flag bits (see `Flags`). */
  flags: Uint8Array;
  /** Databento channel id. */
  channel_id: Uint8Array;
  /** Action: A add, C cancel, M modify, R clear, T trade, F fill, N none. */
  action: Uint8Array;
  /** Side: A ask, B bid, N none. */
  side: Uint8Array;
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: BigUint64Array;
  /** Venue send time minus `ts_recv`, ns. */
  ts_in_delta: Int32Array;
  /** Venue message sequence number. */
  sequence: Uint32Array;
}

/** CMBP-1 / TCBBO records as columns (rtypes 0xB1, 0xC2). */
export interface Cmbp1Columns {
  /** Number of records. */
  length: number;
  /** Record type. */
  rtype: Uint8Array;
  /** Databento publisher (dataset + venue). */
  publisher_id: Uint16Array;
  /** Numeric instrument id. */
  instrument_id: Uint32Array;
  /** Event time, ns since the UNIX epoch. */
  ts_event: BigUint64Array;
  /** Price, fixed point (1 unit = 1e-9); `UNDEF_PRICE` when null. */
  price: BigInt64Array;
  /** Quantity. */
  size: Uint32Array;
  /** Action: A add, C cancel, M modify, R clear, T trade, F fill, N none. */
  action: Uint8Array;
  /** Side: A ask, B bid, N none. */
  side: Uint8Array;
  /** Flag bits (see `Flags`). */
  flags: Uint8Array;
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: BigUint64Array;
  /** Venue send time minus `ts_recv`, ns. */
  ts_in_delta: Int32Array;
  /** Bid price, fixed point. */
  bid_px: BigInt64Array;
  /** Ask price, fixed point. */
  ask_px: BigInt64Array;
  /** Bid size. */
  bid_sz: Uint32Array;
  /** Ask size. */
  ask_sz: Uint32Array;
  /** Publisher of the best bid. */
  bid_pb: Uint16Array;
  /** Publisher of the best ask. */
  ask_pb: Uint16Array;
}

/** Carves typed arrays out of one zeroed buffer (one allocation per batch instead of one per field). */
class Arena {
  #buf: ArrayBuffer;
  #at = 0;
  constructor(bytes: number, reuse?: ArrayBuffer) {
    this.#buf = reuse && reuse.byteLength >= bytes ? reuse : new ArrayBuffer(bytes);
  }
  take<T>(ctor: new (b: ArrayBuffer, off: number, n: number) => T, n: number, width: number): T {
    const t = new ctor(this.#buf, this.#at, n);
    this.#at += Math.ceil((n * width) / 8) * 8;
    return t;
  }
}

/** Bytes of the buffer behind {@linkcode allocMboColumns} for `n` records. */
export function mboColumnsBytes(n: number): number {
  const pad = (b: number) => Math.ceil((n * b) / 8) * 8;
  return 4 * pad(8) + 4 * pad(4) + pad(2) + 4 * pad(1);
}

/** Bytes of the buffer behind {@linkcode allocCmbp1Columns} for `n` records. */
export function cmbp1ColumnsBytes(n: number): number {
  const pad = (b: number) => Math.ceil((n * b) / 8) * 8;
  return 5 * pad(8) + 5 * pad(4) + 3 * pad(2) + 4 * pad(1);
}

/**
 * Allocates MBO columns for `n` records, all backed by one buffer. Zeroed, unless `reuse` (a
 * buffer of at least {@linkcode mboColumnsBytes} bytes) is given: its memory is used as is.
 */
export function allocMboColumns(n: number, reuse?: ArrayBuffer): MboColumns {
  const a = new Arena(mboColumnsBytes(n), reuse);
  return {
    length: n,
    ts_event: a.take(BigUint64Array, n, 8),
    order_id: a.take(BigUint64Array, n, 8),
    price: a.take(BigInt64Array, n, 8),
    ts_recv: a.take(BigUint64Array, n, 8),
    instrument_id: a.take(Uint32Array, n, 4),
    size: a.take(Uint32Array, n, 4),
    ts_in_delta: a.take(Int32Array, n, 4),
    sequence: a.take(Uint32Array, n, 4),
    publisher_id: a.take(Uint16Array, n, 2),
    flags: a.take(Uint8Array, n, 1),
    channel_id: a.take(Uint8Array, n, 1),
    action: a.take(Uint8Array, n, 1),
    side: a.take(Uint8Array, n, 1),
  };
}

/**
 * Allocates CMBP-1 columns for `n` records (rtype preset to 0xB1), backed by one buffer, zeroed
 * unless `reuse` (at least {@linkcode cmbp1ColumnsBytes} bytes) is given.
 */
export function allocCmbp1Columns(n: number, reuse?: ArrayBuffer): Cmbp1Columns {
  const a = new Arena(cmbp1ColumnsBytes(n), reuse);
  const c: Cmbp1Columns = {
    length: n,
    ts_event: a.take(BigUint64Array, n, 8),
    price: a.take(BigInt64Array, n, 8),
    ts_recv: a.take(BigUint64Array, n, 8),
    bid_px: a.take(BigInt64Array, n, 8),
    ask_px: a.take(BigInt64Array, n, 8),
    instrument_id: a.take(Uint32Array, n, 4),
    size: a.take(Uint32Array, n, 4),
    ts_in_delta: a.take(Int32Array, n, 4),
    bid_sz: a.take(Uint32Array, n, 4),
    ask_sz: a.take(Uint32Array, n, 4),
    publisher_id: a.take(Uint16Array, n, 2),
    bid_pb: a.take(Uint16Array, n, 2),
    ask_pb: a.take(Uint16Array, n, 2),
    rtype: a.take(Uint8Array, n, 1),
    action: a.take(Uint8Array, n, 1),
    side: a.take(Uint8Array, n, 1),
    flags: a.take(Uint8Array, n, 1),
  };
  c.rtype.fill(0xb1);
  return c;
}

/** A 64-bit column viewed as `Uint32Array` words: element `i` is `(w[2i], w[2i+1])` = (lo, hi). */
export function words(col: BigUint64Array | BigInt64Array): Uint32Array {
  return new Uint32Array(col.buffer, col.byteOffset, col.length * 2);
}

const w = words;

// Record word layout (MBO, 56 bytes = 14 words):
// 0 len|rtype|publisher  1 instrument  2-3 ts_event  4-5 order_id  6-7 price  8 size
// 9 flags|channel|action|side  10-11 ts_recv  12 ts_in_delta  13 sequence
/** Fills `n` MBO columns from 4-byte aligned records (`step` bytes apart) in `src`, from word `w0`. */
export function fillMbo(
  src: Uint32Array,
  w0: number,
  stepWords: number,
  n: number,
  c: MboColumns,
  at = 0,
): void {
  const tsE = w(c.ts_event), oid = w(c.order_id), px = w(c.price), tsR = w(c.ts_recv);
  const pub = c.publisher_id, inst = c.instrument_id, size = c.size, flags = c.flags;
  const chan = c.channel_id,
    action = c.action,
    side = c.side,
    delta = c.ts_in_delta,
    seq = c.sequence;
  let b = w0;
  for (let r = at, end = at + n; r < end; r++, b += stepWords) {
    const r2 = r << 1;
    pub[r] = src[b] >>> 16;
    inst[r] = src[b + 1];
    tsE[r2] = src[b + 2];
    tsE[r2 + 1] = src[b + 3];
    oid[r2] = src[b + 4];
    oid[r2 + 1] = src[b + 5];
    px[r2] = src[b + 6];
    px[r2 + 1] = src[b + 7];
    size[r] = src[b + 8];
    const f = src[b + 9];
    flags[r] = f;
    chan[r] = f >>> 8;
    action[r] = f >>> 16;
    side[r] = f >>> 24;
    tsR[r2] = src[b + 10];
    tsR[r2 + 1] = src[b + 11];
    delta[r] = src[b + 12];
    seq[r] = src[b + 13];
  }
}

/** Writes MBO rows `[start, end)` as 56-byte records into `dst` (4-byte aligned words from `w0`). */
export function encodeMboInto(
  c: MboColumns,
  start: number,
  end: number,
  dst: Uint32Array,
  w0: number,
): void {
  const tsE = w(c.ts_event), oid = w(c.order_id), px = w(c.price), tsR = w(c.ts_recv);
  const pub = c.publisher_id, inst = c.instrument_id, size = c.size, flags = c.flags;
  const chan = c.channel_id,
    action = c.action,
    side = c.side,
    delta = c.ts_in_delta,
    seq = c.sequence;
  let b = w0;
  for (let r = start; r < end; r++, b += 14) {
    const r2 = r << 1;
    dst[b] = 14 | (0xa0 << 8) | (pub[r] << 16);
    dst[b + 1] = inst[r];
    dst[b + 2] = tsE[r2];
    dst[b + 3] = tsE[r2 + 1];
    dst[b + 4] = oid[r2];
    dst[b + 5] = oid[r2 + 1];
    dst[b + 6] = px[r2];
    dst[b + 7] = px[r2 + 1];
    dst[b + 8] = size[r];
    dst[b + 9] = flags[r] | (chan[r] << 8) | (action[r] << 16) | (side[r] << 24);
    dst[b + 10] = tsR[r2];
    dst[b + 11] = tsR[r2 + 1];
    dst[b + 12] = delta[r];
    dst[b + 13] = seq[r];
  }
}

// CMBP-1 word layout (80 bytes = 20 words):
// 0 len|rtype|publisher  1 instrument  2-3 ts_event  4-5 price  6 size  7 action|side|flags|reserved
// 8-9 ts_recv  10 ts_in_delta  11 reserved  12-13 bid_px  14-15 ask_px  16 bid_sz  17 ask_sz
// 18 bid_pb|reserved  19 ask_pb|reserved
/** Fills `n` CMBP-1 columns from 4-byte aligned records in `src`. */
export function fillCmbp1(
  src: Uint32Array,
  w0: number,
  stepWords: number,
  n: number,
  c: Cmbp1Columns,
  at = 0,
): void {
  const tsE = w(c.ts_event),
    px = w(c.price),
    tsR = w(c.ts_recv),
    bpx = w(c.bid_px),
    apx = w(c.ask_px);
  let b = w0;
  for (let r = at, end = at + n; r < end; r++, b += stepWords) {
    const r2 = r << 1;
    const h = src[b];
    c.rtype[r] = h >>> 8;
    c.publisher_id[r] = h >>> 16;
    c.instrument_id[r] = src[b + 1];
    tsE[r2] = src[b + 2];
    tsE[r2 + 1] = src[b + 3];
    px[r2] = src[b + 4];
    px[r2 + 1] = src[b + 5];
    c.size[r] = src[b + 6];
    const f = src[b + 7];
    c.action[r] = f;
    c.side[r] = f >>> 8;
    c.flags[r] = f >>> 16;
    tsR[r2] = src[b + 8];
    tsR[r2 + 1] = src[b + 9];
    c.ts_in_delta[r] = src[b + 10];
    bpx[r2] = src[b + 12];
    bpx[r2 + 1] = src[b + 13];
    apx[r2] = src[b + 14];
    apx[r2 + 1] = src[b + 15];
    c.bid_sz[r] = src[b + 16];
    c.ask_sz[r] = src[b + 17];
    c.bid_pb[r] = src[b + 18];
    c.ask_pb[r] = src[b + 19];
  }
}

/** Writes CMBP-1 rows `[start, end)` as 80-byte records into `dst` from word `w0`. */
export function encodeCmbp1Into(
  c: Cmbp1Columns,
  start: number,
  end: number,
  dst: Uint32Array,
  w0: number,
): void {
  const tsE = w(c.ts_event),
    px = w(c.price),
    tsR = w(c.ts_recv),
    bpx = w(c.bid_px),
    apx = w(c.ask_px);
  let b = w0;
  for (let r = start; r < end; r++, b += 20) {
    const r2 = r << 1;
    dst[b] = 20 | (c.rtype[r] << 8) | (c.publisher_id[r] << 16);
    dst[b + 1] = c.instrument_id[r];
    dst[b + 2] = tsE[r2];
    dst[b + 3] = tsE[r2 + 1];
    dst[b + 4] = px[r2];
    dst[b + 5] = px[r2 + 1];
    dst[b + 6] = c.size[r];
    dst[b + 7] = c.action[r] | (c.side[r] << 8) | (c.flags[r] << 16);
    dst[b + 8] = tsR[r2];
    dst[b + 9] = tsR[r2 + 1];
    dst[b + 10] = c.ts_in_delta[r];
    dst[b + 11] = 0;
    dst[b + 12] = bpx[r2];
    dst[b + 13] = bpx[r2 + 1];
    dst[b + 14] = apx[r2];
    dst[b + 15] = apx[r2 + 1];
    dst[b + 16] = c.bid_sz[r];
    dst[b + 17] = c.ask_sz[r];
    dst[b + 18] = c.bid_pb[r];
    dst[b + 19] = c.ask_pb[r];
  }
}

/** Row `i` of MBO columns as a plain record. */
export function mboRow(c: MboColumns, i: number): MboMsg {
  return {
    rtype: 0xa0,
    length: 14,
    publisher_id: c.publisher_id[i],
    instrument_id: c.instrument_id[i],
    ts_event: c.ts_event[i],
    order_id: c.order_id[i],
    price: c.price[i],
    size: c.size[i],
    flags: c.flags[i],
    channel_id: c.channel_id[i],
    action: String.fromCharCode(c.action[i]),
    side: String.fromCharCode(c.side[i]),
    ts_recv: c.ts_recv[i],
    ts_in_delta: c.ts_in_delta[i],
    sequence: c.sequence[i],
  };
}

/** Row `i` of CMBP-1 columns as a plain record. */
export function cmbp1Row(c: Cmbp1Columns, i: number): Cmbp1Msg {
  return {
    rtype: c.rtype[i],
    length: 20,
    publisher_id: c.publisher_id[i],
    instrument_id: c.instrument_id[i],
    ts_event: c.ts_event[i],
    price: c.price[i],
    size: c.size[i],
    action: String.fromCharCode(c.action[i]),
    side: String.fromCharCode(c.side[i]),
    flags: c.flags[i],
    ts_recv: c.ts_recv[i],
    ts_in_delta: c.ts_in_delta[i],
    levels: [{
      bid_px: c.bid_px[i],
      ask_px: c.ask_px[i],
      bid_sz: c.bid_sz[i],
      ask_sz: c.ask_sz[i],
      bid_pb: c.bid_pb[i],
      ask_pb: c.ask_pb[i],
    }],
  };
}
