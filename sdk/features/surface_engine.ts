/**
 * One interface over the four surface engines, built from the product table: what the gold
 * stage, the server and the physics forecast hold.
 *
 * @module
 */
import type { ProductType } from "../lake/product_types.ts";
import { equityForSymbol, productForSymbol, type ProductTable } from "../lake/products.ts";
import {
  EQUITY_OPTION_SURFACE_SCHEMA,
  EQUITY_SURFACE_SCHEMA,
  type EquityOptionSurfaceBatch,
  type EquitySurfaceBatch,
  FUTURE_SURFACE_SCHEMA,
  type FutureSurfaceBatch,
  OPTION_SURFACE_SCHEMA,
  type OptionSurfaceBatch,
  type Schema,
  type SilverWindow,
} from "./columns.ts";
import { FutureSurfaceEngine, type SurfaceStats } from "./future_surface.ts";
import { IntensitySurfaceEngine } from "./intensity_surface.ts";
import { OptionSurfaceEngine } from "./option_surface.ts";

/** The gold batch type of each product type. */
export interface SurfaceBatchOf {
  /** 36-field dense tick surface. */
  future_mbo: FutureSurfaceBatch;
  /** 38-field strike-lattice surface. */
  future_option_mbo: OptionSurfaceBatch;
  /** 10-field intensities. */
  equity_mbo: EquitySurfaceBatch;
  /** 12-field intensities. */
  equity_option_cmbp_1: EquityOptionSurfaceBatch;
}

/** Any gold surface batch. */
export type AnySurfaceBatch = SurfaceBatchOf[ProductType];

/** The gold schema (contract field → storage kind) of each product type. */
export const SURFACE_SCHEMAS: { readonly [P in ProductType]: Schema } = {
  future_mbo: FUTURE_SURFACE_SCHEMA,
  future_option_mbo: OPTION_SURFACE_SCHEMA,
  equity_mbo: EQUITY_SURFACE_SCHEMA,
  equity_option_cmbp_1: EQUITY_OPTION_SURFACE_SCHEMA,
};

/**
 * An incremental surface engine: fed silver windows in time order, it returns each window's gold
 * rows. Identical numbers to the batch stage, which is a loop over it.
 */
export interface SurfaceEngine<P extends ProductType = ProductType> {
  /** The product type. */
  readonly productType: P;
  /** The output schema (contract order). */
  readonly schema: Schema;
  /** Most rows one window can produce (a bound for {@linkcode SurfaceEngine.stepInto}). */
  maxRowsFor(w: SilverWindow): number;
  /** One window's rows as views into a reused buffer (valid until the next call). */
  step(w: SilverWindow): SurfaceBatchOf[P];
  /** One window written into `out` from row `at`; returns the rows written. */
  stepInto(w: SilverWindow, out: SurfaceBatchOf[P], at: number): number;
  /** Counters. */
  readonly stats: SurfaceStats;
}

/** What an engine needs from the product table (only the fields of its product type). */
export interface SurfaceParams {
  /** Futures: tick lattice half-width `G` (`grid_max_ticks`). */
  gridMaxTicks?: number;
  /** Futures options: tick of the underlying, 1e-9 units. */
  tickInt?: number;
  /** Futures options: strike step, 1e-9 units. */
  strikeStepInt?: number;
  /** Futures options: strike offsets either side of spot on silver's grid. */
  maxStrikeOffsets?: number;
}

/** The engine parameters of a symbol, from `config/products.yaml` (nothing hard-coded). */
export function surfaceParams(
  products: ProductTable,
  productType: ProductType,
  symbol: string,
): SurfaceParams {
  if (productType === "future_mbo" || productType === "future_option_mbo") {
    const p = productForSymbol(products, symbol);
    return {
      gridMaxTicks: p.grid_max_ticks,
      tickInt: p.tick_int,
      strikeStepInt: p.strike_step_int,
      maxStrikeOffsets: p.max_strike_offsets,
    };
  }
  equityForSymbol(products, symbol); // an unknown ticker is an error here too
  return {};
}

function need(v: number | undefined, name: string, pt: ProductType): number {
  if (v === undefined) throw new Error(`${pt} surface: missing parameter ${name}`);
  return v;
}

/** A surface engine for a product type. */
export function createSurfaceEngine<P extends ProductType>(
  productType: P,
  params: SurfaceParams = {},
): SurfaceEngine<P> {
  switch (productType) {
    case "future_mbo": {
      const e = new FutureSurfaceEngine({
        grid: need(params.gridMaxTicks, "gridMaxTicks", productType),
      });
      return {
        productType,
        schema: FUTURE_SURFACE_SCHEMA,
        maxRowsFor: () => e.maxRowsPerWindow,
        step: (w: SilverWindow) => e.step(w),
        stepInto: (w: SilverWindow, out: AnySurfaceBatch, at: number) =>
          e.stepInto(w, out as FutureSurfaceBatch, at),
        stats: e.stats,
      } as unknown as SurfaceEngine<P>;
    }
    case "future_option_mbo": {
      const e = new OptionSurfaceEngine({
        tickInt: need(params.tickInt, "tickInt", productType),
        strikeStepInt: need(params.strikeStepInt, "strikeStepInt", productType),
        maxStrikeOffsets: need(params.maxStrikeOffsets, "maxStrikeOffsets", productType),
      });
      return {
        productType,
        schema: OPTION_SURFACE_SCHEMA,
        maxRowsFor: () => e.maxRowsPerWindow,
        step: (w: SilverWindow) => e.step(w),
        stepInto: (w: SilverWindow, out: AnySurfaceBatch, at: number) =>
          e.stepInto(w, out as OptionSurfaceBatch, at),
        stats: e.stats,
      } as unknown as SurfaceEngine<P>;
    }
    case "equity_mbo":
    case "equity_option_cmbp_1": {
      const e = new IntensitySurfaceEngine(productType);
      return {
        productType,
        schema: e.schema,
        maxRowsFor: (w: SilverWindow) => w.end - w.start,
        step: (w: SilverWindow) => e.step(w),
        stepInto: (w: SilverWindow, out: AnySurfaceBatch, at: number) =>
          e.stepInto(w, out as EquitySurfaceBatch & EquityOptionSurfaceBatch, at),
        stats: e.stats,
      } as unknown as SurfaceEngine<P>;
    }
  }
  throw new RangeError(`unknown product type '${productType}'`);
}
