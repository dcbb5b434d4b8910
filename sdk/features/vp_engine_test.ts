// Parity vectors of serving.md Appendix A.2-A.3 (computed with the original Python code) and the
// formula acceptance cases of §4.8.
import assert from "node:assert/strict";
import { goldSignalConfig, resolveVpConfig } from "./vp_config.ts";
import { enrichVpFlow, VP_SIGNAL_COLUMNS, VpEngine } from "./vp_engine.ts";
import { computeVpSignals } from "./vp_signals.ts";
import { asymmetricFlow, makeFlow, windowsOf } from "../testing/vp_inputs.ts";

const close = (got: number, want: number, what: string, tol = 5e-6) =>
  assert.ok(
    Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)),
    `${what}: got ${got}, want ${want}`,
  );

const QQQ = await resolveVpConfig("equity_mbo", "QQQ");
const MNQ = await resolveVpConfig("future_mbo", "MNQH6");

Deno.test("A.2: make_flow(3,10) QQQ aggregates, every window identical", () => {
  const t = computeVpSignals(QQQ, windowsOf(makeFlow(3, 10)));
  assert.equal(t.length, 3);
  for (let i = 0; i < 3; i++) {
    close(t.values.vacuum_above[i], -77.160389, "vacuum_above");
    close(t.values.vacuum_below[i], -77.160389, "vacuum_below");
    close(t.values.resting_drain_ask[i], 46.296233, "resting_drain_ask");
    close(t.values.resting_drain_bid[i], 46.296233, "resting_drain_bid");
    close(t.values.total_weighted_depth[i], 3086.415561, "total_weighted_depth");
    for (
      const c of ["flow_imbalance", "fill_imbalance", "depth_imbalance", "rest_depth_imbalance"]
    ) {
      assert.equal(t.values[c][i], 0, c);
    }
    assert.equal(t.values.composite[i], 0);
    assert.equal(t.values.confidence[i], 0);
    for (const c of Object.keys(t.values).filter((c) => /^(d[123]_|z_)/.test(c))) {
      assert.equal(t.values[c][i], 0, c);
    }
  }
});

Deno.test("A.2: make_flow(3,10) MNQH6 aggregates", () => {
  const t = computeVpSignals(MNQ, windowsOf(makeFlow(3, 10)));
  close(t.values.vacuum_above[0], -140.901035, "vacuum_above");
  close(t.values.resting_drain_ask[0], 84.540621, "resting_drain_ask");
  close(t.values.total_weighted_depth[0], 5636.041415, "total_weighted_depth");
});

Deno.test("A.2: enriched row QQQ k=-3", () => {
  const w = windowsOf(makeFlow(3, 10))[0];
  const e = enrichVpFlow(QQQ, w);
  const j = [...e.rel_ticks].indexOf(-3);
  close(e.proximity_weight[j], 0.548812, "weight");
  assert.equal(e.net_flow[j], 15);
  assert.equal(e.vacuum_intensity[j], 0);
  close(e.pressure_intensity[j], 8.232175, "pressure_intensity");
  close(e.rest_fraction[j], 0.4, "rest_fraction");
  // rows are placed relative to their own reference price (§8 item 20): 100 $ − 3 × $0.50
  assert.equal(e.price_int[j], 98_500_000_000n);
});

const A3: Record<string, number[]> = {
  vacuum_above: [0, 63.125301, 126.250602, 189.375903, 187.002744, 315.626505],
  vacuum_below: [0, -47.343976, -94.687952, -142.031927, -189.375903, -236.719879],
  resting_drain_ask: [0, 9.468795, 18.93759, 28.406385, 28.050412, 47.343976],
  resting_drain_bid: [3.156265, 3.156265, 3.156265, 3.156265, 3.156265, 3.156265],
  flow_imbalance: [0, 42.826063, 85.652125, 128.478188, 179.491558, 214.130313],
  fill_imbalance: [-12, 18, 48, 78, 88, 138],
  depth_imbalance: [0, 0, 0, 0, 0.024384, 0],
  rest_depth_imbalance: [0, 0.034463, 0.06663, 0.096722, 0.148857, 0.151439],
  bid_migration_com: [-4.312796, -4.069767, -3.938619, -3.856549, -3.80035, -3.759455],
  ask_migration_com: [4.312796, 4.312796, 4.312796, 4.312796, 4.477612, 4.312796],
  composite: [-9.91253, 149.914261, 309.740593, 469.56651, 542.342491, 789.21725],
  confidence: [0.4, 1, 1, 1, 1, 1],
  d1_composite: [0, 159.826791, 159.826638, 159.826398, 130.809592, 169.497981],
  d2_composite: [0, 0, -0.000153, -0.000169, -5.275921, 2.71759],
  d3_composite: [0, 0, 0, -0.000016, -0.502467, 0.306674],
  composite_smooth: [-9.91253, 10.065819, 47.525166, 100.280334, 155.538103, 234.747997],
  d1_smooth: [0, 19.978349, 23.156712, 28.53825, 33.396344, 41.72608],
  d2_smooth: [0, 0, 3.178363, 3.388189, 3.52818, 3.985471],
  d3_smooth: [0, 0, 0, 0.209826, 0.20642, 0.218657],
  z_composite_raw: [0, 0.700905, 0.993782, 1.15629, 1.097237, 1.438174],
  z_composite_smooth: [0, 0.660362, 1.048858, 1.279962, 1.382289, 1.538005],
  strength: [0, 0.233635, 0.331261, 0.38543, 0.365746, 0.479391],
  strength_smooth: [0, 0.220121, 0.349619, 0.426654, 0.460763, 0.512668],
};
// Rows 3-5 are the original's; rows 0-2 differ on purpose (§8 item 22, docs/deviations.md VP4):
// undefined derivatives contribute 0 instead of wiping the row out. Rows 0-2 are worked by hand
// from A.3's composite_smooth / d1_smooth / d2_smooth with ŵ = (0.5, 0.35, 0.15), K = 10 / 0.5.
const A3_WTD: Record<string, number[]> = {
  wtd_slope: [0, 9.9891745, 12.69078305, 15.486465, 17.963998, 22.290754],
  wtd_projection: [-9.91253, 209.849309, 438.010436, 590.043316, 700.313814, 887.725228],
  wtd_projection_500ms: [-9.91253, 20.0549935, 59.500817, 114.977353, 172.681598, 256.113776],
  wtd_deriv_conf: [0, 1 / 3, 2 / 3, 1, 1, 1],
};

Deno.test("A.3: asymmetric scenario, every column of every window", () => {
  const t = computeVpSignals(QQQ, windowsOf(asymmetricFlow()));
  assert.equal(t.length, 6);
  for (const [col, want] of Object.entries({ ...A3, ...A3_WTD })) {
    for (let i = 0; i < 6; i++) close(t.values[col][i], want[i], `${col}[${i}]`, 2e-6);
  }
});

Deno.test("A.3: batch and incremental give identical rows", () => {
  const wins = windowsOf(asymmetricFlow());
  const t = computeVpSignals(QQQ, wins);
  const e = new VpEngine(QQQ);
  wins.forEach((w, i) => {
    const r = e.push(w);
    for (const c of Object.keys(t.values)) {
      assert.ok(Object.is(r[c as keyof typeof r], t.values[c][i]), `${c}[${i}]`);
    }
  });
});

Deno.test("output columns: the original's 44 in order, then signal_valid", () => {
  assert.equal(VP_SIGNAL_COLUMNS.length, 45);
  assert.equal(VP_SIGNAL_COLUMNS[0], "window_end_ts_ns");
  assert.deepEqual(VP_SIGNAL_COLUMNS.slice(40), [
    "mid_price",
    "best_bid_price_int",
    "best_ask_price_int",
    "book_valid",
    "signal_valid",
  ]);
});
