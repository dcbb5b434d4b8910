import assert from "node:assert/strict";
import { generateDay, type SynthDayResult } from "../synth/mod.ts";
import { runPipeline } from "../pipeline/mod.ts";
import { datasetSpec, openLake, partitionDir, readManifest } from "../lake/mod.ts";
import { silverReport } from "./demo.ts";

Deno.test("demo report covers its own symbol and date, not the whole lake", async () => {
  const root = await Deno.makeTempDir({ prefix: "spymaster-demo-report-" });
  try {
    // two days in the lake; the report is about the second one
    const days: Record<string, SynthDayResult[]> = {};
    for (const date of ["2026-02-05", "2026-02-06"]) {
      days[date] = [];
      for (const [productType, symbol] of [["future_mbo", "MNQ"], ["equity_mbo", "QQQ"]] as const) {
        const day = await generateDay({
          productType,
          symbol,
          date,
          seed: 5,
          events: 3000,
          lake: root,
        });
        days[date].push(day);
        for (const layer of ["bronze", "silver"]) {
          const r = await runPipeline({
            productType,
            layer,
            symbol,
            dates: [date],
            lakeRoot: root,
          });
          assert.equal(r.failed, 0, JSON.stringify(r.tasks.map((t) => t.error)));
        }
      }
    }
    const lake = await openLake(root);
    const printed: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => printed.push(a.join(" "));
    try {
      await silverReport(root, "2026-02-06", days["2026-02-06"]);
    } finally {
      console.log = log;
    }
    for (const day of days["2026-02-06"]) {
      // the partition's own row count, from the manifest the writer recorded
      const m = await readManifest(partitionDir(
        root,
        datasetSpec(lake.config, `silver.${day.productType}.book_snapshot_1s`),
        { symbol: day.symbol, dt: "2026-02-06" },
      ));
      const line = printed.find((l) => l.startsWith(`  ${day.symbol} 2026-02-06:`));
      assert.ok(line, printed.join("\n"));
      assert.match(line, new RegExp(`book valid in \\d+ of ${m.row_count} one-second windows`));
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
