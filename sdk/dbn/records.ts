/**
 * Plain-object record types (the view for everything that is not on a hot path).
 *
 * Field names are Databento's. 64-bit integers are `bigint` (never rounded), 8- to 32-bit integers
 * are `number`, single characters are one-character strings and fixed-length strings are cut at
 * their first NUL. The 16-byte record header is flattened into every record.
 *
 * @module
 */

/** Fields every record carries (the flattened record header). */
export interface RecordHeader {
  /** Record type. */
  rtype: number;
  /** Record length in 4-byte words, as encoded (after upgrading, the upgraded length). */
  length: number;
  /** Databento publisher (dataset + venue). */
  publisher_id: number;
  /** Numeric instrument id. */
  instrument_id: number;
  /** Event time, ns since the UNIX epoch. */
  ts_event: bigint;
  /** Gateway send time; present only when the metadata says `ts_out`. */
  ts_out?: bigint;
}

/** Market-by-order event (rtype 0xA0). */
export interface MboMsg extends RecordHeader {
  order_id: bigint;
  price: bigint;
  size: number;
  flags: number;
  channel_id: number;
  action: string;
  side: string;
  ts_recv: bigint;
  ts_in_delta: number;
  sequence: number;
}

/** Trade (rtype 0x00). */
export interface TradeMsg extends RecordHeader {
  price: bigint;
  size: number;
  action: string;
  side: string;
  flags: number;
  depth: number;
  ts_recv: bigint;
  ts_in_delta: number;
  sequence: number;
}

/** One book level with order counts (MBP-1, MBP-10, BBO). */
export interface BidAskPair {
  bid_px: bigint;
  ask_px: bigint;
  bid_sz: number;
  ask_sz: number;
  bid_ct: number;
  ask_ct: number;
}

/** One consolidated book level with the publishers of the best bid and ask (CMBP-1, CBBO, TCBBO). */
export interface ConsolidatedBidAskPair {
  bid_px: bigint;
  ask_px: bigint;
  bid_sz: number;
  ask_sz: number;
  bid_pb: number;
  ask_pb: number;
}

/** Top-of-book update with the trade or book event (rtype 0x01: MBP-1 and TBBO). */
export interface Mbp1Msg extends TradeMsg {
  levels: BidAskPair[];
}

/** Ten-level book update (rtype 0x0A). */
export type Mbp10Msg = Mbp1Msg;

/** Subsampled top of book (rtypes 0xC3, 0xC4). */
export interface BboMsg extends RecordHeader {
  price: bigint;
  size: number;
  side: string;
  flags: number;
  ts_recv: bigint;
  sequence: number;
  levels: BidAskPair[];
}

/** Consolidated top of book (rtypes 0xB1 CMBP-1 and 0xC2 TCBBO). */
export interface Cmbp1Msg extends RecordHeader {
  price: bigint;
  size: number;
  action: string;
  side: string;
  flags: number;
  ts_recv: bigint;
  ts_in_delta: number;
  levels: ConsolidatedBidAskPair[];
}

/** Subsampled consolidated top of book (rtypes 0xC0, 0xC1). */
export interface CbboMsg extends RecordHeader {
  price: bigint;
  size: number;
  side: string;
  flags: number;
  ts_recv: bigint;
  levels: ConsolidatedBidAskPair[];
}

/** OHLCV bar (rtypes 0x20..0x24 and the deprecated 0x11). */
export interface OhlcvMsg extends RecordHeader {
  open: bigint;
  high: bigint;
  low: bigint;
  close: bigint;
  volume: bigint;
}

/** Trading status (rtype 0x12). */
export interface StatusMsg extends RecordHeader {
  ts_recv: bigint;
  action: number;
  reason: number;
  trading_event: number;
  is_trading: string;
  is_quoting: string;
  is_short_sell_restricted: string;
}

/** Auction imbalance (rtype 0x14). */
export interface ImbalanceMsg extends RecordHeader {
  ts_recv: bigint;
  ref_price: bigint;
  auction_time: bigint;
  cont_book_clr_price: bigint;
  auct_interest_clr_price: bigint;
  ssr_filling_price: bigint;
  ind_match_price: bigint;
  upper_collar: bigint;
  lower_collar: bigint;
  paired_qty: number;
  total_imbalance_qty: number;
  market_imbalance_qty: number;
  unpaired_qty: number;
  auction_type: string;
  side: string;
  auction_status: number;
  freeze_status: number;
  num_extensions: number;
  unpaired_side: string;
  significant_imbalance: string;
}

/** Statistic (rtype 0x18), v3 field set: `quantity` is a 64-bit integer. */
export interface StatMsg extends RecordHeader {
  ts_recv: bigint;
  ts_ref: bigint;
  price: bigint;
  quantity: bigint;
  sequence: number;
  ts_in_delta: number;
  stat_type: number;
  channel_id: number;
  update_action: number;
  stat_flags: number;
}

/** Instrument definition (rtype 0x13), v3 field set. */
export interface InstrumentDefMsg extends RecordHeader {
  ts_recv: bigint;
  min_price_increment: bigint;
  display_factor: bigint;
  expiration: bigint;
  activation: bigint;
  high_limit_price: bigint;
  low_limit_price: bigint;
  max_price_variation: bigint;
  unit_of_measure_qty: bigint;
  min_price_increment_amount: bigint;
  price_ratio: bigint;
  strike_price: bigint;
  raw_instrument_id: bigint;
  leg_price: bigint;
  leg_delta: bigint;
  inst_attrib_value: number;
  underlying_id: number;
  market_depth_implied: number;
  market_depth: number;
  market_segment_id: number;
  max_trade_vol: number;
  min_lot_size: number;
  min_lot_size_block: number;
  min_lot_size_round_lot: number;
  min_trade_vol: number;
  contract_multiplier: number;
  decay_quantity: number;
  original_contract_size: number;
  leg_instrument_id: number;
  leg_ratio_price_numerator: number;
  leg_ratio_price_denominator: number;
  leg_ratio_qty_numerator: number;
  leg_ratio_qty_denominator: number;
  leg_underlying_id: number;
  appl_id: number;
  maturity_year: number;
  decay_start_date: number;
  channel_id: number;
  leg_count: number;
  leg_index: number;
  currency: string;
  settl_currency: string;
  secsubtype: string;
  raw_symbol: string;
  group: string;
  exchange: string;
  asset: string;
  cfi: string;
  security_type: string;
  unit_of_measure: string;
  underlying: string;
  strike_price_currency: string;
  leg_raw_symbol: string;
  instrument_class: string;
  match_algorithm: string;
  main_fraction: number;
  price_display_format: number;
  sub_fraction: number;
  underlying_product: number;
  security_update_action: string;
  maturity_month: number;
  maturity_day: number;
  maturity_week: number;
  user_defined_instrument: string;
  contract_multiplier_unit: number;
  flow_schedule_type: number;
  tick_rule: number;
  leg_instrument_class: string;
  leg_side: string;
}

/** Symbol mapping from the live gateway (rtype 0x16), v2/v3 field set. */
export interface SymbolMappingMsg extends RecordHeader {
  stype_in: number;
  stype_in_symbol: string;
  stype_out: number;
  stype_out_symbol: string;
  start_ts: bigint;
  end_ts: bigint;
}

/** System message from the live gateway (rtype 0x17), v2/v3 field set. */
export interface SystemMsg extends RecordHeader {
  msg: string;
  code: number;
}

/** Error message from the live gateway (rtype 0x15), v2/v3 field set. */
export interface ErrorMsg extends RecordHeader {
  err: string;
  code: number;
  is_last: number;
}

/** Any decoded record (v3 field sets). */
export type DbnRecord =
  | MboMsg
  | TradeMsg
  | Mbp1Msg
  | BboMsg
  | Cmbp1Msg
  | CbboMsg
  | OhlcvMsg
  | StatusMsg
  | ImbalanceMsg
  | StatMsg
  | InstrumentDefMsg
  | SymbolMappingMsg
  | SystemMsg
  | ErrorMsg;

/**
 * An instrument definition with Databento's default for every field (null sentinels, empty strings),
 * to be filled in by the caller. `rtype`, `length` and `ts_event` are set for a v3 record.
 */
export function instrumentDefDefaults(): InstrumentDefMsg {
  const I64 = 9223372036854775807n;
  const U64 = 18446744073709551615n;
  const I32 = 2147483647;
  const U32 = 4294967295;
  return {
    rtype: 0x13,
    length: 130,
    publisher_id: 0,
    instrument_id: 0,
    ts_event: U64,
    ts_recv: U64,
    min_price_increment: I64,
    display_factor: I64,
    expiration: U64,
    activation: U64,
    high_limit_price: I64,
    low_limit_price: I64,
    max_price_variation: I64,
    unit_of_measure_qty: I64,
    min_price_increment_amount: I64,
    price_ratio: I64,
    strike_price: I64,
    raw_instrument_id: 0n,
    leg_price: I64,
    leg_delta: I64,
    inst_attrib_value: I32,
    underlying_id: 0,
    market_depth_implied: I32,
    market_depth: I32,
    market_segment_id: U32,
    max_trade_vol: U32,
    min_lot_size: I32,
    min_lot_size_block: I32,
    min_lot_size_round_lot: I32,
    min_trade_vol: U32,
    contract_multiplier: I32,
    decay_quantity: I32,
    original_contract_size: I32,
    leg_instrument_id: 0,
    leg_ratio_price_numerator: 0,
    leg_ratio_price_denominator: 0,
    leg_ratio_qty_numerator: 0,
    leg_ratio_qty_denominator: 0,
    leg_underlying_id: 0,
    appl_id: 32767,
    maturity_year: 65535,
    decay_start_date: 65535,
    channel_id: 65535,
    leg_count: 0,
    leg_index: 0,
    currency: "",
    settl_currency: "",
    secsubtype: "",
    raw_symbol: "",
    group: "",
    exchange: "",
    asset: "",
    cfi: "",
    security_type: "",
    unit_of_measure: "",
    underlying: "",
    strike_price_currency: "",
    leg_raw_symbol: "",
    instrument_class: "\0",
    match_algorithm: " ",
    main_fraction: 255,
    price_display_format: 255,
    sub_fraction: 255,
    underlying_product: 255,
    security_update_action: "A",
    maturity_month: 255,
    maturity_day: 255,
    maturity_week: 255,
    user_defined_instrument: "N",
    contract_multiplier_unit: 127,
    flow_schedule_type: 127,
    tick_rule: 255,
    leg_instrument_class: "\0",
    leg_side: "N",
  };
}
