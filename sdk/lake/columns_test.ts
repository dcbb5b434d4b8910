import assert from "node:assert/strict";
import { int64At, int64Words } from "./columns.ts";

Deno.test("int64Words / int64At: 64-bit rows as numbers without BigInts, views not copies", () => {
  // a price in 1e-9 units, its negative, zero, −1, and a value above 2^32 with the low word ≥ 2^31
  const a = new BigInt64Array([21_000_250_000_000n, -21_000_250_000_000n, 0n, -1n, 6_442_450_944n]);
  const tail = a.subarray(1); // a view with a byte offset
  const w = int64Words(a), t = int64Words(tail);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => int64At(w, i)), [
    21_000_250_000_000,
    -21_000_250_000_000,
    0,
    -1,
    6_442_450_944,
  ]);
  assert.equal(int64At(t, 0), -21_000_250_000_000);
  // 6,442,450,944 = 1·2^32 + 2^31: high word 1, low word −2^31 as a signed 32-bit value
  assert.deepEqual([w[8], w[9]], [-2147483648, 1]);
  w[4] = 7; // writes go to the BigInt64Array itself
  assert.equal(a[2], 7n);
});
