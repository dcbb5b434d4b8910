// Zstandard for DBN streams: the zstd CLI when it can be run (fastest: 700+ MB/s, streams),
// otherwise node:zlib's streaming zstd (in-process, ~350 MB/s).
import * as zlib from "node:zlib";
import { DbnError } from "./error.ts";
import { zstdFramePieces } from "./_zstd_frames.ts";

/** The zstd frame magic, little-endian bytes `28 B5 2F FD`. */
export const ZSTD_MAGIC = 0xfd2fb528;

/** Which zstd implementation to use. `auto` prefers the CLI and falls back to node:zlib. */
export type ZstdEngine = "auto" | "cli" | "node";

let cliAvailable: boolean | undefined;

/** Whether the `zstd` command can be run here (binary present and `--allow-run` granted). */
export async function zstdCliAvailable(): Promise<boolean> {
  if (cliAvailable !== undefined) return cliAvailable;
  try {
    const { success } = await new Deno.Command("zstd", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    cliAvailable = success;
  } catch {
    cliAvailable = false;
  }
  return cliAvailable;
}

/** Whether the first bytes of `u8` are a zstd frame (or skippable frame) magic. */
export function isZstd(u8: Uint8Array): boolean {
  if (u8.byteLength < 4) return false;
  const m = (u8[0] | (u8[1] << 8) | (u8[2] << 16) | (u8[3] << 24)) >>> 0;
  return m === ZSTD_MAGIC || (m & 0xfffffff0) === 0x184d2a50;
}

/**
 * zstd's error text without the file names it prints (shortened, e.g. `tr/x.dbn.zst : Read
 * error (39) : premature end`): the DbnError names the whole path itself.
 */
function zstdMessage(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean)
    .map((l) => l.replace(/^zstd:\s*/, "").replace(/^\S[^:]*?\s+:\s+/, ""));
  return [...new Set(lines)].join("; ");
}

async function* fromCli(
  args: string[],
  input: AsyncIterable<Uint8Array> | undefined,
  name: string,
): AsyncGenerator<Uint8Array> {
  const child = new Deno.Command("zstd", {
    args,
    stdin: input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let feedError: unknown;
  const feeding = input
    ? (async () => {
      const writer = child.stdin.getWriter();
      try {
        for await (const chunk of input) await writer.write(chunk);
        await writer.close();
      } catch (e) {
        // A broken pipe means zstd stopped early; its own exit status says why.
        if (!(e instanceof Deno.errors.BrokenPipe)) feedError = e;
        await writer.abort().catch(() => {});
      }
    })()
    : Promise.resolve();
  let produced = 0;
  let finished = false;
  try {
    // BYOB reads into one reused buffer: no allocation per pipe chunk. Consumers copy each chunk
    // before asking for the next one (the decoder's ByteQueue does).
    const reader = child.stdout.getReader({ mode: "byob" });
    let buf = new Uint8Array(1 << 20);
    for (;;) {
      const r = await reader.read(buf);
      if (r.done) break;
      produced += r.value.byteLength;
      yield r.value;
      buf = new Uint8Array(r.value.buffer);
    }
    reader.releaseLock();
    finished = true;
  } finally {
    if (!finished) {
      try {
        child.kill();
      } catch { /* already exited */ }
    }
    await feeding;
    if (!finished) {
      await child.status;
      await stderr.catch(() => "");
    }
  }
  const status = await child.status;
  const text = (await stderr).trim();
  if (feedError) throw feedError;
  if (!status.success) {
    throw new DbnError(
      `truncated or corrupt zstd data: ${zstdMessage(text) || `zstd exited with ${status.code}`}`,
      name,
      produced,
      { compressed: true },
    );
  }
}

async function* fromNode(
  input: AsyncIterable<Uint8Array>,
  name: string,
): AsyncGenerator<Uint8Array> {
  // node's zstd stream ends after the first frame: one decompressor per frame.
  let produced = 0;
  let out: Uint8Array[] = [];
  let d: zlib.ZstdDecompress | undefined;
  let failed: Error | undefined;
  let ended: Promise<void> = Promise.resolve();
  const drain = () => {
    const o = out;
    out = [];
    for (const b of o) produced += b.byteLength;
    return o;
  };
  try {
    for await (const piece of zstdFramePieces(input, name)) {
      if (d === undefined) {
        const z = zlib.createZstdDecompress();
        d = z;
        z.on(
          "data",
          (b: Uint8Array) => out.push(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
        );
        ended = new Promise<void>((res) => {
          z.on("end", res);
          z.on("error", (e: Error) => {
            failed ??= e;
            res();
          });
        });
      }
      const z = d;
      if (piece.data.byteLength > 0) {
        // (an error ends `ended` too, in case the write callback never comes)
        await Promise.race([new Promise<void>((res) => z.write(piece.data, () => res())), ended]);
      }
      if (failed) throw failed;
      yield* drain();
      if (piece.end) {
        z.end();
        await ended;
        if (failed) throw failed;
        yield* drain();
        d = undefined;
      }
    }
    if (d !== undefined) throw new Error("truncated zstd frame");
  } catch (e) {
    if (e instanceof DbnError) throw e;
    throw new DbnError(`truncated or corrupt zstd data: ${(e as Error).message}`, name, produced, {
      cause: e,
      compressed: true,
    });
  } finally {
    d?.destroy();
  }
}

/** Decompresses a zstd stream (any number of concatenated frames) into DBN bytes. */
export async function* decompress(
  input: AsyncIterable<Uint8Array>,
  name: string,
  engine: ZstdEngine = "auto",
): AsyncGenerator<Uint8Array> {
  if (engine === "cli" || (engine === "auto" && await zstdCliAvailable())) {
    yield* fromCli(["-dcq", "--no-progress"], input, name);
  } else {
    yield* fromNode(input, name);
  }
}

/** Decompresses a `.zst` file, handing the path to the zstd CLI when it is available. */
export async function* decompressFile(
  path: string,
  name: string,
  engine: ZstdEngine = "auto",
): AsyncGenerator<Uint8Array> {
  if (engine === "cli" || (engine === "auto" && await zstdCliAvailable())) {
    yield* fromCli(["-dcq", "--no-progress", "--", path], undefined, name);
  } else {
    const file = await Deno.open(path);
    yield* fromNode(file.readable, name);
  }
}

/** Compresses `data` (one frame) in process with node:zlib. */
export function compressSync(data: Uint8Array, level = 3): Uint8Array {
  const out = zlib.zstdCompressSync(data, {
    params: { [zlib.constants.ZSTD_c_compressionLevel]: level },
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
