/**
 * Summaries of a book as plain JSON-ready objects, in the shape of the project's real-data
 * answer key (`fixtures/real/databento/expected_book_end.json`).
 *
 * @module
 */

import type { Book, BookAnomalies, TradedVolume } from "./types.ts";

/** Anomaly counters that mean the book may be wrong (reported under `anomalies`). */
export const INTEGRITY_ANOMALIES: readonly (keyof BookAnomalies)[] = [
  "cancel_unknown",
  "modify_unknown",
  "cancel_oversize",
  "duplicate_add",
  "add_no_side",
  "bad_price",
  "maybe_bad_book",
  "unknown_action",
];

/** `[price in dollars, size, order count]`. */
export type LevelTriple = [price: number, size: number, count: number];

/** State of one book, as printed by `deno task book --end-state`. */
export interface BookEndState {
  /** Records applied to the book. */
  records: number;
  /** Resting orders. */
  resting_orders: number;
  /** Bid price levels. */
  bid_levels: number;
  /** Ask price levels. */
  ask_levels: number;
  /** Best bid levels, best first, as `[price, size, count]` with the price in dollars. */
  top_bids: LevelTriple[];
  /** Best ask levels, best first. */
  top_asks: LevelTriple[];
  /** `ts_event` of the last record (exact). */
  last_ts_event: bigint;
  /** `ts_recv` of the last record (exact). */
  last_ts_recv: bigint;
  /** `sequence` of the last record. */
  last_sequence: number;
  /** Non-zero {@linkcode INTEGRITY_ANOMALIES} counters (empty when the replay was clean). */
  anomalies: Partial<BookAnomalies>;
  /** Records with `F_LAST` after which the book was crossed (e.g. pre-open on CME). */
  crossed_records: number;
  /** `F` records for orders not in the book (e.g. auction fills of unseen orders). */
  unknown_fills: number;
  /** No `F_MAYBE_BAD_BOOK` since the last clear/snapshot. */
  valid: boolean;
  /** The last record carried `F_LAST` (the state is a consistent venue state). */
  consistent: boolean;
  /** Traded volume from `T` records. */
  traded_volume: TradedVolume;
}

/** Converts an integer price in 1e-9 units to dollars (a double). */
export function priceToDollars(price: number): number {
  return price / 1e9;
}

/** The end state of a book with its `levels` best levels per side (default 5). */
export function bookEndState(book: Book, levels = 5): BookEndState {
  const triple = (l: { price: number; size: number; count: number }): LevelTriple => [
    priceToDollars(l.price),
    l.size,
    l.count,
  ];
  const all = book.anomalies;
  const anomalies: Partial<BookAnomalies> = {};
  for (const k of INTEGRITY_ANOMALIES) if (all[k] !== 0) anomalies[k] = all[k];
  return {
    records: book.records,
    resting_orders: book.orderCount,
    bid_levels: book.levelCount("B"),
    ask_levels: book.levelCount("A"),
    top_bids: book.levels("B", levels).map(triple),
    top_asks: book.levels("A", levels).map(triple),
    last_ts_event: book.lastTsEvent,
    last_ts_recv: book.lastTsRecv,
    last_sequence: book.lastSequence,
    anomalies,
    crossed_records: all.crossed,
    unknown_fills: all.fill_unknown,
    valid: book.valid,
    consistent: book.consistent,
    traded_volume: { ...book.volume },
  };
}

/**
 * `JSON.stringify` that writes `bigint` values as exact JSON integers (e.g. nanosecond
 * timestamps beyond 2^53).
 */
export function stringifyExact(value: unknown, indent?: number): string {
  const marked = JSON.stringify(
    value,
    (_k, v) => (typeof v === "bigint" ? `\u0000big:${v}` : v),
    indent,
  );
  return marked.replace(/"\\u0000big:(-?\d+)"/g, "$1");
}
