/**
 * `source=replay`: the velocity and vacuum-pressure streams computed live from the raw DBN files
 * of a day, so a day can be watched without running the pipeline first. The windows come from
 * `sdk/features`' {@linkcode replaySilverWindows} (raw → the bronze row rules → the silver engine,
 * in memory), and each window goes through the very producers the lake mode uses: the gold
 * surface engine and the forecast engine (velocity), the {@linkcode VpEngine} (vacuum-pressure),
 * and the same frame builders. The silver windows are the silver stage's rows for that day, so a
 * replay streams the values a lake stream of the same day streams (`replay_stream_test.ts`).
 *
 * Decoding runs on the server's event loop in slices: the replay yields to it every few ms
 * (hours of overnight records before the first window included), so other clients keep
 * streaming. Not replayed: the `options` surface (the options chain needs its own pipeline run;
 * the forecast therefore runs without the options term).
 *
 * @module
 */
import {
  createSurfaceEngine,
  type FutureSurfaceBatch,
  rawSymbolFor,
  replaySilverWindows,
  type ReplayWindow,
  surfaceParams,
  VpEngine,
  vpRuntimeConfigMessage,
} from "@spymaster/sdk/features";
import { replayMboFiles, replaySource } from "@spymaster/sdk/bronze";
import type { BookSnapshotBatch } from "@spymaster/sdk/silver";
import { ForecastEngine, type ForecastRows, latticeFor } from "@spymaster/sdk/physics";
import { encodeSurface, type SurfaceSchema, VELOCITY_SNAP, VP_SNAP } from "./arrow_frames.ts";
import type { ServeContext } from "./context.ts";
import type { StreamParams, VpParams } from "./params.ts";
import {
  StreamError,
  type StreamWindow,
  type SurfaceFrame,
  type WindowSource,
  type WindowStart,
} from "./session.ts";
import {
  forecastFrame,
  forecastRows,
  velocityBatchFields,
  velocityFrame,
} from "./velocity_source.ts";
import { vpConfigOf, vpWindowFrames } from "./vp_source.ts";

/** Longest stretch a replay decodes without giving the event loop a turn, ms. */
const REPLAY_YIELD_MS = 4;
const SECOND = 1_000_000_000n;

/** The command that writes a missing raw day (synthetic) or downloads it (Databento). */
export function rawHint(productType: string, rawSymbol: string, dt: string): string {
  const family = productType === "future_mbo" ? "futures" : "equities";
  return `deno task synth --product-type ${productType} --symbol ${rawSymbol} --start ${dt} ` +
    `--seed 1, or download it: deno task download ${family} daemon --start ${dt} --end ${dt} ` +
    `--symbols ${rawSymbol}`;
}

/** Checks the raw files of a replay exist; a {@linkcode StreamError} naming them otherwise. */
async function requireRaw(
  ctx: ServeContext,
  productType: "future_mbo" | "equity_mbo",
  symbol: string,
  dt: string,
  rawSource: string | undefined,
): Promise<string> {
  let rawSymbol: string;
  try {
    rawSymbol = rawSymbolFor(ctx.products, productType, symbol);
  } catch (e) {
    throw new StreamError((e as Error).message, 1008);
  }
  try {
    const source = rawSource ?? await replaySource(ctx.lake, productType, rawSymbol, dt);
    await replayMboFiles(ctx.lake, productType, rawSymbol, dt, source);
    return source;
  } catch (e) {
    const message = (e as Error).message.replaceAll(ctx.lake.root, "<lake>");
    throw new StreamError(
      `source=replay: ${message} (get it: ${rawHint(productType, rawSymbol, dt)})`,
      1008,
    );
  }
}

/**
 * The replayed windows of a day; a failure while reading the raw files (a truncated or corrupt
 * file) reaches the client as a {@linkcode StreamError} naming the file (lake paths as `<lake>`).
 */
async function* replayWindows(
  ctx: ServeContext,
  productType: "future_mbo" | "equity_mbo",
  symbol: string,
  dt: string,
  source: string,
): AsyncGenerator<ReplayWindow> {
  try {
    yield* replaySilverWindows(ctx.lake, ctx.products, productType, symbol, dt, {
      yieldEveryMs: REPLAY_YIELD_MS,
      source,
    });
  } catch (e) {
    if (e instanceof StreamError) throw e;
    const message = String((e as Error)?.message ?? e).replaceAll(ctx.lake.root, "<lake>");
    throw new StreamError(`source=replay: ${message}`, 1011);
  }
}

/** Whether window `i` (ending `ts`) is at or after the start. */
function sent(start: WindowStart, i: number, ts: bigint): boolean {
  return "skip" in start ? i >= start.skip : ts >= start.from;
}

/**
 * Whether window `i` is the one before the start or later: the lake mode steps the forecast from
 * there (its windows are the snapshot's, one per second, so "the one before" is 1 s earlier).
 */
function forecastFrom(start: WindowStart, i: number, ts: bigint): boolean {
  return "skip" in start ? i >= start.skip - 1 : ts + SECOND >= start.from;
}

/** One snapshot row as a 1-row frame (the engine's 0 = absent becomes null, as in the lake). */
function snapFrame(schema: SurfaceSchema, s: BookSnapshotBatch, i: number): Uint8Array {
  const cols: Record<string, unknown> = {};
  for (const [name] of schema) {
    const data = (s as unknown as Record<string, Float64Array | BigInt64Array | Uint8Array>)[name]
      .subarray(i, i + 1);
    if (name === "window_end_ts_ns") cols[name] = data;
    else if (name === "book_valid") cols[name] = { data, valid: null };
    else cols[name] = { data, valid: Uint8Array.of(data[0] !== 0 && data[0] !== 0n ? 1 : 0) };
  }
  return encodeSurface(schema, 1, cols as Parameters<typeof encodeSurface>[2]);
}

/** The velocity stream of a validated `source=replay` request. */
export async function replayVelocitySource(
  ctx: ServeContext,
  p: StreamParams,
): Promise<WindowSource> {
  const source = await requireRaw(ctx, "future_mbo", p.symbol, p.dt, p.raw_source);
  const batchFields = velocityBatchFields(ctx, p.symbol);
  const want = new Set(p.surfaces);
  const params = want.has("forecast") ? await ctx.physicsParams(p.symbol) : null;
  return {
    preamble: [],
    batchFields,
    async *windows(start: WindowStart): AsyncGenerator<StreamWindow> {
      const engine = want.has("velocity") || want.has("forecast")
        ? createSurfaceEngine("future_mbo", surfaceParams(ctx.products, "future_mbo", p.symbol))
        : null;
      const forecast = params
        ? new ForecastEngine(latticeFor(ctx.products, "future_mbo", p.symbol), params)
        : null;
      let i = 0;
      for await (const w of replayWindows(ctx, "future_mbo", p.symbol, p.dt, source)) {
        const ts = w.silver.window_end_ts_ns;
        const fut: FutureSurfaceBatch | null = engine ? engine.step(w.silver) : null;
        let fc: ForecastRows | null = null;
        if (forecast && forecastFrom(start, i, ts) && fut && fut.length > 0) {
          fc = forecastRows(forecast, ts, fut, null);
        }
        if (!sent(start, i++, ts)) continue;
        const frames: SurfaceFrame[] = [];
        if (want.has("snap")) {
          frames.push({ surface: "snap", bytes: snapFrame(VELOCITY_SNAP, w.snapshots, w.row) });
        }
        if (want.has("velocity")) frames.push({ surface: "velocity", bytes: velocityFrame(fut) });
        if (want.has("forecast")) frames.push({ surface: "forecast", bytes: forecastFrame(fc) });
        yield { window_end_ts_ns: ts, frames };
      }
    },
  };
}

/** The vacuum-pressure stream of a validated `source=replay` request. */
export async function replayVpSource(ctx: ServeContext, p: VpParams): Promise<WindowSource> {
  const { config, gold } = vpConfigOf(ctx, p);
  const source = await requireRaw(ctx, p.product_type, p.symbol, p.dt, p.raw_source);
  const want = new Set(p.surfaces);
  return {
    preamble: [vpRuntimeConfigMessage(config, gold) as unknown as Record<string, unknown>],
    // legacy fields kept for the original's clients: tick_size here is the bucket (§8 item 10)
    batchFields: { bucket_size: config.bucket_size_dollars, tick_size: config.rel_tick_size },
    async *windows(start: WindowStart): AsyncGenerator<StreamWindow> {
      const engine = new VpEngine(config, gold);
      let i = 0;
      for await (const w of replayWindows(ctx, p.product_type, p.symbol, p.dt, source)) {
        const signals = engine.push(w.vp);
        const ts = w.vp.window_end_ts_ns;
        if (!sent(start, i++, ts)) continue;
        const snap = () => snapFrame(VP_SNAP, w.snapshots, w.row);
        yield { window_end_ts_ns: ts, frames: vpWindowFrames(config, want, w.vp, signals, snap) };
      }
    },
  };
}
