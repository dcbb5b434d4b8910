// CMBP-1 silver: pipeline.md §3.5 (worked example E restated on listed strikes), §8.8 and §8.9.
import assert from "node:assert/strict";
import { Cmbp1Silver } from "./cmbp1_silver.ts";
import { cmbp, px, type Quote, rows, spotSeries } from "../testing/silver_inputs.ts";

const QQQ = { bucketInt: 500_000_000, strikeStepInt: 1_000_000_000, maxStrikeOffsets: 25 };

function run(
  qs: Quote[],
  secs: number[],
  spot: number | number[],
  defs: [number, string, number][],
) {
  const eng = new Cmbp1Silver({ ...QQQ, spot: spotSeries(secs, spot) });
  for (const [iid, right, strike] of defs) eng.defineInstrument(iid, right, px(strike));
  eng.push(cmbp(qs));
  eng.finish();
  return { eng, snap: rows(eng.takeSnapshots()), flow: rows(eng.takeFlows()) };
}

type Row = Record<string, number | string>;

function cell(flow: Row[], we: number, right: string, side: string, strike: number) {
  const r = flow.find((r) =>
    r.window_end_ts_ns === we * 1e9 && r.right === right && r.side === side &&
    r.strike_price_int === px(strike)
  );
  assert.ok(r, `no grid row ${we} ${right}/${side} @${strike}`);
  return { start: r.depth_qty_start, end: r.depth_qty_end, add: r.add_qty, pull: r.pull_qty };
}

function checkGrid(flow: Row[]) {
  const per = new Map<number | string, number>();
  for (const r of flow) {
    per.set(r.window_end_ts_ns, (per.get(r.window_end_ts_ns) ?? 0) + 1);
    assert.equal(
      Number(r.depth_qty_start) + Number(r.add_qty) - Number(r.pull_qty),
      r.depth_qty_end,
    );
    assert.ok(Number(r.depth_qty_start) >= 0);
    assert.equal(r.fill_qty, 0);
    assert.equal(r.pull_qty_rest, 0);
    assert.equal(
      r.rel_ticks,
      Math.floor((Number(r.strike_price_int) - Number(r.spot_ref_price_int)) / QQQ.bucketInt),
    );
  }
  for (const n of per.values()) assert.equal(n, 204); // 51 strikes × 2 rights × 2 sides
}

const ONE: [number, string, number][] = [[12345, "C", 620]];
const q = (t: number, bid: number, bsz: number, ask: number, asz: number, iid = 12345): Quote => ({
  t,
  iid,
  bid,
  bsz,
  ask,
  asz,
});

Deno.test("cmbp1: worked example E on listed strikes (far strikes are dropped, not clipped)", () => {
  const { snap, flow } = run(
    [
      q(0.5, 3.0, 40, 3.2, 60, 1),
      q(0.5, 2.5, 10, 2.6, 20, 2),
      q(0.5, 0.01, 5, 0.02, 7, 3),
      q(0.5, 0.01, 9, 0.02, 9, 4),
      q(1.5, 3.05, 30, 3.2, 60, 1),
    ],
    [1, 2],
    620.5,
    [[1, "C", 620], [2, "C", 621], [3, "C", 650], [4, "C", 700]],
  );
  checkGrid(flow);
  // strike_ref = 620.50 rounded half up to $1 = 621; grid 596..646; rel_ticks in $0.50 buckets
  assert.equal(flow.find((r) => r.strike_price_int === px(620))!.rel_ticks, -1);
  assert.equal(flow.find((r) => r.strike_price_int === px(621))!.rel_ticks, 1);
  assert.equal(Math.min(...flow.map((r) => Number(r.strike_price_int))), px(596));
  assert.equal(Math.max(...flow.map((r) => Number(r.strike_price_int))), px(646));
  assert.deepEqual(cell(flow, 1, "C", "A", 620), { start: 0, end: 60, add: 60, pull: 0 });
  assert.deepEqual(cell(flow, 1, "C", "B", 620), { start: 0, end: 40, add: 40, pull: 0 });
  assert.deepEqual(cell(flow, 1, "C", "A", 621), { start: 0, end: 20, add: 20, pull: 0 });
  assert.deepEqual(cell(flow, 1, "C", "B", 621), { start: 0, end: 10, add: 10, pull: 0 });
  const w1 = flow.filter((r) => r.window_end_ts_ns === 1e9);
  assert.equal(w1.reduce((s, r) => s + Number(r.depth_qty_end), 0), 130); // 650C / 700C are off the grid
  assert.deepEqual(cell(flow, 2, "C", "B", 620), { start: 40, end: 30, add: 30, pull: 40 });
  assert.equal(snap.filter((r) => r.window_end_ts_ns === 1e9).length, 4);
  const s1 = snap.find((r) => r.window_end_ts_ns === 2e9 && r.instrument_id === 1)!;
  assert.deepEqual([
    s1.bid_price_int,
    s1.ask_price_int,
    s1.mid_price_int,
    s1.right,
    s1.strike_price_int,
  ], [
    px(3.05),
    px(3.2),
    (px(3.05) + px(3.2)) / 2,
    "C",
    px(620),
  ]);
});

Deno.test("cmbp1: §8.9 engine cases", () => {
  const at = (qs: Quote[]) => {
    const { flow } = run(qs, [1], 620, ONE);
    return { b: cell(flow, 1, "C", "B", 620), a: cell(flow, 1, "C", "A", 620) };
  };
  // first quote → bid add 50, ask add 75, no pulls
  assert.deepEqual(at([q(0.1, 5.5, 50, 5.6, 75)]), {
    b: { start: 0, end: 50, add: 50, pull: 0 },
    a: { start: 0, end: 75, add: 75, pull: 0 },
  });
  // bid disappears → add 50 + pull 50
  assert.deepEqual(at([q(0.1, 5.5, 50, 5.6, 75), q(0.2, 0, 0, 5.6, 75)]).b, {
    start: 0,
    end: 0,
    add: 50,
    pull: 50,
  });
  // same price 50 → 80: add 80 in total; then 80 → 50: pull 30
  assert.deepEqual(at([q(0.1, 5.5, 50, 5.6, 75), q(0.2, 5.5, 80, 5.6, 75)]).b, {
    start: 0,
    end: 80,
    add: 80,
    pull: 0,
  });
  assert.deepEqual(
    at([q(0.1, 5.5, 50, 5.6, 75), q(0.2, 5.5, 80, 5.6, 75), q(0.3, 5.5, 50, 5.6, 75)]).b,
    { start: 0, end: 50, add: 80, pull: 30 },
  );
  // price 5.50 → 5.55 (50 → 60): old level add 50 + pull 50, new level add 60 (summed per strike)
  assert.deepEqual(at([q(0.1, 5.5, 50, 5.6, 75), q(0.2, 5.55, 60, 5.6, 75)]).b, {
    start: 0,
    end: 60,
    add: 110,
    pull: 50,
  });
});

Deno.test("cmbp1: §8.8 windows, gaps, crossed quotes, several instruments", () => {
  const { snap, flow } = run(
    [
      q(0.1, 5.5, 100, 5.6, 100, 12345),
      q(0.2, 1.0, 10, 1.1, 10, 777),
      q(0.3, 5.5, 200, 5.6, 100, 12345), // bid size 100 → 200
      q(2.4, 5.5, 100, 5.6, 100, 12345), // 200 → 100, after a gap second
      q(3.5, 5.6, 100, 5.5, 100, 777), // crossed: no BBO row for 777 from here
    ],
    [1, 2, 3, 4],
    620,
    [[12345, "C", 620], [777, "P", 619]],
  );
  checkGrid(flow);
  assert.deepEqual(snap.map((r) => [r.window_end_ts_ns, r.instrument_id]), [
    [1e9, 12345],
    [1e9, 777],
    [2e9, 12345],
    [2e9, 777],
    [3e9, 12345],
    [3e9, 777],
    [4e9, 12345],
  ]);
  for (const r of snap) {
    assert.ok(Number(r.ask_price_int) > Number(r.bid_price_int));
    assert.equal(r.mid_price_int, (Number(r.bid_price_int) + Number(r.ask_price_int)) / 2);
    assert.equal(r.window_end_ts_ns, Number(r.window_start_ts_ns) + 1e9);
  }
  assert.deepEqual(cell(flow, 1, "C", "B", 620), { start: 0, end: 200, add: 200, pull: 0 });
  assert.deepEqual(cell(flow, 2, "C", "B", 620), { start: 200, end: 200, add: 0, pull: 0 }); // gap keeps state
  assert.deepEqual(cell(flow, 3, "C", "B", 620), { start: 200, end: 100, add: 0, pull: 100 });
  // the crossed quote still moves depth: ask 1.10 → 5.50 (pull 10, add 100)
  assert.deepEqual(cell(flow, 4, "P", "A", 619), { start: 10, end: 100, add: 100, pull: 10 });
});

Deno.test("cmbp1: warm-up: quotes before the first output window are state, not adds", () => {
  const { flow } = run([q(5.2, 5.5, 50, 5.6, 75), q(9.5, 5.5, 60, 5.6, 75)], [9, 10], 620, ONE);
  assert.deepEqual(cell(flow, 9, "C", "B", 620), { start: 50, end: 50, add: 0, pull: 0 });
  assert.deepEqual(cell(flow, 10, "C", "B", 620), { start: 50, end: 60, add: 10, pull: 0 });
});

Deno.test("cmbp1: empty input", () => {
  const { flow, snap } = run([], [], 620, ONE);
  assert.equal(flow.length + snap.length, 0);
});

Deno.test("cmbp1: windows whose underlying spot is 0 get no grid (nothing to centre it on)", () => {
  const { flow, snap } = run([q(0.5, 5.5, 50, 5.6, 75)], [1, 2, 3], [620, 0, 620], ONE);
  assert.deepEqual([...new Set(flow.map((r) => r.window_end_ts_ns))], [1e9, 3e9]);
  assert.deepEqual(snap.map((r) => r.window_end_ts_ns), [1e9, 3e9]);
  // the depth carried over the skipped window is still the start depth of the next one
  assert.deepEqual(cell(flow, 3, "C", "B", 620), { start: 50, end: 50, add: 0, pull: 0 });
});

Deno.test("cmbp1: a chain of 102 instruments in one push loses no quote (slot arrays grow mid-push)", () => {
  // 51 listed strikes 595-645 around spot 620 (the whole ±25 grid), a call and a put on each:
  // 102 instruments, more than the engine's first slot allocation. Second 0: every instrument
  // quotes bid 10 × ask 10; second 1: bid 15 (add 5) and ask 5 (pull 5).
  const defs: [number, string, number][] = [];
  const qs: Quote[] = [];
  for (let k = 0; k < 51; k++) {
    for (const right of ["C", "P"]) defs.push([1000 + defs.length, right, 595 + k]);
  }
  defs.forEach(([iid], i) => qs.push(q(0.5 + i * 1e-3, 1.0, 10, 1.1, 10, iid)));
  defs.forEach(([iid], i) => qs.push(q(1.5 + i * 1e-3, 1.0, 15, 1.1, 5, iid)));
  const { flow } = run(qs, [1, 2], 620, defs); // one push of all 204 quotes
  checkGrid(flow);
  const sum = (we: number, side: string, k: "add_qty" | "pull_qty") =>
    flow.filter((r) => r.window_end_ts_ns === we * 1e9 && r.side === side)
      .reduce((a, r) => a + Number(r[k]), 0);
  // hand-computed: 102 instruments × 10 on each side in second 0; × 5 in second 1
  assert.deepEqual([sum(1, "B", "add_qty"), sum(1, "A", "add_qty")], [1020, 1020]);
  assert.deepEqual([sum(2, "B", "add_qty"), sum(2, "B", "pull_qty")], [510, 0]);
  assert.deepEqual([sum(2, "A", "add_qty"), sum(2, "A", "pull_qty")], [0, 510]);
  assert.deepEqual(cell(flow, 2, "P", "A", 645), { start: 10, end: 5, add: 0, pull: 5 });
});
