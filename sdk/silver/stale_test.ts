// Stale partitions are rebuilt, not kept: after the raw file of a day is replaced, a rerun without
// --overwrite rebuilds the bronze partition (its manifest names the new file's sha256, computed
// here with node:crypto) and then the silver partitions (their lineage names the new bronze
// manifest). An unchanged rerun skips everything.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { bronzeStages } from "../bronze/stages.ts";
import { datasetSpec } from "../lake/datasets.ts";
import { openLake } from "../lake/lake.ts";
import { readManifest } from "../lake/manifest.ts";
import { partitionDir } from "../lake/paths.ts";
import { StageRegistry } from "../pipeline/registry.ts";
import { runPipeline } from "../pipeline/runner.ts";
import { generateDay } from "../synth/generate.ts";
import { SILVER_STAGES } from "./stages.ts";

const DT = "2026-01-06";

async function run(lakeRoot: string, layer: string) {
  const logs: string[] = [];
  const r = await runPipeline({
    productType: "equity_mbo",
    layer,
    symbol: "QQQ",
    dates: [DT],
    lakeRoot,
    registry: new StageRegistry().register(...bronzeStages, ...SILVER_STAGES),
    onEvent: (e) => {
      if (e.type === "log") logs.push(e.message);
    },
  });
  for (const t of r.tasks) assert.ok(t.ok, t.error);
  const skipped = r.tasks.flatMap((t) => t.stages.flatMap((s) => s.result.partitions))
    .map((p) => `${p.dataset}:${p.skipped}`);
  return { logs, skipped };
}

async function sha256(path: string): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(path)).digest("hex");
}

Deno.test("a replaced raw file makes bronze and then silver rebuild without --overwrite", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "stale_test_" });
  const lakeRoot = join(tmp, "lake");
  try {
    const day = (seed: number) =>
      generateDay({
        productType: "equity_mbo",
        date: DT,
        seed,
        lake: lakeRoot,
        events: 20_000,
        symbol: "QQQ",
        compression: "none",
      });
    const first = await day(5);
    const rawPath = first.files[0].path;
    await run(lakeRoot, "bronze");
    await run(lakeRoot, "silver");
    const again = await run(lakeRoot, "silver");
    assert.deepEqual(again.skipped, [
      "silver.equity_mbo.book_snapshot_1s:true",
      "silver.equity_mbo.depth_and_flow_1s:true",
    ]);

    // the day is regenerated with another seed: same path, other bytes
    const tmpOther = join(tmp, "other");
    const other = await generateDay({
      productType: "equity_mbo",
      date: DT,
      seed: 6,
      lake: tmpOther,
      events: 20_000,
      symbol: "QQQ",
      compression: "none",
    });
    await Deno.copyFile(other.files[0].path, rawPath);
    const newSha = await sha256(rawPath);

    const lake = await openLake(lakeRoot);
    const bronzeDir = partitionDir(
      lake.root,
      datasetSpec(lake.config, "bronze.equity_mbo.mbo"),
      { symbol: "QQQ", dt: DT, source: "synthetic" },
    );
    const b = await run(lakeRoot, "bronze");
    assert.deepEqual(b.skipped, ["bronze.equity_mbo.mbo:false"]);
    assert.ok(
      b.logs.some((l) => l.includes("stale, rebuilding") && l.includes(rawPath)),
      b.logs.join("\n"),
    );
    const bm = await readManifest(bronzeDir);
    assert.deepEqual(
      bm.inputs.map((i) => ("sha256" in i ? i.sha256 : "")),
      [newSha],
    );
    const bronzeManifestSha = await sha256(join(bronzeDir, "_MANIFEST.json"));

    const s = await run(lakeRoot, "silver");
    assert.deepEqual(s.skipped, [
      "silver.equity_mbo.book_snapshot_1s:false",
      "silver.equity_mbo.depth_and_flow_1s:false",
    ]);
    assert.ok(s.logs.some((l) => /stale, rebuilding .*rebuilt since/.test(l)), s.logs.join("\n"));
    const sm = await readManifest(
      partitionDir(lake.root, datasetSpec(lake.config, "silver.equity_mbo.book_snapshot_1s"), {
        symbol: "QQQ",
        dt: DT,
      }),
    );
    assert.equal(
      sm.inputs.map((i) => ("manifest_sha256" in i ? i.manifest_sha256 : ""))[0],
      bronzeManifestSha,
    );

    // the day's file is replaced under another name: the recorded one is gone (unverifiable),
    // the new one is a new input → rebuilt from it
    const renamed = rawPath.replace(/\.mbo\.dbn$/, ".v2.mbo.dbn");
    await Deno.rename(rawPath, renamed);
    const c = await run(lakeRoot, "bronze");
    assert.deepEqual(c.skipped, ["bronze.equity_mbo.mbo:false"]);
    assert.ok(c.logs.some((l) => l.includes(`${renamed}: new input`)), c.logs.join("\n"));
    assert.deepEqual(
      (await readManifest(bronzeDir)).inputs.map((i) => ("path" in i ? i.path : "")),
      [renamed],
    );
    const d = await run(lakeRoot, "bronze");
    assert.deepEqual(d.skipped, ["bronze.equity_mbo.mbo:true"]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
