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

/** Price scale from LOBSTER units ($ × 10,000) to Databento fixed point (1e-9). */
export const LOBSTER_PRICE_SCALE = 100_000;

/** ns since the epoch of midnight (00:00 America/New_York) of `date` (`YYYY-MM-DD`). */
export function newYorkMidnightNs(date: string): bigint {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: "America/New_York",
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const offsetAt = (ms: number): number => {
    const p = Object.fromEntries(fmt.formatToParts(ms).map((x) => [x.type, x.value]));
    const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
    return wall - ms; // local − UTC
  };
  let t = utc - offsetAt(utc);
  t = utc - offsetAt(t);
  return BigInt(t) * 1_000_000n;
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
 * {@linkcode lobsterMessageToMbo}). `ts_event` = `ts_recv` = midnight New York time of the date
 * plus the message time; `sequence` = the message's row index in its file. Orders that rested
 * before the file starts are not known here: their cancels and executions reference unknown ids.
 */
export function lobsterToMbo(messages: LobsterMessages, options: LobsterToMboOptions): MboColumns {
  const midnight = newYorkMidnightNs(options.date);
  let n = 0;
  for (let i = 0; i < messages.length; i++) {
    n += messages.type[i] === LobsterType.EXECUTE_VISIBLE ? 3 : 1;
  }
  const c = allocMboColumns(n);
  c.publisher_id.fill(options.publisher_id ?? 0);
  c.instrument_id.fill(options.instrument_id ?? 0);
  let k = 0;
  for (let i = 0; i < messages.length; i++) {
    const ts = midnight + BigInt(messages.time_ns[i]);
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
