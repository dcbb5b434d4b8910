/**
 * Shared test helpers: locate the optional third-party fixtures and the optional external tools
 * (Chromium, Jupyter with the Deno kernel) that some tests need.
 *
 * Fixtures live OUTSIDE the checkout, in the folder `../shared/fixtures` beside it (for a checkout
 * at `/work/main` that is `/work/shared/fixtures`). They are never copied into the project. Set
 * `SPYMASTER_FIXTURES` to use another folder. Tests that read them are ignored, with a message,
 * when the folder or file is absent:
 *
 * ```ts
 * import { fixturePath, skipUnlessFixtures } from "../testing/fixtures.ts";
 *
 * const FILE = "real/databento/esh4-glbx-mdp3-20231224.mbo.dbn.zst";
 * Deno.test({
 *   name: "decodes the ESH4 snapshot",
 *   ignore: skipUnlessFixtures(FILE),
 *   fn: async () => {
 *     const bytes = await Deno.readFile(fixturePath(FILE));
 *     // ...
 *   },
 * });
 * ```
 *
 * Chromium and Jupyter are optional on a developer machine (their tests are ignored with a
 * message) but REQUIRED when the environment has `CI=true`: there a missing tool throws, so the
 * test module fails instead of silently skipping.
 *
 * @module
 */

import { fileURLToPath as fromFileUrl } from "node:url";

const DEFAULT_FIXTURES = new URL("../../../shared/fixtures/", import.meta.url);

function envGet(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: behave as if unset
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * The fixtures folder as an absolute path (no trailing slash): `$SPYMASTER_FIXTURES` when set,
 * otherwise `../shared/fixtures` beside the checkout root.
 */
export function fixturesDir(): string {
  const override = envGet("SPYMASTER_FIXTURES");
  if (override) return override.replace(/\/+$/, "");
  return fromFileUrl(DEFAULT_FIXTURES).replace(/\/+$/, "");
}

/**
 * Absolute path of a fixture, given its path relative to the fixtures folder
 * (e.g. `"dbn/test_data.mbo.v3.dbn.zst"`). Does not check that it exists.
 */
export function fixturePath(rel: string): string {
  if (rel.startsWith("/")) throw new Error(`fixturePath: expected a relative path, got "${rel}"`);
  return `${fixturesDir()}/${rel}`;
}

/**
 * True when the fixtures folder exists and, if given, every listed fixture (relative paths)
 * exists too.
 */
export function fixturesAvailable(...rels: string[]): boolean {
  if (!exists(fixturesDir())) return false;
  return rels.every((r) => exists(fixturePath(r)));
}

const reported = new Set<string>();

function note(message: string): void {
  if (reported.has(message)) return;
  reported.add(message);
  console.warn(message);
}

/**
 * For `Deno.test({ ignore: skipUnlessFixtures(...) })`: returns `true` (ignore the test) and
 * prints why when the fixtures folder or any listed fixture is missing; `false` otherwise.
 */
export function skipUnlessFixtures(...rels: string[]): boolean {
  const dir = fixturesDir();
  if (!exists(dir)) {
    note(
      `skip: fixtures folder ${dir} not found (optional third-party test data; ` +
        `place it at ../shared/fixtures beside the checkout or set SPYMASTER_FIXTURES)`,
    );
    return true;
  }
  const missing = rels.filter((r) => !exists(fixturePath(r)));
  if (missing.length > 0) {
    note(`skip: fixture(s) missing in ${dir}: ${missing.join(", ")}`);
    return true;
  }
  return false;
}

/** True when the environment variable `CI` is `"true"` (or `"1"`). */
export function isCI(): boolean {
  const ci = envGet("CI");
  return ci === "true" || ci === "1";
}

function requireOrSkip(tool: string, found: boolean, install: string): boolean {
  if (found) return true;
  if (isCI()) throw new Error(`${tool} is required when CI=true but was not found; ${install}`);
  note(`skip: ${tool} not found, its tests are ignored (${install})`);
  return false;
}

const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

/**
 * Path of a Chromium executable for `playwright-core`'s `executablePath`: `$CHROMIUM_PATH` when
 * set, otherwise the first of the usual Linux locations that exists; `undefined` if none.
 */
export function chromiumPath(): string | undefined {
  const override = envGet("CHROMIUM_PATH");
  if (override) return exists(override) ? override : undefined;
  return CHROMIUM_CANDIDATES.find(exists);
}

/**
 * For `Deno.test({ ignore: !chromiumAvailable() })`: true when Chromium is installed. When it is
 * missing, prints a message and returns false, or throws if `CI=true`.
 */
export function chromiumAvailable(): boolean {
  return requireOrSkip(
    "Chromium",
    chromiumPath() !== undefined,
    "install it with `apt-get install --no-install-recommends chromium fonts-liberation` " +
      "or set CHROMIUM_PATH",
  );
}

let jupyterCache: string | null | undefined;

/**
 * Why Jupyter cannot run notebooks on the Deno kernel here, or `null` when it can: `jupyter` and
 * `jupyter nbconvert` run, and a kernelspec named `deno` is installed.
 */
export function jupyterProblem(): string | null {
  if (jupyterCache !== undefined) return jupyterCache;
  const run = (args: string[]): { ok: boolean; stdout: string } => {
    try {
      const out = new Deno.Command("jupyter", { args, stdout: "piped", stderr: "null" })
        .outputSync();
      return { ok: out.success, stdout: new TextDecoder().decode(out.stdout) };
    } catch {
      return { ok: false, stdout: "" };
    }
  };
  const install = "apt-get install --no-install-recommends jupyter-nbconvert python3-nbclient " +
    "python3-ipykernel jupyter-client";
  const specs = run(["kernelspec", "list", "--json"]);
  if (!specs.ok) {
    jupyterCache = `\`jupyter\` not found or not working; install it with \`${install}\``;
  } else if (!run(["nbconvert", "--version"]).ok) {
    jupyterCache = `\`jupyter nbconvert\` not found; install it with \`${install}\``;
  } else {
    let hasDeno = false;
    try {
      hasDeno = "deno" in (JSON.parse(specs.stdout).kernelspecs ?? {});
    } catch {
      hasDeno = false;
    }
    jupyterCache = hasDeno
      ? null
      : "the Deno Jupyter kernel is not installed; run `deno jupyter --install`";
  }
  return jupyterCache;
}

/**
 * For `Deno.test({ ignore: !jupyterAvailable() })`: true when notebooks can be executed with the
 * Deno kernel. Otherwise prints why and returns false, or throws if `CI=true`.
 */
export function jupyterAvailable(): boolean {
  const problem = jupyterProblem();
  if (problem === null) return true;
  if (isCI()) throw new Error(`Jupyter with the Deno kernel is required when CI=true: ${problem}`);
  note(`skip: notebook tests ignored: ${problem}`);
  return false;
}
