/**
 * Lineage checks: is a complete partition still what its inputs would give? Every manifest
 * records its inputs (raw files with size and sha256; upstream partitions with the sha256 of their
 * `_MANIFEST.json`). {@linkcode partitionFreshness} compares them with the lake as it is now, so a
 * stage rebuilds a partition whose raw file was replaced, or whose upstream partition was rebuilt,
 * instead of keeping stale rows silently. Any layer uses it the same way (bronze, silver, gold,
 * vacuum-pressure):
 *
 * ```ts ignore
 * const f = await partitionFreshness(lake, "silver.future_mbo.book_snapshot_1s", key, {
 *   inputs: [{ dataset: "bronze.future_mbo.mbo", symbol, dt, source }],
 * });
 * if (f.state === "fresh" && !overwrite) return skip();
 * if (f.state === "stale") log(`rebuilding: ${describeStale(f)}`);
 * ```
 *
 * @module
 */
import { resolve } from "node:path";
import { datasetSpec } from "./datasets.ts";
import type { Lake } from "./lake.ts";
import { fileSha256, type Manifest, type ManifestInput, manifestSha256 } from "./manifest.ts";
import { isComplete, partitionDir } from "./paths.ts";
import { readManifest } from "./manifest.ts";

/** One input whose current state differs from what the manifest recorded. */
export interface StaleInput {
  /** The raw file path, or `<dataset> <symbol> <dt>` of an upstream partition. */
  input: string;
  /** What changed, e.g. `sha256 changed (ab12… → cd34…)`, `rebuilt since`, `new input`, `missing`. */
  reason: string;
}

/** What {@linkcode partitionFreshness} found. */
export interface Freshness {
  /** `missing` (no `_SUCCESS`), `fresh` (inputs unchanged) or `stale` (see `stale`). */
  state: "missing" | "fresh" | "stale";
  /** Partition folder. */
  dir: string;
  /** The manifest of a complete partition. */
  manifest?: Manifest;
  /** The changed inputs (empty unless `stale`). */
  stale: StaleInput[];
  /**
   * Recorded inputs that are gone (a deleted raw file or upstream partition): the partition cannot
   * be checked against them, nor rebuilt from them, so they do not make it stale.
   */
  unverifiable: StaleInput[];
}

/** An upstream partition a partition is built from now. */
export interface UpstreamRef {
  /** Dataset key. */
  dataset: string;
  /** Partition symbol. */
  symbol: string;
  /** Partition date. */
  dt: string;
  /** Raw provenance, for datasets kept per source. */
  source?: string;
}

/** What the caller's current run would read (to detect inputs that appeared since). */
export interface CurrentInputs {
  /** Raw files the run would read now. */
  files?: string[];
  /** Upstream partitions the run would read now. */
  inputs?: UpstreamRef[];
}

const GONE = "missing";

// sha256 of raw files already hashed by this process, keyed by path, size and mtime: a bronze
// stage checks many partitions fed by the same file
const hashCache = new Map<string, string>();

async function cachedSha256(path: string, st: Deno.FileInfo): Promise<string> {
  const key = `${path}\u0000${st.size}\u0000${st.mtime?.getTime() ?? ""}`;
  let sha = hashCache.get(key);
  if (sha === undefined) {
    sha = (await fileSha256(path)).sha256;
    hashCache.set(key, sha);
  }
  return sha;
}

/**
 * The manifest input of a raw file (size and sha256; the hash is cached per path, size and mtime
 * within the process), for a file a run depends on without reading it again.
 */
export async function rawFileInput(path: string): Promise<ManifestInput> {
  const st = await Deno.stat(path);
  return { path, bytes: st.size, sha256: await cachedSha256(path, st) };
}

async function rawState(
  input: { path: string; bytes: number; sha256: string },
): Promise<string | undefined> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(input.path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return GONE;
    throw e;
  }
  if (st.size !== input.bytes) return `size changed (${input.bytes} → ${st.size} bytes)`;
  const sha = await cachedSha256(input.path, st);
  return sha === input.sha256
    ? undefined
    : `sha256 changed (${input.sha256.slice(0, 12)}… → ${sha.slice(0, 12)}…)`;
}

function upstreamLabel(u: UpstreamRef): string {
  return `${u.dataset}${u.source ? ` source=${u.source}` : ""} ${u.symbol} ${u.dt}`;
}

async function upstreamState(
  lake: Lake,
  u: UpstreamRef & { manifest_sha256: string },
): Promise<string | undefined> {
  let dir: string;
  try {
    dir = partitionDir(lake.root, datasetSpec(lake.config, u.dataset), u);
  } catch (e) {
    return `cannot be located (${(e as Error).message})`;
  }
  if (!(await isComplete(dir))) return GONE;
  const sha = await manifestSha256(dir);
  return sha === u.manifest_sha256 ? undefined : "rebuilt since (its manifest sha256 changed)";
}

/**
 * Checks a partition's recorded inputs against the lake: raw files (size, then sha256, cached per
 * path/size/mtime within the process) and upstream partitions (sha256 of their manifest). With
 * `current`, inputs the run would read now but the manifest does not list count as `new input`.
 */
export async function partitionFreshness(
  lake: Lake,
  datasetKey: string,
  key: { symbol: string; dt: string; source?: string },
  current: CurrentInputs = {},
): Promise<Freshness> {
  const dir = partitionDir(lake.root, datasetSpec(lake.config, datasetKey), key);
  if (!(await isComplete(dir))) return { state: "missing", dir, stale: [], unverifiable: [] };
  const manifest = await readManifest(dir);
  const stale: StaleInput[] = [];
  const unverifiable: StaleInput[] = [];
  const recordedFiles = new Set<string>();
  const recordedUp = new Set<string>();
  for (const input of manifest.inputs ?? []) {
    if ("path" in input) {
      recordedFiles.add(resolve(input.path));
      const why = await rawState(input);
      if (why) (why === GONE ? unverifiable : stale).push({ input: input.path, reason: why });
    } else {
      recordedUp.add(upstreamLabel(input));
      const why = await upstreamState(lake, input);
      if (why) {
        (why === GONE ? unverifiable : stale).push({ input: upstreamLabel(input), reason: why });
      }
    }
  }
  for (const f of current.files ?? []) {
    if (!recordedFiles.has(resolve(f))) stale.push({ input: f, reason: "new input" });
  }
  for (const u of current.inputs ?? []) {
    if (!recordedUp.has(upstreamLabel(u))) {
      stale.push({ input: upstreamLabel(u), reason: "new input" });
    }
  }
  return { state: stale.length ? "stale" : "fresh", dir, manifest, stale, unverifiable };
}

/** One line naming the changed inputs of a stale partition. */
export function describeStale(f: Freshness): string {
  return f.stale.map((s) => `${s.input}: ${s.reason}`).join("; ");
}

/** The lineage input of an upstream partition (which must be complete), for a manifest. */
export async function upstreamInput(lake: Lake, ref: UpstreamRef): Promise<ManifestInput> {
  const dir = partitionDir(lake.root, datasetSpec(lake.config, ref.dataset), ref);
  if (!(await isComplete(dir))) {
    throw new Error(
      `input partition ${upstreamLabel(ref)} is missing or incomplete (${dir})`,
    );
  }
  return {
    dataset: ref.dataset,
    symbol: ref.symbol,
    dt: ref.dt,
    ...(ref.source ? { source: ref.source } : {}),
    manifest_sha256: await manifestSha256(dir),
  };
}
