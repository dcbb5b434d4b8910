import assert from "node:assert/strict";
import { dropKnownWarnings } from "./doc_lint.ts";

// Lines as Deno 2.9.6's `deno doc --lint` prints them (denoland/deno#36751), around real findings.
const OUTPUT =
  `Warning Failed resolving types. Could not find package 'compatibility' from referrer 'file:///root/.cache/deno/npm/registry.npmjs.org/@types/node/25.9.9/index.d.ts' (@types/node@25.9.9).
    at file:///root/.cache/deno/npm/registry.npmjs.org/@types/node/25.9.9/index.d.ts:33:21
Warning Failed resolving types. Could not find package 'zlib.d.ts' from referrer 'file:///root/.cache/deno/npm/registry.npmjs.org/@types/node/25.9.9/index.d.ts' (@types/node@25.9.9).
    at file:///root/.cache/deno/npm/registry.npmjs.org/@types/node/25.9.9/index.d.ts:99:21
error[missing-jsdoc]: exported symbol is missing JSDoc documentation
 --> /work/sdk/lake/x.ts:3:14
Checked 10 files`;

Deno.test("doc lint: only the @types/node resolution lines of denoland/deno#36751 are dropped", () => {
  const { kept, dropped } = dropKnownWarnings(OUTPUT);
  assert.equal(dropped, 2);
  assert.equal(
    kept,
    `error[missing-jsdoc]: exported symbol is missing JSDoc documentation
 --> /work/sdk/lake/x.ts:3:14
Checked 10 files`,
  );
  const other =
    "Warning Failed resolving types. Could not find package 'x' from referrer 'file:///p/mod.ts'";
  assert.equal(dropKnownWarnings(other).kept, other);
});
