/**
 * Gold checks: every double column finite (no NaN/Inf) and inside its expected range (the table
 * {@linkcode GOLD_RANGES}, each bound derived from the feature's formula, pipeline.md §4), the
 * keys against silver (row counts, windows, spot), and `event_ts_ns = window_end_ts_ns`.
 *
 * @module
 */
import type { Contract, SqlConnection } from "../lake/mod.ts";
import type { CheckResult } from "./report.ts";
import type { ProductParams } from "./params.ts";
import { _counted, _one, _rowRules, type RowRule } from "./_sql.ts";

/** Expected range of a gold column (bounds inclusive; absent = unbounded) and why. */
export interface GoldRange {
  /** Smallest allowed value. */
  min?: number;
  /** Largest allowed value. */
  max?: number;
  /** The derivation of the bounds from the formula. */
  why: string;
}

const INTENSITY = "qty / (depth_qty_start + 1) with qty, depth_qty_start >= 0";
const VELOCITY =
  "add - pull - fill intensities; the silver identity gives pull + fill <= start + add, so the " +
  "velocity is >= -start/(start+1) > -1";
const EMA = "an exponential average (convex combination) of velocities > -1";
const SMOOTH = "a normalised Gaussian average of EMAs > -1 (missing cells 0)";
const PHI = "rest / (end + 1) with 0 <= rest <= end, so in [0, 1)";
const UP = "phi (in [0, 1)) times an EMA (> -1), so > -1";
const RHO = "ln(1 + depth_qty_end) with depth_qty_end >= 0";
const OMEGA = "rho * (0.5 + 0.5 phi) * (1 + max(0, u_p_slow)): a product of non-negatives";
const OMEGA_S = "a normalised Gaussian average of Omega >= 0";
const NU = "1 + Omega_near + 2 max(0, Omega_prom) with Omega_near >= 0";
const KAPPA = "1 / nu with nu >= 1, so in (0, 1]";
const FINITE = "a difference or derivative of finite fields: finite, no fixed bound";

/**
 * Expected ranges of the gold columns, by column name (futures and futures-option names; the
 * equity tables use a subset). Every double column is also checked finite.
 */
export const GOLD_RANGES: Readonly<Record<string, GoldRange>> = {
  add_intensity: { min: 0, why: INTENSITY },
  fill_intensity: { min: 0, why: INTENSITY },
  pull_intensity: { min: 0, why: INTENSITY },
  liquidity_velocity: { min: -1, why: VELOCITY },
  u_ema_2: { min: -1, why: EMA },
  u_ema_8: { min: -1, why: EMA },
  u_ema_32: { min: -1, why: EMA },
  u_ema_128: { min: -1, why: EMA },
  u_band_fast: { why: FINITE },
  u_band_mid: { why: FINITE },
  u_band_slow: { why: FINITE },
  u_wave_energy: { min: 0, why: "sqrt of a sum of squares" },
  du_dt: { why: FINITE },
  d2u_dt2: { why: FINITE },
  u_near: { min: -1, why: SMOOTH },
  u_far: { min: -1, why: SMOOTH },
  u_prom: { why: FINITE },
  du_dx: { why: FINITE },
  d2u_dx2: { why: FINITE },
  rho: { min: 0, why: RHO },
  phi_rest: { min: 0, max: 1, why: PHI },
  u_p: { min: -1, why: UP },
  u_p_slow: { min: -1, why: UP },
  Omega: { min: 0, why: OMEGA },
  Omega_near: { min: 0, why: OMEGA_S },
  Omega_far: { min: 0, why: OMEGA_S },
  Omega_prom: { why: FINITE },
  nu: { min: 1, why: NU },
  kappa: { min: 0, max: 1, why: KAPPA },
  pressure_grad: { why: "+u_p on bids, -u_p on asks: finite" },
  strike_points: { min: 0, why: "strike_price_int * 1e-9 > 0" },
  rho_opt: { min: 0, why: RHO },
  phi_rest_opt: { min: 0, max: 1, why: PHI },
  u_opt_ema_2: { min: -1, why: EMA },
  u_opt_ema_8: { min: -1, why: EMA },
  u_opt_ema_32: { min: -1, why: EMA },
  u_opt_ema_128: { min: -1, why: EMA },
  u_opt_band_fast: { why: FINITE },
  u_opt_band_mid: { why: FINITE },
  u_opt_band_slow: { why: FINITE },
  u_opt_wave_energy: { min: 0, why: "sqrt of a sum of squares" },
  du_opt_dt: { why: FINITE },
  d2u_opt_dt2: { why: FINITE },
  u_opt_p: { min: -1, why: UP },
  u_opt_p_slow: { min: -1, why: UP },
  u_opt_near: { min: -1, why: SMOOTH },
  u_opt_far: { min: -1, why: SMOOTH },
  u_opt_prom: { why: FINITE },
  du_opt_dx: { why: FINITE },
  d2u_opt_dx2: { why: FINITE },
  Omega_opt: { min: 0, why: OMEGA },
  Omega_opt_near: { min: 0, why: OMEGA_S },
  Omega_opt_far: { min: 0, why: OMEGA_S },
  Omega_opt_prom: { why: FINITE },
  nu_opt: { min: 1, why: NU },
  kappa_opt: { min: 0, max: 1, why: KAPPA },
  pressure_grad_opt: { why: "+u_opt_p on bids, -u_opt_p on asks: finite" },
};

function q(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Tolerance of the range bounds (rounding of the float formulas). */
const EPS = 1e-9;

/** Finiteness and range of every double column, plus the key rules. */
export async function goldColumnChecks(
  con: SqlConnection,
  gold: string,
  contract: Contract,
  p: ProductParams,
): Promise<{ rows: number; checks: CheckResult[] }> {
  const names = new Set(contract.fields.map((f) => f.name));
  const doubles = contract.fields.filter((f) => f.type === "double" || f.type === "float");
  const rules: RowRule[] = [];
  if (names.has("event_ts_ns")) {
    rules.push({
      id: "gold.event_ts",
      what: "event_ts_ns = window_end_ts_ns",
      bad: "event_ts_ns <> window_end_ts_ns",
    });
  }
  if (names.has("spot_ref_price_int")) {
    rules.push({ id: "gold.spot", what: "spot_ref_price_int > 0", bad: "spot_ref_price_int <= 0" });
  }
  if (names.has("side")) {
    rules.push({ id: "gold.side", what: "side in B A", bad: "side NOT IN ('A','B')" });
  }
  if (names.has("right")) {
    rules.push({ id: "gold.right", what: "right in C P", bad: "\"right\" NOT IN ('C','P')" });
  }
  if (
    (p.productType === "future_mbo" || p.productType === "equity_mbo") && names.has("rel_ticks")
  ) {
    rules.push({
      id: "gold.grid",
      what: `|rel_ticks| <= ${p.grid} (grid of products.yaml)`,
      bad: `abs(rel_ticks) > ${p.grid}`,
    });
  }
  for (const f of doubles) {
    const c = q(f.name);
    rules.push({
      id: `gold.finite.${f.name}`,
      what: `${f.name} finite (no NaN/Inf)`,
      bad: `NOT isfinite(${c})`,
    });
    const r = GOLD_RANGES[f.name];
    if (!r) continue;
    const lo = r.min !== undefined && Number.isFinite(r.min) ? `${c} < ${r.min} - ${EPS}` : null;
    const hi = r.max !== undefined && Number.isFinite(r.max) ? `${c} > ${r.max} + ${EPS}` : null;
    const cond = [lo, hi].filter(Boolean).join(" OR ");
    if (!cond) continue;
    const range = `[${r.min ?? "-inf"}, ${r.max ?? "+inf"}]`;
    rules.push({
      id: `gold.range.${f.name}`,
      what: `${f.name} in ${range} (${r.why})`,
      bad: `isfinite(${c}) AND (${cond})`,
    });
  }
  const show = ["window_end_ts_ns", "rel_ticks", "side", "strike_price_int", "right"].filter((n) =>
    names.has(n)
  ).map(q);
  const { rows, results } = await _rowRules(con, gold, rules, [
    ...show,
    ...doubles.map((f) => q(f.name)).slice(0, 8),
  ]);
  const unranged = doubles.filter((f) => !GOLD_RANGES[f.name]).map((f) => f.name);
  if (unranged.length) {
    results.push({
      id: "gold.range_documented",
      status: "WARN",
      detail: `no expected range written for ${unranged.join(", ")} (finiteness checked only)`,
    });
  }
  return { rows, checks: results };
}

/** Gold keys against silver: row counts, windows and spots. */
export async function goldAgainstSilver(
  con: SqlConnection,
  gold: string,
  silverFlow: string | null,
  silverSnap: string | null,
  p: ProductParams,
): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  if (silverSnap) {
    const r = await _one(
      con,
      `SELECT count(*) AS n, min(g.window_end_ts_ns) AS ex FROM ${gold} g ANTI JOIN
         (SELECT DISTINCT window_end_ts_ns, spot_ref_price_int FROM ${silverSnap}) s
         ON g.window_end_ts_ns = s.window_end_ts_ns AND g.spot_ref_price_int = s.spot_ref_price_int`,
    );
    const n = Number((await _one(con, `SELECT count(*) AS n FROM ${gold}`)).n);
    checks.push(
      _counted(
        "gold.silver_spot",
        "gold rows whose window and spot match the silver snapshot",
        Number(r.n),
        n,
        "FAIL",
        Number(r.n) ? `window end ${r.ex}` : undefined,
      ),
    );
  }
  if (!silverFlow) return checks;
  // gold drops silver rows without a spot and windows (MBO) or cells (options) silver marked
  // invalid: the gold filter of the features module
  const kept = `(SELECT * FROM ${silverFlow} WHERE window_valid AND spot_ref_price_int > 0)`;
  if (p.productType === "future_mbo") {
    const width = 2 * p.grid + 1;
    const f = await _one(
      con,
      `SELECT count(*) AS frames, count_if(n <> ${width} OR d <> ${width}) AS bad,
         count(DISTINCT window_end_ts_ns) AS windows,
         (SELECT count(*) FROM (SELECT window_end_ts_ns FROM ${gold} GROUP BY 1
            HAVING count(DISTINCT side) <> 2)) AS one_side
       FROM (SELECT window_end_ts_ns, side, count(*) AS n, count(DISTINCT rel_ticks) AS d
             FROM ${gold} GROUP BY 1, 2)`,
    );
    checks.push(
      _counted(
        "gold.dense_frames",
        `(window, side) frames with the ${width} ticks -${p.grid}..${p.grid}`,
        Number(f.bad),
        Number(f.frames),
      ),
    );
    checks.push(
      _counted(
        "gold.both_sides",
        "gold windows with both sides",
        Number(f.one_side),
        Number(f.windows),
      ),
    );
    if (silverSnap) {
      // every window with a spot whose silver rows are all valid is one dense surface
      const expected = `(SELECT window_end_ts_ns FROM ${silverSnap} WHERE spot_ref_price_int > 0
        EXCEPT SELECT window_end_ts_ns FROM ${silverFlow} WHERE NOT window_valid)`;
      checks.push(
        ...(await keySets(
          con,
          `(SELECT DISTINCT window_end_ts_ns FROM ${gold})`,
          expected,
          "window_end_ts_ns",
          "windows (spot > 0, silver valid)",
        )),
      );
    }
    return checks;
  }
  const keys = p.productType === "equity_mbo"
    ? "window_end_ts_ns, side, rel_ticks"
    : 'window_end_ts_ns, strike_price_int, "right", side';
  const c = await _one(
    con,
    `SELECT (SELECT count(*) FROM ${gold}) AS g, (SELECT count(*) FROM ${kept}) AS s`,
  );
  checks.push({
    id: "gold.row_count",
    status: Number(c.g) === Number(c.s) ? "PASS" : "FAIL",
    detail:
      `gold ${c.g} rows, silver depth_and_flow ${c.s} valid rows with a spot (one gold row each)`,
    violations: Number(c.g) === Number(c.s) ? undefined : Math.abs(Number(c.g) - Number(c.s)),
  });
  checks.push(...(await keySets(con, gold, kept, keys, `(${keys}) keys`)));
  return checks;
}

async function keySets(
  con: SqlConnection,
  gold: string,
  silver: string,
  keys: string,
  what: string,
): Promise<CheckResult[]> {
  const r = await _one(
    con,
    `SELECT
       (SELECT count(*) FROM (SELECT DISTINCT ${keys} FROM ${silver} EXCEPT SELECT DISTINCT ${keys} FROM ${gold})) AS missing,
       (SELECT count(*) FROM (SELECT DISTINCT ${keys} FROM ${gold} EXCEPT SELECT DISTINCT ${keys} FROM ${silver})) AS extra,
       (SELECT count(*) FROM (SELECT DISTINCT ${keys} FROM ${silver})) AS n`,
  );
  return [
    _counted("gold.keys_missing", `silver ${what} present in gold`, Number(r.missing), Number(r.n)),
    _counted("gold.keys_extra", `gold ${what} present in silver`, Number(r.extra), Number(r.n)),
  ];
}
