/**
 * `deno doc --lint` over every export of the package (`sdk/deno.json` `exports`), as part of
 * `deno task check`. Deno 2.9.6 prints 81 warnings for a module graph that reaches apache-arrow's
 * types: `Failed resolving types. Could not find package 'zlib.d.ts' from referrer
 * '…/@types/node/25.9.9/index.d.ts'`. They come from a bug in `deno_graph`
 * (https://github.com/denoland/deno/issues/36751): triple-slash `path` references without a
 * leading `./` (as in `@types/node/index.d.ts`) are resolved as bare package names instead of
 * files beside the referrer, while `deno check` (and TypeScript) resolve them correctly. They say
 * nothing about this package, so exactly those lines (a missing "package" named after a file or
 * folder of `@types/node`, referred to from inside `@types/node`, with their `at` line) are
 * dropped; every other line is passed through, and any other warning or a non-zero exit fails.
 * Remove this wrapper when Deno ships the `deno_graph` fix.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { defineCommand } from "./_args.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The command line of the doc-lint step of `deno task check`. */
export const command = defineCommand({
  name: "deno run -A sdk/cli/doc_lint.ts",
  summary: "deno doc --lint over every export of sdk/deno.json, without the @types/node " +
    "resolution warnings of denoland/deno#36751.",
  flags: {},
});

const KNOWN =
  /^Warning Failed resolving types\. Could not find package '[^']+' from referrer '[^']*\/@types\/node\/[^']+'/;

/** `deno doc --lint` output without the known `@types/node` lines; `other` counts the rest. */
export function dropKnownWarnings(text: string): { kept: string; dropped: number } {
  const lines = text.split("\n");
  const kept: string[] = [];
  let dropped = 0;
  for (let i = 0; i < lines.length; i++) {
    if (KNOWN.test(lines[i])) {
      dropped++;
      if (/^\s+at .*@types\/node\//.test(lines[i + 1] ?? "")) i++;
      continue;
    }
    kept.push(lines[i]);
  }
  return { kept: kept.join("\n"), dropped };
}

async function main(): Promise<number> {
  const sdk = JSON.parse(await Deno.readTextFile(`${ROOT}sdk/deno.json`));
  const entries = Object.values(sdk.exports as Record<string, string>).map((p) =>
    `sdk/${p.replace(/^\.\//, "")}`
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...entries],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  const { kept } = dropKnownWarnings(dec.decode(out.stderr));
  const stdout = dec.decode(out.stdout);
  if (stdout.trim()) console.log(stdout.trimEnd());
  if (kept.trim()) console.error(kept.trimEnd());
  if (!out.success) return out.code || 1;
  return /\bWarning\b|\berror\b/.test(kept) ? 1 : 0;
}

if (import.meta.main) Deno.exit(await command.run(Deno.args, main));
