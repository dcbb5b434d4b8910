// Bronze on the synthetic days of sdk/synth (raw layout of pipeline.md §1.5): the four product types.
import assert from "node:assert/strict";
import { datasetSpec } from "../lake/datasets.ts";
import { readManifest } from "../lake/manifest.ts";
import { partitionDir } from "../lake/paths.ts";
import { runPipeline } from "../pipeline/runner.ts";
import { generateDay } from "../synth/generate.ts";
import { withScratchLake } from "../testing/scratch_lake.ts";

const MAIN = {
  future_mbo: "bronze.future_mbo.mbo",
  future_option_mbo: "bronze.future_option_mbo.mbo",
  equity_mbo: "bronze.equity_mbo.mbo",
  equity_option_cmbp_1: "bronze.equity_option_cmbp_1.cmbp_1",
} as const;

Deno.test(
  "synthetic days of the four product types go through bronze",
  withScratchLake(async (lake) => {
    const dt = "2026-02-06";
    for (const pt of Object.keys(MAIN) as (keyof typeof MAIN)[]) {
      const day = await generateDay({
        productType: pt,
        date: dt,
        seed: 11,
        lake: lake.root,
        events: 20_000,
      });
      const r = await runPipeline({
        productType: pt,
        layer: "bronze",
        symbol: day.root,
        dates: [dt],
        lakeRoot: lake.root,
        validateEvery: 1,
      });
      assert.equal(r.failed, 0, `${pt}: ${r.tasks[0].error}`);
      const main = r.tasks[0].stages[0].result.partitions.filter((p) => p.dataset === MAIN[pt]);
      assert.deepStrictEqual(main.map((p) => p.symbol), [day.symbol], pt);
      const m = await readManifest(
        partitionDir(lake.root, datasetSpec(lake.config, MAIN[pt]), {
          symbol: day.symbol,
          dt,
          source: "synthetic",
        }),
      );
      const records = day.files[0].records;
      assert.equal(m.stats.records_read, records, pt);
      // every record of the main file is either written, outside the session, rejected or filtered
      const filtered = [
        "unmapped_instrument",
        "spread_symbol",
        "user_defined_symbol",
        "not_0dte",
        "other_underlying",
        "not_opra_symbol",
        "other_records",
      ]
        .reduce((a, k) => a + Number(m.stats[k] ?? 0), 0);
      assert.equal(
        m.row_count + Number(m.stats.outside_session) + m.rejected_total + filtered,
        records,
        pt,
      );
      if (pt === "future_mbo") assert.equal(m.row_count, records); // a futures day is the whole UTC day
      assert.ok(m.row_count > 0, pt);
    }
  }),
);
