/**
 * Replaying a LOBSTER message file through the MBO book engine and writing the book after every
 * message in LOBSTER's orderbook layout.
 *
 * @module
 */

import type { Book, OrderBooks } from "../book/mod.ts";
import { LOBSTER_PRICE_SCALE, newYorkClock } from "./lobster_to_mbo.ts";
import {
  LOBSTER_NO_ASK,
  LOBSTER_NO_BID,
  lobsterFileInfo,
  type LobsterSource,
} from "./parse_lobster.ts";
import { inView, type RowView, runLobster, sideView, strictlyInside } from "./_mapper.ts";

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

/**
 * Replays a LOBSTER message file into the MBO book engine and reports the book after every
 * message (see {@linkcode LobsterReplayOptions.onRow}), in LOBSTER's orderbook layout.
 *
 * Messages map to MBO records as in {@linkcode lobsterMessageToMbo}. Two things are not in a
 * LOBSTER message file and are taken from the orderbook file, through the same engine (synthetic
 * orders with ids ≥ 2^62):
 * - the book at the start (row 0 with message 0 undone), applied as a snapshot, and
 * - the size of a price level when it comes into view from beyond the deepest shown level (the
 *   file has no events for levels out of view); levels already in view are never touched.
 * Cancels and executions of orders that rested before the file started are applied to the seeded
 * liquidity at their price. The records are exactly those {@linkcode importLobster} writes to the
 * lake. A message file and an orderbook file of different lengths are an error naming both.
 */
export async function replayLobster(
  messageCsv: LobsterSource,
  orderbookCsv: LobsterSource,
  options: LobsterReplayOptions = {},
): Promise<LobsterReplayResult> {
  const msgName = typeof messageCsv === "string" ? messageCsv : "<messages>";
  const obName = typeof orderbookCsv === "string" ? orderbookCsv : "<orderbook>";
  const date = options.date ?? lobsterFileInfo(msgName)?.date;
  const clock = date === undefined ? (ns: number) => BigInt(ns) : newYorkClock(date);
  let out = new Float64Array(0);
  let insideMismatches = 0;
  const { books, book, stats } = await runLobster(messageCsv, orderbookCsv, {
    messageName: msgName,
    orderbookName: obName,
    clock,
    instrument_id: options.instrument_id ?? 0,
    publisher_id: 0,
    onMessage: async (bk, truth, before, index) => {
      const levels = truth.length / 4;
      if (out.length === 0) out = new Float64Array(4 * (options.levels ?? levels));
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
      const view: RowView = [sideView(truth, levels, 0), sideView(truth, levels, 1)];
      if (insideMismatch(bk, view, before)) insideMismatches++;
      if (options.onRow) await options.onRow(out, index, truth);
    },
  });
  return {
    stats: {
      messages: stats.messages,
      mboRecords: stats.mboRecords,
      levels: out.length / 4,
      reseeds: stats.reseeds,
      reseedAdded: stats.reseedAdded,
      reseedRemoved: stats.reseedRemoved,
      unknownRefs: stats.unknownRefs,
      unknownUnmatched: stats.unknownUnmatched,
      insideMismatches,
      volume: stats.volume,
    },
    books,
    book,
  };
}

/**
 * True when a level strictly inside `view` (and within `before`, the view before the message)
 * differs between the book and the view, or the book has a level there that the view lacks.
 */
function insideMismatch(book: Book, view: RowView, before: RowView): boolean {
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
