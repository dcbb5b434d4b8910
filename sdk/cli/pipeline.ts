/**
 * `deno task pipeline`: run the registered layers (bronze, silver, later layers) for a product
 * type, a symbol and dates. The flags are compatible with the original runner (pipeline.md §1.1),
 * plus `--start/--end` and `--lake`. Exit status: 0 when every task succeeded, 1 when any failed,
 * 2 for a bad command line or configuration.
 *
 * @module
 */
import { checkDate, datesBetween, RAW_SOURCES } from "../lake/paths.ts";
import { PRODUCT_TYPES } from "../lake/product_types.ts";
import { ProgressRenderer } from "../pipeline/progress.ts";
import { LAYERS } from "../pipeline/registry.ts";
import { planRun, type RunOptions, runPipeline } from "../pipeline/runner.ts";
import { CliError, defineCommand, type FlagsOf, UsageError } from "./_args.ts";

/** The command line of `deno task pipeline`. */
export const command = defineCommand({
  name: "deno task pipeline",
  summary: "Runs the pipeline layers for a product type, a symbol and session dates. A failing " +
    "date never stops the others.",
  flags: {
    "product-type": {
      type: "string",
      required: true,
      choices: PRODUCT_TYPES,
      description: "product type",
    },
    layer: {
      type: "string",
      required: true,
      choices: [...LAYERS, "all"],
      description: "one layer, or all: every layer registered for the product type, in order",
    },
    symbol: {
      type: "string",
      required: true,
      value: "S",
      description: "bronze: root (MNQ) or ticker (QQQ); later layers: contract (MNQH6) or " +
        "ticker (a root is resolved to that day's most active bronze contract)",
    },
    dt: { type: "date", description: "one session date; wins over the other date forms" },
    dates: {
      type: "string",
      value: "D1,D2|START:END",
      description:
        "comma list (de-duplicated, sorted) or START:END (inclusive, every calendar day)",
    },
    "start-date": { type: "date", description: "first date of an inclusive range (or --start)" },
    "end-date": { type: "date", description: "last date of an inclusive range (or --end)" },
    start: { type: "date", description: "same as --start-date" },
    end: { type: "date", description: "same as --end-date" },
    workers: {
      type: "integer",
      min: 1,
      description: "tasks (dates) run at once in worker threads (default 1)",
    },
    overwrite: { type: "boolean", description: "rebuild partitions that are already complete" },
    source: {
      type: "string",
      choices: RAW_SOURCES,
      description: "raw provenance to read: databento, synthetic or lobster (default: the only " +
        "one present for the symbol and date; several present is an error)",
    },
    lake: {
      type: "string",
      value: "DIR",
      description: "lake root, any folder (default: lake_root of the lake configuration)",
    },
    config: {
      type: "string",
      value: "FILE",
      description: "your own datasets.yaml (products.yaml is read from the same folder)",
    },
    quiet: { type: "boolean", description: "print failures only" },
  },
  examples: [
    "deno task pipeline --product-type future_mbo --layer all --symbol MNQ --dt 2026-02-06",
    "deno task pipeline --product-type equity_mbo --layer silver --symbol QQQ --start 2026-02-02 --end 2026-02-06",
  ],
});

/** The run options of parsed flags; throws a {@linkcode UsageError} for a bad date selection. */
export function runOptions(f: FlagsOf<typeof command>): RunOptions {
  const start = f["start-date"] ?? f.start;
  const end = f["end-date"] ?? f.end;
  let dates: string[];
  try {
    if (f.dt) dates = [f.dt];
    else if (start !== undefined || end !== undefined) {
      if (start === undefined || end === undefined) {
        throw new Error(
          "--start-date and --end-date (or --start and --end) must be given together",
        );
      }
      dates = datesBetween(start, end);
    } else if (f.dates) {
      const d = f.dates.trim();
      if (d.includes(":")) {
        const [a, b] = d.split(":");
        dates = datesBetween(a.trim(), b.trim());
      } else {
        dates = [...new Set(d.split(",").map((x) => x.trim()).filter(Boolean))].sort();
        for (const x of dates) checkDate(x, "--dates entry");
      }
    } else throw new Error("Must provide --dt, --dates, or --start-date/--end-date");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    productType: f["product-type"],
    layer: f.layer,
    symbol: f.symbol,
    dates,
    workers: f.workers,
    overwrite: f.overwrite,
    source: f.source,
    lakeRoot: f.lake,
    configPath: f.config,
  };
}

/**
 * The run options of a command line (`undefined` for `--help`); throws a {@linkcode UsageError}
 * for a bad one.
 */
export function parsePipelineArgs(argv: string[]): RunOptions | undefined {
  const a = command.parse(argv);
  return a && runOptions(a.flags);
}

/** Runs `deno task pipeline` with `argv`; returns the exit status. */
export function main(argv: string[]): Promise<number> {
  return command.run(argv, async ({ flags }) => {
    const options = runOptions(flags);
    let plan;
    try {
      plan = (await planRun(options)).plan;
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) throw e;
      throw new CliError((e as Error).message, 2);
    }
    const d = plan.dates;
    console.log(
      `pipeline: product_type=${plan.productType} layers=${plan.layers.join(",")} ` +
        `symbol=${plan.symbol} dates=${d.length} (${d[0]}..${d[d.length - 1]}) ` +
        `tasks=${d.length} workers=${plan.workers} overwrite=${plan.overwrite} lake=${plan.lakeRoot}`,
    );
    const view = new ProgressRenderer({ quiet: flags.quiet });
    const result = await runPipeline({ ...options, onEvent: (e) => view.handle(e) });
    view.finish();
    const ok = result.tasks.length - result.failed;
    console.log(`DONE ${ok} ok, ${result.failed} failed; lake: ${result.plan.lakeRoot}`);
    return result.failed ? 1 : 0;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
