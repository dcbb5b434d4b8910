/**
 * Type-checks notebooks and checks that they are committed clean.
 *
 * ```sh
 * deno run -A sdk/cli/check_notebooks.ts                 # every notebooks/*.ipynb
 * deno run -A sdk/cli/check_notebooks.ts a.ipynb dir/
 * ```
 *
 * The Deno kernel transpiles cells without type-checking them, and `deno check` cannot read an
 * `.ipynb`. So each notebook's code cells are joined, in order, into a temporary module beside it
 * (`.check_<name>.ts`, so relative imports such as `../sdk/dbn/mod.ts` resolve), `deno check` runs
 * on all of them, and the temporary files are removed afterwards, also on failure or Ctrl-C.
 * Each cell is preceded by a `// cell N (id ...)` comment so an error's line points at its cell.
 *
 * Also checks that every notebook uses the `deno` kernel, that every cell has an `id`, and that
 * no outputs or execution counts are committed. Exits 1 on any problem.
 *
 * @module
 */

import { basename, dirname } from "node:path";
import { findNotebooks } from "./run_notebooks.ts";
import { defineCommand } from "./_args.ts";

/** The fields of a notebook cell (nbformat 4.5) that the check reads. */
export interface NotebookCell {
  /** `code`, `markdown` or `raw`. */
  cell_type: string;
  /** Cell id (required from nbformat 4.5). */
  id?: string;
  /** Cell text, whole or as lines. */
  source: string | string[];
  /** Outputs of a code cell. */
  outputs?: unknown[];
  /** Execution counter of a code cell. */
  execution_count?: number | null;
}

/** The fields of a notebook (nbformat 4) that the check reads. */
export interface Notebook {
  /** All cells, in order. */
  cells: NotebookCell[];
  /** Notebook metadata; `kernelspec.name` must be `deno`. */
  metadata?: { kernelspec?: { name?: string } };
}

/** A notebook as a TypeScript module, plus the problems found in its JSON. */
export interface NotebookModule {
  /** The module text: every code cell, in order, separated by `;` and a cell comment. */
  code: string;
  /** Structural problems (kernel, cell ids, committed outputs), each naming the cell. */
  problems: string[];
}

const sourceOf = (c: NotebookCell): string =>
  Array.isArray(c.source) ? c.source.join("") : c.source;

/** Converts a parsed notebook into a checkable module and lists its structural problems. */
export function notebookModule(nb: Notebook, name: string): NotebookModule {
  const problems: string[] = [];
  if (!Array.isArray(nb.cells)) return { code: "", problems: [`${name}: no "cells" array`] };
  const kernel = nb.metadata?.kernelspec?.name;
  if (kernel !== "deno") problems.push(`${name}: kernelspec is "${kernel}", expected "deno"`);
  const parts: string[] = [];
  nb.cells.forEach((c, i) => {
    const where = `${name} cell ${i + 1}${c.id ? ` (id ${c.id})` : ""}`;
    if (!c.id) problems.push(`${where}: missing cell id`);
    if (c.cell_type !== "code") return;
    if ((c.outputs?.length ?? 0) > 0) problems.push(`${where}: outputs are committed`);
    if (c.execution_count != null) problems.push(`${where}: execution_count is committed`);
    parts.push(`// cell ${i + 1}${c.id ? ` (id ${c.id})` : ""}\n${sourceOf(c)}`);
  });
  return { code: `${parts.join("\n;\n")}\n;\nexport {};\n`, problems };
}

/** The command line of `deno task check`'s notebook step. */
export const command = defineCommand({
  name: "deno run -A sdk/cli/check_notebooks.ts",
  summary: "Type-checks the code cells of notebooks (one module per notebook) and checks that " +
    "they are committed without outputs, with cell ids and the deno kernelspec.",
  positionals: [{
    name: "notebook",
    description: "notebooks or folders (default: notebooks/)",
    optional: true,
    variadic: true,
  }],
  flags: {},
});

async function main(args: string[]): Promise<number> {
  let notebooks: string[];
  try {
    notebooks = await findNotebooks(args.length ? args : ["notebooks"]);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  if (notebooks.length === 0) {
    console.log("no notebooks to check");
    return 0;
  }
  const temps: string[] = [];
  const cleanup = (): void => {
    for (const f of temps.splice(0)) {
      try {
        Deno.removeSync(f);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
  };
  const onSignal = (): void => {
    cleanup();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    const problems: string[] = [];
    for (const path of notebooks) {
      let nb: Notebook;
      try {
        nb = JSON.parse(await Deno.readTextFile(path));
      } catch (e) {
        problems.push(`${path}: not valid notebook JSON: ${(e as Error).message}`);
        continue;
      }
      const mod = notebookModule(nb, path);
      problems.push(...mod.problems);
      const tmp = `${dirname(path)}/.check_${basename(path).replace(/\.ipynb$/, "")}.ts`;
      temps.push(tmp);
      await Deno.writeTextFile(tmp, mod.code);
    }
    for (const p of problems) console.error(`error: ${p}`);
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["check", ...temps],
      stdin: "null",
    }).spawn().status;
    if (code !== 0) console.error(`error: type check failed (${temps.join(", ")})`);
    else if (!problems.length) {
      console.log(`${notebooks.length} notebook(s) type-check and are clean`);
    }
    return code !== 0 || problems.length ? 1 : 0;
  } finally {
    cleanup();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

if (import.meta.main) {
  Deno.exit(await command.run(Deno.args, ({ positionals }) => main(positionals)));
}
