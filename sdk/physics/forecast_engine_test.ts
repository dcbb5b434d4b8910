import assert from "node:assert/strict";
import {
  FieldScratch,
  forecastWindow,
  newWindowFields,
  rint,
  WindowForecast,
} from "./forecast_math.ts";
import {
  forEachWindow,
  forecastBatch,
  ForecastEngine,
  type ForecastRows,
  ForecastRowSink,
  type OptionColumns,
  type SurfaceColumns,
  WindowAssembler,
} from "./forecast_engine.ts";
import { type Lattice, latticeFor } from "./lattice.ts";
import { loadProducts } from "../lake/products.ts";
import { DEFAULT_CONFIG_DIR } from "../lake/datasets.ts";
import { loadContract, validateBatch } from "../lake/contracts.ts";
import { DEFAULT_CONTRACTS_DIR } from "../lake/datasets.ts";
import type { ColumnBatch } from "../lake/columns.ts";

function near(a: number, b: number, tol: number): void {
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tolerance ${tol})`);
}

const ES: Lattice = { gridMax: 200, unitInt: 250_000_000, root: "ES" };

// Appendix A.1 of serving.md: the velocity rows of windows 1000 and 2000 (ns) and their options.
function a1Surface(spots: number[], ends: bigint[]): SurfaceColumns {
  const end: bigint[] = [], spot: bigint[] = [], rel: number[] = [], side: string[] = [];
  const pg: number[] = [], un: number[] = [], ups: number[] = [], om: number[] = [];
  ends.forEach((e, w) => {
    for (let t = -40; t <= 40; t++) {
      if (t === 0) continue;
      end.push(e);
      spot.push(BigInt(spots[w]) * 250_000_000n);
      rel.push(t);
      side.push(t < 0 ? "B" : "A");
      pg.push(0.3);
      om.push(t === 15 ? 5.0 : t === -8 ? 3.0 : 0.5);
      un.push(t > 0 && t < 15 ? -0.4 : t > -8 && t < 0 ? -0.1 : 0);
      ups.push(t === 15 || t === -8 ? 0.2 : 0);
    }
  });
  return {
    window_end_ts_ns: BigInt64Array.from(end),
    spot_ref_price_int: BigInt64Array.from(spot),
    rel_ticks: Int32Array.from(rel),
    side,
    pressure_grad: Float64Array.from(pg),
    u_near: Float64Array.from(un),
    u_p_slow: Float64Array.from(ups),
    Omega: Float64Array.from(om),
  };
}

const A1_OPTIONS: OptionColumns = {
  window_end_ts_ns: BigInt64Array.from([1000n, 2000n, 2000n]),
  rel_ticks: Int32Array.from([20, 20, -20]),
  Omega_opt: Float64Array.from([2.0, 2.0, 1.0]),
};

const A1_DELTAS_1000 = [
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  5,
  5,
  5,
  6,
  6,
  6,
  7,
  7,
  8,
  8,
];
const A1_DELTAS_2000 = [
  2,
  4,
  5,
  7,
  8,
  9,
  10,
  11,
  12,
  13,
  14,
  15,
  16,
  16,
  17,
  18,
  18,
  19,
  20,
  20,
  21,
  21,
  22,
  22,
  23,
  23,
  24,
  24,
  25,
  25,
];

function rowsOf(r: ForecastRows, end: bigint) {
  const out = [];
  for (let i = 0; i < r.horizon_s.length; i++) {
    if (r.window_end_ts_ns[i] !== end) continue;
    out.push({
      h: r.horizon_s[i],
      delta: r.predicted_tick_delta.valid[i] ? Number(r.predicted_tick_delta.data[i]) : null,
      spot: r.predicted_spot_tick.valid[i] ? Number(r.predicted_spot_tick.data[i]) : null,
      conf: r.confidence.valid[i] ? r.confidence.data[i] : null,
      rsUp: r.RunScore_up.valid[i] ? r.RunScore_up.data[i] : null,
      rsDn: r.RunScore_down.valid[i] ? r.RunScore_down.data[i] : null,
      dUp: r.D_up.valid[i] ? r.D_up.data[i] : null,
      dDn: r.D_down.valid[i] ? r.D_down.data[i] : null,
    });
  }
  return out;
}

Deno.test("rint is half-to-even (numpy rint)", () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 1.4999, -2.6].map(rint), [0, 2, 2, -0, -2, 1, -3]);
});

Deno.test("§5.3 worked example: all-zero fields, S 84000, v0 2, β 1, γ 0.5", () => {
  const f = newWindowFields(200), s = new FieldScratch(200), out = new WindowForecast(4);
  forecastWindow(f, s, 84000, 2, { beta: 1, gamma: 0.5, horizon: 4 }, out);
  // deltas 1, 1.5, 1.75, 1.875 → rint 1, 2, 2, 2
  assert.deepEqual([...out.delta], [1, 2, 2, 2]);
  assert.deepEqual([out.dUp, out.dDown], [1, 1]);
  assert.deepEqual([...out.confidence], [0, 0, 0, 0]);
  // through the engine: the previous window 1 s earlier at 83998 gives v0 = 2
  const engine = new ForecastEngine(ES, { beta: 1, gamma: 0.5, horizon: 4 });
  engine.pushFields(1_000_000_000n, 83998, f);
  const w = engine.pushFields(2_000_000_000n, 84000, f);
  assert.deepEqual(w.v0, 2);
  assert.deepEqual([...w.delta], [1, 2, 2, 2]);
  const sink = new ForecastRowSink(1);
  sink.push(2_000_000_000n, w);
  assert.deepEqual(rowsOf(sink.toColumns(), 2_000_000_000n).map((r) => r.spot), [
    null,
    84001,
    84002,
    84002,
    84002,
  ]);
});

Deno.test("Appendix A.1 parity vector with the original's j − δ sampling", () => {
  const rows = forecastBatch(
    ES,
    { beta: 0.5, gamma: 0.1, horizon: 30, windowNs: 1000n, neighbourhood: "j-delta" },
    a1Surface([24000, 24002], [1000n, 2000n]),
    A1_OPTIONS,
  );
  assert.deepEqual(rows.horizon_s.length, 62);
  const w1 = rowsOf(rows, 1000n), w2 = rowsOf(rows, 2000n);
  assert.deepEqual([w1[0].rsUp, w1[0].rsDn, w1[0].dUp, w1[0].dDn].map((x) => +x!.toFixed(12)), [
    0.4,
    0.1,
    11,
    5,
  ]);
  assert.deepEqual([w2[0].rsUp, w2[0].rsDn, w2[0].dUp, w2[0].dDn].map((x) => +x!.toFixed(12)), [
    0.4,
    0.1,
    11,
    6,
  ]);
  assert.deepEqual([w1[0].delta, w1[0].conf, w1[0].spot], [null, null, null]);
  assert.deepEqual(w1.slice(1).map((r) => r.delta), A1_DELTAS_1000);
  assert.deepEqual(w2.slice(1).map((r) => r.delta), A1_DELTAS_2000);
  assert.deepEqual(w1.slice(1).map((r) => r.spot), A1_DELTAS_1000.map((d) => 24000 + d));
  assert.deepEqual(w2.slice(1).map((r) => r.spot), A1_DELTAS_2000.map((d) => 24002 + d));
  assert.deepEqual(w1[1].conf, 0);
  for (const r of w1.slice(6)) near(r.conf!, 0.028425, 1e-6);
  near(w2[1].conf!, 0.028203520862394593, 1e-12);
  assert.deepEqual(w1[1].rsUp, null);
});

Deno.test("A.1 with the fixed j + δ sampling: diagnostics, first step and confidence unchanged", () => {
  const rows = forecastBatch(
    ES,
    { beta: 0.5, gamma: 0.1, horizon: 30, windowNs: 1000n },
    a1Surface([24000, 24002], [1000n, 2000n]),
    A1_OPTIONS,
  );
  const w1 = rowsOf(rows, 1000n), w2 = rowsOf(rows, 2000n);
  assert.deepEqual([w2[0].dUp, w2[0].dDn, w1[0].dDn], [11, 6, 5]);
  // h = 1 integrates from δ = 0, where both samplings agree
  assert.deepEqual([w1[1].delta, w2[1].delta], [0, 2]);
  near(w2[1].conf!, 0.028203520862394593, 1e-12);
  // the field pushes the particle up (positive force at 0); sampling its own neighbourhood
  // rather than the mirror image gives a different path from h = 2 on
  assert.ok(w2.slice(1).some((r, i) => r.delta !== A1_DELTAS_2000[i]));
});

Deno.test("batch and incremental paths give identical rows (gaps, options on some windows)", () => {
  const ends = [1, 2, 3, 5, 6, 7, 8].map((s) => BigInt(s) * 1_000_000_000n);
  const spots = [24000, 24002, 24001, 24005, 24004, 24004, 24007];
  const surface = a1Surface(spots, ends);
  // vary the fields per window so that windows differ
  for (let i = 0; i < surface.rel_ticks.length; i++) {
    const w = Math.floor(i / 80);
    surface.pressure_grad![i] = 0.3 * Math.sin(w + surface.rel_ticks[i] / 7);
    surface.Omega![i] += 0.2 * w;
  }
  const options: OptionColumns = {
    window_end_ts_ns: BigInt64Array.from([2n, 2n, 6n, 8n].map((s) => s * 1_000_000_000n)),
    rel_ticks: Int32Array.from([20, -20, 40, 0]),
    Omega_opt: Float64Array.from([2, 1, 3, 0.5]),
  };
  const opts = { beta: 0.7, gamma: 0.2, horizon: 30 };
  const batch = forecastBatch(ES, opts, surface, options);
  const engine = new ForecastEngine(ES, opts);
  const sink = new ForecastRowSink(1);
  forEachWindow(surface, options, (lo, hi, olo, ohi) => {
    // each window as its own little table, the way a stream delivers it
    const slice: SurfaceColumns = {
      window_end_ts_ns: surface.window_end_ts_ns.slice(lo, hi),
      spot_ref_price_int: surface.spot_ref_price_int.slice(lo, hi),
      rel_ticks: surface.rel_ticks.slice(lo, hi),
      side: (surface.side as string[]).slice(lo, hi),
      pressure_grad: surface.pressure_grad!.slice(lo, hi),
      u_near: surface.u_near!.slice(lo, hi),
      u_p_slow: surface.u_p_slow!.slice(lo, hi),
      Omega: surface.Omega!.slice(lo, hi),
    };
    const opt: OptionColumns | null = ohi > olo
      ? {
        window_end_ts_ns: options.window_end_ts_ns.slice(olo, ohi),
        rel_ticks: options.rel_ticks.slice(olo, ohi),
        Omega_opt: options.Omega_opt.slice(olo, ohi),
      }
      : null;
    sink.push(slice.window_end_ts_ns[0], engine.push(slice, opt));
  });
  assert.deepEqual(sink.toColumns(), batch);
  assert.deepEqual(batch.horizon_s.length, 7 * 31);
  // the lake path: the same table in batches cut at arbitrary rows (windows span batches)
  const sink2 = new ForecastRowSink(1);
  const asm = new WindowAssembler(
    new ForecastEngine(ES, opts),
    (end, w) => sink2.push(end, w),
    options,
  );
  const n = surface.rel_ticks.length;
  for (const [lo, hi] of [[0, 37], [37, 38], [38, 200], [200, 333], [333, n]]) {
    asm.add({
      window_end_ts_ns: surface.window_end_ts_ns.subarray(lo, hi),
      spot_ref_price_int: surface.spot_ref_price_int.subarray(lo, hi),
      rel_ticks: surface.rel_ticks.subarray(lo, hi),
      side: (surface.side as string[]).slice(lo, hi),
      pressure_grad: surface.pressure_grad!.subarray(lo, hi),
      u_near: surface.u_near!.subarray(lo, hi),
      u_p_slow: surface.u_p_slow!.subarray(lo, hi),
      Omega: surface.Omega!.subarray(lo, hi),
    });
  }
  asm.flush();
  assert.deepEqual(sink2.toColumns(), batch);
  // the window after the gap (5 s follows 3 s) starts from v0 = 0: its first step is the force only
  const e2 = new ForecastEngine(ES, { ...opts, beta: 0 });
  const got: number[] = [];
  forEachWindow(surface, null, (lo, hi) => {
    const one: SurfaceColumns = {
      window_end_ts_ns: surface.window_end_ts_ns.slice(lo, hi),
      spot_ref_price_int: surface.spot_ref_price_int.slice(lo, hi),
      rel_ticks: surface.rel_ticks.slice(lo, hi),
      side: (surface.side as string[]).slice(lo, hi),
    };
    got.push(e2.push(one).v0);
  });
  assert.deepEqual(got, [0, 2, -1, 0, -1, 0, 3]);
});

Deno.test("forecast rows satisfy the forecast_1s stream contract", async () => {
  const contract = await loadContract(`${DEFAULT_CONTRACTS_DIR}/stream/forecast_1s.avsc`);
  const rows = forecastBatch(
    ES,
    { beta: 0.5, gamma: 0.1, horizon: 5 },
    a1Surface([24000, 24002], [1n, 2n]),
  );
  assert.deepEqual(Object.keys(rows), contract.fields.map((f) => f.name));
  validateBatch(contract, rows as unknown as ColumnBatch, { sampleEvery: 1, what: "forecast" });
});

Deno.test("lattice from products.yaml: MNQ grid 400, SI tick $0.005, equity buckets", async () => {
  const products = await loadProducts(`${DEFAULT_CONFIG_DIR}/products.yaml`);
  const mnq = latticeFor(products, "future_mbo", "MNQH6");
  assert.deepEqual([mnq.gridMax, mnq.unitInt], [400, 250_000_000]);
  const si = latticeFor(products, "future_mbo", "SIH6");
  assert.deepEqual([si.gridMax, si.unitInt], [200, 5_000_000]);
  const qqq = latticeFor(products, "equity_mbo", "QQQ");
  assert.deepEqual([qqq.gridMax, qqq.unitInt], [100, 500_000_000]);
  assert.throws(() => latticeFor(products, "future_option_mbo" as never, "MNQH6"), RangeError);
  // the A.1 fields (zero beyond ±40) on the MNQ lattice give the same forecast as on ±200: the
  // force never reaches the lattice ends
  const opts = { beta: 0.5, gamma: 0.1, horizon: 30, windowNs: 1000n };
  const es = forecastBatch(ES, opts, a1Surface([24000, 24002], [1000n, 2000n]), A1_OPTIONS);
  const mn = forecastBatch(mnq, opts, a1Surface([24000, 24002], [1000n, 2000n]), A1_OPTIONS);
  assert.deepEqual(mn, es);
  // SI: spot $30.125 is 6025 ticks of $0.005 (the original divided by the ES tick: 120.5)
  const surf = a1Surface([0, 0], [1000n, 2000n]);
  surf.spot_ref_price_int.fill(30_125_000_000n);
  const r = forecastBatch(si, opts, surf, A1_OPTIONS);
  assert.deepEqual(
    Number(r.predicted_spot_tick.data[1]) - Number(r.predicted_tick_delta.data[1]),
    6025,
  );
});

Deno.test("rows outside the lattice are ignored; an equity-sized lattice clamps at its ends", () => {
  const small: Lattice = { gridMax: 30, unitInt: 500_000_000, root: "QQQ" };
  const s = a1Surface([1000, 1001], [1n, 2n]); // rows reach ±40, beyond ±30
  const rows = forecastBatch(small, { beta: 0.5, gamma: 0.1, horizon: 30, windowNs: 1n }, s);
  const w = rowsOf(rows, 2n);
  // D search stops at the grid: 30 at most
  assert.ok(w[0].dUp! <= 30 && w[0].dDn! <= 30);
  for (const r of w.slice(1)) assert.ok(Number.isFinite(r.conf!) && Math.abs(r.delta!) <= 80);
});
