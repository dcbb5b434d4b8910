/**
 * A lake handle: the root folder, the validated dataset configuration and the write policy.
 *
 * @module
 */
import { resolve } from "node:path";
import { type LakeConfig, lakeConfigPaths, loadLakeConfig } from "./datasets.ts";

/** Default contract sampling of production writes: every 4,093rd row (and each batch's last). */
export const DEFAULT_VALIDATE_EVERY = 4093;

/** An open lake. */
export interface Lake {
  /** Absolute root folder (holds `raw/`, `bronze/`, `silver/`, `gold/`). */
  root: string;
  /** Datasets, raw inputs and contracts. */
  config: LakeConfig;
  /** Rows validated against the contract: every n-th (1 = all rows, 0 = column checks only). */
  validateEvery: number;
}

/** Options of {@linkcode openLake}. */
export interface OpenLakeOptions {
  /** An already loaded configuration. */
  config?: LakeConfig;
  /** Path of `datasets.yaml` (default: `config/datasets.yaml` of this checkout). */
  configPath?: string;
  /** Folder of the contracts (default: `contracts/` of this checkout). */
  contractsDir?: string;
  /** See {@linkcode Lake.validateEvery}; `SPYMASTER_VALIDATE_ALL=1` in the environment forces 1. */
  validateEvery?: number;
}

function envValidateAll(): boolean {
  try {
    return Deno.env.get("SPYMASTER_VALIDATE_ALL") === "1";
  } catch {
    return false;
  }
}

/**
 * Opens a lake at `root` (default: `lake_root` of the configuration). The configuration is
 * `options.config`, or read from `options.configPath`, or the lake's own
 * `<root>/config/datasets.yaml` when it has one, or the SDK's default (see `lakeConfigPaths`).
 */
export async function openLake(root?: string, options: OpenLakeOptions = {}): Promise<Lake> {
  let config = options.config;
  if (!config) {
    const paths = await lakeConfigPaths(root, options.configPath);
    config = await loadLakeConfig(paths.configPath, options.contractsDir ?? paths.contractsDir);
  }
  const validateEvery = envValidateAll() ? 1 : options.validateEvery ?? DEFAULT_VALIDATE_EVERY;
  if (!Number.isInteger(validateEvery) || validateEvery < 0) {
    throw new Error(`validateEvery must be a non-negative integer, got ${validateEvery}`);
  }
  return { root: resolve(root ?? config.lakeRoot), config, validateEvery };
}
