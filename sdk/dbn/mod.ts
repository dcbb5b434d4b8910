/**
 * Databento Binary Encoding (DBN) codec: a streaming decoder for `.dbn` and `.dbn.zst`
 * (multi-frame) files, versions 1 to 3 and fragments, and a v3 encoder.
 *
 * Two views of the records:
 * - **columnar batches** ({@linkcode MboColumns}, {@linkcode Cmbp1Columns}): one typed array per
 *   field, the hot path for market-by-order and consolidated quote data;
 * - **plain objects** ({@linkcode DbnRecord}) for everything else, with Databento's field names.
 *
 * 64-bit order ids, prices and timestamps are never rounded: they are `bigint` or 64-bit typed
 * arrays. Older versions are presented upgraded to the v3 field sets, as the reference
 * implementation does. Every decoding failure is a {@linkcode DbnError} naming the file and the
 * byte offset.
 *
 * @example Encode two MBO records, decode them back
 * ```ts
 * import { allocMboColumns, encodeDbn, openDbn, type Metadata } from "@spymaster/sdk/dbn";
 * import { mboRow } from "@spymaster/sdk/dbn";
 *
 * const cols = allocMboColumns(2);
 * cols.action.set([65, 67]); // 'A' then 'C'
 * cols.side.fill(66); // 'B'
 * cols.order_id.fill(2n ** 60n + 7n); // beyond 2^53, kept exact
 * cols.price.fill(21_000_250_000_000n); // 21000.25
 * cols.size.fill(3);
 * const metadata: Metadata = {
 *   version: 3, dataset: "GLBX.MDP3", schema: "mbo", start: 0n, end: null, limit: 0n,
 *   stype_in: "raw_symbol", stype_out: "instrument_id", ts_out: false, symbol_cstr_len: 71,
 *   symbols: [], partial: [], not_found: [], mappings: [],
 * };
 * const bytes = encodeDbn(metadata, [mboRow(cols, 0), mboRow(cols, 1)]);
 * const reader = await openDbn(bytes);
 * for await (const batch of reader.batches()) {
 *   if (batch.kind === "mbo") console.log(batch.columns.order_id[0] === 2n ** 60n + 7n); // true
 * }
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./error.ts";
export * from "./metadata.ts";
export * from "./records.ts";
export * from "./columns.ts";
export * from "./decoder.ts";
export * from "./encoder.ts";
export {
  compressSync as zstdCompress,
  isZstd,
  zstdCliAvailable,
  type ZstdEngine,
} from "./_zstd.ts";
