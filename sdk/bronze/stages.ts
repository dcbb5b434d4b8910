/**
 * The four bronze stages (pipeline.md §1.3, §2) for the stage registry.
 *
 * @module
 */
import { extractRoot } from "../lake/products.ts";
import type { ManifestInput } from "../lake/manifest.ts";
import type { PartitionOutcome, Stage, StageContext, StageResult } from "../pipeline/registry.ts";
import { ingestCmbp1 } from "./cmbp1.ts";
import {
  definitionBatch,
  readDefinitions,
  readStatistics,
  writeSmallPartition,
  zeroDteFutureOptions,
} from "./definitions.ts";
import { ingestMbo, type IngestOptions, type IngestResult } from "./mbo.ts";
import { parseOpraSymbol } from "./opra.ts";
import { rawFiles } from "./_raw.ts";

/**
 * The stage result of an ingest (`outcomes` of the side datasets after its partitions; the main
 * dataset's symbols most rows first); fails when no record survived the filters.
 */
function stageResult(
  r: IngestResult,
  what: string,
  mainDataset: string,
  outcomes: PartitionOutcome[] = [],
): StageResult {
  if (r.partitions.length === 0) {
    throw new Error(
      `${what}: no record survived the bronze filters (read ${r.records} records; ` +
        `${JSON.stringify(r.stats)})`,
    );
  }
  const partitions = [...r.partitions, ...outcomes];
  const symbols = partitions
    .filter((p) => p.dataset === mainDataset)
    .sort((a, b) => b.rows - a.rows || (a.symbol < b.symbol ? -1 : 1))
    .map((p) => p.symbol);
  return { partitions, symbols };
}

/** The options every ingest of `stage` takes, for the raw files of `key` of `symbol`. */
async function ingestOptions(
  ctx: StageContext,
  stage: string,
  key: string,
  symbol: string,
): Promise<IngestOptions> {
  return {
    lake: ctx.lake,
    dt: ctx.dt,
    files: await rawFiles(ctx.lake, key, symbol, ctx.dt, ctx.source),
    source: ctx.source,
    stage,
    overwrite: ctx.overwrite,
    log: (m) => ctx.log(m),
    progress: ctx.progress,
  };
}

/** The MBO stage of a product type without options: one partition per contract / ticker. */
async function mboStage(
  ctx: StageContext,
  stage: string,
  productType: "future_mbo" | "equity_mbo",
  symbol: string,
): Promise<StageResult> {
  const r = await ingestMbo({
    ...await ingestOptions(ctx, stage, `${productType}.mbo`, symbol),
    productType,
  });
  return stageResult(r, `${stage} ${symbol} ${ctx.dt}`, `bronze.${productType}.mbo`);
}

function root(ctx: StageContext): string {
  return extractRoot(ctx.symbol, ctx.products.products.keys());
}

/** `bronze_ingest_future_mbo`: futures MBO of a root, one partition per contract (spreads dropped). */
export const bronzeIngestFutureMbo: Stage = {
  name: "bronze_ingest_future_mbo",
  layer: "bronze",
  productType: "future_mbo",
  async run(ctx: StageContext): Promise<StageResult> {
    return await mboStage(ctx, this.name, "future_mbo", root(ctx));
  },
};

/** `bronze_ingest_equity_mbo`: equity MBO of a ticker. */
export const bronzeIngestEquityMbo: Stage = {
  name: "bronze_ingest_equity_mbo",
  layer: "bronze",
  productType: "equity_mbo",
  async run(ctx: StageContext): Promise<StageResult> {
    return await mboStage(ctx, this.name, "equity_mbo", ctx.symbol);
  },
};

/**
 * `bronze_ingest_future_option_mbo`: 0DTE options of a root (selected from that day's
 * definitions), one partition per underlying contract; definitions and statistics stored under the
 * root.
 */
export const bronzeIngestFutureOptionMbo: Stage = {
  name: "bronze_ingest_future_option_mbo",
  layer: "bronze",
  productType: "future_option_mbo",
  async run(ctx: StageContext): Promise<StageResult> {
    const r0 = root(ctx);
    const defFiles = await rawFiles(
      ctx.lake,
      "future_option_mbo.definition",
      r0,
      ctx.dt,
      ctx.source,
    );
    const defs = await readDefinitions(defFiles);
    const zero = zeroDteFutureOptions(defs, ctx.dt);
    const outcomes: PartitionOutcome[] = [];
    outcomes.push(
      await writeSmallPartition(
        ctx.lake,
        "bronze.future_option_mbo.definition",
        r0,
        ctx.dt,
        [definitionBatch(defs.byId.values(), (d) => zero.has(d.instrument_id))],
        {
          stage: this.name,
          inputs: defs.inputs,
          overwrite: ctx.overwrite,
          source: ctx.source,
          log: (m) => ctx.log(m),
          stats: {
            definition_records: defs.records,
            instruments: defs.byId.size,
            zero_dte: zero.size,
          },
        },
      ),
    );
    if (zero.size === 0) {
      throw new Error(
        `${this.name} ${r0} ${ctx.dt}: the definitions (${
          defFiles.join(", ")
        }) list no call or put ` +
          `expiring on ${ctx.dt} (New York date); nothing to ingest`,
      );
    }
    outcomes.push(...await statistics(ctx, "future_option_mbo", r0, this.name));
    const r = await ingestMbo({
      ...await ingestOptions(ctx, this.name, "future_option_mbo.mbo", r0),
      productType: "future_option_mbo",
      options: zero,
      extraInputs: defs.inputs,
      extraStats: { zero_dte_instruments: zero.size },
    });
    return stageResult(r, `${this.name} ${r0} ${ctx.dt}`, "bronze.future_option_mbo.mbo", outcomes);
  },
};

/**
 * `bronze_ingest_equity_option_cmbp_1`: 0DTE OPRA options of a ticker (from the symbols), one
 * partition per underlying; definitions and statistics stored under the ticker when present.
 */
export const bronzeIngestEquityOptionCmbp1: Stage = {
  name: "bronze_ingest_equity_option_cmbp_1",
  layer: "bronze",
  productType: "equity_option_cmbp_1",
  async run(ctx: StageContext): Promise<StageResult> {
    const ticker = ctx.symbol;
    const outcomes: PartitionOutcome[] = [];
    const defFiles = await rawFiles(
      ctx.lake,
      "equity_option_cmbp_1.definition",
      ticker,
      ctx.dt,
      ctx.source,
    );
    if (defFiles.length) {
      const defs = await readDefinitions(defFiles);
      const ymd = ctx.dt;
      outcomes.push(
        await writeSmallPartition(
          ctx.lake,
          "bronze.equity_option_cmbp_1.definition",
          ticker,
          ctx.dt,
          [
            definitionBatch(defs.byId.values(), (d) => {
              const p = parseOpraSymbol(d.raw_symbol);
              return !!p && p.underlying.toUpperCase() === ticker.toUpperCase() &&
                p.expirationDate === ymd;
            }),
          ],
          {
            stage: this.name,
            inputs: defs.inputs,
            overwrite: ctx.overwrite,
            source: ctx.source,
            log: (m) => ctx.log(m),
          },
        ),
      );
    }
    outcomes.push(...await statistics(ctx, "equity_option_cmbp_1", ticker, this.name));
    const r = await ingestCmbp1({
      ...await ingestOptions(ctx, this.name, "equity_option_cmbp_1.cmbp_1", ticker),
      ticker,
    });
    return stageResult(
      r,
      `${this.name} ${ticker} ${ctx.dt}`,
      "bronze.equity_option_cmbp_1.cmbp_1",
      outcomes,
    );
  },
};

async function statistics(
  ctx: StageContext,
  pt: "future_option_mbo" | "equity_option_cmbp_1",
  symbol: string,
  stage: string,
): Promise<PartitionOutcome[]> {
  const files = await rawFiles(ctx.lake, `${pt}.statistics`, symbol, ctx.dt, ctx.source);
  if (!files.length) return [];
  const s = await readStatistics(files, ctx.dt);
  const inputs: ManifestInput[] = s.inputs;
  return [
    await writeSmallPartition(ctx.lake, `bronze.${pt}.statistics`, symbol, ctx.dt, s.batches, {
      stage,
      inputs,
      overwrite: ctx.overwrite,
      source: ctx.source,
      log: (m) => ctx.log(m),
      stats: { statistics_records: s.records },
    }),
  ];
}

/** All bronze stages. */
export const bronzeStages: readonly Stage[] = [
  bronzeIngestFutureMbo,
  bronzeIngestFutureOptionMbo,
  bronzeIngestEquityMbo,
  bronzeIngestEquityOptionCmbp1,
];
