/**
 * `deno task vp`: the vacuum-pressure detector.
 *
 * ```sh
 * deno task vp compute --product-type future_mbo --symbol MNQH6 --dt 2026-02-06 [--pre-smooth-span 30 ...]
 * deno task vp episodes --product-type equity_mbo --symbol QQQ --start 2026-02-02 --end 2026-02-06
 * ```
 *
 * `compute` reads the day's silver partitions, computes the signals with the given knobs and
 * writes the partition `gold.<product_type>.vacuum_pressure_1s` of that knob setting
 * (`…/config=<config_version>/gold=<knobs>/dt=<dt>/`, manifest with the config and the knobs).
 * A complete partition of the same setting is kept unless `--overwrite`. `episodes` scores
 * computed days of synthetic data against their planted episodes. Exit status: 0 done, 1 failed
 * (missing silver, bad data), 2 bad command line.
 *
 * @module
 */
import { openLake } from "../lake/lake.ts";
import { readManifest } from "../lake/manifest.ts";
import { datesBetween, isComplete } from "../lake/paths.ts";
import { synthPaths } from "../synth/generate.ts";
import {
  DEFAULT_GOLD_SIGNAL_CONFIG,
  GOLD_FLOAT_KNOBS,
  GOLD_INT_KNOBS,
  type GoldSignalConfig,
  goldSignalConfig,
  resolveVpConfig,
  VP_PRODUCT_TYPES,
} from "../features/vp_config.ts";
import { computeVpDay, vpPartitionDir, writeVpPartition } from "../features/vp_lake.ts";
import {
  evaluateVpEpisodes,
  poolVpEpisodeReports,
  readSynthEpisodes,
  type VpEpisodeReport,
} from "../features/vp_episodes.ts";
import { parseCommandLine, parseFlags, UsageError } from "./_args.ts";

const flag = (k: string) => `--${k.replaceAll("_", "-")}`;

const USAGE =
  `usage: deno task vp compute --product-type P --symbol S --dt D [knobs] [--lake DIR] [--overwrite] [--quiet]
       deno task vp episodes --product-type P --symbol S (--dt D | --start D --end D) [knobs]
                             [--threshold X] [--lake DIR]

  --product-type   ${VP_PRODUCT_TYPES.join(" | ")}
  --symbol         ticker (QQQ) or futures contract (MNQH6)
  --dt             session date YYYY-MM-DD (--start/--end: an inclusive range, weekends skipped)
  knobs (defaults in brackets; spans and windows are whole seconds, 1-600):
${
    [...GOLD_INT_KNOBS, ...GOLD_FLOAT_KNOBS].map((k) =>
      `    ${flag(k).padEnd(30)} [${DEFAULT_GOLD_SIGNAL_CONFIG[k]}]`
    ).join("\n")
  }
  --lake           lake root (default: lake_root of config/datasets.yaml)
  --overwrite      recompute a partition of the same knob setting that is already complete
  --threshold      episodes: strength at or above which a window alarms (default 0.667 = |z| >= 2)
  --quiet          no progress line`;

interface Args {
  command: "compute" | "episodes";
  productType: string;
  symbol: string;
  dates: string[];
  gold: GoldSignalConfig;
  lake?: string;
  overwrite: boolean;
  quiet: boolean;
  threshold: number;
}

function parse(argv: string[]): Args | undefined {
  const knobFlags = Object.fromEntries(
    [...GOLD_INT_KNOBS, ...GOLD_FLOAT_KNOBS].map((k) => [flag(k).slice(2), { type: "string" }]),
  ) as Record<string, { type: "string" }>;
  const { values, positionals } = parseFlags(argv, {
    "product-type": { type: "string" },
    symbol: { type: "string" },
    dt: { type: "string" },
    start: { type: "string" },
    end: { type: "string" },
    lake: { type: "string" },
    threshold: { type: "string" },
    overwrite: { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
    ...knobFlags,
  });
  if (values.help) return undefined;
  const command = positionals[0];
  if (command !== "compute" && command !== "episodes") {
    throw new UsageError(
      command === undefined
        ? "a command is required (compute or episodes)"
        : `unknown command '${command}' (expected compute or episodes)`,
    );
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  const v = values as Record<string, string | boolean | undefined>;
  for (const k of ["product-type", "symbol"]) {
    if (!v[k]) throw new UsageError(`--${k} is required`);
  }
  const pt = v["product-type"] as string;
  if (!(VP_PRODUCT_TYPES as readonly string[]).includes(pt)) {
    throw new UsageError(
      `--product-type: expected one of ${VP_PRODUCT_TYPES.join(", ")}, got '${pt}'`,
    );
  }
  let dates: string[];
  try {
    if (v.dt) dates = datesBetween(v.dt as string, v.dt as string);
    else if (command === "episodes" && v.start && v.end) {
      dates = datesBetween(v.start as string, v.end as string).filter((d) => {
        const wd = new Date(`${d}T12:00:00Z`).getUTCDay();
        return wd !== 0 && wd !== 6;
      });
    } else {
      throw new UsageError(
        command === "compute" ? "--dt is required" : "--dt or --start and --end are required",
      );
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  const overrides: Partial<GoldSignalConfig> = {};
  for (const k of GOLD_INT_KNOBS) {
    const text = v[flag(k).slice(2)] as string | undefined;
    if (text === undefined) continue;
    if (!/^-?\d+$/.test(text)) {
      throw new UsageError(`${flag(k)}: expected an integer, got '${text}'`);
    }
    overrides[k] = Number(text);
  }
  for (const k of GOLD_FLOAT_KNOBS) {
    const text = v[flag(k).slice(2)] as string | undefined;
    if (text === undefined) continue;
    const x = Number(text);
    if (text.trim() === "" || !Number.isFinite(x)) {
      throw new UsageError(`${flag(k)}: expected a number, got '${text}'`);
    }
    overrides[k] = x;
  }
  let gold: GoldSignalConfig;
  try {
    gold = goldSignalConfig(overrides);
  } catch (e) {
    const m = (e as Error).message;
    const name = m.split(" ")[0];
    throw new UsageError(name in DEFAULT_GOLD_SIGNAL_CONFIG ? `${flag(name)}: ${m}` : m);
  }
  let threshold = 2 / 3;
  if (v.threshold !== undefined) {
    threshold = Number(v.threshold);
    if (!(threshold > 0 && threshold <= 1)) {
      throw new UsageError(`--threshold: expected a number in (0, 1], got '${v.threshold}'`);
    }
  }
  return {
    command,
    productType: pt,
    symbol: v.symbol as string,
    dates,
    gold,
    lake: v.lake as string | undefined,
    overwrite: v.overwrite === true,
    quiet: v.quiet === true,
    threshold,
  };
}

function progress(quiet: boolean, total: number): ((n: number) => void) | undefined {
  if (quiet || !Deno.stdout.isTerminal()) return undefined;
  const t0 = performance.now();
  const enc = new TextEncoder();
  return (n) => {
    const s = (performance.now() - t0) / 1000;
    const rate = n / Math.max(s, 1e-3);
    const eta = total > n ? (total - n) / rate : 0;
    Deno.stdout.writeSync(
      enc.encode(
        `\r  ${n.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} windows, ` +
          `${Math.round(rate).toLocaleString("en-US")}/s, ETA ${eta.toFixed(0)} s   `,
      ),
    );
  };
}

async function compute(a: Args): Promise<number> {
  const lake = await openLake(a.lake);
  const config = await resolveVpConfig(a.productType, a.symbol);
  const dt = a.dates[0];
  const dir = vpPartitionDir(lake, config, dt, a.gold);
  console.log(
    `vp: ${config.product_type} ${config.symbol} ${dt} config_version=${config.config_version}`,
  );
  console.log(`    knobs ${JSON.stringify(a.gold)}`);
  if (!a.overwrite && (await isComplete(dir))) {
    const m = await readManifest(dir);
    console.log(`kept complete partition (${m.row_count} rows; --overwrite to recompute): ${dir}`);
    return 0;
  }
  const onProgress = progress(a.quiet, 23_401);
  const day = await computeVpDay(lake, config, dt, a.gold, onProgress);
  if (onProgress) Deno.stdout.writeSync(new TextEncoder().encode("\n"));
  const m = await writeVpPartition(lake, day);
  const rate = day.signals.length / day.seconds;
  console.log(
    `wrote ${m.row_count.toLocaleString("en-US")} windows (${day.invalidWindows} without valid ` +
      `depth rows) from ${day.inputRows.depth_and_flow_1s.toLocaleString("en-US")} depth rows in ` +
      `${day.seconds.toFixed(2)} s (${Math.round(rate).toLocaleString("en-US")} windows/s)`,
  );
  console.log(`partition: ${dir}`);
  return 0;
}

function printReport(label: string, r: VpEpisodeReport): void {
  console.log(`\n${label}`);
  for (const e of r.episodes) {
    console.log(
      `  ${e.hit ? "hit " : "MISS"} ${e.kind.padEnd(6)} ${e.side.padEnd(3)} ${e.start_utc} ` +
        `${String(e.windows).padStart(4)} windows  mean ${e.mean_composite.toFixed(1)} vs ` +
        `baseline ${e.baseline_composite.toFixed(1)}  max strength ${e.max_strength.toFixed(2)}`,
    );
  }
  console.log(
    `  vacuums ${r.hits.vacuum[0]}/${r.hits.vacuum[1]}, walls ${r.hits.wall[0]}/${
      r.hits.wall[1]
    }; ` +
      `false alarms at strength >= ${
        r.threshold.toFixed(3)
      }: ${r.falseAlarms}/${r.outsideWindows} ` +
      `windows outside episodes (${(100 * r.falseAlarmRate).toFixed(2)} %); alarms inside: ` +
      `${r.insideAlarms}/${r.insideWindows}`,
  );
}

async function episodes(a: Args): Promise<number> {
  const lake = await openLake(a.lake);
  const config = await resolveVpConfig(a.productType, a.symbol);
  const reports: VpEpisodeReport[] = [];
  for (const dt of a.dates) {
    const sidecar = synthPaths(lake.root, config.product_type, config.symbol_root, dt).sidecar;
    const eps = await readSynthEpisodes(sidecar);
    const day = await computeVpDay(lake, config, dt, a.gold);
    const r = evaluateVpEpisodes(day.signals, eps, { threshold: a.threshold });
    printReport(`${config.symbol} ${dt}`, r);
    reports.push(r);
  }
  if (reports.length > 1) {
    printReport(`${config.symbol}: all ${reports.length} days`, poolVpEpisodeReports(reports));
  }
  return 0;
}

if (import.meta.main) {
  const parsed = parseCommandLine("vp", USAGE, () => parse(Deno.args));
  if (typeof parsed === "number") Deno.exit(parsed);
  try {
    Deno.exit(parsed.command === "compute" ? await compute(parsed) : await episodes(parsed));
  } catch (e) {
    console.error(`vp: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
