/**
 * Validation of lake partitions (`deno task validate`): every partition of a product type, symbol
 * and dates is checked layer by layer, with thresholds taken from the product
 * (`config/products.yaml`: tick, grid, bucket, strike step), never from ES or QQQ constants.
 *
 * - bronze: actions, sides, prices and sizes of every event, row order, volumes by action;
 * - silver: windows contiguous and exactly 1 s, crossed and one-sided books, mid and spot
 *   consistency, spot jumps, book validity share; the accounting identity
 *   `start + add - pull - fill = end` on every depth row, `rel_ticks` consistent with price and
 *   spot, dense option grids; bronze add/fill volume against silver sums over the same windows;
 * - gold: every double column finite and inside its expected range ({@linkcode GOLD_RANGES}),
 *   keys and row counts against silver;
 * - every layer: the manifest describes the files, and the lineage hashes of its inputs (upstream
 *   manifests, raw files) still match.
 *
 * Each check ends `PASS`, `WARN`, `FAIL` or `INFO` (see {@linkcode Status}); a report with any
 * `FAIL` is `FAIL`.
 *
 * @example Validate the silver layer of a demo day
 * ```ts ignore
 * import { openLake, loadProducts } from "@spymaster/sdk/lake";
 * import { formatReport, validate } from "@spymaster/sdk/validate";
 *
 * const report = await validate({
 *   lake: await openLake("lake"),
 *   products: await loadProducts("config/products.yaml"),
 *   productType: "future_mbo",
 *   symbol: "MNQ",
 *   dates: ["2026-02-06"],
 *   layers: ["silver"],
 * });
 * console.log(formatReport(report));
 * if (report.status === "FAIL") Deno.exit(1);
 * ```
 *
 * @module
 */
export * from "./report.ts";
export * from "./params.ts";
export * from "./validate.ts";
export { GOLD_RANGES, type GoldRange } from "./gold.ts";
export { lineageChecks, type LineageOptions } from "./lineage.ts";
