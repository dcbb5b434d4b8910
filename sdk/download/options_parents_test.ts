// Acceptance cases F3–F9 and F12 of downloader.md §5.1 (expected values from the spec).
import assert from "node:assert/strict";
import { candidateParents, OPTION_CODES, optionsParentsFor } from "./options_parents.ts";

const has = (list: string[], ...want: string[]) => want.every((w) => list.includes(w));

Deno.test("F3 MNQ parents", () => {
  assert.deepEqual(optionsParentsFor("MNQ", "2026-02-06"), ["MQ1.OPT"]);
  assert.deepEqual(optionsParentsFor("MNQ", "2026-02-09"), ["D2A.OPT"]);
  assert.deepEqual(optionsParentsFor("MNQ", "2026-02-03"), ["D1B.OPT"]);
  assert.deepEqual(optionsParentsFor("MNQ", "2026-02-04"), ["D1C.OPT"]);
  assert.deepEqual(optionsParentsFor("MNQ", "2026-02-05"), ["D1D.OPT"]);
  assert.ok(has(optionsParentsFor("MNQ", "2026-03-20"), "MQ3.OPT", "MNQ.OPT"));
  assert.deepEqual(optionsParentsFor("MNQ", "2026-02-20"), ["MQ3.OPT"]);
  assert.ok(has(optionsParentsFor("MNQ", "2026-02-27"), "MQ4.OPT", "MQE.OPT"));
  assert.deepEqual(optionsParentsFor("MNQ", "2026-02-07"), []);
});

Deno.test("F4 ES parents", () => {
  assert.deepEqual(optionsParentsFor("ES", "2026-02-06"), ["EW1.OPT"]);
  assert.deepEqual(optionsParentsFor("ES", "2026-02-09"), ["E2A.OPT"]);
  assert.deepEqual(optionsParentsFor("ES", "2026-02-03"), ["E1B.OPT"]);
  assert.deepEqual(optionsParentsFor("ES", "2026-02-04"), ["E1C.OPT"]);
  assert.deepEqual(optionsParentsFor("ES", "2026-02-05"), ["E1D.OPT"]);
  assert.deepEqual(optionsParentsFor("ES", "2026-03-20").sort(), ["ES.OPT", "EW3.OPT"]);
  assert.deepEqual(optionsParentsFor("ES", "2026-02-20"), ["EW3.OPT"]);
  assert.ok(has(optionsParentsFor("ES", "2026-02-27"), "EW4.OPT", "EW.OPT"));
  assert.deepEqual(optionsParentsFor("ES", "2026-02-07"), []);
});

Deno.test("F5 GC parents (no quarterly code)", () => {
  assert.deepEqual(optionsParentsFor("GC", "2026-02-06"), ["OG1.OPT"]);
  assert.deepEqual(optionsParentsFor("GC", "2026-02-09"), ["G2M.OPT"]);
  assert.deepEqual(optionsParentsFor("GC", "2026-02-03"), ["G1T.OPT"]);
  assert.deepEqual(optionsParentsFor("GC", "2026-02-04"), ["G1W.OPT"]);
  assert.deepEqual(optionsParentsFor("GC", "2026-02-05"), ["G1R.OPT"]);
  assert.deepEqual(optionsParentsFor("GC", "2026-03-20").sort(), ["OG.OPT", "OG3.OPT"]);
  assert.deepEqual(optionsParentsFor("GC", "2026-02-20"), ["OG3.OPT"]);
  assert.ok(has(optionsParentsFor("GC", "2026-02-27"), "OG4.OPT", "OG.OPT"));
  assert.deepEqual(optionsParentsFor("GC", "2026-02-07"), []);
});

Deno.test("F6–F8 SI, CL, 6E parents", () => {
  assert.deepEqual(optionsParentsFor("SI", "2026-02-02"), ["M1S.OPT"]);
  assert.deepEqual(optionsParentsFor("SI", "2026-02-13"), ["SO2.OPT"]);
  assert.deepEqual(optionsParentsFor("CL", "2026-02-02"), ["ML1.OPT"]);
  assert.deepEqual(optionsParentsFor("CL", "2026-02-05"), ["XL1.OPT"]);
  assert.deepEqual(optionsParentsFor("CL", "2026-02-20"), ["LO3.OPT"]);
  assert.deepEqual(optionsParentsFor("6E", "2026-02-02"), ["MO1.OPT"]);
  assert.deepEqual(optionsParentsFor("6E", "2026-02-03"), ["TU1.OPT"]);
  assert.deepEqual(optionsParentsFor("6E", "2026-02-06"), ["1EU.OPT"]);
});

Deno.test("F9 unknown roots give <ROOT>.OPT whatever the date", () => {
  assert.deepEqual(optionsParentsFor("ZB", "2026-02-06"), ["ZB.OPT"]);
  for (const d of ["2026-02-06", "2026-03-20", "2026-02-27"]) {
    assert.deepEqual(optionsParentsFor("ZN", d), ["ZN.OPT"]);
  }
});

Deno.test("F12 table sanity", () => {
  for (const [root, c] of Object.entries(OPTION_CODES)) {
    assert.ok("quarterly" in c && "eom" in c && "friday" in c && "max_weeks" in c, root);
    assert.deepEqual(Object.keys(c.daily).map(Number).sort(), [1, 2, 3, 4], root); // Mon..Thu
    for (const list of Object.values(c.daily)) assert.equal(list.length, c.max_weeks, root);
  }
});

Deno.test("candidate order: SI 2026-02-06 (downloader.md §2.3 example)", () => {
  assert.deepEqual(candidateParents("SI", "2026-02-06"), [
    { label: "0dte", parents: ["SO1.OPT"] },
    { label: "3dte_Mon", parents: ["M2S.OPT"] },
    { label: "4dte_Tue", parents: ["S2T.OPT"] },
    { label: "5dte_Wed", parents: ["W2S.OPT"] },
    { label: "6dte_Thu", parents: ["R2S.OPT"] },
    { label: "7dte_Fri", parents: ["SO2.OPT"] },
    { label: "monthly", parents: ["SO.OPT"] },
  ]);
});

Deno.test("candidate order: unknown root falls back to the nearest expiry of <ROOT>.OPT", () => {
  assert.deepEqual(candidateParents("ZB", "2026-02-06"), [
    { label: "0dte", parents: ["ZB.OPT"] },
    { label: "generic", parents: ["ZB.OPT"] },
  ]);
});
