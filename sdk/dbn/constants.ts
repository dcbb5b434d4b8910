/**
 * Constants of the Databento Binary Encoding: record types, schemas, symbology types, flags,
 * actions, sides and the null sentinels.
 *
 * @module
 */

/** Highest DBN version this codec reads and the version it writes. */
export const DBN_VERSION = 3;

/** Fixed-point price scale: 1 unit = 1e-9. */
export const FIXED_PRICE_SCALE = 1_000_000_000;

/** Null price sentinel (`i64::MAX`). */
export const UNDEF_PRICE = 9223372036854775807n;
/** Null timestamp sentinel (`u64::MAX`). */
export const UNDEF_TIMESTAMP = 18446744073709551615n;
/** Null order size sentinel (`u32::MAX`). */
export const UNDEF_ORDER_SIZE = 4294967295;
/** Null statistics quantity in DBN v3 (`i64::MAX`). */
export const UNDEF_STAT_QUANTITY = 9223372036854775807n;
/** Null statistics quantity in DBN v1 and v2 (`i32::MAX`). */
export const UNDEF_STAT_QUANTITY_V1 = 2147483647;

/** Record type (`rtype`) values. */
export const RType = {
  MBP_0: 0x00,
  MBP_1: 0x01,
  MBP_10: 0x0a,
  OHLCV_DEPRECATED: 0x11,
  STATUS: 0x12,
  INSTRUMENT_DEF: 0x13,
  IMBALANCE: 0x14,
  ERROR: 0x15,
  SYMBOL_MAPPING: 0x16,
  SYSTEM: 0x17,
  STATISTICS: 0x18,
  OHLCV_1S: 0x20,
  OHLCV_1M: 0x21,
  OHLCV_1H: 0x22,
  OHLCV_1D: 0x23,
  OHLCV_EOD: 0x24,
  MBO: 0xa0,
  CMBP_1: 0xb1,
  CBBO_1S: 0xc0,
  CBBO_1M: 0xc1,
  TCBBO: 0xc2,
  BBO_1S: 0xc3,
  BBO_1M: 0xc4,
} as const;

/** Schema names indexed by their numeric value in the metadata. */
export const SCHEMAS = [
  "mbo",
  "mbp-1",
  "mbp-10",
  "tbbo",
  "trades",
  "ohlcv-1s",
  "ohlcv-1m",
  "ohlcv-1h",
  "ohlcv-1d",
  "definition",
  "statistics",
  "status",
  "imbalance",
  "ohlcv-eod",
  "cmbp-1",
  "cbbo-1s",
  "cbbo-1m",
  "tcbbo",
  "bbo-1s",
  "bbo-1m",
] as const;

/** A Databento schema name. */
export type Schema = typeof SCHEMAS[number];

/** Symbology type names indexed by their numeric value. */
export const STYPES = [
  "instrument_id",
  "raw_symbol",
  "smart",
  "continuous",
  "parent",
  "nasdaq_symbol",
  "cms_symbol",
  "isin",
  "us_code",
  "bbg_comp_id",
  "bbg_comp_ticker",
  "figi",
  "figi_ticker",
] as const;

/** A Databento symbology type name. */
export type SType = typeof STYPES[number];

/** Record flag bits. */
export const Flags = {
  /** Last record of the venue event for this instrument. */
  LAST: 128,
  /** Top-of-book record, not an individual order. */
  TOB: 64,
  /** Produced from a replay or snapshot. */
  SNAPSHOT: 32,
  /** Aggregated price-level record. */
  MBP: 16,
  /** `ts_recv` is unreliable. */
  BAD_TS_RECV: 8,
  /** An unrecoverable gap was detected on the channel. */
  MAYBE_BAD_BOOK: 4,
  /** Publisher-specific meaning. */
  PUBLISHER_SPECIFIC: 2,
} as const;

/** Action characters as ASCII codes, as stored in the columnar views. */
export const Action = {
  ADD: 0x41, // 'A'
  CANCEL: 0x43, // 'C'
  MODIFY: 0x4d, // 'M'
  CLEAR: 0x52, // 'R'
  TRADE: 0x54, // 'T'
  FILL: 0x46, // 'F'
  NONE: 0x4e, // 'N'
} as const;

/** Side characters as ASCII codes, as stored in the columnar views. */
export const Side = {
  ASK: 0x41, // 'A'
  BID: 0x42, // 'B'
  NONE: 0x4e, // 'N'
} as const;

/** Returns the schema name for a metadata schema value, or `null` for mixed (0xFFFF). */
export function schemaName(value: number): Schema | null {
  if (value === 0xffff) return null;
  return SCHEMAS[value] ?? null;
}

/** Returns the numeric metadata value of a schema name (`null` → 0xFFFF). */
export function schemaValue(name: Schema | null): number {
  if (name === null) return 0xffff;
  const i = SCHEMAS.indexOf(name);
  if (i < 0) throw new RangeError(`unknown schema '${name}'`);
  return i;
}

/** Returns the symbology type name for its numeric value, or `null` for 0xFF (none). */
export function stypeName(value: number): SType | null {
  if (value === 0xff) return null;
  return STYPES[value] ?? null;
}

/** Returns the numeric value of a symbology type name (`null` → 0xFF). */
export function stypeValue(name: SType | null): number {
  if (name === null) return 0xff;
  const i = STYPES.indexOf(name);
  if (i < 0) throw new RangeError(`unknown stype '${name}'`);
  return i;
}
