import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { jupyterAvailable } from "../testing/fixtures.ts";
import { findNotebooks } from "./run_notebooks.ts";

const SCRIPT = fileURLToPath(new URL("./run_notebooks.ts", import.meta.url));

function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((src, i) => ({
      cell_type: "code",
      execution_count: null,
      id: `c${i}`,
      metadata: {},
      outputs: [],
      source: src,
    })),
    metadata: { kernelspec: { display_name: "Deno", language: "typescript", name: "deno" } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

Deno.test("findNotebooks lists .ipynb files of a folder in name order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const f of ["b.ipynb", "a.ipynb", "notes.md"]) {
      await Deno.writeTextFile(`${dir}/${f}`, "{}");
    }
    assert.deepEqual(await findNotebooks([dir]), [`${dir}/a.ipynb`, `${dir}/b.ipynb`]);
    await assert.rejects(findNotebooks([`${dir}/notes.md`]), /not a notebook \(\.ipynb\)/);
    await assert.rejects(findNotebooks([`${dir}/none`]), /notebook path not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a throwing cell fails the run, naming the notebook; outputs go nowhere",
  ignore: !jupyterAvailable(),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/good.ipynb`, notebook(["const x = 6 * 7;", "x"]));
      await Deno.writeTextFile(
        `${dir}/bad.ipynb`,
        notebook(["const y = 1;", "if (y === 1) throw new Error('boom in cell 2');"]),
      );
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", SCRIPT, dir],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      const out = dec.decode(r.stdout) + dec.decode(r.stderr);
      assert.equal(r.code, 1, out);
      assert.match(out, /^FAIL .*bad\.ipynb/m);
      assert.match(out, /^ok {3}.*good\.ipynb/m);
      assert.match(out, /boom in cell 2/);
      assert.match(out, /1 of 2 notebook\(s\) failed: bad\.ipynb/);
      // nothing was written beside the notebooks and the committed files are unchanged
      const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assert.deepEqual(left, ["bad.ipynb", "good.ipynb"]);
      assert.equal(
        await Deno.readTextFile(`${dir}/good.ipynb`),
        notebook(["const x = 6 * 7;", "x"]),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("missing jupyter is reported with how to install it", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT],
    env: { NO_COLOR: "1", PATH: "/nonexistent" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 2);
  assert.match(
    new TextDecoder().decode(r.stderr),
    /`jupyter` was not found on PATH; install it with: apt-get install/,
  );
});
