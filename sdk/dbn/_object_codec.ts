// Generic record <-> plain object codec driven by the layout tables, plus the v1/v2 -> v3 upgrades.
import { type Field, type Layout, layoutFor } from "./_layouts.ts";
import { instrumentDefDefaults } from "./records.ts";
import type { DbnRecord } from "./records.ts";

type Obj = Record<string, unknown>;

function readCStr(u8: Uint8Array, pos: number, len: number): string {
  let s = "";
  for (let i = pos, end = pos + len; i < end; i++) {
    const c = u8[i];
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function readField(dv: DataView, u8: Uint8Array, pos: number, f: Field): unknown {
  const at = pos + f[2];
  switch (f[1]) {
    case "u8":
      return u8[at];
    case "i8":
      return dv.getInt8(at);
    case "u16":
      return dv.getUint16(at, true);
    case "i16":
      return dv.getInt16(at, true);
    case "u32":
      return dv.getUint32(at, true);
    case "i32":
      return dv.getInt32(at, true);
    case "u64":
      return dv.getBigUint64(at, true);
    case "i64":
      return dv.getBigInt64(at, true);
    case "char":
      return String.fromCharCode(u8[at]);
    case "str":
      return readCStr(u8, at, f[3]);
    case "levels":
    case "clevels": {
      const n = f[3];
      const out: Obj[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const b = at + i * 32;
        const lvl: Obj = {
          bid_px: dv.getBigInt64(b, true),
          ask_px: dv.getBigInt64(b + 8, true),
          bid_sz: dv.getUint32(b + 16, true),
          ask_sz: dv.getUint32(b + 20, true),
        };
        if (f[1] === "levels") {
          lvl.bid_ct = dv.getUint32(b + 24, true);
          lvl.ask_ct = dv.getUint32(b + 28, true);
        } else {
          lvl.bid_pb = dv.getUint16(b + 24, true);
          lvl.ask_pb = dv.getUint16(b + 28, true);
        }
        out[i] = lvl;
      }
      return out;
    }
  }
}

/**
 * Decodes the record at `pos` (its size already validated) with the layout of `version`,
 * upgrading to the v3 field set when `upgrade` is set.
 */
export function decodeRecordObject(
  dv: DataView,
  u8: Uint8Array,
  pos: number,
  version: number,
  tsOut: boolean,
  upgrade: boolean,
): DbnRecord {
  const rtype = u8[pos + 1];
  const layout = layoutFor(rtype, version) as Layout;
  const o: Obj = {
    rtype,
    length: u8[pos],
    publisher_id: dv.getUint16(pos + 2, true),
    instrument_id: dv.getUint32(pos + 4, true),
    ts_event: dv.getBigUint64(pos + 8, true),
  };
  for (const f of layout.fields) o[f[0]] = readField(dv, u8, pos, f);
  if (tsOut) o.ts_out = dv.getBigUint64(pos + layout.size, true);
  const rec = upgrade && version < 3 ? upgradeObject(o, version) : o;
  if (rec !== o) rec.length = ((layoutFor(rtype, 3) as Layout).size + (tsOut ? 8 : 0)) / 4;
  return rec as unknown as DbnRecord;
}

const ERROR_CODES: [RegExp, number][] = [
  [/^User or API key deactivated/, 2],
  [/^User has reached their open connection limit/, 3],
  [/^Failed to resolve symbol/, 4],
  [/^Internal error/, 6],
  [/^Slow client detected for /, 7],
];

function systemCode(msg: string): number {
  if (msg === "Heartbeat") return 0;
  if (msg.startsWith("Subscription request ") && msg.endsWith(" succeeded")) return 1;
  if (msg.startsWith("Warning: slow reading")) return 2;
  if (msg.startsWith("Finished ") && msg.endsWith(" replay")) return 3;
  if (msg.startsWith("End of interval for ")) return 4;
  return 255;
}

/** Converts a v1/v2 object to the v3 field set (spec §5.2). Returns the input when nothing changes. */
function upgradeObject(o: Obj, version: number): Obj {
  switch (o.rtype as number) {
    case 0x13: {
      const d = instrumentDefDefaults() as unknown as Obj;
      for (const k of Object.keys(d)) if (k in o) d[k] = o[k];
      d.raw_instrument_id = BigInt(o.raw_instrument_id as number);
      if (o.ts_out !== undefined) d.ts_out = o.ts_out;
      return d;
    }
    case 0x18: {
      const q = o.quantity as number;
      return { ...o, quantity: q === 2147483647 ? 9223372036854775807n : BigInt(q) };
    }
    case 0x16:
      if (version > 1) return o;
      return {
        rtype: o.rtype,
        length: o.length,
        publisher_id: o.publisher_id,
        instrument_id: o.instrument_id,
        ts_event: o.ts_event,
        stype_in: 255,
        stype_in_symbol: o.stype_in_symbol,
        stype_out: 255,
        stype_out_symbol: o.stype_out_symbol,
        start_ts: o.start_ts,
        end_ts: o.end_ts,
        ...(o.ts_out === undefined ? {} : { ts_out: o.ts_out }),
      };
    case 0x15: {
      if (version > 1) return o;
      const err = o.err as string;
      const code = ERROR_CODES.find(([re]) => re.test(err))?.[1] ?? 255;
      return { ...o, code, is_last: 255 };
    }
    case 0x17:
      if (version > 1) return o;
      return { ...o, code: systemCode(o.msg as string) };
  }
  return o;
}

function writeCStr(u8: Uint8Array, pos: number, len: number, s: string, name: string): void {
  if (typeof s !== "string") throw new TypeError(`field ${name}: expected a string`);
  if (s.length >= len) {
    throw new RangeError(`field ${name}: '${s}' is longer than ${len - 1} characters`);
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) throw new RangeError(`field ${name}: '${s}' is not ASCII`);
    u8[pos + i] = c;
  }
}

function writeField(dv: DataView, u8: Uint8Array, pos: number, f: Field, v: unknown): void {
  const at = pos + f[2];
  const name = f[0];
  if (v === undefined) throw new TypeError(`field ${name} is missing`);
  switch (f[1]) {
    case "u8":
    case "i8":
      dv.setInt8(at, (v as number) << 24 >> 24);
      return;
    case "u16":
    case "i16":
      dv.setUint16(at, (v as number) & 0xffff, true);
      return;
    case "u32":
    case "i32":
      dv.setUint32(at, (v as number) >>> 0, true);
      return;
    case "u64":
      dv.setBigUint64(at, BigInt.asUintN(64, v as bigint), true);
      return;
    case "i64":
      dv.setBigInt64(at, BigInt.asIntN(64, v as bigint), true);
      return;
    case "char": {
      const s = v as string;
      if (typeof s !== "string" || s.length !== 1) {
        throw new TypeError(`field ${name}: expected one character`);
      }
      u8[at] = s.charCodeAt(0);
      return;
    }
    case "str":
      writeCStr(u8, at, f[3], v as string, name);
      return;
    case "levels":
    case "clevels": {
      const levels = v as Obj[];
      for (let i = 0; i < f[3]; i++) {
        const l = levels[i];
        if (l === undefined) throw new TypeError(`field ${name}[${i}] is missing`);
        const b = at + i * 32;
        dv.setBigInt64(b, l.bid_px as bigint, true);
        dv.setBigInt64(b + 8, l.ask_px as bigint, true);
        dv.setUint32(b + 16, l.bid_sz as number, true);
        dv.setUint32(b + 20, l.ask_sz as number, true);
        if (f[1] === "levels") {
          dv.setUint32(b + 24, l.bid_ct as number, true);
          dv.setUint32(b + 28, l.ask_ct as number, true);
        } else {
          dv.setUint16(b + 24, l.bid_pb as number, true);
          dv.setUint16(b + 28, l.ask_pb as number, true);
        }
      }
      return;
    }
  }
}

/** Size in bytes of `record` encoded as DBN `version` (ts_out suffix included when `tsOut`). */
export function encodedSize(record: DbnRecord, version = 3, tsOut = false): number {
  const layout = layoutFor(record.rtype, version);
  if (!layout) throw new RangeError(`cannot encode unknown rtype ${record.rtype}`);
  return layout.size + (tsOut ? 8 : 0);
}

/** Encodes `record` (v3 field set for version 3) at `pos`; returns the number of bytes written. */
export function encodeRecordObject(
  record: DbnRecord,
  dv: DataView,
  u8: Uint8Array,
  pos: number,
  version = 3,
  tsOut = false,
): number {
  const o = record as unknown as Obj;
  const layout = layoutFor(record.rtype, version);
  if (!layout) throw new RangeError(`cannot encode unknown rtype ${record.rtype}`);
  const size = layout.size + (tsOut ? 8 : 0);
  u8.fill(0, pos, pos + size);
  u8[pos] = size / 4;
  u8[pos + 1] = record.rtype;
  dv.setUint16(pos + 2, record.publisher_id, true);
  dv.setUint32(pos + 4, record.instrument_id, true);
  dv.setBigUint64(pos + 8, record.ts_event, true);
  for (const f of layout.fields) writeField(dv, u8, pos, f, o[f[0]]);
  if (tsOut) dv.setBigUint64(pos + layout.size, record.ts_out ?? 18446744073709551615n, true);
  return size;
}
