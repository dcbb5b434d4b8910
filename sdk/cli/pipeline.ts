/**
 * `deno task pipeline`: run bronze / silver / gold for a product type, a symbol and dates.
 * See `sdk/pipeline/args.ts` for the flags. Exit status: 0 when every task succeeded, 1 when any
 * failed, 2 for a bad command line or configuration.
 *
 * @module
 */
import { parsePipelineArgs, USAGE } from "../pipeline/args.ts";
import { ProgressRenderer } from "../pipeline/progress.ts";
import { planRun, runPipeline } from "../pipeline/runner.ts";

if (import.meta.main) {
  let parsed;
  try {
    parsed = parsePipelineArgs(Deno.args);
  } catch (e) {
    console.error(`pipeline: ${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  if (parsed.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  let plan;
  try {
    plan = (await planRun(parsed.options)).plan;
  } catch (e) {
    console.error(`pipeline: ${(e as Error).message}`);
    Deno.exit(2);
  }
  const d = plan.dates;
  console.log(
    `pipeline: product_type=${plan.productType} layer=${parsed.options.layer} symbol=${plan.symbol} ` +
      `dates=${d.length} (${d[0]}..${d[d.length - 1]}) tasks=${d.length} workers=${plan.workers} ` +
      `overwrite=${plan.overwrite} lake=${plan.lakeRoot}`,
  );
  const view = new ProgressRenderer({ quiet: parsed.quiet });
  const result = await runPipeline({ ...parsed.options, onEvent: (e) => view.handle(e) });
  view.finish();
  const ok = result.tasks.length - result.failed;
  console.log(`DONE ${ok} ok, ${result.failed} failed; lake: ${result.plan.lakeRoot}`);
  Deno.exit(result.failed ? 1 : 0);
}
