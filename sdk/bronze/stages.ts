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
import { ingestMbo, type IngestResult } from "./mbo.ts";
import { parseOpraSymbol } from "./opra.ts";
import { rawFiles } from "./_raw.ts";

function result(partitions: PartitionOutcome[], mainDataset: string): StageResult {
  const symbols = partitions
    .filter((p) => p.dataset === mainDataset)
    .sort((a, b) => b.rows - a.rows || (a.symbol < b.symbol ? -1 : 1))
    .map((p) => p.symbol);
  return { partitions, symbols };
}

function noRows(r: IngestResult, what: string): void {
  if (r.partitions.length === 0) {
    throw new Error(
      `${what}: no record survived the bronze filters (read ${r.records} records; ` +
        `${JSON.stringify(r.stats)})`,
    );
  }
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
    const r0 = root(ctx);
    const files = await rawFiles(ctx.lake, "future_mbo.mbo", r0, ctx.dt);
    const r = await ingestMbo({
      lake: ctx.lake,
      productType: "future_mbo",
      dt: ctx.dt,
      files,
      stage: this.name,
      overwrite: ctx.overwrite,
      progress: ctx.progress,
    });
    noRows(r, `${this.name} ${r0} ${ctx.dt}`);
    return result(r.partitions, "bronze.future_mbo.mbo");
  },
};

/** `bronze_ingest_equity_mbo`: equity MBO of a ticker. */
export const bronzeIngestEquityMbo: Stage = {
  name: "bronze_ingest_equity_mbo",
  layer: "bronze",
  productType: "equity_mbo",
  async run(ctx: StageContext): Promise<StageResult> {
    const files = await rawFiles(ctx.lake, "equity_mbo.mbo", ctx.symbol, ctx.dt);
    const r = await ingestMbo({
      lake: ctx.lake,
      productType: "equity_mbo",
      dt: ctx.dt,
      files,
      stage: this.name,
      overwrite: ctx.overwrite,
      progress: ctx.progress,
    });
    noRows(r, `${this.name} ${ctx.symbol} ${ctx.dt}`);
    return result(r.partitions, "bronze.equity_mbo.mbo");
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
    const defFiles = await rawFiles(ctx.lake, "future_option_mbo.definition", r0, ctx.dt);
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
    const files = await rawFiles(ctx.lake, "future_option_mbo.mbo", r0, ctx.dt);
    const r = await ingestMbo({
      lake: ctx.lake,
      productType: "future_option_mbo",
      dt: ctx.dt,
      files,
      stage: this.name,
      overwrite: ctx.overwrite,
      options: zero,
      extraInputs: defs.inputs,
      extraStats: { zero_dte_instruments: zero.size },
      progress: ctx.progress,
    });
    noRows(r, `${this.name} ${r0} ${ctx.dt}`);
    return result([...r.partitions, ...outcomes], "bronze.future_option_mbo.mbo");
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
    const defFiles = await rawFiles(ctx.lake, "equity_option_cmbp_1.definition", ticker, ctx.dt);
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
          { stage: this.name, inputs: defs.inputs, overwrite: ctx.overwrite },
        ),
      );
    }
    outcomes.push(...await statistics(ctx, "equity_option_cmbp_1", ticker, this.name));
    const files = await rawFiles(ctx.lake, "equity_option_cmbp_1.cmbp_1", ticker, ctx.dt);
    const r = await ingestCmbp1({
      lake: ctx.lake,
      ticker,
      dt: ctx.dt,
      files,
      stage: this.name,
      overwrite: ctx.overwrite,
      progress: ctx.progress,
    });
    noRows(r, `${this.name} ${ticker} ${ctx.dt}`);
    return result([...r.partitions, ...outcomes], "bronze.equity_option_cmbp_1.cmbp_1");
  },
};

async function statistics(
  ctx: StageContext,
  pt: "future_option_mbo" | "equity_option_cmbp_1",
  symbol: string,
  stage: string,
): Promise<PartitionOutcome[]> {
  const files = await rawFiles(ctx.lake, `${pt}.statistics`, symbol, ctx.dt);
  if (!files.length) return [];
  const s = await readStatistics(files, ctx.dt);
  const inputs: ManifestInput[] = s.inputs;
  return [
    await writeSmallPartition(ctx.lake, `bronze.${pt}.statistics`, symbol, ctx.dt, s.batches, {
      stage,
      inputs,
      overwrite: ctx.overwrite,
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
