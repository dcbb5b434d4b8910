/**
 * `deno task docs [--check]`: generates `docs/features/` (one Markdown page and one JSON file per
 * product type) from the `doc` attributes of the Avro contracts. With `--check`, writes nothing
 * and exits 1 when a generated file is missing or stale (run by `deno task check`).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadLakeConfig } from "../lake/datasets.ts";
import { featureDocs } from "../validate/feature_docs.ts";
import { defineCommand } from "./_args.ts";

/** The command line of `deno task docs`. */
export const command = defineCommand({
  name: "deno task docs",
  summary:
    "Generates docs/features/<product type>.md and .json from the contracts' doc attributes.",
  flags: {
    check: {
      type: "boolean",
      description: "write nothing; exit 1 when a generated file is missing or out of date",
    },
  },
  notes: "Exit codes: 0 done (or up to date), 1 stale files with --check, 2 bad arguments.",
});

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Runs the CLI; returns the exit status. */
export function main(argv: string[]): Promise<number> {
  return command.run(argv, ({ flags }) => generate(flags.check));
}

async function generate(check: boolean): Promise<number> {
  const files = featureDocs(await loadLakeConfig());
  const stale: string[] = [];
  for (const f of files) {
    const path = join(ROOT, f.path);
    let old: string | null = null;
    try {
      old = await Deno.readTextFile(path);
    } catch { /* missing */ }
    if (old === f.text) continue;
    stale.push(f.path);
    if (!check) {
      await Deno.mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.tmp-${crypto.randomUUID()}`;
      await Deno.writeTextFile(tmp, f.text);
      await Deno.rename(tmp, path);
    }
  }
  if (check) {
    if (stale.length) {
      console.error(
        `docs: ${stale.length} generated file(s) out of date with the contracts: ` +
          `${stale.join(", ")}\n  run: deno task docs`,
      );
      return 1;
    }
    console.log(`docs: ${files.length} generated files up to date`);
    return 0;
  }
  console.log(`docs: ${stale.length} of ${files.length} files written under docs/features/`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
