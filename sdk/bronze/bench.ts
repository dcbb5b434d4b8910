/**
 * Throughput of the bronze ingest on one raw file (decode + filter + Parquet), for `deno task
 * bench`. Timings are measured here only, never asserted in tests.
 *
 * @module
 */
import { openDbn } from "../dbn/mod.ts";
import { openLake } from "../lake/lake.ts";
import type { ProductType } from "../pipeline/registry.ts";
import { ingestCmbp1 } from "./cmbp1.ts";
import { ingestMbo } from "./mbo.ts";
import { utcDate } from "./session.ts";

/** Options of {@linkcode benchBronze}. */
export interface BronzeBenchOptions {
  /** The raw DBN file (`.dbn` or `.dbn.zst`). */
  file: string;
  /** Product type (default `future_mbo`). */
  productType?: Exclude<ProductType, "future_option_mbo">;
  /** Session date (default: the UTC date of the file's metadata `start`). */
  dt?: string;
  /** Ticker for `equity_option_cmbp_1` (default `QQQ`). */
  ticker?: string;
  /** Scratch lake root (default: a new temporary folder, removed afterwards). */
  lakeRoot?: string;
}

/** What {@linkcode benchBronze} measured. */
export interface BronzeBenchResult {
  /** Records decoded. */
  records: number;
  /** Rows written to Parquet. */
  rows: number;
  /** Wall-clock seconds of the ingest. */
  seconds: number;
  /** Records decoded per second. */
  recordsPerSecond: number;
  /** Peak resident set size of the process during the ingest (bytes, sampled every 50 ms). */
  peakRssBytes: number;
  /** Size of the Parquet output (bytes). */
  parquetBytes: number;
}

async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) n += await dirBytes(p);
    else if (e.name.endsWith(".parquet")) n += (await Deno.stat(p)).size;
  }
  return n;
}

/** Runs the bronze ingest of one raw file into a scratch lake and reports rows/s and peak RSS. */
export async function benchBronze(options: BronzeBenchOptions): Promise<BronzeBenchResult> {
  const pt = options.productType ?? "future_mbo";
  let dt = options.dt;
  if (!dt) {
    const r = await openDbn(options.file);
    if (!r.metadata) throw new Error(`${options.file}: no metadata; pass dt`);
    dt = utcDate(r.metadata.start);
    await r.close();
  }
  const root = options.lakeRoot ?? await Deno.makeTempDir({ prefix: "spymaster-bronze-bench-" });
  const lake = await openLake(root);
  let peak = Deno.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, Deno.memoryUsage().rss);
  }, 50);
  try {
    const t0 = performance.now();
    const common = {
      lake,
      dt,
      files: [options.file],
      stage: "bench",
      overwrite: true,
      source: "databento",
    };
    const r = pt === "equity_option_cmbp_1"
      ? await ingestCmbp1({ ...common, ticker: options.ticker ?? "QQQ" })
      : await ingestMbo({ ...common, productType: pt });
    const seconds = (performance.now() - t0) / 1000;
    peak = Math.max(peak, Deno.memoryUsage().rss);
    return {
      records: r.records,
      rows: r.partitions.reduce((a, p) => a + p.rows, 0),
      seconds,
      recordsPerSecond: r.records / seconds,
      peakRssBytes: peak,
      parquetBytes: await dirBytes(root),
    };
  } finally {
    clearInterval(timer);
    if (!options.lakeRoot) await Deno.remove(root, { recursive: true });
  }
}

/** A Markdown table row for a bench result (`| label | records | s | M rec/s | peak RSS GB |`). */
export function formatBronzeBench(label: string, r: BronzeBenchResult): string {
  return `| ${label} | ${r.records.toLocaleString("en-US")} | ${r.seconds.toFixed(2)} | ` +
    `${(r.recordsPerSecond / 1e6).toFixed(2)} | ${(r.peakRssBytes / 2 ** 30).toFixed(2)} |`;
}
