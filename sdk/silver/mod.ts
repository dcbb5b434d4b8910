/**
 * Silver: 1-second book snapshots (`book_snapshot_1s`) and per-price depth and order flow
 * (`depth_and_flow_1s`) for the four product types, computed by streaming engines over columnar
 * batches, plus the pipeline stages that read bronze and write silver partitions.
 *
 * - {@linkcode MboSilver}: `future_mbo` (one row per price, `rel_ticks` in ticks) and
 *   `equity_mbo` (rows per $-bucket around a bucketed spot);
 * - {@linkcode OptionMboSilver}: `future_option_mbo`, a dense strike grid around the futures spot;
 * - {@linkcode Cmbp1Silver}: `equity_option_cmbp_1`, CMBP-1 quotes on a strike grid around the
 *   equity spot;
 * - `stages.ts` (imported by `sdk/pipeline`, not re-exported here): the four lake stages, which
 *   read bronze (and the underlying's silver spot for options) and write both silver tables
 *   through the atomic partition writer.
 *
 * On every depth row `depth_qty_start + add_qty - pull_qty - fill_qty = depth_qty_end` exactly,
 * `depth_qty_start` being the depth observed at window start. Differences from the original
 * Python pipeline are listed in `docs/deviations.md`.
 *
 * @example Two windows of a futures book
 * ```ts
 * import { allocMboColumns } from "@spymaster/sdk/dbn";
 * import { MboSilver } from "@spymaster/sdk/silver";
 *
 * const cols = allocMboColumns(3);
 * cols.action.set([65, 65, 67]); // A, A, C
 * cols.side.set([66, 65, 66]); // B, A, B
 * cols.price.set([25_000_000_000n, 25_250_000_000n, 25_000_000_000n]);
 * cols.size.set([10, 5, 4]);
 * cols.order_id.set([1n, 2n, 1n]);
 * cols.ts_event.set([100_000_000n, 200_000_000n, 1_300_000_000n]);
 * cols.flags.fill(128); // F_LAST
 *
 * const silver = new MboSilver({ kind: "future", unit: 250_000_000, grid: 200 });
 * silver.push(cols);
 * silver.finish();
 * const flow = silver.takeFlows();
 * // window 2, bid 25.00: start 10, pull 4, end 6
 * console.log(flow.depth_qty_start[2], flow.pull_qty[2], flow.depth_qty_end[2]);
 * ```
 *
 * @module
 */
export * from "./columns.ts";
export * from "./session.ts";
export * from "./mbo_silver.ts";
export * from "./option_mbo_silver.ts";
export * from "./cmbp1_silver.ts";
export * from "./bench.ts";
export type { SpotSeries } from "./_spot.ts";
export type { MboColumnsLike } from "../book/types.ts";
