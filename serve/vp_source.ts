/**
 * The vacuum-pressure stream's windows (serving.md §4.6): `runtime_config` (the resolved
 * instrument config and the knobs in effect), then per window the non-empty surfaces among
 * `snap`, `flow` (every depth row, enriched) and `signals` (one row, only for windows with valid
 * depth rows), computed incrementally from silver by the SDK's {@linkcode VpEngine} — the same
 * engine the batch path loops over.
 *
 * The engine's state depends on every earlier window, so a session always runs it from the
 * start of the day: skipped windows (skip_minutes, seek) are computed but not encoded.
 *
 * @module
 */
import {
  checkVpSilver,
  enrichVpFlow,
  type GoldSignalConfig,
  goldSignalConfig,
  resolveVpConfigFrom,
  VpEngine,
  type VpProductType,
  type VpRuntimeConfig,
  vpRuntimeConfigMessage,
  type VpSignalRow,
  type VpWindowInput,
  vpWindows,
} from "@spymaster/sdk/features";
import { encodeSurface, VP_FLOW, VP_SIGNALS, VP_SNAP } from "./arrow_frames.ts";
import type { ServeContext } from "./context.ts";
import type { VpParams } from "./params.ts";
import {
  StreamError,
  type StreamWindow,
  type SurfaceFrame,
  type WindowSource,
  type WindowStart,
} from "./session.ts";
import { firstAtOrAfter } from "./snap_day.ts";
import { row } from "./velocity_source.ts";

/** Vacuum-pressure surfaces this build can serve for a day, given which tables are complete. */
export function vpSurfacesFor(
  productType: string,
  present: (layer: string, table: string, productType?: string) => boolean,
): string[] {
  if (productType !== "future_mbo" && productType !== "equity_mbo") return [];
  if (!present("silver", "book_snapshot_1s") || !present("silver", "depth_and_flow_1s")) return [];
  return ["snap", "flow", "signals"];
}

const SIGNAL_FIELDS = VP_SIGNALS.slice(1).map(([n]) => n) as (keyof VpSignalRow)[];
const SIDE = ["", "A", "B"];

/**
 * The frames of one vacuum-pressure window, in wire order: `snap` (when asked and the window has
 * a snapshot: `snap` encodes it), `flow` (when the window has depth rows) and `signals` (when
 * they are valid). Shared by the lake and the replay sources.
 */
export function vpWindowFrames(
  config: VpRuntimeConfig,
  want: ReadonlySet<string>,
  w: VpWindowInput,
  signals: VpSignalRow,
  snap: (() => Uint8Array) | null,
): SurfaceFrame[] {
  const frames: SurfaceFrame[] = [];
  if (want.has("snap") && snap) frames.push({ surface: "snap", bytes: snap() });
  if (want.has("flow") && w.end > w.start) {
    const f = enrichVpFlow(config, w);
    const { length: n, side, ...cols } = f;
    frames.push({
      surface: "flow",
      bytes: encodeSurface(VP_FLOW, n, {
        ...cols,
        side: Array.from(side, (c) => SIDE[c - 64] ?? ""),
      }),
    });
  }
  if (want.has("signals") && signals.signal_valid) {
    const cols: Record<string, Float64Array | BigInt64Array> = {
      window_end_ts_ns: BigInt64Array.of(signals.window_end_ts_ns),
    };
    for (const k of SIGNAL_FIELDS) cols[k] = Float64Array.of(signals[k] as number);
    frames.push({ surface: "signals", bytes: encodeSurface(VP_SIGNALS, 1, cols) });
  }
  return frames;
}

/** The resolved instrument config and signal knobs of a request (errors go to the client). */
export function vpConfigOf(
  ctx: ServeContext,
  p: VpParams,
): { config: VpRuntimeConfig; gold: GoldSignalConfig } {
  try {
    return {
      config: resolveVpConfigFrom(ctx.products, p.product_type as VpProductType, p.symbol),
      gold: goldSignalConfig(p.knobs),
    };
  } catch (e) {
    throw new StreamError((e as Error).message, 1008);
  }
}

/** Builds the vacuum-pressure source of a validated request (resolves config, checks silver). */
export async function vpSource(ctx: ServeContext, p: VpParams): Promise<WindowSource> {
  const { config, gold } = vpConfigOf(ctx, p);
  try {
    await checkVpSilver(ctx.lake, config, p.dt);
  } catch (e) {
    // the client learns which table is missing, not where the server keeps its files
    const message = (e as Error).message.replaceAll(ctx.lake.root, "<lake>");
    throw new StreamError(message.replace(/\s*\n\s*/g, " "), 1008);
  }
  const snaps = await ctx.snapDay(p.product_type, p.symbol, p.dt);
  const want = new Set(p.surfaces);
  const lake = ctx.lake;
  return {
    preamble: [vpRuntimeConfigMessage(config, gold) as unknown as Record<string, unknown>],
    // legacy fields kept for the original's clients: tick_size here is the bucket (§8 item 10)
    batchFields: { bucket_size: config.bucket_size_dollars, tick_size: config.rel_tick_size },
    async *windows(start: WindowStart): AsyncGenerator<StreamWindow> {
      const engine = new VpEngine(config, gold);
      const d = snaps.day;
      let index = 0;
      for await (const w of vpWindows(lake, config, p.dt)) {
        const signals = engine.push(w);
        const skip = "skip" in start ? index++ < start.skip : w.window_end_ts_ns < start.from;
        if (skip) continue;
        const si = firstAtOrAfter(d.window_end_ts_ns, w.window_end_ts_ns);
        const snap = si < d.n && d.window_end_ts_ns[si] === w.window_end_ts_ns
          ? () =>
            ctx.snapFrame(snaps, VP_SNAP, si, (i) => ({
              window_end_ts_ns: d.window_end_ts_ns.subarray(i, i + 1),
              mid_price: row(d.mid_price, i),
              spot_ref_price_int: row(d.spot_ref_price_int, i),
              best_bid_price_int: row(d.best_bid_price_int, i),
              best_ask_price_int: row(d.best_ask_price_int, i),
              book_valid: row(d.book_valid, i),
            }))
          : null;
        const frames = vpWindowFrames(config, want, w, signals, snap);
        yield { window_end_ts_ns: w.window_end_ts_ns, frames };
      }
    },
  };
}
