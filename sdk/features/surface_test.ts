// The gold surface engines against outside values: the spec's constants and worked examples
// (pipeline.md §4.3, §4.4, §8.5–8.7, §8.9), hand-computed cases for the fixed bugs (§9 items 2,
// 9, 16, 17; docs/deviations.md "Gold"), and the gold contracts' field order.
import assert from "node:assert/strict";
import { loadContract } from "../lake/contracts.ts";
import { DEFAULT_CONTRACTS_DIR } from "../lake/datasets.ts";
import {
  EQUITY_OPTION_SURFACE_SCHEMA,
  EQUITY_SURFACE_SCHEMA,
  type FlowRows,
  FUTURE_SURFACE_SCHEMA,
  OPTION_SURFACE_SCHEMA,
  type SilverWindow,
} from "./columns.ts";
import { emaAlpha, gaussianKernel, strikeKernel } from "./kernels.ts";
import { FutureSurfaceEngine } from "./future_surface.ts";
import { OptionSurfaceEngine, rhuStep } from "./option_surface.ts";
import { IntensitySurfaceEngine } from "./intensity_surface.ts";

const close = (a: number, b: number, tol = 1e-9, what = "") =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

const W = 1_000_000_000n;
const SPOT = 6_000_000_000_000n; // $6000.00

interface Row {
  side: "A" | "B";
  t: number;
  start?: number;
  end?: number;
  add?: number;
  pull?: number;
  fill?: number;
  rest?: number;
  valid?: boolean;
  right?: "C" | "P";
  strike?: bigint;
  spot?: bigint;
}

/** Silver flow rows from a readable description. */
function rows(list: Row[], spot = SPOT): FlowRows {
  const n = list.length;
  const f = (g: (r: Row) => number) => Float64Array.from(list, g);
  return {
    side: Uint8Array.from(list, (r) => r.side.charCodeAt(0)),
    rel_ticks: Int32Array.from(list, (r) => r.t),
    rel_ticks_side: new Int32Array(n),
    spot_ref_price_int: BigInt64Array.from(list, (r) => r.spot ?? spot),
    depth_qty_start: f((r) => r.start ?? 0),
    depth_qty_end: f((r) => r.end ?? 0),
    add_qty: f((r) => r.add ?? 0),
    pull_qty: f((r) => r.pull ?? 0),
    fill_qty: f((r) => r.fill ?? 0),
    depth_qty_rest: f((r) => r.rest ?? 0),
    window_valid: Uint8Array.from(list, (r) => r.valid === false ? 0 : 1),
    right: Uint8Array.from(list, (r) => (r.right ?? "C").charCodeAt(0)),
    strike_price_int: BigInt64Array.from(list, (r) => r.strike ?? 0n),
    strike_points: Float64Array.from(list, (r) => Number(r.strike ?? 0n) * 1e-9),
  };
}

function win(k: number, list: Row[], spot: bigint | null = SPOT): SilverWindow {
  const r = rows(list, spot ?? SPOT);
  return {
    window_end_ts_ns: BigInt(k) * W,
    spot_ref_price_int: spot,
    rows: r,
    start: 0,
    end: list.length,
  };
}

/** Index of (side, rel_ticks) in a futures window of half-width g (A frame first). */
const at = (g: number, side: "A" | "B", t: number) => (side === "A" ? 0 : 2 * g + 1) + t + g;

Deno.test("constants: EMA alphas and smoothing kernels (§4.3, §4.4, §8.7)", () => {
  close(emaAlpha(2), 0.39346934, 5e-9, "α2");
  close(emaAlpha(8), 0.11750310, 5e-9, "α8");
  close(emaAlpha(32), 0.03076677, 5e-9, "α32");
  close(emaAlpha(128), 0.00778206, 5e-9, "α128");
  const near = gaussianKernel(6, 16), far = gaussianKernel(24, 64);
  close(near.taps[16], 0.0668851, 5e-8, "near centre");
  close(near.taps[0], 0.0019106, 5e-8, "near edge");
  close(far.taps[64], 0.0167431, 5e-8, "far centre");
  close(far.taps[0], 0.0004783, 5e-8, "far edge");
  // strike lattice for ST = 20 (ES/MNQ): near n 1, σ 1; far n 3, σ 1.2
  const sn = strikeKernel(6, 16, 20), sf = strikeKernel(24, 64, 20);
  assert.equal(sn.half, 1);
  assert.equal(sn.sigma, 1);
  [0.274069, 0.451863, 0.274069].forEach((v, i) => close(sn.taps[i], v, 5e-7, `near tap ${i}`));
  assert.equal(sf.half, 3);
  close(sf.sigma, 1.2, 1e-12, "far σ");
  close(sf.taps[3], 0.333347, 5e-7, "far centre");
  close(sf.taps[0], 0.014646, 5e-7, "far edge");
});

Deno.test("RHU_step strike references (§8.7)", () => {
  const step = 5_000_000_000; // $5
  const d = (x: number) => Math.round(x * 1e9);
  assert.equal(rhuStep(d(6100), step), d(6100));
  assert.equal(rhuStep(d(6102.75), step), d(6105));
  assert.equal(rhuStep(d(6101.25), step), d(6100));
  assert.equal(rhuStep(d(6102.5), step), d(6105)); // half up
});

Deno.test("future surface: EMA recursion equals pandas ewm(adjust=False) with α2 (§8.6)", () => {
  // pandas: Series([0.1, 0.3, 0.2, 0.5, 0.1, 0.4, 0.2, 0.3]).ewm(alpha=1-exp(-1/2), adjust=False)
  const xs = [0.1, 0.3, 0.2, 0.5, 0.1, 0.4, 0.2, 0.3];
  const want = [
    0.1,
    0.178693868057,
    0.187077177737,
    0.310202714174,
    0.227494390901,
    0.295370059109,
    0.257844864868,
    0.274431618078,
  ];
  const eng = new FutureSurfaceEngine({ grid: 3 });
  let prevDu = 0, prevE2 = 0;
  xs.forEach((x, k) => {
    // velocity x = add / (start + 1) with start 0
    const s = eng.step(win(k + 1, [{ side: "B", t: -1, add: x, end: x }]));
    const i = at(3, "B", -1);
    close(s.u_ema_2[i], want[k], 1e-11, `u_ema_2[${k}]`);
    // du_dt: 0 on the first row, then first differences; d2u_dt2 their differences
    const du = k === 0 ? 0 : want[k] - prevE2;
    close(s.du_dt[i], du, 1e-11, `du_dt[${k}]`);
    close(s.d2u_dt2[i], k === 0 ? 0 : du - prevDu, 1e-11, `d2u_dt2[${k}]`);
    prevDu = du;
    prevE2 = want[k];
  });
});

Deno.test("future surface: identities on a 5-window two-level book (§8.6)", () => {
  const G = 20;
  const eng = new FutureSurfaceEngine({ grid: G });
  let depthB = 0, depthA = 0;
  for (let w = 0; w < 5; w++) {
    const addB = 10 + w, addA = 8 + w;
    const s = eng.step(win(w + 1, [
      { side: "B", t: 0, start: depthB, add: addB, end: depthB + addB, rest: depthB },
      { side: "A", t: 1, start: depthA, add: addA, end: depthA + addA, rest: depthA },
    ]));
    depthB += addB;
    depthA += addA;
    assert.equal(s.length, 2 * (2 * G + 1));
    const F = 2 * G + 1;
    for (let i = 0; i < s.length; i++) {
      for (const [name, col] of Object.entries(s)) {
        if (col instanceof Float64Array) assert.ok(Number.isFinite(col[i]), `${name}[${i}] finite`);
      }
      assert.equal(s.event_ts_ns[i], s.window_end_ts_ns[i]);
      close(
        s.liquidity_velocity[i],
        s.add_intensity[i] - s.pull_intensity[i] - s.fill_intensity[i],
        1e-12,
        "velocity",
      );
      close(s.u_band_fast[i], s.u_ema_2[i] - s.u_ema_8[i], 1e-15, "fast");
      close(s.u_band_mid[i], s.u_ema_8[i] - s.u_ema_32[i], 1e-15, "mid");
      close(s.u_band_slow[i], s.u_ema_32[i] - s.u_ema_128[i], 1e-15, "slow");
      close(
        s.u_wave_energy[i],
        Math.hypot(s.u_band_fast[i], s.u_band_mid[i], s.u_band_slow[i]),
        1e-12,
        "energy",
      );
      assert.ok(s.rho[i] >= 0 && s.phi_rest[i] >= 0);
      close(s.u_p[i], s.phi_rest[i] * s.u_ema_8[i], 1e-15, "u_p");
      close(s.u_p_slow[i], s.phi_rest[i] * s.u_ema_32[i], 1e-15, "u_p_slow");
      close(
        s.Omega[i],
        s.rho[i] * (0.5 + 0.5 * s.phi_rest[i]) * (1 + Math.max(0, s.u_p_slow[i])),
        1e-12,
        "Omega",
      );
      close(s.u_prom[i], s.u_near[i] - s.u_far[i], 1e-15, "u_prom");
      close(s.Omega_prom[i], s.Omega_near[i] - s.Omega_far[i], 1e-15, "Omega_prom");
      close(s.nu[i], 1 + s.Omega_near[i] + 2 * Math.max(0, s.Omega_prom[i]), 1e-12, "nu");
      close(s.kappa[i], 1 / s.nu[i], 1e-15, "kappa");
      assert.ok(s.nu[i] >= 1);
      const bid = s.side[i] === 66;
      close(s.pressure_grad[i], bid ? s.u_p[i] : -s.u_p[i], 0, "pressure_grad");
      const k = i % F;
      if (k === 0 || k === F - 1) {
        assert.equal(s.du_dx[i], 0);
        assert.equal(s.d2u_dx2[i], 0);
      } else {
        close(s.du_dx[i], (s.u_near[i + 1] - s.u_near[i - 1]) * 0.5, 1e-15, "du_dx");
        close(
          s.d2u_dx2[i],
          s.u_near[i + 1] - 2 * s.u_near[i] + s.u_near[i - 1],
          1e-15,
          "d2u_dx2",
        );
      }
      assert.equal(s.rel_ticks[i], k - G);
      assert.equal(s.side[i], i < F ? 65 : 66);
    }
    // intensities: qty / (start + 1)
    close(s.add_intensity[at(G, "B", 0)], addB / (depthB - addB + 1), 1e-15, "add_intensity");
  }
});

Deno.test("future surface: absent seconds decay the EMAs, filler rows carry them (§9 item 17)", () => {
  const eng = new FutureSurfaceEngine({ grid: 4 });
  eng.step(win(1, [{ side: "A", t: 2, add: 1, end: 1 }])); // velocity 1
  const s = eng.step(win(2, [])); // no row at all: a zero-velocity second
  const i = at(4, "A", 2);
  assert.equal(s.length, 18);
  close(s.liquidity_velocity[i], 0, 0, "velocity");
  close(s.u_ema_2[i], Math.exp(-1 / 2), 1e-15, "u_ema_2 = e^{-1/2}");
  close(s.u_ema_8[i], Math.exp(-1 / 8), 1e-15, "u_ema_8 = e^{-1/8}");
  close(s.u_ema_32[i], Math.exp(-1 / 32), 1e-15, "u_ema_32");
  close(s.u_ema_128[i], Math.exp(-1 / 128), 1e-15, "u_ema_128");
  close(s.du_dt[i], Math.exp(-1 / 2) - 1, 1e-15, "du_dt");
  // a cell that never had a row stays all zeros
  assert.equal(s.u_ema_2[at(4, "A", 3)], 0);
  // the smoothed EMA decays with the EMA (u_near carried, not recomputed to 0)
  assert.ok(s.u_near[i] > 0);
});

Deno.test("future surface: near-spot smoothing is not poisoned by the other side (§9 item 2)", () => {
  const G = 40;
  const eng = new FutureSurfaceEngine({ grid: G });
  // one bid level at −1 (velocity 4 / (1 + 1) = 2, depth 4), ask levels above spot
  const s = eng.step(win(1, [
    { side: "B", t: -1, start: 1, add: 4, end: 4 },
    { side: "A", t: 1, start: 5, add: 1, end: 6 },
    { side: "A", t: 2, start: 5, add: 1, end: 6 },
  ]));
  const i = at(G, "B", -1);
  // original: the bid frame is NaN at ask-only ticks, so u_near = 0 for bid ticks ≥ −15
  close(s.u_near[i], 2 * 0.06688512627032528, 1e-12, "u_near = 2 · centre tap");
  close(s.Omega_near[i], Math.log(5) * 0.5 * 0.06688512627032528, 1e-12, "Omega_near");
  assert.ok(s.u_far[i] > 0 && s.Omega_far[i] > 0);
  assert.ok(s.nu[i] > 1);
});

Deno.test("future surface: lattice edges use the in-lattice taps, renormalised", () => {
  // G = 2: five ticks, all within 16 of an edge. One bid cell at 0 with velocity 2:
  // u_near(t) = 2 · k[t] / Σ_{j in lattice} k[j]  (hand-computed with the σ 6 / 16 kernel)
  const want = [0.4099143243310495, 0.41084511451780337, 0.41115604741048956];
  const eng = new FutureSurfaceEngine({ grid: 2 });
  const s = eng.step(win(1, [{ side: "B", t: 0, add: 2, end: 2 }]));
  for (let t = -2; t <= 2; t++) {
    close(s.u_near[at(2, "B", t)], want[2 - Math.abs(t)], 1e-12, `u_near(${t})`);
    assert.equal(s.u_near[at(2, "A", t)], 0);
  }
});

Deno.test("future surface: windows without spot or invalid are skipped and hold the state", () => {
  const eng = new FutureSurfaceEngine({ grid: 3 });
  eng.step(win(1, [{ side: "B", t: -1, add: 1, end: 1 }]));
  // null snapshot spot and no row with a spot: skipped (never read as price 0)
  assert.equal(eng.step(win(2, [], null)).length, 0);
  // silver marked the window invalid: skipped
  assert.equal(eng.step(win(3, [{ side: "B", t: -1, add: 9, end: 9, valid: false }])).length, 0);
  const s = eng.step(win(4, []));
  close(s.u_ema_2[at(3, "B", -1)], Math.exp(-1 / 2), 1e-15, "one step, not three");
  // a null snapshot spot with rows: the rows' spot is used
  const r = eng.step(win(5, [{ side: "B", t: -1, add: 1, end: 1 }], null));
  assert.equal(r.spot_ref_price_int[0], SPOT);
  assert.deepEqual(eng.stats.windows, 5);
  assert.equal(eng.stats.windowsWithoutSpot, 1);
  assert.equal(eng.stats.invalidDropped, 1);
});

// ------------------------------------------------------------------------- options

const MNQ_OPT = { tickInt: 250_000_000, strikeStepInt: 5_000_000_000, maxStrikeOffsets: 2 };
const STRIKE_6100 = 6_100_000_000_000n;

/** A dense option grid window around spot 6100: every strike offset × C/P × A/B. */
function grid(
  k: number,
  offsets: number,
  cell: (o: number, right: "C" | "P", side: "A" | "B") => Partial<Row>,
  spot = STRIKE_6100,
  step = 5_000_000_000n,
  tick = 250_000_000n,
): SilverWindow {
  const list: Row[] = [];
  for (let o = -offsets; o <= offsets; o++) {
    for (const right of ["C", "P"] as const) {
      for (const side of ["A", "B"] as const) {
        const strike = spot + BigInt(o) * step;
        const rel = Number((strike - spot) / tick);
        list.push({ side, right, strike, t: rel, ...cell(o, right, side) });
      }
    }
  }
  return win(k, list, spot);
}

Deno.test("option surface: worked example D, u_opt_ema_8 = 0, 0.352509, 0.281713 (§4.4)", () => {
  const eng = new OptionSurfaceEngine(MNQ_OPT);
  const vel = [0, 3, -0.25];
  const got: number[] = [];
  vel.forEach((v, k) => {
    const s = eng.step(
      grid(
        k + 1,
        2,
        (o, r, sd) =>
          o === 0 && r === "C" && sd === "B" ? (v >= 0 ? { add: v, end: v } : { pull: -v }) : {},
      ),
    );
    // output order: right C, P; side A, B; strike ↑ → C/B offset 0 is row 5 + 2
    assert.equal(s.right[7], 67);
    assert.equal(s.side[7], 66);
    assert.equal(s.strike_price_int[7], STRIKE_6100);
    got.push(s.u_opt_ema_8[7]);
  });
  close(got[0], 0, 1e-12, "w0");
  close(got[1], 0.352509, 5e-7, "w1");
  close(got[2], 0.281713, 5e-7, "w2");
});

Deno.test("option surface: the §8.7 synthetic grid (identities, signs, no NaN)", () => {
  const eng = new OptionSurfaceEngine(MNQ_OPT);
  for (let w = 0; w < 10; w++) {
    const s = eng.step(grid(w + 1, 2, (o) => {
      const start = Math.max(0, 10 + 2 * o);
      const add = 2 * (w + 1), pull = 0.5 * (w + 1), fill = 0.3 * (w + 1);
      const end = Math.max(0, start + add - pull - fill);
      return { start, add, pull, fill, end, rest: 0.6 * end };
    }));
    assert.equal(s.length, 20);
    const ST = 20;
    for (let i = 0; i < s.length; i++) {
      for (const [name, col] of Object.entries(s)) {
        if (col instanceof Float64Array) assert.ok(Number.isFinite(col[i]), `${name}[${i}]`);
      }
      assert.equal(s.event_ts_ns[i], s.window_end_ts_ns[i]);
      assert.ok(s.add_intensity[i] >= 0 && s.pull_intensity[i] >= 0 && s.fill_intensity[i] >= 0);
      assert.ok(s.rho_opt[i] >= 0);
      assert.ok(s.phi_rest_opt[i] >= 0 && s.phi_rest_opt[i] < 1);
      assert.ok(s.nu_opt[i] >= 1 && s.kappa_opt[i] > 0 && s.kappa_opt[i] <= 1);
      assert.ok(s.u_opt_wave_energy[i] >= 0);
      close(
        s.liquidity_velocity[i],
        s.add_intensity[i] - s.pull_intensity[i] - s.fill_intensity[i],
        1e-12,
        "velocity",
      );
      close(
        s.Omega_opt[i],
        s.rho_opt[i] * (0.5 + 0.5 * s.phi_rest_opt[i]) * (1 + Math.max(0, s.u_opt_p_slow[i])),
        1e-12,
        "Omega",
      );
      close(s.u_opt_prom[i], s.u_opt_near[i] - s.u_opt_far[i], 1e-15, "prom");
      close(s.kappa_opt[i], 1 / s.nu_opt[i], 1e-15, "kappa");
      close(
        s.pressure_grad_opt[i],
        s.side[i] === 66 ? s.u_opt_p[i] : -s.u_opt_p[i],
        0,
        "pressure",
      );
      const k = i % 5;
      if (k === 0 || k === 4) assert.equal(s.du_opt_dx[i], 0);
      else {
        close(
          s.du_opt_dx[i],
          (s.u_opt_near[i + 1] - s.u_opt_near[i - 1]) / (2 * ST),
          1e-15,
          "du_dx",
        );
        close(
          s.d2u_opt_dx2[i],
          (s.u_opt_near[i + 1] - 2 * s.u_opt_near[i] + s.u_opt_near[i - 1]) / (ST * ST),
          1e-15,
          "d2u_dx2",
        );
      }
    }
  }
});

Deno.test("option surface: outer strikes of a small lattice are smoothed (§9 item 9)", () => {
  // SI: tick $0.005, step $0.25 → ST 50; the original's lattice RHE(200 / 50) = 4 < 10 offsets
  const eng = new OptionSurfaceEngine({
    tickInt: 5_000_000,
    strikeStepInt: 250_000_000,
    maxStrikeOffsets: 10,
  });
  const spot = 30_000_000_000n; // $30.00
  // the same velocity 1 at every strike: a constant field, whose smoothing is that constant
  const s = eng.step(grid(1, 10, () => ({ add: 1, end: 1 }), spot, 250_000_000n, 5_000_000n));
  assert.equal(s.length, 84);
  for (let i = 0; i < s.length; i++) {
    close(s.u_opt_near[i], 1, 1e-12, `u_opt_near[${i}]`);
    close(s.u_opt_far[i], 1, 1e-12, `u_opt_far[${i}]`);
  }
});

Deno.test("option surface: a strike off the step grid is an error", () => {
  const eng = new OptionSurfaceEngine(MNQ_OPT);
  const w = grid(1, 1, () => ({}));
  w.rows.strike_price_int![0] += 1_000_000_000n;
  assert.throws(() => eng.step(w), /not on the 5000000000 step grid/);
});

// ------------------------------------------------------------------------- equities

Deno.test("equity intensities (§8.5, §8.9)", () => {
  const eq = new IntensitySurfaceEngine("equity_mbo");
  const s = eq.step(win(1, [
    { side: "B", t: 0, start: 1000, add: 250, end: 1250 },
    { side: "B", t: 1, start: 0, add: 50, end: 50 },
    { side: "A", t: 2, start: 10, pull: 5, end: 5 },
    { side: "A", t: 3, start: 10, add: 1, end: 11, spot: 0n },
  ]));
  assert.equal(s.length, 3); // the row without spot is dropped (gold filter)
  close(s.add_intensity[0], 250 / 1001, 1e-12, "250 / 1001");
  assert.equal(s.add_intensity[1], 50);
  assert.ok(s.liquidity_velocity[0] > 0 && s.liquidity_velocity[2] < 0);
  const eo = new IntensitySurfaceEngine("equity_option_cmbp_1");
  const o = eo.step(win(1, [
    { side: "B", t: 0, right: "C", strike: 620_000_000_000n, start: 100, add: 30, pull: 10 },
    { side: "A", t: 2, right: "P", strike: 621_000_000_000n, start: 0, add: 25 },
  ]));
  close(o.add_intensity[0], 30 / 101, 1e-12, "30/101");
  close(o.pull_intensity[0], 10 / 101, 1e-12, "10/101");
  assert.equal(o.fill_intensity[0], 0);
  close(o.liquidity_velocity[0], 20 / 101, 1e-10, "velocity");
  assert.equal(o.add_intensity[1], 25);
  assert.equal(o.right[1], 80);
  assert.equal(o.strike_price_int[1], 621_000_000_000n);
});

Deno.test("gold schemas list the contract fields in contract order", async () => {
  const cases: [string, object][] = [
    ["future_mbo", FUTURE_SURFACE_SCHEMA],
    ["future_option_mbo", OPTION_SURFACE_SCHEMA],
    ["equity_mbo", EQUITY_SURFACE_SCHEMA],
    ["equity_option_cmbp_1", EQUITY_OPTION_SURFACE_SCHEMA],
  ];
  for (const [pt, schema] of cases) {
    const c = await loadContract(`${DEFAULT_CONTRACTS_DIR}gold/${pt}/physics_surface_1s.avsc`);
    assert.deepEqual(Object.keys(schema), c.fields.map((f) => f.name), pt);
  }
  assert.equal(Object.keys(FUTURE_SURFACE_SCHEMA).length, 36);
  assert.equal(Object.keys(OPTION_SURFACE_SCHEMA).length, 38);
});
