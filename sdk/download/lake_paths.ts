/**
 * Where downloaded files go in the lake: the raw directories the bronze stage reads
 * (pipeline.md §1.5, downloader.md §4). File names inside are Databento's own
 * (`glbx-mdp3-20260206.mbo.dbn.zst`).
 *
 * @module
 */
import { join } from "node:path";
import { compactDate } from "./dates.ts";

/** Product types of the tracker (the original scripts' names). */
export type ProductType =
  | "futures"
  | "futures_options"
  | "futures_options_def"
  | "equity"
  | "equity_options"
  | "equity_options_def";

/**
 * Raw data root inside the lake for a source: `<lake>/raw/source=databento` for the downloader
 * (the default), `source=synthetic` for generated days. Sources never share a folder.
 */
export function rawRoot(lakeRoot: string, source = "databento"): string {
  return join(lakeRoot, "raw", `source=${source}`);
}

/**
 * Directory of a product/schema for a root or ticker (`symbol=` is the root/ticker, not the
 * contract). Throws for a combination no downloader produces.
 */
export function rawTargetDir(
  lakeRoot: string,
  product: ProductType,
  schema: string,
  symbol: string,
  source = "databento",
): string {
  const r = rawRoot(lakeRoot, source);
  const s = `symbol=${symbol}`;
  switch (`${product}/${schema}`) {
    case "futures/mbo":
      return join(r, "product_type=future_mbo", s, "table=market_by_order_dbn");
    case "futures_options/mbo":
      return join(r, "product_type=future_option_mbo", s, "table=market_by_order_dbn");
    case "futures_options/statistics":
      return join(r, "product_type=future_option_mbo", s, "table=statistics");
    case "futures_options_def/definition":
    case "futures_options/definition":
      return futuresDefinitionDir(lakeRoot, symbol, source);
    case "equity/mbo":
      return join(r, "product_type=equity_mbo", s, "table=market_by_order_dbn");
    case "equity/definition":
      // the original used dataset=definition/venue=xnas/ for every ticker: two tickers collided
      return join(r, "dataset=definition", "venue=xnas", s);
    case "equity_options_def/definition":
    case "equity_options/definition":
      return equityOptionsDefinitionDir(lakeRoot, symbol, source);
    case "equity_options/cmbp-1":
      return join(r, "product_type=equity_option_cmbp_1", s, "table=cmbp_1");
    case "equity_options/statistics":
      return join(r, "product_type=equity_option_statistics", s, "table=statistics");
    default:
      throw new RangeError(`no lake location for product '${product}' schema '${schema}'`);
  }
}

/** Folder of futures-options definitions and the option-selection cache of a root. */
export function futuresDefinitionDir(lakeRoot: string, root: string, source = "databento"): string {
  return join(
    rawRoot(lakeRoot, source),
    "dataset=definition",
    "venue=glbx",
    "type=futures_options",
    `symbol=${root}`,
  );
}

/** Folder of OPRA definitions of a ticker. */
export function equityOptionsDefinitionDir(
  lakeRoot: string,
  ticker: string,
  source = "databento",
): string {
  return join(rawRoot(lakeRoot, source), "dataset=definition", "venue=opra", `symbol=${ticker}`);
}

/** Databento's batch file name: `<dataset lower, '.'→'-'>-<YYYYMMDD>.<schema>.dbn[.zst]`. */
export function rawFileName(
  dataset: string,
  date: string,
  schema: string,
  compressed = true,
): string {
  return `${dataset.toLowerCase().replaceAll(".", "-")}-${compactDate(date)}.${schema}.dbn${
    compressed ? ".zst" : ""
  }`;
}

/** The existing file of a dataset/date/schema in `dir`, `.dbn.zst` or `.dbn`, or `undefined`. */
export async function findRawFile(
  dir: string,
  dataset: string,
  date: string,
  schema: string,
): Promise<string | undefined> {
  for (const compressed of [true, false]) {
    const p = join(dir, rawFileName(dataset, date, schema, compressed));
    try {
      const st = await Deno.stat(p);
      if (st.isFile) return p;
    } catch {
      // absent
    }
  }
  return undefined;
}

/** Whether a batch file is a data file (DBN) rather than a support file (metadata.json, …). */
export function isDataFile(filename: string): boolean {
  return /\.dbn(\.zst)?$/.test(filename);
}
