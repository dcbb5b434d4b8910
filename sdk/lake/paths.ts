/**
 * Where partitions and raw files live: Hive paths, completeness (`_SUCCESS`), listing, date ranges.
 *
 * @module
 */
import { join } from "node:path";
import type { DatasetSpec, RawSpec } from "./datasets.ts";

/**
 * Where raw data came from. Raw files and bronze partitions are kept per source
 * (`raw/source=<source>/…`, `bronze/source=<source>/…`): Databento downloads, synthetic days and
 * LOBSTER imports never share a folder. Silver and later layers are not split by source; their
 * manifests name the bronze partition (with its source) they were built from.
 */
export const RAW_SOURCES = ["databento", "synthetic", "lobster"] as const;
/** One of {@linkcode RAW_SOURCES}. */
export type RawSource = typeof RAW_SOURCES[number];

/** Throws unless `source` is one of {@linkcode RAW_SOURCES}. */
export function checkSource(source: string): RawSource {
  if (!(RAW_SOURCES as readonly string[]).includes(source)) {
    throw new Error(`unknown source '${source}' (valid: ${RAW_SOURCES.join(", ")})`);
  }
  return source as RawSource;
}

/** A partition: one symbol (contract, root or ticker) on one session date. */
export interface PartitionKey {
  /** Symbol, e.g. `MNQH6`. */
  symbol: string;
  /** Session date `YYYY-MM-DD`. */
  dt: string;
  /**
   * Raw provenance, required for datasets whose path holds `{source}` (raw and bronze); ignored
   * by the others.
   */
  source?: string;
}

/** A complete partition found on disk. */
export interface PartitionRef extends PartitionKey {
  /** Absolute folder of the partition. */
  dir: string;
}

/** Name of the completeness marker. */
export const SUCCESS_FILE = "_SUCCESS";
/** Name of the manifest. */
export const MANIFEST_FILE = "_MANIFEST.json";

/** Throws unless `dt` is a real calendar date written `YYYY-MM-DD`. */
export function checkDate(dt: string, what = "date"): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dt);
  const d = m ? new Date(`${dt}T00:00:00Z`) : null;
  if (!m || !d || isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== dt) {
    throw new Error(`bad ${what} '${dt}' (expected a calendar date YYYY-MM-DD)`);
  }
}

/** Throws unless the key is usable in a path. */
export function checkPartitionKey(key: PartitionKey): void {
  checkDate(key.dt, "partition date");
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-]*$/.test(key.symbol) || key.symbol.length > 64) {
    throw new Error(`bad partition symbol '${key.symbol}' (letters, digits, . _ - only)`);
  }
}

/** Whether a dataset or raw input is kept per source (its path holds `{source}`). */
export function hasSource(spec: DatasetSpec | RawSpec): boolean {
  return spec.path.includes("{source}");
}

/** `spec.path` with `{source}` filled in (an error naming the dataset when it is needed and absent). */
function withSource(spec: DatasetSpec | RawSpec, source: string | undefined): string {
  if (!hasSource(spec)) return spec.path;
  if (source === undefined) {
    throw new Error(
      `${spec.key} is kept per source (${RAW_SOURCES.join(", ")}): say which one to use`,
    );
  }
  return spec.path.replaceAll("{source}", checkSource(source));
}

/**
 * The table folder of a symbol: `<lake>/<path with symbol (and source)>`. `source` is required for
 * datasets kept per source ({@linkcode hasSource}) and ignored by the others.
 */
export function tableDir(
  lakeRoot: string,
  spec: DatasetSpec | RawSpec,
  symbol: string,
  source?: string,
): string {
  return join(lakeRoot, withSource(spec, source).replaceAll("{symbol}", symbol));
}

/** The folder of a partition: `<lake>/<path with symbol and source>/dt=<dt>`. */
export function partitionDir(lakeRoot: string, spec: DatasetSpec, key: PartitionKey): string {
  checkPartitionKey(key);
  return join(tableDir(lakeRoot, spec, key.symbol, key.source), `dt=${key.dt}`);
}

/** True when a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** True when the partition folder holds `_SUCCESS`. */
export async function isComplete(dir: string): Promise<boolean> {
  return await exists(join(dir, SUCCESS_FILE));
}

/** Calendar dates from `start` to `end` inclusive (weekends included). */
export function datesBetween(start: string, end: string): string[] {
  checkDate(start, "start date");
  checkDate(end, "end date");
  if (end < start) throw new Error(`end date ${end} is before start date ${start}`);
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`);; t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    out.push(d);
    if (d >= end) break;
  }
  return out;
}

async function listDir(dir: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Symbols that have a table folder for a dataset or a raw input; `source` as in
 * {@linkcode tableDir}.
 */
export async function listSymbols(
  lakeRoot: string,
  spec: DatasetSpec | RawSpec,
  source?: string,
): Promise<string[]> {
  const segs = withSource(spec, source).split("/");
  const i = segs.findIndex((s) => s.includes("{symbol}"));
  const [pre, post] = segs[i].split("{symbol}");
  const parent = join(lakeRoot, ...segs.slice(0, i));
  const out: string[] = [];
  for (const e of await listDir(parent)) {
    if (!e.isDirectory || !e.name.startsWith(pre) || !e.name.endsWith(post)) continue;
    const sym = e.name.slice(pre.length, e.name.length - post.length);
    if (sym && !sym.startsWith(".")) out.push(sym);
  }
  return out;
}

/**
 * Complete partitions of a dataset (those with `_SUCCESS`), sorted by symbol then date. Filters:
 * one symbol, and an inclusive date range.
 */
export async function listPartitions(
  lakeRoot: string,
  spec: DatasetSpec,
  filter: { symbol?: string; start?: string; end?: string; source?: string } = {},
): Promise<PartitionRef[]> {
  const src = filter.source;
  const symbols = filter.symbol !== undefined
    ? [filter.symbol]
    : await listSymbols(lakeRoot, spec, src);
  const out: PartitionRef[] = [];
  for (const symbol of symbols) {
    for (const e of await listDir(tableDir(lakeRoot, spec, symbol, src))) {
      const m = /^dt=(\d{4}-\d{2}-\d{2})$/.exec(e.name);
      if (!e.isDirectory || !m) continue;
      const dt = m[1];
      if ((filter.start && dt < filter.start) || (filter.end && dt > filter.end)) continue;
      const dir = join(tableDir(lakeRoot, spec, symbol, src), e.name);
      if (await isComplete(dir)) {
        out.push(hasSource(spec) ? { symbol, dt, source: src, dir } : { symbol, dt, dir });
      }
    }
  }
  return out;
}

/**
 * The sources that hold data of a dataset or raw input for `symbol` on `dt`: raw files of that
 * date, or a complete partition. Empty for specs not kept per source.
 */
export async function sourcesWith(
  lakeRoot: string,
  spec: DatasetSpec | RawSpec,
  symbol: string,
  dt: string,
): Promise<RawSource[]> {
  if (!hasSource(spec)) return [];
  const out: RawSource[] = [];
  for (const source of RAW_SOURCES) {
    const found = "suffixes" in spec
      ? (await findRawFiles(lakeRoot, spec, symbol, dt, source)).length > 0
      : await isComplete(partitionDir(lakeRoot, spec, { symbol, dt, source }));
    if (found) out.push(source);
  }
  return out;
}

/** The Parquet files of a partition folder, in name order. */
export async function partFiles(dir: string): Promise<string[]> {
  return (await listDir(dir))
    .filter((e) => e.isFile && /^part-.*\.parquet$/.test(e.name))
    .map((e) => join(dir, e.name));
}

/**
 * Raw files of a session date: names in the raw folder containing `YYYYMMDD` and ending in one of the
 * accepted suffixes, in name order (an empty list when none).
 */
export async function findRawFiles(
  lakeRoot: string,
  raw: RawSpec,
  symbol: string,
  dt: string,
  source?: string,
): Promise<string[]> {
  checkDate(dt);
  const ymd = dt.replaceAll("-", "");
  const dir = tableDir(lakeRoot, raw, symbol, source);
  return (await listDir(dir))
    .filter((e) => e.isFile && e.name.includes(ymd) && raw.suffixes.some((s) => e.name.endsWith(s)))
    .map((e) => join(dir, e.name));
}
