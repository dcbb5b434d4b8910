import assert from "node:assert/strict";
import {
  computeField,
  computeTensor,
  DEFAULT_WAVE,
  distanceToObject,
  frequencyOf,
  waveColor,
  waveValue,
} from "./particle_wave_model.ts";

const P = { ...DEFAULT_WAVE }; // object centre (10, 5), 2 wide, 3 tall → x 9..11, y 3.5..6.5

Deno.test("distance to the object: y-distance inside its x-range, Euclidean to a corner outside", () => {
  assert.equal(distanceToObject(10, 8, P), 1.5); // above the top edge (6.5)
  assert.equal(distanceToObject(10, 5, P), 0); // inside
  assert.equal(distanceToObject(12, 5, P), 1); // right of the right edge (11)
  assert.equal(distanceToObject(14, 10.5, P), 5); // 3-4-5 from the corner (11, 6.5)
});

Deno.test("the wave obeys v = λ·f: f = 10/10 = 1 Hz by default, crests move at v", () => {
  assert.equal(frequencyOf(P), 1);
  assert.equal(frequencyOf({ wavelength: 4, speed: 10 }), 2.5);
  // with no medium effects the field is A·sin(k(x − v·t)): value at (x + v·t, t) = value at (x, 0)
  const free = { ...P, density: 0 };
  for (const x of [0.3, 1.7, 4.2]) {
    const a = waveValue(free, x, 0, 0, 0, 1, 0, 50);
    const b = waveValue(free, x + free.speed * 0.37, 0.37, 0, 0, 1, 0, 50);
    assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
  }
  // speed 20: the same crest is twice as far after the same time
  const fast = { ...free, speed: 20 };
  assert.ok(
    Math.abs(
      waveValue(fast, 1 + 20 * 0.1, 0.1, 0, 0, 1, 0, 50) - waveValue(fast, 1, 0, 0, 0, 1, 0, 50),
    ) <
      1e-9,
  );
});

Deno.test("hand-computed values: amplitude, damping inside, scattering outside", () => {
  // x = 2.5, t = 0, λ = 10: phase = π/2, sin = 1, cos(2·phase) = −1
  // outside at distance 1 with ρ = 0.5: amp = 1 + 0.2·0.5·e^{−1}·(−1) = 1 − 0.0367879...
  const out = waveValue(P, 2.5, 0, 0, 0, 1, 0, 1);
  assert.ok(Math.abs(out - (1 - 0.1 * Math.exp(-1))) < 1e-12, String(out));
  // inside (density 0.5, permeability ε/(1+ρ) = 2/3): amp = √(2/3)·e^{−1}
  const inside = waveValue(P, 2.5, 0, 0, 0, 1 / 1.5, 0.5, 0);
  assert.ok(Math.abs(inside - Math.sqrt(1 / 1.5) * Math.exp(-1)) < 1e-12, String(inside));
  // viscosity 0.4 and decay 0.1 at x = 2.5: amp = e^{−0.25}·0.8
  const damped = waveValue({ ...P, density: 0 }, 2.5, 0, 0.4, 0.1, 1, 0, 9);
  assert.ok(Math.abs(damped - Math.exp(-0.25) * 0.8) < 1e-12, String(damped));
});

Deno.test("the interference term is not a no-op outside the object (the original's was)", () => {
  const grid = { width: 40, height: 20, pxPerUnit: 2 };
  const t1 = computeTensor(P, grid), t0 = computeTensor({ ...P, density: 0 }, grid);
  const f1 = new Float32Array(800), f0 = new Float32Array(800);
  computeField(P, t1, 0.2, f1, grid);
  computeField({ ...P, density: 0 }, t0, 0.2, f0, grid);
  // a pixel just right of the object (x = 11.25, y = 5.25 → column 22, row 9) differs
  const i = 9 * 40 + 22;
  assert.equal(t1.density[i], 0);
  assert.ok(Math.abs(f1[i] - f0[i]) > 1e-3, `${f1[i]} vs ${f0[i]}`);
});

Deno.test("wave colours: cyan crests, magenta troughs", () => {
  assert.deepEqual(waveColor(1), [0, 255, 255]);
  assert.deepEqual(waveColor(0.5), [0, 192, 255]);
  assert.deepEqual(waveColor(-1), [255, 0, 1]);
  assert.deepEqual(waveColor(0), [255, 0, 128]);
});
