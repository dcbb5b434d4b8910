// Every shell command of README.md runs as written: the fenced `sh` blocks are extracted and run
// in order, on a lake in a temporary folder (SPYMASTER_LAKE) with a temporary home (so that the
// kernelspec lands there, not in the user's Jupyter).
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The commands of the README's fenced `sh` blocks (continuation lines joined). */
export function readmeCommands(markdown: string): string[] {
  const out: string[] = [];
  for (const m of markdown.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm)) {
    const text = m[1].replace(/\\\n\s*/g, "");
    for (const line of text.split("\n")) {
      const l = line.trim();
      if (l && !l.startsWith("#")) out.push(l);
    }
  }
  return out;
}

/** Why a command is not run here, or `undefined` to run it. */
function skipReason(argv: string[]): string | undefined {
  if (argv[0] !== "deno") return "not a deno command (a setup step for the user's machine)";
  if (argv[1] === "task" && argv[2] === "test") return "it is the test suite running this test";
  if (argv[1] === "task" && argv[2] === "download") {
    return "needs a Databento API key (DATABENTO_API_KEY) and the network";
  }
  return undefined;
}

/** `npx -y deno@V …` and `deno …` as argv with `deno` first. */
function argvOf(command: string): string[] {
  const words = command.split(/\s+/);
  if (words[0] === "npx" && words[1] === "-y" && /^deno@/.test(words[2] ?? "")) {
    return ["deno", ...words.slice(3)];
  }
  return words;
}

Deno.test("README: the fenced commands are found", async () => {
  const cmds = readmeCommands(await Deno.readTextFile(join(ROOT, "README.md")));
  assert.ok(cmds.includes("npx -y deno@2.9.6 task demo"), cmds.join("\n"));
  assert.ok(cmds.some((c) => c.startsWith("deno task download futures daemon --start")));
  assert.ok(!cmds.some((c) => c.endsWith("\\")));
});

Deno.test({
  name: "README: every command runs as written on a demo lake",
  sanitizeResources: false,
  fn: async (t) => {
    const readme = await Deno.readTextFile(join(ROOT, "README.md"));
    const tmp = await Deno.makeTempDir({ prefix: "spymaster-readme-" });
    const denoDir = JSON.parse(
      new TextDecoder().decode(
        (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
          .output()).stdout,
      ),
    ).denoDir;
    const env = {
      SPYMASTER_LAKE: join(tmp, "lake"),
      HOME: join(tmp, "home"),
      XDG_DATA_HOME: join(tmp, "home", ".local", "share"),
      DENO_DIR: denoDir,
      NO_COLOR: "1",
      CI: "true",
    };
    try {
      // each distinct command once (the Quick start's demo reappears in the notebook setup)
      for (const command of new Set(readmeCommands(readme))) {
        const argv = argvOf(command);
        const skip = skipReason(argv);
        if (skip) {
          console.log(`skip: ${command}\n  (${skip})`);
          continue;
        }
        await t.step(command, async () => {
          const out = await new Deno.Command(Deno.execPath(), {
            args: argv.slice(1),
            cwd: ROOT,
            env,
            stdout: "piped",
            stderr: "piped",
          }).output();
          const err = new TextDecoder().decode(out.stderr);
          assert.equal(out.code, 0, `${command}\n${new TextDecoder().decode(out.stdout)}\n${err}`);
          assert.doesNotMatch(err, /\n\s+at .*:\d+:\d+/, "no stack trace");
        });
      }
      // the commands wrote the temporary lake, nothing else
      const layers = [...Deno.readDirSync(join(tmp, "lake"))].map((e) => e.name).sort();
      assert.deepEqual(layers.filter((l) => l === "bronze" || l === "silver"), [
        "bronze",
        "silver",
      ]);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
