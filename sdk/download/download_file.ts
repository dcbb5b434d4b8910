/**
 * Resumable, verified download of one batch file: HTTP Range resume after an interruption, size and
 * sha256 checks, and only then an atomic rename into place.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { dirname } from "node:path";
import { DownloadError } from "./errors.ts";
import type { Transport } from "./_transport.ts";
import { sleep } from "./_sleep.ts";

/** One file of a batch job, as `batch.list_files` returns it. */
export interface BatchFile {
  /** File name, e.g. `glbx-mdp3-20260206.mbo.dbn.zst`. */
  filename: string;
  /** Size in bytes. */
  size: number;
  /** Algorithm-prefixed digest, e.g. `sha256:<64 hex>`. */
  hash: string;
  /** Download locations; `https` is the one used. */
  urls: { https?: string; ftp?: string; [k: string]: string | undefined };
}

/** Progress of one file download. */
export interface DownloadProgress {
  /** File name. */
  file: string;
  /** Bytes on disk so far (including a resumed prefix). */
  bytes: number;
  /** Expected size. */
  total: number;
  /** Bytes that were already on disk when this call started. */
  resumedFrom: number;
  /** Transfer rate of this call, bytes per second. */
  bytesPerSec: number;
  /** Estimated seconds left (`Infinity` when unknown). */
  etaSec: number;
  /** True on the final report. */
  done: boolean;
}

/** Options of {@link downloadFile}. */
export interface DownloadFileOptions {
  /** Where partial bytes are kept between attempts and runs (default `<dest>.part`). */
  partPath?: string;
  /** Cancels the download; the partial file is kept for a later resume. */
  signal?: AbortSignal;
  /** Progress callback (at most ~5 calls per second, plus a final one). */
  onProgress?: (p: DownloadProgress) => void;
  /** Interrupted transfers retried before giving up (default: the client's `maxRetries`). */
  maxAttempts?: number;
  /** Fresh re-downloads after a failed size/sha256 check before giving up (default 2). */
  maxIntegrityRetries?: number;
  /** Abort and resume when no byte arrives for this long (default: the client's timeout). */
  idleTimeoutMs?: number;
  /** Skip the sha256 of an existing complete `dest` and trust its size (default false). */
  trustExisting?: boolean;
}

/** What {@link downloadFile} did. */
export interface DownloadResult {
  /** Final path. */
  path: string;
  /** File size. */
  bytes: number;
  /** Hex sha256 of the file. */
  sha256: string;
  /** Whether the digest was compared with the API's (false when its algorithm is not sha256). */
  hashVerified: boolean;
  /** True when `dest` was already complete and nothing was fetched. */
  skipped: boolean;
  /** Bytes reused from an earlier partial download. */
  resumedFrom: number;
  /** HTTP requests made for the body. */
  requests: number;
  /** Files discarded because they failed verification. */
  integrityFailures: number;
}

class IdleTimeout extends Error {
  constructor(ms: number) {
    super(`no data for ${ms / 1000} s`);
    this.name = "IdleTimeout";
  }
}

async function statSize(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Streams a file through sha256 (no whole-file buffer). */
export async function sha256File(path: string, hash: Hash = createHash("sha256")): Promise<Hash> {
  using f = await Deno.open(path, { read: true });
  const buf = new Uint8Array(1 << 20);
  for (;;) {
    const n = await f.read(buf);
    if (n === null) break;
    hash.update(buf.subarray(0, n));
  }
  return hash;
}

/** Splits `sha256:<hex>` into algorithm and lower-case hex digest. */
export function parseHash(hash: string): { algorithm: string; digest: string } {
  const i = hash.indexOf(":");
  if (i < 0) return { algorithm: "sha256", digest: hash.trim().toLowerCase() };
  return {
    algorithm: hash.slice(0, i).trim().toLowerCase(),
    digest: hash.slice(i + 1).trim().toLowerCase(),
  };
}

async function writeAll(f: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  let off = 0;
  while (off < chunk.length) off += await f.write(chunk.subarray(off));
}

/**
 * Downloads a batch file to `dest`, resuming a partial download with `Range`, checking size and
 * sha256, and renaming into place only when both match. A file that fails verification is fetched
 * again from scratch (never left as if complete). 429/5xx answers are retried by the transport.
 * Internal: reached through `HistoricalClient.batch.downloadFile`.
 */
export async function downloadFile(
  transport: Transport,
  file: BatchFile,
  dest: string,
  options: DownloadFileOptions = {},
): Promise<DownloadResult> {
  const name = file.filename;
  const https = file.urls?.https;
  if (!https) {
    throw new DownloadError(
      name,
      "'download' delivery is not available for this file (no https URL)",
    );
  }
  if (!Number.isSafeInteger(file.size) || file.size < 0) {
    throw new DownloadError(name, `invalid size ${file.size} in batch.list_files`);
  }
  const url = new URL(https, transport.apiUrl);
  const endpoint = url.pathname;
  const { algorithm, digest } = parseHash(file.hash ?? "");
  const checkHash = algorithm === "sha256" && /^[0-9a-f]{64}$/.test(digest);
  const part = options.partPath ?? `${dest}.part`;
  const maxAttempts = options.maxAttempts ?? transport.retry.maxRetries;
  const maxIntegrity = options.maxIntegrityRetries ?? 2;
  const idleMs = options.idleTimeoutMs ?? transport.timeoutMs;
  const signal = options.signal;

  // Already complete?
  const existing = await statSize(dest);
  if (existing === file.size) {
    if (options.trustExisting || !checkHash) {
      return {
        path: dest,
        bytes: existing,
        sha256: options.trustExisting ? digest : (await sha256File(dest)).digest("hex"),
        hashVerified: false,
        skipped: true,
        resumedFrom: 0,
        requests: 0,
        integrityFailures: 0,
      };
    }
    const have = (await sha256File(dest)).digest("hex");
    if (have === digest) {
      return {
        path: dest,
        bytes: existing,
        sha256: have,
        hashVerified: true,
        skipped: true,
        resumedFrom: 0,
        requests: 0,
        integrityFailures: 0,
      };
    }
    // wrong content in place: fetch again below; the rename replaces it once verified
  }

  await Deno.mkdir(dirname(part), { recursive: true });
  await Deno.mkdir(dirname(dest), { recursive: true });
  let failures = 0;
  let integrityFailures = 0;
  let requests = 0;
  const resumedFrom = (await statSize(part)) ?? 0;
  const started = performance.now();
  let lastReport = 0;

  const report = (bytes: number, done: boolean) => {
    if (!options.onProgress) return;
    const now = performance.now();
    if (!done && now - lastReport < 200) return;
    lastReport = now;
    const secs = Math.max(1e-3, (now - started) / 1000);
    const rate = Math.max(0, bytes - resumedFrom) / secs;
    options.onProgress({
      file: name,
      bytes,
      total: file.size,
      resumedFrom,
      bytesPerSec: rate,
      etaSec: rate > 0 ? (file.size - bytes) / rate : Infinity,
      done,
    });
  };

  // A complete `.part` with hash `hex`: moved into place (the result), or discarded so that the
  // loop downloads it again (undefined); too many integrity failures throw.
  const settle = async (hex: string): Promise<DownloadResult | undefined> => {
    if (!checkHash || hex === digest) {
      await Deno.rename(part, dest);
      report(file.size, true);
      return {
        path: dest,
        bytes: file.size,
        sha256: hex,
        hashVerified: checkHash,
        skipped: false,
        resumedFrom,
        requests,
        integrityFailures,
      };
    }
    await Deno.remove(part);
    integrityFailures++;
    if (integrityFailures > maxIntegrity) {
      throw new DownloadError(
        name,
        `sha256 mismatch after ${integrityFailures} downloads: expected ${digest}, got ${hex}; file discarded`,
      );
    }
    transport.reportRetry({
      endpoint,
      attempt: integrityFailures,
      delayMs: 0,
      reason: `sha256 mismatch (expected ${digest}, got ${hex}): downloading again`,
    });
    return undefined;
  };

  const fail = async (e: unknown): Promise<void> => {
    failures++;
    if (failures > maxAttempts) {
      throw new DownloadError(
        name,
        transport.redact(
          `download failed after ${failures} attempts: ${(e as Error)?.message ?? e}`,
        ),
        { cause: e },
      );
    }
    const delayMs = transport.backoff(failures);
    transport.reportRetry({
      endpoint,
      attempt: failures,
      delayMs,
      reason: (e as Error)?.message ?? String(e),
    });
    await sleep(delayMs, signal);
  };

  if (file.size === 0 && (await statSize(part)) === undefined) {
    await Deno.writeFile(part, new Uint8Array(0));
  }
  for (;;) {
    signal?.throwIfAborted();
    let have = (await statSize(part)) ?? 0;
    if (have > file.size) {
      await Deno.remove(part);
      have = 0;
    }
    if (have === file.size) {
      // complete on disk: verify (hash streamed from disk) and move into place
      const done = await settle((await sha256File(part)).digest("hex"));
      if (done) return done;
      continue;
    }

    const headers: Record<string, string> = {};
    if (have > 0) headers.range = `bytes=${have}-${file.size - 1}`;
    let res: Response;
    try {
      requests++;
      res = await transport.send({
        endpoint,
        url,
        method: "GET",
        headers,
        signal,
        okStatuses: [416],
        streaming: true,
        read: (r) => Promise.resolve(r),
      });
    } catch (e) {
      // the transport already retried 429/5xx and connection failures: give up here
      if (signal?.aborted) throw signal.reason;
      throw e;
    }
    if (res.status === 416) {
      await res.body?.cancel().catch(() => {});
      await Deno.remove(part).catch(() => {});
      await fail(new Error("416 range not satisfiable: restarting from byte 0"));
      continue;
    }
    let offset = have;
    if (have > 0) {
      const cr = res.headers.get("content-range");
      const m = cr ? /^bytes\s+(\d+)-/.exec(cr) : null;
      if (res.status !== 206 || !m || Number(m[1]) !== have) offset = 0; // range ignored: restart
    }

    const hash = createHash("sha256");
    if (offset > 0) await sha256File(part, hash);
    const f = await Deno.open(part, {
      write: true,
      create: true,
      append: offset > 0,
      truncate: offset === 0,
    });
    let written = offset;
    let progressed = false;
    const reader = res.body!.getReader();
    let interrupted: unknown = undefined;
    try {
      for (;;) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const idle = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new IdleTimeout(idleMs)), idleMs);
        });
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await Promise.race([reader.read(), idle]);
        } finally {
          clearTimeout(timer);
        }
        if (r.done) break;
        const chunk = r.value;
        if (written + chunk.length > file.size) {
          interrupted = new Error(`server sent more than ${file.size} bytes`);
          break;
        }
        await writeAll(f, chunk);
        hash.update(chunk);
        written += chunk.length;
        if (!progressed) {
          progressed = true;
          failures = 0; // like the official client: the counter restarts once data flows
        }
        report(written, false);
      }
    } catch (e) {
      interrupted = e;
    } finally {
      await reader.cancel().catch(() => {});
      try {
        await f.syncData();
      } finally {
        f.close();
      }
    }
    if (signal?.aborted) throw signal.reason;
    if (interrupted !== undefined) {
      if (interrupted instanceof Error && /more than/.test(interrupted.message)) {
        await Deno.remove(part).catch(() => {});
      }
      await fail(interrupted);
      continue;
    }
    if (written < file.size) {
      await fail(new Error(`connection closed at byte ${written} of ${file.size}`));
      continue;
    }
    // written === size: verify with the running hash
    const done = await settle(hash.digest("hex"));
    if (done) return done;
  }
}
