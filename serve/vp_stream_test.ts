// The vacuum-pressure stream on the spec's test-fixture day (serving.md §4.8 `_make_flow_df(3, 10)`
// for QQQ): runtime_config first, then snap/flow/signals per window with the §4.6 schemas, the
// enriched rows of Appendix A.2, and the knobs applied.
import assert from "node:assert/strict";
import { holdParquetWorkers, openLake, writePartition } from "@spymaster/sdk/lake";
import { StreamClient } from "./client.ts";
import { VP_FLOW, VP_SIGNALS, VP_SNAP } from "./arrow_frames.ts";
import { withServer, wsUrl } from "./_test_lake.ts";

const DT = "2026-02-06";
const W = 3, K = 10;
const ts = (w: number) => 1_000_000_000_000n + BigInt(w) * 1_000_000_000n;

async function fixtureLake() {
  const release = holdParquetWorkers();
  try {
    const lake = await openLake(await Deno.makeTempDir({ prefix: "spymaster-vp-test-" }));
    const ks = [
      ...Array.from({ length: K }, (_, i) => -K + i),
      ...Array.from({ length: K }, (_, i) => i + 1),
    ];
    const rows: { w: number; k: number; side: string }[] = [];
    for (let w = 0; w < W; w++) {
      for (const k of ks) for (const side of ["A", "B"]) rows.push({ w, k, side });
    }
    const n = rows.length, a = (f: (r: typeof rows[0]) => number) => Float64Array.from(rows, f);
    await writePartition(lake, "silver.equity_mbo.depth_and_flow_1s", { symbol: "QQQ", dt: DT }, [{
      window_start_ts_ns: BigInt64Array.from(rows, (r) => ts(r.w) - 1_000_000_000n),
      window_end_ts_ns: BigInt64Array.from(rows, (r) => ts(r.w)),
      price_int: BigInt64Array.from(rows, (r) => 100_000_000_000n + BigInt(r.k) * 500_000_000n),
      side: rows.map((r) => r.side),
      spot_ref_price_int: new BigInt64Array(n).fill(100_000_000_000n),
      rel_ticks: Int32Array.from(rows, (r) => r.k),
      rel_ticks_side: Int32Array.from(rows, (r) => r.k),
      depth_qty_start: a((r) => 55 * Math.abs(r.k)),
      depth_qty_end: a((r) => 50 * Math.abs(r.k)),
      add_qty: a((r) => 10 * Math.abs(r.k)),
      pull_qty: a((r) => 5 * Math.abs(r.k)),
      depth_qty_rest: a((r) => 20 * Math.abs(r.k)),
      pull_qty_rest: a((r) => 3 * Math.abs(r.k)),
      fill_qty: a((r) => 2 * Math.abs(r.k)),
      window_valid: new Uint8Array(n).fill(1),
    }]);
    const t = BigInt64Array.from({ length: W }, (_, w) => ts(w));
    await writePartition(lake, "silver.equity_mbo.book_snapshot_1s", { symbol: "QQQ", dt: DT }, [{
      window_start_ts_ns: t.map((x) => x - 1_000_000_000n),
      window_end_ts_ns: t,
      best_bid_price_int: new BigInt64Array(W).fill(99_500_000_000n),
      best_bid_qty: new BigInt64Array(W).fill(1n),
      best_ask_price_int: new BigInt64Array(W).fill(100_500_000_000n),
      best_ask_qty: new BigInt64Array(W).fill(1n),
      mid_price: new Float64Array(W).fill(100),
      mid_price_int: new BigInt64Array(W).fill(100_000_000_000n),
      last_trade_price_int: new BigInt64Array(W),
      spot_ref_price_int: new BigInt64Array(W).fill(100_000_000_000n),
      book_valid: new Uint8Array(W).fill(1),
    }]);
    return lake;
  } finally {
    release();
  }
}

const lake = await fixtureLake();
const names = (s: readonly (readonly [string, string])[]) => s.map(([n]) => n);

Deno.test("vacuum-pressure stream: runtime_config, then snap/flow/signals per window (§4.6, A.2)", async () => {
  await withServer(lake, async (server) => {
    const cat = await (await fetch(new URL("/v1/catalog", server.url))).json();
    assert.deepEqual(cat.product_types[0].symbols[0].dates[0].streams, {
      "vacuum-pressure": ["snap", "flow", "signals"],
    });
    const c = await StreamClient.connect(wsUrl(
      server,
      "/v1/vacuum-pressure/stream",
      `product_type=equity_mbo&symbol=QQQ&dt=${DT}&speed=max&skip_minutes=0&pre_smooth_span=7`,
    ));
    const windows = [];
    for await (const w of c) windows.push(w);
    const rc = c.controls[0];
    // §4.1 vectors: QQQ config_version 8cd9c5552451, $0.50 buckets; the knob given is applied
    assert.equal(rc.type, "runtime_config");
    assert.equal(rc.config_version, "8cd9c5552451");
    assert.equal(rc.bucket_size_dollars, 0.5);
    assert.equal(rc.qty_unit, "shares");
    assert.deepEqual(rc.gold_signal_config, {
      pre_smooth_span: 7,
      d1_span: 10,
      d2_span: 20,
      d3_span: 40,
      w_d1: 0.5,
      w_d2: 0.35,
      w_d3: 0.15,
      projection_horizon_s: 10,
      fast_projection_horizon_s: 0.5,
      smooth_zscore_window: 120,
    });
    assert.equal(windows.length, W);
    for (const [w, win] of windows.entries()) {
      assert.equal(win.batch.window_end_ts_ns, String(ts(w)));
      assert.deepEqual(win.batch.surfaces, ["snap", "flow", "signals"]);
      assert.equal(win.batch.bucket_size, 0.5); // legacy fields (§4.6)
      assert.equal(win.batch.tick_size, 0.5);
      const snap = win.surfaces.snap, flow = win.surfaces.flow, sig = win.surfaces.signals;
      assert.deepEqual(snap.schema.fields.map((f) => f.name), names(VP_SNAP));
      assert.deepEqual(flow.schema.fields.map((f) => f.name), names(VP_FLOW));
      assert.deepEqual(sig.schema.fields.map((f) => f.name), names(VP_SIGNALS));
      assert.equal(String(flow.schema.fields[1].type), "Utf8");
      assert.deepEqual(snap.get(0)!.toJSON(), {
        window_end_ts_ns: ts(w),
        mid_price: 100,
        spot_ref_price_int: 100_000_000_000n,
        best_bid_price_int: 99_500_000_000n,
        best_ask_price_int: 100_500_000_000n,
        book_valid: true,
      });
      assert.equal(flow.numRows, 4 * K);
      // Appendix A.2 enriched rows at k = -3: net_flow 15, pressure 8.232175, rest_fraction 0.4
      for (const r of flow.toArray().map((x) => x.toJSON())) {
        if (r.rel_ticks !== -3) continue;
        assert.equal(r.net_flow, 15);
        assert.equal(r.vacuum_intensity, 0);
        assert.equal(r.pressure_intensity.toFixed(6), "8.232175");
        assert.equal(r.rest_fraction, 0.4);
        assert.equal(r.depth_qty_end, 150);
      }
      // A.2: a symmetric book gives a zero composite, imbalances and confidence
      const s = sig.get(0)!.toJSON();
      assert.equal(s.window_end_ts_ns, ts(w));
      for (
        const k of [
          "composite",
          "flow_imbalance",
          "fill_imbalance",
          "depth_imbalance",
          "confidence",
        ]
      ) {
        assert.equal(s[k], 0, k);
      }
      assert.equal(s.vacuum_above, s.vacuum_below);
      assert.equal(s.resting_drain_ask, s.resting_drain_bid);
    }
  });
});

Deno.test("vacuum-pressure: a day without silver flow is an error naming the table and the command", async () => {
  await withServer(lake, async (server) => {
    const ws = new WebSocket(
      wsUrl(server, "/v1/vacuum-pressure/stream", `product_type=equity_mbo&symbol=SPY&dt=${DT}`),
    );
    const msgs: Record<string, unknown>[] = [];
    ws.onmessage = (e) => msgs.push(JSON.parse(e.data));
    const close = await new Promise<CloseEvent>((r) => ws.onclose = r);
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0].type, "error");
    assert.match(
      String(msgs[0].message),
      /Silver table missing: .*symbol=SPY\/table=book_snapshot_1s\/dt=2026-02-06 Run the pipeline first/,
    );
    assert.match(String(msgs[0].message), /--product-type equity_mbo/);
    assert.equal(close.code, 1008);
    assert.ok(new TextEncoder().encode(close.reason).length <= 123);
  });
});
