/**
 * The data lake: configuration (`config/products.yaml`, `config/datasets.yaml`), Avro contracts
 * (`contracts/`), Hive-partitioned Parquet partitions written atomically with a manifest, and
 * readers (typed-array batches, Arrow tables, DuckDB views).
 *
 * Layout: `<lake>/<dataset path with symbol>/dt=<YYYY-MM-DD>/` holding `part-NNNNN.parquet`,
 * `_MANIFEST.json` (rows, schema hash, inputs with sha256, code version, timings, rejected-row
 * counts) and `_SUCCESS`, written last. A partition is complete iff `_SUCCESS` exists.
 *
 * Concurrency: a {@linkcode PartitionWriter} holds the partition's lock file (`.lock_dt=<dt>` in
 * the table folder, {@linkcode acquirePartitionLock}) from open to commit/abort. A second process
 * writing the same partition gets a {@linkcode LockedError} naming the owner (pid, host, start,
 * command); a dead owner's lock and temp folders are taken over by the next writer.
 *
 * Lineage: a manifest lists its inputs (raw files with size and sha256, upstream partitions with
 * the sha256 of their manifest). {@linkcode partitionFreshness}`(lake, dataset, key, current?)`
 * answers `missing`, `fresh` or `stale` (with the changed inputs: `size changed`, `sha256
 * changed`, `rebuilt since`, `new input`; inputs that are gone are listed as `unverifiable` and
 * do not make a partition stale, since it cannot be rebuilt from them), and
 * {@linkcode upstreamInput} builds the
 * lineage entry of an upstream partition. Stages skip a partition only when it is `fresh`, and
 * rebuild a `stale` one, logging {@linkcode describeStale}: bronze and silver do; gold and later
 * layers call the same two functions with their upstream partitions.
 *
 * @example Write a partition from typed arrays, read it back
 * ```ts
 * import { openLake, readBatches, readTable, writePartition } from "@spymaster/sdk/lake";
 *
 * const lake = await openLake(await Deno.makeTempDir(), { validateEvery: 1 });
 * const n = 3;
 * const ts = BigInt64Array.from([0n, 1n, 2n], (i) => 1_770_386_400_000_000_000n + i);
 * const batch = {
 *   window_start_ts_ns: ts, window_end_ts_ns: ts.map((t) => t + 1_000_000_000n),
 *   best_bid_price_int: new BigInt64Array(n).fill(21_000_000_000_000n),
 *   best_bid_qty: new Int32Array([3, 4, 5]),
 *   best_ask_price_int: new BigInt64Array(n).fill(21_000_250_000_000n),
 *   best_ask_qty: new Int32Array([1, 1, 2]),
 *   mid_price: new Float64Array(n).fill(21000.125),
 *   mid_price_int: new BigInt64Array(n).fill(21_000_125_000_000n),
 *   last_trade_price_int: new BigInt64Array(n),
 *   spot_ref_price_int: new BigInt64Array(n).fill(21_000_000_000_000n),
 *   book_valid: new Uint8Array([1, 1, 0]),
 * };
 * const key = { symbol: "MNQH6", dt: "2026-02-06" };
 * const m = await writePartition(lake, "silver.future_mbo.book_snapshot_1s", key, [batch]);
 * console.log(m.row_count); // 3
 * for await (const b of readBatches(lake, "silver.future_mbo.book_snapshot_1s", key)) {
 *   console.log(b.columns.best_bid_qty); // BigInt64Array [3n, 4n, 5n]
 * }
 * const table = await readTable(lake, "silver.future_mbo.book_snapshot_1s", key);
 * console.log(table.numRows); // 3
 * ```
 *
 * @module
 */
export * from "./columns.ts";
export * from "./contracts.ts";
export * from "./datasets.ts";
export * from "./lake.ts";
export * from "./lineage.ts";
export * from "./manifest.ts";
export * from "./partition_lock.ts";
export * from "./paths.ts";
export * from "./products.ts";
export * from "./product_types.ts";
export * from "./reader.ts";
export * from "./sql.ts";
export * from "./writer.ts";
export { holdParquetWorkers } from "./_sink.ts";
