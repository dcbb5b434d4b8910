/**
 * `deno task demo [--lake DIR] [--date YYYY-MM-DD] [--seed N] [--keep]`: the main job on the embedded
 * synthetic data. Generates a small synthetic day for the four product types, decodes every file
 * back (records per action, time span, symbols, throughput), then runs every pipeline layer that
 * is implemented and prints the partitions it built and a short report.
 *
 * @module
 */
import { defaultLakeRoot } from "../lake/datasets.ts";
import { join, relative, resolve } from "node:path";
import { openDbn } from "../dbn/mod.ts";
import { generateDay, type SynthDayResult } from "../synth/mod.ts";
import { runPipeline } from "../pipeline/runner.ts";
import { defaultRegistry } from "../pipeline/stages.ts";
import type { Layer, ProductType } from "../pipeline/registry.ts";
import { openLake, openLakeDuckDB } from "../lake/mod.ts";
import { CliError, defineCommand } from "./_args.ts";
import { DEFAULT_CONFIG_DIR, loadProducts } from "../lake/mod.ts";
import { evaluatePhysics, fitPhysics, writeJsonAtomic } from "../physics/mod.ts";
import { formatReport } from "./physics.ts";
import { tradingDays } from "../synth/calendar.ts";

/** The command line of `deno task demo`. */
export const command = defineCommand({
  name: "deno task demo",
  summary: "Generates a small synthetic day for the four product types, decodes every file " +
    "back, runs every registered pipeline layer and reports book validity and the planted " +
    "liquidity episodes of that symbol and day.",
  flags: {
    lake: {
      type: "string",
      value: "DIR",
      default: defaultLakeRoot(),
      description: "lake root, any folder (SPYMASTER_LAKE sets the default)",
    },
    date: { type: "date", default: "2026-02-06", description: "session date (Monday to Friday)" },
    seed: { type: "integer", min: 0, default: 7, description: "seed of the synthetic day" },
  },
  examples: ["deno task demo", "deno task demo --lake /data/spymaster-lake --date 2026-02-05"],
});
const PRODUCTS: { productType: ProductType; symbol: string }[] = [
  { productType: "future_mbo", symbol: "MNQ" },
  { productType: "future_option_mbo", symbol: "MNQ" },
  { productType: "equity_mbo", symbol: "QQQ" },
  { productType: "equity_option_cmbp_1", symbol: "QQQ" },
];

const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString().replace(".000Z", "Z");

/** Decodes one DBN file and summarises it. */
async function summarize(path: string): Promise<string> {
  const t0 = performance.now();
  const reader = await openDbn(path);
  const actions = new Map<string, number>();
  const ids = new Set<number>();
  let n = 0, first = -1n, last = -1n;
  const seen = (a: number, count = 1) => {
    const k = String.fromCharCode(a);
    actions.set(k, (actions.get(k) ?? 0) + count);
  };
  for await (const b of reader.batches()) {
    if (b.kind === "records") {
      for (const r of b.records) {
        n++;
        ids.add(r.instrument_id);
        if (first < 0n) first = r.ts_event;
        last = r.ts_event;
        if ("action" in r && typeof r.action === "string") seen(r.action.charCodeAt(0));
      }
      continue;
    }
    const c = b.columns;
    n += c.length;
    for (let i = 0; i < c.length; i++) {
      seen(c.action[i]);
      ids.add(c.instrument_id[i]);
    }
    if (first < 0n && c.length) first = c.ts_recv[0];
    if (c.length) last = c.ts_recv[c.length - 1];
  }
  const s = (performance.now() - t0) / 1000;
  const md = reader.metadata;
  const acts = [...actions.entries()].sort().map(([k, v]) => `${k} ${v.toLocaleString()}`).join(
    " / ",
  );
  const symbols = md?.mappings.map((m) => m.raw_symbol) ?? [];
  const symText = symbols.length > 4
    ? `${symbols.slice(0, 3).join(", ")} … (${symbols.length})`
    : symbols.join(", ");
  return `    ${
    md?.schema ?? "?"
  } ${n.toLocaleString()} records, ${ids.size} instruments [${symText}]` +
    (acts ? `\n      actions: ${acts}` : "") +
    (first >= 0n ? `\n      span: ${iso(first)} → ${iso(last)}` : "") +
    `\n      decoded in ${s.toFixed(2)} s (${(n / s / 1e6).toFixed(1)} M records/s)`;
}

/**
 * Book validity and the planted vacuums and walls, as seen in silver depth & flow, of the demo's
 * own partitions (symbol and `date`) only: the lake may hold other symbols and days.
 */
export async function silverReport(
  lake: string,
  date: string,
  days: SynthDayResult[],
): Promise<void> {
  const db = await openLakeDuckDB(await openLake(lake));
  const q = async (sql: string) =>
    (await db.connection.runAndReadAll(sql)).getRowObjects() as Record<
      string,
      string | number
    >[];
  try {
    console.log("\n4. Report:");
    for (const pt of ["future_mbo", "equity_mbo"] as const) {
      const day = days.find((d) => d.productType === pt);
      if (!day) continue;
      // this run's partition only: the lake may hold other symbols and days
      const own = `partition_symbol = '${day.symbol}' AND dt = DATE '${date}'`;
      const [v] = await q(
        `SELECT count(*) AS n, coalesce(sum(book_valid::INT), 0) AS ok
         FROM silver_${pt}_book_snapshot_1s WHERE ${own}`,
      );
      console.log(
        `  ${day.symbol} ${date}: book valid in ${v.ok} of ${v.n} one-second windows; ` +
          `planted episodes in depth & flow:`,
      );
      for (const e of day?.episodes ?? []) {
        if (e.kind === "crossed") continue;
        const side = e.side === "bid" ? "B" : "A";
        const start = BigInt(e.start_ts), end = BigInt(e.end_ts);
        const before = (start / 1_000_000_000n) * 1_000_000_000n;
        // Equity silver rows are $0.50 price buckets: widen the range to whole buckets.
        const unit = pt === "equity_mbo" ? 500_000_000n : 1n;
        const lo = (BigInt(e.price_lo_int) / unit) * unit;
        const hi = ((BigInt(e.price_hi_int) + unit - 1n) / unit) * unit;
        const rows = await q(
          `SELECT window_end_ts_ns AS t, sum(depth_qty_end) AS depth, sum(pull_qty) AS pulled,
                  sum(add_qty) AS added
           FROM silver_${pt}_depth_and_flow_1s
           WHERE ${own} AND side = '${side}' AND price_int BETWEEN ${lo} AND ${hi}
             AND window_end_ts_ns BETWEEN ${before} AND ${end + 1_000_000_000n}
           GROUP BY 1 ORDER BY 1`,
        );
        if (!rows.length) {
          console.log(`    ${e.kind} ${e.side} at ${e.start_utc}: outside the silver grid`);
          continue;
        }
        const depth = rows.map((r) => Number(r.depth));
        const pulled = rows.reduce((a, r) => a + Number(r.pulled), 0);
        const added = rows.reduce((a, r) => a + Number(r.added), 0);
        const what = e.kind === "vacuum"
          ? `depth ${depth[0]} → min ${Math.min(...depth)}, pulled ${pulled}`
          : `depth ${depth[0]} → max ${Math.max(...depth)}, added ${added}`;
        console.log(
          `    ${e.kind.padEnd(6)} ${e.side.padEnd(3)} ${e.start_utc.slice(11, 19)}–${
            e.end_utc.slice(11, 19)
          } ` +
            `${e.price_lo}–${e.price_hi}: ${what}`,
        );
      }
    }
  } finally {
    db.close();
  }
}

/**
 * Per planted episode, what the gold surface shows there: the mean `liquidity_velocity` of the
 * episode's cells (negative = liquidity leaving) and, for futures, `Omega` (liquidity mass) of
 * those cells at the start and at its extreme, and the smoothed `Omega_near` / `u_near`.
 */
export async function goldReport(lake: string, days: SynthDayResult[]): Promise<void> {
  const db = await openLakeDuckDB(await openLake(lake));
  const q = async (sql: string) =>
    (await db.connection.runAndReadAll(sql)).getRowObjects() as Record<string, number | null>[];
  const n = (
    x: number | null | undefined,
    d = 2,
  ) => (x === null || x === undefined ? "—" : Number(x).toFixed(d));
  try {
    console.log("\n5. Gold at the planted episodes:");
    for (
      const [pt, label, unit] of [
        ["future_mbo", "MNQ futures", 250_000_000n],
        ["equity_mbo", "QQQ", 500_000_000n],
      ] as const
    ) {
      const day = days.find((d) => d.productType === pt);
      console.log(`  ${label} (gold.${pt}.physics_surface_1s):`);
      for (const e of day?.episodes ?? []) {
        if (e.kind === "crossed") continue;
        const side = e.side === "bid" ? "B" : "A";
        const start = BigInt(e.start_ts), end = BigInt(e.end_ts);
        const lo = (BigInt(e.price_lo_int) / unit) * unit;
        const hi = ((BigInt(e.price_hi_int) + unit - 1n) / unit) * unit;
        // the episode's cells: price = spot + rel_ticks · unit inside [lo, hi]
        const cells =
          `side = '${side}' AND spot_ref_price_int + rel_ticks::BIGINT * ${unit} BETWEEN ${lo} AND ${hi}`;
        const span = `window_end_ts_ns BETWEEN ${start} AND ${end + 1_000_000_000n}`;
        if (pt === "future_mbo") {
          const rows = await q(
            `SELECT window_end_ts_ns AS t, avg(liquidity_velocity) AS v, sum(Omega) AS om,
                    avg(Omega_near) AS omn, avg(u_near) AS un
             FROM gold_future_mbo_physics_surface_1s WHERE ${cells} AND ${span}
             GROUP BY 1 ORDER BY 1`,
          );
          if (!rows.length) {
            console.log(`    ${e.kind} ${e.side} at ${e.start_utc}: outside the gold lattice`);
            continue;
          }
          const om = rows.map((r) => Number(r.om));
          const v = rows.reduce((a, r) => a + Number(r.v), 0) / rows.length;
          const ext = e.kind === "vacuum" ? Math.min(...om) : Math.max(...om);
          const un = rows.map((r) => Number(r.un));
          const unExt = e.kind === "vacuum" ? Math.min(...un) : Math.max(...un);
          console.log(
            `    ${e.kind.padEnd(6)} ${e.side.padEnd(3)} ${
              e.start_utc.slice(11, 19)
            }: mean velocity ${n(v, 3)}, Omega ${n(om[0])} → ${
              e.kind === "vacuum" ? "min" : "max"
            } ${n(ext)}, u_near ${n(un[0], 3)} → ${n(unExt, 3)}, Omega_near ${
              n(rows[0].omn, 3)
            } → ${n(rows[rows.length - 1].omn, 3)}`,
          );
        } else {
          const [r] = await q(
            `SELECT count(*) AS rows, avg(liquidity_velocity) AS v, sum(add_intensity) AS a,
                    sum(pull_intensity) AS p
             FROM gold_equity_mbo_physics_surface_1s WHERE ${cells} AND ${span}`,
          );
          console.log(
            `    ${e.kind.padEnd(6)} ${e.side.padEnd(3)} ${
              e.start_utc.slice(11, 19)
            }: ${r.rows} rows, ` +
              `mean velocity ${n(r.v, 3)} (add ${n(r.a)} / pull ${n(r.p)} intensity)`,
          );
        }
      }
    }
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------ physics: a small fit
// One demo day is enough for an intraday split: fit β/γ and the baselines on 09:30–11:00 (New
// York), evaluate on 11:00–12:30, and print the comparison (`deno task physics` does the same on
// any set of days).
async function physicsReport(lakeRoot: string, date: string): Promise<void> {
  const lake = await openLake(lakeRoot);
  const products = await loadProducts(join(DEFAULT_CONFIG_DIR, "products.yaml"));
  console.log(
    "\n6. Physics: beta/gamma fit on 09:30-11:00 ET, evaluation on 11:00-12:30 ET (MNQ):",
  );
  const params = await fitPhysics({
    lake,
    products,
    productType: "future_mbo",
    symbol: "MNQ",
    start: date,
    end: date,
    split: { kind: "time", at: "11:00" },
  });
  const dir = join(lakeRoot, "physics", "product_type=future_mbo", "symbol=MNQ");
  const paramsPath = join(dir, "physics_beta_gamma.json");
  await writeJsonAtomic(paramsPath, params);
  const report = await evaluatePhysics({ lake, products, params, resamples: 200 }, paramsPath);
  await writeJsonAtomic(join(dir, "physics_beta_gamma_eval.json"), report);
  console.log(formatReport(report));
  console.log(`  parameters and report: ${relative(Deno.cwd(), dir) || "."}`);
}

/** Runs the demo with the parsed flags; returns the exit status. */
async function demo(a: { lake: string; date: string; seed: number }): Promise<number> {
  if (tradingDays(a.date, a.date).length === 0) {
    throw new CliError(
      `--date ${a.date} is a ${
        new Date(`${a.date}T00:00:00Z`).toLocaleDateString("en-US", {
          weekday: "long",
          timeZone: "UTC",
        })
      }; synthetic days are Monday to Friday`,
      2,
    );
  }
  const seed = a.seed;
  const lake = resolve(a.lake);
  const t0 = performance.now();
  console.log(
    `Spymaster demo: synthetic ${a.date} (seed ${seed}) into ${
      relative(Deno.cwd(), lake) || "."
    }/\n`,
  );

  console.log("1. Synthetic raw data (DBN v3, zstd) and its decode:");
  const days: SynthDayResult[] = [];
  for (const p of PRODUCTS) {
    const t = performance.now();
    const day = await generateDay({ ...p, date: a.date, seed, scale: "small", lake });
    days.push(day);
    const main = day.files.find((f) => f.schema === "mbo" || f.schema === "cmbp-1");
    console.log(
      `  ${p.productType} (${p.symbol}): ${day.files.length} files in ${
        ((performance.now() - t) / 1000).toFixed(1)
      } s`,
    );
    if (main) {
      console.log(`    ${relative(lake, main.path)}`);
      console.log(await summarize(main.path));
    }
  }

  const registry = defaultRegistry();
  const failures: string[] = [];
  for (const layer of ["bronze", "silver", "gold"] as Layer[]) {
    const todo = PRODUCTS.filter((p) => registry.has(p.productType, layer));
    if (!todo.length) {
      console.log(`\n${layer}: not implemented yet (no stage registered)`);
      continue;
    }
    console.log(`\n${layer === "bronze" ? 2 : layer === "silver" ? 3 : 4}. ${layer}:`);
    for (const p of todo) {
      const symbol = layer === "bronze"
        ? p.symbol
        : (days.find((d) => d.productType === p.productType)?.symbol ?? p.symbol);
      const res = await runPipeline({
        productType: p.productType,
        layer,
        symbol,
        dates: [a.date],
        overwrite: true,
        source: "synthetic", // the demo's days are generated: never mix them with downloads
        lakeRoot: lake,
        registry,
      });
      for (const t of res.tasks) {
        if (!t.ok) {
          failures.push(`${layer} ${p.productType} ${t.symbol} ${t.dt}: ${t.error}`);
          console.log(`  ${p.productType}: FAILED: ${t.error}`);
          continue;
        }
        for (const st of t.stages) {
          for (const part of st.result.partitions) {
            console.log(
              `  ${part.dataset} symbol=${part.symbol} dt=${part.dt}: ${part.rows.toLocaleString()} rows` +
                ` (${st.stage}, ${st.seconds.toFixed(1)} s)`,
            );
          }
        }
      }
    }
  }
  if (registry.has("future_mbo", "silver") && !failures.length) {
    await silverReport(lake, a.date, days);
  }
  if (registry.has("future_mbo", "gold") && !failures.length) await goldReport(lake, days);
  if (registry.has("future_mbo", "gold") && !failures.length) await physicsReport(lake, a.date);
  console.log(
    `\nDone in ${((performance.now() - t0) / 1000).toFixed(1)} s. Lake: ${
      join(relative(Deno.cwd(), lake) || ".", "")
    }`,
  );
  if (failures.length) {
    console.error(`\n${failures.length} task(s) failed:\n${failures.join("\n")}`);
    return 1;
  }
  return 0;
}

/** Runs `deno task demo` with `argv`; returns the exit status. */
export function main(argv: string[]): Promise<number> {
  return command.run(argv, ({ flags }) => demo(flags));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
