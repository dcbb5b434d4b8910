// The gold stage end to end on generated days (synthetic raw → bronze → silver → gold through the
// lake), and the stream: every silver window replayed one at a time through a fresh engine must
// reproduce every value of the batch partition. Also: the empty-input partition, lineage to the
// silver manifests, the smoothing next to spot on a generated day (§9 item 2), and equity gold
// on the real GOOG LOBSTER day (skipped without the fixtures).
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import { bronzeStages } from "../bronze/stages.ts";
import { isDictColumn } from "../lake/columns.ts";
import { datasetSpec, DEFAULT_CONFIG_DIR } from "../lake/datasets.ts";
import { type Lake, openLake } from "../lake/lake.ts";
import { manifestSha256, readManifest } from "../lake/manifest.ts";
import { partitionDir } from "../lake/paths.ts";
import { equityForSymbol, loadProducts, productForSymbol } from "../lake/products.ts";
import { readBatches, type ReadColumn } from "../lake/reader.ts";
import { writePartition } from "../lake/writer.ts";
import { importLobster } from "../lobster/import_lobster.ts";
import type { ProductType, StageContext } from "../pipeline/registry.ts";
import { StageRegistry } from "../pipeline/registry.ts";
import { runPipeline } from "../pipeline/runner.ts";
import { easternNs } from "../silver/session.ts";
import { runSilverStage, SILVER_STAGES } from "../silver/stages.ts";
import { generateDay } from "../synth/generate.ts";
import { fixturePath, skipUnlessFixtures } from "../testing/fixtures.ts";
import type { FlowRows, SilverWindow } from "./columns.ts";
import { buildGold, GOLD_STAGES, goldDataset } from "./stages.ts";
import { createSurfaceEngine, surfaceParams } from "./surface_engine.ts";

const DT = "2026-01-06";
const tmp = await Deno.makeTempDir({ prefix: "gold_stage_test_" });
const LAKE = join(tmp, "lake");
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(tmp, { recursive: true });
  } catch { /* gone */ }
});
const products = await loadProducts(join(DEFAULT_CONFIG_DIR, "products.yaml"));
const registry = () =>
  new StageRegistry().register(...bronzeStages, ...SILVER_STAGES, ...GOLD_STAGES);
/** A short output range keeps the dense surface small: 10:00–10:20 New York. */
const RANGE = { startNs: easternNs(DT, 10, 0), endNs: easternNs(DT, 10, 20) };

function ctx(lake: Lake, productType: ProductType, symbol: string): StageContext {
  const fut = productType === "future_mbo" || productType === "future_option_mbo";
  return {
    lake,
    products,
    productType,
    symbol,
    dt: DT,
    product: fut ? productForSymbol(products, symbol) : undefined,
    equity: fut ? undefined : equityForSymbol(products, symbol),
    overwrite: true,
    source: "synthetic",
    progress: () => {},
    log: () => {},
  };
}

let prepared: Promise<Lake> | null = null;
/** MNQ futures and options: raw → bronze (runner) → silver over RANGE. */
function prepare(): Promise<Lake> {
  return prepared ??= (async () => {
    for (const [pt, events] of [["future_mbo", 60_000], ["future_option_mbo", 30_000]] as const) {
      await generateDay({
        productType: pt,
        date: DT,
        seed: 11,
        lake: LAKE,
        events,
        compression: "none",
      });
      const r = await runPipeline({
        productType: pt,
        layer: "bronze",
        symbol: "MNQ",
        dates: [DT],
        lakeRoot: LAKE,
        registry: registry(),
      });
      assert.ok(r.tasks[0].ok, r.tasks[0].error);
    }
    const lake = await openLake(LAKE, { validateEvery: 1 });
    await runSilverStage(ctx(lake, "future_mbo", "MNQH6"), RANGE);
    await runSilverStage(ctx(lake, "future_option_mbo", "MNQH6"), RANGE);
    return lake;
  })();
}

/** Any read column → per-row numbers (bigint kept), strings as char codes. */
function values(c: ReadColumn, n: number): ArrayLike<number | bigint> {
  if (isDictColumn(c)) {
    return Array.from({ length: n }, (_, i) => c.values[c.codes[i]].charCodeAt(0));
  }
  return c as ArrayLike<number | bigint>;
}

/**
 * The stream side, read independently of the stage's window reader: the whole silver flow and
 * snapshot tables, cut into windows here, fed one window at a time to a fresh engine.
 */
async function streamDay(lake: Lake, pt: ProductType, symbol: string) {
  const key = { symbol, dt: DT };
  const flow: Record<string, (number | bigint)[]> = {};
  for await (const b of readBatches(lake, `silver.${pt}.depth_and_flow_1s`, key)) {
    for (const [k, c] of Object.entries(b.columns)) {
      const v = values(c, b.length);
      (flow[k] ??= []).push(...Array.from(v));
    }
  }
  const spots = new Map<bigint, bigint>();
  if (pt === "future_mbo" || pt === "equity_mbo") {
    for await (const b of readBatches(lake, `silver.${pt}.book_snapshot_1s`, key)) {
      const e = b.columns.window_end_ts_ns as BigInt64Array;
      const s = b.columns.spot_ref_price_int as BigInt64Array;
      for (let i = 0; i < b.length; i++) spots.set(e[i], s[i]);
    }
  }
  const f64 = (k: string) => Float64Array.from(flow[k] as number[]);
  const rows: FlowRows = {
    side: Uint8Array.from(flow.side as number[]),
    rel_ticks: Int32Array.from(flow.rel_ticks as number[]),
    spot_ref_price_int: BigInt64Array.from(flow.spot_ref_price_int as bigint[]),
    depth_qty_start: f64("depth_qty_start"),
    depth_qty_end: f64("depth_qty_end"),
    add_qty: f64("add_qty"),
    pull_qty: f64("pull_qty"),
    fill_qty: f64("fill_qty"),
    window_valid: Uint8Array.from(flow.window_valid as number[]),
    rel_ticks_side: flow.rel_ticks_side
      ? Int32Array.from(flow.rel_ticks_side as number[])
      : undefined,
    depth_qty_rest: flow.depth_qty_rest ? f64("depth_qty_rest") : undefined,
    right: flow.right ? Uint8Array.from(flow.right as number[]) : undefined,
    strike_price_int: flow.strike_price_int
      ? BigInt64Array.from(flow.strike_price_int as bigint[])
      : undefined,
    strike_points: flow.strike_points ? f64("strike_points") : undefined,
  };
  const ends = flow.window_end_ts_ns as bigint[];
  // every snapshot second is a window (seconds without rows included), in time order
  const windowEnds = [...new Set([...spots.keys(), ...ends])].sort((a, b) => (a < b ? -1 : 1));
  const firstRow = new Map<bigint, [number, number]>();
  for (let i = 0; i < ends.length; i++) {
    const r = firstRow.get(ends[i]);
    if (r) r[1] = i + 1;
    else firstRow.set(ends[i], [i, i + 1]);
  }
  const eng = createSurfaceEngine(pt, surfaceParams(products, pt, symbol));
  const out: Record<string, (number | bigint)[]> = {};
  for (const e of windowEnds) {
    const [start, end] = firstRow.get(e) ?? [0, 0];
    const w: SilverWindow = {
      window_end_ts_ns: e,
      spot_ref_price_int: spots.get(e) ?? null,
      rows,
      start,
      end,
    };
    const s = eng.step(w) as unknown as Record<string, ArrayLike<number | bigint>>;
    const n = (s as unknown as { length: number }).length;
    for (const [k, v] of Object.entries(s)) {
      if (k === "length") continue;
      const a = (out[k] ??= []);
      for (let i = 0; i < n; i++) a.push(v[i]);
    }
  }
  return out;
}

async function readGold(lake: Lake, pt: ProductType, symbol: string) {
  const out: Record<string, (number | bigint)[]> = {};
  for await (const b of readBatches(lake, goldDataset(pt), { symbol, dt: DT })) {
    for (const [k, c] of Object.entries(b.columns)) {
      const v = values(c, b.length);
      const a = (out[k] ??= []);
      for (let i = 0; i < b.length; i++) a.push(v[i]);
    }
  }
  return out;
}

function assertSame(batch: Record<string, (number | bigint)[]>, stream: typeof batch) {
  assert.deepEqual(Object.keys(stream).sort(), Object.keys(batch).sort());
  const n = batch.window_end_ts_ns.length;
  assert.ok(n > 0);
  for (const k of Object.keys(batch)) {
    assert.equal(stream[k].length, n, `${k}: row count`);
    for (let i = 0; i < n; i++) {
      const a = batch[k][i], b = stream[k][i];
      // equal values (0 and -0 alike: Parquet keeps the value, not always the sign of zero)
      if (a !== b && !(a !== a && b !== b)) {
        assert.fail(`${k}[${i}]: batch ${batch[k][i]} vs stream ${stream[k][i]}`);
      }
    }
  }
  return n;
}

Deno.test("gold future_mbo: batch partition == one-window-at-a-time stream, every value", async () => {
  const lake = await prepare();
  const res = await runPipeline({
    productType: "future_mbo",
    layer: "gold",
    symbol: "MNQH6",
    dates: [DT],
    lakeRoot: LAKE,
    registry: registry(),
  });
  assert.ok(res.tasks[0].ok, res.tasks[0].error);
  const batch = await readGold(lake, "future_mbo", "MNQH6");
  const n = assertSame(batch, await streamDay(lake, "future_mbo", "MNQH6"));
  // 20 minutes + 1 window, both sides, 2G + 1 ticks (G = 400 for MNQ in products.yaml)
  assert.equal(n, 1201 * 2 * 801);
  // lineage: both silver manifests, by hash
  const spec = datasetSpec(lake.config, goldDataset("future_mbo"));
  const m = await readManifest(partitionDir(lake.root, spec, { symbol: "MNQH6", dt: DT }));
  assert.equal(m.stage, "gold_compute_physics_surface_1s");
  // datasets.yaml: Parquet v1 pages (plain doubles) with LZ4, as the footers say
  assert.deepEqual(m.parquet, {
    compression: "lz4_raw",
    level: 1,
    row_group_size: 122_880,
    version: 1,
  });
  const files = m.files.map((f) =>
    `'${join(partitionDir(lake.root, spec, { symbol: "MNQH6", dt: DT }), f.name)}'`
  );
  const meta = await (await DuckDBInstance.create(":memory:")).connect();
  const footer = await meta.runAndReadAll(
    `SELECT DISTINCT compression, encodings FROM parquet_metadata([${files.join(", ")}]) ` +
      `WHERE path_in_schema = 'u_near'`,
  );
  assert.deepEqual(footer.getRows(), [["LZ4_RAW", "PLAIN"]]);
  meta.closeSync();
  const inputs = m.inputs as { dataset: string; manifest_sha256: string }[];
  assert.deepEqual(inputs.map((i) => i.dataset), [
    "silver.future_mbo.book_snapshot_1s",
    "silver.future_mbo.depth_and_flow_1s",
  ]);
  for (const i of inputs) {
    const d = partitionDir(lake.root, datasetSpec(lake.config, i.dataset), {
      symbol: "MNQH6",
      dt: DT,
    });
    assert.equal(i.manifest_sha256, await manifestSha256(d));
  }

  // §9 item 2 on a generated day: next to spot, where the bid book has depth, the near fields
  // are not zero (the original zeroes every bid tick ≥ −15 whenever ask ticks exist)
  const G = 400, F = 801;
  let liquid = 0, omegaNear = 0, uNear = 0;
  for (let i = 0; i < n; i += 2 * F) {
    for (let t = -3; t <= -1; t++) {
      const r = i + F + t + G; // bid frame
      if ((batch.rho[r] as number) > 0) {
        liquid++;
        if ((batch.Omega_near[r] as number) > 0) omegaNear++;
        if (batch.u_near[r] !== 0) uNear++;
      }
    }
  }
  assert.ok(liquid > 1000, `bid depth next to spot in ${liquid} cells`);
  // Omega > 0 wherever there is depth, so its smoothing is > 0 there; u_near is 0 only where
  // the EMAs of the whole neighbourhood are (e.g. resting depth that never saw flow)
  assert.equal(omegaNear, liquid);
  assert.ok(uNear >= 0.99 * liquid, `u_near non-zero in ${uNear} of ${liquid}`);
});

Deno.test("gold future_option_mbo: batch partition == stream, every value", async () => {
  const lake = await prepare();
  await buildGold(
    lake,
    "future_option_mbo",
    "MNQH6",
    DT,
    surfaceParams(products, "future_option_mbo", "MNQH6"),
    { overwrite: true },
  );
  const batch = await readGold(lake, "future_option_mbo", "MNQH6");
  const n = assertSame(batch, await streamDay(lake, "future_option_mbo", "MNQH6"));
  assert.ok(n > 0 && n <= 1201 * 84);
});

Deno.test("gold on empty silver: a valid empty partition with the contract's columns", async () => {
  const lake = await openLake(join(tmp, "empty"), { validateEvery: 1 });
  const key = { symbol: "MNQH6", dt: DT };
  await writePartition(lake, "silver.future_mbo.book_snapshot_1s", key, []);
  await writePartition(lake, "silver.future_mbo.depth_and_flow_1s", key, []);
  const out = await buildGold(lake, "future_mbo", "MNQH6", DT, { gridMaxTicks: 400 });
  assert.equal(out.rows, 0);
  const spec = datasetSpec(lake.config, goldDataset("future_mbo"));
  const m = await readManifest(partitionDir(lake.root, spec, key));
  assert.equal(m.row_count, 0);
  const batches = [];
  for await (const b of readBatches(lake, goldDataset("future_mbo"), key)) batches.push(b);
  assert.equal(batches.reduce((a, b) => a + b.length, 0), 0);
});

Deno.test("gold without silver: a clear error naming the missing partition", async () => {
  const lake = await openLake(join(tmp, "none"));
  await assert.rejects(
    buildGold(lake, "equity_mbo", "QQQ", DT, {}),
    /silver\.equity_mbo\.book_snapshot_1s QQQ 2026-01-06 is missing.*--layer silver/,
  );
});

const GOOG_M = "real/lobster/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz";
const GOOG_O = "real/lobster/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz";

Deno.test({
  name:
    "gold equity_mbo on the real GOOG LOBSTER day: import → silver → gold, one row per valid silver row",
  ignore: skipUnlessFixtures(GOOG_M, GOOG_O),
  fn: async () => {
    const root = join(tmp, "goog");
    await importLobster(fixturePath(GOOG_M), fixturePath(GOOG_O), { lake: root });
    const lake = await openLake(root);
    for (const layer of ["silver", "gold"]) {
      const r = await runPipeline({
        productType: "equity_mbo",
        layer,
        symbol: "GOOG",
        dates: ["2012-06-21"],
        lakeRoot: root,
        registry: registry(),
      });
      assert.ok(r.tasks[0].ok, r.tasks[0].error);
    }
    const read = async (ds: string) => {
      let n = 0, pos = 0, neg = 0, kept = 0;
      for await (const b of readBatches(lake, ds, { symbol: "GOOG", dt: "2012-06-21" })) {
        n += b.length;
        const v = b.columns.liquidity_velocity as Float64Array | undefined;
        if (v) { for (const x of v) x > 0 ? pos++ : x < 0 ? neg++ : 0; }
        const ok = b.columns.window_valid as Uint8Array | undefined;
        const spot = b.columns.spot_ref_price_int as BigInt64Array;
        if (ok) { for (let i = 0; i < b.length; i++) if (ok[i] && spot[i] > 0n) kept++; }
      }
      return { n, pos, neg, kept };
    };
    const silver = await read("silver.equity_mbo.depth_and_flow_1s");
    const gold = await read(goldDataset("equity_mbo"));
    // one gold row per silver row of a valid window with a spot (the gold filter)
    assert.equal(gold.n, silver.kept);
    assert.ok(gold.n > 600_000);
    assert.ok(gold.pos > 0 && gold.neg > 0);
  },
});
