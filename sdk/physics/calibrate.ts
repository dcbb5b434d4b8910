/**
 * Fit and evaluation over the lake (pipeline.md §5, with the original's bugs fixed): day
 * discovery for a contract or a root, the gold surface (and the same root's options gold, when
 * present) streamed window by window through the forecast engine, the fit of β/γ and of the
 * baselines on the training windows, the parameters file with lineage, and the evaluation report.
 *
 * @module
 */
import { join } from "node:path";
import type { Lake } from "../lake/lake.ts";
import { datasetSpec } from "../lake/datasets.ts";
import { listPartitions, partitionDir } from "../lake/paths.ts";
import { codeVersion, manifestSha256, readManifest } from "../lake/manifest.ts";
import { extractRoot, type ProductTable } from "../lake/products.ts";
import { readBatches, type ReadColumn } from "../lake/reader.ts";
import { holdParquetWorkers } from "../lake/mod.ts";
import type { DictColumn } from "../lake/columns.ts";
import { easternNs } from "../silver/session.ts";
import { MODEL, type Neighbourhood, type WindowForecast } from "./forecast_math.ts";
import {
  ForecastEngine,
  type OptionColumns,
  type SurfaceColumns,
  WindowAssembler,
} from "./forecast_engine.ts";
import { type Lattice, latticeFor, type PhysicsProductType } from "./lattice.ts";
import {
  addSamples,
  type Baselines,
  type BetaGamma,
  emptySums,
  fitBaselines,
  type SeriesPart,
  solveBetaGamma,
  type WindowSeries,
} from "./fit.ts";
import { type EvalPart, evaluate, type EvaluationReport, verdict } from "./evaluate.ts";
import { bestLevelOfi } from "./ofi.ts";

/** The original's horizons (seconds). */
export const DEFAULT_HORIZONS: readonly number[] = [1, 2, 5, 10, 20, 30];

/** Positions of the surface that can reach the forecast: force/damping reach plus the far kernel. */
export function surfaceReach(gridMax: number): number {
  return Math.min(gridMax, MODEL.forceRadius + MODEL.deltaClip + 1 + MODEL.farRadius);
}

/** One session day's inputs. */
export interface PhysicsDay {
  /** Session date. */
  dt: string;
  /** Symbol of the surface partition (futures contract or ticker). */
  symbol: string;
  /** Symbol of the options gold partition used, or `null` when there is none. */
  optionsSymbol: string | null;
  /** Whether a silver book snapshot partition exists (for the OFI baseline). */
  hasSnapshot: boolean;
}

/** Session filter, New York wall clock, `start ≤ window_end < end`. */
export interface Session {
  /** `HH:MM`. */
  start: string;
  /** `HH:MM`. */
  end: string;
}

/** Default session: the original's 09:30–12:30 for futures; the regular session for equities. */
export function defaultSession(productType: PhysicsProductType): Session {
  return productType === "future_mbo"
    ? { start: "09:30", end: "12:30" }
    : { start: "09:30", end: "16:00" };
}

function hhmm(s: string, what: string): [number, number] {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) {
    throw new RangeError(`${what} must be HH:MM, got '${s}'`);
  }
  return [Number(m[1]), Number(m[2])];
}

/** `HH:MM` New York time on `dt`, in ns since the epoch. */
export function easternTime(dt: string, time: string, what = "time"): bigint {
  const [h, m] = hhmm(time, what);
  return easternNs(dt, h, m);
}

function surfaceKey(pt: PhysicsProductType): string {
  return `gold.${pt}.physics_surface_1s`;
}
const OPTIONS_KEY = "gold.future_option_mbo.physics_surface_1s";

async function rows(dir: string): Promise<number> {
  try {
    return (await readManifest(dir)).row_count;
  } catch {
    return 0;
  }
}

/**
 * The days with a complete gold surface for `symbol` in `[start, end]`. `symbol` is a contract
 * (`MNQH6`) or ticker, or a futures root (`MNQ`), in which case each date takes the root's contract
 * with the most gold rows. Futures days get the options gold of the same contract, else of another
 * contract of the same root, when one is complete (never a fixed symbol).
 */
export async function discoverDays(
  lake: Lake,
  products: ProductTable,
  productType: PhysicsProductType,
  symbol: string,
  range: { start?: string; end?: string } = {},
): Promise<PhysicsDay[]> {
  const spec = datasetSpec(lake.config, surfaceKey(productType));
  const all = await listPartitions(lake.root, spec, range);
  const rootOf = (s: string): string | null => {
    if (productType !== "future_mbo") return s;
    try {
      return extractRoot(s, products.products.keys());
    } catch {
      return null;
    }
  };
  const exact = all.filter((p) => p.symbol === symbol);
  const isRoot = productType === "future_mbo" && products.products.has(symbol);
  const chosen = exact.length > 0 || !isRoot
    ? exact
    : all.filter((p) => rootOf(p.symbol) === symbol);
  const byDate = new Map<string, { symbol: string; rows: number }>();
  for (const p of chosen) {
    const n = await rows(p.dir);
    const cur = byDate.get(p.dt);
    if (!cur || n > cur.rows || (n === cur.rows && p.symbol > cur.symbol)) {
      byDate.set(p.dt, { symbol: p.symbol, rows: n });
    }
  }
  let options: { symbol: string; dt: string }[] = [];
  if (productType === "future_mbo") {
    options = await listPartitions(lake.root, datasetSpec(lake.config, OPTIONS_KEY), range);
  }
  const snapSpec = datasetSpec(lake.config, `silver.${productType}.book_snapshot_1s`);
  const out: PhysicsDay[] = [];
  for (const dt of [...byDate.keys()].sort()) {
    const sym = byDate.get(dt)!.symbol;
    const root = rootOf(sym);
    const opts = options.filter((o) => o.dt === dt && rootOf(o.symbol) === root);
    const optionsSymbol = opts.find((o) => o.symbol === sym)?.symbol ?? opts[0]?.symbol ?? null;
    const snap = await listPartitions(lake.root, snapSpec, { symbol: sym, start: dt, end: dt });
    out.push({ dt, symbol: sym, optionsSymbol, hasSnapshot: snap.length > 0 });
  }
  return out;
}

/** What a scan of one day produced. */
export interface DayScan {
  /** The windows in the session. */
  series: WindowSeries;
  /** The model's forecasts per window (`horizon` per window), when asked for. */
  delta: Float64Array;
  /** Model confidence per window and horizon (same layout as `delta`). */
  confidence: Float64Array;
  /** Horizon of `delta`. */
  horizon: number;
}

class Grow {
  a: Float64Array = new Float64Array(4096);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done(): Float64Array {
    return this.a.slice(0, this.n);
  }
}

function asF64(c: ReadColumn | undefined): Float64Array | undefined {
  return c instanceof Float64Array ? c : undefined;
}

/** Reads the options gold of a day (session windows, positions that can matter) into columns. */
async function readOptions(
  lake: Lake,
  symbol: string,
  dt: string,
  where: string,
): Promise<OptionColumns> {
  const ends: BigInt64Array[] = [], rel: Int32Array[] = [], om: Float64Array[] = [];
  for await (
    const b of readBatches(lake, OPTIONS_KEY, { symbol, dt }, {
      columns: ["window_end_ts_ns", "rel_ticks", "Omega_opt"],
      where,
    })
  ) {
    ends.push(b.columns.window_end_ts_ns as BigInt64Array);
    rel.push(b.columns.rel_ticks as Int32Array);
    om.push(b.columns.Omega_opt as Float64Array);
  }
  const cat = <T extends BigInt64Array | Int32Array | Float64Array>(
    parts: T[],
    make: (n: number) => T,
  ): T => {
    const out = make(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) (out.set(p as never, o), o += p.length);
    return out;
  };
  const c: OptionColumns = {
    window_end_ts_ns: cat(ends, (n) => new BigInt64Array(n)),
    rel_ticks: cat(rel, (n) => new Int32Array(n)),
    Omega_opt: cat(om, (n) => new Float64Array(n)),
  };
  // the assembler needs windows in ascending order
  const e = c.window_end_ts_ns;
  let sorted = true;
  for (let i = 1; i < e.length && sorted; i++) if (e[i] < e[i - 1]) sorted = false;
  if (sorted) return c;
  const idx = Array.from({ length: e.length }, (_, i) => i).sort((a, b) =>
    e[a] < e[b] ? -1 : e[a] > e[b] ? 1 : a - b
  );
  return {
    window_end_ts_ns: BigInt64Array.from(idx, (i) => e[i]),
    rel_ticks: Int32Array.from(idx, (i) => c.rel_ticks[i]),
    Omega_opt: Float64Array.from(idx, (i) => c.Omega_opt[i]),
  };
}

/** OFI per window second of a day's silver snapshots. */
async function readOfi(
  lake: Lake,
  productType: PhysicsProductType,
  symbol: string,
  dt: string,
  where: string,
): Promise<Map<number, number>> {
  const end: bigint[] = [], bidPx: bigint[] = [], askPx: bigint[] = [];
  const bidOk: number[] = [], askOk: number[] = [], bidQ: number[] = [], askQ: number[] = [];
  const px = (c: ReadColumn, i: number, ok: number[], out: bigint[]) => {
    const nullable = "valid" in c;
    const data = (nullable ? c.data : c) as BigInt64Array;
    ok.push(nullable && !c.valid[i] ? 0 : 1);
    out.push(data[i]);
  };
  for await (
    const b of readBatches(lake, `silver.${productType}.book_snapshot_1s`, { symbol, dt }, {
      columns: [
        "window_end_ts_ns",
        "best_bid_price_int",
        "best_bid_qty",
        "best_ask_price_int",
        "best_ask_qty",
      ],
      where,
    })
  ) {
    const c = b.columns;
    const e = c.window_end_ts_ns as BigInt64Array;
    const bq = c.best_bid_qty as ArrayLike<number | bigint>;
    const aq = c.best_ask_qty as ArrayLike<number | bigint>;
    for (let i = 0; i < b.length; i++) {
      end.push(e[i]);
      px(c.best_bid_price_int, i, bidOk, bidPx);
      px(c.best_ask_price_int, i, askOk, askPx);
      bidQ.push(Number(bq[i]));
      askQ.push(Number(aq[i]));
    }
  }
  const r = bestLevelOfi({
    window_end_ts_ns: BigInt64Array.from(end),
    best_bid_price_int: { data: BigInt64Array.from(bidPx), valid: Uint8Array.from(bidOk) },
    best_bid_qty: Float64Array.from(bidQ),
    best_ask_price_int: { data: BigInt64Array.from(askPx), valid: Uint8Array.from(askOk) },
    best_ask_qty: Float64Array.from(askQ),
  });
  const out = new Map<number, number>();
  for (let i = 0; i < r.sec.length; i++) out.set(r.sec[i], r.ofi[i]);
  return out;
}

/**
 * Streams one day's gold surface (session windows only, positions within reach) and its options
 * through `engine`, returning the window series (spot, drive, OFI) and the model's forecasts.
 */
export async function scanDay(
  lake: Lake,
  productType: PhysicsProductType,
  day: PhysicsDay,
  engine: ForecastEngine,
  session: Session,
): Promise<DayScan> {
  const { dt, symbol } = day;
  const lo = easternTime(dt, session.start, "session start");
  const hi = easternTime(dt, session.end, "session end");
  const when = `window_end_ts_ns >= ${lo} AND window_end_ts_ns < ${hi}`;
  const R = surfaceReach(engine.lattice.gridMax);
  const spec = datasetSpec(lake.config, surfaceKey(productType));
  const have = new Set(spec.contract.fields.map((f) => f.name));
  const wanted = ["pressure_grad", "u_near", "u_p_slow", "Omega"].filter((c) => have.has(c));
  const options = day.optionsSymbol
    ? await readOptions(
      lake,
      day.optionsSymbol,
      dt,
      `${when} AND rel_ticks BETWEEN ${-(R + MODEL.spreadRadius)} AND ${R + MODEL.spreadRadius}`,
    )
    : null;
  const ofi = day.hasSnapshot
    ? await readOfi(
      lake,
      productType,
      symbol,
      dt,
      `window_end_ts_ns >= ${lo - 1_000_000_000n} AND window_end_ts_ns < ${hi}`,
    )
    : new Map<number, number>();
  const H = engine.options.horizon;
  const sec = new Grow(), spot = new Grow(), drive = new Grow(), of = new Grow();
  const delta = new Grow(), conf = new Grow();
  engine.resetVelocity();
  const asm = new WindowAssembler(engine, (end: bigint, w: WindowForecast) => {
    const s = Number(end / 1_000_000_000n);
    sec.push(s);
    spot.push(w.spotTicks);
    drive.push(w.drive);
    of.push(ofi.get(s) ?? NaN);
    for (let h = 0; h < H; h++) {
      delta.push(w.delta[h]);
      conf.push(w.confidence[h]);
    }
  }, options);
  for await (
    const b of readBatches(lake, surfaceKey(productType), { symbol, dt }, {
      columns: ["window_end_ts_ns", "spot_ref_price_int", "rel_ticks", "side", ...wanted],
      where: `${when} AND rel_ticks BETWEEN ${-R} AND ${R} AND spot_ref_price_int > 0`,
    })
  ) {
    const c = b.columns;
    const surface: SurfaceColumns = {
      window_end_ts_ns: c.window_end_ts_ns as BigInt64Array,
      spot_ref_price_int: c.spot_ref_price_int as BigInt64Array,
      rel_ticks: c.rel_ticks as Int32Array,
      side: c.side as DictColumn,
      pressure_grad: asF64(c.pressure_grad),
      u_near: asF64(c.u_near),
      u_p_slow: asF64(c.u_p_slow),
      Omega: asF64(c.Omega),
    };
    try {
      asm.add(surface);
    } catch (e) {
      throw new Error(
        `${surfaceKey(productType)} ${symbol} ${dt}: ${(e as Error).message}`,
      );
    }
  }
  asm.flush();
  return {
    series: { sec: sec.done(), spot: spot.done(), drive: drive.done(), ofi: of.done() },
    delta: delta.done(),
    confidence: conf.done(),
    horizon: H,
  };
}

/**
 * Days scanned at once by the fit and the evaluation: each scan reads Parquet in its own worker
 * while the main thread assembles and forecasts the windows of whichever day has rows ready, so
 * two scans keep two cores busy.
 */
const DAYS_AT_ONCE = 2;

/** What {@linkcode scanDays} scans and reports. */
interface ScanPlan {
  lake: Lake;
  productType: PhysicsProductType;
  session: Session;
  /** Role reported per day. */
  role: "train" | "holdout";
  /** A fresh engine for one day (days scanned at once need their own). */
  engine: () => ForecastEngine;
  onDay?: FitOptions["onDay"];
}

/**
 * {@linkcode scanDay} over `days`, {@linkcode DAYS_AT_ONCE} at a time, with the results in day
 * order (so that sums over them do not depend on which scan ended first). The lake reader workers
 * are kept between scans (starting one costs a DuckDB instance).
 */
async function scanDays(plan: ScanPlan, days: readonly PhysicsDay[]): Promise<DayScan[]> {
  const scan = async (d: PhysicsDay) => {
    const t = performance.now();
    const out = await scanDay(plan.lake, plan.productType, d, plan.engine(), plan.session);
    plan.onDay?.({
      dt: d.dt,
      role: plan.role,
      windows: out.series.sec.length,
      seconds: (performance.now() - t) / 1000,
    });
    return out;
  };
  const out: DayScan[] = new Array(days.length);
  const release = holdParquetWorkers();
  try {
    let next = 0;
    const lane = async () => {
      while (next < days.length) {
        const i = next++;
        try {
          out[i] = await scan(days[i]);
        } catch (e) {
          next = days.length; // the other lane stops after its current day
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DAYS_AT_ONCE, days.length) }, lane));
  } finally {
    release();
  }
  return out;
}

/** How training and held-out windows are separated. */
export type Split =
  /** The last `holdoutDays` days are held out. */
  | { kind: "days"; holdoutDays: number }
  /** Every day is split at a New York time: before (minus an embargo) trains, after evaluates. */
  | { kind: "time"; at: string };

/** Options of {@linkcode fitPhysics}. */
export interface FitOptions {
  /** The lake. */
  lake: Lake;
  /** The product table (`config/products.yaml`). */
  products: ProductTable;
  /** Product type of the surface. */
  productType: PhysicsProductType;
  /** Contract, ticker or futures root. */
  symbol: string;
  /** Inclusive date range (default: every day with gold). */
  start?: string;
  /** Last date (inclusive). */
  end?: string;
  /** Default: the last quarter of the days (at least 1) are held out. */
  split?: Split;
  /** Horizons of the baselines and the evaluation (default 1, 2, 5, 10, 20, 30). */
  horizons?: readonly number[];
  /** Default {@linkcode defaultSession}. */
  session?: Session;
  /** Progress per day. */
  onDay?: (info: { dt: string; role: string; windows: number; seconds: number }) => void;
}

/** One day of lineage. */
export interface LineageEntry {
  /** Session date. */
  session_date: string;
  /** Symbol as given (contract, root or ticker). */
  symbol: string;
  /** Whether the day trained, was held out, or both (intraday split). */
  role: "train" | "holdout" | "train+holdout";
  /** sha256 of the gold surface partition's `_MANIFEST.json`. */
  futures_manifest: string;
  /** Options gold partition used, or `null`. */
  options_symbol: string | null;
  /** sha256 of its `_MANIFEST.json`, or `null`. */
  options_manifest: string | null;
  /** sha256 of the silver book snapshot manifest (OFI baseline), or `null`. */
  book_snapshot_manifest: string | null;
}

/** The parameters file (`physics_beta_gamma.json`). */
export interface PhysicsParams {
  /** Force gain β. */
  beta: number;
  /** Velocity damping γ. */
  gamma: number;
  /** The regression behind β and γ. */
  fit: BetaGamma;
  /** Baselines fitted on the same training windows. */
  baselines: Baselines;
  /** Product type of the surface. */
  product_type: PhysicsProductType;
  /** Symbol as given (contract, root or ticker). */
  symbol: string;
  /** The lattice (root, half-width, unit in 1e-9 price units). */
  lattice: { root: string; grid_max: number; unit_int: number };
  /** Session filter used. */
  session: Session & { timezone: "America/New_York" };
  /** Training / held-out split. */
  split: Split;
  /** Horizons of the baselines (seconds). */
  horizons: number[];
  /** Force sampling (always `"j+delta"` for fitted parameters). */
  neighbourhood: Neighbourhood;
  /** Days that trained. */
  train_dates: string[];
  /** Days held out. */
  holdout_dates: string[];
  /** Samples of the β/γ regression. */
  train_samples: number;
  /** Every input partition (train days, then held-out days). */
  lineage: LineageEntry[];
  /** UTC ISO-8601 time of writing. */
  created_at: string;
  /** SDK version and commit. */
  code_version: string;
}

function splitDays(
  days: PhysicsDay[],
  split: Split,
): { train: PhysicsDay[]; holdout: PhysicsDay[] } {
  if (split.kind === "time") return { train: days, holdout: days };
  const k = split.holdoutDays;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`holdout days must be ≥ 1, got ${k}`);
  if (days.length <= k) {
    throw new Error(
      `${days.length} day(s) with gold, ${k} held out: nothing left to train on ` +
        `(use fewer holdout days, more days, or an intraday split)`,
    );
  }
  return { train: days.slice(0, days.length - k), holdout: days.slice(days.length - k) };
}

/** Seconds `[from, to)` of a day used for training or evaluation under `split`. */
function partRange(
  dt: string,
  split: Split,
  role: "train" | "holdout",
  embargo: number,
): { from?: number; to?: number } {
  if (split.kind === "days") return {};
  const at = Number(easternTime(dt, split.at, "split time") / 1_000_000_000n);
  return role === "train" ? { to: at - embargo } : { from: at };
}

async function lineageOf(
  lake: Lake,
  pt: PhysicsProductType,
  d: PhysicsDay,
  role: LineageEntry["role"],
): Promise<LineageEntry> {
  const sha = (key: string, symbol: string) =>
    manifestSha256(partitionDir(lake.root, datasetSpec(lake.config, key), { symbol, dt: d.dt }));
  return {
    session_date: d.dt,
    symbol: d.symbol,
    role,
    futures_manifest: await sha(surfaceKey(pt), d.symbol),
    options_symbol: d.optionsSymbol,
    options_manifest: d.optionsSymbol ? await sha(OPTIONS_KEY, d.optionsSymbol) : null,
    book_snapshot_manifest: d.hasSnapshot
      ? await sha(`silver.${pt}.book_snapshot_1s`, d.symbol)
      : null,
  };
}

function resolveSplit(days: number, split?: Split): Split {
  if (split) return split;
  if (days < 2) {
    throw new Error(
      `${days} day(s) with gold: a day split needs at least 2 (use an intraday split, e.g. --split-at 12:45)`,
    );
  }
  return { kind: "days", holdoutDays: Math.max(1, Math.floor(days / 4)) };
}

/** Fits β/γ and the baselines on the training windows; returns the parameters (not written). */
export async function fitPhysics(o: FitOptions): Promise<PhysicsParams> {
  const horizons = [...(o.horizons ?? DEFAULT_HORIZONS)];
  checkHorizons(horizons);
  const session = o.session ?? defaultSession(o.productType);
  const lattice = latticeFor(o.products, o.productType, o.symbol);
  const days = await discoverDays(o.lake, o.products, o.productType, o.symbol, {
    start: o.start,
    end: o.end,
  });
  if (days.length === 0) {
    throw new Error(
      `no complete ${surfaceKey(o.productType)} partition for '${o.symbol}'` +
        `${o.start || o.end ? ` in ${o.start ?? "…"}..${o.end ?? "…"}` : ""} under ${o.lake.root}` +
        ` (run: deno task pipeline --product-type ${o.productType} --layer gold …)`,
    );
  }
  const split = resolveSplit(days.length, o.split);
  const { train, holdout } = splitDays(days, split);
  const embargo = Math.max(...horizons);
  const scans = await scanDays({
    lake: o.lake,
    productType: o.productType,
    session,
    role: "train",
    engine: () => new ForecastEngine(lattice, { beta: 0, gamma: 0, horizon: 1 }),
    onDay: o.onDay,
  }, train);
  const sums = emptySums();
  const parts: SeriesPart[] = [];
  train.forEach((d, i) => {
    const part = { series: scans[i].series, ...partRange(d.dt, split, "train", embargo) };
    addSamples(sums, part.series, part.from, part.to);
    parts.push(part);
  });
  const fit = solveBetaGamma(sums);
  const baselines = fitBaselines(parts, horizons);
  const role = split.kind === "time" ? "train+holdout" : null;
  const lineage: LineageEntry[] = [];
  for (const d of train) lineage.push(await lineageOf(o.lake, o.productType, d, role ?? "train"));
  if (split.kind === "days") {
    for (const d of holdout) lineage.push(await lineageOf(o.lake, o.productType, d, "holdout"));
  }
  return {
    beta: fit.beta,
    gamma: fit.gamma,
    fit,
    baselines,
    product_type: o.productType,
    symbol: o.symbol,
    lattice: { root: lattice.root, grid_max: lattice.gridMax, unit_int: lattice.unitInt },
    session: { ...session, timezone: "America/New_York" },
    split,
    horizons,
    neighbourhood: "j+delta",
    train_dates: train.map((d) => d.dt),
    holdout_dates: holdout.map((d) => d.dt),
    train_samples: fit.samples,
    lineage,
    created_at: new Date().toISOString(),
    code_version: await codeVersion(),
  };
}

function checkHorizons(h: readonly number[]): void {
  if (h.length === 0) throw new RangeError("at least one horizon is needed");
  for (const x of h) {
    if (!Number.isInteger(x) || x < 1 || x > 600) {
      throw new RangeError(`horizons are whole seconds in 1..600, got ${x}`);
    }
  }
}

/** Options of {@linkcode evaluatePhysics}. */
export interface EvalOptions {
  /** The lake. */
  lake: Lake;
  /** The product table (`config/products.yaml`). */
  products: ProductTable;
  /** The fitted parameters. */
  params: PhysicsParams;
  /** Horizons (default: the parameters'). Each must have fitted baselines. */
  horizons?: readonly number[];
  /** Bootstrap settings. */
  resamples?: number;
  /** Bootstrap block length in seconds (default 60). */
  blockSeconds?: number;
  /** Bootstrap seed (default 1). */
  seed?: number;
  /** Progress per day. */
  onDay?: FitOptions["onDay"];
}

/** The evaluation report (`physics_beta_gamma_eval.json`). */
export interface PhysicsEvalReport {
  /** Force gain β. */
  beta: number;
  /** Velocity damping γ. */
  gamma: number;
  /** Product type of the surface. */
  product_type: PhysicsProductType;
  /** Symbol as given (contract, root or ticker). */
  symbol: string;
  /** Days held out. */
  holdout_dates: string[];
  /** Training / held-out split. */
  split: Split;
  /** Metrics per horizon, comparisons and reliability. */
  metrics: EvaluationReport;
  /** Per horizon and baseline: better / worse / mixed / inconclusive (paired 95 % intervals). */
  verdicts: Record<string, Record<string, string>>;
  /** One plain sentence. */
  summary: string;
  /** Parameters file evaluated, when read from a file. */
  params_path: string | null;
  /** UTC ISO-8601 time of writing. */
  created_at: string;
  /** SDK version and commit. */
  code_version: string;
}

/** Evaluates the fitted model and the baselines on the held-out windows of the parameters. */
export async function evaluatePhysics(
  o: EvalOptions,
  paramsPath: string | null = null,
): Promise<PhysicsEvalReport> {
  const p = o.params;
  const horizons = [...(o.horizons ?? p.horizons)];
  checkHorizons(horizons);
  const lattice: Lattice = {
    root: p.lattice.root,
    gridMax: p.lattice.grid_max,
    unitInt: p.lattice.unit_int,
  };
  const days = await discoverDays(o.lake, o.products, p.product_type, p.symbol, {
    start: p.holdout_dates[0],
    end: p.holdout_dates[p.holdout_dates.length - 1],
  });
  const held = new Set(p.holdout_dates);
  const use = days.filter((d) => held.has(d.dt));
  const missing = p.holdout_dates.filter((dt) => !use.some((d) => d.dt === dt));
  if (missing.length) {
    throw new Error(`held-out day(s) without a complete gold surface: ${missing.join(", ")}`);
  }
  const embargo = Math.max(...p.horizons);
  const scans = await scanDays({
    lake: o.lake,
    productType: p.product_type,
    session: p.session,
    role: "holdout",
    engine: () =>
      new ForecastEngine(lattice, {
        beta: p.beta,
        gamma: p.gamma,
        horizon: Math.max(...horizons),
        neighbourhood: p.neighbourhood,
      }),
    onDay: o.onDay,
  }, use);
  const parts: EvalPart[] = use.map((d, i) => ({
    series: scans[i].series,
    ...partRange(d.dt, p.split, "holdout", embargo),
    predictions: {
      horizon: scans[i].horizon,
      delta: scans[i].delta,
      confidence: scans[i].confidence,
    },
  }));
  const metrics = evaluate(parts, p.baselines, {
    horizons,
    resamples: o.resamples,
    blockSeconds: o.blockSeconds,
    seed: o.seed,
  });
  const verdicts: Record<string, Record<string, string>> = {};
  for (const [h, m] of Object.entries(metrics.horizons)) {
    verdicts[h] = {};
    for (const [b, c] of Object.entries(m.vs_baselines)) verdicts[h][b] = verdict(c);
  }
  return {
    beta: p.beta,
    gamma: p.gamma,
    product_type: p.product_type,
    symbol: p.symbol,
    holdout_dates: p.holdout_dates,
    split: p.split,
    metrics,
    verdicts,
    summary: summarise(verdicts),
    params_path: paramsPath,
    created_at: new Date().toISOString(),
    code_version: await codeVersion(),
  };
}

/** A plain sentence: does the model beat every baseline at some horizon, and where it does not. */
export function summarise(verdicts: Record<string, Record<string, string>>): string {
  const hs = Object.keys(verdicts);
  const beatsAll = hs.filter((h) => Object.values(verdicts[h]).every((v) => v === "better"));
  const worse = hs.flatMap((h) =>
    Object.entries(verdicts[h]).filter(([, v]) => v === "worse").map(([b]) => `${b} at ${h}s`)
  );
  const head = beatsAll.length
    ? `The model beats all three baselines (lower MAE and higher hit rate on moves, 95 % paired intervals) at horizon(s) ${
      beatsAll.join(", ")
    } s.`
    : "The model does not beat all three baselines at any horizon (95 % paired intervals on MAE and hit rate on moves).";
  return worse.length ? `${head} It is worse than ${worse.join(", ")}.` : head;
}

/** JSON with sorted keys, indent 2 (the original's format). */
export function sortedJson(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x && typeof x === "object") {
      return Object.fromEntries(
        Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])]),
      );
    }
    return x;
  };
  return JSON.stringify(sort(v), null, 2) + "\n";
}

/** Writes JSON atomically (temporary file in the same folder, then rename). */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const dir = join(path, "..");
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    await Deno.writeTextFile(tmp, sortedJson(value));
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Reads and checks a parameters file (clear error naming the file and the missing key). */
export async function readParams(path: string): Promise<PhysicsParams> {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`${path}: cannot read the parameters file: ${(e as Error).message}`);
  }
  for (
    const k of [
      "beta",
      "gamma",
      "baselines",
      "product_type",
      "symbol",
      "lattice",
      "session",
      "split",
      "horizons",
      "holdout_dates",
    ]
  ) {
    if (!(k in v)) throw new Error(`${path}: not a physics parameters file (no '${k}')`);
  }
  if (typeof v.beta !== "number" || typeof v.gamma !== "number") {
    throw new Error(`${path}: beta and gamma must be numbers`);
  }
  return v as unknown as PhysicsParams;
}
