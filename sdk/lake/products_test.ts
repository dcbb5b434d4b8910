import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_CONFIG_DIR } from "./datasets.ts";
import {
  equityForSymbol,
  extractRoot,
  loadProducts,
  parseProductTable,
  productForSymbol,
} from "./products.ts";

// Values of pipeline.md §1.2 (the original's products.yaml and its derived integers).
const SPEC: [string, number, number, number, number, number, number, number][] = [
  // root, tick, grid, strike step, offsets, multiplier, tick_int, strike_ticks
  ["ES", 0.25, 200, 5.0, 10, 50, 250_000_000, 20],
  ["MES", 0.25, 200, 5.0, 10, 5, 250_000_000, 20],
  ["MNQ", 0.25, 400, 5.0, 10, 2, 250_000_000, 20],
  ["NQ", 0.25, 400, 5.0, 10, 20, 250_000_000, 20],
  ["SI", 0.005, 200, 0.25, 10, 5000, 5_000_000, 50],
  ["GC", 0.10, 200, 5.0, 10, 100, 100_000_000, 50],
  ["CL", 0.01, 200, 0.50, 10, 1000, 10_000_000, 50],
  ["6E", 0.00005, 200, 0.005, 10, 125000, 50_000, 100],
];

Deno.test("products.yaml holds the spec's product table and derived integers", async () => {
  const t = await loadProducts(join(DEFAULT_CONFIG_DIR, "products.yaml"));
  assert.deepStrictEqual([...t.products.keys()].sort(), SPEC.map((s) => s[0]).sort());
  for (const [root, tick, grid, step, offs, mult, tickInt, strikeTicks] of SPEC) {
    const p = t.products.get(root)!;
    assert.deepStrictEqual(
      [
        p.tick_size,
        p.grid_max_ticks,
        p.strike_step_points,
        p.max_strike_offsets,
        p.contract_multiplier,
      ],
      [tick, grid, step, offs, mult],
      root,
    );
    assert.deepStrictEqual([p.tick_int, p.strike_ticks, p.strike_step_int], [
      tickInt,
      strikeTicks,
      Math.round(step * 1e9),
    ], root);
  }
  // equity constants of pipeline.md §3.3 / Appendix A
  const q = equityForSymbol(t, "QQQ");
  assert.deepStrictEqual([
    q.bucket_int,
    q.grid_max_buckets,
    q.strike_step_int,
    q.max_strike_offsets,
  ], [
    500_000_000,
    100,
    1_000_000_000,
    25,
  ]);
});

Deno.test("extractRoot picks the longest configured prefix (spec examples)", () => {
  const roots = ["ES", "MES", "MNQ", "NQ", "SI", "GC", "CL", "6E"];
  for (
    const [sym, root] of [["MNQH6", "MNQ"], ["ESH6", "ES"], ["6EH6", "6E"], ["SIH6", "SI"], [
      "MESH6",
      "MES",
    ], ["MNQ", "MNQ"]]
  ) {
    assert.deepStrictEqual(extractRoot(sym, roots), root, sym);
  }
  assert.deepStrictEqual(extractRoot("EX1", ["E", "EX"]), "EX");
  assert.throws(
    () => extractRoot("ZNH6", roots),
    /unknown futures root for symbol 'ZNH6' \(valid roots: 6E, CL, ES, GC, MES, MNQ, NQ, SI\)/,
  );
});

Deno.test("product table validation: unknown root, bad tick size, misaligned strike step, unknown key", async () => {
  const t = await loadProducts(join(DEFAULT_CONFIG_DIR, "products.yaml"));
  assert.throws(() => productForSymbol(t, "ZZZ"), /unknown futures root for symbol 'ZZZ'/);
  // any well-formed ticker gets config/products.yaml's equity_defaults (issue 10: GOOG, AAPL)
  const goog = equityForSymbol(t, "GOOG");
  assert.deepStrictEqual(
    [goog.ticker, goog.tick_size, goog.bucket_size, goog.bucket_int, goog.grid_max_buckets],
    ["GOOG", 0.01, 0.5, 500_000_000, 100],
  );
  assert.throws(
    () => equityForSymbol(t, "goog!"),
    /unknown equity ticker 'goog!' \(valid: GOOG, QQQ, SPY/,
  );
  // without defaults, an unlisted ticker is an error naming the valid ones
  const bare = parseProductTable({
    products: {},
    equities: {
      QQQ: {
        tick_size: 0.01,
        bucket_size: 0.5,
        grid_max_buckets: 100,
        strike_step_points: 1,
        max_strike_offsets: 25,
      },
    },
  }, "p.yaml");
  assert.throws(() => equityForSymbol(bare, "XYZ"), /unknown equity ticker 'XYZ' \(valid: QQQ;/);
  assert.equal(equityForSymbol(bare, "QQQ").bucket_size, 0.5);
  assert.throws(
    () =>
      parseProductTable({
        products: {},
        equity_defaults: {
          tick_size: 0.01,
          bucket_size: 0.005,
          grid_max_buckets: 100,
          strike_step_points: 1,
          max_strike_offsets: 25,
        },
      }, "p.yaml"),
    /p.yaml: equity_defaults.bucket_size: 0.005 is not a multiple of 0.01/,
  );
  const base = {
    tick_size: 0.25,
    grid_max_ticks: 200,
    strike_step_points: 5,
    max_strike_offsets: 10,
    contract_multiplier: 2,
  };
  assert.throws(
    () => parseProductTable({ products: { X: { ...base, tick_size: 0 } } }, "p.yaml"),
    /p.yaml: products.X: 'tick_size' must be a positive number, got 0/,
  );
  assert.throws(
    () => parseProductTable({ products: { X: { ...base, tick_size: "0.25" } } }, "p.yaml"),
    /'tick_size' must be a positive number/,
  );
  assert.throws(
    () => parseProductTable({ products: { X: { ...base, tick_size: 1e-10 } } }, "p.yaml"),
    /tick_size: 1e-10 is not a positive multiple of 1e-9/,
  );
  assert.throws(
    () =>
      parseProductTable({ products: { X: { ...base, strike_step_points: 5.1, tick_size: 0.25 } } }),
    /strike_step_points: 5.1 is not a multiple of 0.25/,
  );
  assert.throws(
    () => parseProductTable({ products: { X: { ...base, grid_max_ticks: 2.5 } } }),
    /'grid_max_ticks' must be a positive integer/,
  );
  assert.throws(
    () => parseProductTable({ products: { X: { ...base, tick: 1 } } }),
    /unknown key 'tick' \(allowed:/,
  );
  assert.throws(() => parseProductTable({ products: { x1: base } }), /root must be 1-6 of A-Z 0-9/);
  assert.throws(() => parseProductTable({ produts: {} }), /unknown key 'produts'/);
});
