/**
 * The partition writer: columnar batches in, an atomic Parquet partition out.
 *
 * Rows are copied into part buffers (one typed array per column); each full part is handed to a
 * DuckDB worker that streams it to `part-NNNNN.parquet` while the caller produces the next one.
 * Everything is written into `<table>/.tmp_dt=<dt>_<id>/`; `_MANIFEST.json` then `_SUCCESS` are
 * written last and the folder is renamed into place. An interrupted write leaves no `_SUCCESS` at
 * the partition path; the next write of that partition removes the leftovers ("repair").
 * A writer holds the partition's lock (`.lock_dt=<dt>`, see `partition_lock.ts`) from open to
 * commit/abort: a second process writing the same partition fails naming the owner, and a dead
 * owner's lock and leftovers are taken over by the next run.
 *
 * @module
 */
import { join } from "node:path";
import {
  type ColumnBatch,
  type ColumnData,
  type DictColumn,
  isDictColumn,
  isNullableColumn,
  type NumericArray,
} from "./columns.ts";
import { type ContractField, validateBatch } from "./contracts.ts";
import { type DatasetSpec, datasetSpec } from "./datasets.ts";
import { type Lake, openLake } from "./lake.ts";
import {
  codeVersion,
  type Manifest,
  type ManifestFile,
  type ManifestInput,
  manifestText,
} from "./manifest.ts";
import {
  exists,
  MANIFEST_FILE,
  partitionDir,
  type PartitionKey,
  SUCCESS_FILE,
  tableDir,
} from "./paths.ts";
import { ParquetSink } from "./_sink.ts";
import { SQL_TYPE } from "./sql.ts";
import { acquirePartitionLock, type LockFile } from "./partition_lock.ts";
import type { WireColumn, WireDuckType } from "./_wire.ts";

/** Options of a partition write. */
export interface WriteOptions {
  /** Stage name recorded in the manifest (default `"sdk"`). */
  stage?: string;
  /** Inputs recorded in the manifest. */
  inputs?: ManifestInput[];
  /** Rows removed by hard rejects, by reason. */
  rejected?: Record<string, number>;
  /** Stage-specific counters. */
  stats?: Record<string, unknown>;
  /** Stage-specific phase timings (seconds). */
  timings?: Record<string, number>;
  /** Part size budget in bytes (default 48 MiB): a part holds about this much column data. */
  partBytes?: number;
  /** zstd level of the Parquet pages (default: the dataset's `zstd_level` in `datasets.yaml`). */
  compressionLevel?: number;
  /** Parquet row-group size (default 122,880). */
  rowGroupSize?: number;
}

/** What {@linkcode PartitionWriter.commit} can still add to the manifest. */
export interface CommitInfo {
  /** Inputs recorded in the manifest (replaces the open-time list when given). */
  inputs?: ManifestInput[];
  /** Hard-reject counts (merged over the open-time ones). */
  rejected?: Record<string, number>;
  /** Counters (merged). */
  stats?: Record<string, unknown>;
  /** Phase timings in seconds (merged). */
  timings?: Record<string, number>;
}

type NumCtor =
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor;

const DUCK: [NumCtor, WireDuckType, number][] = [
  [BigInt64Array, "BIGINT", 8],
  [BigUint64Array, "BIGINT", 8], // stored by bit pattern
  [Float64Array, "DOUBLE", 8],
  [Float32Array, "FLOAT", 4],
  [Int32Array, "INTEGER", 4],
  [Uint32Array, "UINTEGER", 4],
  [Int16Array, "SMALLINT", 2],
  [Uint16Array, "USMALLINT", 2],
  [Int8Array, "TINYINT", 1],
  [Uint8Array, "UTINYINT", 1],
];

const UNMAPPED = 0xffffffff;
/** Parts of one writer being encoded at once. */
const MAX_INFLIGHT = 2;

/** Dictionary code width DuckDB uses for an ENUM of `count` values. */
function enumWidth(count: number): number {
  return count <= 255 ? 1 : count <= 65535 ? 2 : 4;
}

/** How one contract column is buffered. */
class ColumnBuffer {
  readonly field: ContractField;
  readonly dict: boolean;
  ctor: NumCtor | null = null;
  width = 1;
  duck: WireDuckType = "ENUM";
  buf!: ArrayBuffer;
  arr!: NumericArray;
  capacity = 0;
  /** One byte per row (nullable fields), kept across parts. */
  valid: Uint8Array | null = null;
  // dictionary state (string columns), kept across parts
  index = new Map<string, number>();
  values: string[] = [];
  remaps = new WeakMap<readonly string[], Uint32Array>();

  constructor(field: ContractField) {
    this.field = field;
    this.dict = field.type === "string";
  }

  /** Fixes the storage type from the first batch's column. */
  plan(c: ColumnData): void {
    if (this.ctor || this.dict) return;
    const data = isNullableColumn(c) ? c.data : c;
    const hit = DUCK.find(([k]) => data instanceof k);
    if (!hit) throw new Error(`column '${this.field.name}': unsupported array type`);
    [this.ctor, this.duck, this.width] = hit;
  }

  #view(buf: ArrayBuffer): NumericArray {
    if (!this.dict) return new (this.ctor!)(buf);
    return this.width === 1
      ? new Uint8Array(buf)
      : this.width === 2
      ? new Uint16Array(buf)
      : new Uint32Array(buf);
  }

  /** Takes a buffer for a new part (a returned one when its size fits: no fresh pages). */
  alloc(capacity: number, pool: ArrayBuffer[]): void {
    const bytes = capacity * this.width;
    const i = pool.findIndex((b) => b.byteLength === bytes);
    this.buf = i >= 0 ? pool.splice(i, 1)[0] : new ArrayBuffer(bytes);
    this.arr = this.#view(this.buf);
    this.capacity = capacity;
    if (this.field.nullable && (!this.valid || this.valid.length !== capacity)) {
      this.valid = new Uint8Array(capacity);
    }
  }

  code(s: string, rowsBefore: number): number {
    let c = this.index.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.index.set(s, c);
      this.values.push(s);
      const w = enumWidth(this.values.length);
      if (w > this.width) {
        // widen the codes of this part so far
        const old = this.arr;
        this.width = w;
        this.buf = new ArrayBuffer(this.capacity * w);
        this.arr = this.#view(this.buf);
        // deno-lint-ignore no-explicit-any
        (this.arr as any).set((old as any).subarray(0, rowsBefore));
      }
    }
    return c;
  }

  /** Batch code → writer code, filled lazily so that only values in use enter the dictionary. */
  remap(d: DictColumn): Uint32Array {
    let r = this.remaps.get(d.values);
    if (!r || r.length !== d.values.length) {
      r = new Uint32Array(d.values.length).fill(UNMAPPED);
      this.remaps.set(d.values, r);
    }
    return r;
  }

  /** Dictionary codes of a batch → writer codes, a table lookup per row (bulk loops). */
  #putCodes(d: DictColumn, from: number, n: number, at: number): void {
    const r = this.remap(d);
    const codes = d.codes;
    let i = 0;
    for (;;) {
      const arr = this.arr; // replaced when the codes widen
      i += codes instanceof Uint8Array && arr instanceof Uint8Array
        ? translate8(codes, r, arr, from + i, n - i, at + i)
        : translate(
          codes,
          r,
          arr as Uint8Array | Uint16Array | Uint32Array,
          from + i,
          n - i,
          at + i,
        );
      if (i === n) return;
      const c = codes[from + i];
      if (c >= d.values.length) {
        throw new Error(`column '${this.field.name}': code ${c} has no dictionary value`);
      }
      r[c] = this.code(d.values[c], at + i);
    }
  }

  /** Copies rows `[from, from+n)` of `c` to position `at`. */
  put(c: ColumnData, from: number, n: number, at: number): void {
    let data: ColumnData = c;
    if (isNullableColumn(c)) {
      this.valid!.set(c.valid.subarray(from, from + n), at);
      data = c.data;
    } else if (this.valid) {
      this.valid.fill(1, at, at + n);
    }
    if (this.dict) {
      if (isDictColumn(data)) this.#putCodes(data, from, n, at);
      else {
        const strs = data as readonly string[];
        let last: string | undefined, code = 0;
        for (let i = 0; i < n; i++) {
          const v = strs[from + i];
          if (v !== last || i === 0) {
            code = this.code(v, at + i);
            last = v;
          }
          this.arr[at + i] = code;
        }
      }
      return;
    }
    let src = data as NumericArray;
    if (!(src instanceof this.ctor!)) {
      const big = src instanceof BigInt64Array || src instanceof BigUint64Array;
      const wantBig = this.ctor === BigInt64Array || this.ctor === BigUint64Array;
      if (big && wantBig) {
        src = new (this.ctor as BigInt64ArrayConstructor)(src.buffer, src.byteOffset, src.length);
      } else if (big || wantBig) {
        throw new Error(
          `column '${this.field.name}': batches mix ${this.ctor!.name} and ${src.constructor.name}`,
        );
      }
    }
    // deno-lint-ignore no-explicit-any
    (this.arr as any).set((src as any).subarray(from, from + n), at);
  }

  /** The wire form of the first `rows` rows (the buffer is transferred). */
  wire(rows: number): WireColumn {
    let valid: ArrayBuffer | undefined;
    if (this.valid) {
      const bits = new Uint8Array(((rows + 63) >>> 6) << 3);
      const v = this.valid;
      for (let i = 0; i < rows; i++) if (v[i]) bits[i >>> 3] |= 1 << (i & 7);
      valid = bits.buffer;
    }
    if (this.dict) {
      return {
        name: this.field.name,
        duck: "ENUM",
        width: this.width,
        buffer: this.buf,
        valid,
        enumValues: [...this.values],
      };
    }
    const target = SQL_TYPE[this.field.type];
    const cast = target === this.duck ? undefined : target;
    return {
      name: this.field.name,
      duck: this.duck,
      width: this.width,
      buffer: this.buf,
      valid,
      cast,
    };
  }
}

/**
 * `dst[at + i] = r[src[from + i]]` until a code without a writer code (or out of the table);
 * returns the rows done. Kept monomorphic for the common byte-code case.
 */
function translate8(
  src: Uint8Array,
  r: Uint32Array,
  dst: Uint8Array,
  from: number,
  n: number,
  at: number,
): number {
  const len = r.length;
  for (let i = 0; i < n; i++) {
    const c = src[from + i];
    if (c >= len) return i;
    const g = r[c];
    if (g === UNMAPPED) return i;
    dst[at + i] = g;
  }
  return n;
}

/** {@linkcode translate8} for wider codes. */
function translate(
  src: Uint8Array | Uint16Array | Uint32Array,
  r: Uint32Array,
  dst: Uint8Array | Uint16Array | Uint32Array,
  from: number,
  n: number,
  at: number,
): number {
  const len = r.length;
  for (let i = 0; i < n; i++) {
    const c = src[from + i];
    if (c >= len) return i;
    const g = r[c];
    if (g === UNMAPPED) return i;
    dst[at + i] = g;
  }
  return n;
}

/** `values` sorted by code point order, the order of DuckDB's `list_sort` on VARCHAR for ASCII. */
function sortedStrings(values: readonly string[]): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const openPartitions = new Set<string>();

function hexId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
}

/**
 * Removes leftovers of interrupted writes of one partition (`.tmp_dt=<dt>_*`, `.old_dt=<dt>_*`).
 * Call it only while holding the partition's partition lock (as
 * {@linkcode PartitionWriter.open} does): without it, a concurrent writer's live folder goes too.
 */
export async function repairPartition(tableFolder: string, dt: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const e of Deno.readDir(tableFolder)) {
      if (e.name.startsWith(`.tmp_dt=${dt}_`) || e.name.startsWith(`.old_dt=${dt}_`)) {
        await Deno.remove(join(tableFolder, e.name), { recursive: true });
        removed.push(e.name);
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return removed;
}

/**
 * Writes one partition. Create with {@linkcode PartitionWriter.open}, {@linkcode append} batches,
 * then {@linkcode commit} (or {@linkcode abort}).
 */
export class PartitionWriter {
  /** The dataset written. */
  readonly dataset: DatasetSpec;
  /** The partition written. */
  readonly key: PartitionKey;
  /** Final partition folder. */
  readonly dir: string;
  /** Temporary folder the files are written to. */
  readonly tmpDir: string;
  readonly #lake: Lake;
  readonly #options: WriteOptions;
  readonly #cols: ColumnBuffer[];
  readonly #sink = ParquetSink.shared();
  readonly #started = new Date();
  #capacity = 0;
  #rows = 0; // rows in the current part
  #total = 0;
  #files: ManifestFile[] = [];
  /** Parts being written (at most MAX_INFLIGHT), oldest first. */
  #inflight: Promise<void>[] = [];
  #pool: ArrayBuffer[] = [];
  #parquetSeconds = 0;
  #waitSeconds = 0;
  #copySeconds = 0;
  #state: "open" | "committed" | "aborted" = "open";
  #id: string;
  #lock: LockFile | undefined;
  readonly #level: number;
  readonly #rowGroupSize: number;

  private constructor(
    lake: Lake,
    dataset: DatasetSpec,
    key: PartitionKey,
    tmpDir: string,
    options: WriteOptions,
  ) {
    this.#lake = lake;
    this.dataset = dataset;
    this.key = key;
    this.dir = partitionDir(lake.root, dataset, key);
    this.tmpDir = tmpDir;
    this.#options = options;
    this.#cols = dataset.contract.fields.map((f) => new ColumnBuffer(f));
    this.#id = `${this.dir}`;
    this.#level = options.compressionLevel ?? dataset.zstdLevel;
    this.#rowGroupSize = options.rowGroupSize ?? 122_880;
  }

  /** Opens a writer: repairs leftovers of earlier interrupted writes and creates the temp folder. */
  static async open(
    lake: Lake,
    datasetKey: string,
    key: PartitionKey,
    options: WriteOptions = {},
  ): Promise<PartitionWriter> {
    const spec = datasetSpec(lake.config, datasetKey);
    const dir = partitionDir(lake.root, spec, key);
    if (openPartitions.has(dir)) throw new Error(`partition ${dir} is already being written`);
    const table = tableDir(lake.root, spec, key.symbol, key.source);
    // one writer per partition across processes: the leftovers removed below can then only be
    // those of dead runs, never the live temp folder of a concurrent one
    const lock = await acquirePartitionLock(table, key.dt, `partition ${dir}`);
    let tmp: string;
    try {
      await repairPartition(table, key.dt);
      tmp = join(table, `.tmp_dt=${key.dt}_${hexId()}`);
      await Deno.mkdir(tmp, { recursive: true });
    } catch (e) {
      await lock.release();
      throw e;
    }
    const w = new PartitionWriter(lake, spec, key, tmp, options);
    w.#lock = lock;
    openPartitions.add(dir);
    w.#sink.acquire();
    return w;
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.#total + this.#rows;
  }

  #rowBytes(): number {
    let b = 0;
    for (const c of this.#cols) b += c.width + (c.field.nullable ? 1 : 0);
    return Math.max(b, 1);
  }

  #allocPart(): void {
    const budget = this.#options.partBytes ?? 48 * 2 ** 20;
    if (this.#capacity === 0) {
      this.#capacity = Math.max(2048, Math.min(4_000_000, Math.floor(budget / this.#rowBytes())));
    }
    for (const c of this.#cols) c.alloc(this.#capacity, this.#pool);
    this.#rows = 0;
  }

  /** Appends a batch (columns named as in the contract; strings as dictionaries or arrays). */
  async append(batch: ColumnBatch): Promise<void> {
    if (this.#state !== "open") throw new Error(`partition ${this.dir}: writer is ${this.#state}`);
    const what = `${this.dataset.key} ${this.key.symbol} ${this.key.dt}`;
    validateBatch(this.dataset.contract, batch, {
      sampleEvery: this.#lake.validateEvery || Number.MAX_SAFE_INTEGER,
      rowOffset: this.rows,
      what,
    });
    const cols = this.#cols.map((c) => batch[c.field.name]);
    const n = this.#cols.length ? lengthOf(cols[0]) : 0;
    if (n === 0) return;
    if (this.#capacity === 0) {
      this.#cols.forEach((c, i) => c.plan(cols[i]));
      this.#allocPart();
    }
    let from = 0;
    while (from < n) {
      const k = Math.min(n - from, this.#capacity - this.#rows);
      const t = performance.now();
      for (let i = 0; i < cols.length; i++) this.#cols[i].put(cols[i], from, k, this.#rows);
      this.#copySeconds += (performance.now() - t) / 1000;
      this.#rows += k;
      from += k;
      if (this.#rows === this.#capacity) await this.#flush();
    }
  }

  async #flush(): Promise<void> {
    while (this.#inflight.length >= MAX_INFLIGHT) {
      const p = this.#inflight.shift()!;
      const t = performance.now();
      await p;
      this.#waitSeconds += (performance.now() - t) / 1000;
    }
    const rows = this.#rows;
    const name = `part-${String(this.#files.length).padStart(5, "0")}.parquet`;
    const file: ManifestFile = { name, rows, bytes: 0 };
    this.#files.push(file);
    const columns = this.#cols.map((c) => c.wire(rows));
    this.#total += rows;
    this.#rows = 0;
    const job = this.#sink.write({
      file: join(this.tmpDir, name),
      rows,
      level: this.#level,
      compression: this.dataset.compression,
      rowGroupSize: this.#rowGroupSize,
      version: this.dataset.parquetVersion,
      columns,
    }).then((done) => {
      file.bytes = done.bytes;
      this.#parquetSeconds += done.seconds;
      // the column buffers come back: reuse them for later parts (fresh pages are slow to touch)
      let j = 0;
      for (const c of columns) {
        this.#pool.push(done.buffers[j++]);
        if (c.valid) j++;
      }
    });
    job.catch(() => {}); // observed when awaited
    this.#inflight.push(job);
    if (this.#capacity > 0) this.#allocPart();
  }

  /**
   * Finishes the partition: last part, manifest, `_SUCCESS`, then the atomic rename. A partition
   * without rows gets one empty Parquet file (with the schema).
   */
  async commit(info: CommitInfo = {}): Promise<Manifest> {
    if (this.#state !== "open") throw new Error(`partition ${this.dir}: writer is ${this.#state}`);
    try {
      if (this.#capacity === 0) {
        // no rows at all: plan numeric columns as their contract type
        for (const c of this.#cols) {
          if (!c.dict) c.plan(emptyColumn(c.field));
        }
        this.#allocPart();
      }
      if (this.#rows > 0 || this.#files.length === 0) await this.#flush();
      while (this.#inflight.length) await this.#inflight.shift();
      const o = this.#options;
      const rejected = { ...(o.rejected ?? {}), ...(info.rejected ?? {}) };
      const finished = new Date();
      const manifest: Manifest = {
        dataset: this.dataset.key,
        stage: o.stage ?? "sdk",
        symbol: this.key.symbol,
        dt: this.key.dt,
        hour: null,
        row_count: this.#total,
        files: this.#files,
        contract_path: this.dataset.contractPath,
        contract_sha256: this.dataset.contract.sha256,
        schema_hash: this.dataset.contract.schemaHash,
        inputs: info.inputs ?? o.inputs ?? [],
        code_version: await codeVersion(),
        rejected,
        rejected_total: Object.values(rejected).reduce((a, b) => a + b, 0),
        parquet: {
          compression: this.dataset.compression,
          level: this.#level,
          row_group_size: this.#rowGroupSize,
          version: this.dataset.parquetVersion,
        },
        string_values: Object.fromEntries(
          this.#cols.filter((c) => c.dict).map((c) => [c.field.name, sortedStrings(c.values)]),
        ),
        stats: { ...(o.stats ?? {}), ...(info.stats ?? {}) },
        timings: {
          ...(o.timings ?? {}),
          ...(info.timings ?? {}),
          started_at: this.#started.toISOString(),
          finished_at: finished.toISOString(),
          seconds: (finished.getTime() - this.#started.getTime()) / 1000,
          parquet_seconds: Math.round(this.#parquetSeconds * 1000) / 1000,
          copy_seconds: Math.round(this.#copySeconds * 1000) / 1000,
          wait_seconds: Math.round(this.#waitSeconds * 1000) / 1000,
        },
      };
      await Deno.writeTextFile(join(this.tmpDir, MANIFEST_FILE), manifestText(manifest));
      await Deno.writeTextFile(join(this.tmpDir, SUCCESS_FILE), "");
      let old: string | null = null;
      if (await exists(this.dir)) {
        old = join(this.dir, "..", `.old_dt=${this.key.dt}_${hexId()}`);
        await Deno.rename(this.dir, old);
      }
      await Deno.rename(this.tmpDir, this.dir);
      if (old) await Deno.remove(old, { recursive: true });
      this.#state = "committed";
      return manifest;
    } catch (e) {
      await this.abort();
      throw e;
    } finally {
      this.#close();
      await this.#lock?.release();
    }
  }

  /** Discards everything written (idempotent). */
  async abort(): Promise<void> {
    if (this.#state === "committed") return;
    this.#state = "aborted";
    for (const p of this.#inflight.splice(0)) await p.catch(() => {});
    await Deno.remove(this.tmpDir, { recursive: true }).catch(() => {});
    this.#close();
    await this.#lock?.release();
  }

  #close(): void {
    if (openPartitions.delete(this.#id)) this.#sink.release();
  }
}

function lengthOf(c: ColumnData): number {
  if (isNullableColumn(c)) return c.valid.length;
  if (isDictColumn(c)) return c.codes.length;
  return c.length;
}

function emptyColumn(f: ContractField): NumericArray {
  switch (f.type) {
    case "long":
      return new BigInt64Array(0);
    case "int":
      return new Int32Array(0);
    case "double":
      return new Float64Array(0);
    case "float":
      return new Float32Array(0);
    default:
      return new Uint8Array(0);
  }
}

/**
 * Writes a whole partition from a stream of batches and returns its manifest. On any error the
 * temporary folder is removed and the previous partition (if any) is left untouched.
 *
 * @example
 * ```ts ignore
 * await writePartition("lake", "bronze.future_mbo.mbo", { symbol: "MNQH6", dt: "2026-02-06", source: "databento" },
 *   batches, { stage: "bronze_ingest_future_mbo", inputs });
 * ```
 */
export async function writePartition(
  lake: Lake | string,
  datasetKey: string,
  key: PartitionKey,
  batches: AsyncIterable<ColumnBatch> | Iterable<ColumnBatch>,
  options: WriteOptions = {},
): Promise<Manifest> {
  const l = typeof lake === "string" ? await openLake(lake) : lake;
  const w = await PartitionWriter.open(l, datasetKey, key, options);
  try {
    for await (const b of batches) await w.append(b);
  } catch (e) {
    await w.abort();
    throw e;
  }
  return await w.commit();
}
