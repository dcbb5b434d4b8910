// Every `deno task` that runs a CLI of sdk/cli answers --help (exit 0) and an unknown flag with a
// suggestion (exit 2), through the task's own permissions: no warning, no stack trace.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks as Record<
  string,
  { command: string }
>;
const CLI_TASKS = Object.entries(tasks)
  .filter(([, t]) => /^deno run .*sdk\/cli\/[a-z_]+\.ts$/.test(t.command))
  .map(([name]) => name);

async function task(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("every CLI task answers --help and names the nearest flag for a typo", async () => {
  assert.ok(CLI_TASKS.length >= 10, CLI_TASKS.join(", "));
  for (const name of CLI_TASKS) {
    const help = await task(name, "--help");
    assert.equal(help.code, 0, `${name} --help: ${help.stderr}`);
    assert.match(help.stdout, /^usage: |\nusage: /, `${name} --help`);
    assert.match(help.stdout, /--help +show this help/, name);
    assert.equal(help.stderr, "", `${name}: nothing on stderr (no permission warning)`);
    // lobster dispatches on its first argument: give it one
    const typo = await task(name, ...(name === "lobster" ? ["replay"] : []), "--hlep");
    assert.equal(typo.code, 2, `${name} --hlep: ${typo.stderr}`);
    assert.match(typo.stderr, /unknown flag --hlep \(did you mean --help\?\); valid flags: /, name);
    assert.doesNotMatch(typo.stderr, /\n\s+at /, name);
  }
});

Deno.test("demo on a weekend: one line, exit 2, no stack trace", async () => {
  const r = await task("demo", "--date", "2026-02-07");
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "demo: --date 2026-02-07 is a Saturday; synthetic days are Monday to Friday\n",
  );
});
