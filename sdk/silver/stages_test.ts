// End to end on generated days: synthetic raw files → bronze → silver for the four product types
// through the pipeline runner, then every silver row read back from the lake and checked: the
// accounting identity, the window grid, the strike grids, and the lineage in the manifests.
import assert from "node:assert/strict";
import { join } from "node:path";
import { bronzeStages } from "../bronze/stages.ts";
import { openLake } from "../lake/lake.ts";
import { readManifest } from "../lake/manifest.ts";
import { partitionDir } from "../lake/paths.ts";
import { openLakeDuckDB, readBatches } from "../lake/reader.ts";
import { datasetSpec } from "../lake/datasets.ts";
import { StageRegistry } from "../pipeline/registry.ts";
import { runPipeline } from "../pipeline/runner.ts";
import { generateDay } from "../synth/generate.ts";
import { regularSession } from "./session.ts";
import { SILVER_STAGES } from "./stages.ts";

const DT = "2026-01-06";
const tmp = await Deno.makeTempDir({ prefix: "silver_stage_test_" });
const LAKE = join(tmp, "lake");
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(tmp, { recursive: true });
  } catch { /* gone */ }
});

const registry = () => new StageRegistry().register(...bronzeStages, ...SILVER_STAGES);

async function pipeline(productType: string, layer: string, symbol: string) {
  const r = await runPipeline({
    productType,
    layer,
    symbol,
    dates: [DT],
    lakeRoot: LAKE,
    registry: registry(),
  });
  for (const t of r.tasks) assert.ok(t.ok, `${productType} ${layer}: ${t.error}`);
  return r.tasks[0];
}

let prepared: Promise<void> | null = null;
function prepare(): Promise<void> {
  return prepared ??= (async () => {
    const days: [string, string, number][] = [
      ["future_mbo", "MNQ", 60_000],
      ["future_option_mbo", "MNQ", 30_000],
      ["equity_mbo", "QQQ", 40_000],
      ["equity_option_cmbp_1", "QQQ", 30_000],
    ];
    for (const [pt, sym, events] of days) {
      await generateDay({
        productType: pt as "future_mbo",
        date: DT,
        seed: 5,
        lake: LAKE,
        events,
        symbol: sym,
        compression: "none",
      });
      await pipeline(pt, "bronze", sym);
    }
  })();
}

type Cols = Record<string, Float64Array>;

/** Reads columns of a silver partition as Float64Arrays (strings: their first char code). */
async function readAll(dataset: string, symbol: string, columns: string[]): Promise<Cols> {
  const lake = await openLake(LAKE);
  const parts: Record<string, Float64Array[]> = Object.fromEntries(columns.map((c) => [c, []]));
  let n = 0;
  for await (const b of readBatches(lake, dataset, { symbol, dt: DT }, { columns })) {
    for (const c of columns) {
      let col = b.columns[c] as unknown;
      // nullable columns: the data, nulls as NaN below
      const valid = col && typeof col === "object" && "valid" in col
        ? (col as { valid: Uint8Array }).valid
        : null;
      if (valid) col = (col as { data: unknown }).data;
      let out: Float64Array;
      if (col && typeof col === "object" && "codes" in col) {
        const d = col as { codes: ArrayLike<number>; values: readonly string[] };
        const table = d.values.map((v) => v.charCodeAt(0));
        out = Float64Array.from({ length: b.length }, (_, i) => table[d.codes[i]]);
      } else if (col instanceof BigInt64Array) {
        // exact for |x| < 2^53: hi * 2^32 + lo
        const w = new Int32Array(col.buffer, col.byteOffset, col.length * 2);
        out = new Float64Array(b.length);
        for (let i = 0; i < b.length; i++) out[i] = w[2 * i + 1] * 4294967296 + (w[2 * i] >>> 0);
      } else {
        out = Float64Array.from(col as ArrayLike<number>);
      }
      if (valid) { for (let i = 0; i < b.length; i++) if (!valid[i]) out[i] = NaN; }
      parts[c].push(out);
    }
    n += b.length;
  }
  const all: Cols = {};
  for (const c of columns) {
    const a = new Float64Array(n);
    let at = 0;
    for (const p of parts[c]) {
      a.set(p, at);
      at += p.length;
    }
    all[c] = a;
  }
  return all;
}

const some = (a: Float64Array, f: (x: number) => boolean) => a.some(f);
const every = (a: Float64Array, f: (x: number) => boolean) => a.every(f);

function checkIdentity(f: Cols, withFill: boolean): number {
  const n = f.depth_qty_end.length;
  assert.ok(n > 0);
  for (let i = 0; i < n; i++) {
    const lhs = f.depth_qty_start[i] + f.add_qty[i] - f.pull_qty[i] -
      (withFill ? f.fill_qty[i] : 0);
    if (lhs !== f.depth_qty_end[i] || f.depth_qty_start[i] < 0) {
      const row = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v[i]]));
      assert.fail(`identity broken on row ${i}: ${JSON.stringify(row)}`);
    }
  }
  return n;
}

/**
 * The start depth of a cell equals its end depth in the previous window whenever the cell had a
 * row there (rows are keyed by `key(i)`); returns the number of cells compared.
 */
function checkContinuity(f: Cols, key: (i: number) => number): number {
  let prevWindow = -1, curWindow = -1;
  let prev = new Map<number, number>(), cur = new Map<number, number>();
  let compared = 0;
  for (let i = 0; i < f.window_end_ts_ns.length; i++) {
    const w = f.window_end_ts_ns[i];
    if (w !== curWindow) {
      [prev, cur] = [cur, new Map()];
      prevWindow = curWindow;
      curWindow = w;
    }
    const k = key(i);
    cur.set(k, f.depth_qty_end[i]);
    if (prevWindow === w - 1e9 && prev.has(k)) {
      if (prev.get(k) !== f.depth_qty_start[i]) {
        assert.fail(
          `row ${i}: start ${f.depth_qty_start[i]} but the previous window ended at ${prev.get(k)}`,
        );
      }
      compared++;
    }
  }
  return compared;
}

const session = regularSession(DT);
const WINDOWS = Number((session.endNs - session.startNs) / 1_000_000_000n) + 1; // 23,401

Deno.test("silver future_mbo and future_option_mbo on a generated day", async () => {
  await prepare();
  const fut = await pipeline("future_mbo", "silver", "MNQ");
  const contract = fut.stages[0].symbol;
  const snap = await readAll("silver.future_mbo.book_snapshot_1s", contract, [
    "window_end_ts_ns",
    "spot_ref_price_int",
    "book_valid",
  ]);
  assert.equal(snap.window_end_ts_ns.length, WINDOWS); // the whole regular session, not 09:30–09:40
  assert.equal(snap.window_end_ts_ns[0], Number(session.startNs));
  assert.ok(every(snap.spot_ref_price_int, (s) => s > 0 && s % 250_000_000 === 0));
  // a naive spread query (issue 10): one-sided windows give NULL, never an absurd spread
  const db = await openLakeDuckDB(await openLake(LAKE));
  try {
    const r = await db.connection.runAndReadAll(
      `SELECT count(*) FILTER (WHERE spread IS NOT NULL AND (spread < 1 OR spread > 400)) AS absurd,
              count(*) FILTER (WHERE spread IS NULL) AS one_sided,
              count(*) FILTER (WHERE (best_bid_price_int IS NULL OR best_ask_price_int IS NULL)
                                 <> (mid_price IS NULL)) AS mid_mismatch,
              min(spread) AS lo, max(spread) AS hi
       FROM (SELECT *, (best_ask_price_int - best_bid_price_int) / 250000000 AS spread
             FROM silver_future_mbo_book_snapshot_1s WHERE book_valid)`,
    );
    const [row] = r.getRowObjects();
    assert.equal(Number(row.absurd), 0, `spread range ${row.lo}..${row.hi} ticks`);
    assert.equal(Number(row.mid_mismatch), 0);
    assert.ok(Number(row.lo) >= 1);
    assert.ok(Number(row.one_sided) > 0); // the day has one-sided valid windows (23 with seed 5)
  } finally {
    db.close();
  }
  const cols = [
    "window_end_ts_ns",
    "price_int",
    "side",
    "rel_ticks",
    "depth_qty_start",
    "depth_qty_end",
    "add_qty",
    "pull_qty",
    "fill_qty",
    "depth_qty_rest",
    "pull_qty_rest",
  ];
  const flow = await readAll("silver.future_mbo.depth_and_flow_1s", contract, cols);
  const rows = checkIdentity(flow, true);
  for (let i = 0; i < rows; i++) {
    assert.ok(
      Math.abs(flow.rel_ticks[i]) <= 400 && flow.depth_qty_rest[i] <= flow.depth_qty_end[i],
    );
  }
  assert.ok(some(flow.fill_qty, (x) => x > 0) && some(flow.pull_qty_rest, (x) => x > 0));
  const lake = await openLake(LAKE);
  const m = await readManifest(
    partitionDir(LAKE, datasetSpec(lake.config, "silver.future_mbo.depth_and_flow_1s"), {
      symbol: contract,
      dt: DT,
    }),
  );
  assert.equal(m.row_count, rows);
  assert.equal(m.stage, "silver_compute_book_states_1s");
  assert.deepEqual(m.inputs.map((x) => "dataset" in x && x.dataset), ["bronze.future_mbo.mbo"]);

  const opt = await pipeline("future_option_mbo", "silver", "MNQ");
  assert.equal(opt.stages[0].symbol, contract);
  const oflow = await readAll("silver.future_option_mbo.depth_and_flow_1s", contract, [
    "window_end_ts_ns",
    "right",
    "side",
    "rel_ticks",
    "strike_price_int",
    "spot_ref_price_int",
    "depth_qty_start",
    "depth_qty_end",
    "add_qty",
    "pull_qty",
    "fill_qty",
    "accounting_identity_valid",
  ]);
  const orows = checkIdentity(oflow, true);
  assert.equal(orows, WINDOWS * 84); // a dense 21 × 2 × 2 grid in every window (no caps)
  const cell = (f: Cols) => (i: number) =>
    f.strike_price_int[i] * 4 + (f.right[i] === 67 ? 2 : 0) + (f.side[i] === 66 ? 1 : 0);
  assert.ok(checkContinuity(oflow, cell(oflow)) > orows / 2);
  for (let i = 0; i < orows; i++) {
    assert.equal(oflow.strike_price_int[i] % 5_000_000_000, 0);
    assert.equal(
      oflow.rel_ticks[i],
      Math.floor((oflow.strike_price_int[i] - oflow.spot_ref_price_int[i]) / 250_000_000),
    );
  }
  assert.ok(every(oflow.accounting_identity_valid, (v) => v === 1));
  assert.ok(some(oflow.add_qty, (x) => x > 0) && some(oflow.depth_qty_end, (x) => x > 0));
});

Deno.test("silver equity_mbo and equity_option_cmbp_1 on a generated day", async () => {
  await prepare();
  await pipeline("equity_mbo", "silver", "QQQ");
  const snap = await readAll("silver.equity_mbo.book_snapshot_1s", "QQQ", [
    "window_end_ts_ns",
    "spot_ref_price_int",
  ]);
  assert.equal(snap.window_end_ts_ns.length, WINDOWS);
  assert.ok(every(snap.spot_ref_price_int, (s) => s > 0 && s % 500_000_000 === 0));
  const flow = await readAll("silver.equity_mbo.depth_and_flow_1s", "QQQ", [
    "price_int",
    "spot_ref_price_int",
    "rel_ticks",
    "depth_qty_start",
    "depth_qty_end",
    "add_qty",
    "pull_qty",
    "fill_qty",
    "depth_qty_rest",
  ]);
  const rows = checkIdentity(flow, true);
  for (let i = 0; i < rows; i++) {
    assert.equal(flow.rel_ticks[i], (flow.price_int[i] - flow.spot_ref_price_int[i]) / 500_000_000);
    assert.ok(
      Math.abs(flow.rel_ticks[i]) <= 100 && flow.depth_qty_rest[i] <= flow.depth_qty_end[i],
    );
  }

  await pipeline("equity_option_cmbp_1", "silver", "QQQ");
  const oflow = await readAll("silver.equity_option_cmbp_1.depth_and_flow_1s", "QQQ", [
    "window_end_ts_ns",
    "right",
    "side",
    "depth_qty_start",
    "depth_qty_end",
    "add_qty",
    "pull_qty",
    "fill_qty",
    "pull_qty_rest",
    "strike_price_int",
  ]);
  const orows = checkIdentity(oflow, false);
  assert.equal(orows, WINDOWS * 204);
  const key = (i: number) =>
    oflow.strike_price_int[i] * 4 + (oflow.right[i] === 67 ? 2 : 0) +
    (oflow.side[i] === 66 ? 1 : 0);
  assert.ok(checkContinuity(oflow, key) > orows / 2);
  assert.ok(every(oflow.fill_qty, (x) => x === 0) && every(oflow.pull_qty_rest, (x) => x === 0));
  assert.ok(every(oflow.strike_price_int, (s) => s % 1_000_000_000 === 0));
  assert.ok(some(oflow.depth_qty_end, (x) => x > 0));
  const osnap = await readAll("silver.equity_option_cmbp_1.book_snapshot_1s", "QQQ", [
    "bid_price_int",
    "ask_price_int",
  ]);
  assert.ok(osnap.bid_price_int.length > 0);
  for (let i = 0; i < osnap.bid_price_int.length; i++) {
    assert.ok(osnap.ask_price_int[i] > osnap.bid_price_int[i]);
  }
});
