// The package as a registry serves it: the files of `deno publish --dry-run`, over HTTP, imported
// into a fresh project that has no config/ or contracts/ folder.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SDK = join(ROOT, "sdk");
const dec = new TextDecoder();

/** The files `deno publish` would upload, relative to sdk/ (from its own dry-run listing). */
async function publishSet(): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: SDK,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = dec.decode(out.stdout) + dec.decode(out.stderr);
  assert.equal(out.code, 0, text);
  return [...text.matchAll(/^\s+(file:\/\/\S+) \(/gm)].map((m) =>
    relative(SDK, fileURLToPath(m[1])).replaceAll("\\", "/")
  );
}

/**
 * Bare specifiers of the import map replaced by their targets, as `deno publish` does
 * ("unfurling") when it uploads a module.
 */
function unfurl(code: string, imports: Record<string, string>): string {
  return code.replace(
    /((?:from|import)\s*\(?\s*)(["'])([^"'./][^"']*)\2/g,
    (all, pre: string, q: string, spec: string) => {
      for (const [k, v] of Object.entries(imports)) {
        if (spec === k) return `${pre}${q}${v}${q}`;
        if (spec.startsWith(`${k}/`)) return `${pre}${q}${v}${spec.slice(k.length)}${q}`;
      }
      return all;
    },
  );
}

Deno.test("the published package works imported over HTTP into a fresh project", async () => {
  const files = await publishSet();
  assert.ok(files.includes("lake/_embedded.ts"), "the embedded config ships in the package");
  assert.ok(!files.some((f) => f.startsWith("cli/") || f.startsWith("testing/")));
  const root = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const sdkJson = JSON.parse(await Deno.readTextFile(join(SDK, "deno.json")));
  const served = new Set(files);
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname.slice(1));
      if (!served.has(path)) return new Response("not in the publish set", { status: 404 });
      const text = await Deno.readTextFile(join(SDK, path));
      return new Response(path.endsWith(".ts") ? unfurl(text, root.imports) : text, {
        headers: {
          "content-type": path.endsWith(".ts") ? "application/typescript" : "application/json",
        },
      });
    },
  );
  const host = `127.0.0.1:${server.addr.port}`;
  const project = await Deno.makeTempDir({ prefix: "spymaster-registry-" });
  try {
    const imports: Record<string, string> = {};
    for (const [k, v] of Object.entries(sdkJson.exports as Record<string, string>)) {
      imports[`@spymaster/sdk${k.slice(1)}`] = `http://${host}/${v.slice(2)}`;
    }
    await Deno.writeTextFile(join(project, "deno.json"), JSON.stringify({ imports }));
    await Deno.writeTextFile(
      join(project, "main.ts"),
      `import * as sdk from "@spymaster/sdk";
import { datasetSpec, openLake, partitionDir, readManifest } from "@spymaster/sdk/lake";
import { bronzeIngestFutureMbo } from "@spymaster/sdk/bronze";
import { planRun, runPipeline } from "@spymaster/sdk/pipeline";
import { generateDay } from "@spymaster/sdk/synth";
import { lobsterFileInfo } from "@spymaster/sdk/lobster";
const lake = await openLake("lake");
const c = lake.config.datasets.get("bronze.future_mbo.mbo")!.contract;
const { plan, products } = await planRun({
  productType: "future_mbo", layer: "bronze", symbol: "MNQ", dates: ["2026-02-06"],
});
// a whole bronze run (Parquet written by the package's worker, loaded over HTTP too)
await generateDay({ productType: "future_mbo", date: "2026-02-06", seed: 3, events: 2000, lake: "lake" });
const run = await runPipeline({
  productType: "future_mbo", layer: "bronze", symbol: "MNQ", dates: ["2026-02-06"], lakeRoot: "lake",
});
const task = run.tasks[0];
if (!task.ok) throw new Error(task.error);
const part = task.stages[0].result.partitions.find((p) => p.dataset === "bronze.future_mbo.mbo")!;
const manifest = await readManifest(
  partitionDir(lake.root, datasetSpec(lake.config, part.dataset), { symbol: part.symbol, dt: part.dt }),
);
console.log(JSON.stringify({
  bronze_rows: manifest.row_count,
  bronze_contract: manifest.contract_path,
  datasets: lake.config.datasets.size,
  contract_sha256: c.sha256,
  contract_path: c.path,
  mnq_tick: products.products.get("MNQ")!.tick_int,
  root: lake.root,
  plan_lake: plan.lakeRoot,
  stage: bronzeIngestFutureMbo.name,
  lobster: typeof lobsterFileInfo,
  dbn: typeof sdk.openDbn,
  manifest: typeof readManifest,
}));
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-import=${host}`,
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-ffi",
        "--allow-sys",
        "main.ts",
      ],
      cwd: project,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 0, dec.decode(out.stderr));
    const got = JSON.parse(dec.decode(out.stdout));
    // outside values: the checkout's config/ and contracts/ files themselves
    const datasets = parseYaml(await Deno.readTextFile(join(ROOT, "config/datasets.yaml")));
    const avsc = await Deno.readTextFile(join(ROOT, "contracts/bronze/future_mbo/mbo.avsc"));
    const products = parseYaml(await Deno.readTextFile(join(ROOT, "config/products.yaml")));
    assert.equal(got.datasets, Object.keys(datasets.datasets).length);
    assert.equal(got.contract_sha256, createHash("sha256").update(avsc).digest("hex"));
    assert.equal(got.contract_path, "embedded:contracts/bronze/future_mbo/mbo.avsc");
    assert.equal(got.mnq_tick, Math.round(products.products.MNQ.tick_size * 1e9));
    // the same day through the checkout's own modules gives the same partition
    const { generateDay } = await import("../synth/mod.ts");
    const { runPipeline } = await import("../pipeline/mod.ts");
    const local = join(project, "local-lake");
    await generateDay({
      productType: "future_mbo",
      date: "2026-02-06",
      seed: 3,
      events: 2000,
      lake: local,
    });
    const run = await runPipeline({
      productType: "future_mbo",
      layer: "bronze",
      symbol: "MNQ",
      dates: ["2026-02-06"],
      lakeRoot: local,
    });
    const rows = run.tasks[0].stages[0].result.partitions.find((p) =>
      p.dataset === "bronze.future_mbo.mbo"
    )!.rows;
    assert.ok(rows > 1000);
    assert.equal(got.bronze_rows, rows);
    assert.equal(got.bronze_contract, "embedded:contracts/bronze/future_mbo/mbo.avsc");
    // without a project folder, lake_root is relative to the working folder
    const real = await Deno.realPath(project);
    assert.equal(await Deno.realPath(join(got.root, "..")).catch(() => real), real);
    assert.equal(got.plan_lake, got.root);
    assert.deepEqual([got.stage, got.lobster, got.dbn, got.manifest], [
      "bronze_ingest_future_mbo",
      "function",
      "function",
      "function",
    ]);
  } finally {
    ac.abort();
    await server.finished;
    await Deno.remove(project, { recursive: true });
  }
});
