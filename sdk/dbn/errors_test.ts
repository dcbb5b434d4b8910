// Bad input: every failure is a DbnError naming the file and the byte offset; a deterministic fuzz
// over every fixture (truncations and byte flips) ends in a clean result or a DbnError, never a
// hang or another exception, and structural damage (lengths) is always reported.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DbnError,
  type DecodeOptions,
  openDbn,
  readDbn,
  zstdCliAvailable,
  zstdCompress,
} from "./mod.ts";
import { fixturePath, skipUnlessFixtures } from "../testing/fixtures.ts";
import { decompressedFixture, versionFromName } from "../testing/dbn_expected.ts";

const zstdCli = await zstdCliAvailable();
const ignore = skipUnlessFixtures("dbn/test_data.mbo.v3.dbn") ||
  (!zstdCli && (console.warn("skip: the zstd CLI is needed to decompress fixtures"), true));
const MBO_V3 = "dbn/test_data.mbo.v3.dbn"; // metadata 0..360, two 56-byte MBO records

/** Decodes everything and returns the record count, or the error thrown. */
async function attempt(
  source: Parameters<typeof openDbn>[0],
  options: DecodeOptions = {},
  objects = false,
): Promise<number | unknown> {
  try {
    const reader = await openDbn(source, options);
    let n = 0;
    if (objects) { for await (const _ of reader.records()) n++; }
    else {
      for await (const b of reader.batches()) {
        n += b.kind === "records" ? b.records.length : b.columns.length;
      }
    }
    assert.equal(reader.stats.records, n);
    return n;
  } catch (e) {
    return e;
  }
}

async function assertDbnError(
  source: Parameters<typeof openDbn>[0],
  options: DecodeOptions,
  file: string,
  offset: number | undefined,
  message: RegExp,
): Promise<DbnError> {
  const e = await attempt(source, options);
  assert.ok(e instanceof DbnError, `expected a DbnError, got ${e instanceof Error ? e.stack : e}`);
  assert.equal(e.file, file);
  assert.equal(e.offset, offset, `offset in: ${e.message}`);
  assert.match(e.message, message);
  assert.ok(e.message.startsWith(file), `message names the file: ${e.message}`);
  const at = `at ${e.compressed ? "decompressed " : ""}byte ${offset}`;
  if (offset !== undefined) assert.ok(e.message.includes(at), e.message);
  return e;
}

Deno.test({
  name: "errors: bad magic, versions, truncated prelude/metadata, short metadata length",
  ignore,
  fn: async () => {
    const bytes = await Deno.readFile(fixturePath(MBO_V3));
    const name = "mbo.bin";
    const o = { name };
    const bad = bytes.slice();
    bad[0] = 0x58; // "XBN"
    await assertDbnError(bad, o, name, 0, /bad magic/);
    const v4 = bytes.slice();
    v4[3] = 4;
    await assertDbnError(v4, o, name, 3, /can't decode newer version of DBN \(version 4\)/);
    const v0 = bytes.slice();
    v0[3] = 0;
    await assertDbnError(v0, o, name, 3, /version 0/);
    await assertDbnError(bytes.subarray(0, 5), o, name, 0, /truncated prelude/);
    await assertDbnError(new Uint8Array(0), o, name, 0, /truncated prelude/);
    await assertDbnError(bytes.subarray(0, 200), o, name, 200, /truncated metadata: 192 of 352/);
    const short = bytes.slice();
    new DataView(short.buffer).setUint32(4, 99, true);
    await assertDbnError(short, o, name, 4, /below the 100-byte minimum/);
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(4, 0xfffffff0, true);
    await assertDbnError(
      huge,
      o,
      name,
      4,
      /metadata length 4294967280 exceeds the 268435456-byte limit/,
    );
    // Paths are named by their path; unreadable paths are DbnErrors too.
    const dir = await Deno.makeTempDir({ prefix: "dbn_errors_test_" });
    try {
      const p = join(dir, "bad.dbn");
      await Deno.writeFile(p, bad);
      await assertDbnError(p, {}, p, 0, /bad magic/);
      const missing = join(dir, "missing.dbn");
      await assertDbnError(missing, {}, missing, undefined, /cannot open/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    // Streams without a name are "<stream>", bytes "<memory>".
    await assertDbnError(ReadableStream.from([bad]), {}, "<stream>", 0, /bad magic/);
    await assertDbnError(bad, {}, "<memory>", 0, /bad magic/);
  },
});

Deno.test({
  name: "errors: truncated record, impossible and mismatched record lengths, unknown rtype",
  ignore,
  fn: async () => {
    const bytes = await Deno.readFile(fixturePath(MBO_V3));
    const o = { name: "f" };
    for (const objects of [false, true]) {
      const trunc = await attempt(bytes.subarray(0, 360 + 56 + 30), o, objects);
      assert.ok(trunc instanceof DbnError && trunc.offset === 416, String(trunc));
      assert.match(trunc.message, /truncated record: 30 of 56 bytes/);
    }
    await assertDbnError(bytes.subarray(0, 363), o, "f", 360, /truncated record/);
    const lengths: [number, RegExp][] = [[0, /minimum 16/], [3, /minimum 16/], [15, /rtype 0xa0/]];
    for (const [len, re] of lengths) {
      const b = bytes.slice();
      b[360] = len; // the first record's length byte
      await assertDbnError(b, o, "f", 360, re);
    }
    const last = bytes.slice();
    last[360 + 56] = 15; // the last record claims 60 bytes, 56 are left
    await assertDbnError(last, o, "f", 416, /truncated record: 56 of 60 bytes/);
    const big = bytes.slice();
    big[360] = 255; // longer than what is left
    await assertDbnError(big, o, "f", 360, /truncated record|does not match/);
    const unknown = bytes.slice();
    unknown[361] = 0x99;
    await assertDbnError(unknown, o, "f", 360, /unknown rtype 0x99/);
    // The same through zstd, with both engines.
    for (const zstd of zstdCli ? ["cli", "node"] as const : ["node"] as const) {
      await assertDbnError(zstdCompress(unknown), { ...o, zstd }, "f", 360, /unknown rtype 0x99/);
      await assertDbnError(
        zstdCompress(bytes.subarray(0, 400)),
        { ...o, zstd },
        "f",
        360,
        /truncated record/,
      );
    }
  },
});

Deno.test({
  name: "errors: skipUnknown skips and counts unknown records anywhere in a run",
  ignore,
  fn: async () => {
    const bytes = await Deno.readFile(fixturePath(MBO_V3));
    const mbo = bytes.subarray(360, 416);
    // A fragment of 5 MBO records whose 2nd and 4th have an unknown rtype (and a longer length).
    const odd = new Uint8Array(64);
    odd[0] = 16;
    odd[1] = 0x99;
    const parts = [mbo, odd, mbo, odd, mbo];
    const frag = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      frag.set(p, at);
      at += p.byteLength;
    }
    const e = await attempt(frag, { fragment: { version: 3 }, name: "frag" });
    assert.ok(e instanceof DbnError && e.offset === 56, String(e));
    const { records: want } = await readDbn(mbo, { fragment: { version: 3 } });
    for (const objects of [false, true]) {
      const reader = await openDbn(frag, { fragment: { version: 3 }, skipUnknown: true });
      const got: unknown[] = [];
      if (objects) { for await (const r of reader.records()) got.push(r); }
      else {
        for await (const b of reader.batches()) {
          assert.equal(b.kind, "mbo");
          if (b.kind === "mbo") {
            for (let i = 0; i < b.columns.length; i++) got.push(b.columns.order_id[i]);
          }
        }
      }
      assert.equal(reader.stats.skipped, 2);
      assert.equal(reader.stats.records, 3);
      assert.deepEqual(got, objects ? [want[0], want[0], want[0]] : Array(3).fill(647784973705n));
    }
  },
});

Deno.test({
  name: "errors: corrupt and truncated zstd data, with the CLI and node:zlib",
  ignore,
  fn: async () => {
    const path = fixturePath("dbn/test_data.definition.v3.dbn.zst");
    const z = await Deno.readFile(path);
    const engines = zstdCli ? ["cli", "node"] as const : ["node"] as const;
    for (const zstd of engines) {
      const flipped = z.slice();
      flipped[z.byteLength >> 1] ^= 0x5a;
      const e = await attempt(flipped, { zstd, name: "d.zst" });
      assert.ok(e instanceof DbnError, `${zstd}: ${e}`);
      assert.match(e.message, /^d\.zst.*(corrupt zstd|truncated|does not match|unknown)/);
      const t = await attempt(z.subarray(0, z.byteLength - 9), { zstd, name: "d.zst" });
      assert.ok(t instanceof DbnError, `${zstd}: ${t}`);
      const garbage = new Uint8Array(z.byteLength + 5);
      garbage.set(z);
      garbage.set([1, 2, 3, 4, 5], z.byteLength); // trailing bytes that are not a frame
      const g = await attempt(garbage, { zstd, name: "d.zst" });
      assert.ok(g instanceof DbnError, `${zstd}: ${g}`);
      assert.match(g.message, /corrupt zstd/);
    }
  },
});

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test({
  name: "fuzz: truncations and byte flips of every fixture end in a result or a DbnError",
  ignore,
  fn: async () => {
    const rnd = prng(20260206);
    const pick = (n: number) => Math.floor(rnd() * n);
    const failures: string[] = [];
    let cases = 0;
    const files = [...Deno.readDirSync(fixturePath("dbn"))].map((e) => e.name)
      .filter((n) => /\.dbn(\.frag)?(\.zst)?$/.test(n)).sort();
    assert.equal(files.length, 71);
    for (const file of files) {
      const path = fixturePath(`dbn/${file}`);
      const fragment = file.includes(".frag") ? { version: versionFromName(file) } : undefined;
      const plain = await decompressedFixture(path);
      // Record boundaries of the intact stream, from the stored record lengths.
      const reader = await openDbn(plain, { fragment, upgrade: false });
      const start = reader.stats.bytes;
      const bounds = new Set<number>([start]);
      let pos = start;
      for await (const r of reader.records()) bounds.add(pos += r.length * 4);
      const nRecords = bounds.size - 1;
      const run = async (
        what: string,
        src: Uint8Array,
        check: (r: unknown) => string | null,
        zstd?: "cli" | "node",
      ) => {
        cases++;
        let r: unknown;
        try {
          r = await withTimeout(
            attempt(src, { fragment, zstd, name: file }, cases % 2 === 0),
            10_000,
            what,
          );
        } catch (e) {
          r = e;
        }
        if (typeof r !== "number" && !(r instanceof DbnError)) {
          failures.push(`${file} ${what}: ${r instanceof Error ? r.stack : String(r)}`);
        } else {
          const problem = check(r);
          if (problem) failures.push(`${file} ${what}: ${problem}`);
        }
      };
      // Truncations of the DBN stream: an error unless cut at a record boundary.
      const cuts = new Set<number>([0, 7, 8, start - 1, start, plain.byteLength - 1]);
      while (cuts.size < 18) cuts.add(pick(plain.byteLength));
      for (const t of cuts) {
        if (t < 0 || t >= plain.byteLength) continue;
        await run(`truncated at ${t}`, plain.subarray(0, t), (r) => {
          const clean = bounds.has(t) || (fragment !== undefined && t === 0);
          if (clean) {
            const want = [...bounds].filter((b) => b <= t).length - 1;
            return r === Math.max(0, want) ? null : `expected ${want} records, got ${r}`;
          }
          return r instanceof DbnError ? null : `expected a DbnError, got ${r} records`;
        });
      }
      // Byte flips anywhere.
      for (let k = 0; k < 16; k++) {
        const b = plain.slice();
        const at = k < 4 && start > 0 ? pick(Math.min(start, 400)) : pick(b.byteLength);
        b[at] ^= 1 + pick(255);
        await run(`flip at ${at}`, b, () => null);
      }
      // Damaged record lengths must always be reported.
      if (nRecords > 0) {
        const recStarts = [...bounds].slice(0, -1);
        for (let k = 0; k < 2; k++) {
          const b = plain.slice();
          const at = recStarts[pick(recStarts.length)];
          b[at] ^= 1 + pick(255);
          await run(
            `length flip at ${at}`,
            b,
            (r) => r instanceof DbnError ? null : `no error (${r} records)`,
          );
        }
      }
      // The compressed file, truncated or flipped (node:zlib; every 4th file also the CLI).
      if (file.endsWith(".zst")) {
        const z = await Deno.readFile(path);
        const engines = zstdCli && cases % 4 === 0 ? ["node", "cli"] as const : ["node"] as const;
        const multiFrame = file.startsWith("multi-frame");
        for (const zstd of engines) {
          for (let k = 0; k < 3; k++) {
            const t = 1 + pick(z.byteLength - 1);
            await run(
              `zstd ${zstd} truncated at ${t}`,
              z.subarray(0, t),
              (r) =>
                multiFrame || r instanceof DbnError
                  ? null
                  : `expected a DbnError, got ${r} records`,
              zstd,
            );
            const b = z.slice();
            const at = pick(b.byteLength);
            b[at] ^= 1 + pick(255);
            await run(`zstd ${zstd} flip at ${at}`, b, () => null, zstd);
          }
        }
      }
    }
    assert.ok(cases > 2500, `${cases} cases`);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${cases} cases failed`);
  },
});
