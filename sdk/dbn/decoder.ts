/**
 * The streaming DBN decoder: `.dbn` and `.dbn.zst` (multi-frame) from a path, bytes or a stream,
 * versions 1 to 3 and fragments, as columnar batches or plain objects.
 *
 * @module
 */
import { DBN_VERSION } from "./constants.ts";
import { DbnError } from "./error.ts";
import { decodeMetadata, type Metadata } from "./metadata.ts";
import { detectVersion, layoutFor } from "./_layouts.ts";
import { decodeRecordObject } from "./_object_codec.ts";
import {
  allocCmbp1Columns,
  allocMboColumns,
  type Cmbp1Columns,
  cmbp1ColumnsBytes,
  cmbp1Row,
  fillCmbp1,
  fillMbo,
  type MboColumns,
  mboColumnsBytes,
  mboRow,
} from "./columns.ts";
import type { DbnRecord } from "./records.ts";
import { decompress, decompressFile, isZstd, type ZstdEngine } from "./_zstd.ts";

/** Where DBN bytes come from. A string or URL is a file path. */
export type DbnSource =
  | string
  | URL
  | Uint8Array
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/** Options of {@linkcode openDbn}. */
export interface DecodeOptions {
  /** The input is a fragment: records without prelude and metadata. */
  fragment?: {
    /** DBN version of the records; detected per record from its size when omitted. */
    version?: 1 | 2 | 3;
    /** Whether every record carries a `ts_out` suffix. */
    tsOut?: boolean;
  };
  /** Present v1/v2 records as v3 field sets (default `true`, as the reference decoder does). */
  upgrade?: boolean;
  /** Skip and count records of unknown rtype instead of failing (default `false`). */
  skipUnknown?: boolean;
  /** Name used in error messages for sources that are not paths. */
  name?: string;
  /** Most records in one columnar batch (default 65,536). */
  batchRecords?: number;
  /**
   * Reuse the memory of columnar batches: a batch is valid only until the next one is requested
   * (two buffers alternate). Much faster on long streams; for consumers that do not keep batches.
   */
  reuseBatches?: boolean;
  /** zstd implementation (default `auto`: the CLI when it can run, else node:zlib). */
  zstd?: ZstdEngine;
}

/** A run of records in file order, as columns (MBO, CMBP-1) or as objects (everything else). */
export type DbnBatch =
  | { kind: "mbo"; offset: number; columns: MboColumns }
  | { kind: "cmbp1"; offset: number; columns: Cmbp1Columns }
  | { kind: "records"; offset: number; records: DbnRecord[] };

/** Counters of a reader. */
export interface DecodeStats {
  /** Records decoded so far. */
  records: number;
  /** Bytes of the (decompressed) DBN stream consumed so far. */
  bytes: number;
  /** Records of unknown rtype skipped (with `skipUnknown`). */
  skipped: number;
}

/** An open DBN stream. Iterate it once, with {@linkcode DbnReader.batches} or {@linkcode DbnReader.records}. */
export interface DbnReader {
  /** The metadata (upgraded to v3 when upgrading), `undefined` for fragments. */
  readonly metadata: Metadata | undefined;
  /** Version of the records as stored (fragments: as given, or 0 when detected per record). */
  readonly inputVersion: number;
  /** Counters, updated while iterating. */
  readonly stats: DecodeStats;
  /** Record runs in file order: columns for MBO and CMBP-1, objects for the rest. */
  batches(): AsyncIterableIterator<DbnBatch>;
  /** Every record as a plain object. */
  records(): AsyncIterableIterator<DbnRecord>;
  /** Releases the source (needed only when not iterating to the end). */
  close(): Promise<void>;
}

const WORK_BYTES = 1 << 22; // 4 MiB of records per processing step
const MAX_RECORD = 1020;
// Far above any real metadata (a million mapping intervals), far below an accidental 4 GiB read.
const MAX_METADATA = 1 << 28;

async function* memoryChunks(u8: Uint8Array): AsyncGenerator<Uint8Array> {
  yield u8;
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const file = await Deno.open(path);
  try {
    // One reused buffer: the ByteQueue copies each chunk before asking for the next.
    const buf = new Uint8Array(1 << 22);
    for (;;) {
      let n = 0;
      while (n < buf.length) {
        const r = await file.read(buf.subarray(n));
        if (r === null) break;
        n += r;
      }
      if (n > 0) yield buf.subarray(0, n);
      if (n < buf.length) return;
    }
  } finally {
    file.close();
  }
}

async function readHead(path: string): Promise<Uint8Array> {
  const file = await Deno.open(path);
  try {
    const buf = new Uint8Array(4);
    let n = 0;
    while (n < 4) {
      const r = await file.read(buf.subarray(n));
      if (r === null) break;
      n += r;
    }
    return buf.subarray(0, n);
  } finally {
    file.close();
  }
}

/** Pulls bytes from an async iterator on demand. */
class ByteQueue {
  #it: AsyncIterator<Uint8Array>;
  #head: Uint8Array = new Uint8Array(0);
  done = false;
  /** Whether the bytes come out of a decompressor (offsets count decompressed bytes). */
  readonly compressed: boolean;
  constructor(it: AsyncIterator<Uint8Array>, compressed = false) {
    this.#it = it;
    this.compressed = compressed;
  }
  /** Next non-empty chunk (the unconsumed part of the last one first), or `null` at the end. */
  async next(): Promise<Uint8Array | null> {
    if (this.#head.byteLength > 0) {
      const h = this.#head;
      this.#head = new Uint8Array(0);
      return h;
    }
    while (!this.done) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await this.#it.next();
      } catch (e) {
        // Damage (a truncated or corrupt compressed file): the bytes before it are still
        // delivered; the reader throws `error` once it has decoded them.
        this.error = e;
        this.done = true;
        return null;
      }
      if (r.done) {
        this.done = true;
        return null;
      }
      if (r.value.byteLength > 0) return r.value;
    }
    return null;
  }
  /** The error that ended the source early, if any. */
  error: unknown = undefined;
  /** Puts back the unconsumed tail of a chunk. */
  unshift(chunk: Uint8Array): void {
    if (chunk.byteLength > 0) this.#head = chunk;
  }
  /** Reads exactly `n` bytes, or fewer at the end of the stream. */
  async readExact(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const c = await this.next();
      if (c === null) {
        if (this.error !== undefined) throw this.error;
        return out.subarray(0, got);
      }
      const take = Math.min(c.byteLength, n - got);
      out.set(c.subarray(0, take), got);
      got += take;
      this.unshift(c.subarray(take));
    }
    return out;
  }
  async close(): Promise<void> {
    this.done = true;
    await this.#it.return?.();
  }
}

function sourceName(source: DbnSource, options: DecodeOptions): string {
  if (options.name) return options.name;
  if (typeof source === "string") return source;
  if (source instanceof URL) return source.pathname;
  return source instanceof Uint8Array ? "<memory>" : "<stream>";
}

async function* peekable(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (first.byteLength) yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

async function openBytes(
  source: DbnSource,
  name: string,
  engine: ZstdEngine,
): Promise<ByteQueue> {
  if (typeof source === "string" || source instanceof URL) {
    const path = source instanceof URL ? source.pathname : source;
    let head: Uint8Array;
    try {
      head = await readHead(path);
    } catch (e) {
      throw new DbnError(`cannot open: ${(e as Error).message}`, name, undefined, { cause: e });
    }
    const z = isZstd(head);
    return new ByteQueue(
      (z ? decompressFile(path, name, engine) : fileChunks(path))[Symbol.asyncIterator](),
      z,
    );
  }
  if (source instanceof Uint8Array) {
    const chunks = memoryChunks(source);
    const z = isZstd(source);
    return new ByteQueue(
      (z ? decompress(chunks, name, engine) : chunks)[Symbol.asyncIterator](),
      z,
    );
  }
  const it = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  // Peek at least 4 bytes to detect compression (merging only small leading chunks).
  let first: Uint8Array = new Uint8Array(0);
  while (first.byteLength < 4) {
    const r = await it.next();
    if (r.done) break;
    if (first.byteLength === 0) {
      first = r.value;
      continue;
    }
    const merged = new Uint8Array(first.byteLength + r.value.byteLength);
    merged.set(first);
    merged.set(r.value, first.byteLength);
    first = merged;
  }
  const all = peekable(first, it);
  const z = isZstd(first);
  return new ByteQueue((z ? decompress(all, name, engine) : all)[Symbol.asyncIterator](), z);
}

/**
 * Opens a DBN stream and reads its metadata. Compression is detected from the first bytes.
 *
 * @example Count the MBO records of a file
 * ```ts ignore
 * import { openDbn } from "@spymaster/sdk/dbn";
 * const reader = await openDbn("glbx-mdp3-20260206.mbo.dbn.zst");
 * let n = 0;
 * for await (const b of reader.batches()) if (b.kind === "mbo") n += b.columns.length;
 * ```
 */
export async function openDbn(source: DbnSource, options: DecodeOptions = {}): Promise<DbnReader> {
  const name = sourceName(source, options);
  const queue = await openBytes(source, name, options.zstd ?? "auto");
  const compressed = { compressed: queue.compressed };
  const upgrade = options.upgrade ?? true;
  let metadata: Metadata | undefined;
  let version: number;
  let tsOut: boolean;
  let offset = 0;
  try {
    if (options.fragment) {
      version = options.fragment.version ?? 0;
      tsOut = options.fragment.tsOut ?? false;
    } else {
      const prelude = await queue.readExact(8);
      if (prelude.byteLength < 8) {
        throw new DbnError(
          `truncated prelude: ${prelude.byteLength} of 8 bytes`,
          name,
          0,
          compressed,
        );
      }
      if (prelude[0] !== 0x44 || prelude[1] !== 0x42 || prelude[2] !== 0x4e) {
        throw new DbnError("not a DBN stream (bad magic, expected 'DBN')", name, 0, compressed);
      }
      version = prelude[3];
      if (version === 0) {
        throw new DbnError("legacy DBZ (version 0) is not supported", name, 3, compressed);
      }
      if (version > DBN_VERSION) {
        throw new DbnError(
          `can't decode newer version of DBN (version ${version})`,
          name,
          3,
          compressed,
        );
      }
      const len = new DataView(prelude.buffer).getUint32(4, true);
      if (len < 100) {
        throw new DbnError(
          `metadata length ${len} is below the 100-byte minimum`,
          name,
          4,
          compressed,
        );
      }
      if (len > MAX_METADATA) {
        throw new DbnError(
          `metadata length ${len} exceeds the ${MAX_METADATA}-byte limit`,
          name,
          4,
          compressed,
        );
      }
      const rest = await queue.readExact(len);
      if (rest.byteLength < len) {
        throw new DbnError(
          `truncated metadata: ${rest.byteLength} of ${len} bytes`,
          name,
          8 + rest.byteLength,
          compressed,
        );
      }
      const all = new Uint8Array(8 + len);
      all.set(prelude);
      all.set(rest, 8);
      metadata = decodeMetadata(all, name);
      tsOut = metadata.ts_out;
      if (upgrade && version < DBN_VERSION) {
        metadata = { ...metadata, version: DBN_VERSION, symbol_cstr_len: 71 };
      }
      offset = 8 + len;
    }
  } catch (e) {
    await queue.close().catch(() => {});
    throw e;
  }
  return new Reader(queue, name, metadata, version, tsOut, offset, upgrade, options);
}

const KIND_RECORDS = 0, KIND_MBO = 1, KIND_CMBP1 = 2;

class Reader implements DbnReader {
  readonly metadata: Metadata | undefined;
  readonly inputVersion: number;
  readonly stats: DecodeStats = { records: 0, bytes: 0, skipped: 0 };
  #queue: ByteQueue;
  #name: string;
  #tsOut: boolean;
  #base: number;
  #upgrade: boolean;
  #skipUnknown: boolean;
  #batch: number;
  #used = false;
  #reuse = false;
  #buffers: ArrayBuffer[] = [];
  #turn = 0;

  /** The next pooled buffer (two alternate, sized for a full batch), or none without reuse. */
  #pool(bytes: number): ArrayBuffer | undefined {
    if (!this.#reuse) return undefined;
    const i = this.#turn++ & 1;
    if (!this.#buffers[i] || this.#buffers[i].byteLength < bytes) {
      this.#buffers[i] = new ArrayBuffer(bytes);
    }
    return this.#buffers[i];
  }

  constructor(
    queue: ByteQueue,
    name: string,
    metadata: Metadata | undefined,
    version: number,
    tsOut: boolean,
    offset: number,
    upgrade: boolean,
    options: DecodeOptions,
  ) {
    this.#queue = queue;
    this.#name = name;
    this.metadata = metadata;
    this.inputVersion = version;
    this.#tsOut = tsOut;
    this.#base = offset;
    this.stats.bytes = offset;
    this.#upgrade = upgrade;
    this.#skipUnknown = options.skipUnknown ?? false;
    this.#batch = Math.max(1, options.batchRecords ?? 65536);
    this.#reuse = options.reuseBatches ?? false;
  }

  close(): Promise<void> {
    return this.#queue.close();
  }

  async *records(): AsyncIterableIterator<DbnRecord> {
    for await (const b of this.#run(true)) {
      if (b.kind === "records") yield* b.records;
      else if (b.kind === "mbo") {
        for (let i = 0; i < b.columns.length; i++) yield mboRow(b.columns, i);
      } else for (let i = 0; i < b.columns.length; i++) yield cmbp1Row(b.columns, i);
    }
  }

  batches(): AsyncIterableIterator<DbnBatch> {
    return this.#run(false);
  }

  async *#run(objectsOnly: boolean): AsyncGenerator<DbnBatch> {
    if (this.#used) throw new Error("a DbnReader can be iterated only once");
    this.#used = true;
    const buf = new ArrayBuffer(WORK_BYTES + MAX_RECORD + 8);
    const u8 = new Uint8Array(buf);
    const w32 = new Uint32Array(buf);
    const dv = new DataView(buf);
    const tsOutBytes = this.#tsOut ? 8 : 0;
    const fixedVersion = this.inputVersion;
    let fill = 0;
    // Run boundaries of one processing step (kind, start byte, count, record size).
    const runKind: number[] = [],
      runStart: number[] = [],
      runCount: number[] = [],
      runSize: number[] = [];
    try {
      for (;;) {
        // Fill the work buffer.
        while (fill < WORK_BYTES) {
          const c = await this.#queue.next();
          if (c === null) break;
          const take = Math.min(c.byteLength, WORK_BYTES - fill);
          u8.set(c.subarray(0, take), fill);
          fill += take;
          this.#queue.unshift(c.subarray(take));
        }
        if (fill === 0) {
          if (this.#queue.error !== undefined) throw this.#queue.error;
          return;
        }
        // Pass 1: frame and validate records, split into runs.
        runKind.length =
          runStart.length =
          runCount.length =
          runSize.length =
            0;
        let pos = 0;
        let gap = false; // a skipped record ends the current run (runs are contiguous bytes)
        while (pos < fill) {
          const len = u8[pos] * 4;
          if (len < 16) {
            throw new DbnError(
              `invalid record length ${len} bytes (minimum 16)`,
              this.#name,
              this.#base + pos,
              { compressed: this.#queue.compressed },
            );
          }
          if (pos + len > fill) break;
          const rtype = u8[pos + 1];
          const v = fixedVersion || detectVersion(rtype, len - tsOutBytes);
          const layout = layoutFor(rtype, v);
          if (layout === undefined) {
            if (this.#skipUnknown) {
              this.stats.skipped++;
              pos += len;
              gap = true;
              continue;
            }
            throw new DbnError(
              `unknown rtype 0x${rtype.toString(16).padStart(2, "0")}`,
              this.#name,
              this.#base + pos,
              { compressed: this.#queue.compressed },
            );
          }
          if (len !== layout.size + tsOutBytes) {
            throw new DbnError(
              `record length ${len} does not match rtype 0x${
                rtype.toString(16).padStart(2, "0")
              } ` +
                `(expected ${layout.size + tsOutBytes} for DBN v${v}${
                  tsOutBytes ? " with ts_out" : ""
                })`,
              this.#name,
              this.#base + pos,
              { compressed: this.#queue.compressed },
            );
          }
          const kind = objectsOnly || tsOutBytes
            ? KIND_RECORDS
            : rtype === 0xa0
            ? KIND_MBO
            : rtype === 0xb1 || rtype === 0xc2
            ? KIND_CMBP1
            : KIND_RECORDS;
          const last = runKind.length - 1;
          if (
            !gap && last >= 0 && runKind[last] === kind && runCount[last] < this.#batch &&
            (kind === KIND_RECORDS || runSize[last] === len)
          ) {
            runCount[last]++;
          } else {
            runKind.push(kind);
            runStart.push(pos);
            runCount.push(1);
            runSize.push(kind === KIND_RECORDS ? 0 : len);
            gap = false;
          }
          pos += len;
        }
        const consumed = pos;
        if (consumed === 0 && this.#queue.done) {
          if (this.#queue.error !== undefined) throw this.#queue.error;
          const need = u8[0] * 4;
          throw new DbnError(
            `truncated record: ${fill} of ${need} bytes before the end of the stream`,
            this.#name,
            this.#base,
            { compressed: this.#queue.compressed },
          );
        }
        // Pass 2: decode runs.
        for (let r = 0; r < runKind.length; r++) {
          const start = runStart[r], count = runCount[r], offset = this.#base + start;
          if (runKind[r] === KIND_MBO) {
            const cols = allocMboColumns(count, this.#pool(mboColumnsBytes(this.#batch)));
            fillMbo(w32, start >> 2, runSize[r] >> 2, count, cols);
            this.stats.records += count;
            this.stats.bytes = offset + count * runSize[r];
            yield { kind: "mbo", offset, columns: cols };
          } else if (runKind[r] === KIND_CMBP1) {
            const cols = allocCmbp1Columns(count, this.#pool(cmbp1ColumnsBytes(this.#batch)));
            fillCmbp1(w32, start >> 2, runSize[r] >> 2, count, cols);
            this.stats.records += count;
            this.stats.bytes = offset + count * runSize[r];
            yield { kind: "cmbp1", offset, columns: cols };
          } else {
            const records: DbnRecord[] = new Array(count);
            let p = start;
            for (let i = 0; i < count; i++) {
              const len = u8[p] * 4;
              const v = fixedVersion || detectVersion(u8[p + 1], len - tsOutBytes);
              records[i] = decodeRecordObject(dv, u8, p, v, tsOutBytes > 0, this.#upgrade);
              p += len;
            }
            this.stats.records += count;
            this.stats.bytes = this.#base + p;
            yield { kind: "records", offset, records };
          }
        }
        // Keep the incomplete tail for the next step.
        u8.copyWithin(0, consumed, fill);
        fill -= consumed;
        this.#base += consumed;
        this.stats.bytes = this.#base;
      }
    } finally {
      await this.#queue.close().catch(() => {});
    }
  }
}

/** Decodes a whole DBN source into metadata and plain-object records (small files, tests, notebooks). */
export async function readDbn(
  source: DbnSource,
  options: DecodeOptions = {},
): Promise<{ metadata: Metadata | undefined; records: DbnRecord[] }> {
  const reader = await openDbn(source, options);
  const records: DbnRecord[] = [];
  for await (const r of reader.records()) records.push(r);
  return { metadata: reader.metadata, records };
}
