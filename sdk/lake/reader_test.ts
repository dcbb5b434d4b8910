import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { datasetSpec } from "./datasets.ts";
import type { DictColumn, NullableColumn } from "./columns.ts";
import { type Lake, openLake } from "./lake.ts";
import { listPartitions, partitionDir } from "./paths.ts";
import { openLakeDuckDB, readBatches, type ReadOptions, readTable } from "./reader.ts";
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

const OPT = "bronze.future_option_mbo.mbo";
const OPT_KEY = { symbol: "MNQ", dt: "2026-02-06", source: "databento" };
const ASCII = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
const OPTION_SYMBOLS = ["MNQH6 C21000", "MNQH6 P20950", "MNQH6 C21050"];

/** Rows `from..from+n` of an options bronze partition; every value is a formula of the row number. */
function optionBatch(from: number, n: number) {
  const i = Array.from({ length: n }, (_, k) => from + k);
  return {
    ts_recv: BigUint64Array.from(i, (k) => 2n ** 63n + BigInt(k)), // u64 above int64 max
    size: Uint32Array.from(i, (k) => (k % 1000 === 999 ? 4_000_000_000 : (k % 7) + 1)),
    ts_event: BigInt64Array.from(i, (k) => 1_770_386_400_000_000_000n + BigInt(k) * 1000n),
    channel_id: new Uint8Array(n),
    rtype: new Uint8Array(n).fill(160),
    order_id: BigUint64Array.from(i, (k) => BigInt(k) * 3n),
    publisher_id: new Uint16Array(n).fill(1),
    flags: Uint8Array.from(i, (k) => (k % 3 === 0 ? 128 : 0)),
    instrument_id: Uint32Array.from(i, (k) => 100 + (k % 3)),
    ts_in_delta: Int32Array.from(i, (k) => (k % 2 ? -k : k)),
    action: { codes: Uint8Array.from(i, (k) => "ACMT".charCodeAt(k % 4)), values: ASCII },
    sequence: Uint32Array.from(i, (k) => k),
    side: { codes: Uint8Array.from(i, (k) => "AB".charCodeAt(k % 2)), values: ASCII },
    symbol: i.map((k) => OPTION_SYMBOLS[k % 3]),
    price: BigInt64Array.from(i, (k) => 21_000_000_000_000n + BigInt(k % 40) * 250_000_000n),
    underlying: { codes: new Uint8Array(n), values: ["MNQ"] },
    right: i.map((k) => (k % 3 === 1 ? "P" : "C")),
    strike: BigInt64Array.from(i, (k) => [21000n, 20950n, 21050n][k % 3] * 1_000_000_000n),
    expiration: new BigInt64Array(n).fill(1_770_422_400_000_000_000n),
  };
}

/** Every row read back as plain values, checked against the formulas of `optionBatch`. */
async function readOptionRows(lake: Lake, options: ReadOptions): Promise<number[]> {
  const seen: number[] = [];
  for await (const b of readBatches(lake, OPT, OPT_KEY, options)) {
    const c = b.columns;
    const str = (name: string, j: number) => {
      const d = c[name] as DictColumn;
      return d.values[d.codes[j]];
    };
    for (let j = 0; j < b.length; j++) {
      const k = Number((c.sequence as BigInt64Array)[j]);
      seen.push(k);
      assert.equal(BigInt.asUintN(64, (c.ts_recv as BigInt64Array)[j]), 2n ** 63n + BigInt(k));
      assert.equal(
        Number(c.size instanceof Uint32Array ? c.size[j] : (c.size as BigInt64Array)[j]),
        k % 1000 === 999 ? 4_000_000_000 : (k % 7) + 1,
      );
      assert.equal(Number((c.flags as Uint8Array)[j]), k % 3 === 0 ? 128 : 0);
      assert.equal(Number((c.ts_in_delta as BigInt64Array)[j]), k % 2 ? -k : k);
      assert.equal(str("action", j), "ACMT"[k % 4]);
      assert.equal(str("side", j), "AB"[k % 2]);
      assert.equal(str("symbol", j), OPTION_SYMBOLS[k % 3]);
      assert.equal(str("underlying", j), "MNQ");
      assert.equal(str("right", j), k % 3 === 1 ? "P" : "C");
    }
  }
  return seen;
}

Deno.test("reads in a worker and in this thread give the same rows (dictionaries, u64, narrow ints)", async () => {
  const release = holdParquetWorkers();
  try {
    const lake = await openLake(await Deno.makeTempDir({ dir: TMP }), { validateEvery: 1 });
    const N = 9000;
    await writePartition(lake, OPT, OPT_KEY, [optionBatch(0, 4000), optionBatch(4000, N - 4000)], {
      partBytes: 2048 * 100,
    });
    const all = Array.from({ length: N }, (_, k) => k);
    const narrow = { size: "uint32", flags: "uint8", publisher_id: "uint16" } as const;
    for (const worker of [false, true]) {
      assert.deepStrictEqual(await readOptionRows(lake, { worker, batchRows: 2048 }), all);
      assert.deepStrictEqual(await readOptionRows(lake, { worker, narrow }), all);
      // a condition: sizes 5..7 and the 4e9 rows
      assert.deepStrictEqual(
        await readOptionRows(lake, { worker, where: "size > 4" }),
        all.filter((k) => k % 1000 === 999 || (k % 7) + 1 > 4),
      );
      // dictionaries hold the distinct values, sorted
      const it = readBatches(lake, OPT, OPT_KEY, { worker, columns: ["action", "symbol"] });
      const cols = (await it.next()).value!.columns;
      await it.return(undefined); // stops the scan
      assert.deepStrictEqual((cols.action as DictColumn).values, ["A", "C", "M", "T"]);
      assert.deepStrictEqual((cols.symbol as DictColumn).values, [...OPTION_SYMBOLS].sort());
      // narrow arrays are range-checked, never truncated
      await assert.rejects(
        () => readOptionRows(lake, { worker, narrow: { size: "uint16" } }),
        /bronze\.future_option_mbo\.mbo MNQ 2026-02-06: .*out of range/,
      );
      await assert.rejects(
        () => readBatches(lake, OPT, OPT_KEY, { narrow: { action: "uint8" } }).next(),
        /narrow: column 'action' is string, not an integer/,
      );
      // a consumer that stops early, then a full read
      let batches = 0;
      for await (const _ of readBatches(lake, OPT, OPT_KEY, { worker, batchRows: 2048 })) {
        if (++batches === 2) break;
      }
      assert.deepStrictEqual((await readOptionRows(lake, { worker })).length, N);
    }
  } finally {
    release();
  }
});

Deno.test("nullable columns keep their nulls; a null in a non-nullable column is an error", async () => {
  const lake = await openLake(await Deno.makeTempDir({ dir: TMP }), { validateEvery: 1 });
  const DS_F = "stream.forecast_1s";
  const n = 5000;
  const i = Array.from({ length: n }, (_, k) => k);
  const nullEvery = (m: number) => Uint8Array.from(i, (k) => (k % m === 0 ? 0 : 1));
  await writePartition(lake, DS_F, { symbol: "MNQH6", dt: "2026-02-06" }, [{
    window_end_ts_ns: BigInt64Array.from(i, (k) => BigInt(k) * 1_000_000_000n),
    horizon_s: new Int32Array(n).fill(30),
    predicted_spot_tick: { data: BigInt64Array.from(i, (k) => BigInt(k)), valid: nullEvery(3) },
    predicted_tick_delta: { data: new BigInt64Array(n), valid: nullEvery(1) }, // all null
    confidence: { data: Float64Array.from(i, (k) => k / 8), valid: nullEvery(5) },
    RunScore_up: new Float64Array(n).fill(0.5), // nullable, given without nulls
    RunScore_down: { data: new Float64Array(n), valid: nullEvery(7) },
    D_up: { data: Int32Array.from(i, (k) => -k), valid: nullEvery(2) },
    D_down: { data: new Int32Array(n), valid: new Uint8Array(n).fill(1) },
  }]);
  for (const worker of [false, true]) {
    let k = 0;
    for await (
      const b of readBatches(lake, DS_F, { symbol: "MNQH6", dt: "2026-02-06" }, {
        worker,
        batchRows: 2048,
      })
    ) {
      const c = b.columns as Record<string, NullableColumn>;
      for (let j = 0; j < b.length; j++, k++) {
        assert.equal(c.predicted_spot_tick.valid[j], k % 3 ? 1 : 0);
        if (k % 3) assert.equal((c.predicted_spot_tick.data as BigInt64Array)[j], BigInt(k));
        assert.equal(c.predicted_tick_delta.valid[j], 0);
        assert.equal(c.confidence.valid[j], k % 5 ? 1 : 0);
        if (k % 5) assert.equal((c.confidence.data as Float64Array)[j], k / 8);
        assert.equal(c.RunScore_up.valid[j], 1);
        assert.equal(c.D_up.valid[j], k % 2 ? 1 : 0);
        if (k % 2) assert.equal((c.D_up.data as Int32Array)[j], -k);
        assert.equal(c.D_down.valid[j], 1);
      }
    }
    assert.equal(k, n);
  }
  // a foreign file with a null in a non-nullable column
  const spec = datasetSpec(lake.config, DS_F);
  const bad = partitionDir(lake.root, spec, { symbol: "BAD", dt: "2026-02-06" });
  await Deno.mkdir(bad, { recursive: true });
  const duck = await (await DuckDBInstance.create(":memory:")).connect();
  const cols = spec.contract.fields.map((f) =>
    f.name === "window_end_ts_ns"
      ? "CASE WHEN range = 3000 THEN NULL ELSE range END AS window_end_ts_ns"
      : !f.nullable
      ? `30::INTEGER AS ${f.name}`
      : `NULL::${
        f.type === "int" ? "INTEGER" : f.type === "long" ? "BIGINT" : "DOUBLE"
      } AS ${f.name}`
  );
  await duck.run(
    `COPY (SELECT ${
      cols.join(", ")
    } FROM range(5000)) TO '${bad}/part-00000.parquet' (FORMAT parquet)`,
  );
  duck.closeSync();
  await Deno.writeTextFile(`${bad}/_SUCCESS`, "");
  for (const worker of [false, true]) {
    await assert.rejects(
      async () => {
        for await (
          const _ of readBatches(lake, DS_F, { symbol: "BAD", dt: "2026-02-06" }, { worker })
        ) {
          /* rows before the null */
        }
      },
      /stream\.forecast_1s BAD 2026-02-06: null in non-nullable column 'window_end_ts_ns' \(row 3000\)/,
    );
  }
});

Deno.test("string dictionaries come from the manifest, and a value outside it is an error", async () => {
  const lake = await openLake(await Deno.makeTempDir({ dir: TMP }));
  // side of row i: A when i % 3 = 0 → rows 0..4 give A B B A B
  await writePartition(lake, DS, { symbol: "QQQ", dt: "2026-02-05" }, [batch(5, 100)]);
  const dir = partitionDir(lake.root, datasetSpec(lake.config, DS), {
    symbol: "QQQ",
    dt: "2026-02-05",
  });
  const path = `${dir}/_MANIFEST.json`;
  const manifest = JSON.parse(await Deno.readTextFile(path));
  assert.deepStrictEqual(manifest.string_values, { side: ["A", "B"] });
  const sides = async (options: ReadOptions = {}) => {
    const out: string[] = [];
    for await (const b of readBatches(lake, DS, { symbol: "QQQ", dt: "2026-02-05" }, options)) {
      const d = b.columns.side as DictColumn;
      for (const c of d.codes) out.push(d.values[c]);
    }
    return out;
  };
  assert.deepStrictEqual(await sides(), ["A", "B", "B", "A", "B"]);
  assert.deepStrictEqual(await sides({ worker: true }), ["A", "B", "B", "A", "B"]);
  // a manifest that leaves out a value the files hold: the read fails, it never maps B to A
  manifest.string_values = { side: ["A"] };
  await Deno.writeTextFile(path, JSON.stringify(manifest));
  await assert.rejects(
    sides(),
    /column 'side': a value outside its recorded dictionary \(\["A"\]\)/,
  );
  // an older manifest without the values: the dictionary is read from the files
  delete manifest.string_values;
  await Deno.writeTextFile(path, JSON.stringify(manifest));
  assert.deepStrictEqual(await sides(), ["A", "B", "B", "A", "B"]);
});

Deno.test("a condition DuckDB cannot push into the scan (OR across columns) keeps file order", async () => {
  const lake = await openLake(await Deno.makeTempDir({ dir: TMP }));
  // 4 M rows in 8 MiB parts (the size at which the rows used to come out of order): frames of
  // 801 ticks, rel_ticks −400..400, side A on even frames and B on odd ones
  const N = 4_000_000;
  const ts = BigInt64Array.from({ length: N }, (_, i) => BigInt(i));
  const f = new Float64Array(N);
  const rel = (i: number) => (i % 801) - 400, isAsk = (i: number) => Math.floor(i / 801) % 2 === 0;
  await writePartition(lake, DS, { symbol: "QQQ", dt: "2026-02-05" }, [{
    window_end_ts_ns: ts,
    event_ts_ns: ts,
    spot_ref_price_int: ts,
    rel_ticks: Int32Array.from({ length: N }, (_, i) => rel(i)),
    rel_ticks_side: new Int32Array(N),
    side: Array.from({ length: N }, (_, i) => (isAsk(i) ? "A" : "B")),
    add_intensity: f,
    fill_intensity: f,
    pull_intensity: f,
    liquidity_velocity: f,
  }], { partBytes: 8 << 20 });
  const keep = (i: number) => (isAsk(i) ? rel(i) > 0 : rel(i) < 0);
  let want = 0;
  for (let i = 0; i < N; i++) if (keep(i)) want++;
  for (const worker of [false, true]) {
    // strictly ascending, every row kept by the condition, as many as kept: exactly the rows
    let prev = -1, n = 0;
    for await (
      const b of readBatches(lake, DS, { symbol: "QQQ", dt: "2026-02-05" }, {
        columns: ["window_end_ts_ns"],
        where: "(side = 'A' AND rel_ticks > 0) OR (side = 'B' AND rel_ticks < 0)",
        worker,
      })
    ) {
      for (const v of b.columns.window_end_ts_ns as BigInt64Array) {
        const i = Number(v);
        if (i <= prev || !keep(i)) assert.fail(`row ${i} after ${prev} (worker: ${worker})`);
        prev = i;
        n++;
      }
    }
    assert.equal(n, want);
  }
});
