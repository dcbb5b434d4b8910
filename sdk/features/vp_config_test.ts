// serving.md §4.1-§4.2 and the config, cache-key, protocol and root-extraction cases of §4.8
// (the original's backend/tests/test_vacuum_pressure_config.py). config_version vectors were
// computed with the original code.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parseProductTable } from "../lake/products.ts";
import {
  depthRangeTicks,
  goldCacheFragment,
  goldSignalConfig,
  nearSpotTicks,
  proximityTau,
  proximityWeight,
  pyFloatRepr,
  resolveVpConfig,
  resolveVpConfigFrom,
  vpCacheKey,
  vpConfigVersion,
  vpRuntimeConfigMessage,
} from "./vp_config.ts";

// products.yaml of the original tests (= serving.md §2.1)
const TABLE = parseProductTable({
  products: Object.fromEntries(
    ([
      ["ES", 0.25, 200, 5.0, 50.0],
      ["MES", 0.25, 200, 5.0, 5.0],
      ["MNQ", 0.25, 400, 5.0, 2.0],
      ["NQ", 0.25, 400, 5.0, 20.0],
      ["SI", 0.005, 200, 0.25, 5000.0],
      ["GC", 0.10, 200, 5.0, 100.0],
      ["CL", 0.01, 200, 0.50, 1000.0],
      ["6E", 0.00005, 200, 0.005, 125000.0],
    ] as const).map(([r, t, g, s, m]) => [r, {
      tick_size: t,
      grid_max_ticks: g,
      strike_step_points: s,
      max_strike_offsets: 10,
      contract_multiplier: m,
    }]),
  ),
});
const cfg = (pt: "equity_mbo" | "future_mbo", s: string) => resolveVpConfigFrom(TABLE, pt, s);

Deno.test("config_version vectors (§4.1, computed with the original)", async () => {
  assert.equal(cfg("equity_mbo", "QQQ").config_version, "8cd9c5552451");
  assert.equal(cfg("equity_mbo", "SPY").config_version, "c0aeaf964033");
  assert.equal(cfg("future_mbo", "MNQH6").config_version, "e9c7ca0145bc");
  assert.equal(cfg("future_mbo", "ESH6").config_version, "1455ed275f1f");
  assert.equal(cfg("future_mbo", "SIH6").config_version, "7c7135c5c1d0");
  // and from this checkout's config/products.yaml (integers written without .0 there)
  assert.equal((await resolveVpConfig("future_mbo", "ESH6")).config_version, "1455ed275f1f");
  assert.equal((await resolveVpConfig("equity_mbo", "QQQ")).config_version, "8cd9c5552451");
});

Deno.test("config_version pre-image is Python's str() of the sorted fields (§4.1 QQQ)", () => {
  const { config_version: _, ...fields } = cfg("equity_mbo", "QQQ");
  const pre = "bucket_size_dollars=0.5|contract_multiplier=1.0|grid_max_ticks=200|" +
    "price_decimals=2|price_scale=1e-09|product_type=equity_mbo|qty_unit=shares|" +
    "rel_tick_size=0.5|symbol=QQQ|symbol_root=QQQ|tick_size=0.01";
  assert.equal(createHash("sha256").update(pre).digest("hex").slice(0, 12), "8cd9c5552451");
  assert.equal(vpConfigVersion(fields), "8cd9c5552451");
});

Deno.test("pyFloatRepr matches Python's repr", () => {
  // values printed by CPython 3.12
  const cases: [number, string][] = [
    [1e-9, "1e-09"],
    [5e-5, "5e-05"],
    [1, "1.0"],
    [50, "50.0"],
    [0.5, "0.5"],
    [0.1, "0.1"],
    [0.0001, "0.0001"],
    [1e16, "1e+16"],
    [1e15, "1000000000000000.0"],
    [123.456, "123.456"],
    [1.5e-7, "1.5e-07"],
    [2 ** 70, "1.1805916207174113e+21"],
    [-0.25, "-0.25"],
    [125000, "125000.0"],
    [0, "0.0"],
    [-0, "-0.0"],
    [NaN, "nan"],
    [Infinity, "inf"],
  ];
  for (const [x, want] of cases) assert.equal(pyFloatRepr(x), want, String(x));
});

Deno.test("§4.8 #1-#3: equity tickers", () => {
  const q = cfg("equity_mbo", "QQQ");
  assert.equal(q.product_type, "equity_mbo");
  assert.equal(q.symbol, "QQQ");
  assert.equal(q.symbol_root, "QQQ");
  assert.equal(q.price_scale, 1e-9);
  assert.equal(q.tick_size, 0.01);
  assert.equal(q.bucket_size_dollars, 0.5);
  assert.equal(q.rel_tick_size, 0.5);
  assert.equal(q.grid_max_ticks, 200);
  assert.equal(q.contract_multiplier, 1.0);
  assert.equal(q.qty_unit, "shares");
  assert.equal(q.price_decimals, 2);
  assert.equal(q.config_version.length, 12);
  assert.equal(cfg("equity_mbo", "SPY").bucket_size_dollars, 0.5);
  const aapl = cfg("equity_mbo", "AAPL");
  assert.equal(aapl.bucket_size_dollars, 0.5);
  assert.equal(aapl.tick_size, 0.01);
});

Deno.test("§4.8 #4-#7: futures contracts", () => {
  const m = cfg("future_mbo", "MNQH6");
  assert.deepEqual(
    [m.symbol_root, m.tick_size, m.bucket_size_dollars, m.rel_tick_size, m.grid_max_ticks],
    ["MNQ", 0.25, 0.25, 0.25, 400],
  );
  assert.deepEqual([m.contract_multiplier, m.qty_unit, m.price_decimals], [2.0, "contracts", 2]);
  const es = cfg("future_mbo", "ESH6");
  assert.deepEqual([es.symbol_root, es.tick_size, es.grid_max_ticks, es.contract_multiplier], [
    "ES",
    0.25,
    200,
    50.0,
  ]);
  const si = cfg("future_mbo", "SIH6");
  assert.deepEqual([si.symbol_root, si.tick_size, si.price_decimals, si.contract_multiplier], [
    "SI",
    0.005,
    3,
    5000.0,
  ]);
  const e6 = cfg("future_mbo", "6EH6");
  assert.deepEqual([e6.symbol_root, e6.tick_size, e6.price_decimals], ["6E", 0.00005, 5]);
});

Deno.test("§4.8 #8-#10: errors", async () => {
  await assert.rejects(resolveVpConfig("option_mbo", "QQQ"), /Invalid product_type/);
  assert.throws(() => cfg("future_mbo", "XXXH6"), /Cannot extract product root/);
  await assert.rejects(
    resolveVpConfig("future_mbo", "ESH6", { productsPath: join("/nonexistent", "products.yaml") }),
    /products\.yaml not found/,
  );
});

Deno.test("§4.8 #11-#13: version determinism, difference, to_dict keys", () => {
  assert.equal(cfg("equity_mbo", "QQQ").config_version, cfg("equity_mbo", "QQQ").config_version);
  assert.notEqual(
    cfg("equity_mbo", "QQQ").config_version,
    cfg("future_mbo", "ESH6").config_version,
  );
  const d = cfg("equity_mbo", "QQQ");
  assert.deepEqual(Object.keys(d).sort(), [
    "bucket_size_dollars",
    "config_version",
    "contract_multiplier",
    "grid_max_ticks",
    "price_decimals",
    "price_scale",
    "product_type",
    "qty_unit",
    "rel_tick_size",
    "symbol",
    "symbol_root",
    "tick_size",
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(d)), d);
});

Deno.test("§4.8 #21-#29: dollar-space constants and the proximity weight", () => {
  assert.equal(proximityTau(0.5), 5.0);
  assert.equal(nearSpotTicks(0.5), 5);
  assert.equal(depthRangeTicks(0.5), 10);
  assert.equal(proximityTau(0.25), 10.0);
  assert.equal(nearSpotTicks(0.25), 10);
  assert.equal(depthRangeTicks(0.25), 20);
  for (const tau of [5, 10, 20]) assert.equal(proximityWeight(0, tau), 1);
  const ws = [0, 1, 5, 10].map((k) => proximityWeight(k, 5));
  for (let i = 1; i < ws.length; i++) assert.ok(ws[i] <= ws[i - 1]);
  assert.ok(Math.abs(proximityWeight(5, 5) - Math.exp(-1)) <= 1e-10 * Math.exp(-1));
  assert.equal(proximityWeight(5, proximityTau(0.5)), proximityWeight(10, proximityTau(0.25)));
});

Deno.test("§4.2: GoldSignalConfig defaults, fragment and every validation message", () => {
  assert.equal(
    goldCacheFragment(goldSignalConfig()),
    "ps15-d10-20-40-w0.500000-0.350000-0.150000-ph10.000-fh0.500-zw120",
  );
  assert.throws(() => goldSignalConfig({ d1_span: 0 }), /^Error: d1_span must be > 0, got 0$/);
  assert.throws(() => goldSignalConfig({ smooth_zscore_window: 601 }), /must be <= 600s, got 601/);
  assert.throws(
    () => goldSignalConfig({ projection_horizon_s: -1 }),
    /projection_horizon_s must be > 0, got -1/,
  );
  assert.throws(() => goldSignalConfig({ w_d2: -0.1 }), /w_d2 must be >= 0, got -0.1/);
  assert.throws(
    () => goldSignalConfig({ w_d1: 0, w_d2: 0, w_d3: 0 }),
    /At least one derivative weight must be > 0/,
  );
  assert.throws(() => goldSignalConfig({ d2_span: 1.5 }), /d2_span must be an integer, got 1.5/);
  assert.throws(() => goldSignalConfig({ w_d1: NaN }), /w_d1 must be a finite number/);
  assert.throws(
    () => goldSignalConfig({ bogus: 1 } as unknown as Record<string, number>),
    /unknown gold signal knob 'bogus'/,
  );
  assert.equal(goldSignalConfig({ fast_projection_horizon_s: 600 }).fast_projection_horizon_s, 600);
});

Deno.test("§4.8 #38-#40: runtime_config message shapes", () => {
  const q = vpRuntimeConfigMessage(cfg("equity_mbo", "QQQ"));
  assert.equal(q.type, "runtime_config");
  assert.equal(q.product_type, "equity_mbo");
  assert.equal(q.symbol, "QQQ");
  assert.equal(q.bucket_size_dollars, 0.5);
  assert.equal(q.rel_tick_size, 0.5);
  assert.ok(q.config_version);
  assert.equal(q.gold_signal_config.pre_smooth_span, 15);
  const m = cfg("future_mbo", "MNQH6");
  assert.equal(m.bucket_size_dollars, 0.25); // batch_start.bucket_size
  assert.equal(m.rel_tick_size, 0.25); // batch_start.tick_size
  const mm = vpRuntimeConfigMessage(m);
  assert.deepEqual(
    [
      mm.product_type,
      mm.symbol,
      mm.symbol_root,
      mm.qty_unit,
      mm.contract_multiplier,
      mm.grid_max_ticks,
    ],
    ["future_mbo", "MNQH6", "MNQ", "contracts", 2.0, 400],
  );
});

Deno.test("§4.8 #41-#43 and §8 item 2: cache keys", () => {
  const q = cfg("equity_mbo", "QQQ");
  assert.deepEqual(vpCacheKey(q, "2026-02-06").split(":"), [
    "equity_mbo",
    "QQQ",
    "2026-02-06",
    q.config_version,
  ]);
  assert.notEqual(vpCacheKey(q, "2026-02-06"), vpCacheKey(cfg("future_mbo", "ESH6"), "2026-02-06"));
  assert.notEqual(vpCacheKey(q, "2026-02-06"), vpCacheKey(q, "2026-02-07"));
  // with knobs the key carries them, as the original's engine did (README omitted it)
  assert.equal(
    vpCacheKey(q, "2026-02-06", goldSignalConfig()),
    `equity_mbo:QQQ:2026-02-06:${q.config_version}:gold=ps15-d10-20-40-w0.500000-0.350000-0.150000-ph10.000-fh0.500-zw120`,
  );
});

Deno.test("§4.8 #50-#55: root extraction", () => {
  const roots = parseProductTable({
    products: Object.fromEntries(["ES", "MES", "NQ", "MNQ"].map((r) => [r, {
      tick_size: 0.25,
      grid_max_ticks: 200,
      strike_step_points: 5,
      max_strike_offsets: 10,
      contract_multiplier: 1,
    }])),
  });
  const root = (s: string) => resolveVpConfigFrom(roots, "future_mbo", s).symbol_root;
  assert.equal(root("ESH6"), "ES");
  assert.equal(root("MESH6"), "MES");
  assert.equal(root("MNQH6"), "MNQ");
  assert.equal(root("NQH6"), "NQ");
  const other = parseProductTable({
    products: Object.fromEntries(
      ([["ES", 0.25], ["6E", 0.00005], ["CL", 0.01]] as const).map(([r, t]) => [r, {
        tick_size: t,
        grid_max_ticks: 200,
        strike_step_points: t * 100,
        max_strike_offsets: 10,
        contract_multiplier: 1,
      }]),
    ),
  });
  assert.equal(resolveVpConfigFrom(other, "future_mbo", "6EH6").symbol_root, "6E");
  assert.throws(() => resolveVpConfigFrom(other, "future_mbo", "XXXH6"), /Cannot extract/);
});
