/**
 * The four silver stages: read a bronze partition (and, for options, the underlying's silver
 * snapshot), run the streaming engine and write `book_snapshot_1s` and `depth_and_flow_1s` through
 * the lake's atomic partition writer. Register them with {@linkcode registerSilverStages}.
 *
 * @module
 */

import type { ColumnBatch, DictColumn, NullableColumn } from "../lake/columns.ts";
import { datasetSpec } from "../lake/datasets.ts";
import type { Lake } from "../lake/lake.ts";
import { type ManifestInput, readManifest } from "../lake/manifest.ts";
import { partitionDir } from "../lake/paths.ts";
import {
  describeStale,
  partitionFreshness,
  upstreamInput,
  type UpstreamRef,
} from "../lake/lineage.ts";
import { type IntArrayType, type ReadBatch, readBatches } from "../lake/reader.ts";
import { PartitionWriter } from "../lake/writer.ts";
import type {
  PartitionOutcome,
  ProductType,
  Stage,
  StageContext,
  StageRegistry,
  StageResult,
} from "../pipeline/registry.ts";
import {
  CMBP1_COLUMNS,
  CMBP1_NARROW,
  cmbp1FromBronze,
  defineFromBronze,
  MBO_COLUMNS,
  MBO_NARROW,
  mboFromBronze,
} from "./_bronze_columns.ts";
import { Cmbp1Silver } from "./cmbp1_silver.ts";
import {
  type BookSnapshotBatch,
  bookSnapshotColumns,
  type DepthFlowBatch,
  type OptionFlowBatch,
  type OptionSnapshotBatch,
} from "./columns.ts";
import { MboSilver } from "./mbo_silver.ts";
import { i32, put64 } from "./_math.ts";
import { OptionMboSilver } from "./option_mbo_silver.ts";
import { regularSession, type WindowRange } from "./session.ts";
import type { SpotSeries } from "./_spot.ts";

const ASCII: readonly string[] = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
/** Rows buffered by an engine before they are handed to the writers. */
const FLUSH_ROWS = 1 << 16;
/** Records applied between two checks of the buffered rows. */
const SLICE = 2048;

/** Stage names (written into manifests), as in the original. */
export const SILVER_STAGE_NAMES: Readonly<Record<ProductType, string>> = {
  future_mbo: "silver_compute_book_states_1s",
  equity_mbo: "silver_compute_equity_book_states_1s",
  future_option_mbo: "silver_compute_option_book_states_1s",
  equity_option_cmbp_1: "silver_compute_equity_option_book_states_1s",
};

const BRONZE: Readonly<Record<ProductType, string>> = {
  future_mbo: "bronze.future_mbo.mbo",
  equity_mbo: "bronze.equity_mbo.mbo",
  future_option_mbo: "bronze.future_option_mbo.mbo",
  equity_option_cmbp_1: "bronze.equity_option_cmbp_1.cmbp_1",
};

/** The silver dataset keys of a product type: [snapshot, flow]. */
export function silverDatasets(pt: ProductType): [string, string] {
  return [`silver.${pt}.book_snapshot_1s`, `silver.${pt}.depth_and_flow_1s`];
}

/** Which underlying silver snapshot an option product type needs. */
const SPOT_FROM: Partial<Record<ProductType, ProductType>> = {
  future_option_mbo: "future_mbo",
  equity_option_cmbp_1: "equity_mbo",
};

function codes(a: Uint8Array): DictColumn {
  return { codes: a, values: ASCII };
}

function bool(a: Uint8Array): Uint8Array {
  return a;
}

/** Contract batches of the MBO tables. */
function mboSnapshotBatch(b: BookSnapshotBatch): ColumnBatch {
  return bookSnapshotColumns(b);
}

function mboFlowBatch(b: DepthFlowBatch): ColumnBatch {
  const { length: _n, side, window_valid, ...rest } = b;
  return { ...rest, side: codes(side), window_valid: bool(window_valid) };
}

function optionSnapshotBatch(b: OptionSnapshotBatch, pt: ProductType): ColumnBatch {
  const { length: n, right, mid_price_int, book_valid, ...rest } = b;
  let mid: BigInt64Array | Float64Array = mid_price_int;
  if (pt === "future_option_mbo") {
    // the futures-option contract has a long mid (whole 1e-9 units): written word by word
    const out = new BigInt64Array(n);
    const w = i32(out);
    for (let i = 0; i < n; i++) put64(w, i, mid_price_int[i]);
    mid = out;
  }
  return { ...rest, right: codes(right), mid_price_int: mid, book_valid: bool(book_valid) };
}

function optionFlowBatch(b: OptionFlowBatch, pt: ProductType): ColumnBatch {
  const {
    length: _n,
    right,
    side,
    window_valid,
    accounting_identity_valid,
    depth_qty_rest,
    ...rest
  } = b;
  const out: ColumnBatch = {
    ...rest,
    right: codes(right),
    side: codes(side),
    window_valid: bool(window_valid),
  };
  if (pt === "future_option_mbo") {
    out.depth_qty_rest = depth_qty_rest;
    out.accounting_identity_valid = bool(accounting_identity_valid);
  }
  return out;
}

/** A silver engine as the stage driver sees it. */
interface Engine<S, F> {
  readonly pendingRows: number;
  readonly done: boolean;
  readonly stats: object;
  finish(): void;
  takeSnapshots(): S;
  takeFlows(): F;
}

/** An option engine as the stage driver sees it: definitions, then column batches of type `C`. */
interface OptionEngine<C> extends Engine<OptionSnapshotBatch, OptionFlowBatch> {
  defineInstrument(instrument_id: number, right: number, strike: number): void;
  push(cols: C, start: number, end: number): void;
}

async function lineage(lake: Lake, ref: UpstreamRef): Promise<ManifestInput> {
  return await upstreamInput(lake, ref);
}

async function rowCount(lake: Lake, ref: UpstreamRef): Promise<number> {
  const dir = partitionDir(lake.root, datasetSpec(lake.config, ref.dataset), ref);
  return (await readManifest(dir)).row_count;
}

/** A spot column as read (nullable in the contract): nulls become 0, "no spot", as the index expects. */
function spotOrZero(c: NullableColumn | BigInt64Array): BigInt64Array {
  if (c instanceof BigInt64Array) return c;
  const data = c.data as BigInt64Array;
  if (c.valid.every((v) => v === 1)) return data;
  return BigInt64Array.from(data, (x, i) => (c.valid[i] ? x : 0n));
}

/** Reads the spot series (window end, spot) of the underlying's silver snapshot; null spots read as 0 (no spot). */
export async function readSpotSeries(
  lake: Lake,
  productType: ProductType,
  symbol: string,
  dt: string,
): Promise<SpotSeries> {
  const dataset = `silver.${productType}.book_snapshot_1s`;
  const ends: BigInt64Array[] = [], spots: BigInt64Array[] = [];
  let n = 0;
  for await (
    const b of readBatches(lake, dataset, { symbol, dt }, {
      columns: ["window_end_ts_ns", "spot_ref_price_int"],
    })
  ) {
    ends.push(b.columns.window_end_ts_ns as BigInt64Array);
    spots.push(spotOrZero(b.columns.spot_ref_price_int as NullableColumn | BigInt64Array));
    n += b.length;
  }
  const cat = (parts: BigInt64Array[]) => {
    const out = new BigInt64Array(n);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  return { length: n, window_end_ts_ns: cat(ends), spot_ref_price_int: cat(spots) };
}

/**
 * Runs one silver stage for one (symbol, date): skips when both outputs are complete (unless
 * `ctx.overwrite`), else rebuilds both atomically.
 */
export async function runSilverStage(ctx: StageContext, range?: WindowRange): Promise<StageResult> {
  const pt = ctx.productType;
  const { lake, symbol, dt } = ctx;
  const [snapKey, flowKey] = silverDatasets(pt);
  const snapDir = partitionDir(lake.root, datasetSpec(lake.config, snapKey), { symbol, dt });
  const flowDir = partitionDir(lake.root, datasetSpec(lake.config, flowKey), { symbol, dt });
  const bronzeKey = BRONZE[pt];
  const spotPt = SPOT_FROM[pt];
  // what this run would read now: the partitions are kept only if built from exactly these
  const bronzeRef: UpstreamRef = { dataset: bronzeKey, symbol, dt, source: ctx.source };
  const upstream: UpstreamRef[] = [bronzeRef];
  if (spotPt) upstream.push({ dataset: silverDatasets(spotPt)[0], symbol, dt });
  const fresh = ctx.overwrite ? [] : await Promise.all(
    [snapKey, flowKey].map((k) =>
      partitionFreshness(lake, k, { symbol, dt }, { inputs: upstream })
    ),
  );
  const stale = [...new Set(fresh.filter((f) => f.state === "stale").map(describeStale))];
  if (stale.length) {
    // the inputs must be there before anything is declared stale and rebuilt
    await lineage(lake, bronzeRef);
    ctx.log(`silver ${pt} ${symbol} ${dt}: stale, rebuilding (${stale.join("; ")})`);
  }
  if (!ctx.overwrite && fresh.every((f) => f.state === "fresh")) {
    ctx.log(`silver ${pt} ${symbol} ${dt}: complete, skipped`);
    return {
      partitions: [
        {
          dataset: snapKey,
          symbol,
          dt,
          rows: (await readManifest(snapDir)).row_count,
          skipped: true,
        },
        {
          dataset: flowKey,
          symbol,
          dt,
          rows: (await readManifest(flowDir)).row_count,
          skipped: true,
        },
      ],
      symbols: [symbol],
    };
  }
  const inputs = [await lineage(lake, bronzeRef)];
  if (spotPt) {
    try {
      inputs.push(await lineage(lake, { dataset: silverDatasets(spotPt)[0], symbol, dt }));
    } catch (e) {
      throw new Error(
        `${(e as Error).message}; ${pt} silver takes its spot from ${spotPt} silver: run ` +
          `--product-type ${spotPt} --layer silver --symbol ${symbol} --dt ${dt} first`,
      );
    }
  }
  const total = await rowCount(lake, bronzeRef);
  const window = range ?? regularSession(dt);
  const started = performance.now();
  let readSeconds = 0;

  const stage = SILVER_STAGE_NAMES[pt];
  const snapW = await PartitionWriter.open(lake, snapKey, { symbol, dt }, { stage, inputs });
  let flowW: PartitionWriter;
  try {
    flowW = await PartitionWriter.open(lake, flowKey, { symbol, dt }, { stage, inputs });
  } catch (e) {
    await snapW.abort();
    throw e;
  }
  try {
    let records = 0;
    const label = `silver ${pt} ${symbol} ${dt}`;
    const drive = async <S, F>(
      eng: Engine<S, F>,
      columns: readonly string[],
      narrow: Readonly<Record<string, IntArrayType>>,
      prepare: (b: ReadBatch) => (start: number, end: number) => void,
      toSnap: (s: S) => ColumnBatch,
      toFlow: (f: F) => ColumnBatch,
    ) => {
      const flush = async () => {
        await snapW.append(toSnap(eng.takeSnapshots()));
        await flowW.append(toFlow(eng.takeFlows()));
      };
      // the next batch is requested before this one is processed, so that DuckDB reads ahead
      const it = readBatches(lake, bronzeKey, bronzeRef, {
        columns: [...columns],
        narrow: { ...narrow },
      })[Symbol.asyncIterator]();
      try {
        let t = performance.now();
        let next = it.next();
        for (;;) {
          const r = await next;
          readSeconds += (performance.now() - t) / 1000;
          if (r.done) break;
          const b = r.value;
          next = it.next();
          const apply = prepare(b);
          // small slices keep the rows buffered between two writes bounded
          for (let i = 0; i < b.length && !eng.done; i += SLICE) {
            apply(i, Math.min(b.length, i + SLICE));
            if (eng.pendingRows >= FLUSH_ROWS) await flush();
          }
          records += b.length;
          ctx.progress({ label, records, fraction: total > 0 ? records / total : undefined });
          if (eng.done) {
            await next.catch(() => {});
            break;
          }
          t = performance.now();
        }
      } finally {
        await it.return?.(undefined);
      }
      eng.finish();
      await flush();
      return eng.stats;
    };

    let stats: object;
    if (pt === "future_mbo" || pt === "equity_mbo") {
      const eng = engineFor(ctx, window);
      stats = await drive(
        eng,
        MBO_COLUMNS,
        MBO_NARROW,
        (b) => {
          const cols = mboFromBronze(b);
          return (i, j) => eng.push(cols, i, j);
        },
        mboSnapshotBatch,
        mboFlowBatch,
      );
    } else {
      const spot = await readSpotSeries(lake, spotPt!, symbol, dt);
      const inRange = filterSpot(spot, window);
      // definitions come with the bronze rows: each instrument is declared on its first batch
      const driveOption = <C extends { instrument_id: Uint32Array }>(
        eng: OptionEngine<C>,
        columns: readonly string[],
        narrow: Readonly<Record<string, IntArrayType>>,
        fromBronze: (b: ReadBatch) => C,
      ) => {
        const seen = new Set<number>();
        const define = (iid: number, right: number, strike: number) => {
          if (right === 67 || right === 80) eng.defineInstrument(iid, right, strike);
        };
        return drive(
          eng,
          columns,
          narrow,
          (b) => {
            const cols = fromBronze(b);
            defineFromBronze(b, cols.instrument_id, seen, define);
            return (i, j) => eng.push(cols, i, j);
          },
          (s) => optionSnapshotBatch(s, pt),
          (f) => optionFlowBatch(f, pt),
        );
      };
      if (pt === "future_option_mbo") {
        const p = ctx.product;
        if (!p) throw new Error(`silver ${pt} ${symbol}: no product configuration for the symbol`);
        const eng = new OptionMboSilver({
          tickInt: p.tick_int,
          strikeStepInt: p.strike_step_int,
          maxStrikeOffsets: p.max_strike_offsets,
          spot: inRange,
        });
        stats = await driveOption(
          eng,
          [...MBO_COLUMNS, "right", "strike"],
          MBO_NARROW,
          mboFromBronze,
        );
      } else {
        const e = ctx.equity;
        if (!e) throw new Error(`silver ${pt} ${symbol}: no equity configuration for the ticker`);
        const eng = new Cmbp1Silver({
          bucketInt: e.bucket_int,
          strikeStepInt: e.strike_step_int,
          maxStrikeOffsets: e.max_strike_offsets,
          spot: inRange,
        });
        stats = await driveOption(eng, CMBP1_COLUMNS, CMBP1_NARROW, cmbp1FromBronze);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const info = {
      stats: {
        ...stats,
        bronze_rows: total,
        bronze_rows_read: records,
        output_first_window_end_ns: window.startNs.toString(),
        output_last_window_end_ns: window.endNs.toString(),
      },
      timings: {
        silver_seconds: Math.round(seconds * 1000) / 1000,
        read_seconds: Math.round(readSeconds * 1000) / 1000,
      },
    };
    const ms = await snapW.commit(info);
    const mf = await flowW.commit(info);
    ctx.log(
      `${label}: ${ms.row_count} snapshots, ${mf.row_count} depth rows in ${seconds.toFixed(1)} s`,
    );
    const parts: PartitionOutcome[] = [
      { dataset: snapKey, symbol, dt, rows: ms.row_count, skipped: false },
      { dataset: flowKey, symbol, dt, rows: mf.row_count, skipped: false },
    ];
    return { partitions: parts, symbols: [symbol] };
  } catch (e) {
    await snapW.abort();
    await flowW.abort();
    throw e;
  }
}

function engineFor(ctx: StageContext, window: WindowRange): MboSilver {
  const opts = { outputStartNs: window.startNs, outputEndNs: window.endNs };
  if (ctx.productType === "future_mbo") {
    const p = ctx.product;
    if (!p) {
      throw new Error(`silver future_mbo ${ctx.symbol}: no product configuration for the symbol`);
    }
    return new MboSilver({ kind: "future", unit: p.tick_int, grid: p.grid_max_ticks, ...opts });
  }
  const e = ctx.equity;
  if (!e) {
    throw new Error(`silver equity_mbo ${ctx.symbol}: no equity configuration for the ticker`);
  }
  return new MboSilver({ kind: "equity", unit: e.bucket_int, grid: e.grid_max_buckets, ...opts });
}

/** The spot windows inside the output range. */
function filterSpot(s: SpotSeries, w: WindowRange): SpotSeries {
  const keep: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const e = s.window_end_ts_ns[i];
    if (e >= w.startNs && e <= w.endNs) keep.push(i);
  }
  return {
    length: keep.length,
    window_end_ts_ns: BigInt64Array.from(keep, (i) => s.window_end_ts_ns[i]),
    spot_ref_price_int: BigInt64Array.from(keep, (i) => s.spot_ref_price_int[i]),
  };
}

function stage(pt: ProductType): Stage {
  return {
    name: SILVER_STAGE_NAMES[pt],
    layer: "silver",
    productType: pt,
    run: (ctx) => runSilverStage(ctx),
  };
}

/** The silver stages, one per product type. */
export const SILVER_STAGES: readonly Stage[] = [
  stage("future_mbo"),
  stage("future_option_mbo"),
  stage("equity_mbo"),
  stage("equity_option_cmbp_1"),
];

/** Registers the four silver stages. */
export function registerSilverStages(registry: StageRegistry): StageRegistry {
  return registry.register(...SILVER_STAGES);
}
