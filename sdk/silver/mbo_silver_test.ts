import assert from "node:assert/strict";
import { MboSilver } from "./mbo_silver.ts";
import { type Ev, mbo, pick, px, rows } from "../testing/silver_inputs.ts";

const TICK = 250_000_000;
const FLOW_KEYS = [
  "window_end_ts_ns",
  "side",
  "price_int",
  "rel_ticks",
  "rel_ticks_side",
  "depth_qty_start",
  "depth_qty_end",
  "add_qty",
  "pull_qty",
  "pull_qty_rest",
  "fill_qty",
  "depth_qty_rest",
  "window_valid",
];

function run(evs: Ev[], kind: "future" | "equity" = "future", unit = TICK, grid = 200) {
  const eng = new MboSilver({ kind, unit, grid });
  eng.push(mbo(evs));
  eng.finish();
  return { eng, snap: rows(eng.takeSnapshots()), flow: rows(eng.takeFlows()) };
}

function flowRow(
  we: number,
  side: string,
  price: number,
  rel: number,
  relSide: number,
  q: {
    start?: number;
    end?: number;
    add?: number;
    pull?: number;
    pr?: number;
    fill?: number;
    rest?: number;
  },
  valid: boolean,
) {
  return {
    window_end_ts_ns: we * 1e9,
    side,
    price_int: px(price),
    rel_ticks: rel,
    rel_ticks_side: relSide,
    depth_qty_start: q.start ?? 0,
    depth_qty_end: q.end ?? 0,
    add_qty: q.add ?? 0,
    pull_qty: q.pull ?? 0,
    pull_qty_rest: q.pr ?? 0,
    fill_qty: q.fill ?? 0,
    depth_qty_rest: q.rest ?? 0,
    window_valid: valid ? 1 : 0,
  };
}

// pipeline.md §3.2 worked example A, with Databento flags on the snapshot records
// (R and the two adds flagged SNAPSHOT|BAD_TS_RECV, the last one closing the run with F_LAST).
const EXAMPLE_A: Ev[] = [
  { t: 0.1, a: "R", fl: 40 },
  { t: 0.2, a: "A", s: "B", px: 25.0, sz: 10, id: 1, fl: 40 },
  { t: 0.3, a: "A", s: "A", px: 25.5, sz: 12, id: 2, fl: 40 | 128 },
  { t: 0.4, a: "T", s: "N", px: 25.25, sz: 1 },
  { t: 0.5, a: "A", s: "A", px: 25.75, sz: 8, id: 3 },
  { t: 1.1, a: "M", s: "B", px: 25.25, sz: 10, id: 1 },
  { t: 1.2, a: "C", s: "A", px: 25.5, sz: 12, id: 2 },
  { t: 1.3, a: "T", s: "N", px: 25.25, sz: 1 },
];

Deno.test("futures: worked example A (pipeline.md §3.2) and the §8.1 assertions", () => {
  const { snap, flow } = run(EXAMPLE_A);
  assert.equal(snap.length, 2);
  assert.deepEqual(snap[0], {
    window_start_ts_ns: 0,
    window_end_ts_ns: 1e9,
    best_bid_price_int: px(25),
    best_bid_qty: 10,
    best_ask_price_int: px(25.5),
    best_ask_qty: 12,
    mid_price: 25.25,
    mid_price_int: px(25.25),
    last_trade_price_int: px(25.25),
    spot_ref_price_int: px(25), // end-of-window fallback: tie between 25.00 and 25.50 → bid
    book_valid: 1,
  });
  assert.deepEqual(snap[1], {
    window_start_ts_ns: 1e9,
    window_end_ts_ns: 2e9,
    best_bid_price_int: px(25.25),
    best_bid_qty: 10,
    best_ask_price_int: px(25.75),
    best_ask_qty: 8,
    mid_price: 25.5,
    mid_price_int: px(25.5),
    last_trade_price_int: px(25.25),
    spot_ref_price_int: px(25), // resolved at window start
    book_valid: 1,
  });
  assert.deepEqual(flow.map((r) => pick(r, FLOW_KEYS)), [
    flowRow(1, "B", 25.0, 0, 0, { end: 10, add: 10, rest: 10 }, false),
    flowRow(1, "A", 25.5, 2, 0, { end: 12, add: 12, rest: 12 }, false),
    flowRow(1, "A", 25.75, 3, 1, { end: 8, add: 8, rest: 8 }, false),
    flowRow(2, "B", 25.0, 0, 0, { start: 10, pull: 10, pr: 10 }, true),
    flowRow(2, "B", 25.25, 1, 1, { end: 10, add: 10, rest: 10 }, true),
    flowRow(2, "A", 25.5, 2, 0, { start: 12, pull: 12, pr: 12 }, true),
    flowRow(2, "A", 25.75, 3, 1, { start: 8, end: 8, rest: 8 }, true),
  ]);
  for (const r of flow) assert.ok(Math.abs(Number(r.rel_ticks)) <= 200);
  // §8.1: the bid row at the best bid / ask row at the best ask carry the snapshot's sizes
  const w2 = flow.filter((r) => r.window_end_ts_ns === 2e9);
  assert.equal(
    w2.find((r) => r.side === "B" && r.price_int === snap[1].best_bid_price_int)!.depth_qty_end,
    10,
  );
  assert.equal(
    w2.find((r) => r.side === "A" && r.price_int === snap[1].best_ask_price_int)!.depth_qty_end,
    8,
  );
});

Deno.test("futures: gap seconds are emitted and the output range filters by window end", () => {
  const evs: Ev[] = [
    { t: 0.2, a: "A", s: "B", px: 100, sz: 5, id: 1 },
    { t: 0.3, a: "A", s: "A", px: 101, sz: 5, id: 2 },
    { t: 3.4, a: "C", s: "B", px: 100, sz: 2, id: 1 },
  ];
  const all = run(evs).snap;
  assert.deepEqual(all.map((r) => r.window_end_ts_ns), [1e9, 2e9, 3e9, 4e9]);
  const eng = new MboSilver({
    kind: "future",
    unit: TICK,
    grid: 10,
    outputStartNs: 2_000_000_000n,
    outputEndNs: 3_000_000_000n,
  });
  eng.push(mbo(evs));
  eng.finish();
  const snap = rows(eng.takeSnapshots());
  assert.deepEqual(snap.map((r) => r.window_end_ts_ns), [2e9, 3e9]);
  assert.equal(eng.done, true);
  // gap windows carry the resting book with no flow
  const flow = rows(eng.takeFlows());
  assert.deepEqual(
    flow.map((r) => [r.window_end_ts_ns, r.side, r.depth_qty_start, r.depth_qty_end, r.add_qty]),
    [
      [2e9, "B", 5, 5, 0],
      [2e9, "A", 5, 5, 0],
      [3e9, "B", 5, 5, 0],
      [3e9, "A", 5, 5, 0],
    ],
  );
});

Deno.test("futures: snapshot records keep their old ts_event and are never dropped (§9.1)", () => {
  // a start-of-day snapshot at 05:00 whose orders were entered hours earlier, output from 09:30
  const H = 3600;
  const evs: Ev[] = [
    { t: 5 * H, a: "R", fl: 40 },
    { t: 1 * H, a: "A", s: "B", px: 100, sz: 7, id: 11, fl: 40 }, // GTC order from 01:00
    { t: 2 * H, a: "A", s: "A", px: 101, sz: 9, id: 12, fl: 40 | 128 },
    { t: 5 * H + 1, a: "A", s: "B", px: 99.75, sz: 2, id: 13 },
    { t: 9.5 * H + 0.2, a: "C", s: "B", px: 100, sz: 3, id: 11 }, // partial cancel of the old order
  ];
  const eng = new MboSilver({
    kind: "future",
    unit: TICK,
    grid: 20,
    outputStartNs: BigInt(9.5 * H) * 1_000_000_000n,
    outputEndNs: BigInt(9.5 * H + 1) * 1_000_000_000n,
  });
  eng.push(mbo(evs));
  eng.finish();
  const snap = rows(eng.takeSnapshots());
  const flow = rows(eng.takeFlows());
  assert.deepEqual(
    snap.map((r) => [r.window_end_ts_ns, r.best_bid_price_int, r.best_ask_price_int, r.book_valid]),
    [
      [9.5 * H * 1e9, px(100), px(101), 1],
      [(9.5 * H + 1) * 1e9, px(100), px(101), 1],
    ],
  );
  const w = flow.filter((r) => r.window_end_ts_ns === (9.5 * H + 1) * 1e9);
  assert.deepEqual(
    w.map((
      r,
    ) => [r.side, r.price_int, r.depth_qty_start, r.depth_qty_end, r.pull_qty, r.pull_qty_rest]),
    [
      ["B", px(99.75), 2, 2, 0, 0],
      ["B", px(100), 7, 4, 3, 3],
      ["A", px(101), 9, 9, 0, 0],
    ],
  );
});

Deno.test("futures: F_MAYBE_BAD_BOOK invalidates the book until the next clear", () => {
  const { snap, flow } = run([
    { t: 0.1, a: "A", s: "B", px: 100, sz: 5, id: 1 },
    { t: 0.2, a: "A", s: "A", px: 101, sz: 5, id: 2 },
    { t: 1.5, a: "A", s: "B", px: 100, sz: 1, id: 3, fl: 128 | 4 },
    { t: 2.5, a: "A", s: "B", px: 100, sz: 1, id: 4 },
    // snapshot records never move the clock: this clear + rebuild lands in the window of 2.5 s
    { t: 3.5, a: "R", fl: 40 },
    { t: 3.5, a: "A", s: "B", px: 100, sz: 6, id: 1, fl: 40 | 128 },
    { t: 4.5, a: "N" },
  ]);
  assert.deepEqual(snap.map((r) => r.book_valid), [1, 0, 1, 1, 1]);
  const valid = (we: number) => [
    ...new Set(flow.filter((r) => r.window_end_ts_ns === we * 1e9).map((r) => r.window_valid)),
  ];
  assert.deepEqual([valid(1), valid(2), valid(3), valid(4), valid(5)], [[1], [0], [0], [1], [1]]);
  // the clear is booked as a pull: 6 resting + 1 added, 7 cleared, 6 re-added by the snapshot
  const r3 = flow.find((r) => r.window_end_ts_ns === 3e9 && r.side === "B")!;
  assert.deepEqual([r3.depth_qty_start, r3.add_qty, r3.pull_qty, r3.depth_qty_end], [6, 7, 7, 6]);
});

Deno.test("futures: books per (publisher, instrument) are summed per price; off-tick prices are counted", () => {
  const { eng, snap, flow } = run([
    { t: 0.1, a: "A", s: "B", px: 100, sz: 5, id: 1, pub: 1 },
    { t: 0.2, a: "A", s: "B", px: 100, sz: 3, id: 1, pub: 2 }, // same order id, other publisher
    { t: 0.3, a: "A", s: "A", px: 100.5, sz: 4, id: 2, pub: 2 },
    { t: 0.4, a: "A", s: "B", px: 100.1, sz: 1, id: 3, pub: 1 }, // not on the $0.25 grid
    { t: 1.5, a: "C", s: "B", px: 100, sz: 5, id: 1, pub: 1 },
  ]);
  assert.equal(eng.stats.offTickChanges, 1);
  assert.deepEqual([snap[0].best_bid_price_int, snap[0].best_bid_qty], [px(100.1), 1]);
  assert.deepEqual(
    flow.map((r) => [r.window_end_ts_ns, r.side, r.price_int, r.depth_qty_start, r.depth_qty_end]),
    [
      [1e9, "B", px(100), 0, 8],
      [1e9, "A", px(100.5), 0, 4],
      [2e9, "B", px(100), 8, 3],
      [2e9, "A", px(100.5), 4, 4],
    ],
  );
});

Deno.test("futures: a size increase restarts the order's resting age (it loses queue priority)", () => {
  const { flow } = run([
    { t: 0.1, a: "A", s: "B", px: 100, sz: 5, id: 1 },
    { t: 0.2, a: "A", s: "B", px: 100, sz: 2, id: 2 },
    { t: 0.8, a: "M", s: "B", px: 100, sz: 8, id: 1 }, // 5 → 8
    { t: 1.2, a: "M", s: "B", px: 100, sz: 6, id: 1 }, // 8 → 6 keeps its place and age
    { t: 1.4, a: "C", s: "B", px: 100, sz: 2, id: 2 },
  ]);
  assert.deepEqual(
    flow.map((
      r,
    ) => [
      r.window_end_ts_ns,
      r.depth_qty_end,
      r.add_qty,
      r.depth_qty_rest,
      r.pull_qty,
      r.pull_qty_rest,
    ]),
    [
      [1e9, 10, 10, 2, 0, 0], // order 1 re-entered at 0.8 s: 0.2 s old at the window end
      // 8 → 6 after 0.4 s: a pull of 2, not resting; the 2-lot (1.2 s old) cancel is resting
      [2e9, 6, 0, 6, 4, 2],
    ],
  );
});
