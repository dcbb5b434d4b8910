// The PRNG: sfc32 core checked against an independent BigInt implementation of the published
// recurrence; distributions checked against their textbook moments.
import assert from "node:assert/strict";
import { geoTable, Rng } from "./_rng.ts";

/** sfc32 (Doty-Humphrey) written with BigInt arithmetic modulo 2^32. */
function* sfc32Reference(a: bigint, b: bigint, c: bigint, d: bigint): Generator<number> {
  const M = 0xffffffffn;
  for (;;) {
    const t = (a + b + d) & M;
    d = (d + 1n) & M;
    a = b ^ (b >> 9n);
    b = (c + (c << 3n)) & M;
    c = (((c << 21n) | (c >> 11n)) & M) + t & M;
    yield Number(t);
  }
}

Deno.test("sfc32 core matches an independent BigInt implementation", () => {
  const r = new Rng(1);
  r.a = 0x12345678;
  r.b = 0x9abcdef0 | 0;
  r.c = 0x0fedcba9;
  r.d = 1;
  const ref = sfc32Reference(0x12345678n, 0x9abcdef0n, 0x0fedcba9n, 1n);
  for (let i = 0; i < 2000; i++) assert.equal(r.u32(), ref.next().value, `output ${i}`);
});

Deno.test("same seed and stream, same numbers; other seed or stream, other numbers", () => {
  const draw = (seed: number, stream: string) => {
    const r = new Rng(seed, stream);
    return Array.from({ length: 8 }, () => r.u32());
  };
  assert.deepEqual(draw(7, "x"), draw(7, "x"));
  assert.notDeepEqual(draw(7, "x"), draw(8, "x"));
  assert.notDeepEqual(draw(7, "x"), draw(7, "y"));
  assert.notDeepEqual(draw(2 ** 40, "x"), draw(2 ** 40 + 2 ** 32, "x"), "high seed bits matter");
  assert.throws(() => new Rng(1.5), /seed/);
});

Deno.test("distributions have their textbook means and variances", () => {
  const r = new Rng(3, "moments");
  const n = 200_000;
  let su = 0, sn = 0, sn2 = 0, se = 0, sg = 0, sp = 0, st = 0;
  const table = geoTable(2.5);
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u > 0 && u < 1);
    su += u;
    const z = r.normal();
    sn += z;
    sn2 += z * z;
    se += r.exp();
    sg += r.geometric(3);
    sp += r.poisson(4.5);
    st += table[r.u32() >>> 20];
  }
  const close = (x: number, want: number, tol: number, what: string) =>
    assert.ok(Math.abs(x - want) < tol, `${what}: ${x} vs ${want}`);
  close(su / n, 0.5, 0.005, "uniform mean");
  close(sn / n, 0, 0.01, "normal mean");
  close(sn2 / n, 1, 0.015, "normal variance");
  close(se / n, 1, 0.01, "exponential mean");
  close(sg / n, 3, 0.05, "geometric mean");
  close(sp / n, 4.5, 0.03, "poisson mean");
  close(st / n, 2.5, 0.05, "tabulated geometric mean");
  let big = 0;
  for (let i = 0; i < 20_000; i++) big += r.poisson(400);
  close(big / 20_000, 400, 1, "poisson mean (normal approximation)");
});

Deno.test("pick follows the weights", () => {
  const r = new Rng(4);
  const w = [1, 0, 3];
  const c = [0, 0, 0];
  for (let i = 0; i < 40_000; i++) c[r.pick(w)]++;
  assert.equal(c[1], 0);
  assert.ok(Math.abs(c[2] / c[0] - 3) < 0.15, `${c}`);
});
