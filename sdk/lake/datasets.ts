/**
 * The lake layout (`config/datasets.yaml`): every dataset's Hive path and contract, and where the
 * raw Databento files are; validated at load (every contract is read and parsed too).
 *
 * @module
 */
import { parse as parseYaml } from "yaml";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Contract, loadContract } from "./contracts.ts";

/** A dataset: Parquet partitions at `<lake>/<path with {symbol}>/dt=<date>/`. */
export interface DatasetSpec {
  /** Key, e.g. `bronze.future_mbo.mbo`. */
  key: string;
  /** Path template under the lake root, with `{symbol}`. */
  path: string;
  /** Absolute path of the `.avsc` contract. */
  contractPath: string;
  /** The parsed contract. */
  contract: Contract;
  /** zstd level of the Parquet pages (`zstd_level`, 1–22; default 3). */
  zstdLevel: number;
}

/** A raw input folder (written by the downloader or the synthetic-day generator). */
export interface RawSpec {
  /** Key, e.g. `future_mbo.mbo`. */
  key: string;
  /** Path template under the lake root, with `{symbol}`. */
  path: string;
  /** Accepted file-name endings, e.g. `.dbn`, `.dbn.zst`. */
  suffixes: string[];
  /** True when a day may have no such file. */
  optional: boolean;
}

/** The validated lake configuration. */
export interface LakeConfig {
  /** Default lake root (absolute), from `lake_root` resolved against the project folder. */
  lakeRoot: string;
  /** Datasets by key. */
  datasets: Map<string, DatasetSpec>;
  /** Raw inputs by key. */
  raw: Map<string, RawSpec>;
  /** The file it was read from. */
  path: string;
  /** Folder of the contracts. */
  contractsDir: string;
}

/** `config/` of this checkout. */
export const DEFAULT_CONFIG_DIR: string = fileURLToPath(new URL("../../config/", import.meta.url));
/** `contracts/` of this checkout. */
export const DEFAULT_CONTRACTS_DIR: string = fileURLToPath(
  new URL("../../contracts/", import.meta.url),
);

/**
 * The lake root of `SPYMASTER_LAKE` in the environment (resolved against the working folder), or
 * `undefined` when it is unset (or the environment cannot be read). It overrides `lake_root` of
 * every configuration and the `lake` default of the CLIs.
 */
export function lakeRootFromEnv(): string | undefined {
  let v: string | undefined;
  try {
    v = Deno.env.get("SPYMASTER_LAKE");
  } catch { /* no env permission */ }
  return v ? resolve(v) : undefined;
}

/** The lake root when none is given: `SPYMASTER_LAKE`, else `fallback` (default `lake`). */
export function defaultLakeRoot(fallback = "lake"): string {
  return lakeRootFromEnv() ?? fallback;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** zstd level of a dataset's Parquet pages when `datasets.yaml` does not set `zstd_level`. */
export const DEFAULT_ZSTD_LEVEL = 3;

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new Error(`${where}: unknown key '${k}' (allowed: ${allowed.join(", ")})`);
    }
  }
}

function template(v: unknown, where: string): string {
  if (typeof v !== "string" || !v.includes("{symbol}") || v.startsWith("/") || v.includes("..")) {
    throw new Error(
      `${where}: 'path' must be a relative path containing {symbol}, got ${JSON.stringify(v)}`,
    );
  }
  return v.replace(/\/+$/, "");
}

/**
 * Validates a parsed datasets document and loads every contract it names. `path` is used in error
 * messages and to resolve `lake_root` (relative to the folder above the config folder).
 */
export async function parseLakeConfig(
  doc: unknown,
  path: string,
  contractsDir: string = DEFAULT_CONTRACTS_DIR,
): Promise<LakeConfig> {
  if (!isRecord(doc)) throw new Error(`${path}: expected a mapping at the top level`);
  checkKeys(doc, ["lake_root", "raw", "datasets"], path);
  if (typeof doc.lake_root !== "string" || doc.lake_root === "") {
    throw new Error(`${path}: 'lake_root' must be a non-empty string`);
  }
  const project = dirname(dirname(resolve(path)));
  const lakeRoot = lakeRootFromEnv() ??
    (isAbsolute(doc.lake_root) ? doc.lake_root : join(project, doc.lake_root));
  if (!isRecord(doc.datasets)) throw new Error(`${path}: 'datasets' must be a mapping`);
  const datasets = new Map<string, DatasetSpec>();
  const contracts = new Map<string, Contract>();
  for (const [key, raw] of Object.entries(doc.datasets)) {
    const where = `${path}: datasets.${key}`;
    if (!/^[a-z_]+\.[a-z0-9_]+(\.[a-z0-9_]+)?$/.test(key)) {
      throw new Error(`${where}: bad dataset key`);
    }
    if (!isRecord(raw)) throw new Error(`${where}: expected a mapping`);
    checkKeys(raw, ["path", "contract", "format", "partition_keys", "zstd_level"], where);
    if (raw.format !== undefined && raw.format !== "parquet") {
      throw new Error(`${where}: only format 'parquet' is supported`);
    }
    if (
      raw.partition_keys !== undefined &&
      JSON.stringify(raw.partition_keys) !== JSON.stringify(["symbol", "dt"])
    ) {
      throw new Error(`${where}: partition_keys must be [symbol, dt]`);
    }
    const zstdLevel = raw.zstd_level ?? DEFAULT_ZSTD_LEVEL;
    if (
      typeof zstdLevel !== "number" || !Number.isInteger(zstdLevel) || zstdLevel < 1 ||
      zstdLevel > 22
    ) {
      throw new Error(
        `${where}: 'zstd_level' must be an integer 1-22, got ${JSON.stringify(zstdLevel)}`,
      );
    }
    const path_ = template(raw.path, where);
    if (typeof raw.contract !== "string" || !raw.contract.endsWith(".avsc")) {
      throw new Error(`${where}: 'contract' must name an .avsc file`);
    }
    const contractPath = resolve(contractsDir, raw.contract);
    let contract = contracts.get(contractPath);
    if (!contract) {
      try {
        contract = await loadContract(contractPath);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`);
      }
      contracts.set(contractPath, contract);
    }
    datasets.set(key, { key, path: path_, contractPath, contract, zstdLevel });
  }
  const rawInputs = new Map<string, RawSpec>();
  if (doc.raw !== undefined) {
    if (!isRecord(doc.raw)) throw new Error(`${path}: 'raw' must be a mapping`);
    for (const [key, raw] of Object.entries(doc.raw)) {
      const where = `${path}: raw.${key}`;
      if (!isRecord(raw)) throw new Error(`${where}: expected a mapping`);
      checkKeys(raw, ["path", "suffixes", "optional"], where);
      const suffixes = raw.suffixes ?? [".dbn", ".dbn.zst"];
      if (
        !Array.isArray(suffixes) ||
        !suffixes.every((s) => typeof s === "string" && s.startsWith("."))
      ) {
        throw new Error(`${where}: 'suffixes' must be a list like [.dbn, .dbn.zst]`);
      }
      if (raw.optional !== undefined && typeof raw.optional !== "boolean") {
        throw new Error(`${where}: 'optional' must be true or false`);
      }
      rawInputs.set(key, {
        key,
        path: template(raw.path, where),
        suffixes: suffixes as string[],
        optional: raw.optional === true,
      });
    }
  }
  return { lakeRoot, datasets, raw: rawInputs, path, contractsDir };
}

/** Reads and validates `datasets.yaml` (default: `config/datasets.yaml` of this checkout). */
export async function loadLakeConfig(
  path: string = join(DEFAULT_CONFIG_DIR, "datasets.yaml"),
  contractsDir: string = DEFAULT_CONTRACTS_DIR,
): Promise<LakeConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`cannot read lake configuration ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new Error(`${path}: invalid YAML: ${(e as Error).message}`);
  }
  return await parseLakeConfig(doc, path, contractsDir);
}

/** The spec of a dataset key; throws listing the valid keys when unknown. */
export function datasetSpec(config: LakeConfig, key: string): DatasetSpec {
  const d = config.datasets.get(key);
  if (!d) {
    throw new Error(
      `unknown dataset '${key}' (valid: ${[...config.datasets.keys()].sort().join(", ")})`,
    );
  }
  return d;
}

/** The spec of a raw input key; throws listing the valid keys when unknown. */
export function rawSpec(config: LakeConfig, key: string): RawSpec {
  const r = config.raw.get(key);
  if (!r) {
    throw new Error(
      `unknown raw input '${key}' (valid: ${[...config.raw.keys()].sort().join(", ")})`,
    );
  }
  return r;
}
