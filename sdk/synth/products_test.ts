// Symbol rules, checked against the acceptance values in the downloader and pipeline specs.
import assert from "node:assert/strict";
import {
  cmeOptionSymbol,
  frontMonth,
  FUTURE_ROOTS,
  futureExpirationNs,
  futureRootOf,
  opraSymbol,
  optionParentsFor,
} from "./products.ts";

Deno.test("root extraction: longest known root prefix (pipeline.md §1.2)", () => {
  const cases: [string, string][] = [
    ["MNQH6", "MNQ"],
    ["ESH6", "ES"],
    ["6EH6", "6E"],
    ["SIH6", "SI"],
    ["MESH6", "MES"],
    ["MNQ", "MNQ"],
  ];
  for (const [s, root] of cases) assert.equal(futureRootOf(s).root, root, s);
  assert.throws(() => futureRootOf("ZBH6"), /unknown futures root/);
});

Deno.test("product table matches the pipeline's tick sizes and strike steps", () => {
  const want: Record<string, [number, number]> = {
    ES: [0.25, 5],
    MES: [0.25, 5],
    MNQ: [0.25, 5],
    NQ: [0.25, 5],
    SI: [0.005, 0.25],
    GC: [0.1, 5],
    CL: [0.01, 0.5],
    "6E": [0.00005, 0.005],
  };
  for (const [root, [tick, step]] of Object.entries(want)) {
    assert.equal(FUTURE_ROOTS[root].tick_size, tick, root);
    assert.equal(FUTURE_ROOTS[root].strike_step, step, root);
  }
});

Deno.test("front month: MNQH6 in early January 2026, rolling 8 days before the March expiry", () => {
  const mnq = FUTURE_ROOTS.MNQ;
  assert.equal(frontMonth(mnq, "2026-01-05"), "MNQH6");
  assert.equal(frontMonth(mnq, "2026-03-11"), "MNQH6");
  assert.equal(frontMonth(mnq, "2026-03-12"), "MNQM6"); // third Friday 2026-03-20 minus 8 days
  assert.equal(frontMonth(FUTURE_ROOTS.ES, "2026-12-30"), "ESH7");
  assert.equal(futureExpirationNs("MNQH6"), BigInt(Date.UTC(2026, 2, 20, 13, 30)) * 1_000_000n);
});

Deno.test("CME option parents per day (downloader acceptance cases F3-F9)", () => {
  const cases: [string, string, string[]][] = [
    ["MNQ", "2026-02-06", ["MQ1.OPT"]],
    ["MNQ", "2026-02-09", ["D2A.OPT"]],
    ["MNQ", "2026-02-03", ["D1B.OPT"]],
    ["MNQ", "2026-02-04", ["D1C.OPT"]],
    ["MNQ", "2026-02-05", ["D1D.OPT"]],
    ["MNQ", "2026-02-20", ["MQ3.OPT"]],
    ["MNQ", "2026-02-07", []],
    ["ES", "2026-02-06", ["EW1.OPT"]],
    ["ES", "2026-02-09", ["E2A.OPT"]],
    ["ES", "2026-03-20", ["EW3.OPT", "ES.OPT"]],
    ["GC", "2026-02-09", ["G2M.OPT"]],
    ["GC", "2026-03-20", ["OG3.OPT", "OG.OPT"]],
    ["SI", "2026-02-02", ["M1S.OPT"]],
    ["SI", "2026-02-13", ["SO2.OPT"]],
    ["CL", "2026-02-05", ["XL1.OPT"]],
    ["CL", "2026-02-20", ["LO3.OPT"]],
    ["6E", "2026-02-03", ["TU1.OPT"]],
    ["6E", "2026-02-06", ["1EU.OPT"]],
    ["ZB", "2026-02-06", ["ZB.OPT"]],
  ];
  for (const [root, date, want] of cases) {
    assert.deepEqual(optionParentsFor(root, date), want, `${root} ${date}`);
  }
  const mar20 = optionParentsFor("MNQ", "2026-03-20");
  assert.ok(mar20.includes("MQ3.OPT") && mar20.includes("MNQ.OPT"));
  const feb27 = optionParentsFor("ES", "2026-02-27");
  assert.ok(feb27.includes("EW4.OPT") && feb27.includes("EW.OPT"));
});

Deno.test("option symbols: OPRA 21-character OSI and CME style", () => {
  assert.equal(opraSymbol("QQQ", "2026-01-05", "P", 626), "QQQ   260105P00626000");
  assert.equal(opraSymbol("QQQ", "2026-01-09", "C", 500), "QQQ   260109C00500000");
  assert.equal(opraSymbol("SPY", "2026-01-09", "C", 612.5), "SPY   260109C00612500");
  assert.equal(cmeOptionSymbol("D1B", "2026-01-06", "C", 25600, 1), "D1BF6 C25600");
  assert.equal(cmeOptionSymbol("SO1", "2026-02-06", "C", 100, 0.01), "SO1G6 C10000");
});
