/**
 * Reading the lake back: a partition or a date range as columnar batches (typed arrays,
 * dictionary-coded strings) or as Arrow tables, and a DuckDB connection with one view per dataset
 * for notebooks. Only complete partitions (with `_SUCCESS`) are read; columns are checked against
 * the dataset's contract.
 *
 * @module
 */
import duckdb from "@duckdb/node-bindings";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  Bool,
  type Data,
  type DataType,
  Dictionary,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Table,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import type { DictColumn, NullableColumn, NumericArray } from "./columns.ts";
import type { ContractField } from "./contracts.ts";
import { type DatasetSpec, datasetSpec } from "./datasets.ts";
import type { Lake } from "./lake.ts";
import {
  isComplete,
  listPartitions,
  partFiles,
  partitionDir,
  type PartitionKey,
  type PartitionRef,
} from "./paths.ts";

/** A column as read: numbers as typed arrays, strings dictionary-coded, nullable fields wrapped. */
export type ReadColumn = NumericArray | DictColumn | NullableColumn;

/** A batch of rows read from the lake. */
export interface ReadBatch {
  /** Rows in the batch. */
  length: number;
  /** Columns by name, in contract order. */
  columns: Record<string, ReadColumn>;
}

/** Options of the readers. */
export interface ReadOptions {
  /** Columns to read (default: all, in contract order). */
  columns?: string[];
  /** Rows per batch (default 65,536). */
  batchRows?: number;
  /** Extra SQL condition on the rows (e.g. `ts_event >= 1770000000000000000`). */
  where?: string;
}

/** Which partitions to read: one partition, or a symbol and an inclusive date range. */
export type PartitionSelector = PartitionKey | { symbol: string; start: string; end: string };

let sharedInstance: Promise<DuckDBInstance> | null = null;
function instance(): Promise<DuckDBInstance> {
  return (sharedInstance ??= DuckDBInstance.create(":memory:"));
}

/** SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** SQL identifier. */
export function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

const SQL_TYPE: Record<ContractField["type"], string> = {
  long: "BIGINT",
  int: "INTEGER",
  double: "DOUBLE",
  float: "FLOAT",
  boolean: "BOOLEAN",
  string: "VARCHAR",
};

async function selectedPartitions(
  lake: Lake,
  spec: DatasetSpec,
  sel: PartitionSelector,
): Promise<PartitionRef[]> {
  if ("dt" in sel) {
    const dir = partitionDir(lake.root, spec, sel);
    if (!(await isComplete(dir))) {
      throw new Error(
        `partition ${spec.key} ${sel.symbol} ${sel.dt} is missing or incomplete (${dir})`,
      );
    }
    return [{ ...sel, dir }];
  }
  return await listPartitions(lake.root, spec, sel);
}

async function filesOf(parts: PartitionRef[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of parts) {
    const f = await partFiles(p.dir);
    if (!f.length) throw new Error(`partition ${p.dir} has no part-*.parquet files`);
    files.push(...f);
  }
  return files;
}

function fieldsFor(spec: DatasetSpec, columns: string[] | undefined): ContractField[] {
  if (!columns) return spec.contract.fields;
  return columns.map((c) => {
    const f = spec.contract.fields.find((x) => x.name === c);
    if (!f) {
      throw new Error(
        `${spec.key}: unknown column '${c}' (contract columns: ${
          spec.contract.fields.map((x) => x.name).join(", ")
        })`,
      );
    }
    return f;
  });
}

/** Checks the Parquet schema of `files` against the contract (missing / extra columns). */
async function checkFileColumns(
  con: DuckDBConnection,
  spec: DatasetSpec,
  fileList: string,
): Promise<void> {
  const r = await con.runAndReadAll(
    `DESCRIBE SELECT * FROM read_parquet(${fileList}, union_by_name=true, hive_partitioning=false)`,
  );
  const names = r.getRows().map((row) => String(row[0]));
  const want = spec.contract.fields.map((f) => f.name);
  const missing = want.filter((n) => !names.includes(n));
  const extra = names.filter((n) => !want.includes(n));
  if (missing.length || extra.length) {
    throw new Error(
      `${spec.key}: Parquet columns do not match contract ${spec.contractPath}` +
        (missing.length ? `; missing: ${missing.join(", ")}` : "") +
        (extra.length ? `; not in contract: ${extra.join(", ")}` : ""),
    );
  }
}

interface Plan {
  field: ContractField;
  width: number;
  make: (n: number) => NumericArray;
  values?: string[];
}

async function* streamFiles(
  con: DuckDBConnection,
  spec: DatasetSpec,
  files: string[],
  options: ReadOptions,
): AsyncGenerator<ReadBatch> {
  if (!files.length) return;
  const fileList = `[${files.map(sqlString).join(", ")}]`;
  await checkFileColumns(con, spec, fileList);
  const fields = fieldsFor(spec, options.columns);
  const where = options.where ? ` WHERE ${options.where}` : "";
  const plans: Plan[] = [];
  const exprs: string[] = [];
  for (const f of fields) {
    const id = sqlIdent(f.name);
    if (f.type === "string") {
      const d = await con.runAndReadAll(
        `SELECT DISTINCT ${id} FROM read_parquet(${fileList}, union_by_name=true, hive_partitioning=false) WHERE ${id} IS NOT NULL ORDER BY 1`,
      );
      const values = d.getRows().map((r) => String(r[0]));
      const enumValues = values.length ? values : [""];
      const width = enumValues.length <= 255 ? 1 : enumValues.length <= 65535 ? 2 : 4;
      const make = width === 1
        ? (n: number) => new Uint8Array(n)
        : width === 2
        ? (n: number) => new Uint16Array(n)
        : (n: number) => new Uint32Array(n);
      plans.push({ field: f, width, make, values });
      exprs.push(`CAST(${id} AS ENUM(${enumValues.map(sqlString).join(", ")})) AS ${id}`);
      continue;
    }
    const [width, make]: [number, (n: number) => NumericArray] = f.type === "long"
      ? [8, (n) => new BigInt64Array(n)]
      : f.type === "int"
      ? [4, (n) => new Int32Array(n)]
      : f.type === "double"
      ? [8, (n) => new Float64Array(n)]
      : f.type === "float"
      ? [4, (n) => new Float32Array(n)]
      : [1, (n) => new Uint8Array(n)];
    plans.push({ field: f, width, make });
    exprs.push(`CAST(${id} AS ${SQL_TYPE[f.type]}) AS ${id}`);
  }
  const result = await con.stream(
    `SELECT ${
      exprs.join(", ")
    } FROM read_parquet(${fileList}, union_by_name=true, hive_partitioning=false)${where}`,
  );
  const batchRows = Math.max(2048, options.batchRows ?? 65_536);
  let arrays = plans.map((p) => p.make(batchRows));
  let valids = plans.map((p) => (p.field.nullable ? new Uint8Array(batchRows) : null));
  let n = 0;
  const emit = (): ReadBatch => {
    const columns: Record<string, ReadColumn> = {};
    plans.forEach((p, i) => {
      const data = arrays[i].subarray(0, n) as NumericArray;
      const col: NumericArray | DictColumn = p.values
        ? { codes: data as Uint8Array | Uint16Array | Uint32Array, values: p.values }
        : data;
      columns[p.field.name] = p.field.nullable
        ? { data: col, valid: valids[i]!.subarray(0, n) }
        : col;
    });
    return { length: n, columns };
  };
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const k = chunk.rowCount;
    let from = 0;
    while (from < k) {
      const take = Math.min(k - from, batchRows - n);
      for (let i = 0; i < plans.length; i++) {
        const p = plans[i];
        const vec = duckdb.data_chunk_get_vector(chunk.chunk, i);
        const src = duckdb.vector_get_data(vec, k * p.width);
        const dst = arrays[i];
        new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(
          src.subarray(from * p.width, (from + take) * p.width),
          n * p.width,
        );
        const bits = duckdb.vector_get_validity(vec, Math.ceil(k / 64) * 8);
        if (bits && bits.length) {
          const v = valids[i];
          for (let r = 0; r < take; r++) {
            const row = from + r;
            const ok = (bits[row >>> 3] >>> (row & 7)) & 1;
            if (v) v[n + r] = ok;
            else if (!ok) {
              throw new Error(`${spec.key}: null in non-nullable column '${p.field.name}'`);
            }
          }
        } else if (valids[i]) valids[i]!.fill(1, n, n + take);
      }
      n += take;
      from += take;
      if (n === batchRows) {
        yield emit();
        arrays = plans.map((p) => p.make(batchRows));
        valids = plans.map((p) => (p.field.nullable ? new Uint8Array(batchRows) : null));
        n = 0;
      }
    }
  }
  if (n > 0) yield emit();
}

/**
 * Streams rows of one partition, or of a symbol over an inclusive date range (partitions in date
 * order), as batches of typed arrays. Memory stays bounded by the batch size.
 */
export async function* readBatches(
  lake: Lake,
  datasetKey: string,
  selector: PartitionSelector,
  options: ReadOptions = {},
): AsyncGenerator<ReadBatch> {
  const spec = datasetSpec(lake.config, datasetKey);
  const parts = await selectedPartitions(lake, spec, selector);
  const con = await (await instance()).connect();
  try {
    for (const p of parts) yield* streamFiles(con, spec, await filesOf([p]), options);
  } finally {
    con.closeSync();
  }
}

/** Packs 0/1 bytes into an Arrow validity / boolean bitmap. */
function packBits(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(((bytes.length + 63) >>> 6) << 3);
  for (let i = 0; i < bytes.length; i++) if (bytes[i]) out[i >>> 3] |= 1 << (i & 7);
  return out;
}

function arrowType(f: ContractField): DataType {
  switch (f.type) {
    case "long":
      return new Int64();
    case "int":
      return new Int32();
    case "double":
      return new Float64();
    case "float":
      return new Float32();
    case "boolean":
      return new Bool();
    default:
      return new Utf8();
  }
}

/**
 * Reads one partition, or a symbol over a date range, into an Arrow table (64-bit integers as
 * `Int64`, strings as `Dictionary<Utf8, Int32>`, booleans as `Bool`). The whole selection is held
 * in memory: use {@linkcode readBatches} for large partitions.
 */
export async function readTable(
  lake: Lake,
  datasetKey: string,
  selector: PartitionSelector,
  options: ReadOptions = {},
): Promise<Table> {
  const spec = datasetSpec(lake.config, datasetKey);
  const fields = fieldsFor(spec, options.columns);
  const dictTypes = new Map<
    string,
    { type: Dictionary; values: string[] | null; vector: Vector | null }
  >();
  fields.forEach((f, i) => {
    if (f.type === "string") {
      dictTypes.set(f.name, {
        type: new Dictionary(new Utf8(), new Int32(), i),
        values: null,
        vector: null,
      });
    }
  });
  const batches: RecordBatch[] = [];
  for await (
    const b of readBatches(lake, datasetKey, selector, {
      ...options,
      columns: fields.map((f) => f.name),
    })
  ) {
    const data: Record<string, Data> = {};
    for (const f of fields) {
      const col = b.columns[f.name];
      const nullable = typeof col === "object" && "valid" in col;
      const raw = nullable ? (col as NullableColumn).data : (col as NumericArray | DictColumn);
      const valid = nullable ? (col as NullableColumn).valid : null;
      const nullCount = valid ? valid.length - valid.reduce((a, v) => a + v, 0) : 0;
      const nullBitmap = valid && nullCount ? packBits(valid) : undefined;
      if (f.type === "string") {
        const d = raw as DictColumn;
        const info = dictTypes.get(f.name)!;
        if (info.values !== d.values) {
          info.values = d.values as string[];
          info.vector = vectorFromArray(info.values, new Utf8());
        }
        data[f.name] = makeData({
          type: info.type,
          length: b.length,
          nullCount,
          nullBitmap,
          data: Int32Array.from(d.codes),
          dictionary: info.vector!,
        });
      } else if (f.type === "boolean") {
        data[f.name] = makeData({
          type: new Bool(),
          length: b.length,
          nullCount,
          nullBitmap,
          data: packBits(raw as Uint8Array),
        });
      } else {
        data[f.name] = makeData({
          // deno-lint-ignore no-explicit-any
          type: arrowType(f) as any,
          length: b.length,
          nullCount,
          nullBitmap,
          // deno-lint-ignore no-explicit-any
          data: raw as any,
        });
      }
    }
    batches.push(new RecordBatch(data));
  }
  if (!batches.length) {
    const data: Record<string, Data> = {};
    for (const f of fields) {
      data[f.name] = f.type === "string"
        ? makeData({
          type: dictTypes.get(f.name)!.type,
          length: 0,
          data: new Int32Array(0),
          dictionary: vectorFromArray([] as string[], new Utf8()),
        })
        // deno-lint-ignore no-explicit-any
        : makeData({ type: arrowType(f) as any, length: 0, data: emptyOf(f) as any });
    }
    return new Table(new RecordBatch(data));
  }
  return new Table(batches);
}

function emptyOf(f: ContractField): NumericArray {
  return f.type === "long"
    ? new BigInt64Array(0)
    : f.type === "int"
    ? new Int32Array(0)
    : f.type === "double"
    ? new Float64Array(0)
    : f.type === "float"
    ? new Float32Array(0)
    : new Uint8Array(0);
}

/** The SQL calls of a `DuckDBConnection` (`@duckdb/node-api`) that notebooks need. */
export interface SqlConnection {
  /** Runs statements, discarding results. */
  run(sql: string): Promise<unknown>;
  /** Runs a query and reads the whole result. */
  runAndReadAll(sql: string): Promise<{
    /** Rows as arrays. */
    getRows(): unknown[][];
    /** Rows as objects keyed by column name. */
    getRowObjects(): Record<string, unknown>[];
    /** Column names. */
    columnNames(): string[];
  }>;
  /** Closes the connection. */
  closeSync(): void;
}

/** A DuckDB connection with one view per dataset over its complete partitions. */
export interface LakeDuckDB {
  /**
   * The connection (run any SQL; the views are in the default schema). It is a `DuckDBConnection`
   * of `@duckdb/node-api`: cast it for the rest of that API.
   */
  connection: SqlConnection;
  /** View name → dataset key, e.g. `bronze_future_mbo_mbo` → `bronze.future_mbo.mbo`. */
  views: Record<string, string>;
  /** Re-scans the lake and recreates the views (after new partitions were written). */
  refresh(): Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/** The view name of a dataset key (`bronze.future_mbo.mbo` → `bronze_future_mbo_mbo`). */
export function viewName(datasetKey: string): string {
  return datasetKey.replaceAll(".", "_");
}

/**
 * Opens a DuckDB connection with a view per dataset. Each view is the union of the dataset's
 * complete partitions with two extra columns, `partition_symbol` and `dt` (DATE); a dataset without
 * partitions gets an empty view with the contract's columns.
 *
 * @example
 * ```ts ignore
 * const db = await openLakeDuckDB(await openLake("lake"));
 * const r = await db.connection.runAndReadAll(
 *   "SELECT dt, count(*) FROM bronze_future_mbo_mbo GROUP BY dt ORDER BY dt");
 * console.table(r.getRowObjects());
 * db.close();
 * ```
 */
export async function openLakeDuckDB(lake: Lake): Promise<LakeDuckDB> {
  const con = await (await instance()).connect();
  const views: Record<string, string> = {};
  const refresh = async () => {
    for (const spec of lake.config.datasets.values()) {
      const name = viewName(spec.key);
      views[name] = spec.key;
      const parts = await listPartitions(lake.root, spec);
      const selects: string[] = [];
      for (const p of parts) {
        const files = await partFiles(p.dir);
        if (!files.length) continue;
        selects.push(
          `SELECT *, ${sqlString(p.symbol)} AS partition_symbol, DATE ${sqlString(p.dt)} AS dt ` +
            `FROM read_parquet([${files.map(sqlString).join(", ")}], hive_partitioning=false)`,
        );
      }
      if (!selects.length) {
        const cols = spec.contract.fields.map((f) =>
          `CAST(NULL AS ${SQL_TYPE[f.type]}) AS ${sqlIdent(f.name)}`
        );
        selects.push(
          `SELECT ${
            cols.join(", ")
          }, CAST(NULL AS VARCHAR) AS partition_symbol, CAST(NULL AS DATE) AS dt WHERE false`,
        );
      }
      await con.run(
        `CREATE OR REPLACE VIEW ${sqlIdent(name)} AS ${selects.join(" UNION ALL BY NAME ")}`,
      );
    }
  };
  await refresh();
  return { connection: con, views, refresh, close: () => con.closeSync() };
}
