/**
 * Validation results: one {@linkcode CheckResult} per check, grouped per partition, and the
 * machine-readable report with its text rendering (`PASS` / `WARN` / `FAIL` / `INFO` lines).
 *
 * Status meanings, the same for every check:
 * - `FAIL`: the data breaks an invariant of its contract or of the pipeline (a wrong value, a
 *   missing window, a stale lineage hash). The run exits non-zero.
 * - `WARN`: allowed by the contract but worth a look (a one-sided book, a large spot jump, an
 *   off-tick raw price, a raw input no longer on disk).
 * - `PASS`: the check ran and found nothing.
 * - `INFO`: a measurement without a verdict (shares, volumes, coverage ratios).
 *
 * @module
 */

/** Verdict of one check. */
export type Status = "PASS" | "WARN" | "FAIL" | "INFO";

/** One check on one partition. */
export interface CheckResult {
  /** Stable id, e.g. `flow.identity` (what a scheduler matches on). */
  id: string;
  /** Verdict. */
  status: Status;
  /** One line for a human: what was checked and what was found. */
  detail: string;
  /** Rows (or windows, files, ...) that broke the check, when countable. */
  violations?: number;
  /** A first offending row or value, when there is one. */
  example?: string;
  /** Measured values (INFO checks, coverage ratios, ...). */
  values?: Record<string, number | string>;
}

/** The checks of one partition. */
export interface PartitionReport {
  /** `bronze`, `silver` or `gold`. */
  layer: string;
  /** Dataset key, e.g. `silver.future_mbo.depth_and_flow_1s`. */
  dataset: string;
  /** Partition symbol. */
  symbol: string;
  /** Partition date. */
  dt: string;
  /** Rows in the partition (0 when it is missing). */
  rows: number;
  /** Worst verdict of its checks (`FAIL` > `WARN` > `PASS`; `INFO` counts as `PASS`). */
  status: "PASS" | "WARN" | "FAIL";
  /** The checks, in the order they ran. */
  checks: CheckResult[];
}

/** A whole validation run (what `--json FILE` writes). */
export interface ValidationReport {
  /** Report format version. */
  version: 1;
  /** Product type validated. */
  product_type: string;
  /** Symbol as given on the command line. */
  symbol: string;
  /** Session dates validated. */
  dates: string[];
  /** Layers validated. */
  layers: string[];
  /** Lake root. */
  lake: string;
  /** ISO time the run started. */
  started_at: string;
  /** Worst verdict of all partitions. */
  status: "PASS" | "WARN" | "FAIL";
  /** Checks per verdict over all partitions. */
  counts: Record<Status, number>;
  /** Per-partition results. */
  partitions: PartitionReport[];
}

const RANK = { PASS: 0, INFO: 0, WARN: 1, FAIL: 2 } as const;

/** The worst of some verdicts (`PASS` for none; `INFO` counts as `PASS`). */
export function worst(statuses: Iterable<Status>): "PASS" | "WARN" | "FAIL" {
  let r = 0;
  for (const s of statuses) r = Math.max(r, RANK[s]);
  return r === 2 ? "FAIL" : r === 1 ? "WARN" : "PASS";
}

/** Builds a partition report from its checks. */
export function partitionReport(
  layer: string,
  dataset: string,
  key: { symbol: string; dt: string },
  rows: number,
  checks: CheckResult[],
): PartitionReport {
  return {
    layer,
    dataset,
    symbol: key.symbol,
    dt: key.dt,
    rows,
    status: worst(checks.map((c) => c.status)),
    checks,
  };
}

/** Counts the checks of some partitions per verdict. */
export function countStatuses(parts: readonly PartitionReport[]): Record<Status, number> {
  const counts: Record<Status, number> = { PASS: 0, WARN: 0, FAIL: 0, INFO: 0 };
  for (const p of parts) for (const c of p.checks) counts[c.status]++;
  return counts;
}

/** Options of {@linkcode formatReport}. */
export interface FormatOptions {
  /** Also print `PASS` and `INFO` lines (default: only `WARN` and `FAIL` under each partition). */
  verbose?: boolean;
}

/**
 * The text rendering: one summary line per partition (`PASS|WARN|FAIL dataset symbol dt rows`),
 * then its `WARN`/`FAIL` checks indented (every check with `verbose`), then a total line.
 */
export function formatReport(r: ValidationReport, options: FormatOptions = {}): string {
  const lines: string[] = [];
  for (const p of r.partitions) {
    const n = p.checks.length;
    const bad = p.checks.filter((c) => c.status === "FAIL" || c.status === "WARN").length;
    lines.push(
      `${p.status.padEnd(4)} ${p.dataset} ${p.symbol} ${p.dt}: ${
        p.rows.toLocaleString("en-US")
      } rows, ` +
        `${n} checks${bad ? `, ${bad} flagged` : ""}`,
    );
    for (const c of p.checks) {
      if (!options.verbose && (c.status === "PASS" || c.status === "INFO")) continue;
      lines.push(
        `  ${c.status.padEnd(4)} ${c.id}: ${c.detail}${c.example ? ` (e.g. ${c.example})` : ""}`,
      );
    }
  }
  const c = r.counts;
  lines.push(
    `${r.status}: ${r.partitions.length} partitions, ${c.FAIL} FAIL, ${c.WARN} WARN, ` +
      `${c.PASS} PASS, ${c.INFO} INFO`,
  );
  return lines.join("\n");
}

/** The JSON text of a report (indent 2, bigints as strings, trailing newline). */
export function reportJson(r: ValidationReport): string {
  return JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
}
