// `deno task dbn` run as a subprocess on the fixtures: exit codes, line counts, field values
// (against fixtures/dbn/EXPECTED.md), usage errors, decode errors and a closed stdout pipe.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { encodeDbn, type Metadata, readDbn } from "../dbn/mod.ts";
import { fixturePath, skipUnlessFixtures } from "../testing/fixtures.ts";
import { blocksOf, loadExpected, WIDE_FIELDS } from "../testing/dbn_expected.ts";

const CLI = fromFileUrl(new URL("./dbn.ts", import.meta.url));
const ROOT = fromFileUrl(new URL("../../", import.meta.url));
const ignore = skipUnlessFixtures("dbn/EXPECTED.md", "real/databento");
const dbn = (file: string): string => fixturePath(`dbn/${file}`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

async function run(...args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-run=zstd", CLI, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  return {
    code: out.code,
    stdout,
    stderr: new TextDecoder().decode(out.stderr),
    lines: stdout.split("\n").filter((l) => l !== ""),
  };
}

/** Differences between a CLI JSON line and an EXPECTED.md block (header under `hd`, 64-bit as strings). */
function cliMismatches(line: string, expected: Record<string, bigint | string>): string[] {
  const o = JSON.parse(line);
  const flat: Record<string, unknown> = { ...o.hd };
  for (const [k, v] of Object.entries(o)) {
    if (k === "hd") continue;
    if (Array.isArray(v)) {
      v.forEach((l, i) => Object.entries(l).forEach(([lk, lv]) => flat[`levels[${i}].${lk}`] = lv));
    } else flat[k] = v;
  }
  const problems: string[] = [];
  for (const [k, ev] of Object.entries(expected)) {
    if (k === "length") continue; // Databento's JSON has no length
    const av = flat[k];
    const wide = WIDE_FIELDS.has(k.replace(/^levels\[\d+\]\./, ""));
    if (typeof ev === "string") {
      if (av !== ev) problems.push(`${k}: ${JSON.stringify(av)} != ${JSON.stringify(ev)}`);
    } else if (wide && typeof av !== "string") problems.push(`${k}: 64-bit value not a string`);
    else if (!wide && typeof av !== "number" && typeof av !== "string") {
      problems.push(`${k}: missing or not a number`);
    } else if (String(av) !== String(ev)) problems.push(`${k}: ${av} != ${ev}`);
  }
  for (const k of Object.keys(flat)) if (!(k in expected)) problems.push(`extra field ${k}`);
  return problems;
}

Deno.test({
  name: "cli dbn: records as JSON lines with EXPECTED.md's values (MBO, MBP-1, stats, definitions)",
  ignore,
  fn: async () => {
    const doc = await loadExpected(fixturePath("dbn/EXPECTED.md"));
    const cases: [string[], Record<string, bigint | string>[]][] = [
      [[dbn("test_data.mbo.v3.dbn.zst")], blocksOf(doc, "2.1 ")],
      [[dbn("test_data.mbo.v1.dbn.zst")], blocksOf(doc, "2.1 ")],
      [[dbn("test_data.mbp-1.v2.dbn.zst")], blocksOf(doc, "2.2 ")],
      [[dbn("test_data.cmbp-1.v3.dbn.zst")], blocksOf(doc, "2.3 ")],
      [[dbn("test_data.statistics.v1.dbn.zst")], blocksOf(doc, "2.4 ", /^v3 records/)],
      [[dbn("test_data.definition.v3.dbn.zst")], blocksOf(doc, "2.6.1 ", /^v3 records/)],
      [
        [dbn("test_data.definition.v1.dbn.frag"), "--fragment", "1"],
        blocksOf(doc, "2.6.2 ", /^v3 fragment/),
      ],
      [
        [dbn("test_data.definition.v3.dbn.frag.zst"), "--fragment=3"],
        blocksOf(doc, "2.6.2 ", /^v3 fragment/),
      ],
    ];
    for (const [args, expected] of cases) {
      const r = await run(...args);
      assert.equal(r.code, 0, `${args}: ${r.stderr}`);
      assert.equal(r.stderr, "");
      assert.ok(r.stdout.endsWith("\n"));
      assert.equal(r.lines.length, expected.length, args.join(" "));
      r.lines.forEach((l, i) =>
        assert.deepEqual(cliMismatches(l, expected[i]), [], `${args} line ${i}`)
      );
    }
    // The literal shape of a line (Databento's JSON: ts_recv first, then the header under hd).
    const first = (await run(dbn("test_data.mbo.v3.dbn"), "--limit", "1")).lines;
    assert.equal(first.length, 1);
    assert.ok(
      first[0].startsWith(
        `{"ts_recv":"1609160400000704060","hd":{"ts_event":"1609160400000429831","rtype":160,` +
          `"publisher_id":1,"instrument_id":5482},`,
      ),
      first[0],
    );
    assert.ok(first[0].includes(`"order_id":"647784973705","price":"3722750000000"`));
  },
});

Deno.test({
  name: "cli dbn: --metadata and --limit (reference CLI assertions of EXPECTED.md §4)",
  ignore,
  fn: async () => {
    const m = await run(dbn("test_data.definition.v3.dbn.zst"), "--metadata");
    assert.equal(m.code, 0);
    assert.ok(m.stdout.startsWith("{") && m.stdout.endsWith("}\n"));
    assert.ok(m.stdout.includes(`"limit":"2",`));
    const meta = JSON.parse(m.stdout);
    assert.equal(meta.version, 3);
    assert.equal(meta.dataset, "XNAS.ITCH");
    assert.equal(meta.schema, "definition");
    assert.equal(meta.start, "1633305600000000000");
    assert.equal(meta.mappings[0].intervals.length, 62);
    assert.deepEqual(meta.mappings[0].intervals[61], {
      start_date: "2022-01-03",
      end_date: "2022-01-04",
      symbol: "7119",
    });
    assert.equal((await run(dbn("test_data.definition.v3.dbn.zst"))).lines.length, 2);
    const m1 = await run(dbn("test_data.definition.v3.dbn.zst"), "--metadata", "--limit", "1");
    assert.ok(m1.stdout.includes(`"limit":"1",`));
    assert.equal(
      (await run(dbn("test_data.definition.v3.dbn.zst"), "--limit", "1")).lines.length,
      1,
    );
    const stats = JSON.parse((await run(dbn("test_data.statistics.v1.dbn.zst"), "-m")).stdout);
    assert.equal(stats.end, null);
    assert.equal(stats.start, "2814749767106560");
    const o = await run(dbn("test_data.ohlcv-1d.v3.dbn.zst"));
    assert.equal(o.code, 0);
    assert.equal(o.stdout, "");
    // A mixed-schema file reports "schema":null.
    const dir = await Deno.makeTempDir({ prefix: "cli_dbn_test_" });
    try {
      const { records: mbo } = await readDbn(dbn("test_data.mbo.v3.dbn"));
      const { metadata, records: mbp10 } = await readDbn(dbn("test_data.mbp-10.v3.dbn.zst"));
      const mixed: Metadata = { ...metadata!, schema: null };
      const p = join(dir, "mixed.dbn");
      await Deno.writeFile(p, encodeDbn(mixed, [...mbo, ...mbp10]));
      const r = await run(p, "--metadata");
      assert.ok(r.stdout.includes(`"schema":null,`), r.stdout);
      const all = await run(p);
      assert.equal(all.lines.filter((l) => l.includes(`"rtype":160,`)).length, 2);
      assert.equal(all.lines.filter((l) => l.includes(`"rtype":10,`)).length, 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli dbn: real MBO file, --limit, and a closed pipe ends quietly with exit 0",
  ignore,
  fn: async () => {
    const file = fixturePath("real/databento/esh4-glbx-mdp3-20231225.mbo.dbn.zst");
    const r = await run(file, "--limit", "5");
    assert.equal(r.code, 0);
    assert.equal(r.lines.length, 5);
    assert.ok(r.lines.every((l) => JSON.parse(l).hd.instrument_id === 17077));

    // Like `| head -1`: read a little, then close our end of the pipe.
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-run=zstd", CLI, file],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assert.ok(!first.done && first.value.byteLength > 0);
    await reader.cancel();
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.equal(await stderr, "");
  },
});

Deno.test({
  name: "cli dbn: usage errors exit 2, decode errors exit 1 with the DbnError, --skip-unknown",
  ignore,
  fn: async () => {
    for (
      const args of [
        [],
        ["--bogus", dbn("test_data.mbo.v3.dbn")],
        [dbn("test_data.mbo.v3.dbn"), dbn("test_data.mbo.v3.dbn")],
        [dbn("test_data.mbo.v3.dbn"), "--limit", "x"],
        [dbn("test_data.mbo.v3.dbn"), "--limit", "0"],
        [dbn("test_data.mbo.v3.dbn"), "--fragment", "4"],
        [dbn("test_data.definition.v3.dbn.frag"), "--fragment", "3", "--metadata"],
        [dbn("test_data.mbo.v3.dbn"), "--limit"],
      ]
    ) {
      const r = await run(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^dbn: .+\n[\s\S]*usage: deno task dbn/);
    }
    const help = await run("--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: deno task dbn/);

    const dir = await Deno.makeTempDir({ prefix: "cli_dbn_test_" });
    try {
      const missing = join(dir, "missing.dbn");
      const m = await run(missing);
      assert.equal(m.code, 1);
      assert.ok(m.stderr.startsWith(`dbn: ${missing}: cannot open`), m.stderr);

      const bytes = await Deno.readFile(dbn("test_data.mbo.v3.dbn"));
      const bad = join(dir, "bad.dbn");
      await Deno.writeFile(bad, bytes.slice(0, 400));
      const t = await run(bad);
      assert.equal(t.code, 1);
      assert.equal(t.lines.length, 0);
      assert.equal(
        t.stderr,
        `dbn: ${bad} at byte 360: truncated record: 40 of 56 bytes before the end of the stream\n`,
      );

      const unknown = bytes.slice();
      unknown[361] = 0x99;
      const u = join(dir, "unknown.dbn");
      await Deno.writeFile(u, unknown);
      const fail = await run(u);
      assert.equal(fail.code, 1);
      assert.match(fail.stderr, /at byte 360: unknown rtype 0x99/);
      const skip = await run(u, "--skip-unknown");
      assert.equal(skip.code, 0);
      assert.equal(skip.lines.length, 1);
      assert.equal(JSON.parse(skip.lines[0]).order_id, "647784973631");
      assert.match(skip.stderr, /skipped 1 records of unknown rtype/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli dbn: `deno task dbn` is wired to the command",
  ignore,
  fn: async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "dbn", dbn("test_data.trades.v3.dbn.zst")],
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.equal(out.code, 0);
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    assert.equal(lines.length, 2);
    assert.equal(JSON.parse(lines[1]).hd.rtype, 0);
    assert.equal(JSON.parse(lines[1]).size, 21);
  },
});

Deno.test("cli dbn: a truncated .dbn.zst yields the records before the damage, then names the whole path and the decompressed offset", async () => {
  const { generateDay } = await import("../synth/mod.ts");
  const dir = await Deno.makeTempDir({ prefix: "cli_dbn_truncated_" });
  try {
    // a real-sized file: the damage lies past the first zstd blocks and the decoder's work buffer
    const day = await generateDay({
      productType: "future_mbo",
      date: "2026-02-06",
      seed: 1,
      events: 60_000,
      lake: dir,
    });
    const intact = day.files[0].path;
    const z = await Deno.readFile(intact);
    const deep = join(dir, "a folder", "with a long name", "glbx-mdp3-20260206.mbo.dbn.zst");
    await Deno.mkdir(join(deep, ".."), { recursive: true });
    await Deno.writeFile(deep, z.subarray(0, z.byteLength >> 1));
    const truth = (await run(intact)).lines; // the intact file is the answer key
    assert.ok(truth.length > 50_000);

    const two = await run(deep, "--limit", "2");
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(two.lines, truth.slice(0, 2));

    const all = await run(deep);
    assert.equal(all.code, 1);
    assert.ok(all.lines.length > 10_000, `${all.lines.length} records before the damage`);
    assert.deepEqual(all.lines, truth.slice(0, all.lines.length));
    const m = /^dbn: (.+) at decompressed byte (\d+): truncated or corrupt zstd data: (.+)\n$/.exec(
      all.stderr,
    );
    assert.ok(m, all.stderr);
    assert.equal(m[1], deep); // the whole path, as given
    // every record before the damage was printed: the offset is the end of the decoded bytes
    const metaLen = 8 + new DataView((await readDbnPrelude(intact)).buffer).getUint32(4, true);
    assert.ok(Number(m[2]) >= metaLen + all.lines.length * 56);
    assert.ok(Number(m[2]) < metaLen + (all.lines.length + 1) * 56);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The first 8 decompressed bytes (DBN prelude) of a .dbn.zst file, via the zstd CLI. */
async function readDbnPrelude(path: string): Promise<Uint8Array> {
  const out = await new Deno.Command("zstd", { args: ["-dc", path], stdout: "piped" }).output();
  return out.stdout.slice(0, 8);
}
