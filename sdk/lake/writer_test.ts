import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { fileURLToPath as fromFileUrl } from "node:url";
import type { ColumnBatch } from "./columns.ts";
import { datasetSpec } from "./datasets.ts";
import { type Lake, openLake } from "./lake.ts";
import { readManifest } from "./manifest.ts";
import { isComplete, partFiles, partitionDir, tableDir } from "./paths.ts";
import { openLakeDuckDB, readBatches, readTable } from "./reader.ts";
import { PartitionWriter, writePartition } from "./writer.ts";
import { holdParquetWorkers } from "./_sink.ts";

// scratch lakes of this module, removed when the test module ends
const TMP = Deno.makeTempDirSync({ prefix: "spymaster-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));

const DS = "silver.future_option_mbo.depth_and_flow_1s";
const KEY = { symbol: "MNQH6", dt: "2026-02-06" };

async function tempLake(): Promise<Lake> {
  return await openLake(await Deno.makeTempDir({ dir: TMP }), { validateEvery: 1 });
}

/** Rows i of a batch with hand-chosen values; `right` and `side` alternate, every 5th row invalid. */
function flowBatch(from: number, n: number, sides: readonly string[] = ["A", "B"]): ColumnBatch {
  const i = Array.from({ length: n }, (_, k) => from + k);
  return {
    window_start_ts_ns: BigInt64Array.from(
      i,
      (k) => 1_770_386_400_000_000_000n + BigInt(k) * 1_000_000_000n,
    ),
    window_end_ts_ns: BigInt64Array.from(
      i,
      (k) => 1_770_386_401_000_000_000n + BigInt(k) * 1_000_000_000n,
    ),
    strike_price_int: BigUint64Array.from(
      i,
      (k) => (k === 0 ? 2n ** 64n - 1n : 21_000_000_000_000n + BigInt(k % 21) * 5_000_000_000n),
    ),
    strike_points: Float64Array.from(i, (k) => 21000 + (k % 21) * 5),
    right: i.map((k) => (k % 2 ? "P" : "C")),
    side: { codes: Uint8Array.from(i, (k) => k % 2), values: sides },
    spot_ref_price_int: new BigInt64Array(n).fill(21_050_000_000_000n),
    rel_ticks: Int32Array.from(i, (k) => (k % 21) * 20 - 200),
    depth_qty_start: Float64Array.from(i, (k) => k * 0.5),
    depth_qty_end: Float64Array.from(i, (k) => k * 0.25),
    add_qty: new Float64Array(n).fill(1),
    pull_qty: new Float64Array(n),
    pull_qty_rest: new Float64Array(n),
    fill_qty: new Float64Array(n),
    depth_qty_rest: new Float64Array(n).fill(-0.0),
    window_valid: Uint8Array.from(i, (k) => (k % 5 === 0 ? 0 : 1)),
    accounting_identity_valid: new Uint8Array(n).fill(1),
  };
}

Deno.test("round trip through Parquet: typed arrays, dictionaries, u64 bit patterns, several parts", async () => {
  const release = holdParquetWorkers();
  try {
    const lake = await tempLake();
    const N = 5000;
    // three batches, the second with another dictionary (values in a different order)
    const batches = [flowBatch(0, 1000), flowBatch(1000, 3000, ["B", "A"]), flowBatch(4000, 1000)];
    const inputs = [{
      dataset: "bronze.future_option_mbo.mbo",
      symbol: "MNQH6",
      dt: "2026-02-06",
      manifest_sha256: "ab".repeat(32),
    }];
    const m = await writePartition(lake, DS, KEY, batches, {
      stage: "test_stage",
      inputs,
      partBytes: 2048 * 80,
      rejected: { zero_price: 2 },
    });
    assert.deepStrictEqual(m.row_count, N);
    assert.ok(m.files.length >= 3, `expected several parts, got ${m.files.length}`);
    assert.deepStrictEqual(m.files.reduce((a, f) => a + f.rows, 0), N);
    const dir = partitionDir(lake.root, datasetSpec(lake.config, DS), KEY);
    assert.deepStrictEqual(
      (await partFiles(dir)).map((f) => f.split("/").pop()),
      m.files.map((f) => f.name),
    );
    assert.ok(await isComplete(dir));

    let k = 0;
    for await (const b of readBatches(lake, DS, KEY, { batchRows: 2048 })) {
      const c = b.columns;
      for (let j = 0; j < b.length; j++, k++) {
        const strike = (c.strike_price_int as BigInt64Array)[j];
        assert.deepStrictEqual(
          strike,
          k === 0 ? -1n : 21_000_000_000_000n + BigInt(k % 21) * 5_000_000_000n,
        );
        const right = c.right as { codes: Uint8Array; values: string[] };
        assert.deepStrictEqual(right.values[right.codes[j]], k % 2 ? "P" : "C");
        const side = c.side as { codes: Uint8Array; values: string[] };
        const sideWant = k >= 1000 && k < 4000 ? ["B", "A"][k % 2] : ["A", "B"][k % 2];
        assert.deepStrictEqual(side.values[side.codes[j]], sideWant);
        assert.deepStrictEqual((c.rel_ticks as Int32Array)[j], (k % 21) * 20 - 200);
        assert.deepStrictEqual((c.depth_qty_start as Float64Array)[j], k * 0.5);
        assert.deepStrictEqual((c.window_valid as Uint8Array)[j], k % 5 === 0 ? 0 : 1);
      }
    }
    assert.deepStrictEqual(k, N);

    const t = await readTable(lake, DS, KEY, {
      columns: ["window_end_ts_ns", "right", "window_valid", "strike_points"],
    });
    assert.deepStrictEqual(t.numRows, N);
    const row = t.get(4321)!.toJSON();
    assert.deepStrictEqual(
      row.window_end_ts_ns,
      1_770_386_401_000_000_000n + 4321n * 1_000_000_000n,
    );
    assert.deepStrictEqual(row.right, "P");
    assert.deepStrictEqual(row.window_valid, true);
    assert.deepStrictEqual(row.strike_points, 21000 + (4321 % 21) * 5);

    const man = await readManifest(dir);
    assert.deepStrictEqual(man.inputs, inputs);
    assert.deepStrictEqual(man.rejected, { zero_price: 2 });
    assert.deepStrictEqual(man.rejected_total, 2);
    assert.deepStrictEqual(man.stage, "test_stage");
    assert.deepStrictEqual(man.parquet, {
      compression: "zstd",
      level: 3,
      row_group_size: 122_880,
      version: 2,
    });
    // what the files say of themselves (DuckDB reads the Parquet footers)
    const db = await openLakeDuckDB(lake);
    try {
      const files = (await partFiles(dir)).map((f) => `'${f}'`).join(", ");
      const r = await db.connection.runAndReadAll(
        `SELECT DISTINCT compression FROM parquet_metadata([${files}])`,
      );
      assert.deepStrictEqual(r.getRows(), [["ZSTD"]]);
    } finally {
      db.close();
    }
    const avsc = await Deno.readTextFile(datasetSpec(lake.config, DS).contractPath);
    assert.deepStrictEqual(man.contract_sha256, createHash("sha256").update(avsc).digest("hex"));
    assert.match(man.code_version, /^\d+\.\d+\.\d+/);
    const text = await Deno.readTextFile(`${dir}/_MANIFEST.json`);
    const keys = Object.keys(JSON.parse(text));
    assert.deepStrictEqual(keys, [...keys].sort());
    assert.deepStrictEqual(text.split("\n")[1].startsWith('  "'), true); // indent 2
  } finally {
    release();
  }
});

Deno.test("a failing batch source leaves no partition and no temporary folder", async () => {
  const lake = await tempLake();
  async function* failing(): AsyncGenerator<ColumnBatch> {
    yield flowBatch(0, 3000);
    yield flowBatch(3000, 3000);
    throw new Error("injected failure");
  }
  await assert.rejects(
    () => writePartition(lake, DS, KEY, failing(), { partBytes: 2048 * 80 }),
    /injected failure/,
  );
  const spec = datasetSpec(lake.config, DS);
  assert.deepStrictEqual(await isComplete(partitionDir(lake.root, spec, KEY)), false);
  const left = [...Deno.readDirSync(tableDir(lake.root, spec, KEY.symbol))].map((e) => e.name);
  assert.deepStrictEqual(left, []);
});

Deno.test("overwrite replaces a partition atomically; a failed overwrite keeps the old one", async () => {
  const release = holdParquetWorkers();
  try {
    const lake = await tempLake();
    await writePartition(lake, DS, KEY, [flowBatch(0, 10)]);
    const failing = async function* (): AsyncGenerator<ColumnBatch> {
      yield flowBatch(0, 99);
      throw new Error("boom");
    };
    await assert.rejects(() => writePartition(lake, DS, KEY, failing()), /boom/);
    assert.deepStrictEqual((await readTable(lake, DS, KEY)).numRows, 10);
    await writePartition(lake, DS, KEY, [flowBatch(0, 7)]);
    assert.deepStrictEqual((await readTable(lake, DS, KEY)).numRows, 7);
    // a bad row (contract violation) aborts too
    const bad = flowBatch(0, 3);
    (bad.window_valid as Uint8Array)[2] = 7;
    await assert.rejects(
      () => writePartition(lake, DS, KEY, [bad]),
      /row 2 violates contract .*window_valid=7/,
    );
    assert.deepStrictEqual((await readTable(lake, DS, KEY)).numRows, 7);
    // a dictionary code without a value, past the sampled rows, is an error too
    const unchecked = await openLake(lake.root, { validateEvery: 0 });
    const orphan = flowBatch(0, 5);
    orphan.side = { codes: Uint8Array.from([0, 1, 0, 2, 1]), values: ["A", "B"] };
    await assert.rejects(
      () => writePartition(unchecked, DS, KEY, [orphan]),
      /column 'side': code 2 has no dictionary value/,
    );
    assert.deepStrictEqual((await readTable(lake, DS, KEY)).numRows, 7);
    // an empty partition still has a readable file
    await writePartition(lake, DS, { symbol: "MNQM6", dt: "2026-02-06" }, []);
    assert.deepStrictEqual(
      (await readTable(lake, DS, { symbol: "MNQM6", dt: "2026-02-06" })).numRows,
      0,
    );
  } finally {
    release();
  }
});

Deno.test("a killed write leaves no _SUCCESS and the next write repairs the partition", async () => {
  const lake = await tempLake();
  const script = fromFileUrl(new URL("./_interrupted_write.ts", import.meta.url));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, lake.root, "QQQ", "2026-02-06"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  let out = "";
  while (!out.includes("\n")) {
    const r = await reader.read();
    if (r.done) break;
    out += new TextDecoder().decode(r.value);
  }
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
  const tmp = out.trim().split(" ")[1];
  assert.match(out, /^READY /);
  const ds = "gold.equity_mbo.physics_surface_1s";
  const key = { symbol: "QQQ", dt: "2026-02-06" };
  const dir = partitionDir(lake.root, datasetSpec(lake.config, ds), key);
  assert.deepStrictEqual(await isComplete(dir), false);
  assert.ok(
    (await Deno.stat(`${tmp}/part-00000.parquet`)).isFile,
    "the killed write left its temp folder",
  );
  // next run: leftovers removed, partition complete
  const n = 4;
  const ts = new BigInt64Array(n).fill(1n);
  const f = new Float64Array(n);
  await writePartition(lake, ds, key, [{
    window_end_ts_ns: ts,
    event_ts_ns: ts,
    spot_ref_price_int: ts,
    rel_ticks: new Int32Array(n),
    rel_ticks_side: new Int32Array(n),
    side: ["A", "B", "A", "B"],
    add_intensity: f,
    fill_intensity: f,
    pull_intensity: f,
    liquidity_velocity: f,
  }]);
  assert.ok(await isComplete(dir));
  assert.deepStrictEqual((await readManifest(dir)).row_count, 4);
  const left = [...Deno.readDirSync(tableDir(lake.root, datasetSpec(lake.config, ds), "QQQ"))].map((
    e,
  ) => e.name);
  assert.deepStrictEqual(left, ["dt=2026-02-06"]);
});

Deno.test("one partition cannot be opened twice at once", async () => {
  const lake = await tempLake();
  const w = await PartitionWriter.open(lake, DS, KEY);
  await assert.rejects(() => PartitionWriter.open(lake, DS, KEY), /is already being written/);
  await w.abort();
});
