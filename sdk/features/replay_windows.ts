/**
 * Silver windows computed live from the raw DBN files of a day, without writing any partition:
 * raw → bronze row rules ({@linkcode replayMboRows}, the bronze ingest's own loop) → the silver
 * engine ({@linkcode MboSilver}, configured exactly as the silver stage configures it, over the
 * regular session) → one {@linkcode ReplayWindow} per 1-second window, carrying the window both
 * as the surface engines read it ({@linkcode SilverWindow}) and as the vacuum-pressure engine
 * reads it ({@linkcode VpWindowInput}), plus its `book_snapshot_1s` row.
 *
 * The windows are the silver stage's rows for that day, value for value: same files, same row
 * selection, same engine, same output range.
 *
 * @example Count the windows of a synthetic day
 * ```ts ignore
 * import { openLake, loadProducts, DEFAULT_CONFIG_DIR } from "@spymaster/sdk/lake";
 * import { replaySilverWindows } from "@spymaster/sdk/features";
 *
 * const lake = await openLake("lake");
 * const products = await loadProducts(`${DEFAULT_CONFIG_DIR}/products.yaml`);
 * let n = 0;
 * for await (const _ of replaySilverWindows(lake, products, "future_mbo", "MNQH6", "2026-02-06")) n++;
 * console.log(n);
 * ```
 *
 * @module
 */
import { replayMboRows } from "../bronze/replay_mbo.ts";
import type { Lake } from "../lake/lake.ts";
import {
  equityForSymbol,
  extractRoot,
  productForSymbol,
  type ProductTable,
} from "../lake/products.ts";
import type { BookSnapshotBatch, DepthFlowBatch } from "../silver/columns.ts";
import { MboSilver } from "../silver/mbo_silver.ts";
import { regularSession } from "../silver/session.ts";
import type { FlowRows, SilverWindow } from "./columns.ts";
import type { VpSnap, VpWindowInput } from "./vp_engine.ts";

/** One replayed window (views into engine buffers: valid until the next window is requested). */
export interface ReplayWindow {
  /** The window as the surface engines step on it (as {@linkcode silverWindows} yields it). */
  silver: SilverWindow;
  /** The window as the vacuum-pressure engine reads it (as `vpWindows` yields it). */
  vp: VpWindowInput;
  /** The engine's snapshot rows (0 = absent for the nullable prices, as in the engine). */
  snapshots: BookSnapshotBatch;
  /** This window's row in `snapshots`. */
  row: number;
}

/** Records handed to the silver engine per call: bounds the rows buffered between two takes. */
const SLICE = 2048;

/** The silver engine of a (product type, symbol) as the silver stage builds it. */
export function silverEngineFor(
  products: ProductTable,
  productType: "future_mbo" | "equity_mbo",
  symbol: string,
  dt: string,
): MboSilver {
  const w = regularSession(dt);
  const opts = { outputStartNs: w.startNs, outputEndNs: w.endNs };
  if (productType === "future_mbo") {
    const p = productForSymbol(products, symbol);
    return new MboSilver({ kind: "future", unit: p.tick_int, grid: p.grid_max_ticks, ...opts });
  }
  const e = equityForSymbol(products, symbol);
  return new MboSilver({ kind: "equity", unit: e.bucket_int, grid: e.grid_max_buckets, ...opts });
}

/** The raw files' symbol of a contract or ticker: the futures root or the ticker itself. */
export function rawSymbolFor(
  products: ProductTable,
  productType: "future_mbo" | "equity_mbo",
  symbol: string,
): string {
  return productType === "future_mbo" ? extractRoot(symbol, products.products.keys()) : symbol;
}

function vpSnap(s: BookSnapshotBatch, i: number): VpSnap {
  return {
    mid_price: s.mid_price[i] !== 0 ? s.mid_price[i] : null,
    best_bid_price_int: s.best_bid_price_int[i] !== 0n ? s.best_bid_price_int[i] : null,
    best_ask_price_int: s.best_ask_price_int[i] !== 0n ? s.best_ask_price_int[i] : null,
    book_valid: s.book_valid[i] === 1,
  };
}

/** The windows of the snapshot rows `snaps` with their flow rows `flows` (all of those windows). */
function* windowsOf(snaps: BookSnapshotBatch, flows: DepthFlowBatch): Generator<ReplayWindow> {
  const fe = flows.window_end_ts_ns;
  const rows = flows as unknown as FlowRows;
  let f = 0;
  for (let i = 0; i < snaps.length; i++) {
    const ts = snaps.window_end_ts_ns[i];
    while (f < flows.length && fe[f] < ts) f++; // (none: the engine emits both together)
    const start = f;
    while (f < flows.length && fe[f] === ts) f++;
    const spot = snaps.spot_ref_price_int[i];
    yield {
      silver: {
        window_end_ts_ns: ts,
        spot_ref_price_int: spot > 0n ? spot : null,
        rows,
        start,
        end: f,
      },
      vp: { window_end_ts_ns: ts, flow: flows, start, end: f, snap: vpSnap(snaps, i) },
      snapshots: snaps,
      row: i,
    };
  }
}

/** Options of {@linkcode replaySilverWindows}. */
export interface ReplayOptions {
  /** Called after each decoded batch with the raw records read so far. */
  progress?: (records: number, fraction: number) => void;
  /** Raw source (`databento`, `synthetic`, `lobster`); default: the only one with the day. */
  source?: string;
  /** Filled with the bronze filter counters once the replay ends. */
  stats?: Record<string, number>;
  /**
   * When set, the replay gives the event loop a turn (a 0 ms timer) whenever it has worked this
   * many ms without one — decoding hours of records before the first output window included — so
   * a server replaying a day keeps serving its other clients.
   */
  yieldEveryMs?: number;
}

/**
 * The silver windows of one `future_mbo` contract or `equity_mbo` ticker on `dt`, computed from
 * the day's raw DBN files (throws, naming the expected files, when there are none).
 */
export async function* replaySilverWindows(
  lake: Lake,
  products: ProductTable,
  productType: "future_mbo" | "equity_mbo",
  symbol: string,
  dt: string,
  options: ReplayOptions = {},
): AsyncGenerator<ReplayWindow> {
  const engine = silverEngineFor(products, productType, symbol, dt);
  const rows = replayMboRows({
    lake,
    productType,
    symbol,
    rawSymbol: rawSymbolFor(products, productType, symbol),
    dt,
    source: options.source,
    progress: options.progress,
    yieldEveryMs: options.yieldEveryMs,
  }, options.stats);
  const every = options.yieldEveryMs;
  let turn = performance.now();
  for await (const c of rows) {
    for (let i = 0; i < c.length && !engine.done; i += SLICE) {
      engine.push(c, i, Math.min(c.length, i + SLICE));
      if (engine.pendingRows > 0) yield* windowsOf(engine.takeSnapshots(), engine.takeFlows());
      if (every !== undefined && performance.now() - turn > every) {
        await new Promise((r) => setTimeout(r, 0));
        turn = performance.now();
      }
    }
    if (engine.done) {
      await rows.return(undefined);
      break;
    }
  }
  engine.finish();
  yield* windowsOf(engine.takeSnapshots(), engine.takeFlows());
}
