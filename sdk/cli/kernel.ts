/**
 * `deno task kernel`: installs the Deno Jupyter kernelspec so that it keeps working. `deno jupyter
 * --install` writes the path of the running `deno` into the kernelspec; when that `deno` came from
 * `npx -y deno@…`, the path lies in npx's cache, which npm prunes at will, and every notebook then
 * fails to start its kernel. This task copies such a `deno` once to a stable, versioned place
 * (`<data home>/spymaster/deno-<version>/deno`) and has that copy install the kernelspec. A `deno`
 * outside a package manager's cache (e.g. `/usr/bin/deno`, `~/.deno/bin/deno`) is used as is.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { defineCommand } from "./_args.ts";

/** The command line of `deno task kernel`. */
export const command = defineCommand({
  name: "deno task kernel",
  summary: "Installs (or replaces) the Deno kernelspec for Jupyter, pointing at a deno binary " +
    "outside any package manager's cache.",
  flags: {
    name: { type: "string", default: "deno", description: "kernelspec name" },
  },
});

/** Whether `path` lies in a package manager's cache (npx, npm, yarn, pnpm, bun). */
export function inPackageCache(path: string): boolean {
  return /[\\/](_npx|\.npm|npm-cache|\.yarn|\.pnpm-store|pnpm|\.bun)[\\/]/.test(path) ||
    /[\\/]\.cache[\\/]/.test(path);
}

/** The per-user data folder (`$XDG_DATA_HOME`, else `~/.local/share`; macOS/Windows: theirs). */
function dataHome(): string {
  const env = Deno.env.toObject();
  if (Deno.build.os === "windows") return env.APPDATA ?? join(env.USERPROFILE ?? ".", "AppData");
  if (Deno.build.os === "darwin") return join(env.HOME ?? ".", "Library", "Application Support");
  return env.XDG_DATA_HOME || join(env.HOME ?? ".", ".local", "share");
}

/** A stable deno binary of this version: the running one, or a copy out of a package cache. */
export async function stableDeno(exe: string = Deno.execPath()): Promise<string> {
  if (!inPackageCache(exe)) return exe;
  const name = Deno.build.os === "windows" ? "deno.exe" : "deno";
  const target = join(dataHome(), "spymaster", `deno-${Deno.version.deno}`, name);
  try {
    if ((await Deno.stat(target)).isFile) return target;
  } catch { /* not there yet */ }
  await Deno.mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${Deno.pid}`;
  await Deno.copyFile(exe, tmp);
  if (Deno.build.os !== "windows") await Deno.chmod(tmp, 0o755);
  await Deno.rename(tmp, target);
  return target;
}

async function main(name: string): Promise<number> {
  const exe = Deno.execPath();
  const deno = await stableDeno(exe);
  if (deno !== exe) {
    console.log(`deno ${Deno.version.deno} runs from a package cache (${exe}); copied to ${deno}`);
  }
  const out = await new Deno.Command(deno, {
    args: ["jupyter", "--install", "--force", "--name", name],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) {
    console.error(`kernel: deno jupyter --install failed:\n${text.trim()}`);
    return 1;
  }
  const at = /installed successfully at (.+?)\.?\s*$/m.exec(text)?.[1];
  if (at) {
    const spec = JSON.parse(await Deno.readTextFile(join(at, "kernel.json")));
    console.log(`kernelspec '${name}' at ${at}: ${spec.argv.join(" ")}`);
  } else console.log(text.trim());
  console.log(
    "Open the notebooks with `jupyter lab notebooks/` (or `jupyter notebook`), kernel 'Deno'.",
  );
  return 0;
}

if (import.meta.main) {
  Deno.exit(await command.run(Deno.args, ({ flags }) => main(flags.name)));
}
