// Bronze on real Databento files (CME, DBN v1). Expected values: the fixtures README
// (../shared/fixtures/real/databento/README.md) and NautilusTrader's assertions quoted there.
import assert from "node:assert/strict";
import { fixturePath, skipUnlessFixtures } from "../testing/fixtures.ts";
import { datasetSpec } from "../lake/datasets.ts";
import { readManifest } from "../lake/manifest.ts";
import { partitionDir } from "../lake/paths.ts";
import { openLakeDuckDB } from "../lake/reader.ts";
import { ingestMbo } from "./mbo.ts";
import { withScratchLake } from "../testing/scratch_lake.ts";

const DIR = "real/databento/";
const D24 = `${DIR}esh4-glbx-mdp3-20231224.mbo.dbn.zst`;
const D25 = `${DIR}esh4-glbx-mdp3-20231225.mbo.dbn.zst`;
const OB = `${DIR}orderbooks_mbo_2024-05-08T00-00-00_2024-05-08T00-00-02.dbn.zst`;

async function sha256(path: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name:
    "real ESH4 / ESM4 MBO files: record counts, symbols, actions, snapshot records kept in file order",
  ignore: skipUnlessFixtures(D24, D25, OB),
  fn: withScratchLake(async (lake) => {
    const run = (file: string, dt: string) =>
      ingestMbo({
        lake,
        productType: "future_mbo",
        dt,
        files: [fixturePath(file)],
        stage: "bronze_ingest_future_mbo",
        overwrite: false,
        source: "databento",
      });
    const r24 = await run(D24, "2023-12-24");
    const r25 = await run(D25, "2023-12-25");
    const rob = await run(OB, "2024-05-08");
    assert.deepStrictEqual(r24.partitions.map((p) => [p.symbol, p.rows]), [["ESH4", 8_725]]);
    assert.deepStrictEqual(r25.partitions.map((p) => [p.symbol, p.rows]), [["ESH4", 68_792]]);
    assert.deepStrictEqual(rob.partitions.map((p) => [p.symbol, p.rows]), [["ESM4", 13_796]]);

    const db = await openLakeDuckDB(lake);
    const q = async (sql: string) => (await db.connection.runAndReadAll(sql)).getRows();
    try {
      const v = "bronze_future_mbo_mbo";
      // 2023-12-25: the 8,725-record snapshot (no R), then the live session
      assert.deepStrictEqual(
        await q(
          `SELECT action, count(*) FROM ${v} WHERE dt = '2023-12-25' GROUP BY 1 ORDER BY 1`,
        ),
        [["A", 29_216n], ["C", 17_999n], ["F", 6_371n], ["M", 12_233n], ["T", 2_973n]],
      );
      assert.deepStrictEqual(
        await q(`SELECT count(*) FROM ${v} WHERE dt = '2023-12-25' AND side = 'N'`),
        [[36n]],
      );
      assert.deepStrictEqual(
        await q(`SELECT count(*) FROM ${v} WHERE dt = '2023-12-25' AND flags & 32 <> 0`),
        [[8_725n]],
      );
      // volume: trades 9,892 (B 5,322, A 4,526, N 44); fills 10,201
      assert.deepStrictEqual(
        await q(
          `SELECT side, sum(size) FROM ${v} WHERE dt = '2023-12-25' AND action = 'T' GROUP BY 1 ORDER BY 1`,
        ),
        [["A", 4_526n], ["B", 5_322n], ["N", 44n]],
      );
      assert.deepStrictEqual(
        await q(`SELECT sum(size) FROM ${v} WHERE dt = '2023-12-25' AND action = 'F'`),
        [[10_201n]],
      );
      // the last record (file order kept): Nautilus' sequence 59585 and ts_last 1703548799446821072
      assert.deepStrictEqual(
        await q(
          `SELECT last(sequence), last(ts_recv), max(ts_recv) FROM (SELECT * FROM ${v} WHERE dt = '2023-12-25')`,
        ),
        [[59_585n, 1_703_548_799_446_821_072n, 1_703_548_799_446_821_072n]],
      );
      // the snapshot rows come first, exactly as in the file, whatever their ts_event
      assert.deepStrictEqual(
        await q(
          `SELECT count(*) FILTER (WHERE flags & 32 <> 0), min(ts_event), max(ts_event), count(DISTINCT symbol) FROM (SELECT * FROM ${v} WHERE dt = '2023-12-25' LIMIT 8725)`,
        ),
        [[8_725n, 1_703_422_805_243_925_307n, 1_703_422_805_243_925_307n, 1n]],
      );
      // 2023-12-24: only the snapshot, one F_LAST on the final record
      assert.deepStrictEqual(
        await q(
          `SELECT count(*), count(*) FILTER (WHERE flags & 128 <> 0), last(flags & 128), min(ts_event), max(ts_event) FROM ${v} WHERE dt = '2023-12-24'`,
        ),
        [[8_725n, 1n, 128n, 1_703_422_805_243_925_307n, 1_703_422_805_243_925_307n]],
      );
      // 2024-05-08: R + 13,600 snapshot adds with their own (older) ts_event, then 195 live records
      assert.deepStrictEqual(
        await q(
          `SELECT first(action), first(side), first(price), count(*) FILTER (WHERE flags & 32 <> 0) FROM ${v} WHERE dt = '2024-05-08'`,
        ),
        [["R", "N", 0n, 13_601n]],
      );
      assert.deepStrictEqual(
        await q(
          `SELECT count(*) FROM ${v} WHERE dt = '2024-05-08' AND flags & 32 <> 0 AND action = 'A' AND ts_event < 1715126400000000000`,
        ),
        [[13_600n]], // all snapshot adds predate the session (2024-05-08 00:00 UTC): kept by the exemption
      );
      assert.deepStrictEqual(
        await q(
          `SELECT action, count(*) FROM (SELECT * FROM ${v} WHERE dt = '2024-05-08' AND flags & 32 = 0) GROUP BY 1 ORDER BY 1`,
        ),
        [["A", 78n], ["C", 80n], ["F", 5n], ["M", 27n], ["T", 5n]],
      );
    } finally {
      db.close();
    }
    const m = await readManifest(
      partitionDir(lake.root, datasetSpec(lake.config, "bronze.future_mbo.mbo"), {
        symbol: "ESH4",
        dt: "2023-12-25",
        source: "databento",
      }),
    );
    assert.deepStrictEqual(m.inputs, [{
      path: fixturePath(D25),
      bytes: 997_238,
      sha256: await sha256(fixturePath(D25)),
    }]);
    assert.equal(m.rejected_total, 0);
    assert.equal(m.stats.ts_recv_decreases, 0); // README: ts_recv monotonic
  }),
});
