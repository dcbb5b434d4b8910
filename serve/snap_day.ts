/**
 * A day of silver `book_snapshot_1s` held in memory (one row per window, ~23,400 rows for a regular
 * session, ~1 MB) and shared by every stream of that day through the server's bounded cache. The
 * scan runs in the lake reader's worker thread, off the request path.
 *
 * @module
 */
import {
  isComplete,
  isNullableColumn,
  type Lake,
  partitionDir,
  readBatches,
  type ReadColumn,
} from "@spymaster/sdk/lake";
import { datasetSpec } from "@spymaster/sdk/lake";
import { StreamError } from "./session.ts";

/** A column with its validity (`null`: no nulls). */
export interface Col<T> {
  /** Values (anything at a null row). */
  data: T;
  /** 1 = present, 0 = null; `null` when the column has no nulls. */
  valid: Uint8Array | null;
}

/** The snapshot rows of one day, in window order. */
export interface SnapDay {
  /** Product type of the silver table. */
  productType: string;
  /** Contract or ticker. */
  symbol: string;
  /** Session date. */
  dt: string;
  /** Rows (= windows). */
  n: number;
  /** Window ends, strictly increasing. */
  window_end_ts_ns: BigInt64Array;
  /** Mid price in dollars (null when a side is empty). */
  mid_price: Col<Float64Array>;
  /** Reference spot of the window. */
  spot_ref_price_int: Col<BigInt64Array>;
  /** Best bid (null when the bid side is empty). */
  best_bid_price_int: Col<BigInt64Array>;
  /** Best ask (null when the ask side is empty). */
  best_ask_price_int: Col<BigInt64Array>;
  /** Book validity at window end (0/1). */
  book_valid: Col<Uint8Array>;
}

const COLUMNS = [
  "window_end_ts_ns",
  "mid_price",
  "spot_ref_price_int",
  "best_bid_price_int",
  "best_ask_price_int",
  "book_valid",
] as const;

/** The pipeline command that builds a missing partition. */
export function pipelineHint(
  productType: string,
  layer: string,
  symbol: string,
  dt: string,
): string {
  return `deno task pipeline --product-type ${productType} --layer ${layer} --symbol ${symbol} --dt ${dt}`;
}

/** Throws a {@linkcode StreamError} naming the layer when a partition is not complete. */
export async function requirePartition(
  lake: Lake,
  datasetKey: string,
  symbol: string,
  dt: string,
): Promise<void> {
  const spec = datasetSpec(lake.config, datasetKey);
  if (await isComplete(partitionDir(lake.root, spec, { symbol, dt }))) return;
  const [layer, productType, table] = datasetKey.split(".");
  throw new StreamError(
    `${layer} ${productType} ${table} for ${symbol} ${dt} is not in the lake ` +
      `(build it: ${pipelineHint(productType, layer, symbol, dt)})`,
    1008,
  );
}

type Values = Float64Array | BigInt64Array | Uint8Array;

function concat<T extends Values>(parts: T[], n: number, like: () => T): T {
  if (parts.length === 1) return parts[0];
  const C = (parts[0] ?? like()).constructor as new (n: number) => T;
  const out = new C(n);
  let at = 0;
  for (const p of parts) {
    out.set(p as never, at);
    at += p.length;
  }
  return out;
}

function permute<T extends Values>(a: T, order: Int32Array): T {
  const out = new (a.constructor as new (n: number) => T)(order.length);
  for (let i = 0; i < order.length; i++) out[i] = a[order[i]];
  return out;
}

/** Loads the `book_snapshot_1s` day of a `future_mbo` or `equity_mbo` symbol. */
export async function loadSnapDay(
  lake: Lake,
  productType: string,
  symbol: string,
  dt: string,
): Promise<SnapDay> {
  const key = `silver.${productType}.book_snapshot_1s`;
  await requirePartition(lake, key, symbol, dt);
  const parts: Record<string, Values[]> = {};
  const masks: Record<string, (Uint8Array | null)[]> = {};
  let n = 0;
  for await (
    const b of readBatches(lake, key, { symbol, dt }, { columns: [...COLUMNS], worker: true })
  ) {
    for (const c of COLUMNS) {
      const col: ReadColumn = b.columns[c];
      const values = (isNullableColumn(col) ? col.data : col) as Values;
      (parts[c] ??= []).push(values.slice(0, b.length));
      (masks[c] ??= []).push(isNullableColumn(col) ? col.valid.slice(0, b.length) : null);
    }
    n += b.length;
  }
  const empty: Record<string, () => Values> = {
    window_end_ts_ns: () => new BigInt64Array(0),
    mid_price: () => new Float64Array(0),
    book_valid: () => new Uint8Array(0),
  };
  const col = <T extends Values>(c: string): Col<T> => {
    const like = (empty[c] ?? (() => new BigInt64Array(0))) as () => T;
    const data = concat((parts[c] ?? []) as T[], n, like);
    const m = masks[c] ?? [];
    const valid = m.some((v) => v !== null)
      ? concat(
        m.map((v, i) => v ?? new Uint8Array(parts[c][i].length).fill(1)),
        n,
        () => new Uint8Array(0),
      )
      : null;
    return { data, valid };
  };
  const cols = {
    window_end_ts_ns: col<BigInt64Array>("window_end_ts_ns"),
    mid_price: col<Float64Array>("mid_price"),
    spot_ref_price_int: col<BigInt64Array>("spot_ref_price_int"),
    best_bid_price_int: col<BigInt64Array>("best_bid_price_int"),
    best_ask_price_int: col<BigInt64Array>("best_ask_price_int"),
    book_valid: col<Uint8Array>("book_valid"),
  };
  const ts = cols.window_end_ts_ns.data;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = ts[i] > ts[i - 1];
  if (!sorted) {
    const order = Int32Array.from({ length: n }, (_, j) => j).sort((a, b) =>
      ts[a] < ts[b] ? -1 : ts[a] > ts[b] ? 1 : 0
    );
    for (const c of Object.values(cols) as Col<Values>[]) {
      c.data = permute(c.data, order);
      if (c.valid) c.valid = permute(c.valid, order);
    }
  }
  const t = cols.window_end_ts_ns.data;
  for (let i = 1; i < n; i++) {
    if (t[i] === t[i - 1]) {
      throw new StreamError(`silver ${key} ${symbol} ${dt}: window ${t[i]} appears twice`);
    }
  }
  return { productType, symbol, dt, n, ...cols, window_end_ts_ns: t };
}

/** Bytes held by a {@linkcode SnapDay}. */
export function snapDayBytes(d: SnapDay): number {
  return d.n * 42;
}

/** Index of the first window ≥ `ts` (n when none). */
export function firstAtOrAfter(ts: BigInt64Array, from: bigint): number {
  let lo = 0, hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
