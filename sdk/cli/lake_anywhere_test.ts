import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function task(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("--lake anywhere: synth and pipeline write a lake outside ./lake and /tmp", async () => {
  // a folder the old permission set (write: lake, /tmp) did not cover
  const lake = await Deno.makeTempDir({ dir: ROOT, prefix: ".lake-anywhere-" });
  try {
    const synth = await task([
      "synth",
      "--product-type",
      "future_mbo",
      "--start",
      "2026-02-06",
      "--seed",
      "3",
      "--events",
      "2000",
      "--lake",
      lake,
    ]);
    assert.equal(synth.code, 0, synth.stderr);
    assert.doesNotMatch(synth.stderr, /Warning|experimental/);
    const bronze = await task([
      "pipeline",
      "--product-type",
      "future_mbo",
      "--layer",
      "bronze",
      "--symbol",
      "MNQ",
      "--dt",
      "2026-02-06",
      "--lake",
      lake,
      "--quiet",
    ]);
    assert.equal(bronze.code, 0, bronze.stderr + bronze.stdout);
    assert.match(bronze.stdout, /DONE 1 ok, 0 failed/);
    const parts = [...Deno.readDirSync(join(lake, "bronze"))].map((e) => e.name);
    assert.ok(parts.length > 0);
  } finally {
    await Deno.remove(lake, { recursive: true });
  }
});

Deno.test("a denied permission is one message naming the access, exit 1, no stack trace", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      join(ROOT, "sdk/cli/synth.ts"),
      "--product-type",
      "future_mbo",
      "--start",
      "2026-02-06",
      "--seed",
      "1",
      "--events",
      "1000",
      "--lake",
      "/nonexistent-spymaster-lake",
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 1, err);
  assert.match(err, /^synth: .*write access to .*\/nonexistent-spymaster-lake/);
  assert.doesNotMatch(err, /\n\s+at /);
});
