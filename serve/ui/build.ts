/**
 * Bundles the pages' scripts (`serve/ui/src/{velocity,vacuum_pressure,particle_wave}.ts`) into
 * `serve/ui/dist/` with `deno bundle` (browser platform, minified, source maps). Skips the work
 * when every bundle is newer than every source file. `deno task ui` runs it; `deno task serve`
 * runs it first.
 *
 * ```sh
 * deno task ui            # build when stale
 * deno task ui --force    # always build
 * ```
 *
 * @module
 */
import { fileURLToPath as fromFileUrl } from "node:url";

/** Page entry points, relative to `serve/ui/src/`. */
export const ENTRIES = ["velocity.ts", "vacuum_pressure.ts", "particle_wave.ts"] as const;

const UI = fromFileUrl(new URL("./", import.meta.url));
const SRC = `${UI}src/`;
/** Folder of the bundles. */
export const DIST = `${UI}dist/`;

async function newestSource(): Promise<number> {
  let newest = 0;
  for await (const e of Deno.readDir(SRC)) {
    if (!e.isFile || !e.name.endsWith(".ts")) continue;
    newest = Math.max(newest, (await Deno.stat(SRC + e.name)).mtime?.getTime() ?? 0);
  }
  return newest;
}

async function oldestBundle(): Promise<number> {
  let oldest = Infinity;
  for (const e of ENTRIES) {
    try {
      oldest = Math.min(
        oldest,
        (await Deno.stat(DIST + e.replace(/\.ts$/, ".js"))).mtime!.getTime(),
      );
    } catch {
      return 0;
    }
  }
  return oldest;
}

/** Builds the bundles when stale (or always with `force`); returns true when it built. */
export async function buildPages(force = false): Promise<boolean> {
  if (!force && (await oldestBundle()) > (await newestSource())) return false;
  await Deno.mkdir(DIST, { recursive: true });
  for (const e of ENTRIES) {
    const out = DIST + e.replace(/\.ts$/, ".js");
    const tmp = `${out}.tmp-${Deno.pid}.js`;
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--minify",
        "--sourcemap=inline",
        "-o",
        tmp,
        SRC + e,
      ],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (!r.success) {
      await Deno.remove(tmp).catch(() => {});
      throw new Error(`deno bundle ${e} failed:\n${new TextDecoder().decode(r.stderr)}`);
    }
    await Deno.rename(tmp, out);
  }
  return true;
}

if (import.meta.main) {
  const force = Deno.args.includes("--force");
  const unknown = Deno.args.filter((a) => a !== "--force");
  if (unknown.length) {
    console.error(`ui: unknown argument ${unknown[0]} (valid: --force)`);
    Deno.exit(2);
  }
  try {
    const built = await buildPages(force);
    console.error(built ? `ui: bundled ${ENTRIES.length} pages into ${DIST}` : "ui: up to date");
  } catch (e) {
    console.error(`ui: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
