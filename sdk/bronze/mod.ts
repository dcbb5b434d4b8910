/**
 * The bronze layer (pipeline.md §2): raw Databento files of a session date → Parquet partitions
 * per contract / underlying, for `future_mbo`, `future_option_mbo`, `equity_mbo` and
 * `equity_option_cmbp_1`.
 *
 * - Session windows: futures the UTC day, equities 07:00-21:00 UTC; snapshot (flag 32) and clear
 *   (`R`) records are kept whatever their `ts_event`.
 * - Rows stay in file order (Databento files are in `ts_recv` order; snapshot records keep their
 *   place instead of being sorted by their old `ts_event`).
 * - Hard rejects (undefined timestamp, add/modify with undefined, zero or negative price, or zero
 *   size) are counted per reason in each partition's manifest.
 * - Futures options: 0DTE instruments selected from the day's definitions; equity options: 0DTE
 *   OPRA symbols of the ticker. Definitions and statistics are stored too.
 * - Streaming: columnar decode batches are filtered and copied into the partition writers; memory
 *   does not grow with the day's size.
 * - Replay: {@linkcode replayMboRows} applies the same row rules ({@linkcode selectMboRows}) to a
 *   day's raw MBO files and hands one symbol's rows over in memory, without writing partitions.
 *
 * @example Ingest a hand-built MBO file
 * ```ts
 * import { encodeDbn, type MboMsg, type Metadata } from "@spymaster/sdk/dbn";
 * import { openLake } from "@spymaster/sdk/lake";
 * import { ingestMbo } from "@spymaster/sdk/bronze";
 *
 * const metadata: Metadata = {
 *   version: 3, dataset: "GLBX.MDP3", schema: "mbo", start: 0n, end: null, limit: 0n,
 *   stype_in: "raw_symbol", stype_out: "instrument_id", ts_out: false, symbol_cstr_len: 71,
 *   symbols: ["MNQH6"], partial: [], not_found: [],
 *   mappings: [{ raw_symbol: "MNQH6", intervals: [{ start_date: "2026-02-06", end_date: "2026-02-07", symbol: "7" }] }],
 * };
 * const at = (s: number) => 1_770_336_000_000_000_000n + BigInt(s) * 1_000_000_000n; // 2026-02-06 00:00 UTC + s
 * const rec = (ts: bigint, action: string, flags = 0): MboMsg => ({
 *   rtype: 0xa0, length: 14, publisher_id: 1, instrument_id: 7, ts_event: ts, order_id: 1n,
 *   price: 21_000_000_000_000n, size: 1, flags, channel_id: 0, action, side: "B",
 *   ts_recv: ts, ts_in_delta: 0, sequence: 0,
 * });
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/day.dbn`, encodeDbn(metadata, [
 *   rec(at(-3600), "A", 32), // snapshot record from the day before: kept
 *   rec(at(-3600), "A"), // outside the session: dropped
 *   rec(at(60), "A"),
 * ]));
 * const lake = await openLake(dir);
 * const r = await ingestMbo({
 *   lake, productType: "future_mbo", dt: "2026-02-06", files: [`${dir}/day.dbn`],
 *   stage: "example", overwrite: false, source: "synthetic", // → bronze/source=synthetic/…
 * });
 * console.log(r.partitions[0].symbol, r.partitions[0].rows); // MNQH6 2
 * ```
 *
 * @module
 */
export * from "./bench.ts";
export * from "./cmbp1.ts";
export * from "./definitions.ts";
export * from "./mbo.ts";
export * from "./opra.ts";
export * from "./session.ts";
export * from "./stages.ts";
export * from "./replay_mbo.ts";
