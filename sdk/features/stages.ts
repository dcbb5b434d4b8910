/**
 * The four gold stages: silver windows → surface engine → `physics_surface_1s`, written through
 * the lake's atomic partition writer with lineage to both silver manifests. The stage is a loop
 * over the incremental engine ({@linkcode createSurfaceEngine}), so batch and stream agree.
 *
 * @module
 */
import type { ColumnBatch, DictColumn } from "../lake/columns.ts";
import { datasetSpec } from "../lake/datasets.ts";
import type { Lake } from "../lake/lake.ts";
import { type ManifestInput, manifestSha256, readManifest } from "../lake/manifest.ts";
import { isComplete, partitionDir } from "../lake/paths.ts";
import type { ProductType } from "../lake/product_types.ts";
import { PartitionWriter } from "../lake/writer.ts";
import type {
  PartitionOutcome,
  Stage,
  StageContext,
  StageRegistry,
  StageResult,
} from "../pipeline/registry.ts";
import type { SilverWindow } from "./columns.ts";
import { allocSurface, headOf } from "./future_surface.ts";
import { silverKeys, silverWindows } from "./silver_windows.ts";
import {
  type AnySurfaceBatch,
  createSurfaceEngine,
  type SurfaceParams,
  surfaceParams,
} from "./surface_engine.ts";

/** Stage names (written into manifests), as in the original. */
export const GOLD_STAGE_NAMES: Readonly<Record<ProductType, string>> = {
  future_mbo: "gold_compute_physics_surface_1s",
  equity_mbo: "gold_compute_equity_physics_surface_1s",
  future_option_mbo: "gold_compute_option_physics_surface_1s",
  equity_option_cmbp_1: "gold_compute_equity_option_physics_surface_1s",
};

/** The gold dataset key of a product type. */
export function goldDataset(pt: ProductType): string {
  return `gold.${pt}.physics_surface_1s`;
}

/** Rows buffered between two writer appends. */
const BLOCK_ROWS = 1 << 16;

const ASCII: readonly string[] = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));

/** A gold batch as the writer takes it (one-letter strings as dictionary codes). */
export function surfaceColumnBatch(b: AnySurfaceBatch): ColumnBatch {
  const out: ColumnBatch = {};
  for (const [k, v] of Object.entries(b)) {
    if (k === "length") continue;
    out[k] = k === "side" || k === "right"
      ? ({ codes: v as Uint8Array, values: ASCII } satisfies DictColumn)
      : (v as Uint8Array);
  }
  return out;
}

async function lineage(
  lake: Lake,
  dataset: string,
  symbol: string,
  dt: string,
  pt: ProductType,
): Promise<ManifestInput> {
  const dir = partitionDir(lake.root, datasetSpec(lake.config, dataset), { symbol, dt });
  if (!(await isComplete(dir))) {
    throw new Error(
      `input partition ${dataset} ${symbol} ${dt} is missing or incomplete (${dir}); run ` +
        `--product-type ${pt} --layer silver --symbol ${symbol} --dt ${dt} first`,
    );
  }
  return { dataset, symbol, dt, manifest_sha256: await manifestSha256(dir) };
}

/** Options of {@linkcode buildGold}. */
export interface BuildGoldOptions {
  /** Engine parameters (default: from the context's product table). */
  params?: SurfaceParams;
  /** Rebuild even when complete. */
  overwrite?: boolean;
  /** Progress callback: silver flow rows read, fraction done. */
  progress?: (rows: number, fraction: number | undefined) => void;
  /** Log line callback. */
  log?: (line: string) => void;
}

/**
 * Builds one gold partition from silver: skips when complete (unless `overwrite`), else streams
 * the silver windows through the surface engine into an atomic partition. An empty silver day
 * gives a valid empty partition.
 */
export async function buildGold(
  lake: Lake,
  productType: ProductType,
  symbol: string,
  dt: string,
  params: SurfaceParams,
  options: BuildGoldOptions = {},
): Promise<PartitionOutcome> {
  const key = goldDataset(productType);
  const dir = partitionDir(lake.root, datasetSpec(lake.config, key), { symbol, dt });
  if (!options.overwrite && (await isComplete(dir))) {
    options.log?.(`gold ${productType} ${symbol} ${dt}: complete, skipped`);
    return { dataset: key, symbol, dt, rows: (await readManifest(dir)).row_count, skipped: true };
  }
  const sk = silverKeys(productType);
  const inputs = [
    await lineage(lake, sk.snapshot, symbol, dt, productType),
    await lineage(lake, sk.flow, symbol, dt, productType),
  ];
  const flowDir = partitionDir(lake.root, datasetSpec(lake.config, sk.flow), { symbol, dt });
  const total = (await readManifest(flowDir)).row_count;
  const started = performance.now();
  const engine = createSurfaceEngine(productType, params);
  const stage = GOLD_STAGE_NAMES[productType];
  const writer = await PartitionWriter.open(lake, key, { symbol, dt }, { stage, inputs });
  try {
    let block: AnySurfaceBatch = allocSurface(engine.schema, BLOCK_ROWS);
    let at = 0;
    const flush = async () => {
      if (at > 0) await writer.append(surfaceColumnBatch(headOf(block, at)));
      at = 0;
    };
    const windows = silverWindows(lake, productType, symbol, dt, {
      onRows: (rows) => options.progress?.(rows, total > 0 ? rows / total : undefined),
    });
    for await (const w of windows as AsyncIterable<SilverWindow>) {
      const need = engine.maxRowsFor(w);
      if (at + need > block.length) {
        await flush();
        if (need > block.length) block = allocSurface(engine.schema, need);
      }
      at += engine.stepInto(w, block, at);
    }
    await flush();
    const seconds = (performance.now() - started) / 1000;
    const s = engine.stats;
    const m = await writer.commit({
      stats: {
        silver_rows: total,
        windows: s.windows,
        windows_out: s.windowsOut,
        windows_without_spot: s.windowsWithoutSpot,
        rows_ignored: s.rowsIgnored,
      },
      rejected: { window_invalid: s.invalidDropped },
      timings: { gold_seconds: Math.round(seconds * 1000) / 1000 },
    });
    options.log?.(
      `gold ${productType} ${symbol} ${dt}: ${m.row_count} rows from ${s.windows} windows in ` +
        `${seconds.toFixed(1)} s`,
    );
    return { dataset: key, symbol, dt, rows: m.row_count, skipped: false };
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/** Runs the gold stage of the context's product type for one (symbol, date). */
export async function runGoldStage(ctx: StageContext): Promise<StageResult> {
  const pt = ctx.productType;
  const label = `gold ${pt} ${ctx.symbol} ${ctx.dt}`;
  const out = await buildGold(
    ctx.lake,
    pt,
    ctx.symbol,
    ctx.dt,
    surfaceParams(ctx.products, pt, ctx.symbol),
    {
      overwrite: ctx.overwrite,
      log: (l) => ctx.log(l),
      progress: (records, fraction) => ctx.progress({ label, records, fraction }),
    },
  );
  return { partitions: [out], symbols: [ctx.symbol] };
}

function stage(pt: ProductType): Stage {
  return { name: GOLD_STAGE_NAMES[pt], layer: "gold", productType: pt, run: runGoldStage };
}

/** The gold stages, one per product type. */
export const GOLD_STAGES: readonly Stage[] = [
  stage("future_mbo"),
  stage("future_option_mbo"),
  stage("equity_mbo"),
  stage("equity_option_cmbp_1"),
];

/** Registers the four gold stages. */
export function registerGoldStages(registry: StageRegistry): StageRegistry {
  return registry.register(...GOLD_STAGES);
}
