/**
 * Silver checks: `book_snapshot_1s` (windows contiguous and exactly 1 s, inside the regular
 * session; crossed and one-sided books; mid and spot consistency; spot jumps; book validity
 * share) and `depth_and_flow_1s` (the accounting identity on every row, non-negative finite
 * quantities, `rel_ticks` consistent with price and spot, keys unique, spot equal to the
 * snapshot's), for the MBO and the option grids; and the bronze → silver volume reconciliation.
 *
 * Prices may be null (an empty book side): a null price is treated as missing, never as 0.
 *
 * @module
 */
import type { SqlConnection } from "../lake/mod.ts";
import { regularSession } from "../silver/session.ts";
import type { CheckResult } from "./report.ts";
import type { ProductParams } from "./params.ts";
import { _counted, _one, _rowRules, _rows, type RowRule } from "./_sql.ts";

const W = 1_000_000_000;

/** Per-row rules shared by every silver table: whole 1-second windows. */
function windowRules(): RowRule[] {
  return [
    {
      id: "window.length",
      what: "window_end - window_start = 1 s",
      bad: `window_end_ts_ns - window_start_ts_ns <> ${W}`,
    },
    {
      id: "window.aligned",
      what: "window ends on a whole second",
      bad: `window_end_ts_ns % ${W} <> 0`,
    },
  ];
}

/** Rules on the flow quantities: finite, non-negative, the accounting identity, rest ≤ end. */
function quantityRules(cols: readonly string[], hasRest: boolean): RowRule[] {
  const rules: RowRule[] = [
    {
      id: "flow.quantities",
      what: `${cols.join(", ")} finite and >= 0`,
      bad: cols.map((c) => `NOT (isfinite(${c}) AND ${c} >= 0)`).join(" OR "),
    },
    {
      id: "flow.identity",
      what: "depth_qty_start + add_qty - pull_qty - fill_qty = depth_qty_end",
      bad: "abs(depth_qty_start + add_qty - pull_qty - fill_qty - depth_qty_end) > 1e-6",
    },
    {
      id: "flow.pull_rest",
      what: "pull_qty_rest <= pull_qty",
      bad: "pull_qty_rest > pull_qty + 1e-9",
    },
  ];
  if (hasRest) {
    rules.push({
      id: "flow.rest",
      what: "depth_qty_rest <= depth_qty_end",
      bad: "depth_qty_rest > depth_qty_end + 1e-9",
    });
  }
  return rules;
}

/** Windows of a snapshot table: no duplicates (per `key`), no gaps, inside the regular session. */
async function windowChecks(
  con: SqlConnection,
  snap: string,
  dt: string,
  p: ProductParams,
  perInstrument: boolean,
): Promise<CheckResult[]> {
  const s = regularSession(dt);
  const key = perInstrument ? "(window_end_ts_ns, instrument_id)" : "window_end_ts_ns";
  const r = await _one(
    con,
    `SELECT count(*) AS n, count(DISTINCT ${key}) AS keys, count(DISTINCT window_end_ts_ns) AS d,
       min(window_end_ts_ns) AS lo, max(window_end_ts_ns) AS hi,
       count_if(window_end_ts_ns < ${s.startNs} OR window_end_ts_ns > ${s.endNs}) AS outside
     FROM ${snap}`,
  );
  const n = Number(r.n), d = Number(r.d);
  const checks: CheckResult[] = [];
  checks.push(_counted("window.unique", `one row per ${key}`, n - Number(r.keys), n));
  checks.push(
    _counted(
      "window.session",
      `window ends inside the regular session of ${dt} (09:30-16:00 New York)`,
      Number(r.outside),
      n,
    ),
  );
  if (perInstrument || d === 0) return checks;
  const expected = (BigInt(r.hi) - BigInt(r.lo)) / BigInt(W) + 1n;
  const missing = Number(expected) - d;
  let example: string | undefined;
  if (missing > 0) {
    const [g] = await _rows(
      con,
      `SELECT window_end_ts_ns AS last_before_gap, nxt - window_end_ts_ns AS gap_ns FROM (
         SELECT window_end_ts_ns, lead(window_end_ts_ns) OVER (ORDER BY window_end_ts_ns) AS nxt
         FROM (SELECT DISTINCT window_end_ts_ns FROM ${snap})) WHERE nxt - window_end_ts_ns <> ${W} LIMIT 1`,
    );
    example = g ? `window end ${g.last_before_gap} then +${Number(g.gap_ns) / 1e9} s` : undefined;
  }
  checks.push(
    _counted(
      "window.contiguous",
      "1-second windows without gaps",
      missing,
      Number(expected),
      "FAIL",
      example,
    ),
  );
  const full = Number((s.endNs - s.startNs) / BigInt(W)) + 1;
  const share = d / full;
  checks.push({
    id: "window.coverage",
    status: share < p.thresholds.minSessionCoverage ? "WARN" : "INFO",
    detail: `${d} of the session's ${full} windows (${(share * 100).toFixed(1)} %)`,
    values: { windows: d, session_windows: full, share },
  });
  return checks;
}

/** `book_snapshot_1s` of `future_mbo` / `equity_mbo`. */
export async function mboSnapshotChecks(
  con: SqlConnection,
  snap: string,
  p: ProductParams,
  dt: string,
): Promise<{ rows: number; checks: CheckResult[] }> {
  const bid = "best_bid_price_int", ask = "best_ask_price_int";
  const two = `${bid} > 0 AND ${ask} > 0`;
  const rules: RowRule[] = [
    ...windowRules(),
    {
      id: "book.crossed",
      what: "no crossed or locked book (best bid < best ask) where book_valid",
      bad: `book_valid AND ${two} AND ${bid} >= ${ask}`,
    },
    {
      id: "book.crossed_invalid",
      what: "no crossed or locked book where book_valid is false",
      bad: `NOT book_valid AND ${two} AND ${bid} >= ${ask}`,
      status: "WARN",
    },
    {
      id: "book.one_sided",
      what: "both sides of the book present",
      bad: `${bid} IS NULL OR ${ask} IS NULL OR ${bid} <= 0 OR ${ask} <= 0`,
      status: "WARN",
    },
    {
      id: "book.qty",
      what: "best quantities > 0 where the side has a price, >= 0 always",
      bad: `best_bid_qty < 0 OR best_ask_qty < 0 OR (${bid} > 0 AND best_bid_qty <= 0) OR ` +
        `(${ask} > 0 AND best_ask_qty <= 0)`,
    },
    {
      id: "book.mid",
      what: "mid_price = (bid + ask) / 2 * 1e-9 (within 1e-9)",
      bad: `${two} AND NOT abs(mid_price - (${bid} + ${ask}) * 0.5e-9) <= 1e-9`,
    },
    {
      id: "book.mid_int",
      what: "mid_price_int = (bid + ask) / 2 rounded (within 0.5)",
      bad: `${two} AND abs(mid_price_int - (${bid} + ${ask}) / 2.0) > 0.5`,
    },
    {
      id: "book.spot_grid",
      what: `spot_ref_price_int a whole number of ${p.unitName}s (${p.unit})`,
      bad: `spot_ref_price_int < 0 OR spot_ref_price_int % ${p.unit}::BIGINT <> 0`,
    },
    { id: "book.last_trade", what: "last_trade_price_int >= 0", bad: "last_trade_price_int < 0" },
  ];
  const { rows, results } = await _rowRules(con, snap, rules, [
    "window_end_ts_ns",
    bid,
    "best_bid_qty",
    ask,
    "best_ask_qty",
    "mid_price",
    "mid_price_int",
    "spot_ref_price_int",
    "book_valid",
  ]);
  const checks = [...results, ...(await windowChecks(con, snap, dt, p, false))];
  const v = await _one(
    con,
    `SELECT count_if(book_valid) AS valid, count(*) AS n, count_if(spot_ref_price_int > 0) AS spot FROM ${snap}`,
  );
  const n = Number(v.n);
  const share = n ? Number(v.valid) / n : 0;
  checks.push({
    id: "book.valid_share",
    status: share < p.thresholds.minBookValidShare ? "WARN" : "INFO",
    detail: `book_valid in ${v.valid} of ${n} windows (${(share * 100).toFixed(1)} %)`,
    values: { valid: v.valid, windows: n, share },
  });
  checks.push({
    id: "book.spot_share",
    status: Number(v.spot) < n ? "WARN" : "INFO",
    detail: `spot resolved in ${v.spot} of ${n} windows`,
    values: { with_spot: v.spot, windows: n },
  });
  checks.push(await spotJumps(con, snap, p));
  return { rows, checks };
}

async function spotJumps(con: SqlConnection, snap: string, p: ProductParams): Promise<CheckResult> {
  const thr = p.thresholds.spotJumpUnits;
  const r = await _one(
    con,
    `SELECT count_if(abs(d) > ${thr}::BIGINT * ${p.unit}::BIGINT) AS n, coalesce(max(abs(d)), 0) AS mx,
       arg_max(window_end_ts_ns, abs(d)) AS at
     FROM (SELECT window_end_ts_ns, spot_ref_price_int - lag(spot_ref_price_int)
             OVER (ORDER BY window_end_ts_ns) AS d
           FROM ${snap} WHERE spot_ref_price_int > 0)`,
  );
  const n = Number(r.n);
  const mx = Number(r.mx) / p.unit;
  return {
    id: "book.spot_jumps",
    status: n ? "WARN" : "PASS",
    detail:
      `window-to-window spot moves above ${thr} ${p.unitName}s: ${n} (largest ${mx} ${p.unitName}s` +
      `${n ? ` at window end ${r.at}` : ""})`,
    violations: n || undefined,
    values: { threshold_units: thr, max_jump_units: mx },
  };
}

/** `depth_and_flow_1s` of `future_mbo` / `equity_mbo`, against its snapshot. */
export async function mboFlowChecks(
  con: SqlConnection,
  flow: string,
  snap: string | null,
  p: ProductParams,
): Promise<{ rows: number; checks: CheckResult[] }> {
  const rules: RowRule[] = [
    ...windowRules(),
    { id: "flow.side", what: "side in B A", bad: "side NOT IN ('A','B')" },
    ...quantityRules(
      [
        "depth_qty_start",
        "depth_qty_end",
        "add_qty",
        "pull_qty",
        "depth_qty_rest",
        "pull_qty_rest",
        "fill_qty",
      ],
      true,
    ),
    { id: "flow.spot", what: "spot_ref_price_int > 0", bad: "spot_ref_price_int <= 0" },
    {
      id: "flow.rel_ticks",
      what: `price_int - spot_ref_price_int = rel_ticks * ${p.unit} (${p.unitName})`,
      bad: `price_int - spot_ref_price_int <> rel_ticks::BIGINT * ${p.unit}::BIGINT`,
    },
    {
      id: "flow.grid",
      what: `|rel_ticks| <= ${p.grid} (grid of products.yaml)`,
      bad: `abs(rel_ticks) > ${p.grid}`,
    },
    {
      id: "flow.price_grid",
      what: `price_int a whole number of ${p.unitName}s`,
      bad: `price_int % ${p.unit}::BIGINT <> 0`,
    },
  ];
  const { rows, results } = await _rowRules(con, flow, rules, [
    "window_end_ts_ns",
    "side",
    "price_int",
    "spot_ref_price_int",
    "rel_ticks",
    "depth_qty_start",
    "depth_qty_end",
    "add_qty",
    "pull_qty",
    "fill_qty",
    "depth_qty_rest",
    "pull_qty_rest",
  ]);
  const checks = [...results];
  const u = await _one(
    con,
    `SELECT count(*) - count(DISTINCT (window_end_ts_ns, side, price_int)) AS dup,
       count_if(window_valid) AS valid FROM ${flow}`,
  );
  checks.push(_counted("flow.unique", "one row per (window, side, price)", Number(u.dup), rows));
  checks.push({
    id: "flow.window_valid_share",
    status: "INFO",
    detail: `window_valid on ${u.valid} of ${rows} rows`,
    values: { valid: u.valid, rows },
  });
  if (snap) checks.push(...(await againstSnapshot(con, flow, snap, "flow.snapshot_spot")));
  return { rows, checks };
}

/** Every flow row's window exists in `snap` with the same spot. */
async function againstSnapshot(
  con: SqlConnection,
  flow: string,
  snap: string,
  id: string,
): Promise<CheckResult[]> {
  const spots = `(SELECT DISTINCT window_end_ts_ns, spot_ref_price_int FROM ${snap})`;
  const r = await _one(
    con,
    `SELECT count(*) AS n, min(f.window_end_ts_ns) AS ex FROM ${flow} f ANTI JOIN ${spots} s
       ON f.window_end_ts_ns = s.window_end_ts_ns AND f.spot_ref_price_int = s.spot_ref_price_int`,
  );
  const total = Number((await _one(con, `SELECT count(*) AS n FROM ${flow}`)).n);
  return [
    _counted(
      id,
      "flow rows whose window and spot match the spot snapshot",
      Number(r.n),
      total,
      "FAIL",
      Number(r.n) ? `window end ${r.ex}` : undefined,
    ),
  ];
}

/** Bronze event volumes against silver add/fill sums over the silver windows (MBO products). */
export async function reconcileBronzeSilver(
  con: SqlConnection,
  bronze: string,
  flow: string,
  snap: string,
): Promise<CheckResult[]> {
  const range = await _one(
    con,
    `SELECT min(window_start_ts_ns) AS lo, max(window_end_ts_ns) AS hi FROM ${snap}`,
  );
  if (range.lo === "null") return [];
  // the silver clock: a record belongs to the window of the latest ts_event seen so far among
  // non-snapshot records (snapshot records keep their orders' old ts_event and never move it;
  // before the first live record they keep their own)
  const b = await _one(
    con,
    `SELECT coalesce(sum(size) FILTER (WHERE action = 'A'), 0) AS a,
            coalesce(sum(size) FILTER (WHERE action = 'M'), 0) AS m,
            coalesce(sum(size) FILTER (WHERE action = 'F'), 0) AS f,
            coalesce(sum(size) FILTER (WHERE action = 'T'), 0) AS t
     FROM (SELECT action, size, coalesce(max(CASE WHEN flags & 32 = 0 THEN ts_event END)
             OVER (ORDER BY filename, file_row_number ROWS UNBOUNDED PRECEDING), ts_event) AS clock
           FROM ${bronze})
     WHERE clock >= ${range.lo} AND clock < ${range.hi}`,
  );
  const s = await _one(
    con,
    `SELECT coalesce(sum(add_qty), 0) AS add, coalesce(sum(fill_qty), 0) AS fill FROM ${flow}`,
  );
  const [A, M, F, T] = [b.a, b.m, b.f, b.t].map(Number);
  const add = Number(s.add), fill = Number(s.fill);
  const ratio = (x: number, y: number) => (y > 0 ? Math.round((x / y) * 1e4) / 1e4 : 0);
  const values = {
    bronze_add_size: A,
    bronze_modify_size: M,
    bronze_fill_size: F,
    bronze_trade_size: T,
    silver_add_qty: add,
    silver_fill_qty: fill,
    add_coverage: ratio(add, A + M),
    fill_coverage: ratio(fill, F),
  };
  return [
    {
      id: "reconcile.fill",
      status: fill <= F ? "PASS" : "FAIL",
      detail: `silver fill_qty ${fill} <= bronze F size ${F} in the same windows` +
        (fill <= F
          ? ` (${(ratio(fill, F) * 100).toFixed(1)} % inside the grid)`
          : ": silver invents fills"),
      values,
    },
    {
      id: "reconcile.add",
      status: add <= A + M ? "PASS" : "FAIL",
      detail: `silver add_qty ${add} <= bronze A + M size ${A + M} in the same windows` +
        (add <= A + M ? ` (${(ratio(add, A + M) * 100).toFixed(1)} %)` : ": silver invents adds"),
      values,
    },
    {
      id: "reconcile.trades",
      status: "INFO",
      detail: `bronze trade size ${T}, fill size ${F} in the silver windows`,
      values,
    },
  ];
}

/** `book_snapshot_1s` of the option products (one row per window and instrument). */
export async function optionSnapshotChecks(
  con: SqlConnection,
  snap: string,
  under: string | null,
  p: ProductParams,
  dt: string,
): Promise<{ rows: number; checks: CheckResult[] }> {
  const rules: RowRule[] = [
    ...windowRules(),
    {
      id: "book.crossed",
      what: "option books two-sided and uncrossed (bid < ask)",
      bad: "bid_price_int IS NULL OR ask_price_int IS NULL OR bid_price_int <= 0 OR " +
        "ask_price_int <= 0 OR bid_price_int >= ask_price_int",
    },
    {
      id: "book.mid",
      what: "mid_price = (bid + ask) / 2 * 1e-9 (within 1e-9)",
      bad: "NOT abs(mid_price - (bid_price_int + ask_price_int) * 0.5e-9) <= 1e-9",
    },
    {
      id: "book.mid_int",
      what: "mid_price_int = (bid + ask) / 2 (within 0.5)",
      bad: "abs(mid_price_int - (bid_price_int + ask_price_int) / 2.0) > 0.5",
    },
    { id: "book.right", what: "right in C P", bad: "\"right\" NOT IN ('C','P')" },
    { id: "book.strike", what: "strike_price_int > 0", bad: "strike_price_int <= 0" },
    { id: "book.spot", what: "spot_ref_price_int > 0", bad: "spot_ref_price_int <= 0" },
  ];
  const { rows, results } = await _rowRules(con, snap, rules, [
    "window_end_ts_ns",
    "instrument_id",
    '"right"',
    "strike_price_int",
    "bid_price_int",
    "ask_price_int",
    "mid_price",
    "mid_price_int",
  ]);
  const checks = [...results, ...(await windowChecks(con, snap, dt, p, true))];
  if (under) checks.push(...(await againstSnapshot(con, snap, under, "book.underlying_spot")));
  return { rows, checks };
}

/** `depth_and_flow_1s` of the option products: the dense strike grid. */
export async function optionFlowChecks(
  con: SqlConnection,
  flow: string,
  under: string | null,
  p: ProductParams,
  hasRest: boolean,
): Promise<{ rows: number; checks: CheckResult[] }> {
  const k = p.maxStrikeOffsets, step = p.strikeStepInt;
  // strike_ref = spot rounded half up to the step (pipeline.md RHU_step)
  const ref = `((spot_ref_price_int + ${
    Math.floor(step / 2)
  }::BIGINT) // ${step}::BIGINT) * ${step}::BIGINT`;
  const qty = [
    "depth_qty_start",
    "depth_qty_end",
    "add_qty",
    "pull_qty",
    "pull_qty_rest",
    "fill_qty",
  ];
  if (hasRest) qty.push("depth_qty_rest");
  const rules: RowRule[] = [
    ...windowRules(),
    { id: "flow.side", what: "side in B A", bad: "side NOT IN ('A','B')" },
    { id: "flow.right", what: "right in C P", bad: "\"right\" NOT IN ('C','P')" },
    ...quantityRules(qty, hasRest),
    { id: "flow.spot", what: "spot_ref_price_int > 0", bad: "spot_ref_price_int <= 0" },
    {
      id: "flow.strike_step",
      what: `strike_price_int a multiple of the strike step ${step * 1e-9}`,
      bad: `strike_price_int % ${step}::BIGINT <> 0`,
    },
    {
      id: "flow.strike_window",
      what: `strike within ${k} steps of spot rounded half up to the step`,
      bad: `abs(strike_price_int - ${ref}) > ${k}::BIGINT * ${step}::BIGINT`,
    },
    {
      id: "flow.rel_ticks",
      what: `rel_ticks = floor((strike - spot) / ${p.unit}) (${p.unitName})`,
      bad:
        `rel_ticks::BIGINT <> floor((strike_price_int - spot_ref_price_int) / ${p.unit}::BIGINT::DOUBLE)`,
    },
    {
      id: "flow.strike_points",
      what: "strike_points = strike_price_int * 1e-9",
      bad:
        "NOT abs(strike_points - strike_price_int * 1e-9) <= 1e-9 * greatest(1, abs(strike_points))",
    },
  ];
  if (hasRest) {
    rules.push({
      id: "flow.identity_flag",
      what: "accounting_identity_valid",
      bad: "NOT accounting_identity_valid",
    });
  }
  const { rows, results } = await _rowRules(con, flow, rules, [
    "window_end_ts_ns",
    "strike_price_int",
    '"right"',
    "side",
    "spot_ref_price_int",
    "rel_ticks",
    ...qty,
  ]);
  const checks = [...results];
  const per = 4 * (2 * k + 1);
  const g = await _one(
    con,
    `SELECT count(*) AS windows, count_if(n <> ${per}) AS bad, min(CASE WHEN n <> ${per} THEN w END) AS ex,
       sum(n - keys) AS dup
     FROM (SELECT window_end_ts_ns AS w, count(*) AS n,
             count(DISTINCT (strike_price_int, "right", side)) AS keys FROM ${flow} GROUP BY 1)`,
  );
  checks.push(
    _counted(
      "flow.grid_rows",
      `windows with exactly ${per} grid rows (4 x (2 x ${k} + 1))`,
      Number(g.bad),
      Number(g.windows),
      "FAIL",
      Number(g.bad) ? `window end ${g.ex}` : undefined,
    ),
  );
  checks.push(
    _counted("flow.unique", "one row per (window, strike, right, side)", Number(g.dup) || 0, rows),
  );
  if (under) {
    checks.push(...(await againstSnapshot(con, flow, under, "flow.underlying_spot")));
    const m = await _one(
      con,
      `SELECT count(*) AS n, min(window_end_ts_ns) AS ex FROM (SELECT DISTINCT window_end_ts_ns FROM ${under}
         WHERE spot_ref_price_int > 0) u ANTI JOIN (SELECT DISTINCT window_end_ts_ns FROM ${flow}) f
         USING (window_end_ts_ns)`,
    );
    const total = Number(
      (await _one(con, `SELECT count(*) AS n FROM ${under} WHERE spot_ref_price_int > 0`)).n,
    );
    checks.push(
      _counted(
        "flow.grid_windows",
        "underlying windows with a spot that have a strike grid",
        Number(m.n),
        total,
        "FAIL",
        Number(m.n) ? `window end ${m.ex}` : undefined,
      ),
    );
  }
  return { rows, checks };
}
