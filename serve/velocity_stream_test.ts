// The full velocity stream (snap, velocity, options, forecast) on a hand-written silver day:
// shapes and row structure from serving.md §3.4/§3.5 (dense ±grid_max_ticks lattice, strike
// offsets in multiples of strike_ticks, 31 forecast rows with diagnostics at horizon 0), and the
// streamed forecast equal to the physics batch path (forecastBatch) over the same gold rows,
// also after a seek into the day.
import assert from "node:assert/strict";
import { holdParquetWorkers, writePartition } from "@spymaster/sdk/lake";
import {
  createSurfaceEngine,
  type FutureSurfaceBatch,
  silverWindows,
  surfaceParams,
} from "@spymaster/sdk/features";
import { forecastBatch, latticeFor } from "@spymaster/sdk/physics";
import { StreamClient } from "./client.ts";
import {
  DT,
  productTable,
  snapLake,
  spotOf,
  SYMBOL,
  windowEnd,
  withServer,
  wsUrl,
} from "./_test_lake.ts";

const N = 6;
const TICK = 250_000_000n;

async function velocityLake() {
  const lake = await snapLake(N);
  const release = holdParquetWorkers();
  try {
    const f: Record<string, number | bigint | string | boolean>[] = [];
    const o: Record<string, number | bigint | string | boolean>[] = [];
    for (let i = 0; i < N; i++) {
      const spot = spotOf(i);
      for (const k of [-3, -2, -1, 1, 2, 3]) {
        const side = k < 0 ? "B" : "A";
        const q = 10 + ((i * 7 + k * 3) % 5); // varied, deterministic
        f.push({
          window_start_ts_ns: windowEnd(i) - 1_000_000_000n,
          window_end_ts_ns: windowEnd(i),
          price_int: spot + BigInt(k) * TICK,
          side,
          spot_ref_price_int: spot,
          rel_ticks: k,
          rel_ticks_side: k,
          depth_qty_start: 50,
          depth_qty_end: 50 + q - 12,
          add_qty: q,
          pull_qty: 12,
          depth_qty_rest: 30,
          pull_qty_rest: 2,
          fill_qty: 0,
          window_valid: true,
        });
      }
      for (const off of [-1, 0, 1]) {
        const strike = 21_000_000_000_000n + BigInt(off) * 5_000_000_000n;
        for (const right of ["C", "P"]) {
          for (const side of ["A", "B"]) {
            o.push({
              window_start_ts_ns: windowEnd(i) - 1_000_000_000n,
              window_end_ts_ns: windowEnd(i),
              strike_price_int: strike,
              strike_points: Number(strike) / 1e9,
              right,
              side,
              spot_ref_price_int: spot,
              rel_ticks: off * 20,
              depth_qty_start: 20,
              depth_qty_end: 20 + i,
              add_qty: 1 + i,
              pull_qty: 0,
              pull_qty_rest: 0,
              fill_qty: 0,
              depth_qty_rest: 10,
              window_valid: true,
              accounting_identity_valid: true,
            });
          }
        }
      }
    }
    const cols = (rows: typeof f) => {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(rows[0])) {
        const v = rows[0][k];
        out[k] = typeof v === "bigint"
          ? BigInt64Array.from(rows, (r) => r[k] as bigint)
          : typeof v === "string"
          ? rows.map((r) => r[k] as string)
          : typeof v === "boolean"
          ? Uint8Array.from(rows, (r) => (r[k] ? 1 : 0))
          : k === "rel_ticks" || k === "rel_ticks_side"
          ? Int32Array.from(rows, (r) => r[k] as number)
          : Float64Array.from(rows, (r) => r[k] as number);
      }
      return out;
    };
    const key = { symbol: SYMBOL, dt: DT };
    // deno-lint-ignore no-explicit-any
    await writePartition(lake, "silver.future_mbo.depth_and_flow_1s", key, [cols(f) as any]);
    // deno-lint-ignore no-explicit-any
    await writePartition(lake, "silver.future_option_mbo.depth_and_flow_1s", key, [cols(o) as any]);
  } finally {
    release();
  }
  const dir = `${lake.root}/physics/product_type=future_mbo/symbol=MNQ`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/physics_beta_gamma.json`,
    JSON.stringify({ beta: 0.5, gamma: 0.1 }),
  );
  return lake;
}

const lake = await velocityLake();

async function stream(server: { url: URL }, extra = "") {
  const c = await StreamClient.connect(
    wsUrl(
      server as never,
      "/v1/velocity/stream",
      `symbol=${SYMBOL}&dt=${DT}&speed=max&skip_minutes=0${extra}`,
    ),
  );
  const out = [];
  for await (const w of c) out.push(w);
  return out;
}

Deno.test("velocity stream: four surfaces per window with the §3.5 schemas and row structure", async () => {
  await withServer(lake, async (server) => {
    const cat = await (await fetch(new URL("/v1/catalog", server.url))).json();
    const mnq = cat.product_types.find((p: { product_type: string }) =>
      p.product_type === "future_mbo"
    );
    assert.deepEqual(mnq.symbols[0].dates[0].streams.velocity, [
      "snap",
      "velocity",
      "options",
      "forecast",
    ]);
    const ws = await stream(server);
    assert.equal(ws.length, N);
    for (const [i, w] of ws.entries()) {
      assert.deepEqual(w.batch.surfaces, ["snap", "velocity", "options", "forecast"]);
      const v = w.surfaces.velocity, o = w.surfaces.options, f = w.surfaces.forecast;
      assert.deepEqual(
        v.schema.fields.map((x) => `${x.name}:${x.type}`),
        [
          "window_end_ts_ns:Int64",
          "spot_ref_price_int:Int64",
          "rel_ticks:Int32",
          "side:Utf8",
          "liquidity_velocity:Float64",
          "rho:Float64",
          "nu:Float64",
          "kappa:Float64",
          "pressure_grad:Float64",
          "u_wave_energy:Float64",
          "Omega:Float64",
        ],
      );
      // dense lattice: both sides × every tick of ±400 (MNQ grid_max_ticks) = 1602 rows
      assert.equal(v.numRows, 2 * (2 * 400 + 1));
      const rel = v.getChild("rel_ticks")!.toArray() as Int32Array;
      assert.equal(Math.min(...rel), -400);
      assert.equal(Math.max(...rel), 400);
      assert.deepEqual(new Set(v.getChild("side")!.toArray()), new Set(["A", "B"]));
      assert.equal(v.get(0)!.toJSON().window_end_ts_ns, windowEnd(i));
      assert.equal(v.get(0)!.toJSON().spot_ref_price_int, spotOf(i));
      assert.deepEqual(
        o.schema.fields.map((x) => x.name),
        [
          "window_end_ts_ns",
          "spot_ref_price_int",
          "rel_ticks",
          "liquidity_velocity",
          "pressure_grad",
          "u_wave_energy",
          "nu",
          "Omega",
        ],
      );
      const orel = [...(o.getChild("rel_ticks")!.toArray() as Int32Array)];
      assert.ok(orel.length > 0);
      assert.deepEqual(orel, [...new Set(orel)].sort((a, b) => a - b)); // one row per strike offset
      for (const k of orel) assert.equal(Math.abs(k) % 20, 0); // MNQ strike_ticks = 20
      // forecast: 31 rows, horizons 0..30; h=0 diagnostics, h>=1 predictions
      assert.equal(f.numRows, 31);
      const rows = f.toArray().map((r) => r.toJSON());
      assert.deepEqual(rows.map((r) => r.horizon_s), Array.from({ length: 31 }, (_, h) => h));
      assert.equal(rows[0].predicted_spot_tick, null);
      assert.equal(rows[0].confidence, null);
      assert.equal(typeof rows[0].D_up, "number");
      assert.equal(typeof rows[0].RunScore_up, "number");
      for (const r of rows.slice(1)) {
        assert.equal(r.D_up, null);
        assert.equal(r.RunScore_down, null);
        assert.equal(typeof r.predicted_tick_delta, "bigint");
      }
    }
  });
});

Deno.test("streamed forecast = physics batch path over the same gold rows, from the start and after a seek", async () => {
  const products = await productTable();
  // the batch path: gold rows of the whole day (the engines' batch loop), then forecastBatch
  const eng = createSurfaceEngine("future_mbo", surfaceParams(products, "future_mbo", SYMBOL));
  const parts: FutureSurfaceBatch[] = [];
  for await (const w of silverWindows(lake, "future_mbo", SYMBOL, DT)) {
    const b = eng.step(w);
    const copy = {} as Record<string, unknown>;
    for (const [k, v] of Object.entries(b)) {
      copy[k] = k === "length" ? v : (v as Uint8Array).slice(0, b.length);
    }
    parts.push(copy as unknown as FutureSurfaceBatch);
  }
  const cat = <T extends BigInt64Array | Int32Array | Float64Array | Uint8Array>(k: string) => {
    const arrs = parts.map((p) => (p as unknown as Record<string, T>)[k]);
    const out = new (arrs[0].constructor as new (n: number) => T)(
      arrs.reduce((a, x) => a + x.length, 0),
    );
    let at = 0;
    for (const a of arrs) (out.set(a as never, at), at += a.length);
    return out;
  };
  const opt = createSurfaceEngine(
    "future_option_mbo",
    surfaceParams(products, "future_option_mbo", SYMBOL),
  );
  const oe: bigint[] = [], or: number[] = [], oo: number[] = [];
  for await (const w of silverWindows(lake, "future_option_mbo", SYMBOL, DT)) {
    const b = opt.step(w);
    for (let i = 0; i < b.length; i++) {
      (oe.push(b.window_end_ts_ns[i]), or.push(b.rel_ticks[i]), oo.push(b.Omega_opt[i]));
    }
  }
  const side = cat<Uint8Array>("side");
  const batch = forecastBatch(
    latticeFor(products, "future_mbo", SYMBOL),
    { beta: 0.5, gamma: 0.1 },
    {
      window_end_ts_ns: cat("window_end_ts_ns"),
      spot_ref_price_int: cat("spot_ref_price_int"),
      rel_ticks: cat("rel_ticks"),
      side: Array.from(side, (c) => String.fromCharCode(c)),
      pressure_grad: cat("pressure_grad"),
      u_near: cat("u_near"),
      u_p_slow: cat("u_p_slow"),
      Omega: cat("Omega"),
    },
    {
      window_end_ts_ns: BigInt64Array.from(oe),
      rel_ticks: Int32Array.from(or),
      Omega_opt: Float64Array.from(oo),
    },
  );
  const batchWindow = (ts: bigint) => {
    const out = [];
    for (let r = 0; r < batch.horizon_s.length; r++) {
      if (batch.window_end_ts_ns[r] !== ts) continue;
      const fc = batch.predicted_tick_delta.valid[r] === 1;
      out.push({
        h: batch.horizon_s[r],
        delta: fc ? batch.predicted_tick_delta.data[r] : null,
        conf: fc ? batch.confidence.data[r] : null,
        up: fc ? null : batch.RunScore_up.data[r],
        dUp: fc ? null : batch.D_up.data[r],
      });
    }
    return out;
  };
  await withServer(lake, async (server) => {
    const check = (ws: Awaited<ReturnType<typeof stream>>) => {
      for (const w of ws) {
        const got = w.surfaces.forecast.toArray().map((x) => x.toJSON()).map((r) => ({
          h: r.horizon_s,
          delta: r.predicted_tick_delta,
          conf: r.confidence,
          up: r.RunScore_up,
          dUp: r.D_up,
        }));
        assert.deepEqual(got, batchWindow(w.window_end_ts_ns));
      }
    };
    const all = await stream(server, "&surfaces=forecast");
    assert.equal(all.length, N);
    check(all);
    // a seek: the windows after it must carry the engine's state (v0 from the previous window)
    const c = await StreamClient.connect(
      wsUrl(
        server,
        "/v1/velocity/stream",
        `symbol=${SYMBOL}&dt=${DT}&speed=0.001&skip_minutes=0&surfaces=forecast`,
      ),
    );
    const it = c[Symbol.asyncIterator]();
    await it.next();
    c.seek(windowEnd(3));
    c.speed("max");
    const after = [];
    for (let r = await it.next(); !r.done; r = await it.next()) after.push(r.value);
    assert.deepEqual(after.map((w) => w.window_end_ts_ns), [
      windowEnd(3),
      windowEnd(4),
      windowEnd(5),
    ]);
    check(after);
  });
});
