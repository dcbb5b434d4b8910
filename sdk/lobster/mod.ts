/**
 * LOBSTER (lobsterdata.com) NASDAQ order-book files: streaming readers for the message and
 * orderbook CSVs (plain or gzip), the mapping of LOBSTER messages to Databento-style MBO records,
 * a replay of a message file through the SDK's book engine that reproduces LOBSTER's orderbook
 * file, and the import of a pair into the lake as a bronze `equity_mbo` partition
 * ({@linkcode importLobster}, CLI `deno task lobster import`).
 *
 * Message types map to MBO actions as: 1 submit → `A`; 2 partial cancel and 3 delete → `C`;
 * 4 visible execution → `T` (aggressor side) + `F` + `C` on the resting order; 5 hidden
 * execution → `T` only (traded volume, no book change); 6 cross → `T` side `N`; 7 halt → `N`
 * (the replay and the import emit no record for it and list it in their stats instead).
 * Times are LOBSTER's ns after midnight, New York local time of the file's date, converted to
 * UTC ({@linkcode newYorkClock}); prices $ × 10,000 become 1e-9 units (× 100,000).
 *
 * @example Map a message to MBO records
 * ```ts
 * import { lobsterMessageToMbo } from "@spymaster/sdk/lobster";
 *
 * // 4 = execution of a visible sell order (direction −1) of 100 shares at $585.33
 * const recs = lobsterMessageToMbo(4, 15818974, 100, 5853300, -1);
 * console.log(recs.map(([a, s]) => String.fromCharCode(a, s))); // [ "TB", "FA", "CA" ]
 * ```
 *
 * @example Replay a day and write LOBSTER-format rows
 * ```ts ignore
 * import { replayLobster } from "@spymaster/sdk/lobster";
 *
 * const { stats } = await replayLobster(
 *   "GOOG_2012-06-21_34200000_57600000_message_10.csv.gz",
 *   "GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz",
 *   { onRow: (row, i) => i < 2 && console.log(row.join(",")) },
 * );
 * console.log(stats.insideMismatches); // 0
 * ```
 *
 * @example Import a pair into the lake (bronze equity_mbo, symbol and date from the file names)
 * ```ts ignore
 * import { importLobster } from "@spymaster/sdk/lobster";
 *
 * const r = await importLobster(
 *   "GOOG_2012-06-21_34200000_57600000_message_10.csv.gz",
 *   "GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz",
 *   { lake: "lake" },
 * );
 * console.log(r.dataset, r.symbol, r.dt, r.rows); // bronze.equity_mbo.mbo GOOG 2012-06-21 …
 * ```
 *
 * @module
 */
export * from "./parse_lobster.ts";
export * from "./lobster_to_mbo.ts";
export * from "./replay_lobster.ts";
export * from "./import_lobster.ts";
export type { MboColumns } from "../dbn/mod.ts";
