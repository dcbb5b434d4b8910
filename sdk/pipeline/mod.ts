/**
 * The pipeline runner and stage registry behind `deno task pipeline`.
 *
 * A run is (product type, layer or `all`, symbol, dates). Each date is a task; a task runs the
 * registered stages of each layer in order (bronze → silver → gold). Bronze takes the root or
 * ticker and writes one partition per contract; silver and gold take a contract (a root is
 * resolved to that day's most active bronze contract). `workers > 1` runs tasks in Web Workers.
 * Failed tasks are reported, never swallowed.
 *
 * Silver and gold modules plug in by exporting {@linkcode Stage} objects and registering them in
 * `stages.ts` ({@linkcode defaultRegistry}).
 *
 * @example Register a stage and run it
 * ```ts
 * import { runPipeline, type Stage, StageRegistry } from "@spymaster/sdk/pipeline";
 *
 * const seen: string[] = [];
 * const stage: Stage = {
 *   name: "bronze_example", layer: "bronze", productType: "equity_mbo",
 *   run: (ctx) => {
 *     seen.push(`${ctx.symbol} ${ctx.dt}`);
 *     return Promise.resolve({ partitions: [] });
 *   },
 * };
 * const registry = new StageRegistry().register(stage);
 * const r = await runPipeline({
 *   productType: "equity_mbo", layer: "bronze", symbol: "QQQ",
 *   dates: ["2026-02-06", "2026-02-05"], registry, lakeRoot: await Deno.makeTempDir(),
 * });
 * console.log(r.failed, seen); // 0 [ "QQQ 2026-02-05", "QQQ 2026-02-06" ]
 * ```
 *
 * @module
 */
export * from "./progress.ts";
export * from "./registry.ts";
export * from "./runner.ts";
export * from "./stages.ts";
