/**
 * Futures-options discovery: which option raw symbols to download for a root on a session date.
 * Candidate parents are resolved (free), then the definitions of the first matching parent are
 * streamed (billed, once) and filtered to the 0DTE options on the front-month contract (or the
 * nearest expiry). The chosen parent's definitions are kept as
 * `dataset=definition/venue=glbx/type=futures_options/symbol=<ROOT>/glbx-mdp3-<YYYYMMDD>.definition.dbn.zst`
 * (the file the bronze stage reads) and the choice is cached in `resolved_<date>.json`.
 *
 * @module
 */
import { join } from "node:path";
import type { HistoricalClient } from "./client.ts";
import { addDays } from "./dates.ts";
import { sha256File } from "./download_file.ts";
import { DatabentoApiError, DatabentoError } from "./errors.ts";
import { futuresDefinitionDir, rawFileName } from "./lake_paths.ts";
import { candidateParents } from "./options_parents.ts";
import {
  NoOptionsError,
  type OptionDefinition,
  readOptionDefinitions,
  selectOptions,
} from "./zero_dte.ts";

/** Result of {@link discoverFuturesOptions}; also the cache file's content. */
export interface OptionsDiscovery {
  /** Sorted option raw symbols (empty when nothing matched). */
  raw_symbols: string[];
  /** `0dte`, `nearest_<YYYY-MM-DD>`, or `none`. */
  label: string;
  /** Parent symbol the options belong to, e.g. `SO1.OPT` (empty when none). */
  parent: string;
  /** Front-month contract the options are on. */
  contract?: string;
  /** Definitions file in the lake (absent for old caches). */
  definitions?: string;
  /**
   * sha256 of the definitions file as streamed by the downloader: the cache is trusted only while
   * the file still has it (a file another producer put there is never taken for a download).
   */
  definitions_sha256?: string;
}

/** Options of {@link discoverFuturesOptions}. */
export interface DiscoverOptions {
  /** Lake root (default `lake`). */
  lakeRoot?: string;
  /** Folder for temporary files on the lake's file system (default `<lake>/.staging`). */
  stagingDir?: string;
  /** Log sink (one event per call). */
  log?: (line: string) => void;
  /** Resolve candidates (free) but stream nothing: returns the first resolving parent, label `dry_run`. */
  dryRun?: boolean;
  /** Dataset (default `GLBX.MDP3`). */
  dataset?: string;
  /** Cancels the operation. */
  signal?: AbortSignal;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(tmp, JSON.stringify(value, null, 2) + "\n");
  await Deno.rename(tmp, path);
}

/**
 * Finds the option symbols of `root` to download on `date` for the front-month `contract`.
 * Walks {@link candidateParents}: each parent is resolved with `symbology.resolve` (free; a
 * refused parent is skipped), then its definitions are streamed with `timeseries.get_range`
 * (billed) and filtered: label `0dte` keeps options expiring on `date`, later labels keep the
 * earliest expiry on/after `date`. A valid cache (same contract, definitions file present) is
 * used as is.
 */
export async function discoverFuturesOptions(
  client: HistoricalClient,
  root: string,
  date: string,
  contract: string,
  options: DiscoverOptions = {},
): Promise<OptionsDiscovery> {
  const log = options.log ?? (() => {});
  const lake = options.lakeRoot ?? "lake";
  const dataset = options.dataset ?? "GLBX.MDP3";
  const dir = futuresDefinitionDir(lake, root);
  const cachePath = join(dir, `resolved_${date}.json`);
  const defPath = join(dir, rawFileName(dataset, date, "definition"));

  let vouched = false; // the definitions file in place is one the downloader streamed
  try {
    const cached = JSON.parse(await Deno.readTextFile(cachePath)) as OptionsDiscovery;
    const sameContract = cached.contract === undefined || cached.contract === contract;
    const ours = (await exists(defPath)) && cached.definitions_sha256 !== undefined &&
      (await sha256File(defPath)).digest("hex") === cached.definitions_sha256;
    vouched = ours;
    if (Array.isArray(cached.raw_symbols) && sameContract && ours) {
      log(
        `CACHED_RESOLVE ${root} ${date}: ${cached.raw_symbols.length} symbols (${cached.label}) parent=${cached.parent}`,
      );
      return { ...cached, contract, definitions: defPath };
    }
    log(
      `STALE_CACHE ${cachePath}: ${
        !sameContract
          ? `contract ${cached.contract} != ${contract}`
          : (await exists(defPath))
          ? "definitions file not the one the downloader streamed"
          : "definitions file missing"
      }`,
    );
  } catch {
    // no cache
  }

  const next = addDays(date, 1);
  log(`SYMBOLOGY ${root} ${date}: resolving option parents`);
  const candidates = candidateParents(root, date);
  const resolved = new Map<string, number>();
  for (const c of candidates) {
    for (const parent of c.parents) {
      if (resolved.has(parent)) continue;
      try {
        const r = await client.symbology.resolve({
          dataset,
          symbols: [parent],
          stype_in: "parent",
          stype_out: "instrument_id",
          start_date: date,
          end_date: next,
        }, options.signal);
        const n = Object.keys(r.result ?? {}).filter((k) => !k.startsWith("UD:")).length;
        resolved.set(parent, n);
        if (n > 0) log(`TRYING ${parent}: ${n} instruments (${c.label})`);
      } catch (e) {
        if (options.signal?.aborted) throw e;
        if (!(e instanceof DatabentoApiError) || !e.isClientError || e.status === 401) throw e;
        resolved.set(parent, 0);
        log(`SYMBOLOGY_RESOLVE ${parent}: ${e.message}`);
      }
    }
  }
  const usable = candidates.map((c) => ({
    ...c,
    parents: c.parents.filter((p) => (resolved.get(p) ?? 0) > 0),
  }))
    .filter((c) => c.parents.length > 0);
  if (usable.length === 0) {
    log(`NO_INSTRUMENTS ${root} ${date}: no candidate parent resolved`);
    return { raw_symbols: [], label: "none", parent: "", contract };
  }
  if (options.dryRun) {
    return { raw_symbols: [], label: "dry_run", parent: usable[0].parents[0], contract };
  }

  const staging = options.stagingDir ?? join(lake, ".staging");
  await Deno.mkdir(staging, { recursive: true });
  await Deno.mkdir(dir, { recursive: true });
  const streamed = new Map<string, { file: string; defs: OptionDefinition[] } | null>();
  try {
    for (const c of usable) {
      for (const parent of c.parents) {
        let got = streamed.get(parent);
        if (got === undefined) {
          const file = join(staging, `${root}-${date}-${parent}.definition.dbn.zst.tmp`);
          try {
            await client.timeseries.getRangeToFile(
              {
                dataset,
                schema: "definition",
                symbols: [parent],
                stype_in: "parent",
                start: date,
                end: next,
              },
              file,
              { overwrite: true, signal: options.signal },
            );
            got = { file, defs: await readOptionDefinitions(file) };
          } catch (e) {
            if (options.signal?.aborted) throw e;
            log(`DEF_STREAM_ERROR ${parent}: ${(e as Error).message}`);
            got = null;
          }
          streamed.set(parent, got);
        }
        if (!got) continue;
        const mode = c.label === "0dte" ? "0dte" : "nearest";
        let symbols: string[];
        let label: string;
        try {
          const sel = selectOptions(got.defs, contract, date, mode);
          symbols = sel.symbols;
          label = mode === "0dte" ? "0dte" : `nearest_${sel.expiry}`;
        } catch (e) {
          if (!(e instanceof NoOptionsError)) throw e;
          log(`SKIP ${parent}: ${e.message}`);
          continue;
        }
        const result: OptionsDiscovery = {
          raw_symbols: symbols,
          label,
          parent,
          contract,
          definitions: defPath,
          definitions_sha256: (await sha256File(got.file)).digest("hex"),
        };
        if (!vouched && (await exists(defPath))) {
          throw new DatabentoError(
            `${defPath} exists and was not streamed by the downloader (no matching ${cachePath}); ` +
              `not overwriting it: move it away and rerun`,
          );
        }
        // the cache names the file's sha256 before the file is in place: a kill in between
        // leaves a cache whose file is missing (stale), never a file nobody vouches for
        await writeJsonAtomic(cachePath, result);
        await Deno.rename(got.file, defPath);
        streamed.set(parent, null);
        log(
          `${
            label === "0dte" ? "0DTE" : "NEAREST"
          } ${root} ${date}: ${symbols.length} options on ${contract} (${parent}, ${label})`,
        );
        return result;
      }
    }
  } finally {
    for (const v of streamed.values()) if (v) await Deno.remove(v.file).catch(() => {});
  }
  log(`NO_OPTIONS ${root} ${date}: no options on ${contract}`);
  return { raw_symbols: [], label: "none", parent: "", contract };
}
