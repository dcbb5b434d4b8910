// DuckDB plumbing of the validator: a partition as a SQL source, per-row rules evaluated in one
// scan, and small query helpers. Values come back as numbers (counts, sums) or strings.

import { DuckDBInstance } from "@duckdb/node-api";
import type { SqlConnection } from "../lake/reader.ts";
import { type Contract, nullColumns, partFiles, sqlString } from "../lake/mod.ts";
import type { CheckResult, Status } from "./report.ts";

let instance: Promise<DuckDBInstance> | null = null;

/**
 * A connection for the validator's queries. No views are created: every query reads the files of
 * the partitions it checks, so a broken partition elsewhere in the lake cannot stop a run.
 */
export async function _connect(): Promise<SqlConnection & { close(): void }> {
  const con = await (await (instance ??= DuckDBInstance.create(":memory:"))).connect();
  return Object.assign(con, { close: () => con.closeSync() });
}

/** An empty SQL source with a contract's columns (a partition without part files). */
export function _emptySource(contract: Contract, ordered = false): string {
  const cols = nullColumns(contract.fields);
  if (ordered) {
    cols.push("CAST(NULL AS BIGINT) AS file_row_number", "CAST(NULL AS VARCHAR) AS filename");
  }
  return `(SELECT ${cols.join(", ")} WHERE false)`;
}

/**
 * `read_parquet` over a partition's part files in read order (with `file_row_number` and
 * `filename` when `ordered`, so that `ORDER BY filename, file_row_number` is the row order).
 */
export async function _source(dir: string, ordered = false): Promise<string | null> {
  const files = await partFiles(dir);
  if (!files.length) return null;
  const extra = ordered ? ", file_row_number=true, filename=true" : "";
  return `read_parquet([${files.map(sqlString).join(", ")}], hive_partitioning=false${extra})`;
}

/** Converts a DuckDB value for a report (bigint → number when safe, else string). */
export function _plain(v: unknown): number | string {
  if (typeof v === "bigint") {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (typeof v === "number") return v;
  if (v === null || v === undefined) return "null";
  return String(v);
}

/** Runs a query and returns its rows as objects with plain values. */
export async function _rows(
  con: SqlConnection,
  sql: string,
): Promise<Record<string, number | string>[]> {
  const r = await con.runAndReadAll(sql);
  return r.getRowObjects().map((o) => {
    const out: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(o)) out[k] = _plain(v);
    return out;
  });
}

/** First row of a query. */
export async function _one(
  con: SqlConnection,
  sql: string,
): Promise<Record<string, number | string>> {
  const [row] = await _rows(con, sql);
  if (!row) throw new Error(`validator query returned no row: ${sql.slice(0, 200)}`);
  return row;
}

/** A per-row rule: rows for which `bad` is true break it. */
export interface RowRule {
  /** Check id. */
  id: string;
  /** What the check asserts, for the report (e.g. `start + add - pull - fill = end`). */
  what: string;
  /** SQL boolean expression true for an offending row (NULL counts as not offending). */
  bad: string;
  /** Verdict when some row breaks it (default `FAIL`). */
  status?: "FAIL" | "WARN";
}

/**
 * Evaluates per-row rules in one scan of `from`; for each broken rule a first offending row is
 * fetched (columns `show`). Returns the row count and one result per rule.
 */
export async function _rowRules(
  con: SqlConnection,
  from: string,
  rules: readonly RowRule[],
  show: readonly string[],
  where = "true",
): Promise<{ rows: number; results: CheckResult[] }> {
  const aggs = rules.map((r, i) => `count_if(coalesce((${r.bad}), false)) AS c${i}`);
  const row = await _one(
    con,
    `SELECT count(*) AS n${aggs.length ? ", " + aggs.join(", ") : ""} FROM ${from} WHERE ${where}`,
  );
  const rows = Number(row.n);
  const results: CheckResult[] = [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    const bad = Number(row[`c${i}`]);
    if (bad === 0) {
      results.push({ id: r.id, status: "PASS", detail: `${r.what}: all ${rows} rows` });
      continue;
    }
    const [ex] = await _rows(
      con,
      `SELECT ${
        show.join(", ")
      } FROM ${from} WHERE ${where} AND coalesce((${r.bad}), false) LIMIT 1`,
    );
    const status: Status = r.status ?? "FAIL";
    results.push({
      id: r.id,
      status,
      detail: `${r.what}: broken by ${bad} of ${rows} rows`,
      violations: bad,
      example: ex ? Object.entries(ex).map(([k, v]) => `${k}=${v}`).join(" ") : undefined,
    });
  }
  return { rows, results };
}

/** A check from a violation count. */
export function _counted(
  id: string,
  what: string,
  violations: number,
  of: number,
  status: "FAIL" | "WARN" = "FAIL",
  example?: string,
): CheckResult {
  return violations === 0
    ? { id, status: "PASS", detail: `${what}: all ${of}` }
    : { id, status, detail: `${what}: ${violations} of ${of}`, violations, example };
}
