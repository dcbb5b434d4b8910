/**
 * Mapping of LOBSTER messages to Databento-style MBO records (the form every other part of the
 * SDK consumes).
 *
 * @module
 */

import { allocMboColumns, type MboColumns } from "../dbn/mod.ts";
import { type LobsterMessages, LobsterType } from "./parse_lobster.ts";

/** Options of {@linkcode lobsterToMbo}. */
export interface LobsterToMboOptions {
  /** Trading date `YYYY-MM-DD` (LOBSTER times are seconds after midnight, New York time). */
  date: string;
  /** Instrument id written on every record (default 0). */
  instrument_id?: number;
  /** Publisher id written on every record (default 0). */
  publisher_id?: number;
}

const A = 0x41, B = 0x42, N = 0x4e;
const F_LAST = 128;

/** A trading-halt message (type 7). */
export interface LobsterHalt {
  /** 1-based line of the message file. */
  line: number;
  /** Local time of day `HH:MM:SS.nnnnnnnnn` (New York). */
  time: string;
  /** ns since the epoch (UTC), as a decimal string. */
  ts_event: string;
  /** Price −1: halt; 0: quoting resumes; 1: trading resumes. */
  kind: "halt" | "quoting_resumes" | "trading_resumes";
}

/** Counters of a LOBSTER → MBO mapping run (replay or import). */
export interface LobsterMappingStats {
  /** Messages read (= orderbook rows). */
  messages: number;
  /** Messages per LOBSTER type (`"1"` … `"7"`). */
  types: Record<string, number>;
  /** MBO records emitted (snapshot, re-seeding and message records). */
  mboRecords: number;
  /** Records of the initial snapshot (`R` plus one `A` per seeded level). */
  snapshotRecords: number;
  /** Records emitted to re-seed levels that came into view. */
  reseedRecords: number;
  /** Levels per orderbook row. */
  levels: number;
  /** Price levels set from the orderbook file when they came into view (incl. the initial seed). */
  reseeds: number;
  /** Shares added by re-seeding (liquidity the message file never showed being added). */
  reseedAdded: number;
  /** Shares removed by re-seeding (liquidity that left while out of view). */
  reseedRemoved: number;
  /** Cancels/deletes/executions of orders never added in the file (applied to seeded liquidity). */
  unknownRefs: number;
  /** ... of which not all the size found liquidity at their price. */
  unknownUnmatched: number;
  /**
   * Records of those references beyond one `C` (`T` + `F` + `C` for an execution): one more `C`
   * (`F` + `C`) per further order taken, fewer when no liquidity was found.
   */
  unknownExtraRecords: number;
  /** Traded shares (visible and hidden executions, crosses). */
  volume: number;
  /** Shares of visible executions (type 4). */
  visibleVolume: number;
  /** Shares of hidden executions (type 5). */
  hiddenVolume: number;
  /** Trading halts and resumptions (type 7): they change no book and emit no record. */
  halts: LobsterHalt[];
}

/** Price scale from LOBSTER units ($ × 10,000) to Databento fixed point (1e-9). */
export const LOBSTER_PRICE_SCALE = 100_000;

const NY_PARTS = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** New York's offset from UTC (local − UTC, ms) at the instant `ms` since the epoch. */
function newYorkOffsetMs(ms: number): number {
  const p = Object.fromEntries(NY_PARTS.formatToParts(ms).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return wall - Math.floor(ms / 1000) * 1000; // whole seconds: the formatter drops the ms
}

function utcMidnightMs(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`date must be a valid YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  return ms;
}

/** ns since the epoch of midnight (00:00 America/New_York) of `date` (`YYYY-MM-DD`). */
export function newYorkMidnightNs(date: string): bigint {
  const utc = utcMidnightMs(date);
  let t = utc - newYorkOffsetMs(utc);
  t = utc - newYorkOffsetMs(t);
  return BigInt(t) * 1_000_000n;
}

/**
 * The converter from LOBSTER time on `date` (ns after midnight, New York wall-clock time, as in
 * the message file's first column) to ns since the UNIX epoch (UTC), exact to the ns and
 * DST-aware: the UTC offset is New York's at that local time (EDT −4 h in summer, EST −5 h in
 * winter). On the two DST-change days a local time in the skipped hour maps as if the clock had
 * not changed yet, and one in the repeated hour to its first occurrence (ECMAScript Temporal's
 * "compatible" rule).
 *
 * @example
 * ```ts
 * import { newYorkClock } from "@spymaster/sdk/lobster";
 *
 * const toUtc = newYorkClock("2012-06-21"); // EDT
 * console.log(toUtc(34200015105074)); // 1340285400015105074n = 2012-06-21T13:30:00.015105074Z
 * ```
 */
export function newYorkClock(date: string): (nsAfterMidnight: number) => bigint {
  const midnight = newYorkMidnightNs(date);
  const day0 = utcMidnightMs(date);
  const next = new Date(day0 + 86_400_000).toISOString().slice(0, 10);
  if (newYorkMidnightNs(next) - midnight === 86_400_000_000_000n) {
    return (ns) => midnight + BigInt(ns);
  }
  // A DST change: resolve each local time with the offsets in force before and after it.
  const before = newYorkOffsetMs(Number(midnight / 1_000_000n));
  const after = newYorkOffsetMs(Number(newYorkMidnightNs(next) / 1_000_000n));
  return (ns) => {
    const ms = Math.floor(ns / 1e6);
    const wall = day0 + ms;
    const valid = [before, after].filter((o) => newYorkOffsetMs(wall - o) === o);
    const off = valid.length === 0 ? before : Math.max(...valid); // earlier instant first
    return BigInt(wall - off) * 1_000_000n + BigInt(ns - ms * 1e6);
  };
}

/**
 * The MBO records of one LOBSTER message, as `[action, side, order_id, size, price, flags]`
 * tuples (price in LOBSTER units; the last record carries `F_LAST`):
 * 1 submit → `A`; 2 partial cancel → `C` (size removed); 3 delete → `C` (size deleted);
 * 4 visible execution → `T` (aggressor = opposite of the resting side), `F` and `C` on the
 * resting order; 5 hidden execution → `T` only; 6 cross → `T` side `N`; 7 halt → `N`.
 */
export function lobsterMessageToMbo(
  type: number,
  order_id: number,
  size: number,
  price: number,
  direction: number,
): [action: number, side: number, order_id: number, size: number, price: number, flags: number][] {
  const resting = direction === 1 ? B : A;
  const aggressor = direction === 1 ? A : B;
  switch (type) {
    case LobsterType.SUBMIT:
      return [[A, resting, order_id, size, price, F_LAST]];
    case LobsterType.CANCEL:
    case LobsterType.DELETE:
      return [[0x43, resting, order_id, size, price, F_LAST]];
    case LobsterType.EXECUTE_VISIBLE:
      return [
        [0x54, aggressor, 0, size, price, 0],
        [0x46, resting, order_id, size, price, 0],
        [0x43, resting, order_id, size, price, F_LAST],
      ];
    case LobsterType.EXECUTE_HIDDEN:
      return [[0x54, aggressor, 0, size, price, F_LAST]];
    case LobsterType.CROSS:
      return [[0x54, N, 0, size, price, F_LAST]];
    default:
      return [[N, N, 0, 0, 0, F_LAST]];
  }
}

/**
 * Maps a batch of LOBSTER messages to MBO columns (1 to 3 records per message, see
 * {@linkcode lobsterMessageToMbo}). `ts_event` = `ts_recv` = the message time converted from New
 * York local time on the date to UTC (see {@linkcode newYorkClock}); `sequence` = the message's row index in its file. Orders that rested
 * before the file starts are not known here: their cancels and executions reference unknown ids.
 */
export function lobsterToMbo(messages: LobsterMessages, options: LobsterToMboOptions): MboColumns {
  const clock = newYorkClock(options.date);
  let n = 0;
  for (let i = 0; i < messages.length; i++) {
    n += messages.type[i] === LobsterType.EXECUTE_VISIBLE ? 3 : 1;
  }
  const c = allocMboColumns(n);
  c.publisher_id.fill(options.publisher_id ?? 0);
  c.instrument_id.fill(options.instrument_id ?? 0);
  let k = 0;
  for (let i = 0; i < messages.length; i++) {
    const ts = clock(messages.time_ns[i]);
    const recs = lobsterMessageToMbo(
      messages.type[i],
      messages.order_id[i],
      messages.size[i],
      messages.price[i],
      messages.direction[i],
    );
    for (const [action, side, id, size, price, flags] of recs) {
      c.ts_event[k] = ts;
      c.ts_recv[k] = ts;
      c.action[k] = action;
      c.side[k] = side;
      c.order_id[k] = BigInt(id);
      c.size[k] = size;
      c.price[k] = action === N ? 9223372036854775807n : BigInt(price) * 100_000n;
      c.flags[k] = flags;
      c.sequence[k] = messages.first + i;
      k++;
    }
  }
  return c;
}
