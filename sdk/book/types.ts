/**
 * Public types of the book engine: the read-only {@linkcode Book} view, levels, resting orders,
 * anomaly counters, the observer hooks and the column / record shapes the engine consumes.
 *
 * @module
 */

/** A book side: `"B"` / `"A"` or their ASCII codes 66 / 65 (as in the MBO columns). */
export type SideLike = "B" | "A" | 66 | 65;

/** One price level. `price` is the integer price in units of 1e-9 (exact in a double). */
export interface Level {
  /** Price in 1e-9 units (e.g. 4810250000000 for 4810.25). */
  price: number;
  /** Total resting size at the level. */
  size: number;
  /** Number of resting orders at the level. */
  count: number;
}

/** A resting order, as returned by the book queries. */
export interface RestingOrder {
  /** Venue order id (u64, exact). */
  order_id: bigint;
  /** `"B"` bid or `"A"` ask. */
  side: "B" | "A";
  /** Price in 1e-9 units. */
  price: number;
  /** Remaining size. */
  size: number;
  /**
   * Entry time: `ts_event` of the record that gave the order its current queue priority (the add,
   * or the last modify that changed its price or side or increased its size). Snapshot orders
   * carry their original time.
   */
  ts_event: bigint;
}

/**
 * Problems found while replaying, counted per book. None of them stops the replay.
 */
export interface BookAnomalies {
  /** `C` for an order id that is not in the book (ignored). */
  cancel_unknown: number;
  /** `M` for an order id that is not in the book (applied as an add, per Databento). */
  modify_unknown: number;
  /** `F` for an order id that is not in the book. */
  fill_unknown: number;
  /** `C` whose size exceeds the order's remaining size (the order is removed). */
  cancel_oversize: number;
  /** `A` for an order id that is already resting (the old order is replaced). */
  duplicate_add: number;
  /** `A` (or `M` of an unknown id) without a usable side (`N`): ignored. */
  add_no_side: number;
  /** `A`/`M` with an undefined price (`UNDEF_PRICE`): ignored. */
  bad_price: number;
  /** Records with `F_LAST` after which the best bid was above the best ask. */
  crossed: number;
  /** Records flagged `F_MAYBE_BAD_BOOK` (the book is marked invalid until the next clear/snapshot). */
  maybe_bad_book: number;
  /** Records whose action is none of A, C, M, R, T, F, N. */
  unknown_action: number;
}

/** Names of the {@linkcode BookAnomalies} counters, in a stable order. */
export const ANOMALY_NAMES: readonly (keyof BookAnomalies)[] = [
  "cancel_unknown",
  "modify_unknown",
  "fill_unknown",
  "cancel_oversize",
  "duplicate_add",
  "add_no_side",
  "bad_price",
  "crossed",
  "maybe_bad_book",
  "unknown_action",
];

/** Traded volume from `T` records, by aggressor side (`F` fills are never counted). */
export interface TradedVolume {
  /** Total size of all `T` records. */
  total: number;
  /** Buyer-initiated (`T` with side `B`). */
  B: number;
  /** Seller-initiated (`T` with side `A`). */
  A: number;
  /** No aggressor (side `N`, e.g. auction prints). */
  N: number;
  /** Number of `T` records. */
  trades: number;
}

/**
 * Read-only view of the order book of one (publisher_id, instrument_id).
 *
 * Prices are integers in units of 1e-9 (Databento's fixed-point scale) held in doubles, which is
 * exact for every real price. Sides accept `"B"`/`"A"` or 66/65. Levels are listed best first.
 */
export interface Book {
  /** Databento publisher id. */
  readonly publisher_id: number;
  /** Instrument id. */
  readonly instrument_id: number;
  /**
   * True after a record with `F_LAST` (and outside a snapshot run): only then is the book a
   * consistent venue state. False in the middle of a multi-record event or a snapshot.
   */
  readonly consistent: boolean;
  /**
   * False once a record flagged `F_MAYBE_BAD_BOOK` has been seen, until the next clear (`R`) or
   * snapshot; the book may then miss updates and must not be trusted.
   */
  readonly valid: boolean;
  /** True while a run of `F_SNAPSHOT` records is being applied. */
  readonly inSnapshot: boolean;
  /** Number of resting orders. */
  readonly orderCount: number;
  /** Records applied to this book (every action). */
  readonly records: number;
  /** Clears applied (`R` records plus snapshot runs that started without `R`). */
  readonly clears: number;
  /** Snapshot runs seen. */
  readonly snapshots: number;
  /** `ts_event` of the last record applied (0n before any). */
  readonly lastTsEvent: bigint;
  /** `ts_recv` of the last record applied (0n before any). */
  readonly lastTsRecv: bigint;
  /** `sequence` of the last record applied. */
  readonly lastSequence: number;
  /** Price of the last `T` record with a defined price (1e-9 units), or `NaN`. */
  readonly lastTradePrice: number;
  /** Traded volume (from `T` only). */
  readonly volume: Readonly<TradedVolume>;
  /** Anomaly counters. */
  readonly anomalies: Readonly<BookAnomalies>;
  /** Number of price levels on a side. */
  levelCount(side: SideLike): number;
  /** Best price on a side (1e-9 units), or `NaN` when the side is empty. */
  bestPrice(side: SideLike): number;
  /** Best level on a side, or `undefined`. */
  best(side: SideLike): Level | undefined;
  /** The best `n` levels of a side (all by default), best first. */
  levels(side: SideLike, n?: number): Level[];
  /** The level at `price`, or `undefined`. */
  level(side: SideLike, price: number | bigint): Level | undefined;
  /** Resting size at `price` (0 when there is no level). */
  depth(side: SideLike, price: number | bigint): number;
  /**
   * Calls `fn(price, size, count)` for each level of a side, best first, without allocating;
   * stops early when `fn` returns `false`.
   */
  forEachLevel(side: SideLike, fn: (price: number, size: number, count: number) => unknown): void;
  /** Resting orders (one side or both, bids first), best level first, queue order in a level. */
  orders(side?: SideLike): RestingOrder[];
  /** Resting orders at one price, in queue order. */
  ordersAt(side: SideLike, price: number | bigint): RestingOrder[];
  /** The resting order with this id, or `undefined`. */
  order(order_id: bigint): RestingOrder | undefined;
  /**
   * Total size of the orders at `price` whose entry time (see {@linkcode RestingOrder.ts_event})
   * is at or before `enteredBy` (e.g. "resting at least 500 ms at window end").
   */
  restingSizeAt(side: SideLike, price: number | bigint, enteredBy: bigint): number;
  /** True when both sides are non-empty and the best bid is above the best ask. */
  isCrossed(): boolean;
}

/** Kinds of depth change reported to {@linkcode BookObserver.depth}. */
export const DepthChange = {
  /** Size added at a price (new order, modify into the level, size increase). */
  ADD: 0,
  /** Size removed at a price by a cancel or modify that is not a fill. */
  PULL: 1,
  /** Size removed at a price because the order was filled (a `C`/`M` consuming a pending `F`). */
  FILL: 2,
} as const;

/**
 * Hooks called by {@linkcode OrderBooks} while it applies records. All are optional and are
 * called synchronously; the book passed in can be queried inside the call.
 */
export interface BookObserver {
  /**
   * A change of resting size at one price. `side` is 66 (bid) or 65 (ask), `price` in 1e-9 units,
   * `kind` a {@linkcode DepthChange} value, `qty` > 0. For PULL and FILL, `ageNs` is the time in
   * ns between the order's entry (see {@linkcode RestingOrder.ts_event}) and the current record's
   * `ts_event`; it is 0 for ADD. A reduction is a FILL up to the size of the `F` records seen for
   * that order in the same venue event (CME reports a fill as `F` then `C`/`M`), else a PULL.
   * Clears are not reported here (see {@linkcode BookObserver.clear}).
   */
  depth?(book: Book, side: number, price: number, kind: number, qty: number, ageNs: number): void;
  /** Called just before a book is cleared (`R`, or a snapshot run starting without `R`). */
  clear?(book: Book): void;
  /** A `T` record: `price` in 1e-9 units (`NaN` when undefined), `side` the aggressor code. */
  trade?(book: Book, price: number, size: number, side: number): void;
  /**
   * The clock crossed `endNs`, a multiple of the interval: called before the first record at or
   * after `endNs` is applied, once for every interval end in between (gaps included), so the
   * books hold exactly the records before `endNs`. Snapshot records never move the clock (they
   * carry their orders' original times). Call {@linkcode OrderBooks.finish} after the last record
   * for the final interval.
   */
  boundary?(endNs: bigint): void;
}

/**
 * The MBO columns the engine reads (a structural subset of the DBN decoder's `MboColumns`).
 * Row `i` is record `i`; 64-bit values are exact typed arrays.
 */
export interface MboColumnsLike {
  /** Number of records. */
  length: number;
  /** Publisher id per record. */
  publisher_id: Uint16Array;
  /** Instrument id per record. */
  instrument_id: Uint32Array;
  /** Event time (ns). */
  ts_event: BigUint64Array;
  /** Order id. */
  order_id: BigUint64Array;
  /** Price (1e-9 units, `UNDEF_PRICE` = i64 max). */
  price: BigInt64Array;
  /** Size. */
  size: Uint32Array;
  /** Flag bits. */
  flags: Uint8Array;
  /** Action ASCII code. */
  action: Uint8Array;
  /** Side ASCII code. */
  side: Uint8Array;
  /** Receive time (ns). */
  ts_recv: BigUint64Array;
  /** Venue sequence number. */
  sequence: Uint32Array;
}

/**
 * One MBO record as a plain object (the DBN decoder's `MboMsg` fits). `action` and `side` may be
 * one-character strings or ASCII codes.
 */
export interface MboRecordLike {
  /** Publisher id (default 0). */
  publisher_id?: number;
  /** Instrument id. */
  instrument_id: number;
  /** Event time (ns). */
  ts_event: bigint;
  /** Order id. */
  order_id: bigint;
  /** Price in 1e-9 units. */
  price: bigint;
  /** Size. */
  size: number;
  /** Flag bits (default 128 = F_LAST). */
  flags?: number;
  /** Action: "A", "C", "M", "R", "T", "F", "N" or its code. */
  action: string | number;
  /** Side: "B", "A", "N" or its code. */
  side: string | number;
  /** Receive time (default `ts_event`). */
  ts_recv?: bigint;
  /** Sequence number (default 0). */
  sequence?: number;
}
