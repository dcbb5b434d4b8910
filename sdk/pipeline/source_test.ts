// Raw provenance: synthetic days land in raw/source=synthetic and never in the downloader's
// folders; the pipeline reads the only source present, refuses to guess between several (naming
// them), and --source picks one; bronze of each source lives in its own folder.
import assert from "node:assert/strict";
import { join } from "node:path";
import { bronzeStages } from "../bronze/stages.ts";
import { datasetSpec } from "../lake/datasets.ts";
import { openLake } from "../lake/lake.ts";
import { readManifest } from "../lake/manifest.ts";
import { isComplete, partitionDir } from "../lake/paths.ts";
import { ForeignFileError, generateDay } from "../synth/generate.ts";
import { StageRegistry } from "./registry.ts";
import { runPipeline } from "./runner.ts";

const DT = "2026-01-06";

function bronze(lakeRoot: string, source?: string) {
  return runPipeline({
    productType: "equity_mbo",
    layer: "bronze",
    symbol: "QQQ",
    dates: [DT],
    lakeRoot,
    source,
    registry: new StageRegistry().register(...bronzeStages),
  });
}

Deno.test("synthetic and Databento raw data never share a folder; the pipeline is pointed at one", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "source_test_" });
  const lakeRoot = join(tmp, "lake");
  try {
    const day = await generateDay({
      productType: "equity_mbo",
      date: DT,
      seed: 3,
      lake: lakeRoot,
      events: 5_000,
      symbol: "QQQ",
      compression: "none",
    });
    const main = day.files[0].path;
    assert.equal(
      main,
      join(
        lakeRoot,
        "raw/source=synthetic/product_type=equity_mbo/symbol=QQQ/table=market_by_order_dbn/xnas-itch-20260106.mbo.dbn",
      ),
    );
    await assert.rejects(Deno.stat(join(lakeRoot, "raw/source=databento")), Deno.errors.NotFound);

    // only synthetic data: read without --source
    let r = await bronze(lakeRoot);
    assert.ok(r.tasks[0].ok, r.tasks[0].error);
    const lake = await openLake(lakeRoot);
    const spec = datasetSpec(lake.config, "bronze.equity_mbo.mbo");
    const synthDir = partitionDir(lake.root, spec, { symbol: "QQQ", dt: DT, source: "synthetic" });
    assert.equal(
      synthDir,
      join(
        lake.root,
        "bronze/source=synthetic/product_type=equity_mbo/symbol=QQQ/table=mbo/dt=2026-01-06",
      ),
    );
    assert.ok(await isComplete(synthDir));
    const m = await readManifest(synthDir);
    assert.deepEqual(m.inputs.map((i) => ("path" in i ? i.path : "")), [main]);

    // a "downloaded" file for the same day (here: a copy) makes the choice ambiguous
    const dl = join(
      lakeRoot,
      "raw/source=databento/product_type=equity_mbo/symbol=QQQ/table=market_by_order_dbn",
    );
    await Deno.mkdir(dl, { recursive: true });
    await Deno.copyFile(main, join(dl, "xnas-itch-20260106.mbo.dbn"));
    r = await bronze(lakeRoot);
    assert.equal(r.failed, 1);
    assert.match(
      r.tasks[0].error!,
      /equity_mbo QQQ 2026-01-06: data from several sources \(databento, synthetic\); choose one with --source databento\|synthetic/,
    );

    // --source picks one; each source's bronze stays in its own folder
    r = await bronze(lakeRoot, "databento");
    assert.ok(r.tasks[0].ok, r.tasks[0].error);
    const dlDir = partitionDir(lake.root, spec, { symbol: "QQQ", dt: DT, source: "databento" });
    assert.ok(await isComplete(dlDir));
    assert.deepEqual(
      (await readManifest(dlDir)).inputs.map((i) => ("path" in i ? i.path : "")),
      [join(dl, "xnas-itch-20260106.mbo.dbn")],
    );
    assert.deepEqual(await readManifest(synthDir), m, "the synthetic partition is untouched");

    await assert.rejects(
      bronze(lakeRoot, "simulated"),
      /unknown source 'simulated' \(valid: databento, synthetic, lobster\)/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("synth refuses to replace a file it did not write", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "source_test_" });
  try {
    const dir = join(
      tmp,
      "raw/source=synthetic/product_type=equity_mbo/symbol=QQQ/table=market_by_order_dbn",
    );
    await Deno.mkdir(dir, { recursive: true });
    const foreign = join(dir, "xnas-itch-20260106.mbo.dbn");
    await Deno.writeTextFile(foreign, "not generated here");
    await assert.rejects(
      generateDay({
        productType: "equity_mbo",
        date: DT,
        seed: 3,
        lake: tmp,
        events: 5_000,
        symbol: "QQQ",
        compression: "none",
      }),
      (e: unknown) =>
        e instanceof ForeignFileError && e.path === foreign &&
        /xnas-itch-20260106\.mbo\.dbn exists and was not written by the synthetic-day generator/
          .test(e.message),
    );
    assert.equal(await Deno.readTextFile(foreign), "not generated here");
    // its own files it regenerates in place
    await Deno.remove(foreign);
    const opts = {
      productType: "equity_mbo" as const,
      date: DT,
      seed: 3,
      lake: tmp,
      events: 5_000,
      symbol: "QQQ",
      compression: "none" as const,
    };
    await generateDay(opts);
    await generateDay({ ...opts, seed: 4 });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
