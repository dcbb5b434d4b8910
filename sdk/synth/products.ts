/**
 * The instruments the synthetic market knows: futures roots (tick and strike grid as in the
 * pipeline's product table) and equity tickers, with the reference price level and volatility the
 * generator starts from, plus symbol rules (front month, CME option product codes, OPRA symbols).
 *
 * @module
 */
import { formatDay, parseDay, weekdayOf } from "./calendar.ts";

export { PRODUCT_TYPES, type ProductType } from "../lake/product_types.ts";

/** A futures root of the synthetic market. */
export interface FutureRoot {
  /** Root symbol, e.g. `MNQ`. */
  root: string;
  /** Minimum price increment in points. */
  tick_size: number;
  /** Strike grid step of its options, in points. */
  strike_step: number;
  /** Contract multiplier ($ per point). */
  multiplier: number;
  /** Reference price level (points) the daily price walk starts from. */
  ref_price: number;
  /** Daily return volatility (fraction). */
  daily_vol: number;
  /** Option premium tick in points. */
  option_tick: number;
  /** Strike as written in CME option symbols = strike / strike_unit. */
  strike_unit: number;
  /** Contract months (1-12) that are listed. */
  months: readonly number[];
  /** Whether the product rolls like an equity index (8 days before the 3rd Friday). */
  index_roll: boolean;
  /** Exchange MIC-ish code written in definitions. */
  exchange: string;
  /** Unit of measure of definitions. */
  unit_of_measure: string;
}

/** An equity ticker of the synthetic market. */
export interface EquityTicker {
  /** Ticker, e.g. `QQQ`. */
  ticker: string;
  /** Price tick in dollars. */
  tick_size: number;
  /** Strike step of its 0DTE options in dollars. */
  strike_step: number;
  /** Reference price level in dollars. */
  ref_price: number;
  /** Daily return volatility (fraction). */
  daily_vol: number;
  /** Option premium tick in dollars. */
  option_tick: number;
}

const QUARTERS = [3, 6, 9, 12] as const;

/** Futures roots (tick / strike step / multiplier as in pipeline.md §1.2). */
export const FUTURE_ROOTS: Readonly<Record<string, FutureRoot>> = {
  ES: fut("ES", 0.25, 5.0, 50, 6900, 0.011, 0.05, 1, QUARTERS, true, "XCME", "IPNT"),
  MES: fut("MES", 0.25, 5.0, 5, 6900, 0.011, 0.05, 1, QUARTERS, true, "XCME", "IPNT"),
  NQ: fut("NQ", 0.25, 5.0, 20, 25600, 0.014, 0.05, 1, QUARTERS, true, "XCME", "IPNT"),
  MNQ: fut("MNQ", 0.25, 5.0, 2, 25600, 0.014, 0.05, 1, QUARTERS, true, "XCME", "IPNT"),
  SI: fut("SI", 0.005, 0.25, 5000, 72, 0.022, 0.005, 0.01, [3, 5, 7, 9, 12], false, "XCEC", "OZ"),
  GC: fut("GC", 0.1, 5.0, 100, 4400, 0.012, 0.1, 1, [2, 4, 6, 8, 10, 12], false, "XCEC", "OZ"),
  CL: fut(
    "CL",
    0.01,
    0.5,
    1000,
    58,
    0.02,
    0.01,
    0.01,
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    false,
    "XNYM",
    "BBL",
  ),
  "6E": fut(
    "6E",
    0.00005,
    0.005,
    125000,
    1.17,
    0.005,
    0.00005,
    0.0001,
    QUARTERS,
    true,
    "XCME",
    "EUR",
  ),
};

/** Equity tickers with known price levels; any other ticker gets {@linkcode defaultEquity}. */
export const EQUITY_TICKERS: Readonly<Record<string, EquityTicker>> = {
  QQQ: eq("QQQ", 620, 0.012),
  SPY: eq("SPY", 690, 0.009),
  AAPL: eq("AAPL", 270, 0.015),
  NVDA: eq("NVDA", 185, 0.025),
  TSLA: eq("TSLA", 440, 0.03),
  IWM: eq("IWM", 250, 0.012),
};

function fut(
  root: string,
  tick_size: number,
  strike_step: number,
  multiplier: number,
  ref_price: number,
  daily_vol: number,
  option_tick: number,
  strike_unit: number,
  months: readonly number[],
  index_roll: boolean,
  exchange: string,
  unit_of_measure: string,
): FutureRoot {
  return {
    root,
    tick_size,
    strike_step,
    multiplier,
    ref_price,
    daily_vol,
    option_tick,
    strike_unit,
    months,
    index_roll,
    exchange,
    unit_of_measure,
  };
}

function eq(ticker: string, ref_price: number, daily_vol: number): EquityTicker {
  return { ticker, tick_size: 0.01, strike_step: 1, ref_price, daily_vol, option_tick: 0.01 };
}

/** The parameters of an equity ticker not in {@linkcode EQUITY_TICKERS} ($100, 1.5% daily). */
export function defaultEquity(ticker: string): EquityTicker {
  return eq(ticker, 100, 0.015);
}

const MONTH_CODES = "FGHJKMNQUVXZ";

/** CME month code of a month 1-12 (`F` … `Z`). */
export function monthCode(month: number): string {
  return MONTH_CODES[month - 1];
}

/**
 * The root of a futures symbol: the longest known root that is a prefix of `symbol`
 * (`MNQH6` → `MNQ`, `MNQ` → `MNQ`). Throws for an unknown root.
 */
export function futureRootOf(symbol: string): FutureRoot {
  const s = symbol.toUpperCase();
  let best: FutureRoot | undefined;
  for (const r of Object.values(FUTURE_ROOTS)) {
    if (s.startsWith(r.root) && (!best || r.root.length > best.root.length)) best = r;
  }
  if (!best) {
    throw new RangeError(
      `unknown futures root in symbol '${symbol}' (known: ${Object.keys(FUTURE_ROOTS).join(", ")})`,
    );
  }
  return best;
}

/** Third Friday of a month, as a UNIX day number. */
function thirdFriday(year: number, month: number): number {
  const first = Date.UTC(year, month - 1, 1) / 86_400_000;
  return first + ((5 - weekdayOf(first) + 7) % 7) + 14;
}

/**
 * The front-month contract of `root` on `date`: the first listed month whose roll date is after
 * `date` (index products roll 8 days before the third Friday of the contract month, others on the
 * 20th of the month before). `MNQ` on 2026-01-05 → `MNQH6`.
 */
export function frontMonth(root: FutureRoot, date: string): string {
  const day = parseDay(date);
  const y0 = new Date(day * 86_400_000).getUTCFullYear();
  for (let y = y0; y <= y0 + 2; y++) {
    for (const m of root.months) {
      const roll = root.index_roll
        ? thirdFriday(y, m) - 8
        : Date.UTC(m === 1 ? y - 1 : y, m === 1 ? 11 : m - 2, 20) / 86_400_000;
      if (roll > day) return `${root.root}${monthCode(m)}${y % 10}`;
    }
  }
  throw new Error(`no front month for ${root.root} on ${date}`);
}

/** Expiration of a futures contract (third Friday of its month, 13:30 UTC), ns since the epoch. */
export function futureExpirationNs(contract: string): bigint {
  const root = futureRootOf(contract);
  const rest = contract.slice(root.root.length);
  const m = MONTH_CODES.indexOf(rest[0]) + 1;
  const yd = Number(rest.slice(1));
  if (m < 1 || !Number.isInteger(yd)) throw new RangeError(`bad futures contract '${contract}'`);
  const year = 2020 + yd + (yd < 5 ? 10 : 0);
  return BigInt(thirdFriday(year, m)) * 86_400_000_000_000n + 48_600_000_000_000n;
}

interface OptionCodes {
  quarterly?: string;
  eom: string;
  friday: string[];
  daily: string[][]; // [Mon, Tue, Wed, Thu] x week
}

function seq(pattern: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => pattern.replace("#", String(i + 1)));
}

/** CME option product codes per root (downloader.md §2.3). */
const OPTION_CODES: Record<string, OptionCodes> = {
  ES: {
    quarterly: "ES",
    eom: "EW",
    friday: seq("EW#", 4),
    daily: ["E#A", "E#B", "E#C", "E#D"].map((p) => seq(p, 5)),
  },
  NQ: {
    quarterly: "NQ",
    eom: "QNE",
    friday: seq("QN#", 4),
    daily: ["Q#A", "Q#B", "Q#C", "Q#D"].map((p) => seq(p, 5)),
  },
  MES: {
    quarterly: "MES",
    eom: "EX",
    friday: seq("EX#", 4),
    daily: ["X#A", "X#B", "X#C", "X#D"].map((p) => seq(p, 5)),
  },
  MNQ: {
    quarterly: "MNQ",
    eom: "MQE",
    friday: seq("MQ#", 4),
    daily: ["D#A", "D#B", "D#C", "D#D"].map((p) => seq(p, 5)),
  },
  GC: {
    eom: "OG",
    friday: seq("OG#", 5),
    daily: ["G#M", "G#T", "G#W", "G#R"].map((p) => seq(p, 5)),
  },
  SI: {
    eom: "SO",
    friday: seq("SO#", 5),
    daily: ["M#S", "S#T", "W#S", "R#S"].map((p) => seq(p, 5)),
  },
  CL: {
    eom: "LO",
    friday: seq("LO#", 5),
    daily: ["ML#", "NL#", "WL#", "XL#"].map((p) => seq(p, 5)),
  },
  "6E": {
    eom: "EUU",
    friday: seq("#EU", 5),
    daily: ["MO#", "TU#", "WE#", "SU#"].map((p) => seq(p, 5)),
  },
};

/**
 * CME option parents (`<CODE>.OPT`) expiring on `date` for a root, by the downloader's rules
 * (daily Monday–Thursday codes, Friday weeklies, quarterly on the third Friday of a quarter month,
 * end-of-month on the last business day). An unknown root gives `[<ROOT>.OPT]`; weekends `[]`.
 */
export function optionParentsFor(root: string, date: string): string[] {
  const codes = OPTION_CODES[root];
  if (!codes) return [`${root}.OPT`];
  const day = parseDay(date);
  const d = new Date(day * 86_400_000);
  const dom = d.getUTCDate(), month = d.getUTCMonth() + 1;
  const dow = weekdayOf(day);
  if (dow === 0 || dow === 6) return [];
  const occ = Math.floor((dom - 1) / 7) + 1;
  const out: string[] = [];
  const thirdFri = dow === 5 && dom >= 15 && dom <= 21 && month % 3 === 0;
  if (dow === 5) {
    if (occ <= codes.friday.length) out.push(codes.friday[occ - 1]);
    if (thirdFri && codes.quarterly) out.push(codes.quarterly);
  } else {
    const list = codes.daily[dow - 1];
    if (occ <= list.length) out.push(list[occ - 1]);
  }
  let next = day + 1;
  while (weekdayOf(next) === 0 || weekdayOf(next) === 6) next++;
  const lastBusiness = new Date(next * 86_400_000).getUTCMonth() + 1 !== month;
  if ((lastBusiness || (thirdFri && !codes.quarterly)) && !out.includes(codes.eom)) {
    out.push(codes.eom);
  }
  return out.map((c) => `${c}.OPT`);
}

/** The product code used for the synthetic 0DTE chain of `root` on `date` (first parent, else EOM). */
export function zeroDteCode(root: string, date: string): string {
  const parents = optionParentsFor(root, date);
  if (parents.length) return parents[0].slice(0, -4);
  return OPTION_CODES[root]?.eom ?? root;
}

/** CME-style option raw symbol, e.g. `D1AF6 C25600`. */
export function cmeOptionSymbol(
  code: string,
  date: string,
  right: "C" | "P",
  strike: number,
  strikeUnit: number,
): string {
  const d = new Date(parseDay(date) * 86_400_000);
  const k = Math.round(strike / strikeUnit);
  return `${code}${monthCode(d.getUTCMonth() + 1)}${d.getUTCFullYear() % 10} ${right}${k}`;
}

/** OPRA (OSI) 21-character option symbol, e.g. `QQQ   260105P00626000`. */
export function opraSymbol(ticker: string, date: string, right: "C" | "P", strike: number): string {
  const ymd = formatDay(parseDay(date)).replaceAll("-", "").slice(2);
  const k = String(Math.round(strike * 1000)).padStart(8, "0");
  return `${ticker.padEnd(6, " ")}${ymd}${right}${k}`;
}
