// The detector on the demo day (`deno task demo`: 2026-02-06, seed 7, small scale), run through
// bronze and silver: every planted vacuum moves the composite in its direction (the answer key
// is the generator's sidecar, not this code), and the day replayed window by window equals the
// batch computation value for value.
import assert from "node:assert/strict";
import { openLake } from "../lake/lake.ts";
import { holdParquetWorkers } from "../lake/_sink.ts";
import { runPipeline } from "../pipeline/runner.ts";
import { generateDay, type SynthDayResult } from "../synth/generate.ts";
import { resolveVpConfig } from "./vp_config.ts";
import { VP_FLOAT_COLUMNS, VpEngine } from "./vp_engine.ts";
import { episodeDirection, evaluateVpEpisodes } from "./vp_episodes.ts";
import { computeVpDay, vpWindows } from "./vp_lake.ts";

const DT = "2026-02-06", SEED = 7;
const LAKE = Deno.makeTempDirSync({ prefix: "vp-episodes-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(LAKE, { recursive: true });
  } catch { /* gone */ }
});

const days = new Map<string, Promise<SynthDayResult>>();
function demoDay(productType: "future_mbo" | "equity_mbo", root: string): Promise<SynthDayResult> {
  let p = days.get(productType);
  if (!p) {
    p = (async () => {
      const day = await generateDay({
        productType,
        date: DT,
        seed: SEED,
        lake: LAKE,
        symbol: root,
      });
      for (const [layer, symbol] of [["bronze", root], ["silver", day.symbol]]) {
        const r = await runPipeline({ productType, layer, symbol, dates: [DT], lakeRoot: LAKE });
        for (const t of r.tasks) assert.ok(t.ok, `${productType} ${layer}: ${t.error}`);
      }
      return day;
    })();
    days.set(productType, p);
  }
  return p;
}

Deno.test("demo day (MNQH6): every planted vacuum moves the composite its way", async () => {
  const release = holdParquetWorkers();
  try {
    const day = await demoDay("future_mbo", "MNQ");
    const lake = await openLake(LAKE);
    const cfg = await resolveVpConfig("future_mbo", day.symbol);
    const signals = (await computeVpDay(lake, cfg, DT)).signals;
    const vacuums = day.episodes.filter((e) => e.kind === "vacuum");
    assert.ok(vacuums.length >= 4, `the sidecar plants vacuums (${vacuums.length})`);
    const r = evaluateVpEpisodes(signals, day.episodes);
    const got = r.episodes.filter((e) => e.kind === "vacuum");
    assert.equal(got.length, vacuums.length);
    for (const [i, e] of got.entries()) {
      assert.equal(e.direction, episodeDirection(vacuums[i]));
      assert.ok(e.hit, `${e.side} vacuum at ${e.start_utc}: moved ${e.moved}`);
    }
    assert.ok(r.falseAlarmRate < 0.1, `false-alarm rate ${r.falseAlarmRate}`);
  } finally {
    release();
  }
});

Deno.test("demo day (QQQ): the planted vacuums, scored", async () => {
  const release = holdParquetWorkers();
  try {
    const day = await demoDay("equity_mbo", "QQQ");
    const lake = await openLake(LAKE);
    const cfg = await resolveVpConfig("equity_mbo", "QQQ");
    const r = evaluateVpEpisodes((await computeVpDay(lake, cfg, DT)).signals, day.episodes);
    const v = r.episodes.filter((e) => e.kind === "vacuum");
    assert.equal(v.length, day.episodes.filter((e) => e.kind === "vacuum").length);
    // 5 of the 6 move the composite their way; the miss (the ask vacuum at 20:01:55 UTC) has a
    // bullish composite throughout (+624 on average) but its 30 s baseline, during a run of ask
    // pulls just before it, was higher (+1,040). Recorded in docs/deviations.md (VP measurement).
    assert.deepEqual(v.map((e) => e.hit), [true, true, true, true, true, false]);
    const miss = v[5];
    assert.equal(miss.side, "ask");
    assert.ok(miss.mean_composite > 0);
  } finally {
    release();
  }
});

Deno.test("demo day replayed window by window equals the batch, value for value", async () => {
  const release = holdParquetWorkers();
  try {
    const day = await demoDay("future_mbo", "MNQ");
    const lake = await openLake(LAKE);
    const cfg = await resolveVpConfig("future_mbo", day.symbol);
    const batch = (await computeVpDay(lake, cfg, DT)).signals;
    const engine = new VpEngine(cfg);
    let i = 0;
    for await (const w of vpWindows(lake, cfg, DT, { batchRows: 50_000 })) {
      const row = engine.push(w);
      assert.equal(row.window_end_ts_ns, batch.window_end_ts_ns[i]);
      for (const c of VP_FLOAT_COLUMNS) {
        if (!Object.is(row[c], batch.values[c][i])) {
          assert.fail(`${c} at window ${i}: ${row[c]} vs ${batch.values[c][i]}`);
        }
      }
      assert.equal(row.mid_price ?? NaN, batch.mid_price[i]);
      i++;
    }
    assert.equal(i, batch.length);
    assert.equal(i, 23_401);
  } finally {
    release();
  }
});
