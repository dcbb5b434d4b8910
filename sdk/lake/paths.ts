/**
 * Where partitions and raw files live: Hive paths, completeness (`_SUCCESS`), listing, date ranges.
 *
 * @module
 */
import { join } from "node:path";
import type { DatasetSpec, RawSpec } from "./datasets.ts";

/** A partition: one symbol (contract, root or ticker) on one session date. */
export interface PartitionKey {
  /** Symbol, e.g. `MNQH6`. */
  symbol: string;
  /** Session date `YYYY-MM-DD`. */
  dt: string;
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

/** The table folder of a symbol: `<lake>/<path with symbol>`. */
export function tableDir(lakeRoot: string, spec: DatasetSpec | RawSpec, symbol: string): string {
  return join(lakeRoot, spec.path.replaceAll("{symbol}", symbol));
}

/** The folder of a partition: `<lake>/<path with symbol>/dt=<dt>`. */
export function partitionDir(lakeRoot: string, spec: DatasetSpec, key: PartitionKey): string {
  checkPartitionKey(key);
  return join(tableDir(lakeRoot, spec, key.symbol), `dt=${key.dt}`);
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

/** Symbols that have a table folder for a dataset or a raw input. */
export async function listSymbols(
  lakeRoot: string,
  spec: DatasetSpec | RawSpec,
): Promise<string[]> {
  const segs = spec.path.split("/");
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
  filter: { symbol?: string; start?: string; end?: string } = {},
): Promise<PartitionRef[]> {
  const symbols = filter.symbol !== undefined ? [filter.symbol] : await listSymbols(lakeRoot, spec);
  const out: PartitionRef[] = [];
  for (const symbol of symbols) {
    for (const e of await listDir(tableDir(lakeRoot, spec, symbol))) {
      const m = /^dt=(\d{4}-\d{2}-\d{2})$/.exec(e.name);
      if (!e.isDirectory || !m) continue;
      const dt = m[1];
      if ((filter.start && dt < filter.start) || (filter.end && dt > filter.end)) continue;
      const dir = join(tableDir(lakeRoot, spec, symbol), e.name);
      if (await isComplete(dir)) out.push({ symbol, dt, dir });
    }
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
): Promise<string[]> {
  checkDate(dt);
  const ymd = dt.replaceAll("-", "");
  const dir = tableDir(lakeRoot, raw, symbol);
  return (await listDir(dir))
    .filter((e) => e.isFile && e.name.includes(ymd) && raw.suffixes.some((s) => e.name.endsWith(s)))
    .map((e) => join(dir, e.name));
}
