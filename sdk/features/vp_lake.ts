/**
 * Vacuum-pressure on the lake: silver partitions in (streamed window by window), the gold
 * partition `gold.<product_type>.vacuum_pressure_1s` out, one partition per knob setting at
 * `<table>/config=<config_version>/gold=<knob fragment>/dt=<dt>/` with the config and the knobs
 * in its manifest.
 *
 * @module
 */
import { join } from "node:path";
import {
  type ColumnBatch,
  type DictColumn,
  isDictColumn,
  isNullableColumn,
} from "../lake/columns.ts";
import { type DatasetSpec, datasetSpec } from "../lake/datasets.ts";
import type { Lake } from "../lake/lake.ts";
import {
  type Manifest,
  type ManifestInput,
  manifestSha256,
  readManifest,
} from "../lake/manifest.ts";
import { exists, isComplete, partFiles, partitionDir, tableDir } from "../lake/paths.ts";
import { readBatches, type ReadColumn } from "../lake/reader.ts";
import { writePartition } from "../lake/writer.ts";
import {
  DEFAULT_GOLD_SIGNAL_CONFIG,
  goldCacheFragment,
  type GoldSignalConfig,
  validateGoldSignalConfig,
  vpCacheKey,
  type VpRuntimeConfig,
} from "./vp_config.ts";
import {
  checkVpFlowColumns,
  VP_FLOAT_COLUMNS,
  VpEngine,
  type VpFlowColumns,
  type VpSnap,
  type VpWindowInput,
} from "./vp_engine.ts";
import { VpSignalCollector, type VpSignalTable } from "./vp_signals.ts";

/** The two silver tables the detector reads, in the order they are checked. */
export const VP_SILVER_TABLES = ["book_snapshot_1s", "depth_and_flow_1s"] as const;

/** Silver depth & flow columns read (serving.md §4.3, plus `price_int` to place rows). */
export const VP_FLOW_INPUT_COLUMNS: readonly string[] = [
  "window_end_ts_ns",
  "price_int",
  "side",
  "spot_ref_price_int",
  "rel_ticks",
  "add_qty",
  "pull_qty",
  "fill_qty",
  "depth_qty_end",
  "depth_qty_rest",
  "pull_qty_rest",
  "window_valid",
];
/** Silver book snapshot columns read. */
export const VP_SNAP_INPUT_COLUMNS: readonly string[] = [
  "window_end_ts_ns",
  "best_bid_price_int",
  "best_ask_price_int",
  "mid_price",
  "book_valid",
];

/** Dataset key of the signals of a product type: `gold.<product_type>.vacuum_pressure_1s`. */
export function vpDatasetKey(config: VpRuntimeConfig): string {
  return `gold.${config.product_type}.vacuum_pressure_1s`;
}

/**
 * The exact command that builds the silver partitions of `config.symbol` on `dt`
 * (`--lake` is added when the lake is not the configured default).
 */
export function vpSilverCommand(config: VpRuntimeConfig, dt: string, lake?: Lake): string {
  const lakeFlag = lake && lake.root !== lake.config.lakeRoot ? ` --lake ${lake.root}` : "";
  return `deno task pipeline --product-type ${config.product_type} --layer silver ` +
    `--symbol ${config.symbol} --dt ${dt}${lakeFlag}`;
}

function silverKey(config: VpRuntimeConfig, table: string): string {
  return `silver.${config.product_type}.${table}`;
}

/**
 * Checks that both silver partitions of the day are complete and have the columns the detector
 * reads; returns their row counts (from the manifests). Errors (the original's wording, then the
 * command to run): `Silver table missing: <dir>`, `No parquet files in: <dir>`,
 * `Silver partition incomplete (no _SUCCESS): <dir>`, `Silver schema mismatch: …`.
 */
export async function checkVpSilver(
  lake: Lake,
  config: VpRuntimeConfig,
  dt: string,
): Promise<Record<(typeof VP_SILVER_TABLES)[number], number>> {
  const out = {} as Record<(typeof VP_SILVER_TABLES)[number], number>;
  const run = `Run the pipeline first:\n  ${vpSilverCommand(config, dt, lake)}`;
  for (const table of VP_SILVER_TABLES) {
    const spec = datasetSpec(lake.config, silverKey(config, table));
    const need = table === "book_snapshot_1s" ? VP_SNAP_INPUT_COLUMNS : VP_FLOW_INPUT_COLUMNS;
    const names = spec.contract.fields.map((f) => f.name);
    const missing = need.filter((c) => !names.includes(c));
    if (missing.length) {
      throw new Error(
        `Silver schema mismatch: ${spec.key} (contract ${spec.contractPath}) lacks ` +
          `${missing.join(", ")}, which the vacuum-pressure detector reads`,
      );
    }
    const dir = partitionDir(lake.root, spec, { symbol: config.symbol, dt });
    if (!(await exists(dir))) {
      throw new Error(`Silver table missing: ${table}. Silver partition not found: ${dir}\n${run}`);
    }
    if (!(await partFiles(dir)).length) throw new Error(`No parquet files in: ${dir}\n${run}`);
    if (!(await isComplete(dir))) {
      throw new Error(`Silver partition incomplete (no _SUCCESS): ${dir}\n${run}`);
    }
    out[table] = (await readManifest(dir)).row_count;
  }
  return out;
}

const EMPTY_FLOW: VpFlowColumns = {
  rel_ticks: new Int32Array(0),
  side: new Uint8Array(0),
  spot_ref_price_int: new BigInt64Array(0),
  add_qty: new Float64Array(0),
  pull_qty: new Float64Array(0),
  fill_qty: new Float64Array(0),
  depth_qty_end: new Float64Array(0),
  depth_qty_rest: new Float64Array(0),
  pull_qty_rest: new Float64Array(0),
  window_valid: new Uint8Array(0),
  price_int: new BigInt64Array(0),
};

type FlowColumn = BigInt64Array | Float64Array | Int32Array | Uint8Array;

/** A read batch of depth & flow rows as typed arrays (plus the window end of each row). */
interface Flow extends VpFlowColumns {
  ts: BigInt64Array;
  price_int: BigInt64Array;
  side: Uint8Array;
  spot_ref_price_int: BigInt64Array;
  rel_ticks: Int32Array;
  add_qty: Float64Array;
  pull_qty: Float64Array;
  fill_qty: Float64Array;
  depth_qty_end: Float64Array;
  depth_qty_rest: Float64Array;
  pull_qty_rest: Float64Array;
  window_valid: Uint8Array;
}

function plain(c: ReadColumn, what: string): ArrayLike<number | bigint> {
  if (isNullableColumn(c)) {
    if (c.valid.some((v) => v === 0)) throw new Error(`${what}: unexpected null values`);
    return plain(c.data as ReadColumn, what);
  }
  if (isDictColumn(c)) throw new Error(`${what}: expected a numeric column`);
  return c;
}

function sideCodes(c: ReadColumn, what: string): Uint8Array {
  const d = (isNullableColumn(c) ? c.data : c) as DictColumn;
  if (!isDictColumn(d)) throw new Error(`${what}: expected a string column`);
  const map = d.values.map((v) => (v === "A" ? 65 : v === "B" ? 66 : 0));
  const out = new Uint8Array(d.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = map[d.codes[i]];
  return out;
}

function toFlow(cols: Record<string, ReadColumn>, what: string): Flow {
  const f = {
    ts: plain(cols.window_end_ts_ns, what) as BigInt64Array,
    price_int: plain(cols.price_int, what) as BigInt64Array,
    side: sideCodes(cols.side, `${what}.side`),
    spot_ref_price_int: plain(cols.spot_ref_price_int, what) as BigInt64Array,
    rel_ticks: plain(cols.rel_ticks, what) as Int32Array,
    add_qty: plain(cols.add_qty, what) as Float64Array,
    pull_qty: plain(cols.pull_qty, what) as Float64Array,
    fill_qty: plain(cols.fill_qty, what) as Float64Array,
    depth_qty_end: plain(cols.depth_qty_end, what) as Float64Array,
    depth_qty_rest: plain(cols.depth_qty_rest, what) as Float64Array,
    pull_qty_rest: plain(cols.pull_qty_rest, what) as Float64Array,
    window_valid: plain(cols.window_valid, what) as Uint8Array,
  };
  checkVpFlowColumns(f, what);
  return f;
}

/** Rows [s1,e1) of a then [s2,e2) of b, as a new flow. */
function concatFlow(a: Flow, s1: number, e1: number, b: Flow, s2: number, e2: number): Flow {
  const out: Partial<Record<keyof Flow, FlowColumn>> = {};
  for (const k of Object.keys(a) as (keyof Flow)[]) {
    const x = a[k], y = b[k];
    const col = new (x.constructor as new (n: number) => FlowColumn)(e1 - s1 + e2 - s2);
    col.set(x.subarray(s1, e1) as never);
    col.set(y.subarray(s2, e2) as never, e1 - s1);
    out[k] = col;
  }
  return out as Flow;
}

interface SnapTable {
  ts: BigInt64Array;
  snaps: VpSnap[];
}

function nullablePrice(c: ReadColumn | undefined, i: number): bigint | null {
  if (!c) return null;
  if (isNullableColumn(c)) return c.valid[i] ? (c.data as BigInt64Array)[i] : null;
  const v = (c as BigInt64Array)[i];
  return v > 0n ? v : null; // before nullable snapshot prices, an empty side was written as 0
}

async function readSnaps(lake: Lake, config: VpRuntimeConfig, dt: string): Promise<SnapTable> {
  const ts: bigint[] = [];
  const snaps: VpSnap[] = [];
  const key = silverKey(config, "book_snapshot_1s");
  for await (
    const b of readBatches(lake, key, { symbol: config.symbol, dt }, {
      columns: [...VP_SNAP_INPUT_COLUMNS],
      worker: false,
    })
  ) {
    const c = b.columns;
    const t = plain(c.window_end_ts_ns, key) as BigInt64Array;
    const mid = c.mid_price;
    const valid = c.book_valid;
    for (let i = 0; i < b.length; i++) {
      ts.push(t[i]);
      let m: number | null;
      if (isNullableColumn(mid)) m = mid.valid[i] ? (mid.data as Float64Array)[i] : null;
      else m = (mid as Float64Array)[i] > 0 ? (mid as Float64Array)[i] : null;
      const bv = isNullableColumn(valid)
        ? valid.valid[i] === 1 && (valid.data as Uint8Array)[i] === 1
        : (valid as Uint8Array)[i] === 1;
      snaps.push({
        mid_price: m,
        best_bid_price_int: nullablePrice(c.best_bid_price_int, i),
        best_ask_price_int: nullablePrice(c.best_ask_price_int, i),
        book_valid: bv,
      });
    }
  }
  for (let i = 1; i < ts.length; i++) {
    if (ts[i] <= ts[i - 1]) {
      throw new Error(`${key} ${config.symbol} ${dt}: windows out of order at row ${i}`);
    }
  }
  return { ts: BigInt64Array.from(ts), snaps };
}

/**
 * Streams a day of silver as engine windows, in window order: every window of the book snapshot
 * or of the depth & flow table (a window with a snapshot and no depth rows comes with an empty
 * flow). Checks the partitions first ({@linkcode checkVpSilver}).
 */
export async function* vpWindows(
  lake: Lake,
  config: VpRuntimeConfig,
  dt: string,
  options: { batchRows?: number } = {},
): AsyncGenerator<VpWindowInput> {
  await checkVpSilver(lake, config, dt);
  const snap = await readSnaps(lake, config, dt);
  let si = 0;
  const key = silverKey(config, "depth_and_flow_1s");
  let carry: Flow | null = null;
  let lastTs: bigint | null = null;
  function* snapsBefore(ts: bigint | null): Generator<VpWindowInput> {
    while (si < snap.ts.length && (ts === null || snap.ts[si] < ts)) {
      yield {
        window_end_ts_ns: snap.ts[si],
        flow: EMPTY_FLOW,
        start: 0,
        end: 0,
        snap: snap.snaps[si],
      };
      si++;
    }
  }
  function* emit(flow: Flow, s: number, e: number): Generator<VpWindowInput> {
    const ts = flow.ts[s];
    if (lastTs !== null && ts <= lastTs) {
      throw new Error(
        `${key} ${config.symbol} ${dt}: rows are not in window order (window ${ts} after ${lastTs})`,
      );
    }
    lastTs = ts;
    yield* snapsBefore(ts);
    const own = si < snap.ts.length && snap.ts[si] === ts ? snap.snaps[si++] : null;
    yield { window_end_ts_ns: ts, flow, start: s, end: e, snap: own };
  }
  for await (
    const b of readBatches(lake, key, { symbol: config.symbol, dt }, {
      columns: [...VP_FLOW_INPUT_COLUMNS],
      batchRows: options.batchRows ?? 131_072,
    })
  ) {
    const f = toFlow(b.columns, key);
    const n = b.length;
    let s = 0;
    if (carry) {
      const ts = carry.ts[0];
      while (s < n && f.ts[s] === ts) s++;
      if (s === n) {
        carry = concatFlow(carry, 0, carry.ts.length, f, 0, n);
        continue;
      }
      const joined = concatFlow(carry, 0, carry.ts.length, f, 0, s);
      carry = null;
      yield* emit(joined, 0, joined.ts.length);
    }
    for (let i = s + 1; i <= n; i++) {
      if (i < n && f.ts[i] === f.ts[s]) continue;
      if (i === n) {
        carry = concatFlow(f, s, n, f, n, n);
        break;
      }
      yield* emit(f, s, i);
      s = i;
    }
  }
  if (carry) yield* emit(carry, 0, carry.ts.length);
  yield* snapsBefore(null);
}

/** A computed day. */
export interface VpDay {
  /** `product_type:symbol:dt:config_version:gold=<fragment>`. */
  cacheKey: string;
  /** The instrument constants. */
  config: VpRuntimeConfig;
  /** The knobs. */
  gold: GoldSignalConfig;
  /** Session date. */
  dt: string;
  /** The signals, one row per window. */
  signals: VpSignalTable;
  /** Silver rows read per table. */
  inputRows: Record<string, number>;
  /** Windows with no valid depth row (emitted with `signal_valid = false`). */
  invalidWindows: number;
  /** Wall time of the computation, seconds. */
  seconds: number;
}

/** Progress callback: windows done so far. */
export type VpProgress = (windows: number) => void;

/** Computes a day from the lake's silver partitions (batch = the engine over every window). */
export async function computeVpDay(
  lake: Lake,
  config: VpRuntimeConfig,
  dt: string,
  gold: GoldSignalConfig = DEFAULT_GOLD_SIGNAL_CONFIG,
  onProgress?: VpProgress,
): Promise<VpDay> {
  validateGoldSignalConfig(gold);
  const t0 = performance.now();
  const inputRows = await checkVpSilver(lake, config, dt);
  const engine = new VpEngine(config, gold);
  const out = new VpSignalCollector(Math.max(1024, inputRows.book_snapshot_1s + 16));
  for await (const w of vpWindows(lake, config, dt)) {
    out.add(engine.push(w));
    if (onProgress && (engine.windows & 1023) === 0) onProgress(engine.windows);
  }
  return {
    cacheKey: vpCacheKey(config, dt, gold),
    config,
    gold: { ...gold },
    dt,
    signals: out.table(),
    inputRows,
    invalidWindows: engine.windows - engine.validWindows,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Folder level of a knob setting under the table: `config=<config_version>/gold=<fragment>`. */
export function vpVariantPath(config: VpRuntimeConfig, gold: GoldSignalConfig): string {
  return `config=${config.config_version}/gold=${goldCacheFragment(gold)}`;
}

/**
 * A view of `lake` in which the signals dataset points at one knob setting's folder, so the
 * lake's writer and readers work on it unchanged.
 */
export function vpVariantLake(lake: Lake, config: VpRuntimeConfig, gold: GoldSignalConfig): Lake {
  const key = vpDatasetKey(config);
  const spec = datasetSpec(lake.config, key);
  const datasets = new Map<string, DatasetSpec>(lake.config.datasets);
  datasets.set(key, { ...spec, path: `${spec.path}/${vpVariantPath(config, gold)}` });
  return { ...lake, config: { ...lake.config, datasets } };
}

/** The partition folder of a day's signals for one knob setting. */
export function vpPartitionDir(
  lake: Lake,
  config: VpRuntimeConfig,
  dt: string,
  gold: GoldSignalConfig,
): string {
  const v = vpVariantLake(lake, config, gold);
  return partitionDir(v.root, datasetSpec(v.config, vpDatasetKey(config)), {
    symbol: config.symbol,
    dt,
  });
}

/** Knob settings already written for a symbol: `{config_version, gold}` folder names, sorted. */
export async function listVpVariants(
  lake: Lake,
  config: VpRuntimeConfig,
): Promise<{ config_version: string; gold: string }[]> {
  const base = tableDir(lake.root, datasetSpec(lake.config, vpDatasetKey(config)), config.symbol);
  const out: { config_version: string; gold: string }[] = [];
  const list = async (d: string) => {
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(d)) if (e.isDirectory) names.push(e.name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return names.sort();
  };
  for (const c of await list(base)) {
    if (!c.startsWith("config=")) continue;
    for (const g of await list(join(base, c))) {
      if (g.startsWith("gold=")) out.push({ config_version: c.slice(7), gold: g.slice(5) });
    }
  }
  return out;
}

function signalBatch(t: VpSignalTable): ColumnBatch {
  const b: ColumnBatch = {
    window_end_ts_ns: t.window_end_ts_ns,
    spot_ref_price_int: t.spot_ref_price_int,
  };
  for (const c of VP_FLOAT_COLUMNS) b[c] = t.values[c];
  const midValid = Uint8Array.from(t.mid_price, (m) => (Number.isNaN(m) ? 0 : 1));
  b.mid_price = { data: t.mid_price, valid: midValid };
  b.best_bid_price_int = { data: t.best_bid_price_int, valid: t.best_bid_valid };
  b.best_ask_price_int = { data: t.best_ask_price_int, valid: t.best_ask_valid };
  b.book_valid = { data: t.book_valid, valid: t.has_snap };
  b.signal_valid = t.signal_valid;
  return b;
}

/**
 * Writes a computed day as the partition of its knob setting; the manifest's `stats` hold the
 * runtime config (with `config_version`), the knobs, the cache key and the counts.
 */
export async function writeVpPartition(lake: Lake, day: VpDay): Promise<Manifest> {
  const v = vpVariantLake(lake, day.config, day.gold);
  const inputs: ManifestInput[] = [];
  for (const table of VP_SILVER_TABLES) {
    const spec = datasetSpec(lake.config, silverKey(day.config, table));
    const dir = partitionDir(lake.root, spec, { symbol: day.config.symbol, dt: day.dt });
    inputs.push({
      dataset: spec.key,
      symbol: day.config.symbol,
      dt: day.dt,
      manifest_sha256: await manifestSha256(dir),
    });
  }
  const rows = 65_536;
  const full = signalBatch(day.signals);
  const batches = function* () {
    for (let s = 0; s < day.signals.length; s += rows) {
      const e = Math.min(day.signals.length, s + rows);
      const out: ColumnBatch = {};
      for (const [k, c] of Object.entries(full)) {
        out[k] = isNullableColumn(c)
          ? {
            data: (c.data as Float64Array).subarray(s, e),
            valid: c.valid.subarray(s, e),
          }
          : (c as Float64Array).subarray(s, e);
      }
      yield out;
    }
  };
  return await writePartition(
    v,
    vpDatasetKey(day.config),
    { symbol: day.config.symbol, dt: day.dt },
    batches(),
    {
      stage: `gold_vacuum_pressure_${day.config.product_type}`,
      inputs,
      stats: {
        runtime_config: day.config,
        config_version: day.config.config_version,
        gold_signal_config: day.gold,
        gold_fragment: goldCacheFragment(day.gold),
        cache_key: day.cacheKey,
        qty_unit: day.config.qty_unit,
        windows: day.signals.length,
        invalid_windows: day.invalidWindows,
      },
      timings: { compute: day.seconds },
    },
  );
}

/** Reads back the signals partition of one knob setting (throws when it is not complete). */
export async function readVpSignals(
  lake: Lake,
  config: VpRuntimeConfig,
  dt: string,
  gold: GoldSignalConfig = DEFAULT_GOLD_SIGNAL_CONFIG,
): Promise<VpSignalTable> {
  const v = vpVariantLake(lake, config, gold);
  const parts: Record<string, ReadColumn>[] = [];
  let n = 0;
  for await (
    const b of readBatches(v, vpDatasetKey(config), { symbol: config.symbol, dt }, {
      worker: false,
    })
  ) {
    parts.push(b.columns);
    n += b.length;
  }
  const cat = <T extends BigInt64Array | Float64Array | Uint8Array>(
    C: new (n: number) => T,
    get: (c: Record<string, ReadColumn>) => T,
  ): T => {
    const out = new C(n);
    let o = 0;
    for (const p of parts) {
      const a = get(p);
      out.set(a as never, o);
      o += a.length;
    }
    return out;
  };
  const data = (c: ReadColumn) => (isNullableColumn(c) ? c.data : c) as Float64Array;
  const valid = (c: ReadColumn, len: number) =>
    isNullableColumn(c) ? c.valid : new Uint8Array(len).fill(1);
  const values: Record<string, Float64Array> = {};
  for (const c of VP_FLOAT_COLUMNS) values[c] = cat(Float64Array, (p) => data(p[c]));
  const mid = cat(Float64Array, (p) => {
    const d = Float64Array.from(data(p.mid_price));
    const ok = valid(p.mid_price, d.length);
    for (let i = 0; i < d.length; i++) if (!ok[i]) d[i] = NaN;
    return d;
  });
  return {
    length: n,
    window_end_ts_ns: cat(BigInt64Array, (p) => p.window_end_ts_ns as BigInt64Array),
    spot_ref_price_int: cat(BigInt64Array, (p) => p.spot_ref_price_int as BigInt64Array),
    values,
    mid_price: mid,
    best_bid_price_int: cat(
      BigInt64Array,
      (p) => data(p.best_bid_price_int) as unknown as BigInt64Array,
    ),
    best_bid_valid: cat(
      Uint8Array,
      (p) =>
        valid(p.best_bid_price_int, p.best_bid_price_int ? data(p.best_bid_price_int).length : 0),
    ),
    best_ask_price_int: cat(
      BigInt64Array,
      (p) => data(p.best_ask_price_int) as unknown as BigInt64Array,
    ),
    best_ask_valid: cat(
      Uint8Array,
      (p) => valid(p.best_ask_price_int, data(p.best_ask_price_int).length),
    ),
    book_valid: cat(Uint8Array, (p) => data(p.book_valid) as unknown as Uint8Array),
    has_snap: cat(Uint8Array, (p) => valid(p.book_valid, data(p.book_valid).length)),
    signal_valid: cat(Uint8Array, (p) => p.signal_valid as Uint8Array),
  };
}
