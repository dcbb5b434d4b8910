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
  /** Venue order id (u64; may exceed 2^53). */
  order_id: bigint;
  /** Price, fixed point (1 unit = 1e-9); `UNDEF_PRICE` when null. */
  price: bigint;
  /** Quantity. */
  size: number;
  /** Flag bits (see `Flags`). */
  flags: number;
  /** Databento channel id. */
  channel_id: number;
  /** Action: A add, C cancel, M modify, R clear, T trade, F fill, N none. */
  action: string;
  /** Side: A ask, B bid, N none. */
  side: string;
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: bigint;
  /** Venue send time minus `ts_recv`, ns. */
  ts_in_delta: number;
  /** Venue message sequence number. */
  sequence: number;
}

/** Trade (rtype 0x00). */
export interface TradeMsg extends RecordHeader {
  /** Price, fixed point (1 unit = 1e-9); `UNDEF_PRICE` when null. */
  price: bigint;
  /** Quantity. */
  size: number;
  /** Action: A add, C cancel, M modify, R clear, T trade, F fill, N none. */
  action: string;
  /** Side: A ask, B bid, N none. */
  side: string;
  /** Flag bits (see `Flags`). */
  flags: number;
  /** Book level of the update (0 = top). */
  depth: number;
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: bigint;
  /** Venue send time minus `ts_recv`, ns. */
  ts_in_delta: number;
  /** Venue message sequence number. */
  sequence: number;
}

/** One book level with order counts (MBP-1, MBP-10, BBO). */
export interface BidAskPair {
  /** Bid price, fixed point. */
  bid_px: bigint;
  /** Ask price, fixed point. */
  ask_px: bigint;
  /** Bid size. */
  bid_sz: number;
  /** Ask size. */
  ask_sz: number;
  /** Bid order count. */
  bid_ct: number;
  /** Ask order count. */
  ask_ct: number;
}

/** One consolidated book level with the publishers of the best bid and ask (CMBP-1, CBBO, TCBBO). */
export interface ConsolidatedBidAskPair {
  /** Bid price, fixed point. */
  bid_px: bigint;
  /** Ask price, fixed point. */
  ask_px: bigint;
  /** Bid size. */
  bid_sz: number;
  /** Ask size. */
  ask_sz: number;
  /** Publisher of the best bid. */
  bid_pb: number;
  /** Publisher of the best ask. */
  ask_pb: number;
}

/** Top-of-book update with the trade or book event (rtype 0x01: MBP-1 and TBBO). */
export interface Mbp1Msg extends TradeMsg {
  /** Book levels (one for top-of-book schemas, ten for MBP-10). */
  levels: BidAskPair[];
}

/** Ten-level book update (rtype 0x0A). */
export type Mbp10Msg = Mbp1Msg;

/** Subsampled top of book (rtypes 0xC3, 0xC4). */
export interface BboMsg extends RecordHeader {
  /** Price, fixed point (1 unit = 1e-9); `UNDEF_PRICE` when null. */
  price: bigint;
  /** Quantity. */
  size: number;
  /** Side: A ask, B bid, N none. */
  side: string;
  /** Flag bits (see `Flags`). */
  flags: number;
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: bigint;
  /** Venue message sequence number. */
  sequence: number;
  /** Book levels (one for top-of-book schemas, ten for MBP-10). */
  levels: BidAskPair[];
}

/** Consolidated top of book (rtypes 0xB1 CMBP-1 and 0xC2 TCBBO). */
export interface Cmbp1Msg extends RecordHeader {
  /** Price, fixed point (1 unit = 1e-9); `UNDEF_PRICE` when null. */
  price: bigint;
  /** Quantity. */
  size: number;
  /** Action: A add, C cancel, M modify, R clear, T trade, F fill, N none. */
  action: string;
  /** Side: A ask, B bid, N none. */
  side: string;
  /** Flag bits (see `Flags`). */
  flags: number;
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: bigint;
  /** Venue send time minus `ts_recv`, ns. */
  ts_in_delta: number;
  /** Book levels (one for top-of-book schemas, ten for MBP-10). */
  levels: ConsolidatedBidAskPair[];
}

/** Subsampled consolidated top of book (rtypes 0xC0, 0xC1). */
export interface CbboMsg extends RecordHeader {
  /** Price, fixed point (1 unit = 1e-9); `UNDEF_PRICE` when null. */
  price: bigint;
  /** Quantity. */
  size: number;
  /** Side: A ask, B bid, N none. */
  side: string;
  /** Flag bits (see `Flags`). */
  flags: number;
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: bigint;
  /** Book levels (one for top-of-book schemas, ten for MBP-10). */
  levels: ConsolidatedBidAskPair[];
}

/** OHLCV bar (rtypes 0x20..0x24 and the deprecated 0x11). */
export interface OhlcvMsg extends RecordHeader {
  /** Open price, fixed point. */
  open: bigint;
  /** High price, fixed point. */
  high: bigint;
  /** Low price, fixed point. */
  low: bigint;
  /** Close price, fixed point. */
  close: bigint;
  /** Traded volume. */
  volume: bigint;
}

/** Trading status (rtype 0x12). */
export interface StatusMsg extends RecordHeader {
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: bigint;
  /** Action: A add, C cancel, M modify, R clear, T trade, F fill, N none. */
  action: number;
  /** Status reason code. */
  reason: number;
  /** Trading event code. */
  trading_event: number;
  /** Y/N/~ trading state. */
  is_trading: string;
  /** Y/N/~ quoting state. */
  is_quoting: string;
  /** Y/N/~ short-sell restriction. */
  is_short_sell_restricted: string;
}

/** Auction imbalance (rtype 0x14). */
export interface ImbalanceMsg extends RecordHeader {
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: bigint;
  /** Imbalance field `ref_price` (Databento's name). */
  ref_price: bigint;
  /** Imbalance field `auction_time` (Databento's name). */
  auction_time: bigint;
  /** Imbalance field `cont_book_clr_price` (Databento's name). */
  cont_book_clr_price: bigint;
  /** Imbalance field `auct_interest_clr_price` (Databento's name). */
  auct_interest_clr_price: bigint;
  /** Imbalance field `ssr_filling_price` (Databento's name). */
  ssr_filling_price: bigint;
  /** Imbalance field `ind_match_price` (Databento's name). */
  ind_match_price: bigint;
  /** Imbalance field `upper_collar` (Databento's name). */
  upper_collar: bigint;
  /** Imbalance field `lower_collar` (Databento's name). */
  lower_collar: bigint;
  /** Imbalance field `paired_qty` (Databento's name). */
  paired_qty: number;
  /** Imbalance field `total_imbalance_qty` (Databento's name). */
  total_imbalance_qty: number;
  /** Imbalance field `market_imbalance_qty` (Databento's name). */
  market_imbalance_qty: number;
  /** Imbalance field `unpaired_qty` (Databento's name). */
  unpaired_qty: number;
  /** Imbalance field `auction_type` (Databento's name). */
  auction_type: string;
  /** Side: A ask, B bid, N none. */
  side: string;
  /** Imbalance field `auction_status` (Databento's name). */
  auction_status: number;
  /** Imbalance field `freeze_status` (Databento's name). */
  freeze_status: number;
  /** Imbalance field `num_extensions` (Databento's name). */
  num_extensions: number;
  /** Imbalance field `unpaired_side` (Databento's name). */
  unpaired_side: string;
  /** Imbalance field `significant_imbalance` (Databento's name). */
  significant_imbalance: string;
}

/** Statistic (rtype 0x18), v3 field set: `quantity` is a 64-bit integer. */
export interface StatMsg extends RecordHeader {
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: bigint;
  /** Reference time of the statistic; `UNDEF_TIMESTAMP` when unused. */
  ts_ref: bigint;
  /** Price, fixed point (1 unit = 1e-9); `UNDEF_PRICE` when null. */
  price: bigint;
  /** Non-price value of the statistic; `UNDEF_STAT_QUANTITY` when unused. */
  quantity: bigint;
  /** Venue message sequence number. */
  sequence: number;
  /** Venue send time minus `ts_recv`, ns. */
  ts_in_delta: number;
  /** Statistic type (raw value, kept when unknown). */
  stat_type: number;
  /** Databento channel id. */
  channel_id: number;
  /** 1 new, 2 delete. */
  update_action: number;
  /** Venue-specific statistic flags. */
  stat_flags: number;
}

/** Instrument definition (rtype 0x13), v3 field set. */
export interface InstrumentDefMsg extends RecordHeader {
  /** Capture-server receive time, ns since the UNIX epoch. */
  ts_recv: bigint;
  /** Tick size, fixed point. */
  min_price_increment: bigint;
  /** Display price multiplier, fixed point. */
  display_factor: bigint;
  /** Last eligible trade time, ns; `UNDEF_TIMESTAMP` if none. */
  expiration: bigint;
  /** Activation time, ns. */
  activation: bigint;
  /** Definition field `high_limit_price` (Databento's name). */
  high_limit_price: bigint;
  /** Definition field `low_limit_price` (Databento's name). */
  low_limit_price: bigint;
  /** Definition field `max_price_variation` (Databento's name). */
  max_price_variation: bigint;
  /** Definition field `unit_of_measure_qty` (Databento's name). */
  unit_of_measure_qty: bigint;
  /** Definition field `min_price_increment_amount` (Databento's name). */
  min_price_increment_amount: bigint;
  /** Definition field `price_ratio` (Databento's name). */
  price_ratio: bigint;
  /** Option strike, fixed point; `UNDEF_PRICE` if not an option. */
  strike_price: bigint;
  /** Definition field `raw_instrument_id` (Databento's name). */
  raw_instrument_id: bigint;
  /** Definition field `leg_price` (Databento's name). */
  leg_price: bigint;
  /** Definition field `leg_delta` (Databento's name). */
  leg_delta: bigint;
  /** Definition field `inst_attrib_value` (Databento's name). */
  inst_attrib_value: number;
  /** Instrument id of the first underlying. */
  underlying_id: number;
  /** Definition field `market_depth_implied` (Databento's name). */
  market_depth_implied: number;
  /** Definition field `market_depth` (Databento's name). */
  market_depth: number;
  /** Definition field `market_segment_id` (Databento's name). */
  market_segment_id: number;
  /** Definition field `max_trade_vol` (Databento's name). */
  max_trade_vol: number;
  /** Definition field `min_lot_size` (Databento's name). */
  min_lot_size: number;
  /** Definition field `min_lot_size_block` (Databento's name). */
  min_lot_size_block: number;
  /** Definition field `min_lot_size_round_lot` (Databento's name). */
  min_lot_size_round_lot: number;
  /** Definition field `min_trade_vol` (Databento's name). */
  min_trade_vol: number;
  /** Definition field `contract_multiplier` (Databento's name). */
  contract_multiplier: number;
  /** Definition field `decay_quantity` (Databento's name). */
  decay_quantity: number;
  /** Definition field `original_contract_size` (Databento's name). */
  original_contract_size: number;
  /** Definition field `leg_instrument_id` (Databento's name). */
  leg_instrument_id: number;
  /** Definition field `leg_ratio_price_numerator` (Databento's name). */
  leg_ratio_price_numerator: number;
  /** Definition field `leg_ratio_price_denominator` (Databento's name). */
  leg_ratio_price_denominator: number;
  /** Definition field `leg_ratio_qty_numerator` (Databento's name). */
  leg_ratio_qty_numerator: number;
  /** Definition field `leg_ratio_qty_denominator` (Databento's name). */
  leg_ratio_qty_denominator: number;
  /** Definition field `leg_underlying_id` (Databento's name). */
  leg_underlying_id: number;
  /** Definition field `appl_id` (Databento's name). */
  appl_id: number;
  /** Definition field `maturity_year` (Databento's name). */
  maturity_year: number;
  /** Definition field `decay_start_date` (Databento's name). */
  decay_start_date: number;
  /** Databento channel id. */
  channel_id: number;
  /** Definition field `leg_count` (Databento's name). */
  leg_count: number;
  /** Definition field `leg_index` (Databento's name). */
  leg_index: number;
  /** Currency of prices. */
  currency: string;
  /** Definition field `settl_currency` (Databento's name). */
  settl_currency: string;
  /** Definition field `secsubtype` (Databento's name). */
  secsubtype: string;
  /** Venue symbol. */
  raw_symbol: string;
  /** Definition field `group` (Databento's name). */
  group: string;
  /** Exchange (MIC). */
  exchange: string;
  /** Product code, e.g. ES. */
  asset: string;
  /** Definition field `cfi` (Databento's name). */
  cfi: string;
  /** Security type, e.g. FUT, OOF, OPT. */
  security_type: string;
  /** Definition field `unit_of_measure` (Databento's name). */
  unit_of_measure: string;
  /** Symbol of the first underlying. */
  underlying: string;
  /** Definition field `strike_price_currency` (Databento's name). */
  strike_price_currency: string;
  /** Definition field `leg_raw_symbol` (Databento's name). */
  leg_raw_symbol: string;
  /** C call, P put, F future, K stock, ... */
  instrument_class: string;
  /** Definition field `match_algorithm` (Databento's name). */
  match_algorithm: string;
  /** Definition field `main_fraction` (Databento's name). */
  main_fraction: number;
  /** Definition field `price_display_format` (Databento's name). */
  price_display_format: number;
  /** Definition field `sub_fraction` (Databento's name). */
  sub_fraction: number;
  /** Definition field `underlying_product` (Databento's name). */
  underlying_product: number;
  /** Definition field `security_update_action` (Databento's name). */
  security_update_action: string;
  /** Definition field `maturity_month` (Databento's name). */
  maturity_month: number;
  /** Definition field `maturity_day` (Databento's name). */
  maturity_day: number;
  /** Definition field `maturity_week` (Databento's name). */
  maturity_week: number;
  /** Definition field `user_defined_instrument` (Databento's name). */
  user_defined_instrument: string;
  /** Definition field `contract_multiplier_unit` (Databento's name). */
  contract_multiplier_unit: number;
  /** Definition field `flow_schedule_type` (Databento's name). */
  flow_schedule_type: number;
  /** Definition field `tick_rule` (Databento's name). */
  tick_rule: number;
  /** Definition field `leg_instrument_class` (Databento's name). */
  leg_instrument_class: string;
  /** Definition field `leg_side` (Databento's name). */
  leg_side: string;
}

/** Symbol mapping from the live gateway (rtype 0x16), v2/v3 field set. */
export interface SymbolMappingMsg extends RecordHeader {
  /** Symbology type of `stype_in_symbol`. */
  stype_in: number;
  /** Input symbol. */
  stype_in_symbol: string;
  /** Symbology type of `stype_out_symbol`. */
  stype_out: number;
  /** Output symbol. */
  stype_out_symbol: string;
  /** Mapping start, ns. */
  start_ts: bigint;
  /** Mapping end, ns. */
  end_ts: bigint;
}

/** System message from the live gateway (rtype 0x17), v2/v3 field set. */
export interface SystemMsg extends RecordHeader {
  /** Message text. */
  msg: string;
  /** Message code (255 = unset). */
  code: number;
}

/** Error message from the live gateway (rtype 0x15), v2/v3 field set. */
export interface ErrorMsg extends RecordHeader {
  /** Error text. */
  err: string;
  /** Message code (255 = unset). */
  code: number;
  /** Non-zero on the last error of a batch. */
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
