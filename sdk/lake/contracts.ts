/**
 * Avro contracts (`contracts/**.avsc`): the ordered field list of every lake table, and row
 * validation with avsc (64-bit longs as `bigint`, exact).
 *
 * @module
 */
import avsc from "avsc";
import { createHash } from "node:crypto";
import { readSourceText } from "./_sources.ts";
import {
  type ColumnBatch,
  type ColumnData,
  columnValue,
  isDictColumn,
  isNullableColumn,
} from "./columns.ts";

/** The Avro primitive types a contract field may have. */
export type AvroPrimitive = "long" | "int" | "double" | "float" | "boolean" | "string";

/** One field of a contract. */
export interface ContractField {
  /** Column name. */
  name: string;
  /** Avro primitive type (of the non-null branch for nullable fields). */
  type: AvroPrimitive;
  /** True for `["null", T]` unions. */
  nullable: boolean;
  /** The schema's `doc`, if any. */
  doc?: string;
}

/** A parsed contract. */
export interface Contract {
  /** Record name (e.g. `MboEvent`). */
  name: string;
  /** File it was read from (absolute path), or a label. */
  path: string;
  /** sha256 (hex) of the file text, as the original's manifests record it. */
  sha256: string;
  /** sha256 (hex) of the ordered `name:type` list: changes only when the table shape does. */
  schemaHash: string;
  /** Fields in contract order. */
  fields: ContractField[];
  /** The avsc type (longs as `bigint`). */
  type: avsc.Type;
}

const INT64_MIN = -(2n ** 63n), INT64_MAX = 2n ** 63n - 1n;

/** avsc `long` that reads and validates JavaScript `bigint` (and safe-integer numbers). */
const BIGINT_LONG = avsc.types.LongType.__with({
  fromBuffer: (buf: Uint8Array) => new DataView(buf.buffer, buf.byteOffset, 8).getBigInt64(0, true),
  toBuffer: (n: bigint | number) => {
    const buf = new Uint8Array(8);
    new DataView(buf.buffer).setBigInt64(0, BigInt(n), true);
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as string),
  toJSON: (n: bigint) => (n >= -(2n ** 53n) && n <= 2n ** 53n ? Number(n) : n.toString()),
  isValid: (n: unknown) =>
    (typeof n === "bigint" && n >= INT64_MIN && n <= INT64_MAX) ||
    (typeof n === "number" && Number.isSafeInteger(n)),
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

const PRIMITIVES = new Set(["long", "int", "double", "float", "boolean", "string"]);

/** sha256 of a string or bytes, hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Parses the text of an `.avsc` file into a {@linkcode Contract}; errors name the file. */
export function parseContract(text: string, path = "<contract>"): Contract {
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  if (schema?.type !== "record" || !Array.isArray(schema.fields)) {
    throw new Error(`${path}: expected an Avro record schema with 'fields'`);
  }
  const fields: ContractField[] = [];
  const seen = new Set<string>();
  for (const f of schema.fields as Record<string, unknown>[]) {
    const name = String(f.name);
    if (seen.has(name)) throw new Error(`${path}: duplicate field '${name}'`);
    seen.add(name);
    let t = f.type;
    let nullable = false;
    if (Array.isArray(t)) {
      const rest = t.filter((x) => x !== "null");
      if (rest.length !== 1 || t.length !== 2) {
        throw new Error(`${path}: field '${name}': only ["null", T] unions are supported`);
      }
      nullable = true;
      t = rest[0];
    }
    if (typeof t !== "string" || !PRIMITIVES.has(t)) {
      throw new Error(`${path}: field '${name}': unsupported type ${JSON.stringify(f.type)}`);
    }
    fields.push({
      name,
      type: t as AvroPrimitive,
      nullable,
      ...(typeof f.doc === "string" ? { doc: f.doc } : {}),
    });
  }
  let type: avsc.Type;
  try {
    type = avsc.Type.forSchema(schema as unknown as avsc.Schema, {
      registry: { long: BIGINT_LONG },
    });
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const shape = fields.map((f) => `${f.name}:${f.nullable ? "?" : ""}${f.type}`).join(",");
  return {
    name: String(schema.name),
    path,
    sha256: sha256Hex(text),
    schemaHash: sha256Hex(shape),
    fields,
    type,
  };
}

/** Reads and parses an `.avsc` file. */
export async function loadContract(path: string): Promise<Contract> {
  let text: string;
  try {
    text = await readSourceText(path);
  } catch (e) {
    throw new Error(`cannot read contract ${path}: ${(e as Error).message}`);
  }
  return parseContract(text, path);
}

/**
 * Checks that `names` are exactly the contract's fields (order free): missing and extra columns are
 * errors naming the dataset.
 */
export function checkColumnNames(contract: Contract, names: readonly string[], what: string): void {
  const want = new Set(contract.fields.map((f) => f.name));
  const got = new Set(names);
  const missing = [...want].filter((n) => !got.has(n));
  const extra = [...got].filter((n) => !want.has(n));
  if (missing.length || extra.length) {
    throw new Error(
      `${what}: columns do not match contract ${contract.path}` +
        (missing.length ? `; missing: ${missing.join(", ")}` : "") +
        (extra.length ? `; not in contract: ${extra.join(", ")}` : ""),
    );
  }
}

const LONG_ARRAYS = [
  BigInt64Array,
  BigUint64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
];
const INT_ARRAYS = [Int32Array, Int16Array, Uint16Array, Int8Array, Uint8Array];
const FLOAT_ARRAYS = [
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
];

/** Checks that a column's JavaScript representation can hold the field's Avro type. */
export function checkColumnType(field: ContractField, col: ColumnData, what: string): void {
  let c: unknown = col;
  if (isNullableColumn(col)) {
    if (!field.nullable) {
      throw new Error(`${what}: column '${field.name}' has nulls but is not nullable`);
    }
    c = col.data;
  }
  const ok = field.type === "string"
    ? isDictColumn(c) || Array.isArray(c)
    : field.type === "long"
    ? LONG_ARRAYS.some((k) => c instanceof k)
    : field.type === "int"
    ? INT_ARRAYS.some((k) => c instanceof k)
    : field.type === "double"
    ? FLOAT_ARRAYS.some((k) => c instanceof k)
    : field.type === "float"
    ? c instanceof Float32Array
    : c instanceof Uint8Array; // boolean: 0/1 bytes
  if (!ok) {
    const got = isDictColumn(c)
      ? "dictionary strings"
      : Array.isArray(c)
      ? "string[]"
      : (c as object)?.constructor?.name;
    throw new Error(`${what}: column '${field.name}' (${field.type}) cannot be given as ${got}`);
  }
}

/** Options of {@linkcode validateBatch}. */
export interface ValidateOptions {
  /** Validate every `sampleEvery`-th row (1 = every row, the default), plus the last one. */
  sampleEvery?: number;
  /** Row number of the batch's first row, for error messages. */
  rowOffset?: number;
  /** Name used in errors (dataset / partition). */
  what?: string;
}

/** The Avro-side value of a row: 64-bit columns as `bigint` (unsigned ones by their int64 bit pattern). */
function avroValue(field: ContractField, c: ColumnData, i: number): unknown {
  const v = columnValue(c, i);
  if (v === null) return null;
  if (field.type === "boolean") return v === 1 ? true : v === 0 ? false : v;
  if (field.type === "long") {
    if (typeof v === "bigint") return BigInt.asIntN(64, v);
    return BigInt(v as number);
  }
  return v;
}

/**
 * Validates rows of a batch against the contract with avsc: field set, JavaScript column types and
 * every sampled row's values (int ranges, booleans 0/1, strings). Throws naming the row and field.
 * Returns the number of rows checked.
 */
export function validateBatch(
  contract: Contract,
  batch: ColumnBatch,
  options: ValidateOptions = {},
): number {
  const what = options.what ?? contract.name;
  checkColumnNames(contract, Object.keys(batch), what);
  for (const f of contract.fields) checkColumnType(f, batch[f.name], what);
  const n = contract.fields.length ? batchLengthOf(batch, contract.fields[0].name) : 0;
  const every = Math.max(1, Math.floor(options.sampleEvery ?? 1));
  let checked = 0;
  const check = (i: number) => {
    const row: Record<string, unknown> = {};
    for (const f of contract.fields) row[f.name] = avroValue(f, batch[f.name], i);
    const bad: string[] = [];
    const ok = contract.type.isValid(row, {
      errorHook: (path: string[], val: unknown) => {
        bad.push(`${path.join(".")}=${typeof val === "bigint" ? `${val}n` : JSON.stringify(val)}`);
      },
    });
    checked++;
    if (!ok) {
      throw new Error(
        `${what}: row ${(options.rowOffset ?? 0) + i} violates contract ${contract.path}: ${
          bad.join(", ")
        }`,
      );
    }
  };
  for (let i = 0; i < n; i += every) check(i);
  if (n > 0 && (n - 1) % every !== 0) check(n - 1);
  return checked;
}

function batchLengthOf(batch: ColumnBatch, first: string): number {
  const c = batch[first];
  return isNullableColumn(c) ? c.valid.length : isDictColumn(c) ? c.codes.length : c.length;
}
