/**
 * The validation run: for a product type, a symbol and dates, checks every partition of the
 * selected layers (bronze, silver, gold) and returns a {@linkcode ValidationReport}.
 *
 * @module
 */
import {
  datasetSpec,
  isComplete,
  type Lake,
  productForSymbol,
  type ProductTable,
  type ProductType,
  type SqlConnection,
} from "../lake/mod.ts";
import { mostActiveContract } from "../pipeline/runner.ts";
import { defaultRegistry } from "../pipeline/stages.ts";
import type { Layer, StageRegistry } from "../pipeline/registry.ts";
import {
  type CheckResult,
  countStatuses,
  type PartitionReport,
  partitionReport,
  type ValidationReport,
  worst,
} from "./report.ts";
import { type ProductParams, productParams, type Thresholds } from "./params.ts";
import { lineageChecks, locate } from "./lineage.ts";
import { BRONZE_EVENTS, bronzeCmbp1Checks, bronzeMboChecks } from "./bronze.ts";
import {
  mboFlowChecks,
  mboSnapshotChecks,
  optionFlowChecks,
  optionSnapshotChecks,
  reconcileBronzeSilver,
} from "./silver.ts";
import { goldAgainstSilver, goldColumnChecks } from "./gold.ts";
import { _connect, _emptySource, _source } from "./_sql.ts";

/** What to validate. */
export interface ValidateOptions {
  /** The lake. */
  lake: Lake;
  /** The product table (`config/products.yaml`). */
  products: ProductTable;
  /** Product type. */
  productType: ProductType;
  /** Contract (`MNQH6`), futures root (`MNQ`: that day's most active contract) or ticker. */
  symbol: string;
  /** Session dates. */
  dates: readonly string[];
  /** Layers (default: all three). */
  layers?: readonly Layer[];
  /** Recompute raw files' sha256 (default true). */
  hashRaw?: boolean;
  /** Overrides of the judgement-call thresholds. */
  thresholds?: Partial<Thresholds>;
  /** Stage registry, to tell a missing partition from a layer not implemented (default: the SDK's). */
  registry?: StageRegistry;
  /** Called after each partition. */
  onPartition?: (p: PartitionReport) => void;
}

/** The option products' underlying product type (whose silver snapshot gives the spot). */
const UNDERLYING: Partial<Record<ProductType, ProductType>> = {
  future_option_mbo: "future_mbo",
  equity_option_cmbp_1: "equity_mbo",
};

const ALL: readonly Layer[] = ["bronze", "silver", "gold"];

/** Validates the partitions of a product type, symbol and dates. */
export async function validate(o: ValidateOptions): Promise<ValidationReport> {
  const started = new Date().toISOString();
  const layers = o.layers ?? ALL;
  const registry = o.registry ?? defaultRegistry();
  const futures = o.productType === "future_mbo" || o.productType === "future_option_mbo";
  const params = productParams(o.products, o.productType, o.symbol, o.thresholds);
  const isRoot = futures && productForSymbol(o.products, o.symbol).root === o.symbol;
  const con = await _connect();
  const parts: PartitionReport[] = [];
  const push = (p: PartitionReport) => {
    parts.push(p);
    o.onPartition?.(p);
  };
  try {
    for (const dt of o.dates) {
      let symbol = o.symbol;
      if (isRoot) {
        try {
          symbol = await mostActiveContract(o.lake, o.productType, o.symbol, dt, o.products);
        } catch (e) {
          push(partitionReport("bronze", BRONZE_EVENTS[o.productType], { symbol, dt }, 0, [
            { id: "partition.present", status: "FAIL", detail: (e as Error).message },
          ]));
          continue;
        }
      }
      const ctx: Ctx = { ...o, con, params, registry, symbol, dt };
      if (layers.includes("bronze")) push(await validateBronze(ctx));
      if (layers.includes("silver")) { for (const p of await validateSilver(ctx)) push(p); }
      if (layers.includes("gold")) { for (const p of await validateGold(ctx)) push(p); }
    }
  } finally {
    con.close();
  }
  return {
    version: 1,
    product_type: o.productType,
    symbol: o.symbol,
    dates: [...o.dates],
    layers: [...layers],
    lake: o.lake.root,
    started_at: started,
    status: worst(parts.map((p) => p.status)),
    counts: countStatuses(parts),
    partitions: parts,
  };
}

interface Ctx extends ValidateOptions {
  con: SqlConnection;
  params: ProductParams;
  registry: StageRegistry;
  symbol: string;
  dt: string;
}

/** A partition's SQL source, or the report saying it is missing. */
async function open(
  c: Ctx,
  layer: Layer,
  dataset: string,
  ordered = false,
): Promise<{ from: string; dir: string } | PartitionReport> {
  const key = { symbol: c.symbol, dt: c.dt };
  const { dir, complete } = await locate(c.lake, dataset, key);
  if (!complete) {
    const implemented = c.registry.has(c.productType, layer);
    return partitionReport(layer, dataset, key, 0, [
      {
        id: "partition.present",
        status: implemented ? "FAIL" : "WARN",
        detail: implemented
          ? `partition missing or incomplete (no _SUCCESS in ${dir})`
          : `partition missing: ${layer} is not implemented for ${c.productType} (no stage registered)`,
      },
    ]);
  }
  const from = await _source(dir, ordered);
  // an empty partition (no part file) is read as zero rows of the contract
  const contract = datasetSpec(c.lake.config, dataset).contract;
  return { from: from ?? _emptySource(contract, ordered), dir };
}

/** Runs a partition's data checks; an unreadable partition is one FAIL (lineage still runs). */
async function guarded(
  run: () => Promise<{ rows: number; checks: CheckResult[] }>,
): Promise<{ rows: number | null; checks: CheckResult[] }> {
  try {
    return await run();
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    return { rows: null, checks: [{ id: "partition.read", status: "FAIL", detail: msg }] };
  }
}

async function finish(
  c: Ctx,
  layer: Layer,
  dataset: string,
  dir: string,
  rows: number | null,
  checks: CheckResult[],
): Promise<PartitionReport> {
  const spec = datasetSpec(c.lake.config, dataset);
  const key = { symbol: c.symbol, dt: c.dt };
  const lin = await lineageChecks(c.lake, spec, key, dir, rows, { hashRaw: c.hashRaw });
  return partitionReport(layer, dataset, key, rows ?? lin.manifest?.row_count ?? 0, [
    ...lin.checks,
    ...checks,
  ]);
}

async function validateBronze(c: Ctx): Promise<PartitionReport> {
  const dataset = BRONZE_EVENTS[c.productType];
  const src = await open(c, "bronze", dataset, true);
  if ("checks" in src) return src;
  const r = await guarded(() =>
    c.productType === "equity_option_cmbp_1"
      ? bronzeCmbp1Checks(c.con, src.from, c.params.root)
      : bronzeMboChecks(c.con, src.from, c.params, c.symbol)
  );
  return await finish(c, "bronze", dataset, src.dir, r.rows, r.checks);
}

async function underlyingSnapshot(c: Ctx): Promise<string | null> {
  const u = UNDERLYING[c.productType];
  if (!u) return null;
  const { dir, complete } = await locate(c.lake, `silver.${u}.book_snapshot_1s`, c);
  return complete ? await _source(dir) : null;
}

async function validateSilver(c: Ctx): Promise<PartitionReport[]> {
  const snapKey = `silver.${c.productType}.book_snapshot_1s`;
  const flowKey = `silver.${c.productType}.depth_and_flow_1s`;
  const snap = await open(c, "silver", snapKey);
  const flow = await open(c, "silver", flowKey);
  const out: PartitionReport[] = [];
  const option = c.productType in UNDERLYING;
  const under = option ? await underlyingSnapshot(c) : null;
  const missingUnder: CheckResult[] = option && !under
    ? [{
      id: "silver.underlying",
      status: "FAIL",
      detail: `silver ${
        UNDERLYING[c.productType]
      } snapshot of ${c.symbol} ${c.dt} missing: spot not checked`,
    }]
    : [];
  if ("checks" in snap) out.push(snap);
  else {
    const r = await guarded(() =>
      option
        ? optionSnapshotChecks(c.con, snap.from, under, c.params, c.dt)
        : mboSnapshotChecks(c.con, snap.from, c.params, c.dt)
    );
    out.push(await finish(c, "silver", snapKey, snap.dir, r.rows, [...r.checks, ...missingUnder]));
  }
  if ("checks" in flow) out.push(flow);
  else {
    const snapFrom = "checks" in snap ? null : snap.from;
    const r = await guarded(async () => {
      if (option) {
        const r = await optionFlowChecks(
          c.con,
          flow.from,
          under,
          c.params,
          c.productType === "future_option_mbo",
        );
        r.checks.push(...missingUnder);
        return r;
      }
      const r = await mboFlowChecks(c.con, flow.from, snapFrom, c.params);
      const b = await locate(c.lake, BRONZE_EVENTS[c.productType], c);
      const bronze = b.complete ? await _source(b.dir, true) : null;
      if (bronze && snapFrom) {
        r.checks.push(...(await reconcileBronzeSilver(c.con, bronze, flow.from, snapFrom)));
      } else {
        r.checks.push({
          id: "reconcile.bronze",
          status: "WARN",
          detail: "bronze partition or silver snapshot missing: volumes not reconciled",
        });
      }
      return r;
    });
    out.push(await finish(c, "silver", flowKey, flow.dir, r.rows, r.checks));
  }
  return out;
}

async function validateGold(c: Ctx): Promise<PartitionReport[]> {
  const prefix = `gold.${c.productType}.`;
  const keys = [...c.lake.config.datasets.keys()].filter((k) => k.startsWith(prefix)).sort();
  const out: PartitionReport[] = [];
  const silverDir = async (table: string) => {
    const l = await locate(c.lake, `silver.${c.productType}.${table}`, c);
    return l.complete && (await isComplete(l.dir)) ? await _source(l.dir) : null;
  };
  for (const dataset of keys) {
    // physics_surface_1s is the gold stage's output; other gold tables (e.g. vacuum_pressure_1s)
    // are computed by their own tasks and checked only when present
    const optional = !dataset.endsWith(".physics_surface_1s");
    if (optional && !(await locate(c.lake, dataset, c)).complete) {
      out.push(partitionReport("gold", dataset, c, 0, [{
        id: "partition.present",
        status: "INFO",
        detail: "not computed (optional table, written by its own task)",
      }]));
      continue;
    }
    const g = await open(c, "gold", dataset);
    if ("checks" in g) {
      out.push(g);
      continue;
    }
    const spec = datasetSpec(c.lake.config, dataset);
    const r = await guarded(async () => {
      const r = await goldColumnChecks(c.con, g.from, spec.contract, c.params);
      if (dataset.endsWith(".physics_surface_1s")) {
        const flow = await silverDir("depth_and_flow_1s");
        const snap = option(c) ? await underlyingSnapshot(c) : await silverDir("book_snapshot_1s");
        if (!flow) {
          r.checks.push({
            id: "gold.silver",
            status: "FAIL",
            detail: "silver depth_and_flow_1s missing",
          });
        }
        r.checks.push(...(await goldAgainstSilver(c.con, g.from, flow, snap, c.params)));
      }
      return r;
    });
    out.push(await finish(c, "gold", dataset, g.dir, r.rows, r.checks));
  }
  return out;
}

function option(c: Ctx): boolean {
  return c.productType in UNDERLYING;
}
