/**
 * The bronze rows of one contract or ticker straight from the raw DBN files of a day, in memory:
 * the same files in the same order, the same instrument selection (spreads dropped, symbols from
 * the file's mappings for the session date), the same session window and the same hard rejects as
 * the bronze ingest ({@linkcode selectMboRows} is the one row loop both run). No partition is
 * written, so what a replay feeds the silver engine is what the silver stage reads back from the
 * bronze partition.
 *
 * @module
 */
import { allocMboColumns, type MboColumns, openDbn } from "../dbn/mod.ts";
import { rawSpec } from "../lake/datasets.ts";
import type { Lake } from "../lake/lake.ts";
import { RAW_SOURCES, type RawSource, sourcesWith } from "../lake/paths.ts";
import { join } from "node:path";
import { gatherMbo } from "./_gather.ts";
import { type Target, target } from "./_ingest_run.ts";
import { BronzePartition } from "./_partitions.ts";
import { RawFile, rawFiles } from "./_raw.ts";
import { selectMboRows } from "./mbo.ts";
import { sessionWindow } from "./session.ts";
import { symbolMap } from "../dbn/mod.ts";

/** What {@linkcode replayMboRows} reads. */
export interface ReplayMboOptions {
  /** Lake whose raw files are read. */
  lake: Lake;
  /** `future_mbo` or `equity_mbo`. */
  productType: "future_mbo" | "equity_mbo";
  /** The contract (`MNQH6`) or ticker kept. */
  symbol: string;
  /** The raw files' symbol: the futures root (`MNQ`) or the ticker. */
  rawSymbol: string;
  /** Session date. */
  dt: string;
  /**
   * Raw source (`databento`, `synthetic`, `lobster`); default: the only one holding the day's
   * files ({@linkcode replaySource}).
   */
  source?: string;
  /** Called after each decoded batch with the records read so far and the file fraction. */
  progress?: (records: number, fraction: number) => void;
  /**
   * When set, gives the event loop a turn (a 0 ms timer) after a decoded batch whenever this many
   * ms have passed without one, also while batches hold no row of the symbol.
   */
  yieldEveryMs?: number;
}

/**
 * The raw source a replay of (`productType`, `rawSymbol`, `dt`) reads: the only one holding files
 * of that day. None: an error naming the folders searched; several: an error listing them.
 */
export async function replaySource(
  lake: Lake,
  productType: "future_mbo" | "equity_mbo",
  rawSymbol: string,
  dt: string,
): Promise<RawSource> {
  const key = `${productType}.mbo`;
  const spec = rawSpec(lake.config, key);
  const found = await sourcesWith(lake.root, spec, rawSymbol, dt);
  if (found.length === 1) return found[0];
  const ymd = dt.replaceAll("-", "");
  if (found.length === 0) {
    throw new Error(
      `no raw ${key} file for ${rawSymbol} on ${dt} in any source: expected *${ymd}*{${
        spec.suffixes.join(",")
      }} in ${join(lake.root, spec.path.replaceAll("{symbol}", rawSymbol))} (source: ${
        RAW_SOURCES.join(", ")
      })`,
    );
  }
  throw new Error(
    `raw ${key} files for ${rawSymbol} on ${dt} in several sources (${found.join(", ")}): ` +
      "say which one to replay",
  );
}

/** The raw MBO files a replay reads (`source` default: {@linkcode replaySource}); throws when none. */
export async function replayMboFiles(
  lake: Lake,
  productType: "future_mbo" | "equity_mbo",
  rawSymbol: string,
  dt: string,
  source?: string,
): Promise<string[]> {
  source ??= await replaySource(lake, productType, rawSymbol, dt);
  return await rawFiles(lake, `${productType}.mbo`, rawSymbol, dt, source);
}

function words(x: bigint): [number, number] {
  return [Number(BigInt.asUintN(32, x >> 32n)), Number(BigInt.asUintN(32, x))];
}

/**
 * The kept MBO rows of `symbol`, batch by batch in file order (each batch valid until the next
 * is requested). Counters of what was filtered are in `stats` once the iteration ends.
 */
export async function* replayMboRows(
  o: ReplayMboOptions,
  stats: Record<string, number> = {},
): AsyncGenerator<MboColumns> {
  const files = await replayMboFiles(o.lake, o.productType, o.rawSymbol, o.dt, o.source);
  const [start, end] = sessionWindow(o.dt, o.productType);
  const [sHi, sLo] = words(start), [eHi, eLo] = words(end);
  const window = { sHi, sLo, eHi, eLo };
  for (const k of ["mbo_records", "unmapped_instrument", "spread_symbol", "other_symbol"]) {
    stats[k] ??= 0;
  }
  const part = new BronzePartition(o.symbol, `bronze.${o.productType}.mbo`, false);
  let out = allocMboColumns(0);
  let records = 0;
  let turn = performance.now();
  for (const path of files) {
    const raw = await RawFile.open(path);
    const reader = await openDbn(raw.chunks(), { name: path, reuseBatches: true });
    try {
      if (!reader.metadata) {
        throw new Error(
          `${path}: a replay needs DBN files with metadata (symbol mappings), not fragments`,
        );
      }
      const byId = new Map<number, Target>();
      for (const [id, sym] of symbolMap(reader.metadata, o.dt)) {
        if (o.productType === "future_mbo" && sym.includes("-")) {
          byId.set(id, target(null, "spread_symbol"));
        } else if (sym !== o.symbol) byId.set(id, target(null, "other_symbol"));
        else byId.set(id, target(part, ""));
      }
      for await (const batch of reader.batches()) {
        if (batch.kind !== "mbo") continue;
        const c = batch.columns;
        records += c.length;
        part.reset(c.length);
        selectMboRows(c, byId, window, stats);
        o.progress?.(records, raw.fraction);
        if (o.yieldEveryMs !== undefined && performance.now() - turn > o.yieldEveryMs) {
          await new Promise((r) => setTimeout(r, 0));
          turn = performance.now();
        }
        const m = part.cnt;
        if (m === 0) continue;
        if (m === c.length) {
          yield c;
          continue;
        }
        if (out.length < m) out = allocMboColumns(Math.max(m, 1024));
        gatherMbo(c, out, part.idx, m);
        yield { ...out, length: m };
      }
    } finally {
      await reader.close();
    }
  }
  Object.assign(stats, part.stats, part.rejected);
}
