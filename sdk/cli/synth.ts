/**
 * `deno task synth`: writes seeded synthetic trading days into the raw lake, in the downloader's
 * layout.
 *
 * ```sh
 * deno task synth --product-type future_mbo --symbol MNQ --start 2026-01-05 --end 2026-01-09 --seed 7
 * deno task synth --product-type all --symbol MNQ,QQQ --start 2026-01-05 --seed 7 --scale small
 * ```
 *
 * Exit status: 0 on success, 2 for bad flags or values, 1 when generation fails.
 *
 * @module
 */
import { defaultLakeRoot } from "../lake/datasets.ts";
import { generateDay, resolveFuture, type SynthScale } from "../synth/generate.ts";
import { PRODUCT_TYPES, type ProductType } from "../synth/products.ts";
import { tradingDays } from "../synth/calendar.ts";
import { defineCommand, type FlagsOf, UsageError } from "./_args.ts";

/** The command line of `deno task synth`. */
export const command = defineCommand({
  name: "deno task synth",
  summary: "Writes seeded synthetic trading days (DBN v3) into the raw lake, in the downloader's " +
    "layout. Same seed, same decompressed bytes.",
  flags: {
    "product-type": {
      type: "string",
      required: true,
      value: "TYPE[,TYPE...]|all",
      description: `${PRODUCT_TYPES.join(", ")} (comma list) or all`,
    },
    symbol: {
      type: "string",
      value: "SYM[,SYM]",
      description: "a futures root or contract (MNQ, MNQH6; default MNQ) for the futures types, " +
        "an equity ticker (default QQQ) for the equity types, or one of each (MNQ,QQQ)",
    },
    start: { type: "date", required: true, description: "first UTC date (weekends are skipped)" },
    end: { type: "date", description: "last UTC date, inclusive (default: --start)" },
    seed: { type: "integer", required: true, min: 0, description: "seed of the generator" },
    scale: {
      type: "string",
      choices: ["small", "full"],
      description: "small (default; a whole demo in seconds) or full (a realistic day)",
    },
    events: {
      type: "integer",
      min: 1000,
      description: "target records of each main file instead of a scale preset",
    },
    lake: {
      type: "string",
      value: "DIR",
      default: defaultLakeRoot(),
      description: "lake root, any folder (SPYMASTER_LAKE sets the default)",
    },
    compression: {
      type: "string",
      choices: ["zstd", "none"],
      default: "zstd",
      description: "zstd (.dbn.zst) or none (.dbn)",
    },
  },
  examples: [
    "deno task synth --product-type future_mbo --symbol MNQ --start 2026-01-05 --end 2026-01-09 --seed 7",
    "deno task synth --product-type all --symbol MNQ,QQQ --start 2026-01-05 --seed 7 --scale small",
  ],
  notes: "Exit codes: 0 done, 1 generation failed, 2 bad flags or values.",
});

interface Parsed {
  types: ProductType[];
  days: string[];
  seed: number;
  futureSymbol: string | undefined;
  equitySymbol: string | undefined;
  scale: SynthScale;
  events: number | undefined;
  lake: string;
  compression: "zstd" | "none";
}

function isFutureSymbol(symbol: string, date: string): boolean {
  try {
    resolveFuture(symbol, date);
    return true;
  } catch {
    return false;
  }
}

/** The run from the parsed flags; throws a {@linkcode UsageError} for inconsistent values. */
function plan(v: FlagsOf<typeof command>): Parsed {
  const pt = v["product-type"];
  const types = pt === "all"
    ? [...PRODUCT_TYPES]
    : pt.split(",").map((s) => s.trim()) as ProductType[];
  for (const t of types) {
    if (!PRODUCT_TYPES.includes(t)) {
      throw new UsageError(
        `--product-type: unknown '${t}' (valid: ${PRODUCT_TYPES.join(", ")} or all)`,
      );
    }
  }
  let days: string[];
  try {
    days = tradingDays(v.start, v.end ?? v.start);
  } catch (e) {
    throw new UsageError(`--start/--end: ${(e as Error).message}`);
  }
  if (days.length === 0) {
    throw new UsageError(
      `--start/--end: no weekday between ${v.start} and ${v.end ?? v.start} ` +
        `(synthetic days are Monday to Friday)`,
    );
  }
  let futureSymbol: string | undefined, equitySymbol: string | undefined;
  for (const sym of (v.symbol ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    if (isFutureSymbol(sym, days[0])) {
      if (futureSymbol) {
        throw new UsageError(`--symbol: two futures symbols (${futureSymbol}, ${sym})`);
      }
      futureSymbol = sym;
    } else {
      if (equitySymbol) {
        throw new UsageError(`--symbol: two equity tickers (${equitySymbol}, ${sym})`);
      }
      equitySymbol = sym;
    }
  }
  const futures = types.some((t) => t.startsWith("future")),
    equities = types.some((t) => t.startsWith("equity"));
  if (futureSymbol && !futures) {
    throw new UsageError(
      `--symbol ${futureSymbol} is a futures symbol, but --product-type ${pt} has no futures type`,
    );
  }
  if (equitySymbol && !equities) {
    throw new UsageError(
      `--symbol ${equitySymbol} is not a futures root or contract, and --product-type ${pt} has no equity type`,
    );
  }
  if (v.scale !== undefined && v.events !== undefined) {
    throw new UsageError("--scale and --events are exclusive");
  }
  return {
    types,
    days,
    seed: v.seed,
    futureSymbol,
    equitySymbol,
    scale: v.scale ?? "small",
    events: v.events,
    lake: v.lake,
    compression: v.compression,
  };
}

/** Runs the command; returns the exit status. */
export function main(args: string[]): Promise<number> {
  return command.run(args, ({ flags }) => generate(plan(flags)));
}

async function generate(p: Parsed): Promise<number> {
  const tty = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  for (const date of p.days) {
    for (const productType of p.types) {
      const t0 = performance.now();
      try {
        const r = await generateDay({
          productType,
          date,
          seed: p.seed,
          symbol: productType.startsWith("future") ? p.futureSymbol : p.equitySymbol,
          scale: p.events === undefined ? p.scale : undefined,
          events: p.events,
          lake: p.lake,
          compression: p.compression,
          onProgress: tty
            ? (n) =>
              Deno.stderr.writeSync(
                enc.encode(`\r${date} ${productType}: ${n.toLocaleString("en-US")} records`),
              )
            : undefined,
        });
        if (tty) Deno.stderr.writeSync(enc.encode("\r\x1b[K"));
        const secs = ((performance.now() - t0) / 1000).toFixed(1);
        const ep = r.episodes.length ? `, ${r.episodes.length} episodes` : "";
        console.log(
          `${date} ${productType} ${r.symbol}: ${
            r.counts.records.toLocaleString("en-US")
          } records${ep} in ${secs}s -> ${r.files[0].path}`,
        );
      } catch (e) {
        if (tty) Deno.stderr.writeSync(enc.encode("\n"));
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw new Error(`${date} ${productType} failed: ${(e as Error).message}`, { cause: e });
      }
    }
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
