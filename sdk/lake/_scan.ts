// The core of the lake reader: one partition's Parquet files streamed out of DuckDB as batches of
// raw column buffers. Used both in-process and in the reader worker (`_scan_worker.ts`).
//
// Rows leave DuckDB through a scalar function ("sink") that DuckDB calls with every 2,048-row
// chunk of a plain `SELECT sink(cols...) FROM read_parquet(...) WHERE ...` (whose empty result
// keeps insertion order), on a single-threaded instance so that chunks arrive in file order. This
// is several times faster than `fetchChunk()` (one asynchronous round trip per chunk) and copies
// each vector once with `vector_get_data`. String columns come back dictionary-coded against
// their sorted distinct values (from the manifest, else read first):
// single ASCII characters (action, side, right) as `ascii()` codes mapped in JS, one-value columns
// without nulls not read at all, others as ENUM codes. Numbers come in their contract's width (or
// a narrower integer width the caller asked for, range-checked by DuckDB's cast).
import duckdb from "@duckdb/node-bindings";
import {
  ANY,
  BOOLEAN,
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBScalarFunction,
} from "@duckdb/node-api";
import type { AvroPrimitive } from "./contracts.ts";
import { keepAwake } from "./_keep_awake.ts";
import { SQL_TYPE, sqlIdent, sqlString } from "./sql.ts";

/** The typed-array kind of a column buffer. */
export type ArrayKind = "i64" | "f64" | "f32" | "i32" | "u32" | "i16" | "u16" | "i8" | "u8";

/** Narrower integer arrays a `long`/`int` column can be read into (values are range-checked). */
export type IntArrayType = "int32" | "uint32" | "int16" | "uint16" | "int8" | "uint8";

/** Kind and DuckDB type of each narrow integer array type. */
export const INT_KIND: Readonly<Record<IntArrayType, [ArrayKind, string]>> = {
  int32: ["i32", "INTEGER"],
  uint32: ["u32", "UINTEGER"],
  int16: ["i16", "SMALLINT"],
  uint16: ["u16", "USMALLINT"],
  int8: ["i8", "TINYINT"],
  uint8: ["u8", "UTINYINT"],
};

/** Bytes per value of each kind. */
export const KIND_WIDTH: Record<ArrayKind, number> = {
  i64: 8,
  f64: 8,
  f32: 4,
  i32: 4,
  u32: 4,
  i16: 2,
  u16: 2,
  i8: 1,
  u8: 1,
};

/** A requested field (a contract field, possibly narrowed). */
export interface ScanField {
  name: string;
  type: AvroPrimitive;
  nullable: boolean;
  /** Narrower integer array for a `long`/`int` field. */
  as?: IntArrayType;
}

/** One partition to read. */
export interface ScanRequest {
  /** Dataset key, for error messages. */
  what: string;
  /** The partition (`<symbol> <dt>`), for error messages. */
  partition: string;
  /** Contract path, for error messages. */
  contractPath: string;
  /** Every contract field name (the files must hold exactly these columns). */
  contractNames: string[];
  /** Columns to read, in order. */
  fields: ScanField[];
  /** Parquet files, in read order. */
  files: string[];
  /** Extra SQL condition. */
  where?: string;
  /** Rows per batch. */
  batchRows: number;
  /**
   * Distinct values of string columns as the partition's manifest records them: those columns'
   * dictionaries are not scanned for (non-nullable single-character columns are still checked
   * row by row against them).
   */
  stringValues?: Record<string, string[]>;
}

/** A column as the scan delivers it. */
export interface ScanColumn {
  name: string;
  kind: ArrayKind;
  nullable: boolean;
  /** Dictionary of a string column (`kind` holds the codes). */
  values?: string[];
}

/** One batch: a data buffer per column, then a 0/1 byte per row for each nullable column. */
export interface ScanBatch {
  length: number;
  buffers: ArrayBuffer[];
}

/** What a scan reports to. `batch` may block (the worker waits there for the consumer). */
export interface ScanSink {
  plan(columns: ScanColumn[]): void;
  batch(b: ScanBatch): void;
}

/** Thrown inside a scan by a sink that wants it stopped. */
export class ScanCancelled extends Error {
  constructor() {
    super("scan cancelled");
  }
}

const KIND_OF: Record<Exclude<AvroPrimitive, "string">, ArrayKind> = {
  long: "i64",
  int: "i32",
  double: "f64",
  float: "f32",
  boolean: "u8",
};

type Handler = (info: duckdb.ScalarFunctionInfo, input: duckdb.DataChunk) => void;

/** A single-threaded DuckDB connection with the sink function registered. */
export class ScanConnection {
  readonly con: DuckDBConnection;
  #handler: Handler | null = null;
  #busy: Promise<void> = Promise.resolve();

  private constructor(con: DuckDBConnection) {
    this.con = con;
  }

  /** Opens an in-memory instance with one thread (chunks in file order). */
  static async open(): Promise<ScanConnection> {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const sc = new ScanConnection(await instance.connect());
    const fn = new DuckDBScalarFunction();
    fn.setName("spymaster_sink");
    fn.setVarArgs(ANY);
    fn.setReturnType(BOOLEAN);
    fn.setVolatile();
    const zeros = new ArrayBuffer(4096);
    duckdb.scalar_function_set_function(fn.scalar_function, (info, input, output) => {
      const n = duckdb.data_chunk_get_size(input);
      duckdb.copy_data_to_vector(output, 0, zeros, 0, n);
      const h = sc.#handler;
      if (!h) {
        duckdb.scalar_function_set_error(info, "no scan in progress");
        return;
      }
      try {
        h(info, input);
      } catch (e) {
        duckdb.scalar_function_set_error(
          info,
          e instanceof ScanCancelled ? "spymaster: scan cancelled" : String((e as Error).message),
        );
      }
    });
    sc.con.registerScalarFunction(fn);
    return sc;
  }

  /** Runs one scan (scans of a connection run one after the other). */
  scan(req: ScanRequest, sink: ScanSink): Promise<void> {
    const run = this.#busy.then(() => this.#scan(req, sink));
    this.#busy = run.catch(() => {});
    return run;
  }

  async #scan(req: ScanRequest, sink: ScanSink): Promise<void> {
    const con = this.con;
    const fileList = `[${req.files.map(sqlString).join(", ")}]`;
    const src = `read_parquet(${fileList}, union_by_name=true, hive_partitioning=false)`;
    // the files must hold exactly the contract's columns
    const described = await con.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
    const names = described.getRows().map((row) => String(row[0]));
    const missing = req.contractNames.filter((n) => !names.includes(n));
    const extra = names.filter((n) => !req.contractNames.includes(n));
    if (missing.length || extra.length) {
      throw new Error(
        `${req.what}: Parquet columns do not match contract ${req.contractPath}` +
          (missing.length ? `; missing: ${missing.join(", ")}` : "") +
          (extra.length ? `; not in contract: ${extra.join(", ")}` : ""),
      );
    }
    // columns whose files may hold nulls (null counts from the Parquet footers)
    const meta = await con.runAndReadAll(
      `SELECT path_in_schema, sum(stats_null_count), count(*) FILTER (stats_null_count IS NULL) ` +
        `FROM parquet_metadata(${fileList}) GROUP BY 1`,
    );
    const mayBeNull = new Set<string>();
    for (const [name, nulls, unknown] of meta.getRows()) {
      if (Number(nulls ?? 0) > 0 || Number(unknown) > 0) mayBeNull.add(String(name));
    }
    // sorted distinct values of the string columns, in one scan
    const known = req.stringValues ?? {};
    const dicts = new Map<string, string[]>();
    const recorded = new Set<string>();
    // a manifest's values are trusted for non-nullable columns only: a null row's code is
    // garbage, so a value missing from the manifest could not be told from a null
    const strings = req.fields.filter((f) => {
      if (f.type !== "string") return false;
      const v = known[f.name];
      if (f.nullable || mayBeNull.has(f.name) || !Array.isArray(v)) return true;
      dicts.set(f.name, v.map(String));
      recorded.add(f.name);
      return false;
    });
    if (strings.length) {
      const exprs = strings.map((f) => {
        const id = sqlIdent(f.name);
        return `list_sort(list(DISTINCT ${id}) FILTER (WHERE ${id} IS NOT NULL))`;
      });
      const r = await con.runAndReadAll(`SELECT ${exprs.join(", ")} FROM ${src}`);
      const row = r.getRows()[0] ?? [];
      strings.forEach((f, i) => {
        const list = row[i] as { items?: unknown[] } | null;
        dicts.set(f.name, (list?.items ?? []).map((v) => String(v)));
      });
    }
    const columns: ScanColumn[] = [];
    const exprs: string[] = [];
    /** Per output column: its vector in the sink's chunks (-1: constant, not read). */
    const vec: number[] = [];
    /** Per output column: ASCII code → dictionary code, for single-character string columns. */
    const lut: (Uint8Array | null)[] = [];
    for (const f of req.fields) {
      const id = sqlIdent(f.name);
      let expr: string;
      let table: Uint8Array | null = null;
      if (f.type === "string") {
        const values = dicts.get(f.name)!;
        const kind: ArrayKind = values.length <= 255
          ? "u8"
          : values.length <= 65535
          ? "u16"
          : "u32";
        columns.push({ name: f.name, kind, nullable: f.nullable, values });
        if (values.length === 1 && !mayBeNull.has(f.name) && !recorded.has(f.name)) {
          // one value, no nulls: every code is 0 (nothing to read)
          vec.push(-1);
          lut.push(null);
          continue;
        }
        if (values.length && values.every((v) => v.length === 1 && v.charCodeAt(0) < 128)) {
          // single ASCII characters (action, side, right): their code, mapped in JS (an ENUM
          // cast hashes every string and costs several times more)
          table = new Uint8Array(128).fill(UNKNOWN_CODE);
          values.forEach((v, i) => (table![v.charCodeAt(0)] = i));
          expr = `CAST(ascii(${id}) AS UTINYINT)`;
        } else {
          const enumValues = values.length ? values : [""];
          expr = `CAST(${id} AS ENUM(${enumValues.map(sqlString).join(", ")}))`;
        }
      } else if (f.as && (f.type === "long" || f.type === "int")) {
        const [kind, sql] = INT_KIND[f.as];
        columns.push({ name: f.name, kind, nullable: f.nullable });
        expr = `CAST(${id} AS ${sql})`;
      } else {
        columns.push({ name: f.name, kind: KIND_OF[f.type], nullable: f.nullable });
        expr = `CAST(${id} AS ${SQL_TYPE[f.type]})`;
      }
      vec.push(exprs.length);
      lut.push(table);
      exprs.push(expr);
    }
    sink.plan(columns);
    if (!columns.length) return;
    if (!exprs.length) exprs.push("true"); // only constant columns: chunks still give row counts

    const k = columns.length;
    const widths = columns.map((c) => KIND_WIDTH[c.kind]);
    const checkNulls = req.fields.map((f, i) =>
      vec[i] >= 0 && (f.nullable || mayBeNull.has(f.name))
    );
    const nullable = columns.map((c) => c.nullable);
    const batchRows = req.batchRows;
    let data: Uint8Array[] = [];
    let valid: (Uint8Array | null)[] = [];
    let fill = 0;
    const fresh = () => {
      data = widths.map((w) => new Uint8Array(batchRows * w));
      valid = nullable.map((v) => (v ? new Uint8Array(batchRows) : null));
      fill = 0;
    };
    const flush = () => {
      const buffers = data.map((d) => d.buffer as ArrayBuffer);
      for (const v of valid) if (v) buffers.push(v.buffer as ArrayBuffer);
      if (fill < batchRows) {
        // the last batch: trim to its rows (the consumer gets exact-size buffers)
        for (let i = 0; i < buffers.length; i++) {
          const w = i < k ? widths[i] : 1;
          buffers[i] = buffers[i].slice(0, fill * w);
        }
      }
      sink.batch({ length: fill, buffers });
    };
    fresh();
    const srcs: (Uint8Array | null)[] = new Array(k).fill(null);
    const vectors: (duckdb.Vector | null)[] = new Array(k).fill(null);
    const bits: (Uint8Array | null)[] = new Array(k).fill(null);
    let rows = 0;
    this.#handler = (_info, input) => {
      const n = duckdb.data_chunk_get_size(input);
      if (duckdb.data_chunk_get_column_count(input) !== exprs.length) {
        throw new Error(
          `sink got ${duckdb.data_chunk_get_column_count(input)} columns`,
        );
      }
      for (let i = 0; i < k; i++) {
        bits[i] = null;
        if (vec[i] < 0) continue;
        const v = duckdb.data_chunk_get_vector(input, vec[i]);
        vectors[i] = v;
        srcs[i] = duckdb.vector_get_data(v, n * (lut[i] ? 1 : widths[i]));
        if (!checkNulls[i]) continue;
        const b = duckdb.vector_get_validity(v, ((n + 63) >>> 6) << 3);
        if (!b || !b.length) continue;
        if (!nullable[i]) {
          for (let r = 0; r < n; r++) {
            if (((b[r >>> 3] >>> (r & 7)) & 1) === 0) {
              throw new Error(
                `null in non-nullable column '${columns[i].name}' (row ${rows + r})`,
              );
            }
          }
          continue;
        }
        bits[i] = b;
      }
      let from = 0;
      while (from < n) {
        const take = Math.min(n - from, batchRows - fill);
        for (let i = 0; i < k; i++) {
          const src = srcs[i];
          if (src) {
            const t = lut[i];
            if (t) {
              if (mapCodes(src, t, data[i], from, take, fill) && !nullable[i]) {
                throw new Error(
                  `column '${columns[i].name}': a value outside its recorded dictionary ` +
                    `(${JSON.stringify(columns[i].values)}) near row ${rows + from}`,
                );
              }
            } else {
              const w = widths[i];
              data[i].set(src.subarray(from * w, (from + take) * w), fill * w);
            }
          }
          const v = valid[i];
          if (!v) continue;
          const b = bits[i];
          if (!b) v.fill(1, fill, fill + take);
          else {
            for (let r = 0; r < take; r++) {
              const row = from + r;
              v[fill + r] = (b[row >>> 3] >>> (row & 7)) & 1;
            }
          }
        }
        fill += take;
        from += take;
        if (fill === batchRows) {
          flush();
          fresh();
        }
      }
      rows += n;
    };
    const wake = keepAwake();
    try {
      const where = req.where ? ` WHERE ${req.where}` : "";
      // The sink sees rows in the order DuckDB evaluates it. Under an aggregate (the old
      // `SELECT bool_or(sink(…))`) nothing asks for order, and with a filter DuckDB cannot push
      // into the Parquet scan (an OR across two columns) rows came out of file order; a plain
      // select keeps insertion order. The sink returns false, so `WHERE s` keeps no result rows.
      await con.run(
        `SELECT s FROM (SELECT spymaster_sink(${exprs.join(", ")}) AS s FROM ${src}${where}) ` +
          `WHERE s`,
      );
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      if (msg.includes("spymaster: scan cancelled")) throw new ScanCancelled();
      throw new Error(
        `${req.what} ${req.partition}: ${msg.replace(/^Invalid Input Error: /, "")}`,
      );
    } finally {
      wake();
      this.#handler = null;
    }
    if (fill > 0) flush();
  }
}

/** Code of an ASCII character outside a column's dictionary. */
const UNKNOWN_CODE = 255;

/**
 * `dst[at + r] = table[src[from + r]]` for `r < n`; true when a character outside the dictionary
 * was seen (a null row's garbage code may be one: callers check non-nullable columns only).
 */
function mapCodes(
  src: Uint8Array,
  table: Uint8Array,
  dst: Uint8Array,
  from: number,
  n: number,
  at: number,
): boolean {
  let unknown = 0;
  for (let r = 0; r < n; r++) {
    const c = table[src[from + r] & 127];
    dst[at + r] = c;
    unknown |= c & 128;
  }
  return unknown !== 0;
}

/** Typed-array constructors of the kinds. */
export const KIND_ARRAY = {
  i64: BigInt64Array,
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  i16: Int16Array,
  u16: Uint16Array,
  i8: Int8Array,
  u8: Uint8Array,
} as const;
