// The detector on the lake: §4.8 path, readiness and loading cases (#14-#20, #44-#49), the
// compute-only partition (knobs in the manifest, two settings side by side) and the A.3 vectors
// through real Parquet partitions.
import assert from "node:assert/strict";
import { join } from "node:path";
import { datasetSpec } from "../lake/datasets.ts";
import { readManifest } from "../lake/manifest.ts";
import { partitionDir } from "../lake/paths.ts";
import { withScratchLake } from "../testing/scratch_lake.ts";
import { asymmetricFlow, makeFlow, windowsOf, writeVpSilver } from "../testing/vp_inputs.ts";
import { goldSignalConfig, resolveVpConfig, vpCacheKey } from "./vp_config.ts";
import { checkVpFlowColumns } from "./vp_engine.ts";
import {
  checkVpSilver,
  computeVpDay,
  listVpVariants,
  readVpSignals,
  vpPartitionDir,
  vpSilverCommand,
  vpWindows,
  writeVpPartition,
} from "./vp_lake.ts";
import { computeVpSignals } from "./vp_signals.ts";
import { vpExchangeTime } from "./vp_time.ts";

const DT = "2026-02-06";
const QQQ = await resolveVpConfig("equity_mbo", "QQQ");
const MNQ = await resolveVpConfig("future_mbo", "MNQH6");

Deno.test(
  "§4.8 #14/#15: silver partition folders",
  withScratchLake((lake) => {
    const snap = datasetSpec(lake.config, "silver.equity_mbo.book_snapshot_1s");
    assert.equal(
      partitionDir(lake.root, snap, { symbol: "QQQ", dt: DT }),
      join(
        lake.root,
        "silver/product_type=equity_mbo/symbol=QQQ/table=book_snapshot_1s/dt=2026-02-06",
      ),
    );
    const flow = datasetSpec(lake.config, "silver.future_mbo.depth_and_flow_1s");
    assert.equal(
      partitionDir(lake.root, flow, { symbol: "MNQH6", dt: DT }),
      join(
        lake.root,
        "silver/product_type=future_mbo/symbol=MNQH6/table=depth_and_flow_1s/dt=2026-02-06",
      ),
    );
    return Promise.resolve();
  }),
);

Deno.test("§4.8 #16/#17: the pipeline command names product type, symbol and date", () => {
  for (const c of [QQQ, MNQ]) {
    const cmd = vpSilverCommand(c, DT);
    assert.ok(cmd.startsWith("deno task pipeline "));
    for (
      const part of [
        `--product-type ${c.product_type}`,
        `--symbol ${c.symbol}`,
        `--dt ${DT}`,
        "--layer silver",
      ]
    ) {
      assert.ok(cmd.includes(part), part);
    }
  }
});

Deno.test(
  "§4.8 #18/#19/#49: an empty lake gives the exact command to run",
  withScratchLake(async (lake) => {
    for (const c of [QQQ, MNQ]) {
      await assert.rejects(checkVpSilver(lake, c, DT), (e: Error) => {
        assert.match(e.message, /Silver partition not found/);
        assert.match(e.message, /Silver table missing: book_snapshot_1s/);
        assert.ok(e.message.includes(
          `deno task pipeline --product-type ${c.product_type} --layer silver --symbol ${c.symbol} ` +
            `--dt ${DT} --lake ${lake.root}`,
        ));
        return true;
      });
    }
  }),
);

Deno.test(
  "§4.8 #45-#47: readiness counts, and either table missing",
  withScratchLake(async (lake) => {
    const rows = makeFlow(10, 3);
    await writeVpSilver(lake, "equity_mbo", "QQQ", DT, rows, undefined, ["depth_and_flow_1s"]);
    await assert.rejects(checkVpSilver(lake, QQQ, DT), /Silver table missing: book_snapshot_1s/);
    await writeVpSilver(lake, "equity_mbo", "QQQ", DT, rows, undefined, ["book_snapshot_1s"]);
    assert.deepEqual(await checkVpSilver(lake, QQQ, DT), {
      book_snapshot_1s: 10,
      depth_and_flow_1s: 10 * 12,
    });
    await writeVpSilver(lake, "equity_mbo", "SPY", DT, rows, undefined, ["book_snapshot_1s"]);
    const spy = await resolveVpConfig("equity_mbo", "SPY");
    await assert.rejects(checkVpSilver(lake, spy, DT), /Silver table missing: depth_and_flow_1s/);
  }),
);

Deno.test(
  "§4.8 #48: partition folders without Parquet files",
  withScratchLake(async (lake) => {
    for (const t of ["book_snapshot_1s", "depth_and_flow_1s"]) {
      const spec = datasetSpec(lake.config, `silver.future_mbo.${t}`);
      await Deno.mkdir(partitionDir(lake.root, spec, { symbol: "MNQH6", dt: DT }), {
        recursive: true,
      });
    }
    await assert.rejects(checkVpSilver(lake, MNQ, DT), (e: Error) => {
      assert.match(e.message, /^No parquet files in: .*book_snapshot_1s/);
      assert.ok(e.message.includes("--product-type future_mbo --layer silver --symbol MNQH6"));
      return true;
    });
  }),
);

Deno.test(
  "§4.8 #20/#44 + A.3 through Parquet: the day's signals, cache key with the knobs",
  withScratchLake(async (lake) => {
    await writeVpSilver(lake, "equity_mbo", "QQQ", DT, asymmetricFlow());
    const day = await computeVpDay(lake, QQQ, DT);
    assert.equal(day.cacheKey, vpCacheKey(QQQ, DT, goldSignalConfig()));
    assert.equal(day.signals.length, 6);
    const want = [-9.91253, 149.914261, 309.740593, 469.56651, 542.342491, 789.21725];
    day.signals.values.composite.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `${i}`));
    const s = [0, 0.220121, 0.349619, 0.426654, 0.460763, 0.512668];
    day.signals.values.strength_smooth.forEach((v, i) => assert.ok(Math.abs(v - s[i]) < 1e-5));
    assert.deepEqual([...day.signals.mid_price], [100, 100, 100, 100, 100, 100]);
  }),
);

Deno.test(
  "windows split across read batches are reassembled (batch and in-memory paths agree)",
  withScratchLake(async (lake) => {
    // 120 windows × 40 rows and 3 windows × 2,400 rows, read 2,048 rows at a time
    for (const [sym, rows] of [["QQQ", makeFlow(120, 10)], ["SPY", makeFlow(3, 600)]] as const) {
      const cfg = await resolveVpConfig("equity_mbo", sym);
      await writeVpSilver(lake, "equity_mbo", sym, DT, rows);
      const wins = [];
      for await (const w of vpWindows(lake, cfg, DT, { batchRows: 2048 })) {
        wins.push({ ts: w.window_end_ts_ns, n: w.end - w.start });
      }
      const mem = windowsOf(rows);
      assert.deepEqual(wins, mem.map((w) => ({ ts: w.window_end_ts_ns, n: w.end - w.start })));
    }
  }),
);

Deno.test(
  "compute-only: one partition per knob setting, knobs and config_version in the manifest",
  withScratchLake(async (lake) => {
    await writeVpSilver(lake, "future_mbo", "MNQH6", DT, asymmetricFlow());
    const slow = goldSignalConfig({ pre_smooth_span: 60, projection_horizon_s: 30 });
    for (const g of [goldSignalConfig(), slow]) {
      await writeVpPartition(lake, await computeVpDay(lake, MNQ, DT, g));
    }
    const a = await readManifest(vpPartitionDir(lake, MNQ, DT, goldSignalConfig()));
    const b = await readManifest(vpPartitionDir(lake, MNQ, DT, slow));
    assert.equal(a.dataset, "gold.future_mbo.vacuum_pressure_1s");
    assert.equal(a.stats.config_version, "e9c7ca0145bc");
    assert.equal((b.stats.gold_signal_config as { pre_smooth_span: number }).pre_smooth_span, 60);
    assert.equal(
      (b.stats.gold_signal_config as { projection_horizon_s: number }).projection_horizon_s,
      30,
    );
    assert.equal((a.stats.runtime_config as { qty_unit: string }).qty_unit, "contracts");
    assert.match(
      vpPartitionDir(lake, MNQ, DT, slow),
      /config=e9c7ca0145bc\/gold=ps60-d10-20-40-.*-ph30\.000-.*\/dt=2026-02-06$/,
    );
    assert.deepEqual((await listVpVariants(lake, MNQ)).map((v) => v.gold.slice(0, 4)), [
      "ps15",
      "ps60",
    ]);
    // the knobs were applied: EMA_60 of the composite, not EMA_15
    const back = await readVpSignals(lake, MNQ, DT, slow);
    assert.equal(back.length, 6);
    const c0 = back.values.composite[0], c1 = back.values.composite[1];
    const alpha = 2 / 61;
    assert.ok(Math.abs(back.values.composite_smooth[1] - ((1 - alpha) * c0 + alpha * c1)) < 1e-9);
    const mem = computeVpSignals(MNQ, windowsOf(asymmetricFlow()), slow);
    for (const [k, col] of Object.entries(mem.values)) {
      assert.deepEqual([...back.values[k]], [...col], k);
    }
    assert.deepEqual([...back.best_bid_price_int], Array(6).fill(99_500_000_000n));
  }),
);

Deno.test(
  "empty snapshot sides are missing prices, never 0",
  withScratchLake(async (lake) => {
    const rows = makeFlow(3, 2);
    await writeVpSilver(lake, "equity_mbo", "QQQ", DT, rows, [
      { w: 0, bid: 99_500_000_000n, ask: 100_500_000_000n },
      { w: 1, bid: 0n, ask: 100_500_000_000n },
      { w: 2, bid: 99_500_000_000n, ask: 100_500_000_000n, valid: false },
    ]);
    const day = await computeVpDay(lake, QQQ, DT);
    assert.ok(Number.isNaN(day.signals.mid_price[1]));
    assert.deepEqual([...day.signals.best_bid_valid], [1, 0, 1]);
    assert.deepEqual([...day.signals.book_valid], [1, 1, 0]);
    await writeVpPartition(lake, day);
    const back = await readVpSignals(lake, QQQ, DT);
    assert.ok(Number.isNaN(back.mid_price[1]));
    assert.deepEqual([...back.best_bid_valid], [1, 0, 1]);
  }),
);

Deno.test("§8 item 7: input columns are checked with a clear message", () => {
  assert.throws(
    () => checkVpFlowColumns({ rel_ticks: [1], side: [65] }),
    /schema mismatch, missing column\(s\) spot_ref_price_int, add_qty, pull_qty, fill_qty, depth_qty_end, depth_qty_rest, pull_qty_rest, window_valid/,
  );
});

Deno.test("§8 item 20: exchange time follows DST", () => {
  assert.equal(vpExchangeTime(1_770_388_200_000_000_000n), "09:30:00"); // 2026-02-06 14:30 UTC, EST
  assert.equal(vpExchangeTime(1_773_063_000_000_000_000n), "09:30:00"); // 2026-03-09 13:30 UTC, EDT
});
