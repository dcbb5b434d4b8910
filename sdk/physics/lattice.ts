/**
 * The tick lattice of a product: the unit of `rel_ticks` in its gold surface and the half-width of
 * the grid. The original hard-coded ES ($0.25, ±200) for every product (serving.md §8 item 15);
 * here both come from `config/products.yaml`.
 *
 * @module
 */
import { equityForSymbol, productForSymbol, type ProductTable } from "../lake/products.ts";

/** Product types the physics model runs on (options only contribute, they are never the target). */
export type PhysicsProductType = "future_mbo" | "equity_mbo";

/** The lattice the forecast runs on. */
export interface Lattice {
  /** Half-width in lattice units: positions `-gridMax..gridMax` (`2·gridMax + 1` points). */
  gridMax: number;
  /** One lattice unit in 1e-9 price units (futures: `tick_int`; equities: the silver bucket). */
  unitInt: number;
  /** Root (futures) or ticker (equities) the lattice was taken from. */
  root: string;
}

/**
 * The lattice of `symbol` for `productType`: futures use the root's tick and `grid_max_ticks`
 * (ES 200, MNQ 400, SI $0.005); equities use the silver price bucket and `grid_max_buckets`,
 * because equity silver/gold `rel_ticks` count buckets (pipeline.md §3.3).
 */
export function latticeFor(
  products: ProductTable,
  productType: PhysicsProductType,
  symbol: string,
): Lattice {
  if (productType === "future_mbo") {
    const p = productForSymbol(products, symbol);
    return { gridMax: p.grid_max_ticks, unitInt: p.tick_int, root: p.root };
  }
  if (productType === "equity_mbo") {
    const e = equityForSymbol(products, symbol);
    return { gridMax: e.grid_max_buckets, unitInt: e.bucket_int, root: e.ticker };
  }
  throw new RangeError(
    `physics runs on future_mbo or equity_mbo, got product type '${productType as string}'`,
  );
}

/** Number of lattice points, `2·gridMax + 1`. */
export function latticeSize(l: Lattice): number {
  return 2 * l.gridMax + 1;
}
