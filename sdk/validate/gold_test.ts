// The expected gold ranges cover every gold column and agree with the contracts' docs.
import assert from "node:assert/strict";
import { loadLakeConfig } from "../lake/mod.ts";
import { GOLD_RANGES } from "./gold.ts";

Deno.test("every double column of every gold contract has an expected range", async () => {
  const config = await loadLakeConfig();
  const missing: string[] = [];
  for (const [key, spec] of config.datasets) {
    if (!key.startsWith("gold.")) continue;
    for (const f of spec.contract.fields) {
      if (f.type === "double" && !GOLD_RANGES[f.name]) missing.push(`${key}.${f.name}`);
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("vacuum-pressure bounds are serving.md §4.4's", () => {
  // confidence: fraction of 5 components; strength = min(1, |z|/3); imbalances (b-a)/(b+a+1)
  for (const c of ["confidence", "wtd_deriv_conf", "strength", "strength_smooth"]) {
    assert.deepEqual([GOLD_RANGES[c].min, GOLD_RANGES[c].max], [0, 1], c);
  }
  for (const c of ["depth_imbalance", "rest_depth_imbalance"]) {
    assert.deepEqual([GOLD_RANGES[c].min, GOLD_RANGES[c].max], [-1, 1], c);
  }
  assert.equal(GOLD_RANGES.resting_drain_ask.min, 0);
  assert.equal(GOLD_RANGES.vacuum_above.min, undefined); // pulls - adds: either sign
});
