import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import {
  chromiumPath,
  fixturePath,
  fixturesAvailable,
  fixturesDir,
  skipUnlessFixtures,
} from "./fixtures.ts";

const HELPER = fromFileUrl(new URL("./fixtures.ts", import.meta.url));

/** Runs a snippet that imports the helper in a fresh process with a chosen environment. */
async function evalWith(
  code: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const clear = ["SPYMASTER_FIXTURES", "CHROMIUM_PATH", "CI"];
  const base = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) => !clear.includes(k)),
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `import * as h from ${JSON.stringify(HELPER)};\n${code}`],
    env: { ...base, NO_COLOR: "1", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("fixturesDir is ../shared/fixtures beside the checkout root", () => {
  // This file is <root>/sdk/testing/fixtures_test.ts, so <root>/.. is three levels up.
  const root = fromFileUrl(new URL("../../", import.meta.url)).replace(/\/$/, "");
  const parent = root.slice(0, root.lastIndexOf("/"));
  if (Deno.env.get("SPYMASTER_FIXTURES")) return;
  assert.equal(fixturesDir(), `${parent}/shared/fixtures`);
  assert.equal(fixturePath("dbn/x.dbn"), `${parent}/shared/fixtures/dbn/x.dbn`);
  assert.throws(() => fixturePath("/etc/passwd"), /relative path/);
});

Deno.test({
  name: "fixturePath finds Databento's conformance notes when the fixtures are present",
  ignore: skipUnlessFixtures("dbn/EXPECTED.md"),
  fn: async () => {
    const text = await Deno.readTextFile(fixturePath("dbn/EXPECTED.md"));
    assert.match(text, /test_data\.mbo/);
    assert.equal(fixturesAvailable("dbn/EXPECTED.md"), true);
  },
});

Deno.test("a missing fixture is reported as unavailable and skipped", () => {
  assert.equal(fixturesAvailable("no/such/fixture.dbn"), false);
  assert.equal(skipUnlessFixtures("no/such/fixture.dbn"), true);
});

Deno.test("SPYMASTER_FIXTURES overrides the folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "x");
    const r = await evalWith(
      `console.log(JSON.stringify([h.fixturesDir(), h.fixturesAvailable("a.txt"), ` +
        `h.skipUnlessFixtures("a.txt"), h.skipUnlessFixtures("b.txt")]));`,
      { SPYMASTER_FIXTURES: `${dir}/` },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [dir, true, false, true]);
    assert.match(r.stderr, /skip: fixture\(s\) missing in .*: b\.txt/);

    const gone = await evalWith(`console.log(h.skipUnlessFixtures("a.txt"));`, {
      SPYMASTER_FIXTURES: `${dir}/nope`,
    });
    assert.equal(gone.stdout.trim(), "true");
    assert.match(gone.stderr, /skip: fixtures folder .*\/nope not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing Chromium skips locally and throws under CI=true", async () => {
  const local = await evalWith(`console.log(h.chromiumAvailable());`, {
    CHROMIUM_PATH: "/nonexistent/chromium",
  });
  assert.equal(local.code, 0, local.stderr);
  assert.equal(local.stdout.trim(), "false");
  assert.match(local.stderr, /skip: Chromium not found/);

  const ci = await evalWith(`h.chromiumAvailable();`, {
    CHROMIUM_PATH: "/nonexistent/chromium",
    CI: "true",
  });
  assert.notEqual(ci.code, 0);
  assert.match(ci.stderr, /Chromium is required when CI=true/);
});

Deno.test("chromiumPath honours CHROMIUM_PATH when it exists", async () => {
  const r = await evalWith(`console.log(h.chromiumPath());`, { CHROMIUM_PATH: Deno.execPath() });
  assert.equal(r.stdout.trim(), Deno.execPath());
  const found = chromiumPath();
  if (found !== undefined) assert.equal((await Deno.stat(found)).isFile, true);
});

Deno.test("jupyterAvailable throws under CI=true when jupyter is not on PATH", async () => {
  const r = await evalWith(`h.jupyterAvailable();`, { CI: "true", PATH: "/nonexistent" });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /required when CI=true: `jupyter` not found/);
  const local = await evalWith(`console.log(h.jupyterAvailable());`, { PATH: "/nonexistent" });
  assert.equal(local.stdout.trim(), "false");
  assert.match(local.stderr, /skip: notebook tests ignored/);
});
