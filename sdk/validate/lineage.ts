/**
 * Manifest and lineage checks, the same for every layer: the manifest describes the files on disk
 * (names, sizes, rows), the schema is the contract's, and every input's hash still matches (an
 * upstream partition's `_MANIFEST.json`, a raw file's bytes).
 *
 * @module
 */
import { join } from "node:path";
import {
  type DatasetSpec,
  datasetSpec,
  exists,
  fileSha256,
  isComplete,
  type Lake,
  type Manifest,
  manifestSha256,
  partFiles,
  partitionDir,
  readManifest,
} from "../lake/mod.ts";
import type { CheckResult } from "./report.ts";

/** Options of {@linkcode lineageChecks}. */
export interface LineageOptions {
  /** Recompute the sha256 of raw input files (default true; sizes are always compared). */
  hashRaw?: boolean;
}

/**
 * Checks a partition's manifest against its files and its inputs. `rowsRead` is the row count
 * the data checks saw (compared with the manifest's `row_count`).
 */
export async function lineageChecks(
  lake: Lake,
  spec: DatasetSpec,
  key: { symbol: string; dt: string },
  dir: string,
  rowsRead: number | null,
  options: LineageOptions = {},
): Promise<{ manifest: Manifest | null; checks: CheckResult[] }> {
  const checks: CheckResult[] = [];
  let m: Manifest;
  try {
    m = await readManifest(dir);
  } catch (e) {
    checks.push({ id: "manifest.read", status: "FAIL", detail: (e as Error).message });
    return { manifest: null, checks };
  }
  const keyBad = [
    m.dataset !== spec.key && `dataset ${m.dataset}`,
    m.symbol !== key.symbol && `symbol ${m.symbol}`,
    m.dt !== key.dt && `dt ${m.dt}`,
  ].filter(Boolean);
  checks.push(
    keyBad.length
      ? {
        id: "manifest.key",
        status: "FAIL",
        detail: `manifest names another partition (${keyBad.join(", ")})`,
      }
      : { id: "manifest.key", status: "PASS", detail: "manifest names this partition" },
  );

  // files: listed ones exist with their sizes, no unlisted part file, rows add up
  const problems: string[] = [];
  const listed = new Set(m.files.map((f) => f.name));
  for (const f of m.files) {
    try {
      const st = await Deno.stat(join(dir, f.name));
      if (st.size !== f.bytes) {
        problems.push(`${f.name}: ${st.size} bytes, manifest says ${f.bytes}`);
      }
    } catch {
      problems.push(`${f.name}: listed but missing`);
    }
  }
  for (const p of await partFiles(dir)) {
    const name = p.slice(dir.length + 1);
    if (!listed.has(name)) problems.push(`${name}: on disk but not in the manifest`);
  }
  const fileRows = m.files.reduce((a, f) => a + f.rows, 0);
  if (fileRows !== m.row_count) {
    problems.push(`files hold ${fileRows} rows, row_count says ${m.row_count}`);
  }
  checks.push(
    problems.length
      ? {
        id: "manifest.files",
        status: "FAIL",
        detail: `manifest does not describe the files: ${problems.length} problem(s)`,
        violations: problems.length,
        example: problems[0],
      }
      : {
        id: "manifest.files",
        status: "PASS",
        detail: `${m.files.length} file(s) with the recorded sizes and ${fileRows} rows`,
      },
  );
  if (rowsRead !== null) {
    checks.push(
      rowsRead === m.row_count
        ? { id: "manifest.rows", status: "PASS", detail: `${rowsRead} rows read = row_count` }
        : {
          id: "manifest.rows",
          status: "FAIL",
          detail: `${rowsRead} rows read, manifest row_count ${m.row_count}`,
          violations: Math.abs(rowsRead - m.row_count),
        },
    );
  }
  if (m.schema_hash !== spec.contract.schemaHash) {
    checks.push({
      id: "manifest.schema",
      status: "FAIL",
      detail: `written with another table shape (schema_hash ${m.schema_hash.slice(0, 12)}, ` +
        `contract ${spec.contract.schemaHash.slice(0, 12)}): rebuild the partition`,
    });
  } else {
    checks.push({
      id: "manifest.schema",
      status: m.contract_sha256 === spec.contract.sha256 ? "PASS" : "INFO",
      detail: m.contract_sha256 === spec.contract.sha256
        ? "schema and contract text as written"
        : "same schema; the contract text (docs) changed since the partition was written",
    });
  }

  // lineage: every input still hashes as recorded
  const stale: string[] = [];
  const missingRaw: string[] = [];
  for (const inp of m.inputs) {
    if ("dataset" in inp) {
      let upDir: string;
      try {
        upDir = partitionDir(lake.root, datasetSpec(lake.config, inp.dataset), inp);
      } catch (e) {
        stale.push(`${inp.dataset}: ${(e as Error).message}`);
        continue;
      }
      if (!(await isComplete(upDir))) {
        stale.push(
          `${inp.dataset} ${inp.symbol} ${inp.dt}: upstream partition missing or incomplete`,
        );
        continue;
      }
      const sha = await manifestSha256(upDir);
      if (sha !== inp.manifest_sha256) {
        stale.push(
          `${inp.dataset} ${inp.symbol} ${inp.dt}: manifest sha256 ${sha.slice(0, 12)}, ` +
            `recorded ${inp.manifest_sha256.slice(0, 12)} (rebuilt since)`,
        );
      }
    } else {
      if (!(await exists(inp.path))) {
        missingRaw.push(inp.path);
        continue;
      }
      const st = await Deno.stat(inp.path);
      if (st.size !== inp.bytes) {
        stale.push(`${inp.path}: ${st.size} bytes, recorded ${inp.bytes}`);
        continue;
      }
      if (options.hashRaw ?? true) {
        const h = await fileSha256(inp.path);
        if (h.sha256 !== inp.sha256) stale.push(`${inp.path}: sha256 differs from the manifest's`);
      }
    }
  }
  const n = m.inputs.length;
  checks.push(
    stale.length
      ? {
        id: "lineage.inputs",
        status: "FAIL",
        detail: `${stale.length} of ${n} input(s) no longer match their recorded hash: rebuild`,
        violations: stale.length,
        example: stale[0],
      }
      : {
        id: "lineage.inputs",
        status: n ? "PASS" : "INFO",
        detail: n ? `${n - missingRaw.length} input hash(es) match` : "no inputs recorded",
      },
  );
  if (missingRaw.length) {
    checks.push({
      id: "lineage.raw_present",
      status: "WARN",
      detail: `${missingRaw.length} raw input file(s) no longer on disk (cannot re-verify)`,
      violations: missingRaw.length,
      example: missingRaw[0],
    });
  }
  return { manifest: m, checks };
}

/** The partition folder of a dataset key, and whether it is complete. */
export async function locate(
  lake: Lake,
  datasetKey: string,
  key: { symbol: string; dt: string },
): Promise<{ spec: DatasetSpec; dir: string; complete: boolean }> {
  const spec = datasetSpec(lake.config, datasetKey);
  const dir = partitionDir(lake.root, spec, key);
  return { spec, dir, complete: await isComplete(dir) };
}
