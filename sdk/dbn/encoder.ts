/**
 * The DBN v3 encoder: metadata and records to bytes in memory, or streamed to a `.dbn` /
 * `.dbn.zst` file that appears only when complete (temporary file + rename).
 *
 * @module
 */
import { DBN_VERSION } from "./constants.ts";
import { encodeMetadata, type Metadata } from "./metadata.ts";
import { encodedSize, encodeRecordObject } from "./_object_codec.ts";
import { type Cmbp1Columns, encodeCmbp1Into, encodeMboInto, type MboColumns } from "./columns.ts";
import type { DbnRecord } from "./records.ts";
import { zstdCliAvailable } from "./_zstd.ts";
import * as zlib from "node:zlib";
import { dirname } from "node:path";

/**
 * Encodes records (v3 field sets) as DBN `version`, with metadata (omit it for a fragment).
 * Versioned record types are written in that version's layout, which needs its field set
 * (e.g. v1 definitions need `trading_reference_price`).
 */
export function encodeDbn(
  metadata: Metadata | undefined,
  records: readonly DbnRecord[],
  version: number = DBN_VERSION,
): Uint8Array {
  const head = metadata ? encodeMetadata(metadata, version) : new Uint8Array(0);
  return encodeRecords(records, version, metadata?.ts_out ?? false, head);
}

/** Encodes records only (a fragment), after optional `head` bytes. */
export function encodeRecords(
  records: readonly DbnRecord[],
  version: number = DBN_VERSION,
  tsOut = false,
  head: Uint8Array = new Uint8Array(0),
): Uint8Array {
  let size = head.byteLength;
  for (const r of records) size += encodedSize(r, version, tsOut);
  const u8 = new Uint8Array(size);
  u8.set(head);
  const dv = new DataView(u8.buffer);
  let pos = head.byteLength;
  for (const r of records) pos += encodeRecordObject(r, dv, u8, pos, version, tsOut);
  return u8;
}

/** Options of {@linkcode DbnWriter.create}. */
export interface WriterOptions {
  /** `zstd` (default when the path ends in `.zst`) or `none`. */
  compression?: "zstd" | "none";
  /** zstd level (default 3). */
  level?: number;
}

const CHUNK_RECORDS = 32768;

/** Streams DBN v3 to a file; the file appears at `path` only after {@linkcode DbnWriter.close}. */
export class DbnWriter {
  /** Final path of the file. */
  readonly path: string;
  /** Records written so far. */
  records = 0;
  #tmp: string;
  #sink: WritableStreamDefaultWriter<Uint8Array>;
  #done: Promise<void>;
  #closed = false;
  #tsOut: boolean;

  private constructor(
    path: string,
    tmp: string,
    sink: WritableStreamDefaultWriter<Uint8Array>,
    done: Promise<void>,
    tsOut: boolean,
  ) {
    this.path = path;
    this.#tmp = tmp;
    this.#sink = sink;
    this.#done = done;
    this.#tsOut = tsOut;
  }

  /** Creates the writer and writes the metadata. Parent folders are created. */
  static async create(
    path: string,
    metadata: Metadata,
    options: WriterOptions = {},
  ): Promise<DbnWriter> {
    const compression = options.compression ?? (path.endsWith(".zst") ? "zstd" : "none");
    const level = options.level ?? 3;
    await Deno.mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
    let sink: WritableStreamDefaultWriter<Uint8Array>;
    let done: Promise<void>;
    if (compression === "zstd" && await zstdCliAvailable()) {
      const child = new Deno.Command("zstd", {
        args: ["-q", `-${level}`, "--no-progress", "-f", "-o", tmp],
        stdin: "piped",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      sink = child.stdin.getWriter();
      const stderr = new Response(child.stderr).text();
      done = (async () => {
        const st = await child.status;
        if (!st.success) throw new Error(`zstd failed writing ${path}: ${(await stderr).trim()}`);
      })();
    } else {
      const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
      if (compression === "zstd") {
        const z = zlib.createZstdCompress({
          params: { [zlib.constants.ZSTD_c_compressionLevel]: level },
        });
        const ws = file.writable.getWriter();
        let failed: unknown;
        z.on("data", (b: Uint8Array) => {
          ws.write(new Uint8Array(b)).catch((e) => failed = e);
        });
        const ended = new Promise<void>((res, rej) => {
          z.on("end", res);
          z.on("error", rej);
        });
        sink = new WritableStream<Uint8Array>({
          write(chunk) {
            return new Promise((res, rej) => z.write(chunk, (e) => e ? rej(e) : res()));
          },
          close() {
            z.end();
          },
        }).getWriter();
        done = (async () => {
          await ended;
          await ws.ready;
          if (failed) throw failed;
          await ws.close();
        })();
      } else {
        sink = file.writable.getWriter();
        done = Promise.resolve();
      }
    }
    const w = new DbnWriter(path, tmp, sink, done, metadata.ts_out);
    await w.#sink.write(encodeMetadata(metadata, DBN_VERSION));
    return w;
  }

  /** Writes MBO rows `[start, end)`. */
  async writeMbo(cols: MboColumns, start = 0, end: number = cols.length): Promise<void> {
    if (this.#tsOut) throw new Error("columnar writes do not support ts_out streams");
    for (let s = start; s < end; s += CHUNK_RECORDS) {
      const e = Math.min(end, s + CHUNK_RECORDS);
      const buf = new Uint32Array((e - s) * 14);
      encodeMboInto(cols, s, e, buf, 0);
      await this.#sink.write(new Uint8Array(buf.buffer));
      this.records += e - s;
    }
  }

  /** Writes CMBP-1 / TCBBO rows `[start, end)`. */
  async writeCmbp1(cols: Cmbp1Columns, start = 0, end: number = cols.length): Promise<void> {
    if (this.#tsOut) throw new Error("columnar writes do not support ts_out streams");
    for (let s = start; s < end; s += CHUNK_RECORDS) {
      const e = Math.min(end, s + CHUNK_RECORDS);
      const buf = new Uint32Array((e - s) * 20);
      encodeCmbp1Into(cols, s, e, buf, 0);
      await this.#sink.write(new Uint8Array(buf.buffer));
      this.records += e - s;
    }
  }

  /** Writes plain-object records (v3 field sets). */
  async writeRecords(records: readonly DbnRecord[]): Promise<void> {
    await this.#sink.write(encodeRecords(records, DBN_VERSION, this.#tsOut));
    this.records += records.length;
  }

  /** Finishes the file and moves it into place. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#sink.close();
      await this.#done;
      await Deno.rename(this.#tmp, this.path);
    } catch (e) {
      await Deno.remove(this.#tmp).catch(() => {});
      throw e;
    }
  }

  /** Discards everything written; nothing appears at `path`. */
  async abort(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sink.abort().catch(() => {});
    await this.#done.catch(() => {});
    await Deno.remove(this.#tmp).catch(() => {});
  }
}
