/**
 * Bronze checks: the event table of a product type (MBO or CMBP-1) row by row, its row order,
 * and its volumes by action (reported for the silver reconciliation).
 *
 * @module
 */
import type { SqlConnection } from "../lake/mod.ts";
import type { CheckResult } from "./report.ts";
import type { ProductParams } from "./params.ts";
import { _one, _rowRules, _rows, type RowRule } from "./_sql.ts";

/** The main bronze event table of each product type. */
export const BRONZE_EVENTS: Readonly<Record<string, string>> = {
  future_mbo: "bronze.future_mbo.mbo",
  future_option_mbo: "bronze.future_option_mbo.mbo",
  equity_mbo: "bronze.equity_mbo.mbo",
  equity_option_cmbp_1: "bronze.equity_option_cmbp_1.cmbp_1",
};

function sq(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Per-row and row-order checks of a bronze MBO partition (`from` read with row numbers). */
export async function bronzeMboChecks(
  con: SqlConnection,
  from: string,
  p: ProductParams,
  symbol: string,
): Promise<{ rows: number; checks: CheckResult[] }> {
  const rules: RowRule[] = [
    {
      id: "bronze.action",
      what: "action in A C M R T F N",
      bad: "action NOT IN ('A','C','M','R','T','F','N')",
    },
    { id: "bronze.side", what: "side in B A N", bad: "side NOT IN ('A','B','N')" },
    {
      id: "bronze.add_price",
      what: "adds and modifies have a defined price > 0",
      bad: "action IN ('A','M') AND (price IS NULL OR price <= 0)",
    },
    { id: "bronze.add_size", what: "adds have size > 0", bad: "action = 'A' AND size <= 0" },
    { id: "bronze.size", what: "size >= 0", bad: "size < 0" },
    {
      id: "bronze.add_side",
      what: "adds and modifies are on side B or A",
      bad: "action IN ('A','M') AND side NOT IN ('A','B')",
    },
  ];
  if (p.productType === "future_mbo") {
    rules.push({
      id: "bronze.price_tick",
      what: `order prices on the ${p.tickInt * 1e-9} tick (products.yaml)`,
      bad: `action IN ('A','M','F','T') AND price > 0 AND price % ${p.tickInt} <> 0`,
      status: "WARN",
    });
  }
  if (p.productType === "future_mbo" || p.productType === "equity_mbo") {
    rules.push({
      id: "bronze.symbol",
      what: `symbol column = partition symbol ${symbol}`,
      bad: `symbol <> ${sq(symbol)}`,
    });
  }
  const { rows, results } = await _rowRules(
    con,
    from,
    rules,
    ["ts_event", "action", "side", "price", "size", "order_id", "symbol"],
  );
  const checks = [...results, await recvOrder(con, from, rows)];
  const vol = await _rows(
    con,
    `SELECT action, count(*) AS n, sum(size) AS size FROM ${from} GROUP BY action ORDER BY action`,
  );
  const values: Record<string, number | string> = {};
  for (const v of vol) {
    values[`${v.action}_records`] = v.n;
    values[`${v.action}_size`] = v.size;
  }
  checks.push({
    id: "bronze.volumes",
    status: "INFO",
    detail: vol.map((v) => `${v.action} ${v.n} rec / ${v.size}`).join(", ") || "no rows",
    values,
  });
  return { rows, checks };
}

async function recvOrder(con: SqlConnection, from: string, rows: number): Promise<CheckResult> {
  const r = await _one(
    con,
    `SELECT count_if(d < 0) AS n FROM (SELECT ts_recv - lag(ts_recv) OVER ` +
      `(ORDER BY filename, file_row_number) AS d FROM ${from})`,
  );
  const n = Number(r.n);
  return n === 0
    ? { id: "bronze.recv_order", status: "PASS", detail: `rows in ts_recv order: all ${rows}` }
    : {
      id: "bronze.recv_order",
      status: "WARN",
      detail: `ts_recv decreases ${n} times in row (file) order (silver replays row order)`,
      violations: n,
    };
}

/** Per-row checks of a bronze CMBP-1 partition. */
export async function bronzeCmbp1Checks(
  con: SqlConnection,
  from: string,
  symbol: string,
): Promise<{ rows: number; checks: CheckResult[] }> {
  const rules: RowRule[] = [
    {
      id: "bronze.quote_price",
      what: "bid/ask prices >= 0",
      bad: "bid_px_00 < 0 OR ask_px_00 < 0",
    },
    { id: "bronze.quote_size", what: "bid/ask sizes >= 0", bad: "bid_sz_00 < 0 OR ask_sz_00 < 0" },
    { id: "bronze.right", what: "right in C P", bad: "\"right\" NOT IN ('C','P')" },
    { id: "bronze.strike", what: "strike > 0", bad: "strike <= 0" },
    {
      id: "bronze.underlying",
      what: `underlying = partition symbol ${symbol}`,
      bad: `underlying <> ${sq(symbol)}`,
    },
    {
      id: "bronze.crossed_quote",
      what: "two-sided quotes not crossed (bid <= ask)",
      bad:
        "bid_px_00 > 0 AND ask_px_00 > 0 AND bid_sz_00 > 0 AND ask_sz_00 > 0 AND bid_px_00 > ask_px_00",
      status: "WARN",
    },
  ];
  const { rows, results } = await _rowRules(
    con,
    from,
    rules,
    [
      "ts_event",
      "instrument_id",
      "bid_px_00",
      "ask_px_00",
      "bid_sz_00",
      "ask_sz_00",
      '"right"',
      "strike",
    ],
  );
  const info = await _one(
    con,
    `SELECT count(DISTINCT instrument_id) AS instruments, min(ts_event) AS first, max(ts_event) AS last FROM ${from}`,
  );
  return {
    rows,
    checks: [
      ...results,
      await recvOrder(con, from, rows),
      {
        id: "bronze.instruments",
        status: "INFO",
        detail: `${info.instruments} instruments`,
        values: info,
      },
    ],
  };
}
