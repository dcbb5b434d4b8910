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
import { type ArgsOf, defineCommand, defineCommandGroup, UsageError } from "./_args.ts";

const common = {
  "product-type": {
    type: "string",
    choices: ["future_mbo", "equity_mbo"],
    default: "future_mbo",
    description: "future_mbo, or equity_mbo (no options contribution)",
  },
  symbol: {
    type: "string",
    value: "SYM|ROOT",
    description: "contract (MNQH6), futures root (MNQ: each day takes the root's contract with " +
      "the most gold rows) or equity ticker; default MNQ / QQQ (the synthetic days)",
  },
  horizons: {
    type: "string",
    value: "1,2,5,…",
    description: `seconds, comma list of 1..600 (default ${DEFAULT_HORIZONS.join(",")})`,
  },
  out: {
    type: "string",
    value: "FILE",
    description: "fit: <lake>/physics/product_type=P/symbol=S/physics_beta_gamma.json; eval: " +
      "physics_beta_gamma_eval.json in the parameters' folder",
  },
  lake: { type: "string", value: "DIR", description: "lake root, any folder" },
  config: {
    type: "string",
    value: "FILE",
    description: "datasets.yaml; products.yaml is read from the same folder",
  },
} as const;

/** The command line of `deno task physics`. */
export const command = defineCommandGroup({
  name: "deno task physics",
  summary: "Fits the beta/gamma look-ahead model on gold days and evaluates it on held-out " +
    "windows against three baselines (no move, persistence, order-flow imbalance).",
  commands: {
    fit: defineCommand({
      name: "deno task physics fit",
      summary: "Fits beta/gamma and the baselines on the training windows; writes the " +
        "parameters file with the lineage of every input partition.",
      flags: {
        ...common,
        start: { type: "date", description: "first gold day used (default: all)" },
        end: { type: "date", description: "last gold day used (default: all)" },
        "holdout-days": {
          type: "integer",
          min: 1,
          description: "the last N days are held out (default: a quarter of the days, at least 1)",
        },
        "split-at": {
          type: "string",
          value: "HH:MM",
          description: "instead: every day splits at this New York time (earlier windows train, " +
            "minus an embargo of the longest horizon; later ones are evaluated)",
        },
        session: {
          type: "string",
          value: "HH:MM-HH:MM",
          description: "New York window-end range used (default 09:30-12:30 futures, " +
            "09:30-16:00 equities)",
        },
      },
      examples: [
        "deno task physics fit --product-type future_mbo --symbol MNQ",
        "deno task physics fit --product-type equity_mbo --symbol GOOG --split-at 12:45",
      ],
    }),
    eval: defineCommand({
      name: "deno task physics eval",
      summary:
        "Evaluates fitted parameters on their held-out windows: hit rates, MAE, intervals, " +
        "baselines and a reliability table.",
      flags: {
        ...common,
        params: {
          type: "string",
          value: "FILE",
          description: "the parameters file (default: fit's default --out)",
        },
        resamples: { type: "integer", min: 10, description: "bootstrap resamples (default 1000)" },
        "block-seconds": {
          type: "integer",
          min: 1,
          description: "bootstrap block length in seconds (default 60)",
        },
        seed: { type: "integer", description: "bootstrap seed (default 1)" },
      },
      examples: ["deno task physics eval --product-type future_mbo --symbol MNQ"],
    }),
  },
});

type FitFlags = ArgsOf<typeof command.spec.commands.fit>["flags"];
type EvalFlags = ArgsOf<typeof command.spec.commands.eval>["flags"];

function horizonsOf(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const hs = v.split(",").map((s: string) => {
    const t = s.trim();
    const n = Number(t);
    if (!/^\d+$/.test(t) || n < 1 || n > 600) {
      throw new UsageError(
        `--horizons: expected whole seconds 1..600, comma-separated, got '${v}'`,
      );
    }
    return n;
  });
  return [...new Set(hs)].sort((a, b) => a - b);
}

function parseFit(v: FitFlags): Parsed {
  if (v.start && v.end && v.start > v.end) {
    throw new UsageError(`--start ${v.start} is after --end ${v.end}`);
  }
  if (v["holdout-days"] !== undefined && v["split-at"] !== undefined) {
    throw new UsageError("--holdout-days and --split-at are exclusive");
  }
  let split: Split | undefined;
  if (v["holdout-days"] !== undefined) split = { kind: "days", holdoutDays: v["holdout-days"] };
  if (v["split-at"] !== undefined) {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v["split-at"])) {
      throw new UsageError(`--split-at must be HH:MM, got '${v["split-at"]}'`);
    }
    split = { kind: "time", at: v["split-at"] };
  }
  let session: Session | undefined;
  if (v.session !== undefined) {
    const m = /^(([01]\d|2[0-3]):[0-5]\d)-(([01]\d|2[0-3]):[0-5]\d)$/.exec(v.session);
    if (!m || m[1] >= m[3]) {
      throw new UsageError(`--session must be HH:MM-HH:MM (start < end), got '${v.session}'`);
    }
    session = { start: m[1], end: m[3] };
  }
  const pt = v["product-type"] as PhysicsProductType;
  return {
    command: "fit",
    productType: pt,
    symbol: v.symbol ?? (pt === "future_mbo" ? "MNQ" : "QQQ"),
    start: v.start,
    end: v.end,
    split,
    horizons: horizonsOf(v.horizons),
    session,
    out: v.out,
    lake: v.lake,
    config: v.config,
  };
}

function parseEval(v: EvalFlags): Parsed {
  const pt = v["product-type"] as PhysicsProductType;
  return {
    command: "eval",
    productType: pt,
    symbol: v.symbol ?? (pt === "future_mbo" ? "MNQ" : "QQQ"),
    horizons: horizonsOf(v.horizons),
    params: v.params,
    resamples: v.resamples,
    blockSeconds: v["block-seconds"],
    seed: v.seed,
    out: v.out,
    lake: v.lake,
    config: v.config,
  };
}

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

/** Runs `deno task physics` with `argv`; returns the exit status. */
export function main(argv: string[]): Promise<number> {
  return command.run(argv, {
    fit: ({ flags }) => run(parseFit(flags)),
    eval: ({ flags }) => run(parseEval(flags)),
  });
}

async function run(p: Parsed): Promise<number> {
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
