/**
 * Reading the lake back: a partition or a date range as columnar batches (typed arrays,
 * dictionary-coded strings) or as Arrow tables, and a DuckDB connection with one view per dataset
 * for notebooks. Only complete partitions (with `_SUCCESS`) are read; columns are checked against
 * the dataset's contract.
 *
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
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
import { readManifest } from "./manifest.ts";
import { nullColumns, sqlIdent, sqlString } from "./sql.ts";
import type { ContractField } from "./contracts.ts";
import { type DatasetSpec, datasetSpec } from "./datasets.ts";
import type { Lake } from "./lake.ts";
import {
  hasSource,
  isComplete,
  listPartitions,
  partFiles,
  partitionDir,
  type PartitionKey,
  type PartitionRef,
  RAW_SOURCES,
} from "./paths.ts";
import {
  INT_KIND,
  type IntArrayType,
  KIND_ARRAY,
  type ScanBatch,
  ScanCancelled,
  type ScanColumn,
  ScanConnection,
  type ScanField,
  type ScanRequest,
} from "./_scan.ts";
import { acquireScanWorker, releaseScanWorker } from "./_scan_pool.ts";
import { CANCEL, CREDITS, type ScanReply, type ScanStart } from "./_scan_wire.ts";

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
  /** Extra SQL condition on the rows (e.g. `ts_event >= 1770000000000000000`); file order kept. */
  where?: string;
  /**
   * Integer columns to read into narrower arrays, e.g. `{ size: "uint32", flags: "uint8" }`: the
   * values are cast by DuckDB and a value out of the array's range is an error (never truncated).
   */
  narrow?: Record<string, IntArrayType>;
  /**
   * Read in a worker thread, a few batches ahead of the consumer (default: when the selection
   * holds more than 1,000,000 rows by its manifests). In this thread, the scan is served between
   * the consumer's steps and batches not yet taken are held in memory.
   */
  worker?: boolean;
}

export type { IntArrayType };

/** Which partitions to read: one partition, or a symbol and an inclusive date range. */
export type PartitionSelector = PartitionKey | {
  symbol: string;
  start: string;
  end: string;
  /** Raw provenance, for datasets kept per source. */
  source?: string;
};

let sharedInstance: Promise<DuckDBInstance> | null = null;
function instance(): Promise<DuckDBInstance> {
  return (sharedInstance ??= DuckDBInstance.create(":memory:"));
}

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

/** Selections of more rows than this (by their manifests) are read in a worker by default. */
const WORKER_MIN_ROWS = 1_000_000;
/** Batches a reader worker may run ahead of the consumer. */
const READ_AHEAD = 3;

let inProcess: Promise<ScanConnection> | null = null;

function toReadBatch(columns: ScanColumn[], b: ScanBatch): ReadBatch {
  const out: Record<string, ReadColumn> = {};
  let v = columns.length;
  columns.forEach((c, i) => {
    const arr = new KIND_ARRAY[c.kind](b.buffers[i]) as NumericArray;
    const col: NumericArray | DictColumn = c.values
      ? { codes: arr as Uint8Array | Uint16Array | Uint32Array, values: c.values }
      : arr;
    out[c.name] = c.nullable ? { data: col, valid: new Uint8Array(b.buffers[v++]) } : col;
  });
  return { length: b.length, columns: out };
}

/** A queue between a scan (producer) and an async generator (consumer). */
class BatchQueue {
  items: ReadBatch[] = [];
  columns: ScanColumn[] = [];
  done = false;
  error: Error | null = null;
  #wake: (() => void) | null = null;

  push(b: ScanBatch): void {
    this.items.push(toReadBatch(this.columns, b));
    this.wake();
  }
  finish(error: Error | null = null): void {
    this.done = true;
    this.error ??= error;
    this.wake();
  }
  wake(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }
  /** Resolves when an item arrives or the scan ends. */
  wait(): Promise<void> {
    return new Promise((r) => (this.#wake = r));
  }
}

/** Scans in this thread: DuckDB's chunks are served between the consumer's steps. */
async function* scanHere(req: ScanRequest): AsyncGenerator<ReadBatch> {
  const sc = await (inProcess ??= ScanConnection.open());
  const q = new BatchQueue();
  let cancelled = false;
  const run = sc.scan(req, {
    plan: (c) => (q.columns = c),
    batch: (b) => {
      if (cancelled) throw new ScanCancelled();
      q.push(b);
    },
  }).then(() => q.finish(), (e) => q.finish(e instanceof ScanCancelled ? null : e));
  try {
    for (;;) {
      if (q.items.length) yield q.items.shift()!;
      else if (q.done) break;
      else await q.wait();
    }
    if (q.error) throw q.error;
  } finally {
    cancelled = true;
    await run;
  }
}

/** Scans in a worker thread that reads ahead of the consumer (a few batches, then it waits). */
async function* scanInWorker(req: ScanRequest): AsyncGenerator<ReadBatch> {
  const w = acquireScanWorker();
  const shared = new SharedArrayBuffer(8);
  const ctl = new Int32Array(shared);
  ctl[CREDITS] = READ_AHEAD;
  const q = new BatchQueue();
  let broken = false;
  w.on("message", (m: ScanReply) => {
    if (m.type === "plan") q.columns = m.columns;
    else if (m.type === "batch") q.push(m);
    else if (m.type === "done") q.finish();
    else q.finish(new Error(m.message));
  });
  w.on("error", (e: Error) => {
    broken = true;
    q.finish(new Error(`lake reader worker failed: ${e.message}`));
  });
  w.on("exit", (code: number) => {
    broken = true;
    q.finish(new Error(`lake reader worker exited (code ${code}) during a scan of ${req.what}`));
  });
  const start: ScanStart = { req, ctl: shared };
  w.postMessage(start);
  // the worker keeps the process alive only while this reader waits for it
  const wait = async () => {
    w.ref();
    await q.wait();
    w.unref();
  };
  try {
    for (;;) {
      if (q.items.length) {
        yield q.items.shift()!;
        Atomics.add(ctl, CREDITS, 1);
        Atomics.notify(ctl, CREDITS);
      } else if (q.done) break;
      else await wait();
    }
    if (q.error) throw q.error;
  } finally {
    if (!q.done) {
      Atomics.store(ctl, CANCEL, 1);
      Atomics.notify(ctl, CREDITS);
      while (!q.done) await wait();
    }
    releaseScanWorker(w, broken);
  }
}

function scanFields(spec: DatasetSpec, options: ReadOptions): ScanField[] {
  const fields = fieldsFor(spec, options.columns);
  const narrow = options.narrow ?? {};
  for (const [name, as] of Object.entries(narrow)) {
    const f = fields.find((x) => x.name === name);
    if (!f) throw new Error(`${spec.key}: narrow: column '${name}' is not read`);
    if (f.type !== "long" && f.type !== "int") {
      throw new Error(`${spec.key}: narrow: column '${name}' is ${f.type}, not an integer`);
    }
    if (!(as in INT_KIND)) throw new Error(`${spec.key}: narrow: unknown array type '${as}'`);
  }
  return fields.map((f) => ({
    name: f.name,
    type: f.type,
    nullable: f.nullable,
    as: narrow[f.name],
  }));
}

/** What a partition's manifest says that a read uses (nothing when it has none). */
interface ManifestHints {
  rows: number;
  stringValues?: Record<string, string[]>;
}

/** Each partition's {@linkcode ManifestHints}, one manifest read per partition. */
async function manifestHints(parts: PartitionRef[]): Promise<ManifestHints[]> {
  return await Promise.all(parts.map(async (p) => {
    try {
      const m = await readManifest(p.dir);
      const v = m.string_values;
      return { rows: m.row_count, stringValues: v && typeof v === "object" ? v : undefined };
    } catch {
      return { rows: 0 }; // no manifest: counted as empty, dictionaries read from the files
    }
  }));
}

/**
 * Streams rows of one partition, or of a symbol over an inclusive date range (partitions in date
 * order), as batches of typed arrays. Memory stays bounded by the batch size: large selections
 * are read by a worker thread a few batches ahead of the consumer.
 */
export async function* readBatches(
  lake: Lake,
  datasetKey: string,
  selector: PartitionSelector,
  options: ReadOptions = {},
): AsyncGenerator<ReadBatch> {
  const spec = datasetSpec(lake.config, datasetKey);
  const fields = scanFields(spec, options);
  const parts = await selectedPartitions(lake, spec, selector);
  const hints = await manifestHints(parts);
  const worker = options.worker ?? hints.reduce((n, h) => n + h.rows, 0) > WORKER_MIN_ROWS;
  const batchRows = Math.max(2048, options.batchRows ?? 65_536);
  for (const [i, p] of parts.entries()) {
    const req: ScanRequest = {
      what: spec.key,
      partition: `${p.symbol} ${p.dt}`,
      contractPath: spec.contractPath,
      contractNames: spec.contract.fields.map((f) => f.name),
      fields,
      files: await filesOf([p]),
      where: options.where,
      batchRows,
      stringValues: hints[i].stringValues,
    };
    yield* worker ? scanInWorker(req) : scanHere(req);
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
 * complete partitions with two extra columns, `partition_symbol` and `dt` (DATE), and for datasets
 * kept per source (bronze) `partition_source` (`databento`, `synthetic`, `lobster`): filter on it
 * rather than mixing sources. A dataset without partitions gets an empty view with the contract's
 * columns.
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
      const perSource = hasSource(spec);
      const parts = perSource
        ? (await Promise.all(
          RAW_SOURCES.map((source) => listPartitions(lake.root, spec, { source })),
        )).flat()
        : await listPartitions(lake.root, spec);
      const selects: string[] = [];
      for (const p of parts) {
        const files = await partFiles(p.dir);
        if (!files.length) continue;
        const src = perSource ? `, ${sqlString(p.source ?? "")} AS partition_source` : "";
        selects.push(
          `SELECT *, ${sqlString(p.symbol)} AS partition_symbol, DATE ${
            sqlString(p.dt)
          } AS dt${src} ` +
            `FROM read_parquet([${files.map(sqlString).join(", ")}], hive_partitioning=false)`,
        );
      }
      if (!selects.length) {
        const cols = nullColumns(spec.contract.fields);
        selects.push(
          `SELECT ${
            cols.join(", ")
          }, CAST(NULL AS VARCHAR) AS partition_symbol, CAST(NULL AS DATE) AS dt${
            perSource ? ", CAST(NULL AS VARCHAR) AS partition_source" : ""
          } WHERE false`,
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
