/**
 * Limit-order books rebuilt from Databento market-by-order (MBO) data.
 *
 * {@linkcode OrderBooks} keeps one book per (publisher_id, instrument_id) and applies MBO records
 * with Databento's semantics:
 * - `R` clears the book; a run of `F_SNAPSHOT` records rebuilds it (cleared first when the run
 *   does not start with `R`, as in older files); snapshot records keep their original `ts_event`.
 * - `A` adds; `C` reduces the order by its size and removes it at zero; `M` changes price, size
 *   and side (a new price or side, or a larger size, loses queue priority; a smaller size keeps
 *   it; an unknown order id is an add); `T`, `F` and `N` never change the book.
 * - Traded volume comes from `T` only (fills double-count).
 * - {@linkcode Book.consistent} is true only after a record with `F_LAST`;
 *   {@linkcode Book.valid} turns false on `F_MAYBE_BAD_BOOK` until the next clear or snapshot.
 * - Unknown order ids, oversize cancels, duplicate adds and crossed books are counted in
 *   {@linkcode Book.anomalies}; nothing is fatal.
 *
 * The hot path, {@linkcode OrderBooks.applyBatch}, reads the decoder's `MboColumns` directly: u64
 * order ids are (lo, hi) int32 words in an open-addressing hash table (never rounded, no BigInt),
 * prices are exact doubles on sorted price ladders, and nothing is allocated per event.
 *
 * A {@linkcode BookObserver} sees every depth change (ADD / PULL / FILL at a price, with the
 * order's age), clears, trades, and the crossing of every 1-second boundary of event time (before
 * the first record of the new second), which is what the silver stage samples.
 *
 * @example Build a book record by record and query it
 * ```ts
 * import { OrderBooks } from "@spymaster/sdk/book";
 *
 * const books = new OrderBooks();
 * const px = (dollars: number) => BigInt(Math.round(dollars * 1e9));
 * const rec = { instrument_id: 17077, ts_event: 1_000n, size: 0, price: 0n, order_id: 0n };
 * books.apply({ ...rec, action: "A", side: "B", order_id: 1n, price: px(4810), size: 5 });
 * books.apply({ ...rec, action: "A", side: "B", order_id: 2n ** 60n, price: px(4810), size: 3 });
 * books.apply({ ...rec, action: "A", side: "A", order_id: 3n, price: px(4810.25), size: 7 });
 * books.apply({ ...rec, action: "C", side: "B", order_id: 1n, price: px(4810), size: 2 });
 * books.apply({ ...rec, action: "T", side: "B", price: px(4810.25), size: 4 });
 *
 * const book = books.book(17077)!;
 * console.log(book.best("B")); // { price: 4810000000000, size: 6, count: 2 }
 * console.log(book.best("A")); // { price: 4810250000000, size: 7, count: 1 }
 * console.log(book.volume.total, book.consistent); // 4 true
 * ```
 *
 * @example Replay a DBN file (columnar batches) and print the end-of-day top of book
 * ```ts ignore
 * import { openDbn } from "@spymaster/sdk/dbn";
 * import { bookEndState, OrderBooks, stringifyExact } from "@spymaster/sdk/book";
 *
 * const books = new OrderBooks();
 * const reader = await openDbn("esh4-glbx-mdp3-20231225.mbo.dbn.zst");
 * for await (const b of reader.batches()) if (b.kind === "mbo") books.applyBatch(b.columns);
 * console.log(stringifyExact(bookEndState(books.books()[0]), 1));
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./order_books.ts";
export * from "./end_state.ts";
export * from "./replay_file.ts";
