import assert from "node:assert/strict";
import { cellColor, HMAP_HISTORY, HMAP_LEVELS, VpHeatmap } from "./vp_heatmap.ts";

Deno.test("cell colours by hand: building green, draining red, neutral grey-blue", () => {
  // depth = maxDepth → depthN 1 → lum 0.6; net +500 → t = tanh(1) = 0.761594
  const t = Math.tanh(1);
  assert.deepEqual(cellColor(100, 500, 100), [
    Math.round(255 * 0.6 * (0.04 + 0.06 * t)),
    Math.round(255 * 0.6 * (0.45 + 0.55 * t)),
    Math.round(255 * 0.6 * (0.35 + 0.35 * t)),
  ]);
  assert.deepEqual(cellColor(100, -500, 100), [
    Math.round(255 * 0.6 * (0.55 + 0.45 * t)),
    Math.round(255 * 0.6 * 0.04),
    Math.round(255 * 0.6 * (0.2 + 0.35 * t)),
  ]);
  // empty level, no flow: lum 0.04 → (1, 1, 2)
  assert.deepEqual(cellColor(0, 0, 100), [1, 1, 2]);
});

Deno.test("rows are price-anchored: a cell lands at the price it had, the grid follows the spot", () => {
  const h = new VpHeatmap(0.5);
  h.push(1n, 100, [{ relTicks: 2, depth: 50, netFlow: -400 }]); // $101.00, draining
  assert.equal(h.anchor, 100);
  const c = h.sample(1n, 101)!;
  assert.ok(c[0] > c[1], `draining cell is red: ${c}`);
  // next second the spot is 100.5: the old cell stays at $101, one column left
  h.push(2n, 100.5, [{ relTicks: -1, depth: 80, netFlow: 600 }]); // $100.00, building
  assert.deepEqual(h.sample(1n, 101), c);
  const g = h.sample(2n, 100)!;
  assert.ok(g[1] > g[0], `building cell is green: ${g}`);
  assert.equal(h.columnOf(2n), HMAP_HISTORY - 1);
  // a jump of 35 buckets re-anchors (spot row would be < 10) and shifts the history with it
  h.push(3n, 118, []);
  assert.equal(h.anchor, 118);
  assert.deepEqual(h.sample(1n, 101), c, "history moved with the anchor");
  assert.equal(h.sample(1n, 80), null, "outside the grid");
  assert.equal(h.trail[HMAP_HISTORY - 1], (HMAP_LEVELS - 1) / 2);
});

Deno.test("flow rows sit at the silver reference price, not the mid (serving.md §8 item 20)", () => {
  const h = new VpHeatmap(0.5);
  // mid 100.3 → anchor 100.5; rows are relative to spot_ref 100.0: rel 2 → $101.0 (row 39);
  // the original's mid + 2 buckets = $101.3 would land in row 38 ($101.5)
  h.push(1n, 100.3, [{ relTicks: 2, depth: 10, netFlow: 40 }], 100.0);
  const bg = [10, 10, 15];
  assert.notDeepEqual(h.sample(1n, 101.0), bg);
  assert.deepEqual(h.sample(1n, 101.5), bg);
});

Deno.test("flow colours scale with the product's flow: contracts are not measured in shares", () => {
  const h = new VpHeatmap(0.25);
  // a futures-sized net flow of −10 contracts: with the original's fixed 500 it is tanh(−0.02)
  // → "neutral"; scaled by the decaying maximum (10 → scale 5) it reads as draining
  h.push(1n, 100, [{ relTicks: 1, depth: 30, netFlow: -10 }]);
  assert.equal(h.flowScale, 5);
  const [r, g] = h.sample(1n, 100.25)!;
  assert.ok(r > 2 * g, `draining: ${r} vs ${g}`);
  const [r0, g0, b0] = cellColor(30, -10, 100); // the original's scale
  assert.ok(r0 === g0 && b0 > r0, "neutral grey-blue with the fixed 500");
});
