/**
 * Benchmark hook of the silver stage: decodes an MBO DBN file (or takes any stream of MBO column
 * batches) and runs the futures or equity silver engine over it, counting the rows it emits.
 * No lake involved: this measures the engine plus the DBN decoder.
 *
 * @module
 */

import { openDbn } from "../dbn/mod.ts";
import type { MboColumnsLike } from "../book/types.ts";
import { MboSilver, type MboSilverStats } from "./mbo_silver.ts";

/** Options of {@linkcode benchSilverMbo}. */
export interface SilverBenchOptions {
  /** `"future"` (default) or `"equity"`. */
  kind?: "future" | "equity";
  /** Unit of rel_ticks in 1e-9 (default 250,000,000: a $0.25 tick; equities: the bucket). */
  unit?: number;
  /** Grid half-width (default 400, MNQ). */
  grid?: number;
  /** Output window ends (inclusive, ns); default: every window. */
  outputStartNs?: bigint;
  /** See `outputStartNs`. */
  outputEndNs?: bigint;
  /** Called with each batch of output rows (default: dropped). */
  onRows?: (snapshots: number, flows: number) => void;
}

/** What {@linkcode benchSilverMbo} measured. */
export interface SilverBenchResult {
  /** MBO records pushed. */
  records: number;
  /** Wall-clock seconds (decode + engine). */
  seconds: number;
  /** Records per second. */
  records_per_second: number;
  /** Engine counters. */
  stats: MboSilverStats;
  /** Resident set size at the end, bytes. */
  rss_bytes: number;
}

/**
 * Runs MBO silver over `source`: a DBN file path or an iterable of MBO column batches (in file
 * order). Output rows are counted and dropped.
 */
export async function benchSilverMbo(
  source: string | AsyncIterable<MboColumnsLike> | Iterable<MboColumnsLike>,
  options: SilverBenchOptions = {},
): Promise<SilverBenchResult> {
  const t0 = performance.now();
  const eng = new MboSilver({
    kind: options.kind ?? "future",
    unit: options.unit ?? 250_000_000,
    grid: options.grid ?? 400,
    outputStartNs: options.outputStartNs,
    outputEndNs: options.outputEndNs,
  });
  const drain = () => {
    const s = eng.takeSnapshots(), f = eng.takeFlows();
    options.onRows?.(s.length, f.length);
  };
  const run = async (batches: AsyncIterable<MboColumnsLike> | Iterable<MboColumnsLike>) => {
    for await (const cols of batches) {
      eng.push(cols);
      if (eng.pendingRows >= 1 << 16) drain();
      if (eng.done) break;
    }
  };
  if (typeof source === "string") {
    const reader = await openDbn(source);
    try {
      await run(
        (async function* () {
          for await (const b of reader.batches()) if (b.kind === "mbo") yield b.columns;
        })(),
      );
    } finally {
      await reader.close();
    }
  } else {
    await run(source);
  }
  eng.finish();
  drain();
  const seconds = (performance.now() - t0) / 1000;
  return {
    records: eng.stats.records,
    seconds,
    records_per_second: eng.stats.records / seconds,
    stats: { ...eng.stats },
    rss_bytes: Deno.memoryUsage().rss,
  };
}
