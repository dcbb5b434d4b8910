// Byte layouts of every DBN record type and version, as tables the generic object codec walks.
// Offsets are from the start of the record; the 16-byte header is handled separately.
// Source: shared/spec/dbn-format.md §3 (checked against the fixtures).

/** Scalar field kinds of the generic codec. */
export type FieldKind =
  | "u8"
  | "i8"
  | "u16"
  | "i16"
  | "u32"
  | "i32"
  | "u64"
  | "i64"
  | "char";

/** One field of a record body: name, kind (or fixed string length), offset. */
export type Field =
  | readonly [name: string, kind: FieldKind, offset: number]
  | readonly [name: string, kind: "str", offset: number, length: number]
  | readonly [name: string, kind: "levels" | "clevels", offset: number, count: number];

/** A record layout: total size in bytes (without ts_out) and its body fields. */
export interface Layout {
  readonly size: number;
  readonly fields: readonly Field[];
}

const TRADE_PREFIX: Field[] = [
  ["price", "i64", 16],
  ["size", "u32", 24],
  ["action", "char", 28],
  ["side", "char", 29],
  ["flags", "u8", 30],
  ["depth", "u8", 31],
  ["ts_recv", "u64", 32],
  ["ts_in_delta", "i32", 40],
  ["sequence", "u32", 44],
];

export const MBO: Layout = {
  size: 56,
  fields: [
    ["order_id", "u64", 16],
    ["price", "i64", 24],
    ["size", "u32", 32],
    ["flags", "u8", 36],
    ["channel_id", "u8", 37],
    ["action", "char", 38],
    ["side", "char", 39],
    ["ts_recv", "u64", 40],
    ["ts_in_delta", "i32", 48],
    ["sequence", "u32", 52],
  ],
};

export const TRADE: Layout = { size: 48, fields: TRADE_PREFIX };
export const MBP1: Layout = { size: 80, fields: [...TRADE_PREFIX, ["levels", "levels", 48, 1]] };
export const MBP10: Layout = { size: 368, fields: [...TRADE_PREFIX, ["levels", "levels", 48, 10]] };

export const BBO: Layout = {
  size: 80,
  fields: [
    ["price", "i64", 16],
    ["size", "u32", 24],
    ["side", "char", 29],
    ["flags", "u8", 30],
    ["ts_recv", "u64", 32],
    ["sequence", "u32", 44],
    ["levels", "levels", 48, 1],
  ],
};

export const CMBP1: Layout = {
  size: 80,
  fields: [
    ["price", "i64", 16],
    ["size", "u32", 24],
    ["action", "char", 28],
    ["side", "char", 29],
    ["flags", "u8", 30],
    ["ts_recv", "u64", 32],
    ["ts_in_delta", "i32", 40],
    ["levels", "clevels", 48, 1],
  ],
};

export const CBBO: Layout = {
  size: 80,
  fields: [
    ["price", "i64", 16],
    ["size", "u32", 24],
    ["side", "char", 29],
    ["flags", "u8", 30],
    ["ts_recv", "u64", 32],
    ["levels", "clevels", 48, 1],
  ],
};

export const OHLCV: Layout = {
  size: 56,
  fields: [
    ["open", "i64", 16],
    ["high", "i64", 24],
    ["low", "i64", 32],
    ["close", "i64", 40],
    ["volume", "u64", 48],
  ],
};

export const STATUS: Layout = {
  size: 40,
  fields: [
    ["ts_recv", "u64", 16],
    ["action", "u16", 24],
    ["reason", "u16", 26],
    ["trading_event", "u16", 28],
    ["is_trading", "char", 30],
    ["is_quoting", "char", 31],
    ["is_short_sell_restricted", "char", 32],
  ],
};

export const IMBALANCE: Layout = {
  size: 112,
  fields: [
    ["ts_recv", "u64", 16],
    ["ref_price", "i64", 24],
    ["auction_time", "u64", 32],
    ["cont_book_clr_price", "i64", 40],
    ["auct_interest_clr_price", "i64", 48],
    ["ssr_filling_price", "i64", 56],
    ["ind_match_price", "i64", 64],
    ["upper_collar", "i64", 72],
    ["lower_collar", "i64", 80],
    ["paired_qty", "u32", 88],
    ["total_imbalance_qty", "u32", 92],
    ["market_imbalance_qty", "u32", 96],
    ["unpaired_qty", "u32", 100],
    ["auction_type", "char", 104],
    ["side", "char", 105],
    ["auction_status", "u8", 106],
    ["freeze_status", "u8", 107],
    ["num_extensions", "u8", 108],
    ["unpaired_side", "char", 109],
    ["significant_imbalance", "char", 110],
  ],
};

export const STAT_V1: Layout = {
  size: 64,
  fields: [
    ["ts_recv", "u64", 16],
    ["ts_ref", "u64", 24],
    ["price", "i64", 32],
    ["quantity", "i32", 40],
    ["sequence", "u32", 44],
    ["ts_in_delta", "i32", 48],
    ["stat_type", "u16", 52],
    ["channel_id", "u16", 54],
    ["update_action", "u8", 56],
    ["stat_flags", "u8", 57],
  ],
};

export const STAT_V3: Layout = {
  size: 80,
  fields: [
    ["ts_recv", "u64", 16],
    ["ts_ref", "u64", 24],
    ["price", "i64", 32],
    ["quantity", "i64", 40],
    ["sequence", "u32", 48],
    ["ts_in_delta", "i32", 52],
    ["stat_type", "u16", 56],
    ["channel_id", "u16", 58],
    ["update_action", "u8", 60],
    ["stat_flags", "u8", 61],
  ],
};

export const SYMBOL_MAPPING_V1: Layout = {
  size: 80,
  fields: [
    ["stype_in_symbol", "str", 16, 22],
    ["stype_out_symbol", "str", 38, 22],
    ["start_ts", "u64", 64],
    ["end_ts", "u64", 72],
  ],
};

export const SYMBOL_MAPPING_V2: Layout = {
  size: 176,
  fields: [
    ["stype_in", "u8", 16],
    ["stype_in_symbol", "str", 17, 71],
    ["stype_out", "u8", 88],
    ["stype_out_symbol", "str", 89, 71],
    ["start_ts", "u64", 160],
    ["end_ts", "u64", 168],
  ],
};

export const SYSTEM_V1: Layout = { size: 80, fields: [["msg", "str", 16, 64]] };
export const SYSTEM_V2: Layout = {
  size: 320,
  fields: [["msg", "str", 16, 303], ["code", "u8", 319]],
};
export const ERROR_V1: Layout = { size: 80, fields: [["err", "str", 16, 64]] };
export const ERROR_V2: Layout = {
  size: 320,
  fields: [["err", "str", 16, 302], ["code", "u8", 318], ["is_last", "u8", 319]],
};

export const DEF_V1: Layout = {
  size: 360,
  fields: [
    ["ts_recv", "u64", 16],
    ["min_price_increment", "i64", 24],
    ["display_factor", "i64", 32],
    ["expiration", "u64", 40],
    ["activation", "u64", 48],
    ["high_limit_price", "i64", 56],
    ["low_limit_price", "i64", 64],
    ["max_price_variation", "i64", 72],
    ["trading_reference_price", "i64", 80],
    ["unit_of_measure_qty", "i64", 88],
    ["min_price_increment_amount", "i64", 96],
    ["price_ratio", "i64", 104],
    ["inst_attrib_value", "i32", 112],
    ["underlying_id", "u32", 116],
    ["raw_instrument_id", "u32", 120],
    ["market_depth_implied", "i32", 124],
    ["market_depth", "i32", 128],
    ["market_segment_id", "u32", 132],
    ["max_trade_vol", "u32", 136],
    ["min_lot_size", "i32", 140],
    ["min_lot_size_block", "i32", 144],
    ["min_lot_size_round_lot", "i32", 148],
    ["min_trade_vol", "u32", 152],
    ["contract_multiplier", "i32", 160],
    ["decay_quantity", "i32", 164],
    ["original_contract_size", "i32", 168],
    ["trading_reference_date", "u16", 176],
    ["appl_id", "i16", 178],
    ["maturity_year", "u16", 180],
    ["decay_start_date", "u16", 182],
    ["channel_id", "u16", 184],
    ["currency", "str", 186, 4],
    ["settl_currency", "str", 190, 4],
    ["secsubtype", "str", 194, 6],
    ["raw_symbol", "str", 200, 22],
    ["group", "str", 222, 21],
    ["exchange", "str", 243, 5],
    ["asset", "str", 248, 7],
    ["cfi", "str", 255, 7],
    ["security_type", "str", 262, 7],
    ["unit_of_measure", "str", 269, 31],
    ["underlying", "str", 300, 21],
    ["strike_price_currency", "str", 321, 4],
    ["instrument_class", "char", 325],
    ["strike_price", "i64", 328],
    ["match_algorithm", "char", 342],
    ["md_security_trading_status", "u8", 343],
    ["main_fraction", "u8", 344],
    ["price_display_format", "u8", 345],
    ["settl_price_type", "u8", 346],
    ["sub_fraction", "u8", 347],
    ["underlying_product", "u8", 348],
    ["security_update_action", "char", 349],
    ["maturity_month", "u8", 350],
    ["maturity_day", "u8", 351],
    ["maturity_week", "u8", 352],
    ["user_defined_instrument", "char", 353],
    ["contract_multiplier_unit", "i8", 354],
    ["flow_schedule_type", "i8", 355],
    ["tick_rule", "u8", 356],
  ],
};

export const DEF_V2: Layout = {
  size: 400,
  fields: [
    ["ts_recv", "u64", 16],
    ["min_price_increment", "i64", 24],
    ["display_factor", "i64", 32],
    ["expiration", "u64", 40],
    ["activation", "u64", 48],
    ["high_limit_price", "i64", 56],
    ["low_limit_price", "i64", 64],
    ["max_price_variation", "i64", 72],
    ["trading_reference_price", "i64", 80],
    ["unit_of_measure_qty", "i64", 88],
    ["min_price_increment_amount", "i64", 96],
    ["price_ratio", "i64", 104],
    ["strike_price", "i64", 112],
    ["inst_attrib_value", "i32", 120],
    ["underlying_id", "u32", 124],
    ["raw_instrument_id", "u32", 128],
    ["market_depth_implied", "i32", 132],
    ["market_depth", "i32", 136],
    ["market_segment_id", "u32", 140],
    ["max_trade_vol", "u32", 144],
    ["min_lot_size", "i32", 148],
    ["min_lot_size_block", "i32", 152],
    ["min_lot_size_round_lot", "i32", 156],
    ["min_trade_vol", "u32", 160],
    ["contract_multiplier", "i32", 164],
    ["decay_quantity", "i32", 168],
    ["original_contract_size", "i32", 172],
    ["trading_reference_date", "u16", 176],
    ["appl_id", "i16", 178],
    ["maturity_year", "u16", 180],
    ["decay_start_date", "u16", 182],
    ["channel_id", "u16", 184],
    ["currency", "str", 186, 4],
    ["settl_currency", "str", 190, 4],
    ["secsubtype", "str", 194, 6],
    ["raw_symbol", "str", 200, 71],
    ["group", "str", 271, 21],
    ["exchange", "str", 292, 5],
    ["asset", "str", 297, 7],
    ["cfi", "str", 304, 7],
    ["security_type", "str", 311, 7],
    ["unit_of_measure", "str", 318, 31],
    ["underlying", "str", 349, 21],
    ["strike_price_currency", "str", 370, 4],
    ["instrument_class", "char", 374],
    ["match_algorithm", "char", 375],
    ["md_security_trading_status", "u8", 376],
    ["main_fraction", "u8", 377],
    ["price_display_format", "u8", 378],
    ["settl_price_type", "u8", 379],
    ["sub_fraction", "u8", 380],
    ["underlying_product", "u8", 381],
    ["security_update_action", "char", 382],
    ["maturity_month", "u8", 383],
    ["maturity_day", "u8", 384],
    ["maturity_week", "u8", 385],
    ["user_defined_instrument", "char", 386],
    ["contract_multiplier_unit", "i8", 387],
    ["flow_schedule_type", "i8", 388],
    ["tick_rule", "u8", 389],
  ],
};

export const DEF_V3: Layout = {
  size: 520,
  fields: [
    ["ts_recv", "u64", 16],
    ["min_price_increment", "i64", 24],
    ["display_factor", "i64", 32],
    ["expiration", "u64", 40],
    ["activation", "u64", 48],
    ["high_limit_price", "i64", 56],
    ["low_limit_price", "i64", 64],
    ["max_price_variation", "i64", 72],
    ["unit_of_measure_qty", "i64", 80],
    ["min_price_increment_amount", "i64", 88],
    ["price_ratio", "i64", 96],
    ["strike_price", "i64", 104],
    ["raw_instrument_id", "u64", 112],
    ["leg_price", "i64", 120],
    ["leg_delta", "i64", 128],
    ["inst_attrib_value", "i32", 136],
    ["underlying_id", "u32", 140],
    ["market_depth_implied", "i32", 144],
    ["market_depth", "i32", 148],
    ["market_segment_id", "u32", 152],
    ["max_trade_vol", "u32", 156],
    ["min_lot_size", "i32", 160],
    ["min_lot_size_block", "i32", 164],
    ["min_lot_size_round_lot", "i32", 168],
    ["min_trade_vol", "u32", 172],
    ["contract_multiplier", "i32", 176],
    ["decay_quantity", "i32", 180],
    ["original_contract_size", "i32", 184],
    ["leg_instrument_id", "u32", 188],
    ["leg_ratio_price_numerator", "i32", 192],
    ["leg_ratio_price_denominator", "i32", 196],
    ["leg_ratio_qty_numerator", "i32", 200],
    ["leg_ratio_qty_denominator", "i32", 204],
    ["leg_underlying_id", "u32", 208],
    ["appl_id", "i16", 212],
    ["maturity_year", "u16", 214],
    ["decay_start_date", "u16", 216],
    ["channel_id", "u16", 218],
    ["leg_count", "u16", 220],
    ["leg_index", "u16", 222],
    ["currency", "str", 224, 4],
    ["settl_currency", "str", 228, 4],
    ["secsubtype", "str", 232, 6],
    ["raw_symbol", "str", 238, 71],
    ["group", "str", 309, 21],
    ["exchange", "str", 330, 5],
    ["asset", "str", 335, 11],
    ["cfi", "str", 346, 7],
    ["security_type", "str", 353, 7],
    ["unit_of_measure", "str", 360, 31],
    ["underlying", "str", 391, 21],
    ["strike_price_currency", "str", 412, 4],
    ["leg_raw_symbol", "str", 416, 71],
    ["instrument_class", "char", 487],
    ["match_algorithm", "char", 488],
    ["main_fraction", "u8", 489],
    ["price_display_format", "u8", 490],
    ["sub_fraction", "u8", 491],
    ["underlying_product", "u8", 492],
    ["security_update_action", "char", 493],
    ["maturity_month", "u8", 494],
    ["maturity_day", "u8", 495],
    ["maturity_week", "u8", 496],
    ["user_defined_instrument", "char", 497],
    ["contract_multiplier_unit", "i8", 498],
    ["flow_schedule_type", "i8", 499],
    ["tick_rule", "u8", 500],
    ["leg_instrument_class", "char", 501],
    ["leg_side", "char", 502],
  ],
};

/**
 * Layout of an rtype in a given DBN version (1..3), or `undefined` for an unknown rtype.
 * Market-data layouts are the same in every version.
 */
export function layoutFor(rtype: number, version: number): Layout | undefined {
  switch (rtype) {
    case 0x00:
      return TRADE;
    case 0x01:
      return MBP1;
    case 0x0a:
      return MBP10;
    case 0x11:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
      return OHLCV;
    case 0x12:
      return STATUS;
    case 0x13:
      return version === 1 ? DEF_V1 : version === 2 ? DEF_V2 : DEF_V3;
    case 0x14:
      return IMBALANCE;
    case 0x15:
      return version === 1 ? ERROR_V1 : ERROR_V2;
    case 0x16:
      return version === 1 ? SYMBOL_MAPPING_V1 : SYMBOL_MAPPING_V2;
    case 0x17:
      return version === 1 ? SYSTEM_V1 : SYSTEM_V2;
    case 0x18:
      return version === 3 ? STAT_V3 : STAT_V1;
    case 0xa0:
      return MBO;
    case 0xb1:
    case 0xc2:
      return CMBP1;
    case 0xc0:
    case 0xc1:
      return CBBO;
    case 0xc3:
    case 0xc4:
      return BBO;
  }
  return undefined;
}

/** The record version implied by a versioned record's size (fragments without metadata; spec §5.3). */
export function detectVersion(rtype: number, size: number): 1 | 2 | 3 {
  switch (rtype) {
    case 0x13:
      return size < 400 ? 1 : size < 520 ? 2 : 3;
    case 0x16:
    case 0x15:
    case 0x17:
      return size < 176 && rtype === 0x16 ? 1 : size < 320 && rtype !== 0x16 ? 1 : 3;
    case 0x18:
      return size < 80 ? 2 : 3;
  }
  return 3;
}
