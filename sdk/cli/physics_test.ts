import assert from "node:assert/strict";
import { main } from "./physics.ts";

async function quiet<T>(f: () => Promise<T>): Promise<[T, string]> {
  const err = console.error, log = console.log;
  let text = "";
  console.error = (...a: unknown[]) => (text += a.join(" ") + "\n");
  console.log = () => {};
  try {
    return [await f(), text];
  } finally {
    console.error = err;
    console.log = log;
  }
}

Deno.test("physics CLI: bad command lines exit 2 naming the flag", async () => {
  const cases: [string[], RegExp][] = [
    [[], /missing command \(fit or eval\)/],
    [["predict"], /unknown command 'predict'; valid: fit, eval/],
    [
      ["fit", "--product-type", "future_option_mbo"],
      /--product-type: unknown value 'future_option_mbo'; valid: future_mbo, equity_mbo/,
    ],
    [["fit", "--split-at", "25:00"], /--split-at must be HH:MM, got '25:00'/],
    [["fit", "--holdout-days", "2", "--split-at", "12:00"], /exclusive/],
    [["fit", "--horizons", "1,0"], /--horizons: expected whole seconds 1..600/],
    [["fit", "--session", "12:30-09:30"], /--session must be HH:MM-HH:MM \(start < end\)/],
    [["fit", "--start", "2026-02-30"], /--start/],
    [["eval", "--split-at", "12:00"], /unknown flag --split-at/],
    [["fit", "--resamples", "100"], /unknown flag --resamples/],
  ];
  for (const [args, re] of cases) {
    const [code, text] = await quiet(() => main(args));
    assert.equal(code, 2, args.join(" "));
    assert.match(text, re);
  }
});

Deno.test("physics CLI: a lake without gold exits 1 with one line saying what to run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const [code, text] = await quiet(() => main(["fit", "--lake", dir]));
    assert.equal(code, 1);
    assert.match(
      text,
      /^physics fit: no complete gold.future_mbo.physics_surface_1s partition for 'MNQ'/,
    );
    assert.ok(!/\n\s+at /.test(text), "no stack trace");
    const [code2, text2] = await quiet(() => main(["eval", "--lake", dir]));
    assert.equal(code2, 1);
    assert.match(text2, /cannot read the parameters file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
