import assert from "node:assert/strict";
import { evaluate, reliabilityTable, verdict, wilson } from "./evaluate.ts";
import type { Baselines, WindowSeries } from "./fit.ts";

function near(a: number | null, b: number, tol = 1e-12): void {
  assert.ok(a !== null && Math.abs(a - b) <= tol, `${a} vs ${b} (tolerance ${tol})`);
}

Deno.test("§8.10: confidence calibration of [0.05, 0.10, 0.20, 0.40] with hits [0, 0, 1, 1], 2 bins", () => {
  const r = reliabilityTable([0.4, 0.05, 0.2, 0.1], [1, 0, 1, 0], 2);
  assert.equal(r.monotonic, true);
  assert.deepEqual(r.bins.map((b) => [b.min_conf, b.max_conf, b.hit_rate, b.count]), [
    [0.05, 0.1, 0, 2],
    [0.2, 0.4, 1, 2],
  ]);
  near(r.bins[0].mean_conf, 0.075);
  // 5 pairs in 2 bins: the first bin gets the extra pair; falling hit rates are not monotonic
  const r2 = reliabilityTable([0.1, 0.2, 0.3, 0.4, 0.5], [1, 1, 1, 0, 0], 2);
  assert.deepEqual(r2.bins.map((b) => b.count), [3, 2]);
  assert.equal(r2.monotonic, false);
  assert.deepEqual(reliabilityTable([], []), { bins: [], monotonic: false, pairs: 0 });
});

Deno.test("Wilson score interval: 5 of 10 → [0.2366, 0.7634]; 0 of 10 → [0, 0.2775]", () => {
  const [lo, hi] = wilson(5, 10);
  near(lo, 0.2366, 1e-4);
  near(hi, 0.7634, 1e-4);
  const [lo0, hi0] = wilson(0, 10);
  near(lo0, 0, 1e-12);
  near(hi0, 0.2775, 1e-4);
});

Deno.test("evaluation on a hand-built holdout: hit rate on moves, flat share, MAE, baselines", () => {
  // 8 windows one second apart; outcomes at h = 1: +1, 0, −1, −1, 0, +2, +1, (none)
  const sec = [0, 1, 2, 3, 4, 5, 6, 7];
  const spot = [100, 101, 101, 100, 99, 99, 101, 102];
  const series: WindowSeries = {
    sec: Float64Array.from(sec),
    spot: Float64Array.from(spot),
    drive: new Float64Array(8),
    ofi: Float64Array.from([2, -2, -2, 2, 0, 2, 2, 0]),
  };
  // model: +1, +1, −1, 0, 0, +1, −1, 0
  const delta = Float64Array.from([1, 1, -1, 0, 0, 1, -1, 0]);
  const confidence = Float64Array.from([0.9, 0.2, 0.8, 0, 0, 0.7, 0.1, 0]);
  const baselines: Baselines = {
    horizons: [1],
    persistence: [1],
    ofi: [{ intercept: 0, slope: 0.5, samples: 10 }],
    samples: [10],
  };
  const r = evaluate(
    [{ series, predictions: { horizon: 1, delta, confidence } }],
    baselines,
    { horizons: [1], resamples: 200, blockSeconds: 2 },
  );
  const h = r.horizons["1"];
  assert.equal(h.samples, 7);
  assert.equal(h.moves, 5);
  near(h.flat_share.value, 2 / 7);
  // model: moves at origins 0 (+1 ✓), 2 (−1 ✓), 3 (−1, predicted 0 ✗), 5 (+2 ✓), 6 (+1, −1 ✗)
  near(h.models.model.sign_hit_rate.value, 3 / 5);
  // |errors|: 0, 1, 0, 1, 0, 1, 2 → 5/7
  near(h.models.model.mae_ticks.value, 5 / 7);
  // the original's metric also counts origin 4 (0 == 0) → 4/7
  near(h.models.model.legacy_sign_hit_rate!, 4 / 7);
  near(h.models.model.called_share, 5 / 7);
  // calls at 0, 1, 2, 5, 6: right at 0, 2, 5 → 3/5
  near(h.models.model.precision.value, 3 / 5);
  // no move: never calls a move; MAE = mean |outcome| = 6/7
  near(h.models.no_move.sign_hit_rate.value, 0);
  near(h.models.no_move.mae_ticks.value, 6 / 7);
  near(h.models.no_move.legacy_sign_hit_rate!, 2 / 7);
  // persistence (k = 1): v0 = 0, 1, 0, −1, −1, 0, 2 → right at 3 (−1) and 6 (+2 vs +1) → 2/5
  near(h.models.persistence.sign_hit_rate.value, 2 / 5);
  // OFI (0.5·OFI, rint): +1, −1, −1, +1, 0, +1, +1 → right at 0, 2, 5, 6 → 4/5
  near(h.models.ofi.sign_hit_rate.value, 4 / 5);
  near(h.vs_baselines.no_move.hit_rate_diff.value, 3 / 5);
  near(h.vs_baselines.no_move.mae_diff.value, -1 / 7);
  for (const m of Object.values(h.models)) {
    const i = m.mae_ticks;
    assert.ok(i.lo! <= i.value! && i.value! <= i.hi!);
  }
  // reliability: directional model calls with their outcome (hits at 0.9, 0.8, 0.7)
  assert.equal(r.reliability.pairs, 5);
  assert.deepEqual(r.reliability.bins.map((b) => b.hit_rate), [0, 0, 1, 1, 1]);
  assert.equal(r.reliability.monotonic, true);
});

Deno.test("verdict reads the paired intervals", () => {
  const iv = (lo: number, hi: number) => ({ value: (lo + hi) / 2, lo, hi });
  assert.equal(verdict({ hit_rate_diff: iv(0.01, 0.1), mae_diff: iv(-0.5, -0.1) }), "better");
  assert.equal(verdict({ hit_rate_diff: iv(-0.1, -0.01), mae_diff: iv(0.1, 0.5) }), "worse");
  assert.equal(verdict({ hit_rate_diff: iv(-0.1, 0.1), mae_diff: iv(-0.5, -0.1) }), "inconclusive");
  assert.equal(verdict({ hit_rate_diff: iv(0.01, 0.1), mae_diff: iv(0.1, 0.5) }), "mixed");
});
