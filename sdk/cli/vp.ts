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
import { isComplete } from "../lake/paths.ts";
import { synthPaths } from "../synth/generate.ts";
import { tradingDays } from "../synth/calendar.ts";
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
import { defineCommand, type FlagsOf, UsageError } from "./_args.ts";

const KNOB_HELP: Record<keyof GoldSignalConfig, string> = {
  pre_smooth_span: "EMA span of composite_smooth, windows (1-600)",
  d1_span: "EMA span of d1_smooth (1-600)",
  d2_span: "EMA span of d2_smooth (1-600)",
  d3_span: "EMA span of d3_smooth (1-600)",
  smooth_zscore_window: "rolling window of z_composite_smooth, windows (1-600)",
  projection_horizon_s: "horizon of wtd_projection, seconds (0-600]",
  fast_projection_horizon_s: "horizon of wtd_projection_500ms, seconds (0-600]",
  w_d1: "weight of d1_smooth in wtd_slope (>= 0)",
  w_d2: "weight of d2_smooth (>= 0)",
  w_d3: "weight of d3_smooth (>= 0; the three must not all be 0)",
};

const flagName = (k: string) => k.replaceAll("_", "-");

const knobFlags = {
  "pre-smooth-span": { type: "integer", description: `${KNOB_HELP.pre_smooth_span} [15]` },
  "d1-span": { type: "integer", description: `${KNOB_HELP.d1_span} [10]` },
  "d2-span": { type: "integer", description: `${KNOB_HELP.d2_span} [20]` },
  "d3-span": { type: "integer", description: `${KNOB_HELP.d3_span} [40]` },
  "smooth-zscore-window": {
    type: "integer",
    description: `${KNOB_HELP.smooth_zscore_window} [120]`,
  },
  "projection-horizon-s": { type: "number", description: `${KNOB_HELP.projection_horizon_s} [10]` },
  "fast-projection-horizon-s": {
    type: "number",
    description: `${KNOB_HELP.fast_projection_horizon_s} [0.5]`,
  },
  "w-d1": { type: "number", description: `${KNOB_HELP.w_d1} [0.5]` },
  "w-d2": { type: "number", description: `${KNOB_HELP.w_d2} [0.35]` },
  "w-d3": { type: "number", description: `${KNOB_HELP.w_d3} [0.15]` },
} as const;

/** The command line of `deno task vp`. */
export const command = defineCommand({
  name: "deno task vp",
  summary: "Vacuum-pressure signals. compute: reads a day's silver partitions and writes the " +
    "signals of one knob setting to gold.<product_type>.vacuum_pressure_1s " +
    "(…/config=<config_version>/gold=<knobs>/dt=<dt>/, config and knobs in the manifest). " +
    "episodes: scores synthetic days against their planted vacuums and walls.",
  positionals: [{
    name: "action",
    description: "compute or episodes",
    choices: ["compute", "episodes"],
  }],
  flags: {
    "product-type": {
      type: "string",
      required: true,
      choices: VP_PRODUCT_TYPES,
      value: "TYPE",
      description: VP_PRODUCT_TYPES.join(" or "),
    },
    symbol: {
      type: "string",
      required: true,
      value: "SYM",
      description: "ticker (QQQ) or futures contract (MNQH6)",
    },
    dt: { type: "date", description: "session date" },
    start: { type: "date", description: "episodes: first date of a range (weekends skipped)" },
    end: { type: "date", description: "episodes: last date of the range, inclusive" },
    ...knobFlags,
    lake: {
      type: "string",
      value: "DIR",
      description: "lake root (default: lake_root of config/datasets.yaml)",
    },
    overwrite: {
      type: "boolean",
      description: "compute: recompute a complete partition of the same knob setting",
    },
    threshold: {
      type: "number",
      description: "episodes: strength at or above which a window alarms [0.667 = |z| >= 2]",
    },
    quiet: { type: "boolean", description: "no progress line" },
  },
  examples: [
    "deno task vp compute --product-type future_mbo --symbol MNQH6 --dt 2026-02-06",
    "deno task vp compute --product-type equity_mbo --symbol QQQ --dt 2026-02-06 --pre-smooth-span 60",
    "deno task vp episodes --product-type equity_mbo --symbol QQQ --start 2026-02-02 --end 2026-02-06",
  ],
  notes: "A missing silver partition names the pipeline command that builds it. " +
    "Exit codes: 0 done, 1 failed (missing silver, bad data), 2 bad flags or values.",
});

type Flags = FlagsOf<typeof command>;

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

/** The run from the parsed flags; a {@linkcode UsageError} for inconsistent values. */
function plan(action: string, f: Flags): Args {
  let dates: string[];
  if (f.dt) dates = [f.dt];
  else if (action === "episodes" && f.start) {
    dates = tradingDays(f.start, f.end ?? f.start);
    if (!dates.length) throw new UsageError("--start/--end: no weekday in the range");
  } else {
    throw new UsageError(
      action === "compute" ? "--dt is required" : "--dt or --start [--end] is required",
    );
  }
  const overrides: Partial<GoldSignalConfig> = {};
  for (const k of [...GOLD_INT_KNOBS, ...GOLD_FLOAT_KNOBS]) {
    const v = f[flagName(k) as keyof typeof knobFlags];
    if (v !== undefined) overrides[k] = v;
  }
  let gold: GoldSignalConfig;
  try {
    gold = goldSignalConfig(overrides);
  } catch (e) {
    const m = (e as Error).message;
    const name = m.split(" ")[0];
    throw new UsageError(name in DEFAULT_GOLD_SIGNAL_CONFIG ? `--${flagName(name)}: ${m}` : m);
  }
  const threshold = f.threshold ?? 2 / 3;
  if (!(threshold > 0 && threshold <= 1)) {
    throw new UsageError(`--threshold: expected a number in (0, 1], got ${threshold}`);
  }
  return {
    command: action as "compute" | "episodes",
    productType: f["product-type"],
    symbol: f.symbol,
    dates,
    gold,
    lake: f.lake,
    overwrite: f.overwrite,
    quiet: f.quiet,
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

/** Runs `deno task vp` with `argv`; returns the exit status. */
export function main(argv: string[]): Promise<number> {
  return command.run(argv, async ({ flags, positionals }) => {
    const a = plan(positionals[0], flags);
    return a.command === "compute" ? await compute(a) : await episodes(a);
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
