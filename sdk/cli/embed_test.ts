import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { EMBEDDED_CONFIG, EMBEDDED_CONTRACTS } from "../lake/_embedded.ts";
import { embeddedSources } from "./embed.ts";

const SCRIPT = fileURLToPath(new URL("./embed.ts", import.meta.url));

Deno.test("embed: the package's copy equals config/ and contracts/ (else run `deno task embed`)", async () => {
  const now = await embeddedSources();
  assert.deepEqual(Object.keys(EMBEDDED_CONFIG).sort(), ["datasets.yaml", "products.yaml"]);
  assert.deepEqual(EMBEDDED_CONFIG, now.config, "config/ changed: run `deno task embed`");
  assert.deepEqual(EMBEDDED_CONTRACTS, now.contracts, "contracts/ changed: run `deno task embed`");
  const check = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, "--check"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
});

Deno.test("embed --check names what changed and how to fix it", async () => {
  // a checkout whose contracts/ has one file more than the embedded copy
  const dir = await Deno.makeTempDir({ prefix: "spymaster-embed-" });
  try {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    for (const d of ["config", "contracts"]) {
      await new Deno.Command("cp", { args: ["-r", `${root}${d}`, `${dir}/${d}`] }).output();
    }
    await Deno.mkdir(`${dir}/sdk/cli`, { recursive: true });
    await Deno.mkdir(`${dir}/sdk/lake`, { recursive: true });
    for (
      const f of [
        "sdk/cli/embed.ts",
        "sdk/cli/_args.ts",
        "sdk/lake/_embedded.ts",
        "sdk/deno.json",
        "deno.json",
      ]
    ) {
      await Deno.copyFile(`${root}${f}`, `${dir}/${f}`);
    }
    await Deno.writeTextFile(
      `${dir}/contracts/gold/future_mbo/zz_added_by_test.avsc`,
      '{"type": "record", "name": "X", "fields": []}\n',
    );
    const run = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-lock", `${dir}/sdk/cli/embed.ts`, ...args],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
    const stale = await run("--check");
    const err = new TextDecoder().decode(stale.stderr);
    assert.equal(stale.code, 1);
    assert.match(
      err,
      /^embed: sdk\/lake\/_embedded\.ts is stale: contracts\/gold\/future_mbo\/zz_added_by_test\.avsc \(added\)\.\n.*run `deno task embed`/,
    );
    assert.equal((await run()).code, 0);
    assert.equal((await run("--check")).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
