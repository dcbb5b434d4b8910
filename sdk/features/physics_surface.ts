/**
 * Notebook access to the gold surfaces: {@linkcode physicsSurface} reads a gold partition (or a
 * time slice of it) as an Arrow table, {@linkcode physicsSurfaceBatches} streams it as typed-array
 * batches, and {@linkcode pivotSurface} turns one field into a (time × rel_ticks) matrix for
 * heatmaps.
 *
 * @module
 */
import type { Table } from "apache-arrow";
import type { Lake } from "../lake/lake.ts";
import type { ProductType } from "../lake/product_types.ts";
import { type ReadBatch, readBatches, readTable } from "../lake/reader.ts";
import { goldDataset } from "./stages.ts";

/** Which gold partition, and which part of it, to read. */
export interface SurfaceQuery {
  /** Product type. */
  productType: ProductType;
  /** Contract (`MNQH6`) or ticker (`QQQ`). */
  symbol: string;
  /** Session date `YYYY-MM-DD`. */
  dt: string;
  /** Columns to read (default: all, in contract order). */
  columns?: string[];
  /** Window ends from (inclusive, ns). */
  from?: bigint;
  /** Window ends to (inclusive, ns). */
  to?: bigint;
  /** Only this side (`"A"` or `"B"`). */
  side?: "A" | "B";
  /** Option surfaces: only this right (`"C"` or `"P"`). */
  right?: "C" | "P";
}

function where(q: SurfaceQuery): string | undefined {
  const parts: string[] = [];
  if (q.from !== undefined) parts.push(`window_end_ts_ns >= ${BigInt(q.from)}`);
  if (q.to !== undefined) parts.push(`window_end_ts_ns <= ${BigInt(q.to)}`);
  if (q.side !== undefined) {
    if (q.side !== "A" && q.side !== "B") {
      throw new RangeError(`side must be A or B, got ${q.side}`);
    }
    parts.push(`side = '${q.side}'`);
  }
  if (q.right !== undefined) {
    if (q.right !== "C" && q.right !== "P") {
      throw new RangeError(`right must be C or P, got ${q.right}`);
    }
    parts.push(`"right" = '${q.right}'`);
  }
  return parts.length ? parts.join(" AND ") : undefined;
}

/**
 * A gold `physics_surface_1s` partition as an Arrow table (64-bit integers as `Int64`, `side` /
 * `right` dictionary-coded). Narrow it with `from`/`to`/`side`/`columns`: a full futures day is
 * tens of millions of rows.
 *
 * @example Omega near spot over ten minutes
 * ```ts ignore
 * import { openLake } from "@spymaster/sdk/lake";
 * import { physicsSurface, pivotSurface } from "@spymaster/sdk/features";
 *
 * const lake = await openLake();
 * const t = await physicsSurface(lake, {
 *   productType: "future_mbo", symbol: "MNQH6", dt: "2026-02-06", side: "B",
 *   columns: ["window_end_ts_ns", "spot_ref_price_int", "rel_ticks", "side", "Omega_near"],
 * });
 * const m = pivotSurface(t, "Omega_near");
 * console.log(m.times.length, m.relTicks.length); // windows × ticks
 * ```
 */
export function physicsSurface(lake: Lake, query: SurfaceQuery): Promise<Table> {
  return readTable(lake, goldDataset(query.productType), { symbol: query.symbol, dt: query.dt }, {
    columns: query.columns,
    where: where(query),
  });
}

/** The same selection as {@linkcode physicsSurface}, streamed as typed-array batches. */
export function physicsSurfaceBatches(lake: Lake, query: SurfaceQuery): AsyncGenerator<ReadBatch> {
  return readBatches(lake, goldDataset(query.productType), { symbol: query.symbol, dt: query.dt }, {
    columns: query.columns,
    where: where(query),
  });
}

/** One field of a surface as a dense (time × rel_ticks) matrix. */
export interface SurfaceMatrix {
  /** The field. */
  field: string;
  /** Window ends (ns), ascending: the rows. */
  times: BigInt64Array;
  /** Spot of each window (1e-9 units; 0 when unknown). */
  spot: BigInt64Array;
  /** rel_ticks values, ascending: the columns. */
  relTicks: Int32Array;
  /** Row-major values: `values[i * relTicks.length + j]`; NaN where the surface has no row. */
  values: Float64Array;
}

/** What {@linkcode pivotSurface} takes: an Arrow table, or columns by name (a surface batch). */
export type SurfaceColumns = Table | Readonly<Record<string, unknown>>;

function isTable(t: SurfaceColumns): t is Table {
  return typeof (t as Table).getChild === "function";
}

function hasColumn(t: SurfaceColumns, name: string): boolean {
  return isTable(t)
    ? t.getChild(name) !== null
    : ArrayBuffer.isView(t[name]) || Array.isArray(t[name]);
}

/** A column of a table or batch as an array the pivot reads. */
function column(t: SurfaceColumns, name: string): ArrayLike<number | bigint> {
  if (!hasColumn(t, name)) throw new Error(`pivotSurface: no column '${name}'`);
  if (isTable(t)) return t.getChild(name)!.toArray() as ArrayLike<number | bigint>;
  return t[name] as ArrayLike<number | bigint>;
}

/**
 * Pivots one field of a surface (an Arrow table from {@linkcode physicsSurface}, or a surface
 * batch such as an engine's `step` output or a concatenation of them) into a (time × rel_ticks)
 * matrix. Rows of several sides (or rights) at the same cell are summed — the bid and the ask
 * frame of a price — so filter with `side` / `right` first for a one-sided view.
 */
export function pivotSurface(table: SurfaceColumns, field: string): SurfaceMatrix {
  const ends = column(table, "window_end_ts_ns") as BigInt64Array;
  const rel = column(table, "rel_ticks") as Int32Array;
  const vals = column(table, field);
  const spotCol = hasColumn(table, "spot_ref_price_int")
    ? (column(table, "spot_ref_price_int") as BigInt64Array)
    : null;
  const n = isTable(table)
    ? table.numRows
    : typeof table.length === "number"
    ? table.length as number
    : ends.length;
  const timeSet = new Set<bigint>(), tickSet = new Set<number>();
  for (let i = 0; i < n; i++) {
    timeSet.add(ends[i]);
    tickSet.add(rel[i]);
  }
  const times = BigInt64Array.from([...timeSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  const relTicks = Int32Array.from([...tickSet].sort((a, b) => a - b));
  const ti = new Map<bigint, number>();
  times.forEach((t, i) => ti.set(t, i));
  const lo = relTicks.length ? relTicks[0] : 0;
  const tickIndex = new Int32Array(relTicks.length ? relTicks[relTicks.length - 1] - lo + 1 : 0);
  relTicks.forEach((t, j) => tickIndex[t - lo] = j);
  const w = relTicks.length;
  const values = new Float64Array(times.length * w).fill(NaN);
  const spot = new BigInt64Array(times.length);
  for (let i = 0; i < n; i++) {
    const r = ti.get(ends[i])!;
    const c = r * w + tickIndex[rel[i] - lo];
    const v = Number(vals[i]);
    values[c] = Number.isNaN(values[c]) ? v : values[c] + v;
    if (spotCol) spot[r] = spotCol[i];
  }
  return { field, times, spot, relTicks, values };
}

/**
 * A matrix as long-form cells `{ t, rel_ticks, value }` (NaN cells left out), the shape
 * Observable Plot's `cell` / `raster` marks take. `t` is a `Date` (ms resolution).
 */
export function matrixCells(
  m: SurfaceMatrix,
): { t: Date; rel_ticks: number; value: number }[] {
  const out: { t: Date; rel_ticks: number; value: number }[] = [];
  const w = m.relTicks.length;
  for (let i = 0; i < m.times.length; i++) {
    const t = new Date(Number(m.times[i] / 1_000_000n));
    for (let j = 0; j < w; j++) {
      const v = m.values[i * w + j];
      if (!Number.isNaN(v)) out.push({ t, rel_ticks: m.relTicks[j], value: v });
    }
  }
  return out;
}
