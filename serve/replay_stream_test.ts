// `source=replay` against `source=lake` on the same generated day: the day's raw MNQ file is run
// through the bronze and silver stages, then both modes are streamed by a real server over
// loopback; every frame of the replay (snap, velocity, forecast; VP snap, flow, signals) must
// decode to the lake stream's values, row for row — from a skip, after a seek between two windows,
// and on an equity (QQQ) day for vacuum-pressure. Also: the replay's errors (no raw files, a
// surface it cannot serve, an unknown source) and the catalog's replay days.
import assert from "node:assert/strict";
import { join } from "node:path";
import { openLake } from "@spymaster/sdk/lake";
import { defaultRegistry, runPipeline } from "@spymaster/sdk/pipeline";
import { generateDay } from "@spymaster/sdk/synth";
import { type DecodedWindow, StreamClient } from "./client.ts";
import { withServer, wsUrl } from "./_test_lake.ts";

const DT = "2026-01-06";
const SYMBOL = "MNQH6";
const tmp = await Deno.makeTempDir({ prefix: "replay_stream_test_" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(tmp, { recursive: true });
  } catch { /* gone */ }
});

async function dayLake() {
  const root = join(tmp, "lake");
  await generateDay({ productType: "future_mbo", date: DT, seed: 3, lake: root, events: 60_000 });
  for (const [layer, symbol] of [["bronze", "MNQ"], ["silver", SYMBOL]]) {
    const r = await runPipeline({
      productType: "future_mbo",
      layer,
      symbol,
      dates: [DT],
      lakeRoot: root,
      registry: defaultRegistry(),
    });
    assert.ok(r.tasks.every((t) => t.ok), r.tasks.map((t) => t.error).join("; "));
  }
  const dir = `${root}/physics/product_type=future_mbo/symbol=MNQ`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/physics_beta_gamma.json`,
    JSON.stringify({ beta: 0.5, gamma: 0.1 }),
  );
  return await openLake(root);
}

const lake = await dayLake();

/** The first `n` windows of a stream, every surface as plain rows. */
async function take(url: string, n: number) {
  const controls: Record<string, unknown>[] = [];
  const c = await StreamClient.connect(url, { onControl: (m) => controls.push(m) });
  const out: { ts: bigint; batch: Record<string, unknown>; rows: Record<string, unknown[]> }[] = [];
  for await (const w of c as AsyncIterable<DecodedWindow>) {
    const rows: Record<string, unknown[]> = {};
    for (const [s, t] of Object.entries(w.surfaces)) rows[s] = t.toArray().map((r) => r.toJSON());
    const { sent_unix_ms: _, ...batch } = w.batch;
    out.push({ ts: w.window_end_ts_ns, batch, rows });
    if (out.length === n) break;
  }
  return { windows: out, controls };
}

const N = 240;

Deno.test("replay: the velocity stream of the raw day equals the lake stream, every value", async () => {
  await withServer(lake, async (server) => {
    const q = `symbol=${SYMBOL}&dt=${DT}&speed=max&skip_minutes=30&surfaces=snap,velocity,forecast`;
    const path = "/v1/velocity/stream";
    const fromLake = await take(wsUrl(server, path, q), N);
    const replay = await take(wsUrl(server, path, `${q}&source=replay`), N);
    assert.equal(fromLake.windows.length, N);
    assert.equal(replay.windows.length, N);
    // 10:00:00 New York (15:00 UTC) is the first window sent after 30 minutes skipped
    assert.equal(fromLake.windows[0].ts, BigInt(Date.parse(`${DT}T15:00:00Z`)) * 1_000_000n);
    let velocityRows = 0, forecastRows = 0;
    for (let i = 0; i < N; i++) {
      const a = fromLake.windows[i], b = replay.windows[i];
      assert.equal(b.ts, a.ts, `window ${i}`);
      assert.deepEqual(b.batch, a.batch, `batch_start ${i}`);
      assert.deepEqual(Object.keys(b.rows), ["snap", "velocity", "forecast"]);
      for (const s of Object.keys(a.rows)) assert.deepEqual(b.rows[s], a.rows[s], `${s} ${i}`);
      velocityRows += a.rows.velocity.length;
      forecastRows += a.rows.forecast.length;
    }
    assert.ok(velocityRows > N * 100, `${velocityRows} velocity rows compared`);
    assert.ok(forecastRows > N, `${forecastRows} forecast rows compared`);
  });
});

Deno.test("replay: the vacuum-pressure stream of the raw day equals the lake stream", async () => {
  await withServer(lake, async (server) => {
    const q = `symbol=${SYMBOL}&dt=${DT}&product_type=future_mbo&speed=max&skip_minutes=45`;
    const path = "/v1/vacuum-pressure/stream";
    const fromLake = await take(wsUrl(server, path, q), N);
    const replay = await take(wsUrl(server, path, `${q}&source=replay`), N);
    assert.deepEqual(replay.controls[0], fromLake.controls[0]); // runtime_config
    assert.equal(replay.controls[0].type, "runtime_config");
    let signals = 0, flow = 0;
    for (let i = 0; i < N; i++) {
      const a = fromLake.windows[i], b = replay.windows[i];
      assert.equal(b.ts, a.ts, `window ${i}`);
      assert.deepEqual(b.batch, a.batch, `batch_start ${i}`);
      assert.deepEqual(b.rows, a.rows, `window ${i}`);
      signals += a.rows.signals?.length ?? 0;
      flow += a.rows.flow?.length ?? 0;
    }
    assert.ok(signals > N / 2, `${signals} signal rows compared`);
    assert.ok(flow > N * 10, `${flow} flow rows compared`);
  });
});

/** One window, a seek to `to`, then the next `n` windows (every surface as plain rows). */
async function afterSeek(url: string, to: bigint, n: number) {
  const c = await StreamClient.connect(url);
  const it = c[Symbol.asyncIterator]();
  await it.next();
  c.seek(to);
  c.speed("max");
  const out: { ts: bigint; rows: Record<string, unknown[]> }[] = [];
  for (let r = await it.next(); !r.done && out.length < n; r = await it.next()) {
    const rows: Record<string, unknown[]> = {};
    for (const [s, t] of Object.entries(r.value.surfaces)) {
      rows[s] = t.toArray().map((x) => x.toJSON());
    }
    out.push({ ts: r.value.window_end_ts_ns, rows });
  }
  c.close();
  return out;
}

Deno.test("replay: an equity day (QQQ, $ buckets, 07:00-21:00 UTC bronze window) equals the lake", async () => {
  const root = join(tmp, "equity");
  await generateDay({ productType: "equity_mbo", date: DT, seed: 5, lake: root, events: 40_000 });
  for (const layer of ["bronze", "silver"]) {
    const r = await runPipeline({
      productType: "equity_mbo",
      layer,
      symbol: "QQQ",
      dates: [DT],
      lakeRoot: root,
      registry: defaultRegistry(),
    });
    assert.ok(r.tasks.every((t) => t.ok), r.tasks.map((t) => t.error).join("; "));
  }
  await withServer(await openLake(root), async (server) => {
    const q = `symbol=QQQ&dt=${DT}&product_type=equity_mbo&speed=max&skip_minutes=60`;
    const path = "/v1/vacuum-pressure/stream";
    const fromLake = await take(wsUrl(server, path, q), N);
    const replay = await take(wsUrl(server, path, `${q}&source=replay`), N);
    assert.equal(replay.windows.length, N);
    assert.deepEqual(replay.controls[0], fromLake.controls[0]);
    assert.deepEqual(replay.windows, fromLake.windows);
    const signals = fromLake.windows.filter((w) => w.rows.signals?.length).length;
    assert.ok(signals > N / 2, `${signals} windows with signals`);
  });
});

Deno.test("replay: after a seek between two windows, the replay still equals the lake", async () => {
  await withServer(lake, async (server) => {
    const q =
      `symbol=${SYMBOL}&dt=${DT}&speed=0.001&skip_minutes=30&surfaces=snap,velocity,forecast`;
    const path = "/v1/velocity/stream";
    // half a second after 11:00:00 New York: the first window sent ends at 11:00:01
    const to = BigInt(Date.parse(`${DT}T16:00:00Z`)) * 1_000_000n + 500_000_000n;
    const fromLake = await afterSeek(wsUrl(server, path, q), to, 30);
    const replay = await afterSeek(wsUrl(server, path, `${q}&source=replay`), to, 30);
    assert.equal(fromLake.length, 30);
    assert.equal(fromLake[0].ts, to + 500_000_000n);
    assert.ok(fromLake[0].rows.forecast.length > 0, "the forecast runs from the first window");
    assert.deepEqual(replay, fromLake);
  });
});

Deno.test("replay: the catalog offers the raw day (contract from the file's mappings)", async () => {
  await withServer(lake, async (server) => {
    const res = await fetch(new URL("/v1/catalog", server.url));
    assert.equal(res.status, 200);
    const cat = await res.json();
    // bronze is kept per raw source: the catalog still lists it (and the lake day's streams)
    const day = cat.product_types.find((p: { product_type: string }) =>
      p.product_type === "future_mbo"
    ).symbols.find((s: { symbol: string }) => s.symbol === SYMBOL).dates[0];
    assert.deepEqual(day.layers.bronze, ["mbo"]);
    assert.deepEqual(day.streams.velocity, ["snap", "velocity", "forecast"]);
    assert.deepEqual(cat.replay, [{
      product_type: "future_mbo",
      symbols: [{
        symbol: "MNQH6", // MNQ's front month in January 2026 (the generator's contract)
        dates: [{
          dt: DT,
          raw_symbol: "MNQ",
          raw_sources: ["synthetic"],
          streams: {
            velocity: ["snap", "velocity", "forecast"],
            "vacuum-pressure": ["snap", "flow", "signals"],
          },
        }],
      }],
    }]);
  });
  await withServer(await openLake(join(tmp, "empty")), async (server) => {
    const cat = await (await fetch(new URL("/v1/catalog", server.url))).json();
    assert.deepEqual(cat.replay, []);
  });
});

Deno.test("replay: errors name what is missing; bad sources are refused before the upgrade", async () => {
  const empty = await openLake(join(tmp, "empty"));
  await withServer(empty, async (server) => {
    const path = "/v1/velocity/stream";
    const c = await StreamClient.connect(
      wsUrl(server, path, `symbol=${SYMBOL}&dt=${DT}&speed=max&source=replay`),
    );
    await assert.rejects(
      async () => {
        for await (const _ of c) { /* none */ }
      },
      (e: Error) => {
        assert.match(e.message, /no raw future_mbo\.mbo file for MNQ on 2026-01-06/);
        assert.match(e.message, /deno task synth --product-type future_mbo --symbol MNQ/);
        assert.ok(!e.message.includes(empty.root), "the server's paths stay private");
        return true;
      },
    );
    // a truncated raw file: the error names the file (as <lake>/…) and the problem
    const bad = join(tmp, "truncated");
    const rawDir =
      "raw/source=synthetic/product_type=future_mbo/symbol=MNQ/table=market_by_order_dbn";
    await Deno.mkdir(join(bad, rawDir), { recursive: true });
    const [file] = [...Deno.readDirSync(join(lake.root, rawDir))]
      .filter((e) => e.name.endsWith(".dbn.zst"));
    const bytes = await Deno.readFile(join(lake.root, rawDir, file.name));
    await Deno.writeFile(join(bad, rawDir, file.name), bytes.subarray(0, bytes.length >> 1));
    await withServer(await openLake(bad), async (server2) => {
      const c2 = await StreamClient.connect(
        wsUrl(
          server2,
          path,
          `symbol=${SYMBOL}&dt=${DT}&speed=max&skip_minutes=0&surfaces=snap,velocity&source=replay`,
        ),
      );
      await assert.rejects(
        async () => {
          for await (const _ of c2) { /* windows before the cut, if any */ }
        },
        (e: Error) => {
          assert.match(e.message, /source=replay: .*<lake>\/raw\/source=synthetic\/.*\.dbn\.zst/);
          assert.ok(!e.message.includes(bad), "the server's paths stay private");
          return true;
        },
      );
    });
    for (
      const [query, param, text] of [
        ["source=parquet", "source", /source: 'parquet' is not a stream source/],
        ["source=replay&surfaces=snap,options", "surfaces", /'options' is not available/],
        ["source=replay&source=lake", "source", /more than once/],
      ] as const
    ) {
      const res = await fetch(
        new URL(`${path}?symbol=${SYMBOL}&dt=${DT}&${query}`, server.url),
        { headers: { upgrade: "websocket" } },
      );
      assert.equal(res.status, 400, query);
      const body = await res.json();
      assert.equal(body.param, param, query);
      assert.match(body.message, text);
    }
  });
});
