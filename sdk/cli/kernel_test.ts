import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inPackageCache } from "./kernel.ts";

const SCRIPT = fileURLToPath(new URL("./kernel.ts", import.meta.url));

Deno.test("kernel: package-manager caches are recognised", () => {
  assert.ok(inPackageCache("/home/u/.npm/_npx/6a2b/node_modules/deno/deno"));
  assert.ok(inPackageCache("/home/u/.cache/pnpm/dlx/x/node_modules/deno/deno"));
  assert.ok(!inPackageCache("/usr/bin/deno"));
  assert.ok(!inPackageCache("/usr/lib/node_modules/deno/deno"));
  assert.ok(!inPackageCache("/home/u/.deno/bin/deno"));
});

Deno.test("kernel: a deno run by npx installs a kernelspec that does not point into npx's cache", async () => {
  const home = await Deno.makeTempDir({ prefix: "spymaster-kernel-" });
  try {
    // deno as `npx -y deno@…` runs it: a binary inside npm's npx cache
    const npx = join(home, ".npm", "_npx", "0123abcd", "node_modules", "deno", "deno");
    await Deno.mkdir(join(npx, ".."), { recursive: true });
    await Deno.copyFile(Deno.execPath(), npx);
    await Deno.chmod(npx, 0o755);
    const denoDir = JSON.parse(
      new TextDecoder().decode(
        (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
          .output()).stdout,
      ),
    ).denoDir;
    const out = await new Deno.Command(npx, {
      args: ["run", "-A", SCRIPT],
      stdout: "piped",
      stderr: "piped",
      env: { HOME: home, XDG_DATA_HOME: join(home, ".local", "share"), DENO_DIR: denoDir },
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    // wiping npx's cache (as npm does) must not break the kernel
    await Deno.remove(join(home, ".npm"), { recursive: true });
    const spec = JSON.parse(
      await Deno.readTextFile(join(home, ".local/share/jupyter/kernels/deno/kernel.json")),
    );
    assert.deepEqual(spec.argv.slice(1), ["jupyter", "--kernel", "--conn", "{connection_file}"]);
    const exe = spec.argv[0];
    assert.ok(!inPackageCache(exe), exe);
    assert.ok(exe.startsWith(home), exe);
    const v = await new Deno.Command(exe, { args: ["--version"], stdout: "piped" }).output();
    assert.match(new TextDecoder().decode(v.stdout), new RegExp(`^deno ${Deno.version.deno} `));
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
