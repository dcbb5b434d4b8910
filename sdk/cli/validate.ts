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
  checkDate,
  datesBetween,
  DEFAULT_CONFIG_DIR,
  loadProducts,
  openLake,
  PRODUCT_TYPES,
  type ProductType,
} from "../lake/mod.ts";
import type { Layer } from "../pipeline/registry.ts";
import { formatReport, reportJson, validate } from "../validate/mod.ts";
import { parseCommandLine, parseFlags, UsageError } from "./_args.ts";

const USAGE = `usage: deno task validate --product-type P --symbol S (--dt D | --start D --end D)
         [--layer bronze|silver|gold|all] [--json FILE] [--lake DIR] [--config FILE]
         [--verbose] [--no-raw-hash]

  --product-type  ${PRODUCT_TYPES.join(" | ")}
  --symbol        contract (MNQH6), futures root (MNQ: the day's most active contract) or ticker
  --dt            one session date; or --start and --end (inclusive)
  --layer         bronze, silver, gold or all (default all)
  --json          also write the machine-readable report to FILE
  --lake          lake root (default: lake_root of config/datasets.yaml)
  --config        datasets.yaml; products.yaml is read from the same folder
  --verbose       print PASS and INFO checks too
  --no-raw-hash   compare raw input sizes only (skip re-hashing raw files)

Exit status: 0 when no check failed (WARN allowed), 1 on any FAIL, 2 on a bad command line.`;

interface Args {
  productType: ProductType;
  symbol: string;
  dates: string[];
  layers: Layer[];
  json?: string;
  lake?: string;
  config: string;
  verbose: boolean;
  hashRaw: boolean;
}

function parse(argv: string[]): Args | undefined {
  const { values: v } = parseFlags(argv, {
    "product-type": { type: "string" },
    symbol: { type: "string" },
    dt: { type: "string" },
    start: { type: "string" },
    end: { type: "string" },
    layer: { type: "string", default: "all" },
    json: { type: "string" },
    lake: { type: "string" },
    config: { type: "string" },
    verbose: { type: "boolean", default: false },
    "no-raw-hash": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  }, { positionals: false });
  if (v.help) return undefined;
  const pt = v["product-type"];
  if (!pt) throw new UsageError("--product-type is required");
  if (!(PRODUCT_TYPES as readonly string[]).includes(pt)) {
    throw new UsageError(`--product-type: unknown '${pt}' (valid: ${PRODUCT_TYPES.join(", ")})`);
  }
  if (!v.symbol) throw new UsageError("--symbol is required");
  let dates: string[];
  try {
    if (v.dt !== undefined) {
      if (v.start !== undefined || v.end !== undefined) {
        throw new UsageError("give either --dt or --start/--end, not both");
      }
      checkDate(v.dt, "--dt");
      dates = [v.dt];
    } else if (v.start !== undefined && v.end !== undefined) {
      dates = datesBetween(v.start, v.end);
    } else {
      throw new UsageError("--dt or both --start and --end are required");
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  const layer = v.layer;
  if (!["bronze", "silver", "gold", "all"].includes(layer)) {
    throw new UsageError(`--layer: unknown '${layer}' (valid: bronze, silver, gold, all)`);
  }
  return {
    productType: pt as ProductType,
    symbol: v.symbol,
    dates,
    layers: layer === "all" ? ["bronze", "silver", "gold"] : [layer as Layer],
    json: v.json,
    lake: v.lake,
    config: v.config ?? join(DEFAULT_CONFIG_DIR, "datasets.yaml"),
    verbose: v.verbose,
    hashRaw: !v["no-raw-hash"],
  };
}

/** Runs the CLI; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine("validate", USAGE, () => parse(argv));
  if (typeof args === "number") return args;
  let lake, products;
  try {
    lake = await openLake(args.lake, { configPath: args.config });
    products = await loadProducts(join(dirname(args.config), "products.yaml"));
  } catch (e) {
    console.error(`validate: ${(e as Error).message}`);
    return 2;
  }
  let report;
  try {
    report = await validate({
      lake,
      products,
      productType: args.productType,
      symbol: args.symbol,
      dates: args.dates,
      layers: args.layers,
      hashRaw: args.hashRaw,
    });
  } catch (e) {
    // unknown symbols and unreadable files are user errors: one line, no stack trace
    console.error(`validate: ${(e as Error).message}`);
    return 2;
  }
  console.log(formatReport(report, { verbose: args.verbose }));
  if (args.json) {
    const out = resolve(args.json);
    const tmp = `${out}.tmp-${crypto.randomUUID()}`;
    await Deno.mkdir(dirname(out), { recursive: true });
    await Deno.writeTextFile(tmp, reportJson(report));
    await Deno.rename(tmp, out);
  }
  return report.status === "FAIL" ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
