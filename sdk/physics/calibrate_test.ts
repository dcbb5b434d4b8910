import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { withScratchLake } from "../testing/scratch_lake.ts";
import type { Lake } from "../lake/lake.ts";
import { datasetSpec, DEFAULT_CONFIG_DIR } from "../lake/datasets.ts";
import { partitionDir } from "../lake/paths.ts";
import { loadProducts } from "../lake/products.ts";
import { writePartition } from "../lake/writer.ts";
import type { ColumnBatch } from "../lake/columns.ts";
import { easternNs } from "../silver/session.ts";
import {
  discoverDays,
  evaluatePhysics,
  fitPhysics,
  readParams,
  sortedJson,
  writeJsonAtomic,
} from "./calibrate.ts";

const TICK = 250_000_000n;
const DAYS = ["2026-01-05", "2026-01-06", "2026-01-07"];
// spot moves +4, +2, +1, then flat: the fit's samples (v_t → v_{t+1}) are (4→2), (2→1), (1→0),
// (0→0) ×5 per day, so a = (8 + 2)/(16 + 4 + 1) = 10/21 and, with no force field, b = 0
const SPOT = [0, 4, 6, 7, 7, 7, 7, 7, 7, 7];

function ends(dt: string): bigint[] {
  const t0 = easternNs(dt, 9, 30);
  return SPOT.map((_, i) => t0 + BigInt(i) * 1_000_000_000n);
}

/** A gold future_mbo surface: two rows per window (bid at −1, ask at +1), force fields 0. */
async function writeSurface(lake: Lake, symbol: string, dt: string): Promise<void> {
  const key = "gold.future_mbo.physics_surface_1s";
  const spec = datasetSpec(lake.config, key);
  const e = ends(dt), n = e.length * 2;
  const batch: ColumnBatch = {};
  for (const f of spec.contract.fields) {
    if (f.type === "double") batch[f.name] = new Float64Array(n);
  }
  batch.window_end_ts_ns = BigInt64Array.from(e.flatMap((t) => [t, t]));
  batch.event_ts_ns = batch.window_end_ts_ns;
  batch.spot_ref_price_int = BigInt64Array.from(
    SPOT.flatMap((s) => [BigInt(24000 + s) * TICK, BigInt(24000 + s) * TICK]),
  );
  batch.rel_ticks = Int32Array.from(e.flatMap(() => [-1, 1]));
  batch.rel_ticks_side = Int32Array.from(e.flatMap(() => [-1, 1]));
  batch.side = e.flatMap(() => ["B", "A"]);
  batch.nu = new Float64Array(n).fill(1);
  batch.kappa = new Float64Array(n).fill(1);
  const ordered: ColumnBatch = {};
  for (const f of spec.contract.fields) ordered[f.name] = batch[f.name];
  await writePartition(lake, key, { symbol, dt }, [ordered]);
}

async function writeOptions(lake: Lake, symbol: string, dt: string): Promise<void> {
  const key = "gold.future_option_mbo.physics_surface_1s";
  const spec = datasetSpec(lake.config, key);
  const e = ends(dt), n = e.length;
  const batch: ColumnBatch = {};
  for (const f of spec.contract.fields) {
    if (f.type === "double") batch[f.name] = new Float64Array(n);
  }
  batch.window_end_ts_ns = BigInt64Array.from(e);
  batch.event_ts_ns = batch.window_end_ts_ns;
  batch.spot_ref_price_int = new BigInt64Array(n).fill(24000n * TICK);
  batch.strike_price_int = new BigInt64Array(n).fill(24020n * TICK);
  batch.strike_points = new Float64Array(n).fill(6005);
  batch.rel_ticks = new Int32Array(n).fill(20);
  batch.right = e.map(() => "C");
  batch.side = e.map(() => "A");
  const ordered: ColumnBatch = {};
  for (const f of spec.contract.fields) ordered[f.name] = batch[f.name];
  await writePartition(lake, key, { symbol, dt }, [ordered]);
}

function manifestSha(lake: Lake, key: string, symbol: string, dt: string): string {
  const dir = partitionDir(lake.root, datasetSpec(lake.config, key), { symbol, dt });
  return createHash("sha256").update(Deno.readFileSync(join(dir, "_MANIFEST.json"))).digest(
    "hex",
  );
}

Deno.test(
  "fit and evaluation over gold partitions: root lookup, same-root options, lineage, hand fit",
  withScratchLake(async (lake) => {
    const products = await loadProducts(`${DEFAULT_CONFIG_DIR}/products.yaml`);
    for (const dt of DAYS) await writeSurface(lake, "MNQH6", dt);
    // options of the same contract on the first day only; another root's options every day
    await writeOptions(lake, "MNQH6", DAYS[0]);
    for (const dt of DAYS) await writeOptions(lake, "ESH6", dt);

    const days = await discoverDays(lake, products, "future_mbo", "MNQ");
    assert.deepEqual(days.map((d) => [d.dt, d.symbol, d.optionsSymbol, d.hasSnapshot]), [
      [DAYS[0], "MNQH6", "MNQH6", false],
      [DAYS[1], "MNQH6", null, false],
      [DAYS[2], "MNQH6", null, false],
    ]);

    const params = await fitPhysics({
      lake,
      products,
      productType: "future_mbo",
      symbol: "MNQ",
      horizons: [1, 2],
    });
    assert.deepEqual(params.train_dates, DAYS.slice(0, 2));
    assert.deepEqual(params.holdout_dates, DAYS.slice(2));
    assert.equal(params.train_samples, 16);
    assert.ok(Math.abs(params.fit.a - 10 / 21) < 1e-12);
    assert.equal(params.beta, 0);
    assert.ok(Math.abs(params.gamma - 11 / 21) < 1e-12);
    assert.deepEqual(params.lattice, { root: "MNQ", grid_max: 400, unit_int: 250_000_000 });
    assert.deepEqual(
      params.lineage.map((l) => [l.session_date, l.role, l.futures_manifest, l.options_manifest]),
      [
        [
          DAYS[0],
          "train",
          manifestSha(lake, "gold.future_mbo.physics_surface_1s", "MNQH6", DAYS[0]),
          manifestSha(lake, "gold.future_option_mbo.physics_surface_1s", "MNQH6", DAYS[0]),
        ],
        [
          DAYS[1],
          "train",
          manifestSha(lake, "gold.future_mbo.physics_surface_1s", "MNQH6", DAYS[1]),
          null,
        ],
        [
          DAYS[2],
          "holdout",
          manifestSha(lake, "gold.future_mbo.physics_surface_1s", "MNQH6", DAYS[2]),
          null,
        ],
      ],
    );
    // persistence baseline at h = 1: Σ v0·y / Σ v0² over both days = 10/21 as well
    assert.ok(Math.abs(params.baselines.persistence[0] - 10 / 21) < 1e-12);

    const path = join(lake.root, "physics", "params.json");
    await writeJsonAtomic(path, params);
    const text = await Deno.readTextFile(path);
    assert.equal(text, sortedJson(params));
    assert.ok(text.indexOf('"baselines"') < text.indexOf('"beta"'));
    const back = await readParams(path);

    const report = await evaluatePhysics({ lake, products, params: back, resamples: 100 }, path);
    const h1 = report.metrics.horizons["1"];
    // 10 windows: 9 origins with a 1 s outcome; moves at the first three (4, 2, 1)
    assert.equal(h1.samples, 9);
    assert.equal(h1.moves, 3);
    assert.ok(Math.abs(h1.flat_share.value! - 6 / 9) < 1e-12);
    // model (β 0, γ 11/21): from v0 = 0, 4, 2, 1 the first step is rint(10/21·v0) = 0, 2, 1, 0
    // → the origin with v0 = 4 (outcome +2) and v0 = 2 (outcome +1) are called right; the first
    // origin (v0 = 0, outcome +4) is missed
    assert.ok(Math.abs(h1.models.model.sign_hit_rate.value! - 2 / 3) < 1e-12);
    assert.equal(report.params_path, path);
    assert.equal(typeof report.summary, "string");
  }),
);

Deno.test(
  "fit errors name what is missing",
  withScratchLake(async (lake) => {
    const products = await loadProducts(`${DEFAULT_CONFIG_DIR}/products.yaml`);
    await assert.rejects(
      fitPhysics({ lake, products, productType: "future_mbo", symbol: "MNQ" }),
      /no complete gold.future_mbo.physics_surface_1s partition for 'MNQ'/,
    );
    await writeSurface(lake, "MNQH6", DAYS[0]);
    await assert.rejects(
      fitPhysics({ lake, products, productType: "future_mbo", symbol: "MNQH6" }),
      /1 day\(s\) with gold: a day split needs at least 2/,
    );
    await Deno.writeTextFile(join(lake.root, "bad.json"), '{"beta": 1}');
    await assert.rejects(readParams(join(lake.root, "bad.json")), /no 'gamma'/);
  }),
);
