import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { notebookModule } from "./check_notebooks.ts";

const SCRIPT = fileURLToPath(new URL("./check_notebooks.ts", import.meta.url));

/** A minimal Deno-kernel notebook with the given code cells. */
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

async function runCheck(
  args: string[],
): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test("notebookModule joins code cells in order with cell markers", () => {
  const nb = JSON.parse(notebook(["const a = 1;", "a + 1"]));
  nb.cells.splice(1, 0, { cell_type: "markdown", id: "m", metadata: {}, source: ["# t"] });
  const m = notebookModule(nb, "x.ipynb");
  assert.deepEqual(m.problems, []);
  assert.equal(
    m.code,
    "// cell 1 (id c0)\nconst a = 1;\n;\n// cell 3 (id c1)\na + 1\n;\nexport {};\n",
  );
});

Deno.test("notebookModule reports committed outputs, missing ids and a foreign kernel", () => {
  const nb = JSON.parse(notebook(["1", "2"]));
  nb.metadata.kernelspec.name = "python3";
  delete nb.cells[0].id;
  nb.cells[1].outputs = [{ output_type: "stream", name: "stdout", text: "2" }];
  nb.cells[1].execution_count = 3;
  assert.deepEqual(notebookModule(nb, "x.ipynb").problems, [
    'x.ipynb: kernelspec is "python3", expected "deno"',
    "x.ipynb cell 1: missing cell id",
    "x.ipynb cell 2 (id c1): outputs are committed",
    "x.ipynb cell 2 (id c1): execution_count is committed",
  ]);
});

Deno.test("a type error in a cell fails the check and the temp module is removed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/good.ipynb`, notebook(["const n: number = 1;", "n * 2"]));
    await Deno.writeTextFile(`${dir}/bad.ipynb`, notebook(["const s: number = 'text';"]));
    const bad = await runCheck([dir]);
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /TS2322/);
    assert.match(bad.out, /\.check_bad\.ts/);
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(left, ["bad.ipynb", "good.ipynb"]);

    const good = await runCheck([`${dir}/good.ipynb`]);
    assert.equal(good.code, 0, good.out);
    assert.match(good.out, /1 notebook\(s\) type-check and are clean/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing path is a clear error", async () => {
  const r = await runCheck(["/nonexistent/nb.ipynb"]);
  assert.equal(r.code, 2);
  assert.match(r.out, /notebook path not found: \/nonexistent\/nb\.ipynb/);
});
