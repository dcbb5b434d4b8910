import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  datasetSpec,
  DEFAULT_CONFIG_DIR,
  DEFAULT_CONTRACTS_DIR,
  lakeConfigPaths,
  loadLakeConfig,
  parseLakeConfig,
} from "./datasets.ts";
import { openLake } from "./lake.ts";
import { parseContract, validateBatch } from "./contracts.ts";
import { partitionDir } from "./paths.ts";

const names = (s: string) => s.split(",").map((x) => x.trim());

// Field orders of pipeline.md §2.5, §3.6 and §4.5.
const MBO = names(
  "ts_recv, size, ts_event, channel_id, rtype, order_id, publisher_id, flags, instrument_id, ts_in_delta, action, sequence, side, symbol, price",
);
const EXPECTED: Record<string, string[]> = {
  "bronze.future_mbo.mbo": MBO,
  "bronze.equity_mbo.mbo": MBO,
  "bronze.future_option_mbo.mbo": [...MBO, "underlying", "right", "strike", "expiration"],
  "bronze.equity_option_cmbp_1.cmbp_1": names(
    "ts_recv, ts_event, publisher_id, instrument_id, bid_px_00, ask_px_00, bid_sz_00, ask_sz_00, underlying, right, strike, expiration",
  ),
  "silver.future_mbo.book_snapshot_1s": names(
    "window_start_ts_ns, window_end_ts_ns, best_bid_price_int, best_bid_qty, best_ask_price_int, best_ask_qty, mid_price, mid_price_int, last_trade_price_int, spot_ref_price_int, book_valid",
  ),
  "silver.future_mbo.depth_and_flow_1s": names(
    "window_start_ts_ns, window_end_ts_ns, price_int, side, spot_ref_price_int, rel_ticks, rel_ticks_side, depth_qty_start, depth_qty_end, add_qty, pull_qty, depth_qty_rest, pull_qty_rest, fill_qty, window_valid",
  ),
  "silver.equity_option_cmbp_1.depth_and_flow_1s": names(
    "window_start_ts_ns, window_end_ts_ns, strike_price_int, strike_points, right, side, spot_ref_price_int, rel_ticks, depth_qty_start, depth_qty_end, add_qty, pull_qty, pull_qty_rest, fill_qty, window_valid",
  ),
  "gold.equity_mbo.physics_surface_1s": names(
    "window_end_ts_ns, event_ts_ns, spot_ref_price_int, rel_ticks, rel_ticks_side, side, add_intensity, fill_intensity, pull_intensity, liquidity_velocity",
  ),
};
const FIELD_COUNTS: Record<string, number> = {
  "gold.future_mbo.physics_surface_1s": 36,
  "gold.future_option_mbo.physics_surface_1s": 38,
  "gold.equity_option_cmbp_1.physics_surface_1s": 12,
  "silver.future_option_mbo.depth_and_flow_1s": 17,
  "silver.equity_option_cmbp_1.book_snapshot_1s": 11,
};

Deno.test("datasets.yaml: every dataset of the spec, with the spec's field order and types", async () => {
  const cfg = await loadLakeConfig();
  for (const [key, fields] of Object.entries(EXPECTED)) {
    assert.deepStrictEqual(datasetSpec(cfg, key).contract.fields.map((f) => f.name), fields, key);
  }
  for (const [key, n] of Object.entries(FIELD_COUNTS)) {
    assert.deepStrictEqual(datasetSpec(cfg, key).contract.fields.length, n, key);
  }
  const t = (key: string, f: string) =>
    datasetSpec(cfg, key).contract.fields.find((x) => x.name === f)!.type;
  assert.deepStrictEqual(t("silver.future_option_mbo.book_snapshot_1s", "mid_price_int"), "long");
  assert.deepStrictEqual(
    t("silver.equity_option_cmbp_1.book_snapshot_1s", "mid_price_int"),
    "double",
  );
  assert.deepStrictEqual(t("gold.future_mbo.physics_surface_1s", "rel_ticks"), "int");
  assert.deepStrictEqual(t("bronze.future_mbo.mbo", "action"), "string");
  // absent prices are NULL in the MBO snapshots (issue 10); quantities and flags are not nullable
  for (const pt of ["future_mbo", "equity_mbo"]) {
    assert.deepStrictEqual(
      datasetSpec(cfg, `silver.${pt}.book_snapshot_1s`).contract.fields.filter((f) => f.nullable)
        .map((f) => f.name),
      names(
        "best_bid_price_int, best_ask_price_int, mid_price, mid_price_int, last_trade_price_int, spot_ref_price_int",
      ),
    );
  }
  const fc = datasetSpec(cfg, "stream.forecast_1s").contract.fields;
  assert.deepStrictEqual(
    fc.filter((f) => f.nullable).map((f) => f.name),
    names(
      "predicted_spot_tick, predicted_tick_delta, confidence, RunScore_up, RunScore_down, D_up, D_down",
    ),
  );
  // Hive paths of §1.4
  assert.deepStrictEqual(
    partitionDir("/L", datasetSpec(cfg, "bronze.future_mbo.mbo"), {
      symbol: "MNQH6",
      dt: "2026-02-06",
      source: "databento",
    }),
    "/L/bronze/source=databento/product_type=future_mbo/symbol=MNQH6/table=mbo/dt=2026-02-06",
  );
  assert.deepStrictEqual(
    partitionDir("/L", datasetSpec(cfg, "gold.equity_option_cmbp_1.physics_surface_1s"), {
      symbol: "QQQ",
      dt: "2026-02-06",
    }),
    "/L/gold/product_type=equity_option_cmbp_1/symbol=QQQ/table=physics_surface_1s/dt=2026-02-06",
  );
  assert.throws(
    () => datasetSpec(cfg, "bronze.nope"),
    /unknown dataset 'bronze.nope' \(valid: bronze.equity_mbo.mbo,/,
  );
});

Deno.test("contract hashes: sha256 of the .avsc text as the manifests record it", async () => {
  const cfg = await loadLakeConfig();
  const spec = datasetSpec(cfg, "bronze.future_mbo.mbo");
  const text = await Deno.readTextFile(join(DEFAULT_CONTRACTS_DIR, "bronze/future_mbo/mbo.avsc"));
  assert.deepStrictEqual(spec.contract.sha256, createHash("sha256").update(text).digest("hex"));
  // same fields, same schema hash; the file hash differs with the record name
  assert.deepStrictEqual(
    spec.contract.schemaHash,
    datasetSpec(cfg, "bronze.equity_mbo.mbo").contract.schemaHash,
  );
});

Deno.test("datasets.yaml validation names the file, the entry and the problem", async () => {
  const ok = {
    lake_root: "lake",
    datasets: {
      "bronze.x.y": {
        path: "bronze/symbol={symbol}/table=y",
        contract: "bronze/future_mbo/mbo.avsc",
      },
    },
  };
  await parseLakeConfig(ok, "/p/config/d.yaml");
  await assert.rejects(
    () => parseLakeConfig({ ...ok, lake: "x" }, "d.yaml"),
    /d.yaml: unknown key 'lake'/,
  );
  await assert.rejects(
    () =>
      parseLakeConfig({
        lake_root: "lake",
        datasets: { "bronze.x.y": { path: "bronze/table=y", contract: "a.avsc" } },
      }, "d.yaml"),
    /datasets.bronze.x.y: 'path' must be a relative path containing \{symbol\}/,
  );
  await assert.rejects(
    () =>
      parseLakeConfig({
        lake_root: "lake",
        datasets: { "bronze.x.y": { path: "b/symbol={symbol}", contract: "missing/x.avsc" } },
      }, "d.yaml"),
    /datasets.bronze.x.y: cannot read contract .*missing\/x.avsc/,
  );
  await assert.rejects(
    () =>
      parseLakeConfig({
        lake_root: "lake",
        datasets: {
          "bronze.x.y": {
            path: "b/symbol={symbol}",
            contract: "bronze/future_mbo/mbo.avsc",
            format: "csv",
          },
        },
      }, "d.yaml"),
    /only format 'parquet' is supported/,
  );
  // each encoding setting, with values it refuses and the message naming it
  const refused: [string, unknown[], RegExp][] = [
    ["zstd_level", [0, 23, 2.5, "3"], /'zstd_level' must be an integer 1-22, got/],
    ["compression", ["gzip", 1], /'compression' must be zstd or lz4_raw, got/],
    ["parquet_version", [0, 3, "1"], /'parquet_version' must be 1 or 2, got/],
  ];
  for (const [key, values, message] of refused) {
    for (const bad of values) {
      await assert.rejects(
        () =>
          parseLakeConfig({
            lake_root: "lake",
            datasets: { "bronze.x.y": { ...ok.datasets["bronze.x.y"], [key]: bad } },
          }, "d.yaml"),
        (e: Error) =>
          e.message.startsWith("d.yaml: datasets.bronze.x.y: ") && message.test(e.message),
      );
    }
  }
  const cfg = await parseLakeConfig(ok, "/p/config/d.yaml");
  assert.deepStrictEqual(cfg.lakeRoot, "/p/lake");
  assert.deepStrictEqual(cfg.datasets.get("bronze.x.y")!.zstdLevel, 3);
  assert.deepStrictEqual(cfg.datasets.get("bronze.x.y")!.parquetVersion, 2);
  assert.deepStrictEqual(cfg.datasets.get("bronze.x.y")!.compression, "zstd");
});

Deno.test("datasets.yaml: bronze event tables and dense gold surfaces at zstd level 1, the rest at 3", async () => {
  const cfg = await loadLakeConfig();
  const level1 = [...cfg.datasets.values()].filter((d) => d.zstdLevel === 1).map((d) => d.key);
  assert.deepStrictEqual(level1.sort(), [
    "bronze.equity_mbo.mbo",
    "bronze.equity_option_cmbp_1.cmbp_1",
    "bronze.future_mbo.mbo",
    "bronze.future_option_mbo.mbo",
    "gold.equity_mbo.physics_surface_1s",
    "gold.equity_option_cmbp_1.physics_surface_1s",
    "gold.future_mbo.physics_surface_1s",
    "gold.future_option_mbo.physics_surface_1s",
  ]);
  for (const d of cfg.datasets.values()) assert.ok(d.zstdLevel === 1 || d.zstdLevel === 3, d.key);
  const v1 = [...cfg.datasets.values()].filter((d) => d.parquetVersion === 1).map((d) => d.key);
  assert.deepStrictEqual(v1.sort(), [
    "gold.future_mbo.physics_surface_1s",
    "gold.future_option_mbo.physics_surface_1s",
  ]);
  const lz4 = [...cfg.datasets.values()].filter((d) => d.compression === "lz4_raw");
  assert.deepStrictEqual(lz4.map((d) => d.key).sort(), v1.sort());
});

Deno.test("avsc validation of column batches: ranges, booleans, missing and extra columns", () => {
  const c = parseContract(
    JSON.stringify({
      type: "record",
      name: "T",
      fields: [
        { name: "a", type: "long" },
        { name: "b", type: "int" },
        { name: "ok", type: "boolean" },
        { name: "s", type: "string" },
        { name: "x", type: ["null", "double"], default: null },
      ],
    }),
    "t.avsc",
  );
  const good = {
    a: new BigUint64Array([2n ** 64n - 1n, 5n]), // stored by bit pattern: -1n is a valid long
    b: new Int32Array([1, -2]),
    ok: new Uint8Array([1, 0]),
    s: ["p", "q"],
    x: { data: new Float64Array([1.5, 0]), valid: new Uint8Array([1, 0]) },
  };
  assert.deepStrictEqual(validateBatch(c, good), 2);
  assert.throws(
    () => validateBatch(c, { ...good, ok: new Uint8Array([1, 2]) }, { rowOffset: 10 }),
    /row 11 violates contract t.avsc: ok=2/,
  );
  assert.throws(
    () => validateBatch(c, { ...good, b: new Uint32Array([1, 2]) }),
    /column 'b' \(int\) cannot be given as Uint32Array/,
  );
  const { s: _s, ...missing } = good;
  assert.throws(() => validateBatch(c, missing), /missing: s/);
  assert.throws(() => validateBatch(c, { ...good, z: new Int32Array(2) }), /not in contract: z/);
  assert.throws(
    () =>
      validateBatch(c, {
        ...good,
        a: { data: new BigInt64Array(2), valid: new Uint8Array([1, 1]) },
      }),
    /column 'a' has nulls but is not nullable/,
  );
});

Deno.test("a lake's own config/ overrides the SDK's; an explicit path overrides both", async () => {
  const root = await Deno.makeTempDir({ prefix: "spymaster-own-config-" });
  try {
    await Deno.mkdir(join(root, "config"));
    const text = await Deno.readTextFile(join(DEFAULT_CONFIG_DIR, "datasets.yaml"));
    // the user's layout: bronze MBO under another folder
    const own = text.replace(
      "bronze/source={source}/product_type=future_mbo/symbol={symbol}/table=mbo",
      "my_bronze/source={source}/future_mbo/symbol={symbol}",
    );
    assert.notEqual(own, text, "the default layout changed: update this test's replacement");
    await Deno.writeTextFile(join(root, "config", "datasets.yaml"), own);
    await Deno.copyFile(
      join(DEFAULT_CONFIG_DIR, "products.yaml"),
      join(root, "config", "products.yaml"),
    );
    const lake = await openLake(root);
    assert.equal(lake.config.path, join(root, "config", "datasets.yaml"));
    assert.equal(
      datasetSpec(lake.config, "bronze.future_mbo.mbo").path,
      "my_bronze/source={source}/future_mbo/symbol={symbol}",
    );
    const paths = await lakeConfigPaths(root);
    assert.equal(paths.productsPath, join(root, "config", "products.yaml"));
    const explicit = await openLake(root, {
      configPath: join(DEFAULT_CONFIG_DIR, "datasets.yaml"),
    });
    assert.equal(
      datasetSpec(explicit.config, "bronze.future_mbo.mbo").path,
      "bronze/source={source}/product_type=future_mbo/symbol={symbol}/table=mbo",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
