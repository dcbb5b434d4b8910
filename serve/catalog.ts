/**
 * `/v1/catalog`: what the lake holds, so pages never hard-code a symbol or a date. Built from the
 * complete partitions (`_SUCCESS`) of every dataset of `config/datasets.yaml`, grouped by product
 * type, symbol and date, with the streams each day can serve; and under `replay`, the days whose
 * raw MBO files are in the lake, which `source=replay` can stream without the pipeline.
 *
 * @module
 */
import { openDbn, symbolMap } from "@spymaster/sdk/dbn";
import {
  findRawFiles,
  hasSource,
  type Lake,
  listPartitions,
  listSymbols,
  RAW_SOURCES,
  type RawSpec,
  tableDir,
} from "@spymaster/sdk/lake";
import { NOT_REPLAYED, VELOCITY_SURFACES, VP_SURFACES } from "./params.ts";
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
  /**
   * Days that can be streamed with `source=replay` (their raw MBO files are in the lake), per
   * product type and contract or ticker (the contracts a futures root's file maps on that day).
   */
  replay: {
    product_type: string;
    symbols: {
      symbol: string;
      dates: {
        dt: string;
        raw_symbol: string;
        /** Raw sources holding the day (pass one as `raw_source` when there are several). */
        raw_sources: string[];
        streams: Record<string, string[]>;
      }[];
    }[];
  }[];
}

/** Streams and surfaces a replay serves, per product type. */
const REPLAY_STREAMS: Record<string, Record<string, string[]>> = {
  future_mbo: {
    velocity: VELOCITY_SURFACES.filter((s) => !NOT_REPLAYED.includes(s)),
    "vacuum-pressure": [...VP_SURFACES],
  },
  equity_mbo: { "vacuum-pressure": [...VP_SURFACES] },
};
const YMD_RE = /(\d{4})(\d{2})(\d{2})/;

/** Symbols a raw file maps on `dt` (read from its header once per file version). */
const fileSymbols = new Map<string, { key: string; symbols: string[] }>();

async function symbolsOf(path: string, dt: string): Promise<string[]> {
  const st = await Deno.stat(path);
  const key = `${dt}|${st.size}|${st.mtime?.getTime() ?? 0}`;
  const hit = fileSymbols.get(path);
  if (hit?.key === key) return hit.symbols;
  const reader = await openDbn(path, { name: path });
  let symbols: string[] = [];
  try {
    if (reader.metadata) {
      symbols = [...new Set(symbolMap(reader.metadata, dt).values())]
        .filter((s) => !s.includes("-") && !s.startsWith("UD:")).sort();
    }
  } finally {
    await reader.close();
  }
  if (fileSymbols.size > 4096) fileSymbols.clear();
  fileSymbols.set(path, { key, symbols });
  return symbols;
}

/** The replay days: raw MBO files of `future_mbo` and `equity_mbo` (unreadable files are left out). */
export async function replayDays(lake: Lake): Promise<Catalog["replay"]> {
  const out: Catalog["replay"] = [];
  for (const pt of Object.keys(REPLAY_STREAMS)) {
    const spec = lake.config.raw.get(`${pt}.mbo`);
    if (!spec) continue;
    // symbol → dt → raw symbol and the raw sources holding the day
    const bySym = new Map<string, Map<string, { raw: string; sources: string[] }>>();
    for (const source of RAW_SOURCES) {
      for (const raw of (await listSymbols(lake.root, spec, source)).sort()) {
        for (const dt of await rawDates(lake, spec, raw, source)) {
          let symbols: string[];
          try {
            const files = await findRawFiles(lake.root, spec, raw, dt, source);
            symbols = pt === "equity_mbo" ? [raw] : (await Promise.all(
              files.map((f) => symbolsOf(f, dt)),
            )).flat();
          } catch {
            continue; // a file being written or damaged: not offered
          }
          for (const sym of new Set(symbols)) {
            const byDt = bySym.get(sym) ?? bySym.set(sym, new Map()).get(sym)!;
            const day = byDt.get(dt) ?? byDt.set(dt, { raw, sources: [] }).get(dt)!;
            day.sources.push(source);
          }
        }
      }
    }
    if (!bySym.size) continue;
    out.push({
      product_type: pt,
      symbols: [...bySym].sort(([a], [b]) => (a < b ? -1 : 1)).map(([symbol, byDt]) => ({
        symbol,
        dates: [...byDt].sort(([a], [b]) => (a < b ? -1 : 1)).map(([dt, day]) => ({
          dt,
          raw_symbol: day.raw,
          raw_sources: day.sources,
          streams: REPLAY_STREAMS[pt],
        })),
      })),
    });
  }
  return out;
}

/** Dates of the raw files of one raw symbol (from the `YYYYMMDD` in their names). */
async function rawDates(
  lake: Lake,
  spec: RawSpec,
  raw: string,
  source: string,
): Promise<string[]> {
  const dates = new Set<string>();
  try {
    for await (const e of Deno.readDir(tableDir(lake.root, spec, raw, source))) {
      if (!e.isFile || !spec.suffixes.some((x) => e.name.endsWith(x))) continue;
      const m = YMD_RE.exec(e.name);
      if (m) dates.add(`${m[1]}-${m[2]}-${m[3]}`);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return [...dates].sort();
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
    // bronze is kept per raw source: every source's partitions count
    const parts = hasSource(spec)
      ? (await Promise.all(
        RAW_SOURCES.map((source) => listPartitions(lake.root, spec, { source })),
      ))
        .flat()
      : await listPartitions(lake.root, spec);
    for (const p of parts) {
      const bySym = tree.get(productType) ?? tree.set(productType, new Map()).get(productType)!;
      const byDt = bySym.get(p.symbol) ?? bySym.set(p.symbol, new Map()).get(p.symbol)!;
      const layers = byDt.get(p.dt) ?? byDt.set(p.dt, {}).get(p.dt)!;
      if (!(layers[layer] ??= []).includes(table)) layers[layer].push(table);
    }
  }
  const has = (pt: string, sym: string, dt: string, layer: string, table: string) =>
    tree.get(pt)?.get(sym)?.get(dt)?.[layer]?.includes(table) ?? false;
  const sorted = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const replay = await replayDays(lake);
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
    replay,
  };
}
