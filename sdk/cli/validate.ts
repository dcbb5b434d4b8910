/**
 * `deno task validate --product-type P --symbol S (--dt D | --start D --end D)
 * [--layer bronze|silver|gold|all] [--json FILE] [--lake DIR] [--verbose] [--no-raw-hash]`:
 * checks every partition of the selection and prints one `PASS` / `WARN` / `FAIL` line per
 * partition (with its flagged checks); exits 1 when any check failed, 2 on a bad command line.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import {
  datesBetween,
  DEFAULT_CONFIG_DIR,
  loadProducts,
  openLake,
  PRODUCT_TYPES,
} from "../lake/mod.ts";
import { LAYERS } from "../pipeline/registry.ts";
import { formatReport, reportJson, validate } from "../validate/mod.ts";
import { CliError, defineCommand, UsageError } from "./_args.ts";

/** The command line of `deno task validate`. */
export const command = defineCommand({
  name: "deno task validate",
  summary: "Checks every partition of a product type, symbol and dates (bronze, silver, gold) " +
    "and prints PASS / WARN / FAIL per partition with its flagged checks.",
  flags: {
    "product-type": {
      type: "string",
      required: true,
      choices: PRODUCT_TYPES,
      description: "product type",
    },
    symbol: {
      type: "string",
      required: true,
      value: "S",
      description: "contract (MNQH6), futures root (MNQ: the day's most active contract) or ticker",
    },
    dt: { type: "date", description: "one session date" },
    start: { type: "date", description: "first date of an inclusive range (with --end)" },
    end: { type: "date", description: "last date of an inclusive range (with --start)" },
    layer: {
      type: "string",
      choices: [...LAYERS, "all"],
      default: "all",
      description: "layer(s) to check",
    },
    json: { type: "string", value: "FILE", description: "also write the JSON report to FILE" },
    lake: {
      type: "string",
      value: "DIR",
      description: "lake root (default: lake_root of config/datasets.yaml)",
    },
    config: {
      type: "string",
      value: "FILE",
      description: "datasets.yaml; products.yaml is read from the same folder",
    },
    verbose: { type: "boolean", description: "print PASS and INFO checks too" },
    "no-raw-hash": {
      type: "boolean",
      description: "compare raw input sizes only (do not re-hash raw files)",
    },
  },
  examples: [
    "deno task validate --product-type future_mbo --symbol MNQ --dt 2026-02-06",
    "deno task validate --product-type equity_mbo --symbol QQQ --start 2026-02-02 --end 2026-02-06 --layer silver --json report.json",
  ],
  notes: "Exit codes: 0 no check failed (WARN allowed), 1 a check failed (or the lake could not " +
    "be read), 2 bad arguments.",
});

/** Runs the command with `argv` (without the program name); returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return command.run(argv, async ({ flags }) => {
    let dates: string[];
    if (flags.dt !== undefined) {
      if (flags.start !== undefined || flags.end !== undefined) {
        throw new UsageError("give either --dt or --start/--end, not both");
      }
      dates = [flags.dt];
    } else if (flags.start !== undefined && flags.end !== undefined) {
      try {
        dates = datesBetween(flags.start, flags.end);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    } else {
      throw new UsageError("--dt or both --start and --end are required");
    }
    const config = flags.config ?? join(DEFAULT_CONFIG_DIR, "datasets.yaml");
    const lake = await openLake(flags.lake, { configPath: config });
    const products = await loadProducts(join(dirname(config), "products.yaml"));
    let report;
    try {
      report = await validate({
        lake,
        products,
        productType: flags["product-type"],
        symbol: flags.symbol,
        dates,
        layers: flags.layer === "all" ? LAYERS : [flags.layer],
        hashRaw: !flags["no-raw-hash"],
      });
    } catch (e) {
      // an unknown symbol or an unreadable lake: one line, no stack trace
      throw new CliError((e as Error).message, 2);
    }
    console.log(formatReport(report, { verbose: flags.verbose }));
    if (flags.json) {
      const out = resolve(flags.json);
      await Deno.mkdir(dirname(out), { recursive: true });
      const tmp = `${out}.tmp-${crypto.randomUUID()}`;
      await Deno.writeTextFile(tmp, reportJson(report));
      await Deno.rename(tmp, out);
    }
    return report.status === "FAIL" ? 1 : 0;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
