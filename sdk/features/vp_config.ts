/**
 * Vacuum-pressure configuration: the runtime config resolver (instrument constants and the
 * `config_version` hash, serving.md §4.1), the gold signal knobs (`GoldSignalConfig`, §4.2) and
 * the dollar-space formula constants (§4.4).
 *
 * `config_version` is the first 12 hex digits of SHA-256 over `k=v|…` of the 11 config fields
 * sorted by key, values written as Python's `str()` writes them — so it is identical to the
 * original's for the same inputs (`QQQ` → `8cd9c5552451`). {@linkcode pyFloatRepr} implements
 * Python's float text (shortest round trip, `1e-09`, `5e-05`, `1.0`).
 *
 * @module
 */
import { join } from "node:path";
import { sha256Hex } from "../lake/contracts.ts";
import { DEFAULT_CONFIG_DIR } from "../lake/datasets.ts";
import { loadProducts, type ProductTable } from "../lake/products.ts";

/** The product types the vacuum-pressure detector runs on. */
export type VpProductType = "equity_mbo" | "future_mbo";

/** Every {@linkcode VpProductType}, in the original's order. */
export const VP_PRODUCT_TYPES: readonly VpProductType[] = ["equity_mbo", "future_mbo"];

/** Unit of the quantities of a product: shares (equities) or contracts (futures). */
export type QtyUnit = "shares" | "contracts";

/**
 * The resolved instrument constants of one (product type, symbol): the 12 keys of the original's
 * `VPRuntimeConfig.to_dict()`.
 */
export interface VpRuntimeConfig {
  /** `equity_mbo` or `future_mbo`. */
  product_type: VpProductType;
  /** Ticker or futures contract as given (e.g. `QQQ`, `MNQH6`). */
  symbol: string;
  /** The ticker (equities) or the longest configured root that prefixes the contract. */
  symbol_root: string;
  /** Fixed-point scale of `*_price_int`: 1e-9. */
  price_scale: number;
  /** Instrument tick in dollars. */
  tick_size: number;
  /** Width of one silver `rel_ticks` step in dollars (equity $0.50 buckets; futures = tick). */
  bucket_size_dollars: number;
  /** Same as `bucket_size_dollars` (kept for the original's protocol). */
  rel_tick_size: number;
  /** Half-width of the grid, in `rel_ticks`. */
  grid_max_ticks: number;
  /** Dollars per point (1 for equities). */
  contract_multiplier: number;
  /** Unit of every quantity (`add_qty`, depths, …). */
  qty_unit: QtyUnit;
  /** Decimals used to print prices. */
  price_decimals: number;
  /** 12-hex-digit hash of the 11 fields above (see {@linkcode vpConfigVersion}). */
  config_version: string;
}

/** Fields of {@linkcode VpRuntimeConfig} that are floats in the original (hashed as Python floats). */
const FLOAT_FIELDS = new Set([
  "price_scale",
  "tick_size",
  "bucket_size_dollars",
  "rel_tick_size",
  "contract_multiplier",
]);

/** The original's `price_decimals` lookup, keyed by float equality (serving.md §4.1, §8 item 23). */
const PRICE_DECIMALS = new Map<number, number>([
  [0.25, 2],
  [0.10, 2],
  [0.01, 2],
  [0.005, 3],
  [0.00005, 5],
]);

/**
 * Python's `repr(float)` / `str(float)`: the shortest text that reads back as the same double,
 * in fixed notation when the decimal exponent is in [-4, 16) (always with a `.0` when integral),
 * else scientific with a signed exponent of at least two digits (`1e-09`, `5e-05`, `1.5e+16`).
 *
 * @example
 * ```ts
 * import { pyFloatRepr } from "@spymaster/sdk/features";
 * console.log(pyFloatRepr(1e-9), pyFloatRepr(50), pyFloatRepr(0.5)); // 1e-09 50.0 0.5
 * ```
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // JavaScript's toExponential() without an argument gives the shortest round-trip digits.
  const [mant, expText] = Math.abs(x).toExponential().split("e");
  const exp = Number(expText);
  const digits = mant.replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits.padEnd(intLen, "0")}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** The `price_decimals` of a tick size: the original's lookup, else the decimals of the tick. */
export function priceDecimals(tickSize: number): number {
  const known = PRICE_DECIMALS.get(tickSize);
  if (known !== undefined) return known;
  const text = tickSize.toFixed(10).replace(/0+$/, "").replace(/\.$/, "");
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * `config_version` of the other 11 fields: SHA-256 of `k=v|…` sorted by key, with Python `str()`
 * values, first 12 hex digits.
 */
export function vpConfigVersion(fields: Omit<VpRuntimeConfig, "config_version">): string {
  const parts = Object.keys(fields).sort().map((k) => {
    const v = (fields as unknown as Record<string, string | number>)[k];
    const text = FLOAT_FIELDS.has(k) ? pyFloatRepr(Number(v)) : String(v);
    return `${k}=${text}`;
  });
  return sha256Hex(parts.join("|")).slice(0, 12);
}

/** Where the resolver reads the product table from. */
export interface ResolveVpOptions {
  /** An already loaded product table (wins over `productsPath`). */
  products?: ProductTable;
  /** Path of `products.yaml` (default: `config/products.yaml` of this checkout). */
  productsPath?: string;
}

/** Default `products.yaml` of this checkout. */
export const DEFAULT_PRODUCTS_PATH: string = join(DEFAULT_CONFIG_DIR, "products.yaml");

function finish(fields: Omit<VpRuntimeConfig, "config_version">): VpRuntimeConfig {
  return { ...fields, config_version: vpConfigVersion(fields) };
}

/**
 * Resolves the runtime config of `symbol` (serving.md §4.1).
 *
 * - `equity_mbo`: any ticker; tick 0.01, $0.50 buckets, grid 200, multiplier 1, `shares` (a
 *   ticker listed under `equities` in products.yaml takes its `tick_size` / `bucket_size`).
 * - `future_mbo`: the root is the longest configured root prefixing the contract; tick, grid and
 *   multiplier from products.yaml, `contracts`.
 *
 * Errors: `Invalid product_type '<x>'. Must be one of: [...]`; `products.yaml not found: <path>`;
 * `Cannot extract product root from futures symbol '<s>' (known roots: …)`.
 *
 * @example
 * ```ts
 * import { resolveVpConfig } from "@spymaster/sdk/features";
 * const qqq = await resolveVpConfig("equity_mbo", "QQQ");
 * console.log(qqq.bucket_size_dollars, qqq.config_version); // 0.5 8cd9c5552451
 * ```
 */
export async function resolveVpConfig(
  productType: string,
  symbol: string,
  options: ResolveVpOptions = {},
): Promise<VpRuntimeConfig> {
  if (!(VP_PRODUCT_TYPES as readonly string[]).includes(productType)) {
    throw new Error(
      `Invalid product_type '${productType}'. Must be one of: ${JSON.stringify(VP_PRODUCT_TYPES)}`,
    );
  }
  if (!symbol) throw new Error("symbol must be a non-empty string");
  const path = options.productsPath ?? DEFAULT_PRODUCTS_PATH;
  let table = options.products;
  if (!table) {
    try {
      await Deno.stat(path);
    } catch {
      throw new Error(`products.yaml not found: ${path}`);
    }
    table = await loadProducts(path);
  }
  return resolveVpConfigFrom(table, productType as VpProductType, symbol);
}

/** {@linkcode resolveVpConfig} on an already loaded product table (synchronous). */
export function resolveVpConfigFrom(
  table: ProductTable,
  productType: VpProductType,
  symbol: string,
): VpRuntimeConfig {
  if (productType === "equity_mbo") {
    const eq = table.equities.get(symbol);
    const tick = eq?.tick_size ?? 0.01;
    const bucket = eq?.bucket_size ?? 0.5;
    return finish({
      product_type: "equity_mbo",
      symbol,
      symbol_root: symbol,
      price_scale: 1e-9,
      tick_size: tick,
      bucket_size_dollars: bucket,
      rel_tick_size: bucket,
      grid_max_ticks: 200,
      contract_multiplier: 1.0,
      qty_unit: "shares",
      price_decimals: priceDecimals(tick),
    });
  }
  if (productType !== "future_mbo") {
    throw new Error(
      `Invalid product_type '${productType}'. Must be one of: ${JSON.stringify(VP_PRODUCT_TYPES)}`,
    );
  }
  let root = "";
  for (const r of table.products.keys()) {
    if (symbol.startsWith(r) && r.length > root.length) root = r;
  }
  if (!root) {
    throw new Error(
      `Cannot extract product root from futures symbol '${symbol}' (known roots: ${
        [...table.products.keys()].sort().join(", ")
      })`,
    );
  }
  const p = table.products.get(root)!;
  return finish({
    product_type: "future_mbo",
    symbol,
    symbol_root: root,
    price_scale: 1e-9,
    tick_size: p.tick_size,
    bucket_size_dollars: p.tick_size,
    rel_tick_size: p.tick_size,
    grid_max_ticks: p.grid_max_ticks,
    contract_multiplier: p.contract_multiplier,
    qty_unit: "contracts",
    price_decimals: priceDecimals(p.tick_size),
  });
}

/** `"{product_type}:{symbol}:{dt}:{config_version}"`, plus `:gold=<fragment>` when a gold config is given. */
export function vpCacheKey(config: VpRuntimeConfig, dt: string, gold?: GoldSignalConfig): string {
  const base = `${config.product_type}:${config.symbol}:${dt}:${config.config_version}`;
  return gold ? `${base}:gold=${goldCacheFragment(gold)}` : base;
}

// ------------------------------------------------------------------------------- gold knobs

/** Longest look-back any knob may ask for, in seconds (windows). */
export const MAX_LOOKBACK_SECONDS = 600;

/** The tunable smoothing / projection knobs of the gold signal variants (serving.md §4.2). */
export interface GoldSignalConfig {
  /** EMA span of `composite_smooth` (windows). */
  pre_smooth_span: number;
  /** EMA span of `d1_smooth`. */
  d1_span: number;
  /** EMA span of `d2_smooth`. */
  d2_span: number;
  /** EMA span of `d3_smooth`. */
  d3_span: number;
  /** Rolling window of `z_composite_smooth` (windows). */
  smooth_zscore_window: number;
  /** Taylor projection horizon of `wtd_projection`, seconds. */
  projection_horizon_s: number;
  /** Taylor projection horizon of `wtd_projection_500ms`, seconds. */
  fast_projection_horizon_s: number;
  /** Weight of `d1_smooth` in `wtd_slope` (normalised by the sum of the three). */
  w_d1: number;
  /** Weight of `d2_smooth`. */
  w_d2: number;
  /** Weight of `d3_smooth`. */
  w_d3: number;
}

/** The original's defaults. */
export const DEFAULT_GOLD_SIGNAL_CONFIG: Readonly<GoldSignalConfig> = Object.freeze({
  pre_smooth_span: 15,
  d1_span: 10,
  d2_span: 20,
  d3_span: 40,
  smooth_zscore_window: 120,
  projection_horizon_s: 10.0,
  fast_projection_horizon_s: 0.5,
  w_d1: 0.5,
  w_d2: 0.35,
  w_d3: 0.15,
});

/** Integer knobs of {@linkcode GoldSignalConfig}. */
export const GOLD_INT_KNOBS = [
  "pre_smooth_span",
  "d1_span",
  "d2_span",
  "d3_span",
  "smooth_zscore_window",
] as const;
/** Float knobs of {@linkcode GoldSignalConfig}. */
export const GOLD_FLOAT_KNOBS = [
  "projection_horizon_s",
  "fast_projection_horizon_s",
  "w_d1",
  "w_d2",
  "w_d3",
] as const;

/**
 * A validated gold config: defaults overlaid with `overrides`. Errors (the original's messages):
 * `<name> must be > 0, got <v>`, `<name> must be <= 600s, got <v>`, `<name> must be >= 0, got <v>`,
 * `At least one derivative weight must be > 0`, plus `<name> must be an integer, got <v>` and
 * `<name> must be a finite number, got <v>` for values the original's types would have refused.
 */
export function goldSignalConfig(overrides: Partial<GoldSignalConfig> = {}): GoldSignalConfig {
  const cfg = { ...DEFAULT_GOLD_SIGNAL_CONFIG };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    if (!(k in cfg)) {
      throw new Error(
        `unknown gold signal knob '${k}' (known: ${Object.keys(cfg).join(", ")})`,
      );
    }
    (cfg as Record<string, number>)[k] = v as number;
  }
  validateGoldSignalConfig(cfg);
  return cfg;
}

/** Throws the first rule a gold config breaks (see {@linkcode goldSignalConfig}). */
export function validateGoldSignalConfig(cfg: GoldSignalConfig): void {
  for (
    const k of [...GOLD_INT_KNOBS, "projection_horizon_s", "fast_projection_horizon_s"] as const
  ) {
    const v = cfg[k];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`${k} must be a finite number, got ${v}`);
    }
    if ((GOLD_INT_KNOBS as readonly string[]).includes(k) && !Number.isInteger(v)) {
      throw new Error(`${k} must be an integer, got ${v}`);
    }
    if (v <= 0) throw new Error(`${k} must be > 0, got ${v}`);
    if (v > MAX_LOOKBACK_SECONDS) {
      throw new Error(`${k} must be <= ${MAX_LOOKBACK_SECONDS}s, got ${v}`);
    }
  }
  for (const k of ["w_d1", "w_d2", "w_d3"] as const) {
    const v = cfg[k];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`${k} must be a finite number, got ${v}`);
    }
    if (v < 0) throw new Error(`${k} must be >= 0, got ${v}`);
  }
  if (cfg.w_d1 + cfg.w_d2 + cfg.w_d3 <= 0) {
    throw new Error("At least one derivative weight must be > 0");
  }
}

/** `ps{pre}-d{d1}-{d2}-{d3}-w{w1:.6f}-{w2:.6f}-{w3:.6f}-ph{ph:.3f}-fh{fh:.3f}-zw{zw}`. */
export function goldCacheFragment(cfg: GoldSignalConfig): string {
  const f = (x: number, d: number) => x.toFixed(d);
  return `ps${cfg.pre_smooth_span}-d${cfg.d1_span}-${cfg.d2_span}-${cfg.d3_span}` +
    `-w${f(cfg.w_d1, 6)}-${f(cfg.w_d2, 6)}-${f(cfg.w_d3, 6)}` +
    `-ph${f(cfg.projection_horizon_s, 3)}-fh${f(cfg.fast_projection_horizon_s, 3)}` +
    `-zw${cfg.smooth_zscore_window}`;
}

// ------------------------------------------------------------------------------- formula constants

/** Decay length of the proximity weight, dollars. */
export const PROXIMITY_TAU_DOLLARS = 2.5;
/** Half-width of the near-spot band of `flow_imbalance`, dollars. */
export const NEAR_SPOT_DOLLARS = 2.5;
/** Half-width of the depth band of the depth imbalances, dollars. */
export const DEPTH_RANGE_DOLLARS = 5.0;
/** Depth below which `rest_fraction` is 0. */
export const VP_EPS = 1.0;
/** Rolling window of `z_composite` (windows). */
export const ZSCORE_WINDOW = 60;
/** EMA spans of the raw derivatives d1, d2, d3. */
export const EMA_SPANS: readonly [number, number, number] = [5, 10, 20];
/** Weights of the composite's components. */
export const COMPOSITE_WEIGHTS: Readonly<Record<string, number>> = Object.freeze({
  vacuum: 1.0,
  flow: 0.5,
  fill: 0.3,
  institutional_drain: 2.0,
  rest_depth: 0.2,
});

/** Python's `round()` (half to even) of a non-negative float. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** τ in `rel_ticks`: `2.50 / bucket` (5 for $0.50 buckets, 10 for 0.25 ticks). */
export function proximityTau(bucketSizeDollars: number): number {
  return PROXIMITY_TAU_DOLLARS / bucketSizeDollars;
}

/** `round(2.50 / bucket)`: the near-spot band in `rel_ticks`. */
export function nearSpotTicks(bucketSizeDollars: number): number {
  return roundHalfEven(NEAR_SPOT_DOLLARS / bucketSizeDollars);
}

/** `round(5.00 / bucket)`: the depth band in `rel_ticks`. */
export function depthRangeTicks(bucketSizeDollars: number): number {
  return roundHalfEven(DEPTH_RANGE_DOLLARS / bucketSizeDollars);
}

/** Proximity weight `exp(-|k| / τ)`. */
export function proximityWeight(relTicks: number, tau: number): number {
  return Math.exp(-Math.abs(relTicks) / tau);
}

/** The `runtime_config` control message of the stream (serving.md §4.6): the 12 config keys and the knobs. */
export interface VpRuntimeConfigMessage extends VpRuntimeConfig {
  /** Always `runtime_config`. */
  type: "runtime_config";
  /** The gold knobs in effect. */
  gold_signal_config: GoldSignalConfig;
}

/** Builds the `runtime_config` message for a config and its knobs. */
export function vpRuntimeConfigMessage(
  config: VpRuntimeConfig,
  gold: GoldSignalConfig = DEFAULT_GOLD_SIGNAL_CONFIG,
): VpRuntimeConfigMessage {
  return { type: "runtime_config", ...config, gold_signal_config: { ...gold } };
}
