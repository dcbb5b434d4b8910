import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeDbn, type MboMsg, type Metadata } from "../dbn/mod.ts";
import { rawSpec } from "../lake/datasets.ts";
import { openLake } from "../lake/lake.ts";
import { tableDir } from "../lake/paths.ts";
import { holdParquetWorkers } from "../lake/_sink.ts";
import { bronzeIngestFutureMbo } from "../bronze/stages.ts";
import { type Stage, StageRegistry } from "./registry.ts";
import { planRun, runPipeline } from "./runner.ts";

// scratch lakes of this module, removed when the test module ends
const TMP = Deno.makeTempDirSync({ prefix: "spymaster-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));

Deno.test("registry: unknown values and unregistered layers are clear errors", async () => {
  const reg = new StageRegistry().register(bronzeIngestFutureMbo);
  assert.throws(
    () => reg.register(bronzeIngestFutureMbo),
    /stage 'bronze_ingest_future_mbo' is already registered/,
  );
  assert.throws(
    () => reg.stages("future_mbo", "silver"),
    /layer silver is not implemented for future_mbo: no stage is registered \(registered layers: bronze\)/,
  );
  const lakeRoot = await Deno.makeTempDir({ dir: TMP });
  const run = (o: Record<string, unknown>) =>
    runPipeline({
      productType: "future_mbo",
      layer: "bronze",
      symbol: "MNQ",
      dates: ["2026-02-06"],
      lakeRoot,
      registry: reg,
      ...o,
    });
  await assert.rejects(
    () => run({ productType: "futures" }),
    /unknown product type 'futures' \(valid: future_mbo, future_option_mbo, equity_mbo, equity_option_cmbp_1\)/,
  );
  await assert.rejects(
    () => run({ layer: "platinum" }),
    /unknown layer 'platinum' \(valid: bronze, silver, gold, all\)/,
  );
  await assert.rejects(
    () => run({ layer: "gold" }),
    /layer gold is not implemented for future_mbo/,
  );
  // `all` is every registered layer in order: only bronze is registered here
  assert.deepStrictEqual(
    (await planRun({
      productType: "future_mbo",
      layer: "all",
      symbol: "MNQ",
      dates: ["2026-02-06"],
      lakeRoot,
      registry: reg,
    })).plan.layers,
    [
      "bronze",
    ],
  );
  await assert.rejects(
    () => run({ symbol: "ZN" }),
    /unknown futures root for symbol 'ZN' \(valid roots: 6E, CL, ES, GC, MES, MNQ, NQ, SI\)/,
  );
  await assert.rejects(
    () => run({ productType: "equity_mbo", symbol: "ZZZZ", registry: undefined }),
    /unknown equity ticker 'ZZZZ' \(valid: GOOG, QQQ, SPY;/,
  );
  await assert.rejects(() => run({ dates: [] }), /Must provide --dt/);
});

const ns = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
function dayFile(
  dt: string,
  symbols: Record<number, string>,
  perId: Record<number, number>,
): Uint8Array {
  const next = new Date(Date.parse(`${dt}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const md: Metadata = {
    version: 3,
    dataset: "GLBX.MDP3",
    schema: "mbo",
    start: ns(`${dt}T00:00:00Z`),
    end: null,
    limit: 0n,
    stype_in: "raw_symbol",
    stype_out: "instrument_id",
    ts_out: false,
    symbol_cstr_len: 71,
    symbols: Object.values(symbols),
    partial: [],
    not_found: [],
    mappings: Object.entries(symbols).map(([id, s]) => ({
      raw_symbol: s,
      intervals: [{ start_date: dt, end_date: next, symbol: id }],
    })),
  };
  const recs: MboMsg[] = [];
  let k = 0;
  for (const [id, n] of Object.entries(perId)) {
    for (let i = 0; i < n; i++, k++) {
      const ts = ns(`${dt}T14:30:00Z`) + BigInt(k) * 1_000_000n;
      recs.push({
        rtype: 0xa0,
        length: 14,
        publisher_id: 1,
        instrument_id: Number(id),
        ts_event: ts,
        order_id: BigInt(k + 1),
        price: 21_000_000_000_000n,
        size: 1,
        flags: 128,
        channel_id: 0,
        action: "A",
        side: "B",
        ts_recv: ts,
        ts_in_delta: 0,
        sequence: k,
      });
    }
  }
  return encodeDbn(md, recs);
}

Deno.test("runner: later layers get the most active contract; a failing task fails the run, not the others", async () => {
  const release = holdParquetWorkers();
  try {
    const lake = await openLake(await Deno.makeTempDir({ dir: TMP }));
    const dir = tableDir(lake.root, rawSpec(lake.config, "future_mbo.mbo"), "MNQ", "databento");
    await Deno.mkdir(dir, { recursive: true });
    // 2026-02-06: MNQM6 is the more active contract; 2026-02-09: no raw file at all
    await Deno.writeFile(
      join(dir, "glbx-mdp3-20260206.mbo.dbn"),
      dayFile("2026-02-06", { 1: "MNQH6", 2: "MNQM6" }, { 1: 2, 2: 5 }),
    );
    const seen: string[] = [];
    const fake = (layer: "silver" | "gold"): Stage => ({
      name: `${layer}_probe`,
      layer,
      productType: "future_mbo",
      run: (ctx) => {
        seen.push(`${layer} ${ctx.symbol} ${ctx.dt} tick=${ctx.product?.tick_int}`);
        return Promise.resolve({ partitions: [] });
      },
    });
    const registry = new StageRegistry().register(
      bronzeIngestFutureMbo,
      fake("silver"),
      fake("gold"),
    );
    const r = await runPipeline({
      productType: "future_mbo",
      layer: "all",
      symbol: "MNQ",
      dates: ["2026-02-09", "2026-02-06"],
      lakeRoot: lake.root,
      registry,
    });
    assert.equal(r.failed, 1);
    assert.deepStrictEqual(r.tasks.map((t) => [t.dt, t.ok]), [["2026-02-06", true], [
      "2026-02-09",
      false,
    ]]);
    assert.match(
      r.tasks[1].error!,
      /no raw future_mbo.mbo file for MNQ on 2026-02-09 from source databento: expected \*20260209\*/,
    );
    assert.deepStrictEqual(r.tasks[0].stages.map((s) => [s.stage, s.symbol]), [
      ["bronze_ingest_future_mbo", "MNQ"],
      ["silver_probe", "MNQM6"],
      ["gold_probe", "MNQM6"],
    ]);
    // silver alone with a root: resolved from the bronze partitions on disk; with a contract: as given
    seen.length = 0;
    await runPipeline({
      productType: "future_mbo",
      layer: "silver",
      symbol: "MNQ",
      dates: ["2026-02-06"],
      lakeRoot: lake.root,
      registry,
    });
    await runPipeline({
      productType: "future_mbo",
      layer: "silver",
      symbol: "MNQH6",
      dates: ["2026-02-06"],
      lakeRoot: lake.root,
      registry,
    });
    const none = await runPipeline({
      productType: "future_mbo",
      layer: "silver",
      symbol: "ES",
      dates: ["2026-02-06"],
      lakeRoot: lake.root,
      registry,
    });
    assert.deepStrictEqual(seen, [
      "silver MNQM6 2026-02-06 tick=250000000",
      "silver MNQH6 2026-02-06 tick=250000000",
    ]);
    assert.match(
      none.tasks[0].error!,
      /later layers take a contract symbol \(e.g. ESH6\) and no bronze partition of root ES exists on 2026-02-06/,
    );
  } finally {
    release();
  }
});

Deno.test("CLI: parallel workers write every date; a failing date exits 1", async () => {
  const lake = await openLake(await Deno.makeTempDir({ dir: TMP }));
  const dir = tableDir(lake.root, rawSpec(lake.config, "future_mbo.mbo"), "MNQ", "databento");
  await Deno.mkdir(dir, { recursive: true });
  for (const dt of ["2026-02-05", "2026-02-06"]) {
    await Deno.writeFile(
      join(dir, `glbx-mdp3-${dt.replaceAll("-", "")}.mbo.dbn`),
      dayFile(dt, { 7: "MNQH6" }, { 7: 3 }),
    );
  }
  const cli = fileURLToPath(new URL("../cli/pipeline.ts", import.meta.url));
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        cli,
        "--product-type",
        "future_mbo",
        "--layer",
        "bronze",
        "--symbol",
        "MNQ",
        "--lake",
        lake.root,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };
  const ok = await run("--dates", "2026-02-05,2026-02-06", "--workers", "2");
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(
    ok.stdout,
    /ok {3}MNQ 2026-02-05 {2}bronze_ingest_future_mbo \[MNQ\]: MNQH6 mbo 3 rows/,
  );
  assert.match(
    ok.stdout,
    /ok {3}MNQ 2026-02-06 {2}bronze_ingest_future_mbo \[MNQ\]: MNQH6 mbo 3 rows/,
  );
  assert.match(ok.stdout, /DONE 2 ok, 0 failed/);
  const bad = await run("--start-date", "2026-02-06", "--end-date", "2026-02-07", "--workers", "2");
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /FAIL MNQ 2026-02-07 .*no raw future_mbo.mbo file/);
  assert.match(bad.stdout, /DONE 1 ok, 1 failed/);
  // gold is registered: without silver the task fails, naming the missing partition
  const noSilver = await run("--layer", "gold", "--dt", "2026-02-06");
  assert.equal(noSilver.code, 1);
  assert.match(
    noSilver.stdout,
    /FAIL .*silver\.future_mbo\.book_snapshot_1s MNQH6 2026-02-06 is missing/,
  );
});
