/**
 * Writes synthetic trading days into the raw lake, exactly where and how the downloader puts
 * Databento batch files, so that every later layer reads them as downloaded data.
 *
 * @module
 */
import { join } from "node:path";
import {
  equityOptionsDefinitionDir,
  futuresDefinitionDir,
  rawFileName,
  rawRoot,
  rawTargetDir,
} from "../download/lake_paths.ts";
import { DbnWriter, type InstrumentDefMsg, type StatMsg } from "../dbn/mod.ts";
import { dayStartNs, easternToUtcSecond, parseDay, tradingDays, weekdayOf } from "./calendar.ts";
import { intensityProfile } from "./intensity.ts";
import { Book, deriveFlow, type FlowParams, type FlowSettings, NO_ASK, NO_BID } from "./_book.ts";
import { CmbpDay, type OpraMember } from "./_cmbp_day.ts";
import {
  type EpisodeScale,
  type LatentDay,
  latentPath,
  planEpisodes,
  type VacuumPlan,
  type WallPlan,
} from "./_latent.ts";
import {
  ChainDay,
  type ChainMember,
  eventRates,
  type RecordedEpisode,
  SingleBookDay,
} from "./_mbo_day.ts";
import { MboOut, type MboSink } from "./_mbo_out.ts";
import {
  cmeOptionSymbol,
  defaultEquity,
  EQUITY_TICKERS,
  type EquityTicker,
  frontMonth,
  futureExpirationNs,
  type FutureRoot,
  futureRootOf,
  opraSymbol,
  optionParentsFor,
  PRODUCT_TYPES,
  type ProductType,
  zeroDteCode,
} from "./products.ts";
import {
  dayMetadata,
  equityDefinition,
  futureDefinition,
  futureOptionDefinition,
  opraDefinition,
  Stat,
  statRecord,
} from "./_records.ts";
import { fnv1a, Rng } from "./_rng.ts";

/** Size presets: `small` keeps a whole four-product demo fast; `full` is a realistic day. */
export type SynthScale = "small" | "full";

/** Options of {@linkcode generateDay}. */
export interface SynthDayOptions {
  /** Product type to generate. */
  productType: ProductType;
  /** UTC trading day `YYYY-MM-DD`. */
  date: string;
  /** Seed (a safe integer). Same seed, same decompressed bytes. */
  seed: number;
  /**
   * Futures: root (`MNQ`, front month resolved) or contract (`MNQH6`); default `MNQ`.
   * Equities: ticker; default `QQQ`.
   */
  symbol?: string;
  /** Size preset (default `small`). */
  scale?: SynthScale;
  /** Target number of records of the main file; overrides the preset's size. */
  events?: number;
  /** Lake root folder (default `lake`); files go under `<lake>/raw/source=synthetic/`. */
  lake?: string;
  /** `zstd` (default, `.dbn.zst`) or `none` (`.dbn`). */
  compression?: "zstd" | "none";
  /** Called after every written batch with the records written so far to the main file. */
  onProgress?: (records: number) => void;
}

/** Options of {@linkcode generateDays}: a date range instead of one date. */
export interface SynthRangeOptions extends Omit<SynthDayOptions, "date"> {
  /** First day (inclusive). */
  start: string;
  /** Last day (inclusive). Weekends are skipped. */
  end: string;
}

/** One file written. */
export interface SynthFile {
  /** Path of the file. */
  path: string;
  /** `mbo`, `cmbp-1`, `statistics`, `definition` or `json`. */
  schema: string;
  /** Records in the file (entries for JSON). */
  records: number;
}

/** A planted episode as recorded in the sidecar. */
export interface SynthEpisode {
  /** `vacuum` (liquidity pulled before price moves through it), `wall` (built and held) or `crossed` (pre-open crossed book). */
  kind: "vacuum" | "wall" | "crossed";
  /** Side of the book concerned. */
  side: "bid" | "ask" | "both";
  /** Instrument id. */
  instrument_id: number;
  /** Start, ns since the epoch (a decimal string: it exceeds 2^53). Vacuums: when the pull starts. */
  start_ts: string;
  /** End, ns since the epoch. Vacuums: when the move ends. */
  end_ts: string;
  /** Start as ISO-8601 UTC. */
  start_utc: string;
  /** End as ISO-8601 UTC. */
  end_utc: string;
  /** Lowest price concerned (inclusive), in price units. */
  price_lo: number;
  /** Highest price concerned (inclusive), in price units. */
  price_hi: number;
  /** `price_lo` as a 1e-9 fixed-point integer (decimal string). */
  price_lo_int: string;
  /** `price_hi` as a 1e-9 fixed-point integer (decimal string). */
  price_hi_int: string;
  /** Measurements at planting time (depths in size units, ns timestamps as strings). */
  details: Record<string, number | string>;
}

/** What {@linkcode generateDay} wrote. */
export interface SynthDayResult {
  /** Product type generated. */
  productType: ProductType;
  /** The day (`YYYY-MM-DD`). */
  date: string;
  /** The seed used. */
  seed: number;
  /** Future contract (e.g. `MNQH6`) or equity ticker. */
  symbol: string;
  /** Root or ticker used in the `symbol=` partition. */
  root: string;
  /** Every file written, main file first. */
  files: SynthFile[];
  /** Records of the main file per action (`A`, `C`, `M`, `R`, `T`, `F`) and `records`. */
  counts: Record<string, number>;
  /** Planted episodes. */
  episodes: SynthEpisode[];
  /** Path of the sidecar JSON. */
  sidecar: string;
}

/** `<dataset>-<YYYYMMDD>.<schema>.synth.json`: the sidecar beside a main file (no `.dbn` in it). */
function sidecarName(dataset: string, date: string, schema: string): string {
  return rawFileName(dataset, date, schema, false).replace(/\.dbn$/, ".synth.json");
}

/** The raw source synthetic days are written to (`raw/source=synthetic/`). */
export const SYNTH_SOURCE = "synthetic";

/** A target file exists and was written by another producer: the generator does not replace it. */
export class ForeignFileError extends Error {
  /** The file left in place. */
  readonly path: string;
  /** Creates the error for `path`; `sidecar` is the day's missing sidecar. */
  constructor(path: string, sidecar: string) {
    super(
      `${path} exists and was not written by the synthetic-day generator (no ${sidecar}); ` +
        `not overwriting it: move it away or write to another --lake`,
    );
    this.name = "ForeignFileError";
    this.path = path;
  }
}

/**
 * Refuses to replace files another producer wrote: a target that exists while the day's sidecar
 * (written by the generator with every day) does not was not generated here.
 */
async function guardForeign(paths: Record<string, string | undefined>): Promise<void> {
  const mine = await Deno.stat(paths.sidecar!).then(() => true, () => false);
  if (mine) return;
  for (const [k, p] of Object.entries(paths)) {
    if (!p || k === "sidecar") continue;
    const there = await Deno.stat(p).then(() => true, () => false);
    if (there) throw new ForeignFileError(p, paths.sidecar!);
  }
}

/**
 * Paths of a day's files for a product type: the downloader's folder layout and Databento's file
 * names (`rawTargetDir` / `rawFileName` of the download module) under `raw/source=synthetic/`, so
 * the pipeline reads them like downloads but they never mix with real data. Futures definitions,
 * which the downloader does not fetch, go beside the option ones.
 */
export function synthPaths(
  lake: string,
  productType: ProductType,
  root: string,
  date: string,
  compression: "zstd" | "none" = "zstd",
): { main: string; statistics?: string; definition: string; sidecar: string; resolved?: string } {
  const z = compression === "zstd";
  switch (productType) {
    case "future_mbo": {
      const dir = rawTargetDir(lake, "futures", "mbo", root, SYNTH_SOURCE);
      const defDir = join(
        rawRoot(lake, SYNTH_SOURCE),
        "dataset=definition",
        "venue=glbx",
        "type=futures",
        `symbol=${root}`,
      );
      return {
        main: join(dir, rawFileName("GLBX.MDP3", date, "mbo", z)),
        definition: join(defDir, rawFileName("GLBX.MDP3", date, "definition", z)),
        sidecar: join(dir, sidecarName("GLBX.MDP3", date, "mbo")),
      };
    }
    case "future_option_mbo": {
      const dir = rawTargetDir(lake, "futures_options", "mbo", root, SYNTH_SOURCE);
      const defDir = futuresDefinitionDir(lake, root, SYNTH_SOURCE);
      return {
        main: join(dir, rawFileName("GLBX.MDP3", date, "mbo", z)),
        statistics: join(
          rawTargetDir(lake, "futures_options", "statistics", root, SYNTH_SOURCE),
          rawFileName("GLBX.MDP3", date, "statistics", z),
        ),
        definition: join(defDir, rawFileName("GLBX.MDP3", date, "definition", z)),
        sidecar: join(dir, sidecarName("GLBX.MDP3", date, "mbo")),
        resolved: join(defDir, `resolved_${date}.json`),
      };
    }
    case "equity_mbo": {
      const dir = rawTargetDir(lake, "equity", "mbo", root, SYNTH_SOURCE);
      return {
        main: join(dir, rawFileName("XNAS.ITCH", date, "mbo", z)),
        definition: join(
          rawTargetDir(lake, "equity", "definition", root, SYNTH_SOURCE),
          rawFileName("XNAS.ITCH", date, "definition", z),
        ),
        sidecar: join(dir, sidecarName("XNAS.ITCH", date, "mbo")),
      };
    }
    case "equity_option_cmbp_1": {
      const dir = rawTargetDir(lake, "equity_options", "cmbp-1", root, SYNTH_SOURCE);
      return {
        main: join(dir, rawFileName("OPRA.PILLAR", date, "cmbp-1", z)),
        statistics: join(
          rawTargetDir(lake, "equity_options", "statistics", root, SYNTH_SOURCE),
          rawFileName("OPRA.PILLAR", date, "statistics", z),
        ),
        definition: join(
          equityOptionsDefinitionDir(lake, root, SYNTH_SOURCE),
          rawFileName("OPRA.PILLAR", date, "definition", z),
        ),
        sidecar: join(dir, sidecarName("OPRA.PILLAR", date, "cmbp-1")),
      };
    }
    default:
      throw new RangeError(
        `unknown product type '${productType}' (expected one of ${PRODUCT_TYPES.join(", ")})`,
      );
  }
}

// ------------------------------------------------------------------------------- model presets

/** Target records of the main file per product type and scale. */
export const SCALE_RECORDS: Readonly<Record<SynthScale, Readonly<Record<ProductType, number>>>> = {
  small: {
    future_mbo: 150_000,
    future_option_mbo: 100_000,
    equity_mbo: 120_000,
    equity_option_cmbp_1: 80_000,
  },
  full: {
    future_mbo: 40_000_000,
    future_option_mbo: 12_000_000,
    equity_mbo: 30_000_000,
    equity_option_cmbp_1: 60_000_000,
  },
};

/** Average MBO records per order-flow event (used to turn a record target into an event rate). */
const RECORDS_PER_EVENT: Record<ProductType, number> = {
  future_mbo: 1.3,
  future_option_mbo: 1.2,
  equity_mbo: 1.3,
  equity_option_cmbp_1: 3,
};

/** Futures order flow (contracts, one-tick market). */
export const FUTURE_FLOW: Readonly<FlowSettings> = {
  wAdd: 0.45,
  wCancel: 0.33,
  wModify: 0.16,
  wMarket: 0.06,
  target: 1200,
  halfSpread: 0,
  nearMean: 1.2,
  farMean: 20,
  pFar: 0.1,
  maxDepth: 400,
  lot: 1,
  sizeMean: 2,
  pBig: 0.05,
  bigMean: 10,
  pOddLot: 0,
  mktSizeMean: 2.5,
  protect: 6,
  beta: 3,
  pStale: 0.85,
  pNearCancel: 0.4,
  nearCancelMean: 2,
  pPartialCancel: 0,
  pPriceModify: 0.5,
  replaceStyle: 0,
  partialFillStyle: 0,
  pHidden: 0,
  latMin: 100_000,
  latSpan: 400_000,
  deltaMin: 13_000,
  deltaSpan: 12_000,
  postTradeGap: 5_000,
  pCrossPassive: 0.6,
  staleBoost: 0.15,
};

/** Equity (XNAS ITCH) order flow (shares, round lots of 100, replaces as C + A, hidden executions). */
export const EQUITY_FLOW: Readonly<FlowSettings> = {
  wAdd: 0.46,
  wCancel: 0.4,
  wModify: 0.08,
  wMarket: 0.06,
  target: 1000,
  halfSpread: 0,
  nearMean: 1.5,
  farMean: 30,
  pFar: 0.1,
  maxDepth: 600,
  lot: 100,
  sizeMean: 1.8,
  pBig: 0.05,
  bigMean: 8,
  pOddLot: 0.25,
  mktSizeMean: 2,
  protect: 10,
  beta: 2,
  pStale: 0.85,
  pNearCancel: 0.5,
  nearCancelMean: 2,
  pPartialCancel: 0.1,
  pPriceModify: 0.7,
  replaceStyle: 1,
  partialFillStyle: 1,
  pHidden: 0.15,
  latMin: 20_000,
  latSpan: 60_000,
  deltaMin: -1,
  deltaSpan: 0,
  postTradeGap: 2_000,
  pCrossPassive: 0.6,
  staleBoost: 0.15,
};

/**
 * No-arbitrage margin of option quotes, in option ticks: every option's best bid stays this far
 * below and its best ask this far above its value on the underlying book's mid (a one-tick bid
 * is always allowed). Any margin >= 0 keeps ask >= intrinsic at the underlying's executable
 * price, strike monotonicity and put-call parity within the spreads; one tick keeps quotes off
 * the value itself.
 */
const OPTION_ARB_MARGIN = 1;

/**
 * The mid (points) of an underlying day's book at every second end (index = second from day
 * start, 0..86,400), from a run of its generator that writes nothing: options are valued on what
 * the underlying's file shows. Seconds with a one-sided or crossed book (pre-open) carry the last
 * two-sided mid forward; before the first, NaN (the latent price is used).
 */
async function underlyingMids(gen: SingleBookDay, tick: number): Promise<Float64Array> {
  const mids = new Float64Array(86_401).fill(NaN);
  let last = NaN;
  gen.onSecond = (sec, bid, ask) => {
    if (bid !== NO_BID && ask !== NO_ASK && bid < ask) last = (bid + ask) * 0.5 * tick;
    mids[sec] = last;
  };
  const discard: MboSink = { writeMbo: () => Promise.resolve() };
  for (;;) {
    const done = gen.run();
    await gen.out.flush(discard);
    if (done) break;
  }
  return mids;
}

/** Options-on-futures order flow (per option; spreads scale with the premium). */
export const OPTION_FLOW: Readonly<FlowSettings> = {
  wAdd: 0.45,
  wCancel: 0.35,
  wModify: 0.15,
  wMarket: 0.05,
  target: 16,
  halfSpread: 1,
  nearMean: 1.5,
  farMean: 5,
  pFar: 0.1,
  maxDepth: 200,
  lot: 1,
  sizeMean: 3,
  pBig: 0.05,
  bigMean: 20,
  pOddLot: 0,
  mktSizeMean: 2,
  protect: 10,
  beta: 1,
  pStale: 0.7,
  pNearCancel: 0.5,
  nearCancelMean: 2,
  pPartialCancel: 0,
  pPriceModify: 0.6,
  replaceStyle: 0,
  partialFillStyle: 0,
  pHidden: 0,
  latMin: 100_000,
  latSpan: 400_000,
  deltaMin: 13_000,
  deltaSpan: 12_000,
  postTradeGap: 5_000,
  pCrossPassive: 0.5,
  staleBoost: 0.1,
};

const FUTURE_EPISODES: EpisodeScale = {
  vacuumTicks: [8, 24],
  wallOffset: [2, 6],
  wallLots: [150, 400],
};
const EQUITY_EPISODES: EpisodeScale = {
  vacuumTicks: [12, 35],
  wallOffset: [3, 10],
  wallLots: [150, 400],
};

/** 2^53 as (hi, lo) words: live order ids start just below it, so some exceed 2^53. */
const ID_HI = 0x200000;

// ------------------------------------------------------------------------------- instruments

function idFor(base: number, span: number, symbol: string, used: Set<number>): number {
  let id = base + (fnv1a(symbol) % span);
  while (used.has(id)) id = base + ((id - base + 1) % span);
  used.add(id);
  return id;
}

/** Resolves the future of a `symbol` (root or contract) on `date`. */
export function resolveFuture(
  symbol: string | undefined,
  date: string,
): { root: FutureRoot; contract: string } {
  const s = (symbol ?? "MNQ").toUpperCase();
  const root = futureRootOf(s);
  if (s === root.root) return { root, contract: frontMonth(root, date) };
  if (!/^[FGHJKMNQUVXZ]\d$/.test(s.slice(root.root.length))) {
    throw new RangeError(
      `'${symbol}' is neither a futures root nor a contract like ${root.root}H6`,
    );
  }
  return { root, contract: s };
}

/** Resolves an equity ticker. */
export function resolveEquity(symbol: string | undefined): EquityTicker {
  const s = (symbol ?? "QQQ").toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9._-]{0,14}$/.test(s)) {
    throw new RangeError(`invalid equity ticker '${symbol}'`);
  }
  return EQUITY_TICKERS[s] ?? defaultEquity(s);
}

/**
 * Seconds of smoothing of the latent price for a record budget: sparse (small) days cannot follow
 * tick-level noise with so few events; realistic (full) days keep all of it.
 */
function smoothingFor(records: number): number {
  return records < 1_000_000 ? 30 : records < 8_000_000 ? 8 : 0;
}

function futureLatent(
  seed: number,
  root: FutureRoot,
  date: string,
  records: number,
): { latent: LatentDay; vacuums: VacuumPlan[]; walls: WallPlan[] } {
  const plan = planEpisodes(seed, root.root, date, FUTURE_EPISODES);
  const latent = latentPath(
    seed,
    root.root,
    date,
    root.tick_size,
    root.ref_price,
    root.daily_vol,
    intensityProfile("future_mbo", date),
    plan,
    smoothingFor(records),
  );
  return { latent, ...plan };
}

function equityLatent(
  seed: number,
  eq: EquityTicker,
  date: string,
  records: number,
): { latent: LatentDay; vacuums: VacuumPlan[]; walls: WallPlan[] } {
  const plan = planEpisodes(seed, eq.ticker, date, EQUITY_EPISODES);
  const latent = latentPath(
    seed,
    eq.ticker,
    date,
    eq.tick_size,
    eq.ref_price,
    eq.daily_vol,
    intensityProfile("equity_mbo", date),
    plan,
    smoothingFor(records),
  );
  return { latent, ...plan };
}

function targetRecords(o: SynthDayOptions): number {
  if (o.events !== undefined) {
    if (!Number.isSafeInteger(o.events) || o.events < 1000) {
      throw new RangeError(`events must be an integer >= 1000, got ${o.events}`);
    }
    return o.events;
  }
  const scale = o.scale ?? "small";
  if (!(scale in SCALE_RECORDS)) {
    throw new RangeError(`scale must be small or full, got '${scale}'`);
  }
  return SCALE_RECORDS[scale][o.productType];
}

function liveOrders(records: number, base: number): number {
  // book size grows slowly with activity: small days ~base, full days ~4x base
  return Math.round(base * Math.min(4, Math.max(1, Math.sqrt(records / 150_000) / 4)));
}

// ------------------------------------------------------------------------------- writing helpers

async function writeAtomic(path: string, text: string): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

async function writeRecordsFile(
  path: string,
  meta: ReturnType<typeof dayMetadata>,
  records: (InstrumentDefMsg | StatMsg)[],
  compression: "zstd" | "none",
): Promise<SynthFile> {
  const w = await DbnWriter.create(path, meta, { compression });
  try {
    if (records.length) await w.writeRecords(records);
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
  return { path, schema: meta.schema ?? "mixed", records: records.length };
}

function counts(actionCounts: Float64Array, total: number): Record<string, number> {
  const out: Record<string, number> = { records: total };
  for (const a of "ACMRTF") out[a] = actionCounts[a.charCodeAt(0)];
  return out;
}

function episodeOut(
  e: RecordedEpisode,
  dayNs: bigint,
  tick: number,
  iid: number,
): SynthEpisode {
  const tickInt = BigInt(Math.round(tick * 1e9));
  const ns = (t: number) => dayNs + BigInt(Math.floor(t));
  const iso = (t: number) => new Date(Number(ns(t) / 1_000_000n)).toISOString();
  const details: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(e.details)) {
    details[k] = k.endsWith("_ns") && typeof v === "number"
      ? String(ns(v))
      : typeof v === "number" && k.endsWith("_tick")
      ? Number((v * tick).toFixed(9))
      : v;
  }
  return {
    kind: e.kind,
    side: e.side,
    instrument_id: iid,
    start_ts: String(ns(e.start_ns)),
    end_ts: String(ns(e.end_ns)),
    start_utc: iso(e.start_ns),
    end_utc: iso(e.end_ns),
    price_lo: Number((e.tick_lo * tick).toFixed(9)),
    price_hi: Number((e.tick_hi * tick).toFixed(9)),
    price_lo_int: String(BigInt(e.tick_lo) * tickInt),
    price_hi_int: String(BigInt(e.tick_hi) * tickInt),
    details,
  };
}

async function runMbo(
  path: string,
  meta: ReturnType<typeof dayMetadata>,
  compression: "zstd" | "none",
  gen: { run(): boolean; out: MboOut },
  onProgress?: (n: number) => void,
): Promise<SynthFile> {
  const w = await DbnWriter.create(path, meta, { compression });
  try {
    let pending = Promise.resolve();
    for (;;) {
      const done = gen.run();
      await pending;
      pending = gen.out.flushSwap(w);
      onProgress?.(gen.out.total);
      if (done) break;
    }
    await pending;
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
  return { path, schema: "mbo", records: gen.out.total };
}

// ------------------------------------------------------------------------------- product builders

/** Builds the future's day generator (exported for the benchmark and tests). */
export function futureDay(
  seed: number,
  date: string,
  symbol: string | undefined,
  records: number,
): { gen: SingleBookDay; root: FutureRoot; contract: string; iid: number; latent: LatentDay } {
  const { root, contract } = resolveFuture(symbol, date);
  const iid = idFor(100_000, 900_000, contract, new Set());
  const { latent, vacuums, walls } = futureLatent(seed, root, date, records);
  const profile = intensityProfile("future_mbo", date);
  const rng = new Rng(seed, `${contract}|mbo|${date}`);
  const target = liveOrders(records, FUTURE_FLOW.target);
  const flow: FlowParams = deriveFlow({ ...FUTURE_FLOW, target });
  const events = Math.max(100, (records - target) / RECORDS_PER_EVENT.future_mbo);
  const rate = eventRates(profile, latent.activity, events);
  const book = new Book(iid, Math.round(root.tick_size * 1e9), 15, 0, target * 2);
  const out = new MboOut(dayStartNs(date), 1, 0);
  const dow = weekdayOf(parseDay(date));
  const sec = (h: number, m = 0) => easternToUtcSecond(date, h, m);
  const inDay = (s: number) => s >= 0 && s < 86_400;
  const halt = dow >= 1 && dow <= 5 && inDay(sec(17)) ? sec(17) : -1;
  const reopen = dow >= 1 && dow <= 4 && inDay(sec(18)) ? sec(18) : -1;
  const gen = new SingleBookDay({
    book,
    flow,
    latent,
    rate,
    rng,
    snapshotOrders: target,
    snapshotId: [ID_HI - 1, 0xffffffff - 60_000_000 - rng.int(1_000_000)],
    liveId: [ID_HI - 1, 0xffffffff - 1_500 - rng.int(500)],
    clearSecond: -1,
    haltSecond: halt,
    preopenSecond: reopen >= 0 ? sec(17, 45) : -1,
    reopenSecond: reopen,
    dayOrderFraction: 0.6,
    vacuums,
    walls,
    lot: 1,
    purgeDist: 6000,
    budget: Math.max(100, records - target),
  }, out);
  return { gen, root, contract, iid, latent };
}

async function generateFuture(
  o: SynthDayOptions,
  lake: string,
  compression: "zstd" | "none",
): Promise<SynthDayResult> {
  const records = targetRecords(o);
  const { gen, root, contract, iid, latent } = futureDay(o.seed, o.date, o.symbol, records);
  const paths = synthPaths(lake, "future_mbo", root.root, o.date, compression);
  await guardForeign(paths);
  const dayNs = dayStartNs(o.date);
  const main = await runMbo(
    paths.main,
    dayMetadata("GLBX.MDP3", "mbo", o.date, [{ symbol: contract, iid }]),
    compression,
    gen,
    o.onProgress,
  );
  const def = futureDefinition({
    iid,
    symbol: contract,
    root: root.root,
    tick: root.tick_size,
    multiplier: root.multiplier,
    unit: root.unit_of_measure,
    exchange: root.exchange,
    expiration: futureExpirationNs(contract),
    ts: dayNs,
    refPrice: latent.x[0] * root.tick_size,
    channel: 0,
  });
  const defFile = await writeRecordsFile(
    paths.definition,
    dayMetadata("GLBX.MDP3", "definition", o.date, [{ symbol: contract, iid }]),
    [def],
    compression,
  );
  const episodes = gen.episodes.map((e) => episodeOut(e, dayNs, root.tick_size, iid));
  return await finish(
    o,
    paths.sidecar,
    contract,
    root.root,
    [main, defFile],
    counts(gen.out.actionCounts, gen.out.total),
    episodes,
    latent,
    root.tick_size,
  );
}

async function generateFutureOptions(
  o: SynthDayOptions,
  lake: string,
  compression: "zstd" | "none",
): Promise<SynthDayResult> {
  const records = targetRecords(o);
  const { root, contract } = resolveFuture(o.symbol, o.date);
  const used = new Set<number>();
  const futId = idFor(100_000, 900_000, contract, used);
  const { latent } = futureLatent(o.seed, root, o.date, records);
  const dayNs = dayStartNs(o.date);
  const expSec = easternToUtcSecond(o.date, 16);
  const code = zeroDteCode(root.root, o.date);
  // strikes over the day's range of the underlying, plus a margin of strikes on each side
  let lo = Infinity, hi = -Infinity;
  for (let s = 0; s <= expSec; s++) {
    const f = latent.x[s] * root.tick_size;
    if (f < lo) lo = f;
    if (f > hi) hi = f;
  }
  const margin = records >= 1_000_000 ? 20 : 10;
  const step = root.strike_step;
  const k0 = Math.floor(lo / step) - margin, k1 = Math.ceil(hi / step) + margin;
  const rng = new Rng(o.seed, `${contract}|options|${o.date}`);
  const snapOrders = records >= 1_000_000 ? 20 : 8;
  const members: ChainMember[] = [];
  const syms: { symbol: string; iid: number; strike: number; right: "C" | "P" }[] = [];
  for (let k = k0; k <= k1; k++) {
    const strike = Number((k * step).toFixed(9));
    if (strike <= 0) continue;
    for (const right of ["C", "P"] as const) {
      const symbol = cmeOptionSymbol(code, o.date, right, strike, root.strike_unit);
      const iid = idFor(10_000_000, 80_000_000, symbol, used);
      syms.push({ symbol, iid, strike, right });
      members.push({
        book: new Book(iid, Math.round(root.option_tick * 1e9), 12, 1, 64),
        flow: deriveFlow({ ...OPTION_FLOW }),
        strike,
        call: right === "C",
        snapshotOrders: snapOrders,
      });
    }
  }
  const profile = intensityProfile("future_option_mbo", o.date);
  const snapshotRecords = members.length * (snapOrders + 1);
  const events = Math.max(100, (records - snapshotRecords) / RECORDS_PER_EVENT.future_option_mbo);
  const out = new MboOut(dayNs, 1, 1);
  const gen = new ChainDay({
    members,
    underlying: latent,
    underlyingTick: root.tick_size,
    optionTick: root.option_tick,
    expirySecond: expSec,
    cumVar: latent.cumVar,
    volPremium: 1.1,
    rate: eventRates(profile, latent.activity, events),
    rng,
    snapshotId: [ID_HI - 1, 0xffffffff - 60_000_000 - rng.int(1_000_000)],
    liveId: [ID_HI - 1, 0xffffffff - 1_500 - rng.int(500)],
    strikeStep: step,
    budget: Math.max(100, records - snapshotRecords),
    arbMargin: OPTION_ARB_MARGIN,
    reference: await underlyingMids(
      futureDay(o.seed, o.date, o.symbol, targetRecords({ ...o, productType: "future_mbo" })).gen,
      root.tick_size,
    ),
  }, out);
  const paths = synthPaths(lake, "future_option_mbo", root.root, o.date, compression);
  await guardForeign(paths);
  const main = await runMbo(
    paths.main,
    dayMetadata("GLBX.MDP3", "mbo", o.date, syms),
    compression,
    gen,
    o.onProgress,
  );
  // statistics
  const stats: StatMsg[] = [];
  const prevDay = BigInt(parseDay(o.date) - 1) * 86_400_000_000_000n;
  const dayRef = dayNs;
  let seq = 1 + rng.int(1000);
  const expNs = dayNs + BigInt(expSec) * 1_000_000_000n;
  const tickInt = Math.round(root.option_tick * 1e9);
  const [f0, sd0] = [
    latent.x[0] * root.tick_size,
    Math.sqrt(latent.cumVar[expSec]) * root.tick_size * 1.1,
  ];
  members.forEach((m, i) => {
    const iid = syms[i].iid;
    const theo = Math.max(1, Math.round(gen.theo(m, f0, sd0 * 1.15)));
    stats.push(
      statRecord({
        publisher: 1,
        iid,
        ts: dayNs + 1_000_000n + BigInt(i) * 1000n,
        tsRef: prevDay,
        statType: Stat.SETTLEMENT_PRICE,
        price: BigInt(theo * tickInt),
        sequence: seq++,
        channel: 1,
        statFlags: 1,
      }),
    );
    const z = (m.strike - f0) / Math.max(sd0, step);
    const oi = Math.round(50 + 3000 * Math.exp(-0.5 * z * z) * (0.5 + rng.next()));
    stats.push(
      statRecord({
        publisher: 1,
        iid,
        ts: dayNs + 2_000_000n + BigInt(i) * 1000n,
        tsRef: prevDay,
        statType: Stat.OPEN_INTEREST,
        quantity: BigInt(oi),
        sequence: seq++,
        channel: 1,
      }),
    );
    const b = m.book;
    if (b.trades > 0) {
      stats.push(
        statRecord({
          publisher: 1,
          iid,
          ts: dayNs + BigInt(Math.floor(b.firstTradeT)),
          statType: Stat.OPENING_PRICE,
          price: BigInt(b.firstTradeTick * tickInt),
          sequence: 0,
          channel: 1,
        }),
      );
      const endTs = expNs + 300_000_000_000n + BigInt(i) * 1000n;
      stats.push(
        statRecord({
          publisher: 1,
          iid,
          ts: endTs,
          statType: Stat.SESSION_HIGH,
          price: BigInt(b.highTick * tickInt),
          sequence: 0,
          channel: 1,
        }),
      );
      stats.push(
        statRecord({
          publisher: 1,
          iid,
          ts: endTs + 1n,
          statType: Stat.SESSION_LOW,
          price: BigInt(b.lowTick * tickInt),
          sequence: 0,
          channel: 1,
        }),
      );
      stats.push(
        statRecord({
          publisher: 1,
          iid,
          ts: endTs + 2n,
          tsRef: dayRef,
          statType: Stat.CLEARED_VOLUME,
          quantity: BigInt(b.volume),
          sequence: 0,
          channel: 1,
        }),
      );
    }
  });
  stats.sort((a, b) => (a.ts_recv < b.ts_recv ? -1 : a.ts_recv > b.ts_recv ? 1 : 0));
  stats.forEach((s, i) => (s.sequence = seq + i));
  const statFile = await writeRecordsFile(
    paths.statistics!,
    dayMetadata("GLBX.MDP3", "statistics", o.date, syms),
    stats,
    compression,
  );
  // definitions
  const expiration = expNs;
  const defs = syms.map((s) =>
    futureOptionDefinition({
      iid: s.iid,
      symbol: s.symbol,
      code,
      right: s.right,
      strike: s.strike,
      underlying: contract,
      underlyingId: futId,
      tick: root.option_tick,
      multiplier: root.multiplier,
      unit: root.unit_of_measure,
      exchange: root.exchange,
      expiration,
      ts: dayNs,
      channel: 1,
    })
  );
  const defFile = await writeRecordsFile(
    paths.definition,
    dayMetadata("GLBX.MDP3", "definition", o.date, syms),
    defs,
    compression,
  );
  const parent = `${code}.OPT`;
  const resolved = {
    raw_symbols: syms.map((s) => s.symbol).sort(),
    label: optionParentsFor(root.root, o.date).length ? "0dte" : `nearest_${o.date}`,
    parent,
  };
  await writeAtomic(paths.resolved!, JSON.stringify(resolved, null, 2) + "\n");
  const files = [main, statFile, defFile, {
    path: paths.resolved!,
    schema: "json",
    records: syms.length,
  }];
  return await finish(
    o,
    paths.sidecar,
    contract,
    root.root,
    files,
    counts(out.actionCounts, out.total),
    [],
    latent,
    root.tick_size,
    {
      options: syms.length,
      strikes: syms.length / 2,
      option_code: code,
      underlying_id: futId,
    },
  );
}

/** Builds the equity's day generator (exported for tests). */
export function equityDay(
  seed: number,
  date: string,
  symbol: string | undefined,
  records: number,
): { gen: SingleBookDay; eq: EquityTicker; iid: number; latent: LatentDay } {
  const eq = resolveEquity(symbol);
  const iid = idFor(1_000, 15_000, eq.ticker, new Set());
  const { latent, vacuums, walls } = equityLatent(seed, eq, date, records);
  const profile = intensityProfile("equity_mbo", date);
  const rng = new Rng(seed, `${eq.ticker}|mbo|${date}`);
  const target = liveOrders(records, EQUITY_FLOW.target);
  const flow: FlowParams = deriveFlow({ ...EQUITY_FLOW, target });
  const events = Math.max(100, records / RECORDS_PER_EVENT.equity_mbo);
  const book = new Book(iid, 10_000_000, 14, 0, target * 2);
  const out = new MboOut(dayStartNs(date), 2, 0);
  const gen = new SingleBookDay({
    book,
    flow,
    latent,
    rate: eventRates(profile, latent.activity, events),
    rng,
    snapshotOrders: 0,
    snapshotId: [0, 0],
    liveId: [ID_HI - 1, 0xffffffff - 1_500 - rng.int(500)],
    clearSecond: easternToUtcSecond(date, 3, 59),
    haltSecond: -1,
    preopenSecond: -1,
    reopenSecond: -1,
    dayOrderFraction: 0,
    vacuums,
    walls,
    lot: 100,
    purgeDist: 5000,
    budget: records,
  }, out);
  return { gen, eq, iid, latent };
}

async function generateEquity(
  o: SynthDayOptions,
  lake: string,
  compression: "zstd" | "none",
): Promise<SynthDayResult> {
  const records = targetRecords(o);
  const { gen, eq, iid, latent } = equityDay(o.seed, o.date, o.symbol, records);
  const paths = synthPaths(lake, "equity_mbo", eq.ticker, o.date, compression);
  await guardForeign(paths);
  const dayNs = dayStartNs(o.date);
  const main = await runMbo(
    paths.main,
    dayMetadata("XNAS.ITCH", "mbo", o.date, [{ symbol: eq.ticker, iid }]),
    compression,
    gen,
    o.onProgress,
  );
  const defFile = await writeRecordsFile(
    paths.definition,
    dayMetadata("XNAS.ITCH", "definition", o.date, [{ symbol: eq.ticker, iid }]),
    [equityDefinition({ iid, symbol: eq.ticker, ts: dayNs })],
    compression,
  );
  const episodes = gen.episodes.map((e) => episodeOut(e, dayNs, eq.tick_size, iid));
  return await finish(
    o,
    paths.sidecar,
    eq.ticker,
    eq.ticker,
    [main, defFile],
    counts(gen.out.actionCounts, gen.out.total),
    episodes,
    latent,
    eq.tick_size,
  );
}

/** OPRA venues quoting the synthetic chains (publisher ids; 30 is the consolidated OPRA id). */
export const OPRA_VENUES: readonly number[] = [
  20,
  21,
  22,
  23,
  24,
  25,
  26,
  27,
  28,
  29,
  31,
  32,
  33,
  34,
  35,
  36,
];

async function generateEquityOptions(
  o: SynthDayOptions,
  lake: string,
  compression: "zstd" | "none",
): Promise<SynthDayResult> {
  const records = targetRecords(o);
  const eq = resolveEquity(o.symbol);
  const used = new Set<number>();
  const eqId = idFor(1_000, 15_000, eq.ticker, used);
  const { latent } = equityLatent(o.seed, eq, o.date, records);
  const dayNs = dayStartNs(o.date);
  const openSec = easternToUtcSecond(o.date, 9, 30), expSec = easternToUtcSecond(o.date, 16);
  let lo = Infinity, hi = -Infinity;
  for (let s = openSec; s <= expSec; s++) {
    const f = latent.x[s] * eq.tick_size;
    if (f < lo) lo = f;
    if (f > hi) hi = f;
  }
  const margin = records >= 1_000_000 ? 25 : 10;
  const step = eq.strike_step;
  const members: OpraMember[] = [];
  const syms: { symbol: string; iid: number; strike: number; right: "C" | "P" }[] = [];
  for (let k = Math.floor(lo / step) - margin; k <= Math.ceil(hi / step) + margin; k++) {
    const strike = Number((k * step).toFixed(6));
    if (strike <= 0) continue;
    for (const right of ["C", "P"] as const) {
      const symbol = opraSymbol(eq.ticker, o.date, right, strike);
      const iid = idFor(900_000_000, 1_000_000_000, symbol, used);
      syms.push({ symbol, iid, strike, right });
      members.push({
        iid,
        strike,
        call: right === "C",
        volume: 0,
        trades: 0,
        firstTradeT: -1,
        firstTradeTick: 0,
        highTick: 0,
        lowTick: 0x3fffffff,
        lastTradeTick: 0,
      });
    }
  }
  const rng = new Rng(o.seed, `${eq.ticker}|opra|${o.date}`);
  const profile = intensityProfile("equity_option_cmbp_1", o.date);
  const opening = members.length * OPRA_VENUES.length;
  const events = Math.max(100, (records - opening) / RECORDS_PER_EVENT.equity_option_cmbp_1);
  const gen = new CmbpDay({
    members,
    venues: [...OPRA_VENUES],
    underlying: latent,
    underlyingTick: eq.tick_size,
    optionTick: eq.option_tick,
    expirySecond: expSec,
    openSecond: openSec,
    volPremium: 1.1,
    strikeStep: step,
    rate: eventRates(profile, latent.activity, events),
    rng,
    dayStartNs: dayNs,
    pTrade: 0.04,
    budget: Math.max(100, records - opening),
    arbMargin: OPTION_ARB_MARGIN,
    reference: await underlyingMids(
      equityDay(o.seed, o.date, o.symbol, targetRecords({ ...o, productType: "equity_mbo" })).gen,
      eq.tick_size,
    ),
  });
  const paths = synthPaths(lake, "equity_option_cmbp_1", eq.ticker, o.date, compression);
  await guardForeign(paths);
  const meta = dayMetadata("OPRA.PILLAR", "cmbp-1", o.date, syms);
  const w = await DbnWriter.create(paths.main, meta, { compression });
  try {
    await gen.generate({
      writeCmbp1: async (c, s, e) => {
        await w.writeCmbp1(c, s, e);
        o.onProgress?.(w.records);
      },
    });
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
  const main: SynthFile = { path: paths.main, schema: "cmbp-1", records: gen.total };
  // statistics: open interest before the open; opening, high, low, close and volume at the close
  const tickInt = Math.round(eq.option_tick * 1e9);
  const stats: StatMsg[] = [];
  const oiTs = dayNs + BigInt(easternToUtcSecond(o.date, 6, 30)) * 1_000_000_000n;
  const closeTs = dayNs + BigInt(easternToUtcSecond(o.date, 16, 15)) * 1_000_000_000n;
  const prevDay = BigInt(parseDay(o.date) - 1) * 86_400_000_000_000n;
  const s0 = latent.x[openSec] * eq.tick_size;
  members.forEach((m, i) => {
    const z = (m.strike - s0) / (eq.strike_step * 4);
    const oi = Math.round(20 + 8000 * Math.exp(-0.5 * z * z) * (0.5 + rng.next()));
    stats.push(
      statRecord({
        publisher: 30,
        iid: m.iid,
        ts: oiTs + BigInt(i) * 1000n,
        tsRef: prevDay,
        statType: Stat.OPEN_INTEREST,
        quantity: BigInt(oi),
        sequence: 0,
        channel: 0,
      }),
    );
    if (m.trades > 0) {
      const pub = OPRA_VENUES[i % OPRA_VENUES.length];
      stats.push(
        statRecord({
          publisher: pub,
          iid: m.iid,
          ts: dayNs + BigInt(Math.floor(m.firstTradeT)),
          statType: Stat.OPENING_PRICE,
          price: BigInt(m.firstTradeTick * tickInt),
          sequence: 0,
          channel: 0,
        }),
      );
      const t = closeTs + BigInt(i) * 1000n;
      stats.push(
        statRecord({
          publisher: 30,
          iid: m.iid,
          ts: t,
          statType: Stat.SESSION_HIGH,
          price: BigInt(m.highTick * tickInt),
          sequence: 0,
          channel: 0,
        }),
      );
      stats.push(
        statRecord({
          publisher: 30,
          iid: m.iid,
          ts: t + 1n,
          statType: Stat.SESSION_LOW,
          price: BigInt(m.lowTick * tickInt),
          sequence: 0,
          channel: 0,
        }),
      );
      stats.push(
        statRecord({
          publisher: 30,
          iid: m.iid,
          ts: t + 2n,
          statType: Stat.CLOSE_PRICE,
          price: BigInt(m.lastTradeTick * tickInt),
          sequence: 0,
          channel: 0,
        }),
      );
      stats.push(
        statRecord({
          publisher: 30,
          iid: m.iid,
          ts: t + 3n,
          tsRef: dayNs,
          statType: Stat.CLEARED_VOLUME,
          quantity: BigInt(m.volume),
          sequence: 0,
          channel: 0,
        }),
      );
    }
  });
  stats.sort((a, b) => (a.ts_recv < b.ts_recv ? -1 : a.ts_recv > b.ts_recv ? 1 : 0));
  const statFile = await writeRecordsFile(
    paths.statistics!,
    dayMetadata("OPRA.PILLAR", "statistics", o.date, syms),
    stats,
    compression,
  );
  const expiration = dayNs; // OPRA: 00:00 UTC of the expiry date
  const defs = syms.map((s) =>
    opraDefinition({
      iid: s.iid,
      symbol: s.symbol,
      ticker: eq.ticker,
      right: s.right,
      strike: s.strike,
      expiration,
      ts: dayNs,
      tick: eq.option_tick,
      underlyingId: eqId,
    })
  );
  const defFile = await writeRecordsFile(
    paths.definition,
    dayMetadata("OPRA.PILLAR", "definition", o.date, syms),
    defs,
    compression,
  );
  const c: Record<string, number> = { records: gen.total };
  for (const a of "AT") c[a] = gen.actionCounts[a.charCodeAt(0)];
  return await finish(
    o,
    paths.sidecar,
    eq.ticker,
    eq.ticker,
    [main, statFile, defFile],
    c,
    [],
    latent,
    eq.tick_size,
    {
      options: syms.length,
      venues: OPRA_VENUES.length,
      underlying_id: eqId,
    },
  );
}

async function finish(
  o: SynthDayOptions,
  sidecar: string,
  symbol: string,
  root: string,
  files: SynthFile[],
  c: Record<string, number>,
  episodes: SynthEpisode[],
  latent: LatentDay,
  tick: number,
  extra: Record<string, unknown> = {},
): Promise<SynthDayResult> {
  let lo = Infinity, hi = -Infinity;
  for (const v of latent.x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const doc = {
    generator: "spymaster-synth",
    format: 1,
    product_type: o.productType,
    date: o.date,
    seed: o.seed,
    scale: o.events !== undefined ? `events:${o.events}` : (o.scale ?? "small"),
    symbol,
    root,
    files: files.map((f) => ({ ...f, path: f.path.split("/").slice(-1)[0] })),
    counts: c,
    latent: {
      open: Number((latent.x[0] * tick).toFixed(6)),
      close: Number((latent.x[86_400] * tick).toFixed(6)),
      low: Number((lo * tick).toFixed(6)),
      high: Number((hi * tick).toFixed(6)),
    },
    ...extra,
    episodes,
  };
  await writeAtomic(sidecar, JSON.stringify(doc, null, 2) + "\n");
  return {
    productType: o.productType,
    date: o.date,
    seed: o.seed,
    symbol,
    root,
    files,
    counts: c,
    episodes,
    sidecar,
  };
}

/**
 * Generates one synthetic trading day of `productType` into the raw lake and returns what was
 * written. Throws a `RangeError` naming the bad option for invalid input (unknown product type,
 * malformed date, weekend, bad seed, symbol or size).
 */
export async function generateDay(options: SynthDayOptions): Promise<SynthDayResult> {
  const o = options;
  if (!PRODUCT_TYPES.includes(o.productType)) {
    throw new RangeError(
      `unknown product type '${o.productType}' (expected one of ${PRODUCT_TYPES.join(", ")})`,
    );
  }
  const day = parseDay(o.date);
  const dow = weekdayOf(day);
  if (dow === 0 || dow === 6) {
    throw new RangeError(`date ${o.date} is a weekend; synthetic days are Monday to Friday`);
  }
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) {
    throw new RangeError(`seed must be a non-negative integer, got ${o.seed}`);
  }
  const lake = o.lake ?? "lake";
  const compression = o.compression ?? "zstd";
  if (compression !== "zstd" && compression !== "none") {
    throw new RangeError(`compression must be zstd or none, got '${compression}'`);
  }
  targetRecords(o); // validates scale / events
  switch (o.productType) {
    case "future_mbo":
      return await generateFuture(o, lake, compression);
    case "future_option_mbo":
      return await generateFutureOptions(o, lake, compression);
    case "equity_mbo":
      return await generateEquity(o, lake, compression);
    case "equity_option_cmbp_1":
      return await generateEquityOptions(o, lake, compression);
  }
}

/** Generates every trading day (Monday–Friday) from `start` to `end` inclusive. */
export async function generateDays(options: SynthRangeOptions): Promise<SynthDayResult[]> {
  const { start, end, ...rest } = options;
  const days = tradingDays(start, end);
  if (days.length === 0) throw new RangeError(`no trading days between ${start} and ${end}`);
  const out: SynthDayResult[] = [];
  for (const date of days) out.push(await generateDay({ ...rest, date }));
  return out;
}

/** Result of {@linkcode benchSynthMbo}. */
export interface SynthBenchResult {
  /** MBO records generated. */
  records: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** Records per second. */
  records_per_second: number;
}

/**
 * Benchmark hook: generates a synthetic future MBO day of about `events` records and writes it to
 * `path` (or discards it when `path` is omitted, timing generation alone).
 */
export async function benchSynthMbo(options: {
  events: number;
  path?: string;
  seed?: number;
  date?: string;
  compression?: "zstd" | "none";
}): Promise<SynthBenchResult> {
  const date = options.date ?? "2026-01-06";
  const seed = options.seed ?? 1;
  const t0 = performance.now();
  const { gen, contract, iid } = futureDay(seed, date, "MNQ", options.events);
  let sink: MboSink;
  let close = async () => {};
  if (options.path) {
    const w = await DbnWriter.create(
      options.path,
      dayMetadata("GLBX.MDP3", "mbo", date, [{ symbol: contract, iid }]),
      {
        compression: options.compression ?? (options.path.endsWith(".zst") ? "zstd" : "none"),
      },
    );
    sink = w;
    close = () => w.close();
  } else {
    sink = { writeMbo: () => Promise.resolve() };
  }
  let pending = Promise.resolve();
  for (;;) {
    const done = gen.run();
    await pending;
    pending = gen.out.flushSwap(sink);
    if (done) break;
  }
  await pending;
  await close();
  const seconds = (performance.now() - t0) / 1000;
  return { records: gen.out.total, seconds, records_per_second: gen.out.total / seconds };
}
