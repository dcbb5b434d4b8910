/**
 * Query-parameter validation of the stream endpoints. Every parameter is checked against an
 * allow-list or a pattern before the WebSocket upgrade: a bad request gets HTTP 400 with a
 * message naming the parameter (the original accepted `speed=0` and divided by zero).
 *
 * @module
 */
import { checkDate, RAW_SOURCES, type RawSource } from "@spymaster/sdk/lake";

/** A rejected request: `param` names the offending query parameter. */
export class ParamError extends Error {
  /** Creates the error for `param`. */
  constructor(readonly param: string, message: string) {
    super(message);
    this.name = "ParamError";
  }
}

/** Longest accepted query string value. */
export const MAX_PARAM_LENGTH = 64;
/** Largest numeric `speed` (times real time); `speed=max` streams as fast as the client reads. */
export const MAX_SPEED = 10_000;
/** Largest `skip_minutes` (one day). */
export const MAX_SKIP_MINUTES = 1440;

/** Surfaces of the velocity stream, in wire order. */
export const VELOCITY_SURFACES = ["snap", "velocity", "options", "forecast"] as const;
/** A velocity surface. */
export type VelocitySurface = typeof VELOCITY_SURFACES[number];
/**
 * Where a stream's windows come from: `lake` (default) reads the day's silver partitions;
 * `replay` computes them live from the day's raw DBN files (no pipeline run needed).
 */
export const STREAM_SOURCES = ["lake", "replay"] as const;
/** A stream source. */
export type StreamSource = typeof STREAM_SOURCES[number];
/** Velocity surfaces a replay cannot serve (the options chain needs its own pipeline run). */
export const NOT_REPLAYED: readonly string[] = ["options"];

/** Surfaces of the vacuum-pressure stream, in wire order. */
export const VP_SURFACES = ["snap", "flow", "signals"] as const;
/** A vacuum-pressure surface. */
export type VpSurface = typeof VP_SURFACES[number];

/** Parameters shared by both streams. */
export interface StreamParams {
  /** Product type (`future_mbo` for velocity; `future_mbo` or `equity_mbo` for VP). */
  product_type: "future_mbo" | "equity_mbo";
  /** Contract (`MNQH6`) or ticker (`QQQ`). */
  symbol: string;
  /** Session date `YYYY-MM-DD`. */
  dt: string;
  /** Times real time, `Infinity` for `speed=max`. */
  speed: number;
  /** Windows skipped at the start: `skip_minutes × 60`. */
  skip_minutes: number;
  /** Surfaces requested, in wire order. */
  surfaces: string[];
  /** Silver partitions of the lake, or a live replay of the raw files. */
  source: StreamSource;
  /** Replay only: the raw source to read (default: the only one holding the day). */
  raw_source?: RawSource;
}

/** Vacuum-pressure tuning knobs given in the query (absent ones keep the config default). */
export interface VpKnobs {
  /** EMA span of the composite before the derivatives (int, 0 < v ≤ 600). */
  pre_smooth_span?: number;
  /** EMA span of d1 (int, 0 < v ≤ 600). */
  d1_span?: number;
  /** EMA span of d2 (int, 0 < v ≤ 600). */
  d2_span?: number;
  /** EMA span of d3 (int, 0 < v ≤ 600). */
  d3_span?: number;
  /** Rolling z-score window of the smoothed composite (int, 0 < v ≤ 600). */
  smooth_zscore_window?: number;
  /** Weight of d1 (≥ 0). */
  w_d1?: number;
  /** Weight of d2 (≥ 0). */
  w_d2?: number;
  /** Weight of d3 (≥ 0). */
  w_d3?: number;
  /** Projection horizon in seconds (0 < v ≤ 600). */
  projection_horizon_s?: number;
  /** Fast projection horizon in seconds (0 < v ≤ 600). */
  fast_projection_horizon_s?: number;
}

/** Parameters of `/v1/vacuum-pressure/stream`. */
export interface VpParams extends StreamParams {
  /** Tuning knobs present in the query. */
  knobs: VpKnobs;
}

const SYMBOL_RE = /^[A-Za-z0-9][A-Za-z0-9.\-]{0,31}$/;
const DECIMAL_RE = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INT_RE = /^\d{1,9}$/;
const SPAN_KNOBS = [
  "pre_smooth_span",
  "d1_span",
  "d2_span",
  "d3_span",
  "smooth_zscore_window",
] as const;
const HORIZON_KNOBS = ["projection_horizon_s", "fast_projection_horizon_s"] as const;
const WEIGHT_KNOBS = ["w_d1", "w_d2", "w_d3"] as const;
/** Largest look-back of a VP knob, in seconds (serving.md §4.2). */
export const MAX_LOOKBACK_SECONDS = 600;

const COMMON = [
  "product_type",
  "symbol",
  "dt",
  "speed",
  "skip_minutes",
  "surfaces",
  "source",
  "raw_source",
  "token",
];

/** Reads the query: unknown names, repeated names and over-long values are rejected. */
function single(query: URLSearchParams, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of query) {
    if (!allowed.includes(k)) {
      const name = k.length > MAX_PARAM_LENGTH ? `${k.slice(0, MAX_PARAM_LENGTH)}…` : k;
      throw new ParamError(
        name,
        `unknown parameter '${name}' (accepted: ${
          allowed.filter((a) => a !== "token").join(", ")
        })`,
      );
    }
    if (out.has(k)) throw new ParamError(k, `parameter '${k}' is given more than once`);
    if (v.length > MAX_PARAM_LENGTH) {
      throw new ParamError(k, `${k}: value longer than ${MAX_PARAM_LENGTH} characters`);
    }
    out.set(k, v);
  }
  return out;
}

function required(q: Map<string, string>, name: string, hint: string): string {
  const v = q.get(name);
  if (v === undefined || v === "") throw new ParamError(name, `${name} is required (${hint})`);
  return v;
}

/** A decimal number within (min, max] (or [min, max] when `minInclusive`). */
function decimal(name: string, v: string, min: number, max: number, minInclusive = false): number {
  const x = DECIMAL_RE.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(x)) throw new ParamError(name, `${name}: expected a number, got '${v}'`);
  if (minInclusive ? x < min : x <= min) {
    throw new ParamError(name, `${name} must be ${minInclusive ? ">=" : ">"} ${min}, got ${v}`);
  }
  if (x > max) throw new ParamError(name, `${name} must be <= ${max}, got ${v}`);
  return x;
}

function integer(name: string, v: string, min: number, max: number): number {
  if (!INT_RE.test(v)) throw new ParamError(name, `${name}: expected an integer, got '${v}'`);
  const x = Number(v);
  if (x < min || x > max) {
    throw new ParamError(name, `${name} must be between ${min} and ${max}, got ${v}`);
  }
  return x;
}

function surfaces(
  q: Map<string, string>,
  all: readonly string[],
  source: StreamSource,
): string[] {
  const v = q.get("surfaces");
  if (v === undefined) {
    return source === "replay" ? all.filter((s) => !NOT_REPLAYED.includes(s)) : [...all];
  }
  const asked = v.split(",");
  for (const s of asked) {
    if (!all.includes(s)) {
      throw new ParamError(
        "surfaces",
        `surfaces: unknown surface '${s}' (valid: ${all.join(",")})`,
      );
    }
  }
  if (new Set(asked).size !== asked.length) {
    throw new ParamError("surfaces", "surfaces: a surface is listed twice");
  }
  const no = source === "replay" ? asked.filter((s) => NOT_REPLAYED.includes(s)) : [];
  if (no.length) {
    throw new ParamError(
      "surfaces",
      `surfaces: '${no[0]}' is not available with source=replay (build the day with the ` +
        "pipeline and use source=lake)",
    );
  }
  return all.filter((s) => asked.includes(s));
}

function common(
  q: Map<string, string>,
  productTypes: readonly ("future_mbo" | "equity_mbo")[],
  all: readonly string[],
): StreamParams {
  const pt = q.get("product_type") ?? productTypes[0];
  if (!(productTypes as readonly string[]).includes(pt)) {
    throw new ParamError(
      "product_type",
      `product_type: '${pt}' is not streamed here (valid: ${productTypes.join(", ")})`,
    );
  }
  const symbol = required(q, "symbol", "a contract such as MNQH6 or a ticker; see /v1/catalog");
  if (!SYMBOL_RE.test(symbol)) {
    throw new ParamError("symbol", "symbol: letters, digits, '.' and '-' only (at most 32)");
  }
  const dt = required(q, "dt", "a session date YYYY-MM-DD; see /v1/catalog");
  try {
    checkDate(dt, "dt");
  } catch (e) {
    throw new ParamError("dt", `dt: ${(e as Error).message}`);
  }
  const sp = q.get("speed");
  const speed = sp === undefined ? 1 : sp === "max" ? Infinity : decimal("speed", sp, 0, MAX_SPEED);
  const src = q.get("source") ?? "lake";
  if (!(STREAM_SOURCES as readonly string[]).includes(src)) {
    throw new ParamError(
      "source",
      `source: '${src}' is not a stream source (valid: ${STREAM_SOURCES.join(", ")})`,
    );
  }
  const source = src as StreamSource;
  const raw = q.get("raw_source");
  if (raw !== undefined && !(RAW_SOURCES as readonly string[]).includes(raw)) {
    throw new ParamError(
      "raw_source",
      `raw_source: '${raw}' is not a raw source (valid: ${RAW_SOURCES.join(", ")})`,
    );
  }
  if (raw !== undefined && source !== "replay") {
    throw new ParamError("raw_source", "raw_source: only with source=replay");
  }
  const sk = q.get("skip_minutes");
  const skip = sk === undefined ? 5 : integer("skip_minutes", sk, 0, MAX_SKIP_MINUTES);
  return {
    product_type: pt as StreamParams["product_type"],
    symbol,
    dt,
    speed,
    skip_minutes: skip,
    surfaces: surfaces(q, all, source),
    source,
    ...(raw !== undefined ? { raw_source: raw as RawSource } : {}),
  };
}

/** Validates the query of `/v1/velocity/stream` (throws {@linkcode ParamError}). */
export function parseVelocityParams(query: URLSearchParams): StreamParams {
  return common(single(query, COMMON), ["future_mbo"], VELOCITY_SURFACES);
}

/** Validates the query of `/v1/vacuum-pressure/stream` (throws {@linkcode ParamError}). */
export function parseVpParams(query: URLSearchParams): VpParams {
  const q = single(query, [...COMMON, ...SPAN_KNOBS, ...HORIZON_KNOBS, ...WEIGHT_KNOBS]);
  const params = common(q, ["equity_mbo", "future_mbo"], VP_SURFACES);
  const knobs: VpKnobs = {};
  for (const k of SPAN_KNOBS) {
    const v = q.get(k);
    if (v !== undefined) knobs[k] = integer(k, v, 1, MAX_LOOKBACK_SECONDS);
  }
  for (const k of HORIZON_KNOBS) {
    const v = q.get(k);
    if (v !== undefined) knobs[k] = decimal(k, v, 0, MAX_LOOKBACK_SECONDS);
  }
  for (const k of WEIGHT_KNOBS) {
    const v = q.get(k);
    if (v !== undefined) knobs[k] = decimal(k, v, 0, 1e6, true);
  }
  const given = WEIGHT_KNOBS.filter((k) => knobs[k] !== undefined);
  if (given.length === 3 && knobs.w_d1! + knobs.w_d2! + knobs.w_d3! <= 0) {
    throw new ParamError("w_d1", "w_d1, w_d2, w_d3: at least one derivative weight must be > 0");
  }
  return { ...params, knobs };
}

/** Reads a decimal `speed` control value (same rules as the query parameter). */
export function parseSpeed(v: unknown): number {
  if (v === "max") return Infinity;
  if (typeof v === "number") v = String(v);
  if (typeof v !== "string") throw new ParamError("speed", "speed: expected a number or 'max'");
  return decimal("speed", v, 0, MAX_SPEED);
}
