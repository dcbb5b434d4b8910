// The validator on hand-built partitions (worked examples A and B of pipeline.md §3.2/§3.3 and
// the gold normalisation case of §8.5, each broken in one way) and on a generated demo day of the
// four product types, which must pass. Expected values are the spec's numbers, not the
// validator's output.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type ColumnBatch,
  datasetSpec,
  type Lake,
  loadProducts,
  type Manifest,
  type ManifestInput,
  manifestSha256,
  partitionDir,
  type ProductType,
  writePartition,
} from "../lake/mod.ts";
import { DEFAULT_CONFIG_DIR } from "../lake/datasets.ts";
import { runPipeline } from "../pipeline/runner.ts";
import { generateDay } from "../synth/generate.ts";
import { withScratchLake } from "../testing/scratch_lake.ts";
import { type CheckResult, validate, type ValidationReport } from "./mod.ts";
import { main } from "../cli/validate.ts";

const products = await loadProducts(join(DEFAULT_CONFIG_DIR, "products.yaml"));
const DT = "2026-02-06";
/** 09:30:00 New York on DT (EST): the end of the session's first window. */
const T0 = 1_770_388_200_000_000_000n;
const S = 1_000_000_000n;
const P = (dollars: number) => BigInt(Math.round(dollars * 100)) * 10_000_000n;

type Row = Record<string, number | bigint | string | boolean | null>;

/** A contract batch from row objects (types from the dataset's contract). */
function batch(lake: Lake, dataset: string, rows: Row[]): ColumnBatch {
  const out: ColumnBatch = {};
  for (const f of datasetSpec(lake.config, dataset).contract.fields) {
    const raw = rows.map((r) => {
      if (!(f.name in r)) throw new Error(`row lacks ${f.name}`);
      return r[f.name];
    });
    if (raw.some((x) => x === null) && !f.nullable) throw new Error(`${f.name} is not nullable`);
    const v = raw.map((x) => x ?? 0);
    const col = f.type === "long"
      ? BigInt64Array.from(v, (x) => BigInt(x as number | bigint))
      : f.type === "int"
      ? Int32Array.from(v as number[])
      : f.type === "double"
      ? Float64Array.from(v as number[])
      : f.type === "boolean"
      ? Uint8Array.from(v, (x) => (x ? 1 : 0))
      : (v as string[]);
    out[f.name] = f.nullable
      ? {
        data: col as Exclude<typeof col, string[]>,
        valid: Uint8Array.from(raw, (x) => (x === null ? 0 : 1)),
      }
      : col;
  }
  return out;
}

async function write(
  lake: Lake,
  dataset: string,
  symbol: string,
  rows: Row[],
  inputs: ManifestInput[] = [],
): Promise<Manifest> {
  return await writePartition(lake, dataset, { symbol, dt: DT }, [batch(lake, dataset, rows)], {
    inputs,
  });
}

async function upstream(lake: Lake, dataset: string, symbol: string): Promise<ManifestInput> {
  const dir = partitionDir(lake.root, datasetSpec(lake.config, dataset), { symbol, dt: DT });
  return { dataset, symbol, dt: DT, manifest_sha256: await manifestSha256(dir) };
}

function run(lake: Lake, productType: ProductType, symbol: string, layers = ["silver"] as const) {
  return validate({ lake, products, productType, symbol, dates: [DT], layers: [...layers] });
}

function check(r: ValidationReport, dataset: string, id: string): CheckResult {
  const p = r.partitions.find((x) => x.dataset === dataset);
  assert.ok(p, `no report for ${dataset}`);
  const c = p.checks.find((x) => x.id === id);
  assert.ok(c, `${dataset}: no check ${id} (have ${p.checks.map((x) => x.id).join(", ")})`);
  return c;
}

function fails(r: ValidationReport): string[] {
  return r.partitions.flatMap((p) =>
    p.checks.filter((c) => c.status === "FAIL").map((c) => `${p.dataset} ${c.id}`)
  );
}

// ---------------------------------------------------------------- worked example A (§3.2)
// tick 0.25 (MNQ in products.yaml), base $25.00. Window 1 = [T0-1s, T0), window 2 = [T0, T0+1s).
const SNAP = "silver.future_mbo.book_snapshot_1s";
const FLOW = "silver.future_mbo.depth_and_flow_1s";
const BRONZE = "bronze.future_mbo.mbo";
const SYM = "MNQH6";

function snapRow(end: bigint, bb: number, bq: number, ba: number, aq: number, spot: number): Row {
  // an empty side has no price (NULL), and then no mid
  const b = P(bb), a = P(ba), two = b > 0n && a > 0n;
  return {
    window_start_ts_ns: end - S,
    window_end_ts_ns: end,
    best_bid_price_int: b > 0n ? b : null,
    best_bid_qty: bq,
    best_ask_price_int: a > 0n ? a : null,
    best_ask_qty: aq,
    mid_price: two ? Number(b + a) * 0.5e-9 : null,
    mid_price_int: two ? (b + a) / 2n : null,
    last_trade_price_int: P(25.25),
    spot_ref_price_int: P(spot),
    book_valid: true,
  };
}

function flowRow(end: bigint, side: string, price: number, rel: number, q: Partial<Row>): Row {
  return {
    window_start_ts_ns: end - S,
    window_end_ts_ns: end,
    price_int: P(price),
    side,
    spot_ref_price_int: P(25),
    rel_ticks: rel,
    rel_ticks_side: 0,
    depth_qty_start: 0,
    depth_qty_end: 0,
    add_qty: 0,
    pull_qty: 0,
    depth_qty_rest: 0,
    pull_qty_rest: 0,
    fill_qty: 0,
    window_valid: true,
    ...q,
  };
}

/** Example A's two windows as the spec gives them (spot 25.00 in both). */
function exampleA(): { snap: Row[]; flow: Row[] } {
  const w1 = T0, w2 = T0 + S;
  return {
    snap: [snapRow(w1, 25.0, 10, 25.5, 12, 25.0), snapRow(w2, 25.25, 10, 25.75, 8, 25.0)],
    flow: [
      flowRow(w1, "B", 25.0, 0, { depth_qty_end: 10, add_qty: 10, depth_qty_rest: 10 }),
      flowRow(w1, "A", 25.5, 2, { depth_qty_end: 12, add_qty: 12, depth_qty_rest: 12 }),
      flowRow(w1, "A", 25.75, 3, { depth_qty_end: 8, add_qty: 8, depth_qty_rest: 8 }),
      flowRow(w2, "B", 25.0, 0, { depth_qty_start: 10, pull_qty: 10, pull_qty_rest: 10 }),
      flowRow(w2, "B", 25.25, 1, { depth_qty_end: 10, add_qty: 10, depth_qty_rest: 10 }),
      flowRow(w2, "A", 25.5, 2, { depth_qty_start: 12, pull_qty: 12, pull_qty_rest: 12 }),
      flowRow(w2, "A", 25.75, 3, { depth_qty_start: 8, depth_qty_end: 8, depth_qty_rest: 8 }),
    ],
  };
}

/** Example A's events (ts offsets from the start of window 1, prices in $). */
function exampleAEvents(): Row[] {
  const base = T0 - S;
  const ev = (
    t: number,
    action: string,
    side: string,
    price: number,
    size: number,
    oid: number,
    flags = 0,
  ) => ({
    ts_recv: base + BigInt(t),
    size,
    ts_event: base + BigInt(t),
    channel_id: 0,
    rtype: 160,
    order_id: oid,
    publisher_id: 1,
    flags,
    instrument_id: 42,
    ts_in_delta: 0,
    action,
    sequence: t,
    side,
    symbol: SYM,
    price: price ? P(price) : 0n,
  });
  return [
    ev(1e8, "R", "N", 0, 0, 0, 32),
    ev(2e8, "A", "B", 25.0, 10, 1, 32),
    ev(3e8, "A", "A", 25.5, 12, 2, 32),
    ev(4e8, "T", "N", 25.25, 1, 0),
    ev(5e8, "A", "A", 25.75, 8, 3, 128),
    ev(1.1e9, "M", "B", 25.25, 10, 1),
    ev(1.2e9, "C", "A", 25.5, 12, 2),
    ev(1.3e9, "T", "N", 25.25, 1, 0),
  ];
}

/** Writes bronze and silver of example A (silver with lineage to bronze), with edits applied. */
async function writeA(lake: Lake, edit: (a: { snap: Row[]; flow: Row[] }) => void = () => {}) {
  await write(lake, BRONZE, SYM, exampleAEvents());
  const inputs = [await upstream(lake, BRONZE, SYM)];
  const a = exampleA();
  edit(a);
  await write(lake, SNAP, SYM, a.snap, inputs);
  await write(lake, FLOW, SYM, a.flow, inputs);
}

Deno.test(
  "worked example A as silver: no FAIL, add volume reconciles exactly with bronze",
  withScratchLake(async (lake) => {
    await writeA(lake);
    const r = await run(lake, "future_mbo", SYM, ["bronze", "silver"] as never);
    assert.deepEqual(fails(r), []);
    // adds 10 + 12 + 8 (window 1) and the modify's 10 at 25.25 (window 2) = bronze A + M sizes
    const add = check(r, FLOW, "reconcile.add");
    assert.equal(add.status, "PASS");
    assert.equal(add.values?.silver_add_qty, 40);
    assert.equal(add.values?.bronze_add_size, 30);
    assert.equal(add.values?.bronze_modify_size, 10);
    assert.equal(check(r, FLOW, "flow.identity").status, "PASS");
    assert.equal(check(r, SNAP, "window.contiguous").status, "PASS");
    // two windows of a 23,401-window session: coverage is a warning, not a failure
    assert.equal(check(r, SNAP, "window.coverage").status, "WARN");
  }),
);

Deno.test(
  "a depth row breaking the accounting identity fails flow.identity",
  withScratchLake(async (lake) => {
    // B 25.25 in window 2: start 0 + add 9 - 0 - 0 != end 10
    await writeA(lake, (a) => (a.flow[4].add_qty = 9));
    const r = await run(lake, "future_mbo", SYM);
    const c = check(r, FLOW, "flow.identity");
    assert.equal(c.status, "FAIL");
    assert.equal(c.violations, 1);
    assert.match(c.example ?? "", /price_int=25250000000 /);
    assert.deepEqual(fails(r), [`${FLOW} flow.identity`]);
    assert.equal(r.status, "FAIL");
  }),
);

Deno.test(
  "a missing window fails window.contiguous",
  withScratchLake(async (lake) => {
    // a third window two seconds after the second: the window ending T0+2s is missing
    await writeA(lake, (a) => {
      const w = T0 + 3n * S;
      a.snap.push(snapRow(w, 25.25, 10, 25.75, 8, 25.0));
      a.flow.push(
        flowRow(w, "B", 25.25, 1, { depth_qty_start: 10, depth_qty_end: 10, depth_qty_rest: 10 }),
      );
    });
    const r = await run(lake, "future_mbo", SYM);
    const c = check(r, SNAP, "window.contiguous");
    assert.equal(c.status, "FAIL");
    assert.equal(c.violations, 1);
    assert.match(c.example ?? "", /\+2 s/);
  }),
);

Deno.test(
  "a crossed book fails book.crossed; an empty side is only a warning",
  withScratchLake(async (lake) => {
    await writeA(lake, (a) => {
      a.snap[1] = snapRow(T0 + S, 25.75, 10, 25.75, 8, 25.0); // locked: bid = ask
      a.snap[0] = snapRow(T0, 0, 0, 25.5, 12, 25.0); // bid side empty: NULL price and mid
    });
    const r = await run(lake, "future_mbo", SYM);
    const crossed = check(r, SNAP, "book.crossed");
    assert.equal(crossed.status, "FAIL");
    assert.equal(crossed.violations, 1);
    const one = check(r, SNAP, "book.one_sided");
    assert.equal(one.status, "WARN");
    assert.equal(one.violations, 1);
  }),
);

Deno.test(
  "rel_ticks inconsistent with price and spot, and a flow spot that is not the snapshot's, fail",
  withScratchLake(async (lake) => {
    await writeA(lake, (a) => {
      a.flow[1].rel_ticks = 1; // 25.50 is 2 ticks above 25.00
      a.snap[1].spot_ref_price_int = P(25.25); // window 2's flow rows say 25.00
    });
    const r = await run(lake, "future_mbo", SYM);
    assert.equal(check(r, FLOW, "flow.rel_ticks").status, "FAIL");
    const spot = check(r, FLOW, "flow.snapshot_spot");
    assert.equal(spot.status, "FAIL");
    assert.equal(spot.violations, 4); // the four rows of window 2
  }),
);

Deno.test(
  "silver fills without bronze fills fail the reconciliation",
  withScratchLake(async (lake) => {
    // 5 filled at 25.75 in window 2 (identity kept: start 13 + 0 - 0 - 5 = 8); bronze has no F
    await writeA(lake, (a) => Object.assign(a.flow[6], { depth_qty_start: 13, fill_qty: 5 }));
    const r = await run(lake, "future_mbo", SYM);
    assert.equal(check(r, FLOW, "flow.identity").status, "PASS");
    const c = check(r, FLOW, "reconcile.fill");
    assert.equal(c.status, "FAIL");
    assert.equal(c.values?.bronze_fill_size, 0);
  }),
);

Deno.test(
  "a rebuilt upstream partition makes the stored lineage hash stale; a changed file fails",
  withScratchLake(async (lake) => {
    await writeA(lake);
    await write(lake, BRONZE, SYM, exampleAEvents()); // rebuilt: new manifest text (timings)
    const flowDir = partitionDir(lake.root, datasetSpec(lake.config, FLOW), {
      symbol: SYM,
      dt: DT,
    });
    const part = join(flowDir, "part-00000.parquet");
    await Deno.writeFile(part, new Uint8Array([0]), { append: true });
    const r = await run(lake, "future_mbo", SYM);
    const stale = check(r, SNAP, "lineage.inputs");
    assert.equal(stale.status, "FAIL");
    assert.match(stale.example ?? "", /bronze\.future_mbo\.mbo MNQH6 2026-02-06: manifest sha256/);
    assert.equal(check(r, FLOW, "manifest.files").status, "FAIL");
  }),
);

Deno.test(
  "a missing partition fails; an unknown symbol is an error naming the valid ones",
  withScratchLake(async (lake) => {
    const r = await run(lake, "future_mbo", SYM);
    assert.equal(check(r, SNAP, "partition.present").status, "FAIL");
    await assert.rejects(run(lake, "future_mbo", "ZZH6"), /unknown futures root.*MNQ/);
  }),
);

// ---------------------------------------------------------------- bronze rules
Deno.test(
  "bronze: an add without a price fails, an off-tick price warns",
  withScratchLake(async (lake) => {
    const ev = exampleAEvents();
    ev[2].price = 0n; // A A 25.50 x 12 without a price
    ev[4].price = P(25.75) + 1_000_000n; // 25.751: off the 0.25 tick
    await write(lake, BRONZE, SYM, ev);
    const r = await run(lake, "future_mbo", SYM, ["bronze"] as never);
    const d = "bronze.future_mbo.mbo";
    assert.equal(check(r, d, "bronze.add_price").status, "FAIL");
    assert.equal(check(r, d, "bronze.price_tick").status, "WARN");
    assert.equal(check(r, d, "bronze.price_tick").violations, 1);
    assert.equal(check(r, d, "bronze.action").status, "PASS");
  }),
);

// ---------------------------------------------------------------- equities: example B and gold (§3.3, §8.5)
const ESNAP = "silver.equity_mbo.book_snapshot_1s";
const EFLOW = "silver.equity_mbo.depth_and_flow_1s";
const EGOLD = "gold.equity_mbo.physics_surface_1s";

/** Window 1 of worked example B, as fixed here (spot 519.50, bucket $0.50 of QQQ). */
function exampleB(): { snap: Row[]; flow: Row[] } {
  const w = T0;
  const row = (side: string, price: number, rel: number, q: Partial<Row>) => ({
    ...flowRow(w, side, price, rel, q),
    spot_ref_price_int: P(519.5),
  });
  const snap = snapRow(w, 520.25, 50, 520.5, 1000, 519.5);
  snap.last_trade_price_int = P(520);
  return {
    snap: [snap],
    flow: [
      // the 300-lot fill on the 70-lot books 70 (deviation S3): end 1000, add 70, fill 70
      row("B", 519.5, 0, {
        depth_qty_start: 1000,
        depth_qty_end: 1000,
        add_qty: 70,
        fill_qty: 70,
        depth_qty_rest: 1000,
      }),
      row("B", 520.0, 1, { depth_qty_end: 300, add_qty: 300 }),
      row("B", 520.5, 2, { depth_qty_end: 50, add_qty: 50 }),
      row("A", 520.5, 2, { depth_qty_start: 1000, depth_qty_end: 1000, depth_qty_rest: 1000 }),
    ],
  };
}

/** Gold rows of example B's flow: intensities qty / (start + 1) (§4, §8.5). */
function goldB(): Row[] {
  return exampleB().flow.map((f) => {
    const s = (f.depth_qty_start as number) + 1;
    const add = (f.add_qty as number) / s, pull = (f.pull_qty as number) / s;
    const fill = (f.fill_qty as number) / s;
    return {
      window_end_ts_ns: f.window_end_ts_ns,
      event_ts_ns: f.window_end_ts_ns,
      spot_ref_price_int: f.spot_ref_price_int,
      rel_ticks: f.rel_ticks,
      rel_ticks_side: f.rel_ticks_side,
      side: f.side,
      add_intensity: add,
      fill_intensity: fill,
      pull_intensity: pull,
      liquidity_velocity: add - pull - fill,
    };
  });
}

async function writeB(lake: Lake, gold: Row[]) {
  const b = exampleB();
  await write(lake, ESNAP, "QQQ", b.snap);
  await write(lake, EFLOW, "QQQ", b.flow);
  await write(lake, EGOLD, "QQQ", gold, [await upstream(lake, EFLOW, "QQQ")]);
}

Deno.test(
  "equity example B with its gold rows passes; intensities are the spec's",
  withScratchLake(async (lake) => {
    const g = goldB();
    assert.equal(g[1].add_intensity, 300); // new level: start 0, add 300 → 300 / 1
    assert.equal(g[0].add_intensity, 70 / 1001);
    await writeB(lake, g);
    const r = await run(lake, "equity_mbo", "QQQ", ["silver", "gold"] as never);
    assert.deepEqual(fails(r), []);
    assert.equal(check(r, EFLOW, "flow.rel_ticks").status, "PASS"); // in $0.50 buckets
    assert.equal(check(r, EGOLD, "gold.row_count").status, "PASS");
    assert.equal(check(r, EGOLD, "gold.range.liquidity_velocity").status, "PASS");
  }),
);

Deno.test(
  "a NaN in gold fails its finiteness check; a negative intensity fails its range",
  withScratchLake(async (lake) => {
    const g = goldB();
    g[2].pull_intensity = NaN;
    g[3].add_intensity = -0.5;
    await writeB(lake, g);
    const r = await run(lake, "equity_mbo", "QQQ", ["gold"] as never);
    const nan = check(r, EGOLD, "gold.finite.pull_intensity");
    assert.equal(nan.status, "FAIL");
    assert.equal(nan.violations, 1);
    assert.equal(check(r, EGOLD, "gold.range.add_intensity").status, "FAIL");
    assert.equal(check(r, EGOLD, "gold.finite.add_intensity").status, "PASS");
  }),
);

Deno.test(
  "gold rows missing against silver fail the row count and key checks",
  withScratchLake(async (lake) => {
    const g = goldB();
    g.pop();
    g[0].event_ts_ns = (g[0].event_ts_ns as bigint) + 1n;
    await writeB(lake, g);
    const r = await run(lake, "equity_mbo", "QQQ", ["gold"] as never);
    assert.equal(check(r, EGOLD, "gold.row_count").status, "FAIL");
    assert.equal(check(r, EGOLD, "gold.keys_missing").violations, 1);
    assert.equal(check(r, EGOLD, "gold.event_ts").status, "FAIL");
  }),
);

// ---------------------------------------------------------------- futures options: the dense grid
const OFLOW = "silver.future_option_mbo.depth_and_flow_1s";

/**
 * One window of MNQ's strike grid (products.yaml: step $5, 10 offsets → 4 × 21 = 84 rows) around
 * spot 21,002.50: strike_ref = 21,005 (rounded half up), strikes 20,955 … 21,055, empty books.
 */
function optionGrid(end: bigint): Row[] {
  const spot = P(21002.5), ref = P(21005);
  const rows: Row[] = [];
  for (let o = -10; o <= 10; o++) {
    const strike = ref + BigInt(o) * P(5);
    for (const right of ["C", "P"]) {
      for (const side of ["A", "B"]) {
        rows.push({
          window_start_ts_ns: end - S,
          window_end_ts_ns: end,
          strike_price_int: strike,
          strike_points: 21005 + 5 * o,
          right,
          side,
          spot_ref_price_int: spot,
          // floor((strike - spot) / 0.25): offset 0 → 21,005 - 21,002.50 = 10 ticks
          rel_ticks: 20 * o + 10,
          depth_qty_start: 0,
          depth_qty_end: 0,
          add_qty: 0,
          pull_qty: 0,
          pull_qty_rest: 0,
          fill_qty: 0,
          depth_qty_rest: 0,
          window_valid: true,
          accounting_identity_valid: true,
        });
      }
    }
  }
  return rows;
}

Deno.test(
  "futures options: an 84-row strike grid passes; a missing row and a wrong rel_ticks fail",
  withScratchLake(async (lake) => {
    const under = [snapRow(T0, 21002.25, 3, 21002.75, 4, 21002.5)];
    await write(lake, SNAP, SYM, under);
    await write(lake, OFLOW, SYM, optionGrid(T0));
    let r = await run(lake, "future_option_mbo", SYM);
    const flow = r.partitions.find((p) => p.dataset === OFLOW)!;
    assert.deepEqual(flow.checks.filter((c) => c.status === "FAIL").map((c) => c.id), []);
    assert.equal(check(r, OFLOW, "flow.grid_rows").status, "PASS");
    assert.equal(check(r, OFLOW, "flow.underlying_spot").status, "PASS");
    const bad = optionGrid(T0);
    bad.pop();
    bad[0].rel_ticks = -189; // offset -10: 20,955 - 21,002.50 = -47.50 = -190 ticks, not -189
    await write(lake, OFLOW, SYM, bad);
    r = await run(lake, "future_option_mbo", SYM);
    const rows = check(r, OFLOW, "flow.grid_rows");
    assert.equal(rows.status, "FAIL");
    assert.equal(rows.violations, 1);
    assert.equal(check(r, OFLOW, "flow.rel_ticks").status, "FAIL");
  }),
);

// ---------------------------------------------------------------- a generated demo day
Deno.test({
  name:
    "a generated demo day of the four product types passes bronze and silver (CLI, JSON report)",
  sanitizeResources: false,
  fn: withScratchLake(async (lake) => {
    const day: [ProductType, string][] = [
      ["future_mbo", "MNQ"],
      ["future_option_mbo", "MNQ"],
      ["equity_mbo", "QQQ"],
      ["equity_option_cmbp_1", "QQQ"],
    ];
    for (const [productType, symbol] of day) {
      await generateDay({
        productType,
        symbol,
        date: DT,
        seed: 11,
        lake: lake.root,
        events: 20_000,
      });
    }
    for (const layer of ["bronze", "silver"]) {
      for (const [productType, symbol] of day) {
        const res = await runPipeline({
          productType,
          layer,
          symbol,
          dates: [DT],
          lakeRoot: lake.root,
          quiet: true,
        } as never);
        for (const t of res.tasks) assert.ok(t.ok, `${productType} ${layer}: ${t.error}`);
      }
    }
    const json = join(lake.root, "report.json");
    for (const [productType, symbol] of day) {
      const log = console.log;
      const out: string[] = [];
      console.log = (s: string) => out.push(s);
      let code: number;
      try {
        code = await main([
          "--product-type",
          productType,
          "--symbol",
          symbol,
          "--dt",
          DT,
          "--layer",
          "silver",
          "--lake",
          lake.root,
          "--json",
          json,
        ]);
      } finally {
        console.log = log;
      }
      assert.equal(code, 0, out.join("\n"));
      const rep = JSON.parse(await Deno.readTextFile(json)) as ValidationReport;
      assert.notEqual(rep.status, "FAIL");
      assert.deepEqual(fails(rep), []);
      assert.equal(rep.partitions.length, 2);
      assert.match(
        out.join("\n"),
        new RegExp(`^(PASS|WARN) silver\\.${productType}\\.book_snapshot_1s`, "m"),
      );
    }
  }),
});

Deno.test("CLI: bad flags are usage errors (exit 2)", async () => {
  const err = console.error;
  const msgs: string[] = [];
  console.error = (s: string) => msgs.push(s);
  try {
    assert.equal(await main(["--product-type", "bond", "--symbol", "X", "--dt", DT]), 2);
    assert.equal(
      await main(["--product-type", "future_mbo", "--symbol", "MNQ", "--dt", "2026-02-30"]),
      2,
    );
    assert.equal(await main(["--product-type", "future_mbo", "--symbol", "MNQ"]), 2);
    assert.equal(
      await main(["--product-type", "future_mbo", "--symbol", "MNQ", "--dt", DT, "--layer", "x"]),
      2,
    );
    assert.equal(
      await main([
        "--product-type",
        "future_mbo",
        "--symbol",
        "ZZ",
        "--dt",
        DT,
        "--lake",
        "/nonexistent",
      ]),
      2,
    );
  } finally {
    console.error = err;
  }
  assert.match(msgs[0], /bond/);
  assert.match(msgs[1], /2026-02-30/);
  assert.match(msgs[2], /--dt or both --start and --end/);
  assert.match(msgs[3], /layer/);
  assert.match(msgs[4], /unknown futures root for symbol 'ZZ'/);
});
