/**
 * Replaying a LOBSTER message file through the MBO book engine and writing the book after every
 * message in LOBSTER's orderbook layout.
 *
 * @module
 */

import { allocMboColumns, type MboColumns } from "../dbn/mod.ts";
import { type Book, OrderBooks } from "../book/mod.ts";
import { LOBSTER_PRICE_SCALE, lobsterMessageToMbo, newYorkMidnightNs } from "./lobster_to_mbo.ts";
import {
  LOBSTER_NO_ASK,
  LOBSTER_NO_BID,
  type LobsterBookRows,
  lobsterFileInfo,
  type LobsterMessages,
  type LobsterSource,
  LobsterType,
  readLobsterMessages,
  readLobsterOrderbook,
} from "./parse_lobster.ts";

/** Options of {@linkcode replayLobster}. */
export interface LobsterReplayOptions {
  /** Levels per output row (default: the orderbook file's). */
  levels?: number;
  /** Trading date `YYYY-MM-DD` for `ts_event` (default: from the message file name, else none). */
  date?: string;
  /** Instrument id of the book (default 0). */
  instrument_id?: number;
  /**
   * Called after every message with the replayed book row (LOBSTER layout: per level ask price,
   * ask size, bid price, bid size; padded with ±9999999999 / 0), the message index and the
   * orderbook file's row for that message. Both arrays are reused: copy what you keep.
   */
  onRow?: (row: Float64Array, index: number, truth: Float64Array) => void | Promise<void>;
}

/** Counters of a replay. */
export interface LobsterReplayStats {
  /** Messages replayed (= rows written). */
  messages: number;
  /** MBO records applied to the book (messages plus re-seeding records). */
  mboRecords: number;
  /** Levels per output row. */
  levels: number;
  /** Price levels set from the orderbook file when they came into view (incl. the initial seed). */
  reseeds: number;
  /** Shares added by re-seeding (liquidity the message file never showed being added). */
  reseedAdded: number;
  /** Shares removed by re-seeding (liquidity that left while out of view). */
  reseedRemoved: number;
  /** Cancels/deletes/executions of orders never added in the file (applied to seeded liquidity). */
  unknownRefs: number;
  /** ... of which no seeded liquidity was left at their price (ignored). */
  unknownUnmatched: number;
  /**
   * Rows where a level strictly inside the visible window, and already in view before the
   * message, differs from the orderbook file (0 when the replay is exact).
   */
  insideMismatches: number;
  /** Traded shares (visible and hidden executions, crosses). */
  volume: number;
}

/** Result of {@linkcode replayLobster}. */
export interface LobsterReplayResult {
  /** Counters. */
  stats: LobsterReplayStats;
  /** The engine (one book). */
  books: OrderBooks;
  /** The replayed book at the end. */
  book: Book;
}

const SYN_BASE = 1n << 62n; // ids of seeded liquidity (LOBSTER ids are far below)
const F_LAST = 128;

/** One side of an orderbook row: prices and sizes, best first. */
interface SideView {
  prices: number[];
  sizes: number[];
  /** All `levels` slots are occupied: liquidity may exist beyond the deepest shown level. */
  full: boolean;
}

function sideView(row: Float64Array, levels: number, side: 0 | 1): SideView {
  const prices: number[] = [], sizes: number[] = [];
  const off = side === 0 ? 2 : 0; // bid columns 2,3; ask columns 0,1
  for (let k = 0; k < levels; k++) {
    const p = row[4 * k + off], s = row[4 * k + off + 1];
    if (p === LOBSTER_NO_ASK || p === LOBSTER_NO_BID || s <= 0) continue;
    prices.push(p);
    sizes.push(s);
  }
  return { prices, sizes, full: prices.length >= levels };
}

/** Is price `p` within the view (at or better than the deepest shown level, or any if not full)? */
function inView(v: SideView | null, side: 0 | 1, p: number): boolean {
  if (v === null) return false;
  if (!v.full) return true;
  const edge = v.prices[v.prices.length - 1];
  return side === 0 ? p >= edge : p <= edge;
}

/** Strictly better than the deepest shown level. */
function strictlyInside(v: SideView, side: 0 | 1, p: number): boolean {
  if (v.prices.length === 0) return false;
  const edge = v.prices[v.prices.length - 1];
  return side === 0 ? p > edge : p < edge;
}

/** The view before message 0: row 0 with message 0 undone. */
function undoFirst(
  row0: Float64Array,
  levels: number,
  m: LobsterMessages,
): [SideView, SideView] {
  const views: [SideView, SideView] = [sideView(row0, levels, 0), sideView(row0, levels, 1)];
  const t = m.type[0];
  if (t < 1 || t > 4) return views;
  const side = m.direction[0] === 1 ? 0 : 1;
  const v = views[side];
  const p = m.price[0], d = t === LobsterType.SUBMIT ? -m.size[0] : m.size[0];
  let at = v.prices.indexOf(p);
  if (at < 0) {
    at = v.prices.findIndex((q) => (side === 0 ? q < p : q > p));
    if (at < 0) at = v.prices.length;
    v.prices.splice(at, 0, p);
    v.sizes.splice(at, 0, 0);
  }
  v.sizes[at] += d;
  if (v.sizes[at] <= 0) {
    v.prices.splice(at, 1);
    v.sizes.splice(at, 1);
  }
  return views;
}

/**
 * Replays a LOBSTER message file into the MBO book engine and reports the book after every
 * message (see {@linkcode LobsterReplayOptions.onRow}), in LOBSTER's orderbook layout.
 *
 * Messages map to MBO records as in {@linkcode lobsterMessageToMbo}. Two things are not in a
 * LOBSTER message file and are taken from the orderbook file, through the same engine (synthetic
 * orders with ids ≥ 2^62):
 * - the book at the start (row 0 with message 0 undone), and
 * - the size of a price level when it comes into view from beyond the deepest shown level (the
 *   file has no events for levels out of view); levels already in view are never touched.
 * Cancels and executions of orders that rested before the file started are applied to the seeded
 * liquidity at their price.
 */
export async function replayLobster(
  messageCsv: LobsterSource,
  orderbookCsv: LobsterSource,
  options: LobsterReplayOptions = {},
): Promise<LobsterReplayResult> {
  const msgName = typeof messageCsv === "string" ? messageCsv : "<messages>";
  const date = options.date ?? lobsterFileInfo(msgName)?.date;
  const midnight = date === undefined ? 0n : newYorkMidnightNs(date);
  const iid = options.instrument_id ?? 0;
  const books = new OrderBooks({ initialOrders: 1 << 12 });
  const stats: LobsterReplayStats = {
    messages: 0,
    mboRecords: 0,
    levels: 0,
    reseeds: 0,
    reseedAdded: 0,
    reseedRemoved: 0,
    unknownRefs: 0,
    unknownUnmatched: 0,
    insideMismatches: 0,
    volume: 0,
  };

  // ---- MBO record staging
  const cols: MboColumns = allocMboColumns(256);
  cols.instrument_id.fill(iid);
  let k = 0;
  let ts = midnight;
  const flush = (): void => {
    if (k === 0) return;
    books.applyBatch(cols, 0, k);
    stats.mboRecords += k;
    k = 0;
  };
  const push = (
    action: number,
    side: number,
    id: bigint,
    size: number,
    price: number,
    flags: number,
  ): void => {
    if (k === cols.length) flush();
    cols.ts_event[k] = ts;
    cols.ts_recv[k] = ts;
    cols.action[k] = action;
    cols.side[k] = side;
    cols.order_id[k] = id;
    cols.size[k] = size;
    cols.price[k] = BigInt(price) * BigInt(LOBSTER_PRICE_SCALE);
    cols.flags[k] = flags;
    cols.sequence[k] = stats.messages;
    k++;
  };
  let book: Book | undefined;
  const theBook = (): Book => (book ??= books.book(iid)!);
  let nextSyn = SYN_BASE;
  const sideCode = (side: 0 | 1): 66 | 65 => (side === 0 ? 0x42 : 0x41);

  /** Removes `q` shares at a price: seeded liquidity first, then (if `real`) real orders. */
  const removeAt = (side: 0 | 1, price: number, q: number, real: boolean): number => {
    flush();
    const orders = theBook().ordersAt(sideCode(side), price * LOBSTER_PRICE_SCALE);
    const syn = orders.filter((o) => o.order_id >= SYN_BASE);
    const pick = real ? [...syn, ...orders.filter((o) => o.order_id < SYN_BASE).reverse()] : syn;
    let left = q;
    for (const o of pick) {
      if (left <= 0) break;
      const take = Math.min(left, o.size);
      push(0x43, sideCode(side), o.order_id, take, price, F_LAST);
      left -= take;
    }
    return q - left;
  };

  /**
   * Re-seeds a price level that came into view: its orders become one block of seeded liquidity
   * of the orderbook file's size (orders there may have left, or arrived, unseen while the level
   * was out of view; later references to them take from that block).
   */
  const setDepth = (side: 0 | 1, price: number, target: number): void => {
    flush();
    const orders = book === undefined
      ? []
      : book.ordersAt(sideCode(side), price * LOBSTER_PRICE_SCALE);
    let have = 0, syn = 0;
    for (const o of orders) {
      have += o.size;
      if (o.order_id >= SYN_BASE) syn += o.size;
      else push(0x43, sideCode(side), o.order_id, o.size, price, F_LAST);
    }
    if (have !== target) stats.reseeds++;
    if (have < target) stats.reseedAdded += target - have;
    else stats.reseedRemoved += have - target;
    if (syn < target) push(0x41, sideCode(side), nextSyn++, target - syn, price, F_LAST);
    else if (syn > target) removeAt(side, price, syn - target, false);
  };

  /** Brings levels newly in view (in `cur` but not in `prev`) to the orderbook file's sizes. */
  const reconcile = (cur: [SideView, SideView], prev: [SideView, SideView] | null): void => {
    for (const side of [0, 1] as const) {
      const v = cur[side], pv = prev === null ? null : prev[side];
      if (pv !== null && !pv.full) continue; // everything was already in view
      for (let j = 0; j < v.prices.length; j++) {
        if (!inView(pv, side, v.prices[j])) setDepth(side, v.prices[j], v.sizes[j]);
      }
      // our levels newly in view that the file does not show: empty now
      if (book === undefined) continue;
      flush();
      const stale: number[] = [];
      book.forEachLevel(sideCode(side), (p9) => {
        const p = p9 / LOBSTER_PRICE_SCALE;
        if (!inView(v, side, p)) return false;
        if (!inView(pv, side, p) && !v.prices.includes(p)) stale.push(p);
      });
      for (const p of stale) setDepth(side, p, 0);
    }
  };

  // ---- zip messages with orderbook rows
  const rowsIt = readLobsterOrderbook(orderbookCsv);
  let rows: LobsterBookRows | null = null;
  let rowAt = 0;
  let levels = 0;
  let out = new Float64Array(0);
  let prev: [SideView, SideView] | null = null; // view of row i−1
  let prevPrev: [SideView, SideView] | null = null; // view of row i−2
  const nextRow = async (): Promise<Float64Array> => {
    while (rows === null || rowAt >= rows.length) {
      const r = await rowsIt.next();
      if (r.done) {
        throw new Error(
          `orderbook file has fewer rows (${stats.messages}) than the message file has messages`,
        );
      }
      rows = r.value;
      rowAt = 0;
    }
    const w = rows.levels * 4;
    return rows.values.subarray(rowAt * w, ++rowAt * w);
  };

  for await (const m of readLobsterMessages(messageCsv)) {
    for (let i = 0; i < m.length; i++) {
      const truth = await nextRow();
      if (levels === 0) {
        levels = rows!.levels;
        const outLevels = options.levels ?? levels;
        stats.levels = outLevels;
        out = new Float64Array(4 * outLevels);
        ts = midnight + BigInt(m.time_ns[0]);
        prev = undoFirst(truth, levels, m); // the book before message 0
        prevPrev = null;
      }
      ts = midnight + BigInt(m.time_ns[i]);
      // 1. levels that came into view with the previous row
      reconcile(prev!, prevPrev);
      // 2. the message
      const type = m.type[i], dir = m.direction[i], price = m.price[i], size = m.size[i];
      const side: 0 | 1 = dir === 1 ? 0 : 1;
      const id = m.order_id[i];
      const reduces = type === LobsterType.CANCEL || type === LobsterType.DELETE ||
        type === LobsterType.EXECUTE_VISIBLE;
      flush();
      if (reduces && (book === undefined || book.order(BigInt(id)) === undefined)) {
        // An order that rested before the file started: take it from the seeded liquidity.
        stats.unknownRefs++;
        if (type === LobsterType.EXECUTE_VISIBLE) {
          push(0x54, side === 0 ? 0x41 : 0x42, 0n, size, price, F_LAST);
        }
        // (A real order can stand in: it may have left unseen while its level was out of view.)
        if (removeAt(side, price, size, true) < size) stats.unknownUnmatched++;
      } else {
        for (const [a, sd, oid, q, p, f] of lobsterMessageToMbo(type, id, size, price, dir)) {
          push(a, sd, BigInt(oid), q, p, f);
        }
      }
      if (
        type === LobsterType.EXECUTE_VISIBLE || type === LobsterType.EXECUTE_HIDDEN ||
        type === LobsterType.CROSS
      ) stats.volume += size;
      flush();
      stats.messages++;
      // 3. the row
      const bk = theBook();
      out.fill(0);
      for (let j = 0; j < out.length; j += 4) {
        out[j] = LOBSTER_NO_ASK;
        out[j + 2] = LOBSTER_NO_BID;
      }
      let j = 0;
      bk.forEachLevel(0x41, (p9, s) => {
        if (j >= out.length) return false;
        out[j] = p9 / LOBSTER_PRICE_SCALE;
        out[j + 1] = s;
        j += 4;
      });
      j = 2;
      bk.forEachLevel(0x42, (p9, s) => {
        if (j >= out.length) return false;
        out[j] = p9 / LOBSTER_PRICE_SCALE;
        out[j + 1] = s;
        j += 4;
      });
      const view: [SideView, SideView] = [sideView(truth, levels, 0), sideView(truth, levels, 1)];
      if (insideMismatch(bk, view, prev!)) stats.insideMismatches++;
      if (options.onRow) await options.onRow(out, stats.messages - 1, truth);
      prevPrev = prev;
      prev = view;
    }
  }
  const current = rows as LobsterBookRows | null;
  if ((current !== null && rowAt < current.length) || !(await rowsIt.next()).done) {
    throw new Error(
      `orderbook file has more rows than the message file has messages (${stats.messages})`,
    );
  }
  return { stats, books, book: theBook() };
}

/**
 * True when a level strictly inside `view` (and within `before`, the view before the message)
 * differs between the book and the view, or the book has a level there that the view lacks.
 */
function insideMismatch(book: Book, view: [SideView, SideView], before: [SideView, SideView]) {
  for (const side of [0, 1] as const) {
    const v = view[side];
    const mine = new Map<number, number>();
    book.forEachLevel(side === 0 ? 0x42 : 0x41, (p9, s) => {
      const p = p9 / LOBSTER_PRICE_SCALE;
      if (!strictlyInside(v, side, p)) return false;
      if (inView(before[side], side, p)) mine.set(p, s);
    });
    for (let j = 0; j < v.prices.length; j++) {
      const p = v.prices[j];
      if (!strictlyInside(v, side, p) || !inView(before[side], side, p)) continue;
      if (mine.get(p) !== v.sizes[j]) return true;
      mine.delete(p);
    }
    if (mine.size > 0) return true;
  }
  return false;
}
