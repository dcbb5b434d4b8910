/**
 * Partition manifests (`_MANIFEST.json`): rows, schema hash, inputs with sha256, code version,
 * timings and rejected-row counts; written pretty-printed with sorted keys.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MANIFEST_FILE } from "./paths.ts";

/** An input of a partition: a raw file, or an upstream partition (lineage). */
export type ManifestInput =
  | {
    /** Absolute path of a raw file. */
    path: string;
    /** Its size in bytes. */
    bytes: number;
    /** sha256 (hex) of its bytes as stored (compressed files: the compressed bytes). */
    sha256: string;
  }
  | {
    /** Upstream dataset key. */
    dataset: string;
    /** Upstream partition symbol. */
    symbol: string;
    /** Upstream partition date. */
    dt: string;
    /** Raw provenance of the upstream partition, for datasets kept per source. */
    source?: string;
    /** sha256 (hex) of the upstream `_MANIFEST.json` text. */
    manifest_sha256: string;
  };

/** One data file of a partition. */
export interface ManifestFile {
  /** File name, e.g. `part-00000.parquet`. */
  name: string;
  /** Rows in it. */
  rows: number;
  /** Size in bytes. */
  bytes: number;
}

/** Parquet settings of a partition's data files (as recorded in its manifest). */
export interface ParquetSettings {
  /** Page compression codec. */
  compression: "zstd" | "lz4_raw";
  /** zstd level (recorded as configured; unused by LZ4). */
  level: number;
  /** Rows per row group. */
  row_group_size: number;
  /** Parquet format version (absent in manifests written before it was recorded: 2). */
  version?: 1 | 2;
}

/** The content of `_MANIFEST.json`. */
export interface Manifest {
  /** Dataset key. */
  dataset: string;
  /** Stage that wrote it. */
  stage: string;
  /** Partition symbol. */
  symbol: string;
  /** Partition date. */
  dt: string;
  /** Always null (kept from the original's format). */
  hour: null;
  /** Rows in all files. */
  row_count: number;
  /** Data files in read order. */
  files: ManifestFile[];
  /** Absolute path of the contract. */
  contract_path: string;
  /** sha256 of the contract file text. */
  contract_sha256: string;
  /** sha256 of the contract's ordered `name:type` list. */
  schema_hash: string;
  /** Inputs (raw files with their sha256, or upstream partitions). */
  inputs: ManifestInput[];
  /** SDK version and git commit of the code that wrote it. */
  code_version: string;
  /** Rows removed by hard rejects, by reason. */
  rejected: Record<string, number>;
  /** Sum of `rejected`. */
  rejected_total: number;
  /** How the data files were encoded. */
  parquet: ParquetSettings;
  /**
   * Distinct values of each string column in the files, sorted (absent in manifests written
   * before it was recorded). Readers take their dictionaries from here instead of scanning the
   * column first.
   */
  string_values?: Record<string, string[]>;
  /** Stage-specific counters (records read, rows filtered out by rule, ...). */
  stats: Record<string, unknown>;
  /** ISO start/end, total seconds and stage-specific phase seconds. */
  timings: Record<string, number | string>;
}

/** Recursively sorts object keys (arrays keep their order). */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === "bigint") return v.toString();
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The manifest text: indent 2, keys sorted, trailing newline. */
export function manifestText(m: Manifest): string {
  return JSON.stringify(sortKeys(m), null, 2) + "\n";
}

/** Reads a partition's manifest (throws naming the file when missing or invalid). */
export async function readManifest(partitionDir: string): Promise<Manifest> {
  const path = join(partitionDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`cannot read manifest ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Manifest;
  } catch (e) {
    throw new Error(`${path}: invalid JSON: ${(e as Error).message}`);
  }
}

/** sha256 of a partition's `_MANIFEST.json` text (for lineage inputs). */
export async function manifestSha256(partitionDir: string): Promise<string> {
  const bytes = await Deno.readFile(join(partitionDir, MANIFEST_FILE));
  return createHash("sha256").update(bytes).digest("hex");
}

/** Incremental sha256 of a byte stream. */
export class Sha256 {
  #h = createHash("sha256");
  /** Adds bytes. */
  update(chunk: Uint8Array): void {
    this.#h.update(chunk);
  }
  /** The digest, hex. */
  hex(): string {
    return this.#h.digest("hex");
  }
}

/** sha256 (hex) and size of a file, streamed. */
export async function fileSha256(path: string): Promise<{ sha256: string; bytes: number }> {
  const h = new Sha256();
  let bytes = 0;
  const f = await Deno.open(path);
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = await f.read(buf);
      if (n === null) break;
      h.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    f.close();
  }
  return { sha256: h.hex(), bytes };
}

let cachedVersion: string | undefined;

/** The version of a package loaded from a registry: from its URL (`…/@spymaster/sdk/0.1.0/`). */
function packageVersion(sdkUrl: URL): Promise<string> {
  const m = /\/(\d+\.\d+\.\d+[^/]*)\/$/.exec(sdkUrl.pathname);
  return Promise.resolve(m ? m[1] : "0.0.0");
}

/**
 * `<sdk version>+g<commit>` of this checkout (read from `.git` without running git), or the SDK
 * version alone outside a git checkout. `SPYMASTER_CODE_VERSION` overrides it.
 */
export async function codeVersion(): Promise<string> {
  if (cachedVersion) return cachedVersion;
  let override: string | undefined;
  try {
    override = Deno.env.get("SPYMASTER_CODE_VERSION");
  } catch { /* no env permission */ }
  if (override) return (cachedVersion = override);
  const sdkUrl = new URL("../", import.meta.url);
  if (sdkUrl.protocol !== "file:") return (cachedVersion = await packageVersion(sdkUrl));
  const sdkDir = fileURLToPath(sdkUrl);
  let version = "0.0.0";
  try {
    version = JSON.parse(await Deno.readTextFile(join(sdkDir, "deno.json"))).version ?? version;
  } catch { /* published package without deno.json */ }
  let commit = "";
  try {
    const git = join(sdkDir, "..", ".git");
    const head = (await Deno.readTextFile(join(git, "HEAD"))).trim();
    if (head.startsWith("ref: ")) {
      const ref = head.slice(5);
      try {
        commit = (await Deno.readTextFile(join(git, ref))).trim();
      } catch {
        const packed = await Deno.readTextFile(join(git, "packed-refs"));
        commit = packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.split(" ")[0] ?? "";
      }
    } else commit = head;
  } catch { /* not a git checkout */ }
  return (cachedVersion = commit ? `${version}+g${commit.slice(0, 12)}` : version);
}
