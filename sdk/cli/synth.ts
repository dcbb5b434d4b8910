/**
 * `deno task synth`: writes seeded synthetic trading days into the raw lake, in the downloader's
 * layout.
 *
 * ```sh
 * deno task synth --product-type future_mbo --symbol MNQ --start 2026-01-05 --end 2026-01-09 --seed 7
 * deno task synth --product-type all --start 2026-01-05 --seed 7 --scale small --lake lake
 * ```
 *
 * Exit status: 0 on success, 2 for bad flags or values, 1 when generation fails.
 *
 * @module
 */
import { ForeignFileError, generateDay, type SynthScale } from "../synth/generate.ts";
import { PRODUCT_TYPES, type ProductType } from "../synth/products.ts";
import { tradingDays } from "../synth/calendar.ts";
import { isDecimalInteger, parseCommandLine, parseFlags, UsageError } from "./_args.ts";

const USAGE =
  `usage: deno task synth --product-type TYPE[,TYPE…]|all --start YYYY-MM-DD [--end YYYY-MM-DD]
                       --seed N [--symbol SYM] [--scale small|full | --events N]
                       [--lake DIR] [--compression zstd|none]

  --product-type  ${PRODUCT_TYPES.join(", ")} (comma list) or all
  --symbol        futures root or contract (MNQ, MNQH6; default MNQ) or equity ticker (default QQQ)
  --start/--end   inclusive UTC dates; weekends are skipped (--end defaults to --start)
  --seed          non-negative integer; same seed, same decompressed bytes
  --scale         small (default; a whole demo in seconds) or full (a realistic day)
  --events        target records of each main file instead of a scale preset
  --lake          lake root (default: lake); files go to <lake>/raw/source=synthetic/…
  --compression   zstd (default, .dbn.zst) or none (.dbn)`;

function fail(message: string): never {
  throw new UsageError(message);
}

interface Parsed {
  types: ProductType[];
  days: string[];
  seed: number;
  symbol: string | undefined;
  scale: SynthScale;
  events: number | undefined;
  lake: string;
  compression: "zstd" | "none";
}

/** The arguments, or `undefined` for `--help`. */
function parse(args: string[]): Parsed | undefined {
  const { values: v } = parseFlags(args, {
    "product-type": { type: "string" },
    symbol: { type: "string" },
    start: { type: "string" },
    end: { type: "string" },
    seed: { type: "string" },
    scale: { type: "string" },
    events: { type: "string" },
    lake: { type: "string" },
    compression: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, { positionals: false });
  if (v.help) return undefined;
  const pt = v["product-type"] ?? fail("--product-type is required");
  const types = pt === "all"
    ? [...PRODUCT_TYPES]
    : pt.split(",").map((s) => s.trim()) as ProductType[];
  for (const t of types) {
    if (!PRODUCT_TYPES.includes(t)) {
      fail(`--product-type: unknown '${t}' (expected ${PRODUCT_TYPES.join(", ")} or all)`);
    }
  }
  const futures = types.some((t) => t.startsWith("future")),
    equities = types.some((t) => t.startsWith("equity"));
  if (v.symbol !== undefined && futures && equities) {
    fail(
      "--symbol names either a futures root or an equity ticker: generate futures and equities in separate runs",
    );
  }
  const start = v.start ?? fail("--start is required");
  let days: string[];
  try {
    days = tradingDays(start, v.end ?? start);
  } catch (e) {
    fail(`--start/--end: ${(e as Error).message}`);
  }
  if (days.length === 0) fail(`--start/--end: no weekday between ${start} and ${v.end ?? start}`);
  const seedText = v.seed ?? fail("--seed is required");
  if (!isDecimalInteger(seedText)) {
    fail(`--seed must be a non-negative integer, got '${seedText}'`);
  }
  if (v.scale !== undefined && v.events !== undefined) fail("--scale and --events are exclusive");
  const scale = (v.scale ?? "small") as SynthScale;
  if (scale !== "small" && scale !== "full") {
    fail(`--scale must be small or full, got '${v.scale}'`);
  }
  if (v.events !== undefined && !isDecimalInteger(v.events, 1000)) {
    fail(`--events must be an integer >= 1000, got '${v.events}'`);
  }
  const events = v.events === undefined ? undefined : Number(v.events);
  const compression = (v.compression ?? "zstd") as "zstd" | "none";
  if (compression !== "zstd" && compression !== "none") {
    fail(`--compression must be zstd or none, got '${v.compression}'`);
  }
  return {
    types,
    days,
    seed: Number(seedText),
    symbol: v.symbol,
    scale,
    events,
    lake: v.lake ?? "lake",
    compression,
  };
}

/** Runs the command; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  const p = parseCommandLine("synth", USAGE, () => parse(args));
  if (typeof p === "number") return p;
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
          symbol: p.symbol,
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
        if (e instanceof RangeError) {
          console.error(`synth: ${e.message}`);
          return 2;
        }
        if (e instanceof ForeignFileError) {
          console.error(`synth: ${e.message}`);
          return 1;
        }
        console.error(`synth: ${date} ${productType} failed: ${(e as Error).stack ?? e}`);
        return 1;
      }
    }
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
