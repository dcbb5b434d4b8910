/**
 * The stage registry: which stages run for a (product type, layer), in order. Bronze stages are
 * registered by `sdk/bronze`; silver and gold modules export their stages and are added to
 * {@linkcode defaultRegistry} (see `stages.ts`). Asking for a layer nobody registered is an error
 * that says so.
 *
 * @module
 */
import type { Lake } from "../lake/lake.ts";
import type { EquityConfig, ProductConfig, ProductTable } from "../lake/products.ts";

export { PRODUCT_TYPES, type ProductType } from "../lake/product_types.ts";
import { PRODUCT_TYPES, type ProductType } from "../lake/product_types.ts";

/** A layer of the lake. */
export type Layer = "bronze" | "silver" | "gold";

/** Layers in run order. */
export const LAYERS: readonly Layer[] = ["bronze", "silver", "gold"];

/** Throws, listing the valid values, unless `s` is a product type. */
export function checkProductType(s: string): ProductType {
  if (!(PRODUCT_TYPES as readonly string[]).includes(s)) {
    throw new Error(`unknown product type '${s}' (valid: ${PRODUCT_TYPES.join(", ")})`);
  }
  return s as ProductType;
}

/** True for futures product types (symbols are roots / contracts with a ProductConfig). */
export function isFutures(pt: ProductType): boolean {
  return pt === "future_mbo" || pt === "future_option_mbo";
}

/** A progress report from a running stage. */
export interface ProgressInfo {
  /** What is being processed (e.g. a file name). */
  label: string;
  /** Records processed so far in this step. */
  records: number;
  /** Fraction of the step done (0..1), when known (drives the ETA). */
  fraction?: number;
}

/** Everything a stage gets for one task (symbol, date). */
export interface StageContext {
  /** The lake to read and write. */
  lake: Lake;
  /** The product table. */
  products: ProductTable;
  /** Product type of the run. */
  productType: ProductType;
  /**
   * Symbol for this layer: bronze gets the root or ticker given on the command line (a contract
   * such as `MNQH6` is reduced to its root by futures bronze stages); silver and gold get a
   * contract (`MNQH6`) or a ticker (`QQQ`).
   */
  symbol: string;
  /** Session date `YYYY-MM-DD`. */
  dt: string;
  /** The futures product of the symbol (futures product types only). */
  product: ProductConfig | undefined;
  /** The equity ticker's settings (equity product types only). */
  equity: EquityConfig | undefined;
  /** Rebuild outputs even when complete. */
  overwrite: boolean;
  /**
   * Raw provenance the run reads and writes (`databento`, `synthetic`, `lobster`): bronze reads
   * `raw/source=<source>/` and writes `bronze/source=<source>/`; silver reads that bronze.
   */
  source: string;
  /** Progress callback (rate and ETA are derived by the runner). */
  progress(info: ProgressInfo): void;
  /** One line of log output (quiet runs drop it). */
  log(message: string): void;
}

/** One partition a stage wrote or skipped. */
export interface PartitionOutcome {
  /** Dataset key. */
  dataset: string;
  /** Partition symbol. */
  symbol: string;
  /** Partition date. */
  dt: string;
  /** Rows written (or already there, for skipped partitions when known). */
  rows: number;
  /** True when the partition was complete and left as is. */
  skipped: boolean;
}

/** What a stage reports. */
export interface StageResult {
  /** Partitions written or skipped. */
  partitions: PartitionOutcome[];
  /**
   * Symbols later layers should process for this task, most active first (bronze: the contracts
   * or underlyings it wrote, ordered by rows).
   */
  symbols?: string[];
}

/** A pipeline stage. */
export interface Stage {
  /** Unique name, written into manifests (e.g. `bronze_ingest_future_mbo`). */
  name: string;
  /** Layer it belongs to. */
  layer: Layer;
  /** Product type it processes. */
  productType: ProductType;
  /** Runs the stage for one task. Must throw on failure. */
  run(ctx: StageContext): Promise<StageResult>;
}

/** Stages by (product type, layer), in registration order. */
export class StageRegistry {
  #stages: Stage[] = [];

  /** Adds stages; a duplicate name is an error. */
  register(...stages: Stage[]): this {
    for (const s of stages) {
      if (this.#stages.some((x) => x.name === s.name)) {
        throw new Error(`stage '${s.name}' is already registered`);
      }
      checkProductType(s.productType);
      if (!LAYERS.includes(s.layer)) {
        throw new Error(`stage '${s.name}': unknown layer '${s.layer}'`);
      }
      this.#stages.push(s);
    }
    return this;
  }

  /** True when at least one stage is registered for the pair. */
  has(productType: ProductType, layer: Layer): boolean {
    return this.#stages.some((s) => s.productType === productType && s.layer === layer);
  }

  /** Layers with registered stages for a product type, in run order. */
  layers(productType: ProductType): Layer[] {
    return LAYERS.filter((l) => this.has(productType, l));
  }

  /** The stages of a layer, in order; throws when none is registered. */
  stages(productType: ProductType, layer: Layer): Stage[] {
    const out = this.#stages.filter((s) => s.productType === productType && s.layer === layer);
    if (!out.length) {
      const have = this.layers(productType);
      throw new Error(
        `layer ${layer} is not implemented for ${productType}: no stage is registered ` +
          `(registered layers: ${have.length ? have.join(", ") : "none"})`,
      );
    }
    return out;
  }

  /** Every registered stage. */
  all(): Stage[] {
    return [...this.#stages];
  }
}
