/**
 * `deno task physics`: fit the beta/gamma look-ahead model on gold days and evaluate it on held-out
 * windows against three baselines.
 *
 * ```sh
 * deno task physics fit --product-type future_mbo --symbol MNQ
 * deno task physics eval --product-type future_mbo --symbol MNQ
 * deno task physics fit --product-type equity_mbo --symbol GOOG --split-at 12:45
 * ```
 *
 * Exit status: 0 on success, 2 for bad flags or values, 1 when the fit or evaluation fails.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { openLake } from "../lake/lake.ts";
import { DEFAULT_CONFIG_DIR } from "../lake/datasets.ts";
import { checkDate } from "../lake/paths.ts";
import { loadProducts } from "../lake/products.ts";
import {
  DEFAULT_HORIZONS,
  evaluatePhysics,
  fitPhysics,
  type PhysicsEvalReport,
  type PhysicsParams,
  readParams,
  type Session,
  type Split,
  writeJsonAtomic,
} from "../physics/calibrate.ts";
import type { PhysicsProductType } from "../physics/lattice.ts";
import { integerFlag, parseCommandLine, parseFlags, UsageError } from "./_args.ts";

const USAGE =
  `usage: deno task physics fit  [--product-type future_mbo|equity_mbo] [--symbol SYM|ROOT]
                             [--start YYYY-MM-DD] [--end YYYY-MM-DD]
                             [--holdout-days N | --split-at HH:MM] [--horizons 1,2,5,10,20,30]
                             [--session HH:MM-HH:MM] [--out FILE] [--lake DIR] [--config FILE]
       deno task physics eval [--product-type …] [--symbol …] [--params FILE] [--horizons …]
                             [--resamples N] [--block-seconds N] [--seed N] [--out FILE]
                             [--lake DIR] [--config FILE]

  --product-type  future_mbo (default) or equity_mbo (no options contribution)
  --symbol        contract (MNQH6), futures root (MNQ: each day takes the root's contract with the
                  most gold rows) or equity ticker; default MNQ / QQQ (the synthetic days)
  --start/--end   inclusive date range of the gold days used (default: all)
  --holdout-days  the last N days are held out (default: a quarter of the days, at least 1)
  --split-at      instead: every day splits at this New York time; earlier windows train (minus
                  an embargo of the longest horizon), later ones are evaluated
  --horizons      seconds, comma list (default ${DEFAULT_HORIZONS.join(",")})
  --session       New York window-end range used (default 09:30-12:30 futures, 09:30-16:00 equities)
  --params        eval: the parameters file (default: fit's default --out)
  --resamples     eval: bootstrap resamples (default 1000); --block-seconds (default 60); --seed (1)
  --out           fit: <lake>/physics/product_type=P/symbol=S/physics_beta_gamma.json;
                  eval: the same folder, physics_beta_gamma_eval.json
  --lake          lake root (default: lake_root of config/datasets.yaml)
  --config        datasets.yaml; products.yaml is read from the same folder`;

interface Parsed {
  command: "fit" | "eval";
  productType: PhysicsProductType;
  symbol: string;
  start?: string;
  end?: string;
  split?: Split;
  horizons?: number[];
  session?: Session;
  params?: string;
  resamples?: number;
  blockSeconds?: number;
  seed?: number;
  out?: string;
  lake?: string;
  config?: string;
}

function fail(message: string): never {
  throw new UsageError(message);
}

function parse(args: string[]): Parsed | undefined {
  const { values: v, positionals } = parseFlags(args, {
    "product-type": { type: "string" },
    symbol: { type: "string" },
    start: { type: "string" },
    end: { type: "string" },
    "holdout-days": { type: "string" },
    "split-at": { type: "string" },
    horizons: { type: "string" },
    session: { type: "string" },
    params: { type: "string" },
    resamples: { type: "string" },
    "block-seconds": { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
    lake: { type: "string" },
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) return undefined;
  if (positionals.length !== 1 || (positionals[0] !== "fit" && positionals[0] !== "eval")) {
    fail(`expected one command, fit or eval, got '${positionals.join(" ")}'`);
  }
  const command = positionals[0] as "fit" | "eval";
  const pt = v["product-type"] ?? "future_mbo";
  if (pt !== "future_mbo" && pt !== "equity_mbo") {
    fail(`--product-type must be future_mbo or equity_mbo, got '${pt}'`);
  }
  for (const k of ["start", "end"] as const) {
    if (v[k] !== undefined) {
      try {
        checkDate(v[k]!, `--${k}`);
      } catch (e) {
        fail((e as Error).message);
      }
    }
  }
  if (v.start && v.end && v.start > v.end) fail(`--start ${v.start} is after --end ${v.end}`);
  let split: Split | undefined;
  if (v["holdout-days"] !== undefined && v["split-at"] !== undefined) {
    fail("--holdout-days and --split-at are exclusive");
  }
  const hd = integerFlag("holdout-days", v["holdout-days"], { min: 1 });
  if (hd !== undefined) split = { kind: "days", holdoutDays: hd };
  if (v["split-at"] !== undefined) {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v["split-at"])) {
      fail(`--split-at must be HH:MM, got '${v["split-at"]}'`);
    }
    split = { kind: "time", at: v["split-at"] };
  }
  let horizons: number[] | undefined;
  if (v.horizons !== undefined) {
    horizons = v.horizons.split(",").map((s) => {
      const n = integerFlag("horizons", s.trim(), {
        min: 1,
        max: 600,
        expected: "whole seconds 1..600, comma-separated",
      })!;
      return n;
    });
    horizons = [...new Set(horizons)].sort((a, b) => a - b);
  }
  let session: Session | undefined;
  if (v.session !== undefined) {
    const m = /^(([01]\d|2[0-3]):[0-5]\d)-(([01]\d|2[0-3]):[0-5]\d)$/.exec(v.session);
    if (!m || m[1] >= m[3]) fail(`--session must be HH:MM-HH:MM (start < end), got '${v.session}'`);
    session = { start: m[1], end: m[3] };
  }
  if (command === "eval") {
    for (const k of ["start", "end", "holdout-days", "split-at", "session"] as const) {
      if (v[k] !== undefined) fail(`--${k} is a fit flag: eval takes the split from --params`);
    }
  } else {
    for (const k of ["params", "resamples", "block-seconds", "seed"] as const) {
      if (v[k] !== undefined) fail(`--${k} is an eval flag`);
    }
  }
  return {
    command,
    productType: pt,
    symbol: v.symbol ?? (pt === "future_mbo" ? "MNQ" : "QQQ"),
    start: v.start,
    end: v.end,
    split,
    horizons,
    session,
    params: v.params,
    resamples: integerFlag("resamples", v.resamples, { min: 10 }),
    blockSeconds: integerFlag("block-seconds", v["block-seconds"], { min: 1 }),
    seed: integerFlag("seed", v.seed),
    out: v.out,
    lake: v.lake,
    config: v.config,
  };
}

/** Default output folder of a product type and symbol. */
function defaultDir(lakeRoot: string, pt: string, symbol: string): string {
  return join(lakeRoot, "physics", `product_type=${pt}`, `symbol=${symbol}`);
}

function pct(x: number | null): string {
  return x === null ? "  n/a" : `${(100 * x).toFixed(1).padStart(5)}%`;
}

/** A short table of the evaluation for the terminal. */
export function formatReport(r: PhysicsEvalReport): string {
  const lines = [
    `held out: ${r.holdout_dates.join(", ")}  β=${r.beta.toPrecision(4)} γ=${
      r.gamma.toPrecision(4)
    }`,
    "horizon  samples  flat   hit rate on moves [95% CI]: model | no move | persistence | OFI   MAE model | best baseline",
  ];
  for (const [h, m] of Object.entries(r.metrics.horizons)) {
    const hit = (k: keyof typeof m.models) => pct(m.models[k].sign_hit_rate.value);
    const mae = Object.entries(m.models).map(([k, v]) =>
      [k, v.mae_ticks.value ?? Infinity] as const
    );
    const best = mae.slice(1).reduce((a, b) => (b[1] < a[1] ? b : a));
    const ci = m.models.model.sign_hit_rate;
    lines.push(
      `${h.padStart(6)}s ${String(m.samples).padStart(8)} ${pct(m.flat_share.value)}  ${
        hit("model")
      } [${pct(ci.lo)},${pct(ci.hi)}] | ${hit("no_move")} | ${hit("persistence")} | ${
        hit("ofi")
      }   ${mae[0][1].toFixed(3)} | ${best[1].toFixed(3)} (${best[0]})`,
    );
  }
  lines.push(r.summary);
  return lines.join("\n");
}

/** Runs the command; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  const p = parseCommandLine("physics", USAGE, () => parse(args));
  if (typeof p === "number") return p;
  const tty = Deno.stderr.isTerminal();
  try {
    const lake = await openLake(p.lake, { configPath: p.config });
    const products = await loadProducts(
      join(p.config ? dirname(p.config) : DEFAULT_CONFIG_DIR, "products.yaml"),
    );
    let done = 0;
    const t0 = performance.now();
    const onDay = tty
      ? (d: { dt: string; role: string; windows: number; seconds: number }) => {
        done++;
        const rate = done / ((performance.now() - t0) / 1000);
        console.error(
          `${d.role} ${d.dt}: ${d.windows.toLocaleString("en-US")} windows in ${
            d.seconds.toFixed(1)
          } s (${done} days, ${rate.toFixed(2)} days/s)`,
        );
      }
      : undefined;
    const dir = defaultDir(lake.root, p.productType, p.symbol);
    if (p.command === "fit") {
      const params: PhysicsParams = await fitPhysics({
        lake,
        products,
        productType: p.productType,
        symbol: p.symbol,
        start: p.start,
        end: p.end,
        split: p.split,
        horizons: p.horizons,
        session: p.session,
        onDay,
      });
      const out = p.out ?? join(dir, "physics_beta_gamma.json");
      await writeJsonAtomic(out, params);
      console.log(
        `physics fit: β=${params.beta.toPrecision(6)} γ=${params.gamma.toPrecision(6)} from ${
          params.train_samples.toLocaleString("en-US")
        } samples on ${params.train_dates.length} day(s); held out: ${
          params.holdout_dates.join(", ")
        }${params.fit.singular ? " (singular: no force signal, least-squares fallback)" : ""}\n` +
          `wrote ${out}`,
      );
    } else {
      const paramsPath = p.params ?? join(dir, "physics_beta_gamma.json");
      const params = await readParams(paramsPath);
      const report = await evaluatePhysics({
        lake,
        products,
        params,
        horizons: p.horizons,
        resamples: p.resamples,
        blockSeconds: p.blockSeconds,
        seed: p.seed,
        onDay,
      }, paramsPath);
      const out = p.out ?? join(dirname(paramsPath), "physics_beta_gamma_eval.json");
      await writeJsonAtomic(out, report);
      console.log(`${formatReport(report)}\nwrote ${out}`);
    }
    return 0;
  } catch (e) {
    console.error(`physics ${p.command}: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
