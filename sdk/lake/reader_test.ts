import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { datasetSpec } from "./datasets.ts";
import { openLake } from "./lake.ts";
import { listPartitions, partitionDir } from "./paths.ts";
import { openLakeDuckDB, readBatches, readTable } from "./reader.ts";
import { writePartition } from "./writer.ts";
import { holdParquetWorkers } from "./_sink.ts";

// scratch lakes of this module, removed when the test module ends
const TMP = Deno.makeTempDirSync({ prefix: "spymaster-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));

const DS = "gold.equity_mbo.physics_surface_1s";

function batch(n: number, base: number) {
  const ts = BigInt64Array.from({ length: n }, (_, i) => BigInt(base + i));
  const f = Float64Array.from({ length: n }, (_, i) => base + i / 4);
  return {
    window_end_ts_ns: ts,
    event_ts_ns: ts,
    spot_ref_price_int: ts,
    rel_ticks: Int32Array.from({ length: n }, (_, i) => i - 2),
    rel_ticks_side: new Int32Array(n),
    side: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? "A" : "B")),
    add_intensity: f,
    fill_intensity: f,
    pull_intensity: f,
    liquidity_velocity: f,
  };
}

Deno.test("date ranges, DuckDB views and contract checks on read", async () => {
  const release = holdParquetWorkers();
  try {
    const lake = await openLake(await Deno.makeTempDir({ dir: TMP }), {
      validateEvery: 1,
    });
    // three dates of QQQ (written out of order) and one of SPY
    for (
      const [sym, dt, n, base] of [["QQQ", "2026-02-09", 4, 300], ["QQQ", "2026-02-05", 2, 100], [
        "QQQ",
        "2026-02-06",
        3,
        200,
      ], ["SPY", "2026-02-06", 5, 900]] as const
    ) {
      await writePartition(lake, DS, { symbol: sym, dt }, [batch(n, base)]);
    }
    const spec = datasetSpec(lake.config, DS);
    assert.deepStrictEqual(
      (await listPartitions(lake.root, spec)).map((p) => `${p.symbol} ${p.dt}`),
      ["QQQ 2026-02-05", "QQQ 2026-02-06", "QQQ 2026-02-09", "SPY 2026-02-06"],
    );
    // a range reads the partitions in date order, bounds inclusive
    const seen: bigint[] = [];
    for await (
      const b of readBatches(lake, DS, { symbol: "QQQ", start: "2026-02-05", end: "2026-02-06" })
    ) {
      seen.push(...(b.columns.window_end_ts_ns as BigInt64Array));
    }
    assert.deepStrictEqual(seen, [100n, 101n, 200n, 201n, 202n]);
    const t = await readTable(lake, DS, { symbol: "QQQ", start: "2026-01-01", end: "2026-12-31" }, {
      where: "rel_ticks >= 0",
    });
    assert.deepStrictEqual(t.numRows, 1 + 2); // rel_ticks = i - 2 >= 0: one row on 02-06, two on 02-09
    assert.deepStrictEqual(t.getChild("side")!.toArray(), ["B", "B", "A"]); // i = 2 on 02-06; i = 2, 3 on 02-09

    const db = await openLakeDuckDB(lake);
    try {
      const r = await db.connection.runAndReadAll(
        `SELECT partition_symbol, strftime(dt, '%Y-%m-%d'), count(*), sum(liquidity_velocity) FROM gold_equity_mbo_physics_surface_1s GROUP BY ALL ORDER BY 1, 2`,
      );
      assert.deepStrictEqual(
        r.getRows(),
        [
          ["QQQ", "2026-02-05", 2n, 100 + 100.25],
          ["QQQ", "2026-02-06", 3n, 200 + 200.25 + 200.5],
          ["SPY", "2026-02-06", 5n, 900 * 5 + 2.5],
          ["QQQ", "2026-02-09", 4n, 300 * 4 + 1.5],
        ].sort((a, b) =>
          String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))
        ),
      );
      // an empty dataset still has a typed view
      const e = await db.connection.runAndReadAll("SELECT count(*) FROM bronze_future_mbo_mbo");
      assert.deepStrictEqual(e.getRows(), [[0n]]);
      assert.equal(
        db.views.silver_future_mbo_depth_and_flow_1s,
        "silver.future_mbo.depth_and_flow_1s",
      );
    } finally {
      db.close();
    }

    // missing partition
    await assert.rejects(
      async () => {
        for await (
          const _ of readBatches(lake, DS, { symbol: "QQQ", dt: "2026-02-07" })
        ) { /* none */ }
      },
      /partition gold.equity_mbo.physics_surface_1s QQQ 2026-02-07 is missing or incomplete/,
    );
    // a partition whose Parquet file has an extra column violates the contract
    const bad = partitionDir(lake.root, spec, { symbol: "BAD", dt: "2026-02-06" });
    await Deno.mkdir(bad, { recursive: true });
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    await duck.run(
      `COPY (SELECT 1::BIGINT AS window_end_ts_ns, 2 AS extra) TO '${bad}/part-00000.parquet' (FORMAT parquet)`,
    );
    duck.closeSync();
    await Deno.writeTextFile(`${bad}/_SUCCESS`, "");
    await assert.rejects(
      () => readTable(lake, DS, { symbol: "BAD", dt: "2026-02-06" }),
      /Parquet columns do not match contract .*missing: event_ts_ns.*not in contract: extra/,
    );
  } finally {
    release();
  }
});
