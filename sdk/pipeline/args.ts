/**
 * Command-line flags of `deno task pipeline`, compatible with the original runner
 * (pipeline.md §1.1) plus `--start/--end` and `--lake`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { checkDate, checkSource, datesBetween } from "../lake/paths.ts";
import type { RunOptions } from "./runner.ts";

/** Usage text. */
export const USAGE: string =
  `usage: deno task pipeline --product-type P --layer bronze|silver|gold|all --symbol S
         (--dt D | --dates D1,D2,... | --dates START:END | --start-date D --end-date D | --start D --end D)
         [--source databento|synthetic|lobster] [--workers N] [--overwrite] [--lake DIR]
         [--config config/datasets.yaml] [--quiet]

  --product-type  future_mbo | future_option_mbo | equity_mbo | equity_option_cmbp_1
  --layer         bronze, silver, gold, or all (bronze, silver, gold in order)
  --symbol        bronze: root (MNQ) or ticker (QQQ); silver/gold: contract (MNQH6) or ticker
                  (a root is resolved to that day's most active bronze contract)
  --dt            one session date; wins over the other date forms
  --dates         comma list (de-duplicated, sorted) or START:END (inclusive, every calendar day)
  --start-date/--end-date (or --start/--end)  inclusive range; wins over --dates
  --source        raw provenance to read: databento, synthetic or lobster (default: the only one
                  holding that symbol and date; several are an error listing them)
  --workers       tasks (dates) run at once in worker threads (default 1)
  --overwrite     rebuild partitions that are already complete (any layer)
  --lake          lake root (default: lake_root of config/datasets.yaml)
  --config        datasets.yaml; products.yaml is read from the same folder
  --quiet         print failures only`;

/** Parsed command line. */
export interface PipelineArgs {
  /** Run options (without callbacks). */
  options: RunOptions;
  /** `--quiet`. */
  quiet: boolean;
  /** `--help`. */
  help: boolean;
}

/** Parses the flags; throws an Error with a clear message on bad input. */
export function parsePipelineArgs(args: string[]): PipelineArgs {
  const { values } = parseArgs({
    args,
    options: {
      "product-type": { type: "string" },
      layer: { type: "string" },
      symbol: { type: "string" },
      dt: { type: "string" },
      dates: { type: "string" },
      "start-date": { type: "string" },
      "end-date": { type: "string" },
      start: { type: "string" },
      end: { type: "string" },
      config: { type: "string" },
      workers: { type: "string" },
      overwrite: { type: "boolean", default: false },
      source: { type: "string" },
      lake: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    return {
      options: { productType: "", layer: "", symbol: "", dates: [] },
      quiet: false,
      help: true,
    };
  }
  for (const k of ["product-type", "layer", "symbol"] as const) {
    if (!values[k]) throw new Error(`--${k} is required`);
  }
  const start = values["start-date"] ?? values.start;
  const end = values["end-date"] ?? values.end;
  let dates: string[];
  if (values.dt) {
    checkDate(values.dt, "--dt");
    dates = [values.dt];
  } else if (start !== undefined || end !== undefined) {
    if (start === undefined || end === undefined) {
      throw new Error("--start-date and --end-date (or --start and --end) must be given together");
    }
    dates = datesBetween(start, end);
  } else if (values.dates) {
    const d = values.dates.trim();
    if (d.includes(":")) {
      const [a, b] = d.split(":");
      dates = datesBetween(a.trim(), b.trim());
    } else {
      dates = [...new Set(d.split(",").map((x) => x.trim()).filter(Boolean))].sort();
      for (const x of dates) checkDate(x, "--dates entry");
    }
  } else {
    throw new Error("Must provide --dt, --dates, or --start-date/--end-date");
  }
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1) {
      throw new Error(`--workers must be a positive integer, got '${values.workers}'`);
    }
  }
  return {
    options: {
      productType: values["product-type"]!,
      layer: values.layer!,
      symbol: values.symbol!,
      dates,
      workers,
      overwrite: values.overwrite,
      source: values.source === undefined ? undefined : checkSource(values.source),
      lakeRoot: values.lake,
      configPath: values.config,
    },
    quiet: values.quiet ?? false,
    help: false,
  };
}
