// Metadata, instrument definitions and statistics records of the synthetic files.
import {
  instrumentDefDefaults,
  type InstrumentDefMsg,
  type Metadata,
  type Schema,
  type StatMsg,
  UNDEF_PRICE,
  UNDEF_STAT_QUANTITY,
  UNDEF_TIMESTAMP,
} from "../dbn/mod.ts";
import { formatDay, parseDay } from "./calendar.ts";

/** Fixed-point (1e-9) integer of a decimal price, rounded to the nearest unit. */
export function fixed(x: number): bigint {
  return BigInt(Math.round(x * 1e9));
}

/** Metadata like a Databento batch download of one day: raw_symbol in, instrument_id out. */
export function dayMetadata(
  dataset: string,
  schema: Schema,
  date: string,
  instruments: readonly { symbol: string; iid: number }[],
): Metadata {
  const start = BigInt(parseDay(date)) * 86_400_000_000_000n;
  const next = formatDay(parseDay(date) + 1);
  const symbols = [...new Set(instruments.map((i) => i.symbol))].sort();
  const ids = new Map(instruments.map((i) => [i.symbol, i.iid]));
  return {
    version: 3,
    dataset,
    schema,
    start,
    end: start + 86_400_000_000_000n,
    limit: 0n,
    stype_in: "raw_symbol",
    stype_out: "instrument_id",
    ts_out: false,
    symbol_cstr_len: 71,
    symbols,
    partial: [],
    not_found: [],
    mappings: symbols.map((s) => ({
      raw_symbol: s,
      intervals: [{ start_date: date, end_date: next, symbol: String(ids.get(s)) }],
    })),
  };
}

/** Common fields of a definition published at `ts` (ns). */
function baseDef(publisher: number, iid: number, ts: bigint, symbol: string): InstrumentDefMsg {
  const d = instrumentDefDefaults();
  d.publisher_id = publisher;
  d.instrument_id = iid;
  d.ts_event = ts;
  d.ts_recv = ts;
  d.raw_symbol = symbol;
  d.raw_instrument_id = BigInt(iid);
  d.currency = "USD";
  d.security_update_action = "A";
  d.user_defined_instrument = "N";
  return d;
}

/** A CME futures definition (instrument_class F). */
export function futureDefinition(o: {
  iid: number;
  symbol: string;
  root: string;
  tick: number;
  multiplier: number;
  unit: string;
  exchange: string;
  expiration: bigint;
  ts: bigint;
  refPrice: number;
  channel: number;
}): InstrumentDefMsg {
  const d = baseDef(1, o.iid, o.ts, o.symbol);
  d.instrument_class = "F";
  d.security_type = "FUT";
  d.cfi = "FFICSX";
  d.asset = o.root;
  d.group = o.root;
  d.exchange = o.exchange;
  d.min_price_increment = fixed(o.tick);
  d.display_factor = 1_000_000_000n;
  d.expiration = o.expiration;
  d.activation = o.expiration - 400n * 86_400_000_000_000n;
  d.unit_of_measure = o.unit;
  d.unit_of_measure_qty = fixed(o.multiplier);
  d.min_price_increment_amount = fixed(o.tick * o.multiplier);
  d.price_ratio = UNDEF_PRICE;
  d.high_limit_price = fixed(Math.round(o.refPrice * 1.07 / o.tick) * o.tick);
  d.low_limit_price = fixed(Math.round(o.refPrice * 0.93 / o.tick) * o.tick);
  d.max_price_variation = fixed(Math.round(o.refPrice * 0.005 / o.tick) * o.tick);
  d.market_depth_implied = 2;
  d.market_depth = 10;
  d.min_lot_size = 1;
  d.min_lot_size_block = 1;
  d.min_lot_size_round_lot = 1;
  d.min_trade_vol = 1;
  d.max_trade_vol = 2000;
  d.contract_multiplier = 2147483647;
  d.match_algorithm = "F";
  d.channel_id = o.channel;
  const exp = new Date(Number(o.expiration / 1_000_000n));
  d.maturity_year = exp.getUTCFullYear();
  d.maturity_month = exp.getUTCMonth() + 1;
  d.maturity_day = 255;
  d.maturity_week = 255;
  d.tick_rule = 1;
  return d;
}

/** A CME option-on-future definition (instrument_class C or P, security_type OOF). */
export function futureOptionDefinition(o: {
  iid: number;
  symbol: string;
  code: string;
  right: "C" | "P";
  strike: number;
  underlying: string;
  underlyingId: number;
  tick: number;
  multiplier: number;
  unit: string;
  exchange: string;
  expiration: bigint;
  ts: bigint;
  channel: number;
}): InstrumentDefMsg {
  const d = baseDef(1, o.iid, o.ts, o.symbol);
  d.instrument_class = o.right;
  d.security_type = "OOF";
  d.cfi = o.right === "C" ? "OCAFPS" : "OPAFPS";
  d.asset = o.code;
  d.group = o.code;
  d.exchange = o.exchange;
  d.underlying = o.underlying;
  d.underlying_id = o.underlyingId;
  d.strike_price = fixed(o.strike);
  d.strike_price_currency = "USD";
  d.min_price_increment = fixed(o.tick);
  d.display_factor = 1_000_000_000n;
  d.expiration = o.expiration;
  d.activation = o.expiration - 14n * 86_400_000_000_000n;
  d.unit_of_measure = o.unit;
  d.unit_of_measure_qty = fixed(o.multiplier);
  d.min_price_increment_amount = fixed(o.tick * o.multiplier);
  d.market_depth_implied = 0;
  d.market_depth = 10;
  d.min_lot_size = 1;
  d.min_lot_size_block = 1;
  d.min_lot_size_round_lot = 1;
  d.min_trade_vol = 1;
  d.max_trade_vol = 1000;
  d.contract_multiplier = 2147483647;
  d.match_algorithm = "F";
  d.channel_id = o.channel;
  const exp = new Date(Number(o.expiration / 1_000_000n));
  d.maturity_year = exp.getUTCFullYear();
  d.maturity_month = exp.getUTCMonth() + 1;
  d.maturity_day = exp.getUTCDate();
  d.tick_rule = 1;
  return d;
}

/** An XNAS equity definition (instrument_class K). */
export function equityDefinition(o: { iid: number; symbol: string; ts: bigint }): InstrumentDefMsg {
  const d = baseDef(2, o.iid, o.ts, o.symbol);
  d.instrument_class = "K";
  d.security_type = "EQS";
  d.exchange = "XNAS";
  d.cfi = "CEOGEU";
  d.min_price_increment = fixed(0.01);
  d.display_factor = 1_000_000_000n;
  d.min_lot_size_round_lot = 100;
  d.expiration = UNDEF_TIMESTAMP;
  d.channel_id = 0;
  return d;
}

/** An OPRA equity option definition (instrument_class C or P; expiration at 00:00 UTC of the expiry date). */
export function opraDefinition(o: {
  iid: number;
  symbol: string;
  ticker: string;
  right: "C" | "P";
  strike: number;
  expiration: bigint;
  ts: bigint;
  tick: number;
  underlyingId: number;
}): InstrumentDefMsg {
  const d = baseDef(30, o.iid, o.ts, o.symbol);
  d.instrument_class = o.right;
  d.security_type = "OPT";
  d.cfi = o.right === "C" ? "OCASPS" : "OPASPS";
  d.exchange = "OPRA";
  d.asset = o.ticker;
  d.underlying = o.ticker;
  d.underlying_id = o.underlyingId;
  d.strike_price = fixed(o.strike);
  d.strike_price_currency = "USD";
  d.min_price_increment = fixed(o.tick);
  d.display_factor = 1_000_000_000n;
  d.expiration = o.expiration;
  d.activation = o.expiration - 7n * 86_400_000_000_000n;
  d.unit_of_measure = "SHARES";
  d.unit_of_measure_qty = fixed(100);
  d.min_lot_size_round_lot = 1;
  d.channel_id = 0;
  return d;
}

/** Statistic types written by the generator (Databento StatType). */
export const Stat = {
  OPENING_PRICE: 1,
  SETTLEMENT_PRICE: 3,
  SESSION_LOW: 4,
  SESSION_HIGH: 5,
  CLEARED_VOLUME: 6,
  OPEN_INTEREST: 9,
  CLOSE_PRICE: 11,
} as const;

/** One statistics record; `price` in 1e-9 units or UNDEF, `quantity` or UNDEF. */
export function statRecord(o: {
  publisher: number;
  iid: number;
  ts: bigint;
  tsRef?: bigint;
  statType: number;
  price?: bigint;
  quantity?: bigint;
  sequence: number;
  channel: number;
  statFlags?: number;
}): StatMsg {
  return {
    rtype: 0x18,
    length: 20,
    publisher_id: o.publisher,
    instrument_id: o.iid,
    ts_event: o.ts,
    ts_recv: o.ts + 150_000n,
    ts_ref: o.tsRef ?? UNDEF_TIMESTAMP,
    price: o.price ?? UNDEF_PRICE,
    quantity: o.quantity ?? UNDEF_STAT_QUANTITY,
    sequence: o.sequence,
    ts_in_delta: 0,
    stat_type: o.statType,
    channel_id: o.channel,
    update_action: 1,
    stat_flags: o.statFlags ?? 0,
  };
}
