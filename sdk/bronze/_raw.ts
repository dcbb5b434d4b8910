// Raw input files: streamed once, hashed (sha256) and counted on the way to the decoder.
import { basename } from "node:path";
import type { ManifestInput } from "../lake/manifest.ts";
import { Sha256 } from "../lake/manifest.ts";
import { findRawFiles, sourcesWith, tableDir } from "../lake/paths.ts";
import { rawSpec } from "../lake/datasets.ts";
import type { Lake } from "../lake/lake.ts";

/** A raw file being read: a byte source for `openDbn` that hashes what it reads. */
export class RawFile {
  readonly path: string;
  readonly size: number;
  read = 0;
  #hash = new Sha256();
  #done = false;

  private constructor(path: string, size: number) {
    this.path = path;
    this.size = size;
  }

  static async open(path: string): Promise<RawFile> {
    const st = await Deno.stat(path);
    return new RawFile(path, st.size);
  }

  get name(): string {
    return basename(this.path);
  }

  /** Fraction of the file read so far. */
  get fraction(): number {
    return this.size ? Math.min(1, this.read / this.size) : 1;
  }

  /** The file's bytes in 4 MiB chunks (read once). */
  async *chunks(): AsyncGenerator<Uint8Array> {
    const f = await Deno.open(this.path);
    try {
      // Two buffers alternate: a chunk stays valid until the one after next is read (the decoder
      // copies or finishes writing each chunk before asking for the next); no 4 MiB garbage per read.
      const bufs = [new Uint8Array(1 << 22), new Uint8Array(1 << 22)];
      for (let turn = 0;; turn ^= 1) {
        const buf = bufs[turn];
        let n = 0;
        while (n < buf.length) {
          const r = await f.read(buf.subarray(n));
          if (r === null) break;
          n += r;
        }
        if (n > 0) {
          const c = buf.subarray(0, n);
          this.#hash.update(c);
          this.read += n;
          yield c;
        }
        if (n < buf.length) break;
      }
      this.#done = true;
    } finally {
      f.close();
    }
  }

  /** The manifest entry (the file must have been read to the end). */
  input(): ManifestInput {
    if (!this.#done) throw new Error(`${this.path} was not read to the end`);
    return { path: this.path, bytes: this.size, sha256: this.#hash.hex() };
  }
}

/** Raw files of a raw input key for (symbol, date); a clear error when a required one is missing. */
export async function rawFiles(
  lake: Lake,
  key: string,
  symbol: string,
  dt: string,
  source: string,
): Promise<string[]> {
  const spec = rawSpec(lake.config, key);
  const files = await findRawFiles(lake.root, spec, symbol, dt, source);
  if (!files.length && !spec.optional) {
    const ymd = dt.replaceAll("-", "");
    const elsewhere = (await sourcesWith(lake.root, spec, symbol, dt)).filter((s) => s !== source);
    throw new Error(
      `no raw ${key} file for ${symbol} on ${dt} from source ${source}: expected *${ymd}*{${
        spec.suffixes.join(",")
      }} in ${tableDir(lake.root, spec, symbol, source)}` +
        (elsewhere.length
          ? ` (source ${elsewhere.join(", ")} has one: --source ${elsewhere[0]})`
          : ""),
    );
  }
  return files;
}
