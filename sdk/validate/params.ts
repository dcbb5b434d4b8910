/**
 * The product parameters every check is written in: silver price unit and grid, strike step and
 * offsets, all from `config/products.yaml` (never an ES or QQQ constant), plus the few
 * thresholds of the `WARN` checks.
 *
 * @module
 */
import {
  equityForSymbol,
  productForSymbol,
  type ProductTable,
  type ProductType,
} from "../lake/mod.ts";

/** Thresholds of the checks that are judgement calls (all `WARN`, never `FAIL`). */
export interface Thresholds {
  /** A window-to-window spot move larger than this many silver units is a `WARN` (default: grid / 4). */
  spotJumpUnits: number;
  /** Share of windows with `book_valid` below which the partition gets a `WARN` (default 0.5). */
  minBookValidShare: number;
  /** Share of the regular session's windows a silver MBO snapshot must cover (default 0.9). */
  minSessionCoverage: number;
}

/** What the checks of one product type and symbol need to know. */
export interface ProductParams {
  /** Product type. */
  productType: ProductType;
  /** Futures root or equity ticker. */
  root: string;
  /** Raw price increment in 1e-9 units (futures tick, equity tick). */
  tickInt: number;
  /**
   * Silver price unit in 1e-9 units: the futures tick, the equity price bucket (`bucket_size`).
   * `rel_ticks` counts these units.
   */
  unit: number;
  /** Name of the unit for messages (`tick` or `bucket`). */
  unitName: "tick" | "bucket";
  /** Half-width of the silver MBO price grid in units (`grid_max_ticks` / `grid_max_buckets`). */
  grid: number;
  /** Option strike step in 1e-9 units. */
  strikeStepInt: number;
  /** Option strikes on each side of the reference strike. */
  maxStrikeOffsets: number;
  /** Thresholds of the judgement-call checks. */
  thresholds: Thresholds;
}

/** The parameters of a product type and symbol (contract, root or ticker) from the product table. */
export function productParams(
  products: ProductTable,
  productType: ProductType,
  symbol: string,
  thresholds: Partial<Thresholds> = {},
): ProductParams {
  const futures = productType === "future_mbo" || productType === "future_option_mbo";
  let p: Omit<ProductParams, "thresholds" | "productType">;
  if (futures) {
    const c = productForSymbol(products, symbol);
    p = {
      root: c.root,
      tickInt: c.tick_int,
      unit: c.tick_int,
      unitName: "tick",
      grid: c.grid_max_ticks,
      strikeStepInt: c.strike_step_int,
      maxStrikeOffsets: c.max_strike_offsets,
    };
  } else {
    const e = equityForSymbol(products, symbol);
    p = {
      root: e.ticker,
      tickInt: e.tick_int,
      unit: e.bucket_int,
      unitName: "bucket",
      grid: e.grid_max_buckets,
      strikeStepInt: e.strike_step_int,
      maxStrikeOffsets: e.max_strike_offsets,
    };
  }
  return {
    productType,
    ...p,
    thresholds: {
      spotJumpUnits: Math.max(1, Math.ceil(p.grid / 4)),
      minBookValidShare: 0.5,
      minSessionCoverage: 0.9,
      ...thresholds,
    },
  };
}
