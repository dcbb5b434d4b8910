/**
 * The product table (`config/products.yaml`): tick sizes, grids and strike steps of every futures
 * root and equity ticker, validated at load.
 *
 * @module
 */
import { readSourceText } from "./_sources.ts";
import { parse as parseYaml } from "yaml";

/** Fixed-point scale of every price: 1 unit = 1e-9 dollars. */
export const PRICE_SCALE = 1e-9;

/** A futures root (pipeline.md §1.2), with the derived fixed-point integers. */
export interface ProductConfig {
  /** Root symbol, e.g. `MNQ`. */
  root: string;
  /** Tick size in dollars. */
  tick_size: number;
  /** Half-width of the futures price grid, in ticks. */
  grid_max_ticks: number;
  /** Distance between listed option strikes, in dollars. */
  strike_step_points: number;
  /** Strikes kept on each side of the reference strike. */
  max_strike_offsets: number;
  /** Dollars per point (not used by the pipeline). */
  contract_multiplier: number;
  /** `tick_size / 1e-9`. */
  tick_int: number;
  /** `strike_step_points / 1e-9`. */
  strike_step_int: number;
  /** `strike_step_points / tick_size`. */
  strike_ticks: number;
}

/** An equity ticker: the constants the original hard-coded in its equity engines. */
export interface EquityConfig {
  /** Ticker, e.g. `QQQ`. */
  ticker: string;
  /** Minimum price increment in dollars. */
  tick_size: number;
  /** Silver price-bucket width in dollars. */
  bucket_size: number;
  /** Half-width of the silver grid, in buckets. */
  grid_max_buckets: number;
  /** Option strike step around spot, in dollars. */
  strike_step_points: number;
  /** Option strikes on each side of spot. */
  max_strike_offsets: number;
  /** `tick_size / 1e-9`. */
  tick_int: number;
  /** `bucket_size / 1e-9`. */
  bucket_int: number;
  /** `strike_step_points / 1e-9`. */
  strike_step_int: number;
}

/** The whole product table. */
export interface ProductTable {
  /** Futures roots by root symbol. */
  products: Map<string, ProductConfig>;
  /** Equity tickers by ticker. */
  equities: Map<string, EquityConfig>;
  /**
   * The values of any equity ticker not listed in `equities` (`equity_defaults` in the file;
   * `ticker` is `"*"`). Without it, an unlisted ticker is an error.
   */
  equityDefaults?: EquityConfig;
  /** The file it was read from. */
  path: string;
}

const FUTURE_KEYS = [
  "tick_size",
  "grid_max_ticks",
  "strike_step_points",
  "max_strike_offsets",
  "contract_multiplier",
] as const;
const EQUITY_KEYS = [
  "tick_size",
  "bucket_size",
  "grid_max_buckets",
  "strike_step_points",
  "max_strike_offsets",
] as const;

/** Converts a dollar amount to 1e-9 units, refusing amounts that are not a whole number of units. */
function toInt(value: number, where: string): number {
  const x = value / PRICE_SCALE;
  const r = Math.round(x);
  if (!Number.isFinite(x) || r <= 0 || Math.abs(x - r) > 1e-6 * Math.max(1, r)) {
    throw new Error(`${where}: ${value} is not a positive multiple of 1e-9`);
  }
  return r;
}

/** `a / b` for two fixed-point integers that must divide exactly. */
function ratio(a: number, b: number, where: string): number {
  if (a % b !== 0) throw new Error(`${where}: ${a / 1e9} is not a multiple of ${b / 1e9}`);
  return a / b;
}

function num(obj: Record<string, unknown>, key: string, where: string, integer: boolean): number {
  const v = obj[key];
  if (v === undefined) throw new Error(`${where}: missing '${key}'`);
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${where}: '${key}' must be a positive number, got ${JSON.stringify(v)}`);
  }
  if (integer && !Number.isInteger(v)) {
    throw new Error(`${where}: '${key}' must be a positive integer, got ${v}`);
  }
  return v;
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new Error(`${where}: unknown key '${k}' (allowed: ${allowed.join(", ")})`);
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validates a parsed products document (`{products: {ROOT: {...}}, equities?: {TICKER: {...}}}`).
 * Errors name the file, the entry and the key.
 */
export function parseProductTable(doc: unknown, path = "<products.yaml>"): ProductTable {
  if (!isRecord(doc)) throw new Error(`${path}: expected a mapping at the top level`);
  checkKeys(doc, ["products", "equities", "equity_defaults"], path);
  if (!isRecord(doc.products)) throw new Error(`${path}: 'products' must be a mapping of roots`);
  const products = new Map<string, ProductConfig>();
  for (const [root, raw] of Object.entries(doc.products)) {
    const where = `${path}: products.${root}`;
    if (!/^[A-Z0-9]{1,6}$/.test(root)) throw new Error(`${where}: root must be 1-6 of A-Z 0-9`);
    if (!isRecord(raw)) throw new Error(`${where}: expected a mapping`);
    checkKeys(raw, FUTURE_KEYS, where);
    const tick_size = num(raw, "tick_size", where, false);
    const strike_step_points = num(raw, "strike_step_points", where, false);
    const tick_int = toInt(tick_size, `${where}.tick_size`);
    const strike_step_int = toInt(strike_step_points, `${where}.strike_step_points`);
    products.set(root, {
      root,
      tick_size,
      grid_max_ticks: num(raw, "grid_max_ticks", where, true),
      strike_step_points,
      max_strike_offsets: num(raw, "max_strike_offsets", where, true),
      contract_multiplier: num(raw, "contract_multiplier", where, false),
      tick_int,
      strike_step_int,
      strike_ticks: ratio(strike_step_int, tick_int, `${where}.strike_step_points`),
    });
  }
  const equities = new Map<string, EquityConfig>();
  if (doc.equities !== undefined) {
    if (!isRecord(doc.equities)) {
      throw new Error(`${path}: 'equities' must be a mapping of tickers`);
    }
    for (const [ticker, raw] of Object.entries(doc.equities)) {
      const where = `${path}: equities.${ticker}`;
      if (!TICKER.test(ticker)) throw new Error(`${where}: bad ticker`);
      equities.set(ticker, equityEntry(ticker, raw, where));
    }
  }
  const table: ProductTable = { products, equities, path };
  if (doc.equity_defaults !== undefined) {
    table.equityDefaults = equityEntry("*", doc.equity_defaults, `${path}: equity_defaults`);
  }
  return table;
}

const TICKER = /^[A-Z][A-Z0-9.]{0,9}$/;

function equityEntry(ticker: string, raw: unknown, where: string): EquityConfig {
  if (!isRecord(raw)) throw new Error(`${where}: expected a mapping`);
  checkKeys(raw, EQUITY_KEYS, where);
  const tick_size = num(raw, "tick_size", where, false);
  const bucket_size = num(raw, "bucket_size", where, false);
  const strike_step_points = num(raw, "strike_step_points", where, false);
  const tick_int = toInt(tick_size, `${where}.tick_size`);
  const bucket_int = toInt(bucket_size, `${where}.bucket_size`);
  ratio(bucket_int, tick_int, `${where}.bucket_size`);
  return {
    ticker,
    tick_size,
    bucket_size,
    grid_max_buckets: num(raw, "grid_max_buckets", where, true),
    strike_step_points,
    max_strike_offsets: num(raw, "max_strike_offsets", where, true),
    tick_int,
    bucket_int,
    strike_step_int: toInt(strike_step_points, `${where}.strike_step_points`),
  };
}

/** Reads and validates `products.yaml`. */
export async function loadProducts(path: string | URL): Promise<ProductTable> {
  const p = path instanceof URL ? path.pathname : path;
  let text: string;
  try {
    text = await readSourceText(p);
  } catch (e) {
    throw new Error(`cannot read product table ${p}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new Error(`${p}: invalid YAML: ${(e as Error).message}`);
  }
  return parseProductTable(doc, p);
}

/**
 * The root of a futures symbol: the longest configured root that is a prefix of `symbol`
 * (`MNQH6` → `MNQ`, `6EH6` → `6E`, `MNQ` → `MNQ`). Throws, listing the valid roots, when none is.
 */
export function extractRoot(symbol: string, roots: Iterable<string>): string {
  let best = "";
  const all = [...roots];
  for (const r of all) if (symbol.startsWith(r) && r.length > best.length) best = r;
  if (!best) {
    throw new Error(
      `unknown futures root for symbol '${symbol}' (valid roots: ${all.sort().join(", ")})`,
    );
  }
  return best;
}

/** The {@linkcode ProductConfig} of a futures root or contract symbol (throws when unknown). */
export function productForSymbol(table: ProductTable, symbol: string): ProductConfig {
  return table.products.get(extractRoot(symbol, table.products.keys()))!;
}

/**
 * The {@linkcode EquityConfig} of a ticker: its `equities` entry, else `equity_defaults` under the
 * ticker's name (any well-formed ticker works, e.g. a LOBSTER import of `GOOG`). Throws, listing
 * the valid tickers, for a malformed ticker or when the table has no defaults.
 */
export function equityForSymbol(table: ProductTable, ticker: string): EquityConfig {
  const e = table.equities.get(ticker) ??
    (table.equityDefaults && TICKER.test(ticker) ? { ...table.equityDefaults, ticker } : undefined);
  if (!e) {
    throw new Error(
      `unknown equity ticker '${ticker}' (valid: ${
        [...table.equities.keys()].sort().join(", ")
      }; ` +
        `add it under 'equities' in ${table.path})`,
    );
  }
  return e;
}
