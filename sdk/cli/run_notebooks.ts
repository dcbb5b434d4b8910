/**
 * Executes notebooks headless with the Deno Jupyter kernel and fails on any cell error.
 *
 * ```sh
 * deno task nb                      # every notebooks/*.ipynb
 * deno task nb notebooks/00_dbn_tour.ipynb other_dir/
 * ```
 *
 * Each notebook runs through `jupyter nbconvert --to notebook --execute` with the `deno` kernel;
 * the executed copies go to a temporary folder that is deleted afterwards, so the committed
 * notebooks keep no outputs. Exits 1 naming every notebook that failed (with nbconvert's error
 * text), and 2 with install instructions when Jupyter or the Deno kernelspec is missing.
 *
 * @module
 */

import { defineCommand } from "./_args.ts";
import { basename } from "node:path";

const INSTALL_JUPYTER = "apt-get install --no-install-recommends jupyter-nbconvert " +
  "python3-nbclient python3-ipykernel jupyter-client";

/** Result of executing one notebook. */
export interface NotebookRun {
  /** Notebook path as given. */
  path: string;
  /** True when every cell ran without error. */
  ok: boolean;
  /** Wall time in seconds. */
  seconds: number;
  /** nbconvert's stderr (only kept on failure). */
  log: string;
}

async function capture(cmd: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    return { ok: out.success, stdout: new TextDecoder().decode(out.stdout) };
  } catch {
    return { ok: false, stdout: "" };
  }
}

/**
 * Checks that `jupyter nbconvert` and the `deno` kernelspec are installed; returns a message
 * saying how to install what is missing, or `null` when everything is there.
 */
export async function notebookToolProblem(): Promise<string | null> {
  const specs = await capture("jupyter", ["kernelspec", "list", "--json"]);
  if (!specs.ok) return `\`jupyter\` was not found on PATH; install it with: ${INSTALL_JUPYTER}`;
  if (!(await capture("jupyter", ["nbconvert", "--version"])).ok) {
    return `\`jupyter nbconvert\` is not available; install it with: ${INSTALL_JUPYTER}`;
  }
  let names: string[] = [];
  try {
    names = Object.keys(JSON.parse(specs.stdout).kernelspecs ?? {});
  } catch {
    return "could not read `jupyter kernelspec list --json`";
  }
  if (!names.includes("deno")) {
    return `the Deno Jupyter kernel is not installed (kernels: ${names.join(", ") || "none"}); ` +
      "install it with: deno jupyter --install";
  }
  return null;
}

/** Expands files and folders into the sorted list of `.ipynb` paths to run. */
export async function findNotebooks(targets: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const t of targets) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(t);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw new Error(`notebook path not found: ${t}`);
      throw e;
    }
    if (info.isDirectory) {
      const names: string[] = [];
      for await (const e of Deno.readDir(t)) {
        if (e.isFile && e.name.endsWith(".ipynb")) names.push(e.name);
      }
      found.push(...names.sort().map((n) => `${t.replace(/\/+$/, "")}/${n}`));
    } else if (t.endsWith(".ipynb")) {
      found.push(t);
    } else {
      throw new Error(`not a notebook (.ipynb): ${t}`);
    }
  }
  return found;
}

/**
 * Executes one notebook with the Deno kernel into `outDir` and reports whether every cell ran.
 * `timeout` is the per-cell limit in seconds.
 */
export async function runNotebook(
  path: string,
  outDir: string,
  timeout = 600,
): Promise<NotebookRun> {
  const t0 = performance.now();
  const out = await new Deno.Command("jupyter", {
    args: [
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=deno",
      `--ExecutePreprocessor.timeout=${timeout}`,
      "--ExecutePreprocessor.startup_timeout=120",
      "--output-dir",
      outDir,
      path,
    ],
    env: { NO_COLOR: "1", PYDEVD_DISABLE_FILE_VALIDATION: "1", RUST_BACKTRACE: "0" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const log = out.success ? "" : new TextDecoder().decode(out.stderr);
  return { path, ok: out.success, seconds, log };
}

/** Keeps the informative tail of nbconvert's error output (the cell and the JS error). */
function errorExcerpt(log: string): string {
  const lines = log.split("\n");
  const i = lines.findIndex((l) => l.includes("CellExecutionError"));
  const tail = i >= 0 ? lines.slice(i) : lines.slice(-40);
  return tail.slice(0, 60).map((l) => `    ${l}`).join("\n");
}

/** The command line of `deno task nb`. */
export const command = defineCommand({
  name: "deno task nb",
  summary: "Executes notebooks headless with the Deno Jupyter kernel (jupyter nbconvert); fails " +
    "on any cell error. The committed notebooks keep no outputs.",
  positionals: [{
    name: "notebook",
    description: "notebooks or folders (default: notebooks/)",
    optional: true,
    variadic: true,
  }],
  flags: {
    timeout: {
      type: "integer",
      min: 1,
      default: 600,
      value: "SECONDS",
      description: "per notebook",
    },
  },
});

async function main(positionals: string[], timeout: number): Promise<number> {
  const problem = await notebookToolProblem();
  if (problem) {
    console.error(`error: cannot execute notebooks: ${problem}`);
    return 2;
  }
  let notebooks: string[];
  try {
    notebooks = await findNotebooks(positionals.length ? positionals : ["notebooks"]);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  if (notebooks.length === 0) {
    console.error("error: no notebooks found");
    return 1;
  }
  const outDir = await Deno.makeTempDir({ prefix: "spymaster_nb_" });
  const failed: string[] = [];
  try {
    for (const nb of notebooks) {
      const r = await runNotebook(nb, outDir, timeout);
      console.log(`${r.ok ? "ok  " : "FAIL"} ${nb} (${r.seconds.toFixed(1)}s)`);
      if (!r.ok) {
        failed.push(basename(nb));
        console.log(errorExcerpt(r.log));
      }
    }
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
  if (failed.length) {
    console.error(
      `error: ${failed.length} of ${notebooks.length} notebook(s) failed: ${failed.join(", ")}`,
    );
    return 1;
  }
  console.log(`${notebooks.length} notebook(s) ran without errors`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(
    await command.run(Deno.args, ({ flags, positionals }) => main(positionals, flags.timeout)),
  );
}
