/**
 * Honest evaluation of the forecast on held-out windows, side by side with three baselines fitted
 * on the same training windows (no move, persistence of the last velocity, linear best-level
 * order-flow imbalance), with 95 % confidence intervals and a confidence reliability table.
 *
 * Per horizon h and model, over origins whose outcome `S_{t+h} − S_t` is known:
 * - `sign_hit_rate`: share of the moves that happened (outcome ≠ 0) whose sign the model called
 *   (a 0 prediction is a miss). The original counted `0 == 0` as a hit, which rewards predicting
 *   nothing on a mostly flat tape; that number is kept as `legacy_sign_hit_rate` for comparison.
 * - `flat_share`: share of flat outcomes (the same for every model).
 * - `mae_ticks`: mean |prediction − outcome| in lattice units.
 * - `called_share` and `precision`: share of non-zero predictions, and of those, the share whose
 *   sign the outcome followed.
 *
 * Intervals: block bootstrap (non-overlapping blocks of `blockSeconds` consecutive origins within
 * a day, resampled with replacement, percentile 2.5/97.5), because origins one second apart share
 * most of their outcome path and are far from independent. The same resampled blocks are used for
 * every model, so the model-minus-baseline differences are paired. Reliability bins use Wilson
 * score intervals (analytic) on their hit rate.
 *
 * @module
 */
import { quantileSorted } from "simple-statistics";
import type { Baselines, SeriesPart } from "./fit.ts";
import { originsOf } from "./fit.ts";
import { rint } from "./forecast_math.ts";

/** The model's forecasts of a series: row-major `windows × horizon`, horizons 1..horizon. */
export interface ModelPredictions {
  /** Horizons per window. */
  horizon: number;
  /** `rint(δ_h)` per window and horizon. */
  delta: Float64Array;
  /** Confidence per window and horizon. */
  confidence: Float64Array;
}

/** A held-out series part with the model's forecasts of its windows. */
export interface EvalPart extends SeriesPart {
  /** Forecasts aligned with `series` windows. */
  predictions: ModelPredictions;
}

/** A point estimate with its 95 % interval (`null` bounds when undefined, e.g. no moves). */
export interface Interval {
  /** Point estimate on all samples. */
  value: number | null;
  /** Lower bound. */
  lo: number | null;
  /** Upper bound. */
  hi: number | null;
}

/** Metrics of one model at one horizon. */
export interface ModelMetrics {
  /** Share of the moves (outcome ≠ 0) whose sign was called. */
  sign_hit_rate: Interval;
  /** Mean absolute error in lattice units. */
  mae_ticks: Interval;
  /** Share of non-zero predictions. */
  called_share: number;
  /** Share of non-zero predictions whose sign the outcome followed. */
  precision: Interval;
  /** The original's metric (`0 == 0` counts as a hit), for comparison only. */
  legacy_sign_hit_rate: number | null;
}

/** Model minus baseline (paired bootstrap). */
export interface Comparison {
  /** Sign hit rate difference (positive: the model calls more moves right). */
  hit_rate_diff: Interval;
  /** MAE difference (negative: the model errs less). */
  mae_diff: Interval;
}

/** Metrics at one horizon. */
export interface HorizonMetrics {
  /** Origins with a known outcome. */
  samples: number;
  /** Origins whose outcome is not flat. */
  moves: number;
  /** Share of flat outcomes. */
  flat_share: Interval;
  /** Metrics per model. */
  models: Record<ModelName, ModelMetrics>;
  /** Model minus each baseline. */
  vs_baselines: Record<Exclude<ModelName, "model">, Comparison>;
}

/** A reliability bin. */
export interface ReliabilityBin {
  /** Lowest confidence in the bin. */
  min_conf: number;
  /** Highest confidence in the bin. */
  max_conf: number;
  /** Mean confidence in the bin. */
  mean_conf: number;
  /** Share of hits in the bin. */
  hit_rate: number;
  /** Pairs in the bin. */
  count: number;
  /** Wilson 95 % interval of `hit_rate`. */
  lo: number;
  /** Upper bound. */
  hi: number;
}

/** Confidence reliability table. */
export interface Reliability {
  /** Equal-count bins by ascending confidence. */
  bins: ReliabilityBin[];
  /** Hit rates non-decreasing with confidence (tolerance 1e-12). */
  monotonic: boolean;
  /** Pairs binned (directional forecasts with a known outcome, all horizons pooled). */
  pairs: number;
}

/** The evaluation. */
export interface EvaluationReport {
  /** Metrics per horizon (seconds as keys). */
  horizons: Record<string, HorizonMetrics>;
  /** Reliability of the model's confidence. */
  reliability: Reliability;
  /** How the intervals were computed. */
  intervals: { method: string; block_seconds: number; resamples: number; seed: number };
}

/** Models compared. */
export type ModelName = "model" | "no_move" | "persistence" | "ofi";
const MODELS: readonly ModelName[] = ["model", "no_move", "persistence", "ofi"];

/** Options of {@linkcode evaluate}. */
export interface EvaluateOptions {
  /** Horizons (seconds), each ≤ the predictions' horizon. */
  horizons: readonly number[];
  /** Bootstrap block length in seconds (default 60). */
  blockSeconds?: number;
  /** Bootstrap resamples (default 1000). */
  resamples?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Reliability bins (default 10). */
  bins?: number;
}

/** mulberry32: a small deterministic PRNG for the bootstrap. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Wilson score interval (95 %) of `k` successes in `n`. */
export function wilson(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [NaN, NaN];
  const p = k / n, z2 = z * z, den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / den;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * The original's confidence calibration (pipeline.md §5.5): sort by confidence (stable), split
 * into `min(bins, n)` consecutive chunks of nearly equal size (the first `n mod k` one larger),
 * per chunk min/max/mean confidence and hit rate; `monotonic` when hit rates never decrease.
 */
export function reliabilityTable(
  confidence: ArrayLike<number>,
  hit: ArrayLike<number>,
  bins = 10,
): Reliability {
  const n = confidence.length;
  if (n === 0) return { bins: [], monotonic: false, pairs: 0 };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    confidence[a] - confidence[b] || a - b
  );
  const k = Math.min(bins, n), base = Math.floor(n / k), extra = n % k;
  const out: ReliabilityBin[] = [];
  let pos = 0;
  for (let c = 0; c < k; c++) {
    const size = base + (c < extra ? 1 : 0);
    let sum = 0, hits = 0, lo = Infinity, hi = -Infinity;
    for (let i = pos; i < pos + size; i++) {
      const v = confidence[order[i]];
      sum += v;
      hits += hit[order[i]] ? 1 : 0;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const [wl, wh] = wilson(hits, size);
    out.push({
      min_conf: lo,
      max_conf: hi,
      mean_conf: sum / size,
      hit_rate: hits / size,
      count: size,
      lo: wl,
      hi: wh,
    });
    pos += size;
  }
  let monotonic = true;
  for (let i = 1; i < out.length; i++) {
    if (out[i].hit_rate < out[i - 1].hit_rate - 1e-12) monotonic = false;
  }
  return { bins: out, monotonic, pairs: n };
}

/** Baseline predictions of an origin (whole lattice units). */
export function baselinePrediction(
  b: Baselines,
  model: Exclude<ModelName, "model">,
  hi: number,
  v0: number,
  ofi: number,
): number {
  if (model === "no_move") return 0;
  if (model === "persistence") return rint(b.persistence[hi] * v0);
  const o = b.ofi[hi];
  return rint(o.intercept + o.slope * (Number.isFinite(ofi) ? ofi : 0));
}

// per-block sums of one horizon
interface BlockSums {
  n: Float64Array;
  moves: Float64Array;
  hits: Float64Array[];
  abs: Float64Array[];
  called: Float64Array[];
  calledHits: Float64Array[];
  legacy: Float64Array[];
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

function interval(value: number | null, draws: number[]): Interval {
  const v = draws.filter(Number.isFinite).sort((a, b) => a - b);
  if (value === null || v.length === 0) return { value, lo: null, hi: null };
  return { value, lo: quantileSorted(v, 0.025), hi: quantileSorted(v, 0.975) };
}

/** Evaluates the model and the baselines on held-out parts. */
export function evaluate(
  parts: readonly EvalPart[],
  baselines: Baselines,
  options: EvaluateOptions,
): EvaluationReport {
  const horizons = [...options.horizons];
  const blockSeconds = options.blockSeconds ?? 60, B = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  for (const h of horizons) {
    const hi = baselines.horizons.indexOf(h);
    if (hi < 0) throw new RangeError(`baselines were not fitted for horizon ${h}`);
  }
  // samples per horizon, with their block
  const perH = horizons.map(() => ({
    block: [] as number[],
    act: [] as number[],
    pred: MODELS.map(() => [] as number[]),
    conf: [] as number[],
  }));
  const blockIds = new Map<string, number>();
  parts.forEach((p, pi) => {
    const o = originsOf(p.series, horizons, p.from, p.to);
    const H = p.predictions.horizon;
    const first = o.index.length ? p.series.sec[o.index[0]] : 0;
    horizons.forEach((h, hi) => {
      if (h > H) throw new RangeError(`horizon ${h} exceeds the forecast horizon ${H}`);
      const bi = baselines.horizons.indexOf(h);
      const s = perH[hi];
      for (let k = 0; k < o.index.length; k++) {
        const y = o.actual[hi][k];
        if (Number.isNaN(y)) continue;
        const t = o.index[k];
        const key = `${pi}:${Math.floor((p.series.sec[t] - first) / blockSeconds)}`;
        let b = blockIds.get(key);
        if (b === undefined) blockIds.set(key, b = blockIds.size);
        s.block.push(b);
        s.act.push(y);
        s.pred[0].push(p.predictions.delta[t * H + h - 1]);
        s.conf.push(p.predictions.confidence[t * H + h - 1]);
        const ofi = p.series.ofi[t];
        s.pred[1].push(baselinePrediction(baselines, "no_move", bi, o.v0[k], ofi));
        s.pred[2].push(baselinePrediction(baselines, "persistence", bi, o.v0[k], ofi));
        s.pred[3].push(baselinePrediction(baselines, "ofi", bi, o.v0[k], ofi));
      }
    });
  });
  const nb = blockIds.size;
  const rand = prng(seed);
  // the same resampled blocks for every horizon and model
  const draws: Int32Array[] = [];
  for (let r = 0; r < B; r++) {
    const d = new Int32Array(nb);
    for (let i = 0; i < nb; i++) d[i] = Math.floor(rand() * nb);
    draws.push(d);
  }
  const out: Record<string, HorizonMetrics> = {};
  const relConf: number[] = [], relHit: number[] = [];
  horizons.forEach((h, hi) => {
    const s = perH[hi];
    const z = () => new Float64Array(nb);
    const bs: BlockSums = {
      n: z(),
      moves: z(),
      hits: MODELS.map(z),
      abs: MODELS.map(z),
      called: MODELS.map(z),
      calledHits: MODELS.map(z),
      legacy: MODELS.map(z),
    };
    for (let i = 0; i < s.act.length; i++) {
      const b = s.block[i], y = s.act[i], sy = Math.sign(y);
      bs.n[b]++;
      if (y !== 0) bs.moves[b]++;
      MODELS.forEach((_, m) => {
        const p = s.pred[m][i], sp = Math.sign(p);
        bs.abs[m][b] += Math.abs(p - y);
        if (sp === sy) bs.legacy[m][b]++;
        if (p !== 0) bs.called[m][b]++;
        if (y !== 0 && sp === sy) {
          bs.hits[m][b]++;
          bs.calledHits[m][b]++;
        }
      });
      if (s.pred[0][i] !== 0) {
        relConf.push(s.conf[i]);
        relHit.push(Math.sign(s.pred[0][i]) === sy ? 1 : 0);
      }
    }
    const total = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    const N = total(bs.n), M = total(bs.moves);
    type Sum = (a: Float64Array) => number;
    const stat = (which: (sum: Sum) => number | null) => ({
      point: which(total),
      draws: draws.map((d) => {
        const sum: Sum = (a) => {
          let x = 0;
          for (let i = 0; i < nb; i++) x += a[d[i]];
          return x;
        };
        return which(sum) ?? NaN;
      }),
    });
    const hitOf = (m: number) => (sum: Sum) => ratio(sum(bs.hits[m]), sum(bs.moves));
    const maeOf = (m: number) => (sum: Sum) => ratio(sum(bs.abs[m]), sum(bs.n));
    const precOf = (m: number) => (sum: Sum) => ratio(sum(bs.calledHits[m]), sum(bs.called[m]));
    const models = {} as Record<ModelName, ModelMetrics>;
    const hitDraws: number[][] = [], maeDraws: number[][] = [];
    const hitPoint: (number | null)[] = [], maePoint: (number | null)[] = [];
    MODELS.forEach((name, m) => {
      const hit = stat(hitOf(m)), mae = stat(maeOf(m)), prec = stat(precOf(m));
      hitDraws.push(hit.draws);
      maeDraws.push(mae.draws);
      hitPoint.push(hit.point);
      maePoint.push(mae.point);
      models[name] = {
        sign_hit_rate: interval(hit.point, hit.draws),
        mae_ticks: interval(mae.point, mae.draws),
        called_share: N > 0 ? total(bs.called[m]) / N : 0,
        precision: interval(prec.point, prec.draws),
        legacy_sign_hit_rate: ratio(total(bs.legacy[m]), N),
      };
    });
    const flat = stat((sum) => {
      const n = sum(bs.n);
      return n > 0 ? 1 - sum(bs.moves) / n : null;
    });
    const vs = {} as Record<Exclude<ModelName, "model">, Comparison>;
    MODELS.slice(1).forEach((name, k) => {
      const m = k + 1;
      const diff = (p: (number | null)[], d: number[][]) =>
        interval(
          p[0] !== null && p[m] !== null ? p[0] - p[m]! : null,
          d[0].map((x, r) => x - d[m][r]),
        );
      vs[name as Exclude<ModelName, "model">] = {
        hit_rate_diff: diff(hitPoint, hitDraws),
        mae_diff: diff(maePoint, maeDraws),
      };
    });
    out[String(h)] = {
      samples: N,
      moves: M,
      flat_share: interval(flat.point, flat.draws),
      models,
      vs_baselines: vs,
    };
  });
  return {
    horizons: out,
    reliability: reliabilityTable(relConf, relHit, options.bins ?? 10),
    intervals: {
      method:
        "block bootstrap, non-overlapping blocks of consecutive origins within a day, percentile 95 %; reliability bins: Wilson score 95 %",
      block_seconds: blockSeconds,
      resamples: B,
      seed,
    },
  };
}

/**
 * Whether the model beats a baseline at a horizon: its MAE is lower and its sign hit rate higher,
 * each with the 95 % interval of the paired difference excluding 0. `"worse"` when both
 * intervals exclude 0 the other way, `"inconclusive"` otherwise.
 */
export function verdict(c: Comparison): "better" | "worse" | "mixed" | "inconclusive" {
  const maeBetter = c.mae_diff.hi !== null && c.mae_diff.hi < 0;
  const maeWorse = c.mae_diff.lo !== null && c.mae_diff.lo > 0;
  const hitBetter = c.hit_rate_diff.lo !== null && c.hit_rate_diff.lo > 0;
  const hitWorse = c.hit_rate_diff.hi !== null && c.hit_rate_diff.hi < 0;
  if (maeBetter && hitBetter) return "better";
  if (maeWorse && hitWorse) return "worse";
  if ((maeBetter || hitBetter) && (maeWorse || hitWorse)) return "mixed";
  return "inconclusive";
}
