/**
 * `/v1/catalog`: what the lake holds, so pages never hard-code a symbol or a date. Built from the
 * complete partitions (`_SUCCESS`) of every dataset of `config/datasets.yaml`, grouped by product
 * type, symbol and date, with the streams each day can serve.
 *
 * @module
 */
import { type Lake, listPartitions, RAW_SOURCES } from "@spymaster/sdk/lake";
import { velocitySurfacesFor } from "./velocity_source.ts";
import { vpSurfacesFor } from "./vp_source.ts";

/** One session date of a symbol. */
export interface CatalogDate {
  /** Session date. */
  dt: string;
  /** Complete tables per layer, e.g. `{ silver: ["book_snapshot_1s", …] }`. */
  layers: Record<string, string[]>;
  /** Surfaces each stream can serve for this day (streams with none are left out). */
  streams: Record<string, string[]>;
}

/** The lake's contents. */
export interface Catalog {
  /** Product types with at least one complete partition. */
  product_types: {
    product_type: string;
    symbols: { symbol: string; dates: CatalogDate[] }[];
  }[];
}

/** Layers of a day as the catalog reports them: `layer` → `product_type` → tables. */
export type DayLayers = Map<string, Map<string, Set<string>>>;

/** Scans the lake (only complete partitions count). */
export async function buildCatalog(lake: Lake): Promise<Catalog> {
  // product_type → symbol → dt → layer → tables
  const tree = new Map<string, Map<string, Map<string, Record<string, string[]>>>>();
  for (const [key, spec] of lake.config.datasets) {
    const [layer, productType, table] = key.split(".");
    if (!["bronze", "silver", "gold"].includes(layer)) continue;
    // raw provenance splits bronze (source=databento|synthetic|lobster): list every source
    const sources = spec.path.includes("{source}") ? RAW_SOURCES : [undefined];
    const found = [];
    for (const source of sources) found.push(...await listPartitions(lake.root, spec, { source }));
    for (const p of found) {
      const bySym = tree.get(productType) ?? tree.set(productType, new Map()).get(productType)!;
      const byDt = bySym.get(p.symbol) ?? bySym.set(p.symbol, new Map()).get(p.symbol)!;
      const layers = byDt.get(p.dt) ?? byDt.set(p.dt, {}).get(p.dt)!;
      if (!(layers[layer] ??= []).includes(table)) layers[layer].push(table);
    }
  }
  const has = (pt: string, sym: string, dt: string, layer: string, table: string) =>
    tree.get(pt)?.get(sym)?.get(dt)?.[layer]?.includes(table) ?? false;
  const sorted = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    product_types: sorted(tree).map(([pt, bySym]) => ({
      product_type: pt,
      symbols: sorted(bySym).map(([symbol, byDt]) => ({
        symbol,
        dates: sorted(byDt).map(([dt, layers]) => {
          const present = (layer: string, table: string, type = pt) =>
            has(type, symbol, dt, layer, table);
          const streams: Record<string, string[]> = {};
          const v = velocitySurfacesFor(pt, present);
          if (v.length) streams.velocity = v;
          const vp = vpSurfacesFor(pt, present);
          if (vp.length) streams["vacuum-pressure"] = vp;
          for (const t of Object.values(layers)) t.sort();
          return { dt, layers, streams };
        }),
      })),
    })),
  };
}
