import assert from "node:assert/strict";
import {
  addSamples,
  emptySums,
  fitBaselines,
  mapCoefficients,
  originsOf,
  solveBetaGamma,
  type WindowSeries,
} from "./fit.ts";
import { bestLevelOfi } from "./ofi.ts";

function near(a: number, b: number, tol = 1e-12): void {
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tolerance ${tol})`);
}

function series(sec: number[], spot: number[], drive?: number[], ofi?: number[]): WindowSeries {
  return {
    sec: Float64Array.from(sec),
    spot: Float64Array.from(spot),
    drive: Float64Array.from(drive ?? sec.map(() => 0)),
    ofi: Float64Array.from(ofi ?? sec.map(() => NaN)),
  };
}

Deno.test("§8.10: coefficient mapping", () => {
  assert.deepEqual(mapCoefficients(-0.5, -1), { beta: 0, gamma: 1 });
  assert.deepEqual(mapCoefficients(0.5, 2), { beta: 2, gamma: 0.5 });
  assert.deepEqual(mapCoefficients(2, 1), { beta: 1, gamma: 0 });
});

Deno.test("fit recovers y = 0.5·v + 2·x exactly; samples never span a gap", () => {
  // t=1: v = 2, x = 1, y = 0.5·2 + 2·1 = 3; t=2: v = 3, x = −1, y = 1.5 − 2 = −0.5
  // then a 10 s gap to a wild spot: a sample across it would break the exact fit
  const s = series([100, 101, 102, 103, 113, 114], [0, 2, 5, 4.5, 90, -40], [0, 1, -1, 0, 7, 0]);
  const sums = addSamples(emptySums(), s);
  assert.equal(sums.count, 2);
  const r = solveBetaGamma(sums);
  near(r.a, 0.5);
  near(r.b, 2);
  assert.deepEqual([r.beta, r.gamma, r.singular], [2, 0.5, false]);
  // a time range keeps only origins inside it
  assert.equal(addSamples(emptySums(), s, 102, 200).count, 1);
});

Deno.test("singular normal equations (no drive) fall back to least squares on the velocity", () => {
  // v = 1 → y = 0.5; v = 0.5 → y = 0.25: a = (0.5 + 0.125)/(1 + 0.25) = 0.5, b = 0
  const r = solveBetaGamma(addSamples(emptySums(), series([0, 1, 2, 3], [0, 1, 1.5, 1.75])));
  assert.ok(r.singular);
  near(r.a, 0.5);
  near(r.b, 0);
  assert.deepEqual([r.beta, r.gamma], [0, 0.5]);
  assert.throws(() => solveBetaGamma(emptySums()), /no training samples/);
});

Deno.test("origins: v0 is 0 after a gap; outcomes need a window exactly h seconds later", () => {
  const s = series([10, 11, 12, 14, 15], [100, 101, 103, 104, 102]);
  const o = originsOf(s, [1, 2]);
  assert.deepEqual([...o.v0], [0, 1, 2, 0, -2]);
  assert.deepEqual([...o.actual[0]], [1, 2, NaN, -2, NaN]);
  assert.deepEqual([...o.actual[1]], [3, NaN, 1, NaN, NaN]);
});

Deno.test("baselines: persistence slope through the origin and OFI least squares", () => {
  // outcomes at h = 1: 1, 2, 1, −1 with v0 0, 1, 2, 1 and OFI 1, 3, 1, −3
  const s = series([0, 1, 2, 3, 4], [10, 11, 13, 14, 13], undefined, [1, 3, 1, -3, 0]);
  const b = fitBaselines([{ series: s }], [1]);
  assert.deepEqual(b.samples, [4]);
  // Σ v0·y / Σ v0² = (0 + 2 + 2 − 1)/(0 + 1 + 4 + 1) = 3/6
  near(b.persistence[0], 0.5);
  // OLS of y on OFI: x̄ = 0.5, ȳ = 0.75, Sxy = Σ(x−x̄)(y−ȳ) = 0.125 + 3.125 + 0.125 + 6.125 = 9.5,
  // Sxx = 0.25 + 6.25 + 0.25 + 12.25 = 19 → slope 0.5, intercept 0.5
  near(b.ofi[0].slope, 0.5);
  near(b.ofi[0].intercept, 0.5);
});

Deno.test("best-level OFI (Cont, Kukanov & Stoikov 2014) from 1 s snapshots", () => {
  const S = 1_000_000_000n, P = 250_000_000n;
  const r = bestLevelOfi({
    window_end_ts_ns: BigInt64Array.from([1n, 2n, 3n, 4n, 6n].map((s) => s * S)),
    // 1→2: prices unchanged, bid 5→8, ask 7→4: e = 8 − 5 − 4 + 7 = 6
    // 2→3: bid up one tick (size 3): +3; ask down one tick (size 2): −2 → e = 1
    // 3→4: bid side empty (null) → 0; ask up (old size 2): +2 → e = 2
    // 4→6: not consecutive → NaN
    best_bid_price_int: {
      data: BigInt64Array.from([400n, 400n, 401n, 0n, 400n].map((t) => t * P)),
      valid: Uint8Array.from([1, 1, 1, 0, 1]),
    },
    best_bid_qty: BigInt64Array.from([5n, 8n, 3n, 0n, 1n]),
    best_ask_price_int: BigInt64Array.from([404n, 404n, 403n, 404n, 404n].map((t) => t * P)),
    best_ask_qty: BigInt64Array.from([7n, 4n, 2n, 9n, 1n]),
  });
  assert.deepEqual([...r.sec], [1, 2, 3, 4, 6]);
  assert.deepEqual([...r.ofi], [NaN, 6, 1, 2, NaN]);
});
