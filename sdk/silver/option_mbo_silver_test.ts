// Futures-option MBO silver: pipeline.md §3.4 worked examples C and D and §8.2, hand-computed under
// Databento book semantics (see docs/deviations.md for where the original's numbers differ).
import assert from "node:assert/strict";
import { OptionMboSilver } from "./option_mbo_silver.ts";
import { type Ev, mbo, px, rows, spotSeries } from "../testing/silver_inputs.ts";

const ES = { tickInt: 250_000_000, strikeStepInt: 5_000_000_000, maxStrikeOffsets: 10 };

function run(evs: Ev[], secs: number[], spot: number, defs: [number, string, number][]) {
  const eng = new OptionMboSilver({ ...ES, spot: spotSeries(secs, spot) });
  for (const [iid, right, strike] of defs) eng.defineInstrument(iid, right, px(strike));
  eng.push(mbo(evs));
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
  return {
    start: r.depth_qty_start,
    end: r.depth_qty_end,
    add: r.add_qty,
    pull: r.pull_qty,
    pr: r.pull_qty_rest,
    fill: r.fill_qty,
    rest: r.depth_qty_rest,
    valid: r.window_valid,
  };
}

const Z = { start: 0, end: 0, add: 0, pull: 0, pr: 0, fill: 0, rest: 0, valid: 1 };

function checkGrid(flow: Row[], perWindow = 84) {
  const byWindow = new Map<number | string, number>();
  for (const r of flow) {
    byWindow.set(r.window_end_ts_ns, (byWindow.get(r.window_end_ts_ns) ?? 0) + 1);
    assert.equal(
      Number(r.depth_qty_start) + Number(r.add_qty) - Number(r.pull_qty) - Number(r.fill_qty),
      r.depth_qty_end,
    );
    assert.equal(r.accounting_identity_valid, 1);
    assert.equal(Number(r.window_end_ts_ns) - Number(r.window_start_ts_ns), 1e9);
    assert.equal(
      r.rel_ticks,
      Math.floor((Number(r.strike_price_int) - Number(r.spot_ref_price_int)) / ES.tickInt),
    );
  }
  for (const n of byWindow.values()) assert.equal(n, perWindow);
}

Deno.test("options: §8.2 (cancel then fill on a one-sided book)", () => {
  const { snap, flow } = run(
    [
      { t: 0.1, a: "A", s: "A", px: 100, sz: 10, id: 1 },
      { t: 0.2, a: "A", s: "A", px: 100, sz: 5, id: 2 },
      { t: 0.8, a: "C", s: "A", px: 100, sz: 10, id: 1 },
      { t: 1.1, a: "F", s: "A", px: 100, sz: 2, id: 2, fl: 0 },
      { t: 1.1, a: "C", s: "A", px: 100, sz: 2, id: 2 },
    ],
    [1, 2],
    6101.25,
    [[7, "C", 6100]],
  );
  checkGrid(flow);
  assert.equal(snap.length, 0); // one-sided book: no BBO row
  // the original reports pull_qty_rest 0 (hard-coded); the cancelled order had rested 0.7 s
  assert.deepEqual(cell(flow, 1, "C", "A", 6100), {
    ...Z,
    end: 5,
    add: 15,
    pull: 10,
    pr: 10,
    rest: 5,
  });
  assert.deepEqual(cell(flow, 2, "C", "A", 6100), { ...Z, start: 5, end: 3, fill: 2, rest: 3 });
});

Deno.test("options: worked example C (same-price modify, gap window, partial cancel)", () => {
  const { snap, flow } = run(
    [
      { t: 0.1, a: "A", s: "B", px: 100, sz: 10, id: 1, iid: 1 },
      { t: 0.15, a: "A", s: "A", px: 105, sz: 4, id: 9, iid: 1 },
      { t: 1.2, a: "M", s: "B", px: 100, sz: 8, id: 1, iid: 1 },
      { t: 3.3, a: "C", s: "B", px: 100, sz: 3, id: 1, iid: 1 },
    ],
    [1, 2, 3, 4, 5],
    6101.25,
    [[1, "C", 6100]],
  );
  checkGrid(flow);
  const b = (we: number) => cell(flow, we, "C", "B", 6100);
  const a = (we: number) => cell(flow, we, "C", "A", 6100);
  assert.deepEqual(b(1), { ...Z, end: 10, add: 10, rest: 10 });
  // original: total 0 (old size subtracted twice); the book holds 8
  assert.deepEqual(b(2), { ...Z, start: 10, end: 8, pull: 2, pr: 2, rest: 8 });
  assert.deepEqual(b(3), { ...Z, start: 8, end: 8, rest: 8 }); // original: no flow rows at all
  assert.deepEqual(b(4), { ...Z, start: 8, end: 5, pull: 3, pr: 3, rest: 5 });
  assert.deepEqual(b(5), { ...Z, start: 5, end: 5, rest: 5 }); // after the last event
  assert.deepEqual(a(1), { ...Z, end: 4, add: 4, rest: 4 });
  for (const we of [2, 3, 4, 5]) assert.deepEqual(a(we), { ...Z, start: 4, end: 4, rest: 4 });
  // BBO in every window (the original dropped it at 4 s, where the bid level still holds 5)
  assert.deepEqual(
    snap.map((r) => [r.window_end_ts_ns, r.bid_price_int, r.ask_price_int, r.mid_price_int]),
    [
      [1e9, px(100), px(105), px(102.5)],
      [2e9, px(100), px(105), px(102.5)],
      [3e9, px(100), px(105), px(102.5)],
      [4e9, px(100), px(105), px(102.5)],
      [5e9, px(100), px(105), px(102.5)],
    ],
  );
  assert.deepEqual(
    [
      snap[0].instrument_id,
      snap[0].right,
      snap[0].strike_price_int,
      snap[0].mid_price,
      snap[0].spot_ref_price_int,
    ],
    [1, "C", px(6100), 102.5, px(6101.25)],
  );
});

Deno.test("options: worked example D (MNQ strike grid around 6101.25)", () => {
  const { flow } = run(
    [
      { t: 1.1, a: "A", s: "B", px: 10, sz: 3, id: 1, iid: 1 },
      { t: 1.2, a: "A", s: "A", px: 11, sz: 2, id: 2, iid: 1 },
      { t: 1.3, a: "A", s: "B", px: 8, sz: 4, id: 3, iid: 2 },
      { t: 2.1, a: "F", s: "B", px: 10, sz: 1, id: 1, iid: 1, fl: 0 },
      { t: 2.1, a: "M", s: "B", px: 10, sz: 2, id: 1, iid: 1 },
      { t: 2.2, a: "C", s: "B", px: 8, sz: 4, id: 3, iid: 2 },
    ],
    [1, 2, 3],
    6101.25,
    [[1, "C", 6100], [2, "C", 6105]],
  );
  checkGrid(flow);
  // rows come window by window, then strike up, right C before P, side A before B
  const order = flow.map((r) =>
    [r.window_end_ts_ns, r.strike_price_int, r.right, r.side].join("|")
  );
  const key = (r: Row) => [
    Number(r.window_end_ts_ns),
    Number(r.strike_price_int),
    r.right === "C" ? 0 : 1,
    r.side === "A" ? 0 : 1,
  ];
  const sorted = [...flow].sort((a, b) => {
    const x = key(a), y = key(b);
    for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
  assert.deepEqual(
    order,
    sorted.map((r) => [r.window_end_ts_ns, r.strike_price_int, r.right, r.side].join("|")),
  );
  const rels = [...new Set(flow.map((r) => r.rel_ticks))].sort((x, y) => Number(x) - Number(y));
  assert.deepEqual(rels, Array.from({ length: 21 }, (_, i) => -205 + 20 * i));
  assert.equal(flow.find((r) => r.strike_price_int === px(6100))!.rel_ticks, -5);
  assert.equal(flow.find((r) => r.strike_price_int === px(6105))!.rel_ticks, 15);
  assert.deepEqual(cell(flow, 1, "C", "B", 6100), Z);
  assert.deepEqual(cell(flow, 2, "C", "B", 6100), { ...Z, end: 3, add: 3, rest: 3 });
  assert.deepEqual(cell(flow, 2, "C", "A", 6100), { ...Z, end: 2, add: 2, rest: 2 });
  assert.deepEqual(cell(flow, 2, "C", "B", 6105), { ...Z, end: 4, add: 4, rest: 4 });
  assert.deepEqual(cell(flow, 3, "C", "B", 6100), { ...Z, start: 3, end: 2, fill: 1, rest: 2 });
  assert.deepEqual(cell(flow, 3, "C", "B", 6105), { ...Z, start: 4, pull: 4, pr: 4 });
  // everything else on the grid is empty
  const busy = flow.filter((r) => r.depth_qty_end !== 0 || r.depth_qty_start !== 0);
  assert.equal(busy.length, 6); // 3 in window 2; in window 3 the two above plus C/A @6100 (2 resting)
});

Deno.test("options: clears, bad-book flags, off-grid and undefined instruments, leading windows", () => {
  const { eng, flow, snap } = run(
    [
      { t: 1.5, a: "A", s: "B", px: 5, sz: 10, id: 1, iid: 1 },
      { t: 1.6, a: "A", s: "B", px: 5, sz: 1, id: 2, iid: 3 }, // strike 6102: not on the $5 grid
      { t: 1.7, a: "A", s: "B", px: 5, sz: 1, id: 3, iid: 4 }, // no definition
      { t: 2.5, a: "R", iid: 1 },
      { t: 3.5, a: "A", s: "B", px: 5, sz: 3, id: 5, iid: 1, fl: 128 | 4 }, // F_MAYBE_BAD_BOOK
    ],
    [1, 2, 3, 4],
    6101.25,
    [[1, "C", 6100], [3, "C", 6102]],
  );
  checkGrid(flow);
  assert.equal(snap.length, 0);
  assert.deepEqual(cell(flow, 1, "C", "B", 6100), Z); // before the first record: empty book
  assert.deepEqual(cell(flow, 2, "C", "B", 6100), { ...Z, end: 10, add: 10, rest: 10 });
  // the clear is booked as a pull and invalidates the window
  assert.deepEqual(cell(flow, 3, "C", "B", 6100), { ...Z, start: 10, pull: 10, valid: 0 });
  assert.deepEqual(cell(flow, 4, "C", "B", 6100), { ...Z, end: 3, add: 3, rest: 3, valid: 0 });
  assert.equal(cell(flow, 4, "P", "B", 6100).valid, 1); // no instrument there
  assert.equal(eng.stats.offGridInstruments, 1);
  assert.equal(eng.stats.undefinedInstruments, 1);
  assert.equal(eng.stats.instruments, 3);
});

Deno.test("options: no records at all still gives the grid for every spot window", () => {
  const { flow, snap } = run([], [10, 11], 6101.25, []);
  assert.equal(flow.length, 168);
  assert.equal(snap.length, 0);
  assert.ok(flow.every((r) => r.depth_qty_end === 0 && r.window_valid === 1));
});
