// The contract docs and the pages generated from them.
import assert from "node:assert/strict";
import { loadLakeConfig } from "../lake/mod.ts";
import { featureDocs, parseFieldDoc, undocumentedFields } from "./feature_docs.ts";
import { main } from "../cli/docs.ts";

Deno.test("a field doc splits into meaning, unit, formula, range and inputs", () => {
  assert.deepEqual(
    parseFieldDoc(
      "Intensity of adds | unit: 1/s | formula: add / (start + 1) | range: >= 0 | from: a, b",
    ),
    {
      description: "Intensity of adds",
      unit: "1/s",
      formula: "add / (start + 1)",
      range: ">= 0",
      built_from: ["a", "b"],
    },
  );
  assert.throws(() => parseFieldDoc("x | units: y", "f.avsc"), /f\.avsc: bad doc part 'units: y'/);
});

Deno.test("every field of every contract is documented, and the docs state the spec's formulas", async () => {
  const config = await loadLakeConfig();
  assert.deepEqual(undocumentedFields(config), []);
  // §4: intensities over (start + 1), EPS = 1
  const gold = config.datasets.get("gold.future_mbo.physics_surface_1s")!.contract;
  const kappa = parseFieldDoc(gold.fields.find((f) => f.name === "kappa")!.doc!);
  assert.equal(kappa.formula, "1 / nu");
  assert.equal(kappa.range, "(0, 1]");
  const flow = config.datasets.get("silver.future_mbo.depth_and_flow_1s")!.contract;
  const start = parseFieldDoc(flow.fields.find((f) => f.name === "depth_qty_start")!.doc!);
  // pipeline.md §3.2: start + add - pull - fill = end
  assert.equal(start.formula, "depth_qty_end - add_qty + pull_qty + fill_qty (holds exactly)");
  // serving.md §4.4 (c): the composite's weights and the confidence rule, per product unit
  for (const [pt, unit] of [["equity_mbo", "shares"], ["future_mbo", "contracts"]]) {
    const vp = config.datasets.get(`gold.${pt}.vacuum_pressure_1s`)!.contract;
    const doc = (name: string) => parseFieldDoc(vp.fields.find((f) => f.name === name)!.doc!);
    assert.equal(
      doc("composite").formula,
      "1.0 x vacuum_above - 1.0 x vacuum_below + 0.5 x flow_imbalance + 0.3 x fill_imbalance + " +
        "2.0 x (resting_drain_ask - resting_drain_bid) + 0.2 x rest_depth_imbalance",
    );
    assert.match(doc("confidence").formula!, /\/ 5; 0 where abs\(composite\) < 1$/);
    assert.equal(doc("confidence").range, "[0, 1] in steps of 0.2");
    assert.equal(doc("fill_imbalance").unit, unit);
    assert.equal(doc("depth_imbalance").range, "(-1, 1)");
    // deviations VP4 / VP5: the docs follow the code where it differs from the original
    assert.match(doc("wtd_projection").formula!, /deviations VP4/);
    assert.match(doc("vacuum_above").formula!, /every ask row .*deviations VP5/);
  }
  // §7 "≠": F_LAST is 128 and F_SNAPSHOT 32 (the original's file said 128 / 256)
  const flags = config.datasets.get("bronze.future_mbo.mbo")!.contract.fields.find((f) =>
    f.name === "flags"
  )!;
  assert.match(flags.doc!, /128 F_LAST, .*32 F_SNAPSHOT/);
});

Deno.test("a field without a doc stops the generator, naming contract and field", async () => {
  const config = await loadLakeConfig();
  const key = "gold.equity_mbo.vacuum_pressure_1s";
  const spec = config.datasets.get(key)!;
  const fields = spec.contract.fields.map((f) =>
    f.name === "composite" ? { ...f, doc: undefined } : f
  );
  const datasets = new Map(config.datasets);
  datasets.set(key, { ...spec, contract: { ...spec.contract, fields } });
  assert.throws(
    () => featureDocs({ ...config, datasets }),
    /vacuum_pressure_1s\.avsc field composite: no doc attribute/,
  );
});

Deno.test("the generated pages list every field once and are up to date", async () => {
  const files = featureDocs(await loadLakeConfig());
  assert.equal(files.length, 9);
  const page = files.find((f) => f.path === "docs/features/equity_mbo.md")!.text;
  assert.equal(page.match(/^\| `depth_qty_start` \|/gm)?.length, 1);
  const json = JSON.parse(files.find((f) => f.path === "docs/features/future_mbo.json")!.text);
  assert.deepEqual(
    json.silver["silver.future_mbo.depth_and_flow_1s"].fields.rel_ticks.built_from,
    ["price_int", "spot_ref_price_int"],
  );
  const log = console.log;
  console.log = () => {};
  try {
    assert.equal(await main(["--check"]), 0);
  } finally {
    console.log = log;
  }
});
