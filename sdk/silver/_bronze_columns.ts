// Bronze partitions as read from the lake (64-bit `long` columns, dictionary-coded strings) turned
// into the engines' columns: 64-bit values are reinterpreted in place, narrower ones copied from
// their low words, ASCII strings decoded through a per-batch code table.

import type { MboColumnsLike } from "../book/types.ts";
import type { DictColumn } from "../lake/columns.ts";
import type { IntArrayType, ReadBatch } from "../lake/reader.ts";
import type { Cmbp1ColumnsLike } from "./cmbp1_silver.ts";

/** Bronze MBO columns the silver MBO stages read. */
export const MBO_COLUMNS: readonly string[] = [
  "size",
  "ts_event",
  "order_id",
  "publisher_id",
  "flags",
  "instrument_id",
  "action",
  "side",
  "price",
];

/**
 * Bronze MBO `long` columns read into their DBN widths (the reader range-checks them): less data
 * to move and no conversion here.
 */
export const MBO_NARROW: Readonly<Record<string, IntArrayType>> = {
  size: "uint32",
  publisher_id: "uint16",
  flags: "uint8",
  instrument_id: "uint32",
};

/** Bronze CMBP-1 columns the equity-option stage reads. */
export const CMBP1_COLUMNS: readonly string[] = [
  "ts_event",
  "instrument_id",
  "bid_px_00",
  "ask_px_00",
  "bid_sz_00",
  "ask_sz_00",
  "right",
  "strike",
];

/** Bronze CMBP-1 `long` columns read into their DBN widths. */
export const CMBP1_NARROW: Readonly<Record<string, IntArrayType>> = {
  instrument_id: "uint32",
  bid_sz_00: "uint32",
  ask_sz_00: "uint32",
};

function long(b: ReadBatch, name: string): BigInt64Array {
  const c = b.columns[name];
  if (!(c instanceof BigInt64Array)) {
    throw new Error(`bronze column '${name}' is not a long column`);
  }
  return c;
}

function dict(b: ReadBatch, name: string): DictColumn {
  const c = b.columns[name] as DictColumn;
  if (!c || !("codes" in c)) throw new Error(`bronze column '${name}' is not a string column`);
  return c;
}

function low32<T extends Uint32Array | Uint16Array | Uint8Array>(src: BigInt64Array, dst: T): T {
  const w = new Int32Array(src.buffer, src.byteOffset, src.length * 2);
  for (let i = 0; i < dst.length; i++) dst[i] = w[i << 1];
  return dst;
}

/** First character codes of a dictionary column's rows (`"A"` → 65; empty → 0). */
export function asciiCodes(d: DictColumn, n: number): Uint8Array {
  const table = new Uint8Array(d.values.length);
  d.values.forEach((v, i) => (table[i] = v.length ? v.charCodeAt(0) : 0));
  const out = new Uint8Array(n);
  const codes = d.codes;
  for (let i = 0; i < n; i++) out[i] = table[codes[i]];
  return out;
}

/** A column read narrow (see `MBO_NARROW`), else the low words of its `long` values. */
function narrow<T extends Uint32Array | Uint16Array | Uint8Array>(
  b: ReadBatch,
  name: string,
  ctor: { new (n: number): T },
): T {
  const c = b.columns[name];
  return c instanceof ctor ? c : low32(long(b, name), new ctor(b.length));
}

function unsigned(a: BigInt64Array): BigUint64Array {
  return new BigUint64Array(a.buffer, a.byteOffset, a.length);
}

/**
 * A bronze MBO batch as book-engine columns. `ts_recv` and `sequence` are not read (the silver
 * clock is `ts_event` and the books only report them): `ts_recv` is given as `ts_event` and
 * `sequence` as 0.
 */
export function mboFromBronze(b: ReadBatch): MboColumnsLike {
  const n = b.length;
  const tsEvent = unsigned(long(b, "ts_event"));
  return {
    length: n,
    publisher_id: narrow(b, "publisher_id", Uint16Array),
    instrument_id: narrow(b, "instrument_id", Uint32Array),
    ts_event: tsEvent,
    order_id: unsigned(long(b, "order_id")),
    price: long(b, "price"),
    size: narrow(b, "size", Uint32Array),
    flags: narrow(b, "flags", Uint8Array),
    action: asciiCodes(dict(b, "action"), n),
    side: asciiCodes(dict(b, "side"), n),
    ts_recv: tsEvent,
    sequence: new Uint32Array(n),
  };
}

/** A bronze CMBP-1 batch as CMBP-1 engine columns. */
export function cmbp1FromBronze(b: ReadBatch): Cmbp1ColumnsLike {
  const n = b.length;
  return {
    length: n,
    instrument_id: narrow(b, "instrument_id", Uint32Array),
    ts_event: long(b, "ts_event"),
    bid_px: long(b, "bid_px_00"),
    ask_px: long(b, "ask_px_00"),
    bid_sz: narrow(b, "bid_sz_00", Uint32Array),
    ask_sz: narrow(b, "ask_sz_00", Uint32Array),
  };
}

/**
 * Calls `define(instrument_id, right, strike)` for every instrument of the batch not in `seen`
 * (bronze option rows carry their definition's right and strike).
 */
export function defineFromBronze(
  b: ReadBatch,
  iid: Uint32Array,
  seen: Set<number>,
  define: (iid: number, right: number, strike: number) => void,
): void {
  const rights = asciiCodes(dict(b, "right"), b.length);
  const strike = long(b, "strike");
  let last = -1;
  for (let i = 0; i < b.length; i++) {
    const id = iid[i];
    if (id === last) continue;
    last = id;
    if (seen.has(id)) continue;
    seen.add(id);
    define(id, rights[i], Number(strike[i]));
  }
}
