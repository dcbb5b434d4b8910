// `deno task vp`: exit codes, messages, and a compute whose partition carries the flags' knobs.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openLake } from "../lake/lake.ts";
import { readManifest } from "../lake/manifest.ts";
import { holdParquetWorkers } from "../lake/_sink.ts";
import { asymmetricFlow, writeVpSilver } from "../testing/vp_inputs.ts";
import { goldSignalConfig, resolveVpConfig } from "../features/vp_config.ts";
import { vpPartitionDir } from "../features/vp_lake.ts";

const CLI = fileURLToPath(new URL("./vp.ts", import.meta.url));

async function vp(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const d = new TextDecoder();
  return { code: r.code, out: d.decode(r.stdout), err: d.decode(r.stderr) };
}

Deno.test("vp: bad flags exit 2 naming the flag", async () => {
  const base = ["compute", "--product-type", "equity_mbo", "--symbol", "QQQ", "--dt", "2026-02-06"];
  let r = await vp(...base, "--d1-span", "1.5");
  assert.equal(r.code, 2);
  assert.match(r.err, /--d1-span: expected an integer, got '1\.5'/);
  r = await vp(...base, "--pre-smooth-span", "601");
  assert.equal(r.code, 2);
  assert.match(r.err, /--pre-smooth-span: pre_smooth_span must be <= 600s, got 601/);
  r = await vp(...base, "--w-d1", "abc");
  assert.equal(r.code, 2);
  assert.match(r.err, /--w-d1: expected a number, got 'abc'/);
  r = await vp("compute", "--product-type", "option_mbo", "--symbol", "QQQ", "--dt", "2026-02-06");
  assert.equal(r.code, 2);
  assert.match(r.err, /--product-type/);
  assert.match(r.err, /equity_mbo/);
  r = await vp("frobnicate", "--product-type", "equity_mbo", "--symbol", "QQQ");
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown 'frobnicate'; valid: compute, episodes/);
  assert.ok(!r.err.includes("    at "), "no stack trace");
});

Deno.test("vp compute: missing silver exits 1 with the pipeline command", async () => {
  const lake = await Deno.makeTempDir();
  try {
    const r = await vp(
      "compute",
      "--product-type",
      "future_mbo",
      "--symbol",
      "MNQH6",
      "--dt",
      "2026-02-06",
      "--lake",
      lake,
    );
    assert.equal(r.code, 1);
    assert.ok(
      r.err.includes(
        `deno task pipeline --product-type future_mbo --layer silver --symbol MNQH6 --dt 2026-02-06 --lake ${lake}`,
      ),
      r.err,
    );
    assert.ok(!r.err.includes("    at "), "no stack trace");
  } finally {
    await Deno.remove(lake, { recursive: true });
  }
});

Deno.test("vp compute: the partition's manifest holds the knobs given on the command line", async () => {
  const root = await Deno.makeTempDir();
  const release = holdParquetWorkers();
  try {
    const lake = await openLake(root);
    await writeVpSilver(lake, "future_mbo", "MNQH6", "2026-02-06", asymmetricFlow());
    const r = await vp(
      "compute",
      "--product-type",
      "future_mbo",
      "--symbol",
      "MNQH6",
      "--dt",
      "2026-02-06",
      "--lake",
      root,
      "--pre-smooth-span",
      "30",
      "--w-d3",
      "0",
      "--fast-projection-horizon-s",
      "2",
    );
    assert.equal(r.code, 0, r.err);
    const knobs = goldSignalConfig({ pre_smooth_span: 30, w_d3: 0, fast_projection_horizon_s: 2 });
    const cfg = await resolveVpConfig("future_mbo", "MNQH6");
    const dir = vpPartitionDir(lake, cfg, "2026-02-06", knobs);
    assert.ok(r.out.includes(dir));
    const m = await readManifest(dir);
    assert.deepEqual(m.stats.gold_signal_config, knobs);
    assert.equal(m.row_count, 6);
    const again = await vp(
      "compute",
      "--product-type",
      "future_mbo",
      "--symbol",
      "MNQH6",
      "--dt",
      "2026-02-06",
      "--lake",
      root,
      "--pre-smooth-span",
      "30",
      "--w-d3",
      "0",
      "--fast-projection-horizon-s",
      "2",
    );
    assert.equal(again.code, 0);
    assert.match(again.out, /kept complete partition/);
  } finally {
    release();
    await Deno.remove(root, { recursive: true });
  }
});
