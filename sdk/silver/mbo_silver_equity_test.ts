// Equity MBO silver: pipeline.md §3.3 worked example B and the §8.5 cases, hand-computed under
// Databento semantics (fills are the C/M that follows an F; see docs/deviations.md).
import assert from "node:assert/strict";
import { MboSilver } from "./mbo_silver.ts";
import { type Ev, mbo, px, rows } from "../testing/silver_inputs.ts";

const BUCKET = 500_000_000;

function run(evs: Ev[]) {
  const eng = new MboSilver({ kind: "equity", unit: BUCKET, grid: 100 });
  eng.push(mbo(evs));
  eng.finish();
  return { snap: rows(eng.takeSnapshots()), flow: rows(eng.takeFlows()) };
}

type Row = Record<string, number | string>;

function find(flow: Row[], we: number, side: string, price: number): Row {
  const r = flow.find((r) =>
    r.window_end_ts_ns === we * 1e9 && r.side === side && r.price_int === px(price)
  );
  assert.ok(r, `no row at window ${we}, ${side} ${price}`);
  return r;
}

function q(r: Row) {
  return {
    rel: r.rel_ticks,
    relSide: r.rel_ticks_side,
    start: r.depth_qty_start,
    end: r.depth_qty_end,
    add: r.add_qty,
    pull: r.pull_qty,
    pr: r.pull_qty_rest,
    fill: r.fill_qty,
    rest: r.depth_qty_rest,
  };
}

function checkInvariants(snap: Row[], flow: Row[]) {
  const spotOf = new Map(snap.map((s) => [s.window_end_ts_ns, Number(s.spot_ref_price_int)]));
  for (const r of flow) {
    const spot = spotOf.get(r.window_end_ts_ns)!;
    assert.equal(spot % BUCKET, 0, "spot is a multiple of the bucket");
    assert.equal(r.spot_ref_price_int, spot);
    assert.equal(
      Number(r.depth_qty_start) + Number(r.add_qty) - Number(r.pull_qty) - Number(r.fill_qty),
      r.depth_qty_end,
      "accounting identity",
    );
    assert.ok(Number(r.depth_qty_start) >= 0);
    assert.equal(r.rel_ticks, Math.floor((Number(r.price_int) - spot) / BUCKET));
    assert.ok(Math.abs(Number(r.rel_ticks)) <= 100);
    assert.ok(Number(r.depth_qty_rest) <= Number(r.depth_qty_end));
    assert.ok(Number(r.pull_qty_rest) <= Number(r.pull_qty));
  }
}

// setup window 0 of §8.5: bid 519.50×1000 #9001, ask 520.50×1000 #9002, trade 520.00
const SETUP: Ev[] = [
  { t: 0.1, a: "A", s: "B", px: 519.5, sz: 1000, id: 9001 },
  { t: 0.2, a: "A", s: "A", px: 520.5, sz: 1000, id: 9002 },
  { t: 0.3, a: "T", s: "B", px: 520.0, sz: 10 },
];

Deno.test("equity: worked example B (pipeline.md §3.3), fills capped by the book", () => {
  const { snap, flow } = run([
    ...SETUP,
    { t: 1.1, a: "A", s: "B", px: 520.01, sz: 100, id: 101 },
    { t: 1.2, a: "A", s: "B", px: 520.24, sz: 200, id: 102 },
    { t: 1.3, a: "A", s: "B", px: 520.25, sz: 50, id: 103 },
    { t: 1.4, a: "A", s: "B", px: 519.7, sz: 70, id: 104 },
    // an oversized fill report: only the 70 resting can leave the book
    { t: 1.45, a: "F", s: "B", px: 519.7, sz: 300, id: 104, fl: 0 },
    { t: 1.45, a: "C", s: "B", px: 519.7, sz: 300, id: 104 },
    { t: 1.8, a: "A", s: "B", px: 520.1, sz: 40, id: 105 },
  ]);
  checkInvariants(snap, flow);
  // window 0: the original had spot 0 and no depth rows; the end-of-window fallback gives 519.50
  assert.equal(snap[0].spot_ref_price_int, px(519.5));
  assert.deepEqual(
    flow.filter((r) => r.window_end_ts_ns === 1e9).map((
      r,
    ) => [r.side, r.price_int, r.depth_qty_end]),
    [["B", px(519.5), 1000], ["A", px(520.5), 1000]],
  );
  // window 1: spot = bucket(tie → bid 519.50) = 519.50
  assert.equal(snap[1].spot_ref_price_int, px(519.5));
  assert.deepEqual(
    [
      snap[1].best_bid_price_int,
      snap[1].best_bid_qty,
      snap[1].best_ask_price_int,
      snap[1].mid_price,
    ],
    [px(520.25), 50, px(520.5), 520.375],
  );
  // 519.70 → offset 0.4 → bucket 519.50; fill capped at the 70 resting (original: 300, start 1230)
  assert.deepEqual(q(find(flow, 2, "B", 519.5)), {
    rel: 0,
    relSide: 0,
    start: 1000,
    end: 1000,
    add: 70,
    pull: 0,
    pr: 0,
    fill: 70,
    rest: 1000,
  });
  // 520.01, 520.24 and 520.10 → bucket 520.00 (add 340; 520.10 entered 0.2 s before the end)
  assert.deepEqual(q(find(flow, 2, "B", 520.0)), {
    rel: 1,
    relSide: 1,
    start: 0,
    end: 340,
    add: 340,
    pull: 0,
    pr: 0,
    fill: 0,
    rest: 300,
  });
  // 520.25 → offset 1.5 → half to even 2 → bucket 520.50
  assert.deepEqual(q(find(flow, 2, "B", 520.5)), {
    rel: 2,
    relSide: 2,
    start: 0,
    end: 50,
    add: 50,
    pull: 0,
    pr: 0,
    fill: 0,
    rest: 50,
  });
  assert.deepEqual(q(find(flow, 2, "A", 520.5)), {
    rel: 2,
    relSide: 0,
    start: 1000,
    end: 1000,
    add: 0,
    pull: 0,
    pr: 0,
    fill: 0,
    rest: 1000,
  });
  assert.equal(flow.filter((r) => r.window_end_ts_ns === 2e9).length, 4);
});

Deno.test("equity: the §8.5 flow cases across three windows", () => {
  const { snap, flow } = run([
    ...SETUP,
    // window 1 (spot 519.50)
    { t: 1.1, a: "A", s: "B", px: 520.0, sz: 100, id: 1 }, // add only
    { t: 1.2, a: "A", s: "A", px: 521.0, sz: 200, id: 2 }, // add + cancel in the window
    { t: 1.3, a: "C", s: "A", px: 521.0, sz: 200, id: 2 },
    { t: 1.4, a: "A", s: "B", px: 519.0, sz: 500, id: 3 }, // add 500, fill 150
    { t: 1.5, a: "F", s: "B", px: 519.0, sz: 150, id: 3, fl: 0 },
    { t: 1.5, a: "M", s: "B", px: 519.0, sz: 350, id: 3 },
    { t: 1.6, a: "A", s: "B", px: 518.0, sz: 300, id: 4 },
    { t: 1.7, a: "A", s: "B", px: 517.0, sz: 500, id: 6 },
    { t: 1.8, a: "A", s: "B", px: 516.0, sz: 500, id: 7 },
    { t: 1.9, a: "A", s: "A", px: 522.0, sz: 500, id: 8 },
    // window 2 (spot 520.00: the last trade rests on the book)
    { t: 2.1, a: "A", s: "B", px: 518.0, sz: 100, id: 5 }, // cross-window: 300 then +100
    { t: 2.2, a: "M", s: "B", px: 517.0, sz: 300, id: 6 }, // same price 500 → 300
    { t: 2.3, a: "M", s: "B", px: 516.5, sz: 500, id: 7 }, // moves +$0.50
    { t: 2.4, a: "F", s: "A", px: 522.0, sz: 500, id: 8, fl: 0 }, // full fill
    { t: 2.4, a: "C", s: "A", px: 522.0, sz: 500, id: 8 },
    { t: 2.5, a: "A", s: "B", px: 515.0, sz: 100, id: 9 },
    // window 3: an event at exactly 3 s belongs to the window ending at 4 s
    { t: 3.0, a: "A", s: "B", px: 515.0, sz: 200, id: 10 },
  ]);
  checkInvariants(snap, flow);
  assert.deepEqual(
    snap.map((s) => [s.window_start_ts_ns, s.window_end_ts_ns, s.spot_ref_price_int]),
    [
      [0, 1e9, px(519.5)],
      [1e9, 2e9, px(519.5)],
      [2e9, 3e9, px(520)],
      [3e9, 4e9, px(520)],
    ],
  );
  const w1 = (side: string, p: number) => q(find(flow, 2, side, p));
  const w2 = (side: string, p: number) => q(find(flow, 3, side, p));
  const z = { start: 0, end: 0, add: 0, pull: 0, pr: 0, fill: 0, rest: 0 };
  assert.deepEqual(w1("B", 520.0), { ...z, rel: 1, relSide: 1, end: 100, add: 100, rest: 100 });
  assert.deepEqual(w1("A", 521.0), { ...z, rel: 3, relSide: 1, add: 200, pull: 200 });
  assert.deepEqual(w1("B", 519.0), {
    ...z,
    rel: -1,
    relSide: -1,
    end: 350,
    add: 500,
    fill: 150,
    rest: 350,
  });
  assert.deepEqual(w1("B", 516.0), { ...z, rel: -7, relSide: -7, end: 500, add: 500 }); // 0.2 s old
  assert.deepEqual(w1("A", 522.0), { ...z, rel: 5, relSide: 3, end: 500, add: 500 });
  assert.deepEqual(w1("B", 519.5), {
    ...z,
    rel: 0,
    relSide: 0,
    start: 1000,
    end: 1000,
    rest: 1000,
  });

  assert.deepEqual(w2("B", 518.0), {
    ...z,
    rel: -4,
    relSide: -4,
    start: 300,
    end: 400,
    add: 100,
    rest: 400,
  });
  assert.deepEqual(w2("B", 517.0), {
    ...z,
    rel: -6,
    relSide: -6,
    start: 500,
    end: 300,
    pull: 200,
    pr: 200,
    rest: 300,
  });
  assert.deepEqual(w2("B", 516.5), { ...z, rel: -7, relSide: -7, end: 500, add: 500, rest: 500 });
  assert.deepEqual(w2("B", 516.0), { ...z, rel: -8, relSide: -8, start: 500, pull: 500, pr: 500 });
  assert.deepEqual(w2("A", 522.0), { ...z, rel: 4, relSide: 3, start: 500, fill: 500 });
  assert.deepEqual(w2("B", 515.0), { ...z, rel: -10, relSide: -10, end: 100, add: 100, rest: 100 });
  assert.deepEqual(q(find(flow, 4, "B", 515.0)), {
    ...z,
    rel: -10,
    relSide: -10,
    start: 100,
    end: 300,
    add: 200,
    rest: 300,
  });
  // ask at spot + 2.50 minus bid at spot - 2.50 = 10 buckets
  assert.equal(
    Math.floor((px(522.5) - px(520)) / BUCKET) - Math.floor((px(517.5) - px(520)) / BUCKET),
    10,
  );
});

Deno.test("equity: empty input gives empty tables", () => {
  const { snap, flow } = run([]);
  assert.equal(snap.length, 0);
  assert.equal(flow.length, 0);
});
