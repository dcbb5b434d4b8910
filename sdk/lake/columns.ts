/**
 * Columnar batches: what partition writers take and readers give back. One typed array per
 * numeric column, dictionary-coded strings, and an optional validity mask for nullable columns.
 *
 * @module
 */

/** A numeric column. 64-bit integers are `BigInt64Array` (or `BigUint64Array`, stored by bit pattern). */
export type NumericArray =
  | BigInt64Array
  | BigUint64Array
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** A dictionary-coded string column: row `i` is `values[codes[i]]`. */
export interface DictColumn {
  /** One code per row. */
  codes: Uint8Array | Uint16Array | Uint32Array;
  /** The distinct strings (no duplicates needed, but codes must be in range). */
  values: readonly string[];
}

/** A column with nulls: row `i` is null when `valid[i] === 0`. */
export interface NullableColumn {
  /** The values (anything at a null row). */
  data: NumericArray | DictColumn;
  /** One byte per row: 1 = value present, 0 = null. */
  valid: Uint8Array;
}

/** Any column a writer accepts. Plain string arrays are dictionary-coded on the way in. */
export type ColumnData = NumericArray | DictColumn | NullableColumn | readonly string[];

/** A batch of rows: column name → column, all of the same length. */
export type ColumnBatch = Record<string, ColumnData>;

/** True for {@linkcode DictColumn}. */
export function isDictColumn(c: unknown): c is DictColumn {
  return typeof c === "object" && c !== null && "codes" in c && "values" in c;
}

/** True for {@linkcode NullableColumn}. */
export function isNullableColumn(c: unknown): c is NullableColumn {
  return typeof c === "object" && c !== null && "data" in c && "valid" in c;
}

/** Number of rows of a column. */
export function columnLength(c: ColumnData): number {
  if (isNullableColumn(c)) return c.valid.length;
  if (isDictColumn(c)) return c.codes.length;
  return c.length;
}

/** Number of rows of a batch (0 for a batch without columns); throws when the lengths differ. */
export function batchLength(batch: ColumnBatch): number {
  let n = -1;
  for (const [name, c] of Object.entries(batch)) {
    const k = columnLength(c);
    if (n < 0) n = k;
    else if (k !== n) throw new Error(`column '${name}' has ${k} rows, expected ${n}`);
  }
  return Math.max(n, 0);
}

/**
 * The 64-bit integers of `a` as 32-bit words, low then high (little-endian), without copying.
 * Hot loops read these instead of `a[i]`: reading a BigInt64Array element allocates a BigInt.
 * Row `i` is `words[2i]` (low, use `>>> 0` for its unsigned value) and `words[2i + 1]` (high).
 */
export function int64Words(a: BigInt64Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

/** Row `i` of {@linkcode int64Words} as a number (exact below 2^53 in magnitude). */
export function int64At(words: Int32Array, i: number): number {
  return words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
}

/** Dictionary-codes an array of strings (first-seen order). */
export function dictColumn(strings: readonly string[]): DictColumn {
  const index = new Map<string, number>();
  const values: string[] = [];
  const codes = new Uint32Array(strings.length);
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i];
    let c = index.get(s);
    if (c === undefined) {
      c = values.length;
      index.set(s, c);
      values.push(s);
    }
    codes[i] = c;
  }
  return { codes: narrowCodes(codes, values.length), values };
}

/** The smallest code array that holds codes below `count`. */
export function narrowCodes(
  codes: Uint8Array | Uint16Array | Uint32Array,
  count: number,
): Uint8Array | Uint16Array | Uint32Array {
  if (count <= 256 && !(codes instanceof Uint8Array)) return Uint8Array.from(codes);
  if (count > 256 && count <= 65536 && !(codes instanceof Uint16Array)) {
    return Uint16Array.from(codes);
  }
  return codes;
}

/** The value of row `i` as JavaScript sees it (`bigint` for 64-bit integers, `null` for nulls). */
export function columnValue(c: ColumnData, i: number): string | number | bigint | null {
  if (isNullableColumn(c)) return c.valid[i] ? columnValue(c.data, i) : null;
  if (isDictColumn(c)) return c.values[c.codes[i]];
  return c[i];
}

/** A batch restricted to rows `[start, end)` (views, no copy; plain string arrays are sliced). */
export function sliceBatch(batch: ColumnBatch, start: number, end: number): ColumnBatch {
  const out: ColumnBatch = {};
  for (const [k, c] of Object.entries(batch)) out[k] = sliceColumn(c, start, end);
  return out;
}

function sliceColumn(c: ColumnData, start: number, end: number): ColumnData {
  if (isNullableColumn(c)) {
    return {
      data: sliceColumn(c.data, start, end) as NumericArray | DictColumn,
      valid: c.valid.subarray(start, end),
    };
  }
  if (isDictColumn(c)) return { codes: c.codes.subarray(start, end), values: c.values };
  if (Array.isArray(c)) return c.slice(start, end);
  return (c as NumericArray).subarray(start, end);
}
