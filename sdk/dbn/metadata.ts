/**
 * DBN metadata: the header that follows the 8-byte prelude (query, symbology and mappings).
 *
 * @module
 */
import { DbnError } from "./error.ts";
import {
  DBN_VERSION,
  type Schema,
  schemaName,
  schemaValue,
  type SType,
  stypeName,
  stypeValue,
  UNDEF_TIMESTAMP,
} from "./constants.ts";

/** One date interval of a symbol mapping (dates are ISO `YYYY-MM-DD`, end exclusive). */
export interface MappingInterval {
  /** First day (inclusive). */
  start_date: string;
  /** Last day (exclusive). */
  end_date: string;
  /** The `stype_out` symbol on those days (for `instrument_id`, the id as decimal text). */
  symbol: string;
}

/** Mapping of one input symbol to its output symbols over time. */
export interface SymbolMapping {
  /** The `stype_in` symbol. */
  raw_symbol: string;
  /** Date intervals with their output symbol. */
  intervals: MappingInterval[];
}

/** Decoded DBN metadata. */
export interface Metadata {
  /** DBN version of the stream (after upgrading: the upgraded version). */
  version: number;
  /** Dataset code, e.g. `GLBX.MDP3`. */
  dataset: string;
  /** Schema of every record, or `null` for mixed schemas. */
  schema: Schema | null;
  /** Query start, ns since the UNIX epoch. */
  start: bigint;
  /** Query end (exclusive), ns; `null` when unset (stored as `u64::MAX`). */
  end: bigint | null;
  /** Record limit of the query; 0 = none. */
  limit: bigint;
  /** Input symbology type, `null` for mixed. */
  stype_in: SType | null;
  /** Output symbology type. */
  stype_out: SType;
  /** Whether every record carries an 8-byte `ts_out` suffix. */
  ts_out: boolean;
  /** Length of fixed symbol strings (22 in v1, 71 from v2). */
  symbol_cstr_len: number;
  /** Requested input symbols. */
  symbols: string[];
  /** Symbols that did not resolve for some days. */
  partial: string[];
  /** Symbols that resolved on no day. */
  not_found: string[];
  /** Symbol mappings. */
  mappings: SymbolMapping[];
}

/** Length of the fixed part of the metadata, in bytes. */
export const METADATA_FIXED_LEN = 100;
const V1_SYMBOL_CSTR_LEN = 22;
const SYMBOL_CSTR_LEN = 71;

function readCStr(u8: Uint8Array, pos: number, len: number): string {
  let end = pos;
  const limit = pos + len;
  while (end < limit && u8[end] !== 0) end++;
  let s = "";
  for (let i = pos; i < end; i++) s += String.fromCharCode(u8[i]);
  return s;
}

function dateFromU32(v: number): string {
  const y = Math.floor(v / 10000);
  const m = Math.floor(v / 100) % 100;
  const d = v % 100;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${
    String(d).padStart(2, "0")
  }`;
}

function dateToU32(s: string, field: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`metadata ${field}: expected YYYY-MM-DD, got '${s}'`);
  return Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
}

/**
 * Decodes metadata from `u8`, which must start with the 8-byte prelude and hold the whole metadata
 * (`8 + metadata_length` bytes, see {@linkcode metadataLength}).
 */
export function decodeMetadata(u8: Uint8Array, file = "<memory>"): Metadata {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const version = u8[3];
  const len = dv.getUint32(4, true);
  const end = 8 + len;
  if (u8.byteLength < end) {
    throw new DbnError(`truncated metadata: need ${end} bytes, have ${u8.byteLength}`, file, 8);
  }
  const need = (pos: number, n: number, what: string) => {
    if (pos + n > end) {
      throw new DbnError(`metadata ${what} runs past the metadata end (${end})`, file, pos);
    }
  };
  const dataset = readCStr(u8, 8, 16);
  const schemaRaw = dv.getUint16(24, true);
  const schema = schemaName(schemaRaw);
  if (schemaRaw !== 0xffff && schema === null) {
    throw new DbnError(`unknown schema value ${schemaRaw}`, file, 24);
  }
  const start = dv.getBigUint64(26, true);
  const endTs = dv.getBigUint64(34, true);
  const limit = dv.getBigUint64(42, true);
  let p = version === 1 ? 58 : 50;
  const stypeInRaw = u8[p];
  const stypeOutRaw = u8[p + 1];
  const tsOut = u8[p + 2] !== 0;
  const symbolLen = version === 1 ? V1_SYMBOL_CSTR_LEN : dv.getUint16(p + 3, true);
  if (symbolLen === 0) throw new DbnError("symbol_cstr_len is 0", file, p + 3);
  const stypeIn = stypeName(stypeInRaw);
  const stypeOut = stypeName(stypeOutRaw);
  if ((stypeInRaw !== 0xff && stypeIn === null) || stypeOut === null) {
    throw new DbnError(`unknown stype value ${stypeInRaw}/${stypeOutRaw}`, file, p);
  }
  p = 108;
  need(p, 4, "schema_definition_length");
  const schemaDefLen = dv.getUint32(p, true);
  if (schemaDefLen !== 0) {
    throw new DbnError(`schema_definition_length must be 0, got ${schemaDefLen}`, file, p);
  }
  p += 4;
  const readList = (what: string): string[] => {
    need(p, 4, `${what} count`);
    const n = dv.getUint32(p, true);
    p += 4;
    need(p, n * symbolLen, what);
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++, p += symbolLen) out[i] = readCStr(u8, p, symbolLen);
    return out;
  };
  const symbols = readList("symbols");
  const partial = readList("partial");
  const notFound = readList("not_found");
  need(p, 4, "mappings count");
  const nMappings = dv.getUint32(p, true);
  p += 4;
  const mappings: SymbolMapping[] = [];
  for (let i = 0; i < nMappings; i++) {
    need(p, symbolLen + 4, "mapping");
    const raw = readCStr(u8, p, symbolLen);
    p += symbolLen;
    const nInt = dv.getUint32(p, true);
    p += 4;
    need(p, nInt * (8 + symbolLen), "mapping intervals");
    const intervals: MappingInterval[] = new Array(nInt);
    for (let j = 0; j < nInt; j++) {
      intervals[j] = {
        start_date: dateFromU32(dv.getUint32(p, true)),
        end_date: dateFromU32(dv.getUint32(p + 4, true)),
        symbol: readCStr(u8, p + 8, symbolLen),
      };
      p += 8 + symbolLen;
    }
    mappings.push({ raw_symbol: raw, intervals });
  }
  return {
    version,
    dataset,
    schema,
    start,
    end: endTs === UNDEF_TIMESTAMP ? null : endTs,
    limit,
    stype_in: stypeIn,
    stype_out: stypeOut,
    ts_out: tsOut,
    symbol_cstr_len: symbolLen,
    symbols,
    partial,
    not_found: notFound,
    mappings,
  };
}

function writeCStr(u8: Uint8Array, pos: number, len: number, s: string, what: string): void {
  if (s.length >= len) {
    throw new RangeError(`${what} '${s}' is too long: at most ${len - 1} characters`);
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) throw new RangeError(`${what} '${s}' is not ASCII`);
    u8[pos + i] = c;
  }
}

/**
 * Encodes metadata (prelude included) as DBN `version` (default 3), following the reference
 * encoder byte for byte: v1 writes `record_count = u64::MAX` and 22-byte symbols, v3 pads to 8.
 */
export function encodeMetadata(m: Metadata, version: number = DBN_VERSION): Uint8Array {
  if (version < 1 || version > DBN_VERSION) {
    throw new RangeError(`cannot write DBN version ${version}`);
  }
  const L = version === 1 ? V1_SYMBOL_CSTR_LEN : SYMBOL_CSTR_LEN;
  let len = METADATA_FIXED_LEN + 5 * 4 +
    (m.symbols.length + m.partial.length + m.not_found.length) * L;
  for (const mp of m.mappings) len += L + 4 + mp.intervals.length * (8 + L);
  if (version >= 3) len = Math.ceil(len / 8) * 8;
  const u8 = new Uint8Array(8 + len);
  const dv = new DataView(u8.buffer);
  u8.set([0x44, 0x42, 0x4e, version]);
  dv.setUint32(4, len, true);
  writeCStr(u8, 8, 16, m.dataset, "dataset");
  dv.setUint16(24, schemaValue(m.schema), true);
  dv.setBigUint64(26, m.start, true);
  dv.setBigUint64(34, m.end ?? UNDEF_TIMESTAMP, true);
  dv.setBigUint64(42, m.limit, true);
  let p = 50;
  if (version === 1) {
    dv.setBigUint64(50, UNDEF_TIMESTAMP, true);
    p = 58;
  }
  u8[p] = stypeValue(m.stype_in);
  u8[p + 1] = stypeValue(m.stype_out);
  u8[p + 2] = m.ts_out ? 1 : 0;
  if (version > 1) dv.setUint16(p + 3, L, true);
  p = 112; // schema_definition_length (108..112) stays 0
  const writeList = (list: string[], what: string) => {
    dv.setUint32(p, list.length, true);
    p += 4;
    for (const s of list) {
      writeCStr(u8, p, L, s, what);
      p += L;
    }
  };
  writeList(m.symbols, "symbol");
  writeList(m.partial, "partial symbol");
  writeList(m.not_found, "not_found symbol");
  dv.setUint32(p, m.mappings.length, true);
  p += 4;
  for (const mp of m.mappings) {
    writeCStr(u8, p, L, mp.raw_symbol, "mapping raw_symbol");
    p += L;
    dv.setUint32(p, mp.intervals.length, true);
    p += 4;
    for (const iv of mp.intervals) {
      dv.setUint32(p, dateToU32(iv.start_date, "start_date"), true);
      dv.setUint32(p + 4, dateToU32(iv.end_date, "end_date"), true);
      writeCStr(u8, p + 8, L, iv.symbol, "mapping symbol");
      p += 8 + L;
    }
  }
  return u8;
}

/**
 * The instrument id → symbol map in force on `date` (`YYYY-MM-DD`), from the metadata's mappings.
 * For `stype_out = instrument_id` the mapping's `raw_symbol` is the symbol and the interval symbol is
 * the id; otherwise the interval symbol is read as the id when numeric.
 */
export function symbolMap(metadata: Metadata, date: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const mp of metadata.mappings) {
    for (const iv of mp.intervals) {
      if (iv.start_date <= date && date < iv.end_date) {
        const id = Number(iv.symbol);
        if (Number.isInteger(id) && iv.symbol !== "") out.set(id, mp.raw_symbol);
      }
    }
  }
  return out;
}
