import assert from "node:assert/strict";
import { futuresColumn, OPTION_ROWS, optionsColumn } from "./velocity_field.ts";
import { backoffDelay } from "./stream.ts";

Deno.test("futures column: bid rows only at rel ≤ 0, ask rows only above; sums, max Omega, 1 + rho", () => {
  const G = 2;
  const col = futuresColumn(
    G,
    [-1, -1, 0, 0, 1, 1, 3],
    ["B", "A", "B", "A", "B", "A", "A"],
    [0.5, 9, 0.25, 9, 9, 0.75, 9],
    [1, 9, 2, 9, 9, -3, 9],
    [2, 9, 4, 9, 9, 6, 9],
    [0.5, 9, 0, 9, 9, Math.log(8), 9],
  );
  // rows −2..2 → index 0..4; ask at rel −1, 0 and bid at rel 1 are dropped, rel 3 is off-grid
  // deno-fmt-ignore
  assert.deepEqual([...col], [
    0, 0, 0, 0,
    0.5, 1, 2, 1.5,
    0.25, 2, 4, 1,
    0.75, -3, 6, Math.fround(1 + Math.log(8)),
    0, 0, 0, 0,
  ]);
});

Deno.test("options column: strike rows around the spot's strike", () => {
  // spot tick 1010, strikes every 20 ticks: centre strike 1020 (index 51) → row 20
  const col = optionsColumn(1010, 20, [10, -10, -30, 500], [1, 2, 3, 4], [0, 0, 0, 0], [
    5,
    6,
    7,
    8,
  ]);
  const row = (r: number) => [...col.subarray(4 * r, 4 * r + 4)];
  assert.deepEqual(row(20), [1, 0, 5, 1]); // 1020
  assert.deepEqual(row(19), [2, 0, 6, 1]); // 1000
  assert.deepEqual(row(18), [3, 0, 7, 1]); // 980
  assert.equal(col.length, 4 * OPTION_ROWS); // 1510 is 25 strikes up: dropped
  assert.equal(col.reduce((a, b) => a + b, 0), 1 + 5 + 1 + 2 + 6 + 1 + 3 + 7 + 1);
});

Deno.test("reconnect backoff: doubles from 0.5 s, capped at 15 s, ±20 % jitter", () => {
  const mid = () => 0.5;
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, undefined, mid)), [
    500,
    1000,
    2000,
    4000,
    8000,
    15000,
    15000,
  ]);
  assert.equal(backoffDelay(1, undefined, () => 0), 400);
  assert.equal(backoffDelay(1, undefined, () => 1), 600);
});
