// The encoder against the fixtures (byte for byte) and round trips, including a generated MBO
// file of ~200k records written with DbnWriter and read back from every kind of source.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  allocCmbp1Columns,
  allocMboColumns,
  type Cmbp1Columns,
  DbnWriter,
  encodeDbn,
  encodeMetadata,
  instrumentDefDefaults,
  type MboColumns,
  type Metadata,
  openDbn,
  readDbn,
  zstdCliAvailable,
  zstdCompress,
} from "./mod.ts";
import { fixturePath, skipUnlessFixtures } from "../testing/fixtures.ts";
import { decompressedFixture, versionFromName } from "../testing/dbn_expected.ts";

const zstdCli = await zstdCliAvailable();
const ignore = skipUnlessFixtures("dbn/EXPECTED.md") ||
  (!zstdCli && (console.warn("skip: the zstd CLI is needed to decompress fixtures"), true));
const dbn = (file: string): string => fixturePath(`dbn/${file}`);

function metadataLength(bytes: Uint8Array): number {
  return 8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.byteLength === b.byteLength ? -1 : n;
}

function assertBytes(actual: Uint8Array, expected: Uint8Array, where: string): void {
  const d = firstDiff(actual, expected);
  assert.equal(
    d,
    -1,
    `${where}: first difference at byte ${d} (lengths ${actual.byteLength} / ${expected.byteLength})`,
  );
}

Deno.test({
  name: "metadata: re-encoding the v1 metadata as v1, v2 and v3 reproduces the fixture bytes",
  ignore,
  fn: async () => {
    for (const schema of ["mbo", "mbp-1", "trades", "statistics", "definition"]) {
      const v1 = await openDbn(dbn(`test_data.${schema}.v1.dbn.zst`), { upgrade: false });
      const m = v1.metadata!;
      await v1.close();
      assert.equal(m.version, 1);
      for (const version of [1, 2, 3]) {
        const file = await decompressedFixture(dbn(`test_data.${schema}.v${version}.dbn.zst`));
        const want = file.subarray(0, metadataLength(file));
        assertBytes(encodeMetadata(m, version), want, `${schema} metadata as v${version}`);
      }
      // The upgraded metadata (version 3) encodes as the v3 file's.
      const up = (await openDbn(dbn(`test_data.${schema}.v1.dbn.zst`))).metadata!;
      const v3 = await decompressedFixture(dbn(`test_data.${schema}.v3.dbn.zst`));
      assertBytes(encodeMetadata(up), v3.subarray(0, metadataLength(v3)), `${schema} upgraded`);
    }
  },
});

Deno.test({
  name: "records: upgraded v1/v2 definitions and statistics encode as the v3 fixture records",
  ignore,
  fn: async () => {
    const pairs: [string, string][] = [
      ["test_data.definition.v1.dbn.zst", "test_data.definition.v3.dbn.zst"],
      ["test_data.definition.v2.dbn.zst", "test_data.definition.v3.dbn.zst"],
      ["test_data.definition.dbn", "test_data.definition.v3.dbn.zst"],
      ["test_data.statistics.v1.dbn.zst", "test_data.statistics.v3.dbn.zst"],
      ["test_data.statistics.v2.dbn.zst", "test_data.statistics.v3.dbn.zst"],
      ["test_data.definition.v1.dbn.frag", "test_data.definition.v3.dbn.frag"],
      ["test_data.definition.v1.dbn.frag.zst", "test_data.definition.v3.dbn.frag"],
      ["test_data.definition.v2.dbn.frag", "test_data.definition.v3.dbn.frag"],
      ["test_data.definition.dbn.frag.zst", "test_data.definition.v3.dbn.frag"],
    ];
    for (const [from, to] of pairs) {
      const fragment = from.includes(".frag") ? { version: versionFromName(from) } : undefined;
      const { records } = await readDbn(dbn(from), { fragment });
      const target = await decompressedFixture(dbn(to));
      const want = fragment ? target : target.subarray(metadataLength(target));
      assertBytes(encodeDbn(undefined, records), want, `${from} upgraded`);
    }
    // The first two frames of the multi-frame fragment are the v1 fragment's records.
    const multi = await readDbn(dbn("multi-frame.definition.v1.dbn.frag.zst"), {
      fragment: { version: 1 },
    });
    const v3frag = await decompressedFixture(dbn("test_data.definition.v3.dbn.frag"));
    assertBytes(encodeDbn(undefined, multi.records.slice(0, 2)), v3frag, "multi-frame upgraded");
  },
});

Deno.test({
  name: "files: decoding as stored and re-encoding in the same version reproduces every file",
  ignore,
  fn: async () => {
    let n = 0;
    for (const name of [...Deno.readDirSync(fixturePath("dbn"))].map((e) => e.name).sort()) {
      if (!/\.dbn(\.zst)?$/.test(name)) continue;
      const { metadata, records } = await readDbn(dbn(name), { upgrade: false });
      const want = await decompressedFixture(dbn(name));
      const got = encodeDbn(metadata, records, metadata!.version);
      if (metadata!.version === 1 && metadata!.schema === "definition") {
        // v1 definitions carry ff ff ff 7f in `_reserved2` (EXPECTED.md conventions; it says
        // offset 168, but `_reserved2` is at 156..159 per the spec's §3.9.1 table and the bytes:
        // 168 is original_contract_size, also i32::MAX). The object view has no reserved fields,
        // so the encoder writes zeros there.
        const start = metadataLength(want);
        for (let p = start; p < want.byteLength; p += 360) {
          assert.deepEqual([...want.subarray(p + 156, p + 160)], [0xff, 0xff, 0xff, 0x7f]);
          assert.deepEqual([...got.subarray(p + 156, p + 160)], [0, 0, 0, 0]);
          got.set(want.subarray(p + 156, p + 160), p + 156);
        }
      }
      assertBytes(got, want, name);
      n++;
    }
    assert.equal(n, 64);
  },
});

Deno.test({
  name: "round trip: decode -> encodeDbn -> decode is the identity for v3 and upgraded files",
  ignore,
  fn: async () => {
    let n = 0;
    for (const name of [...Deno.readDirSync(fixturePath("dbn"))].map((e) => e.name).sort()) {
      if (!/\.dbn(\.frag)?(\.zst)?$/.test(name)) continue;
      const fragment = name.includes(".frag") ? { version: versionFromName(name) } : undefined;
      const first = await readDbn(dbn(name), { fragment });
      const bytes = encodeDbn(first.metadata, first.records);
      const second = await readDbn(bytes, { fragment: fragment && { version: 3 } });
      assert.deepEqual(second.metadata, first.metadata, name);
      assert.deepEqual(second.records, first.records, name);
      // and once more through zstd
      const third = await readDbn(ReadableStream.from([zstdCompress(bytes)]), {
        fragment: fragment && { version: 3 },
      });
      assert.deepEqual(third.records, first.records, name);
      n++;
    }
    assert.equal(n, 71);
  },
});

Deno.test("instrumentDefDefaults: encodes and decodes to itself", async () => {
  const def = { ...instrumentDefDefaults(), instrument_id: 42, raw_symbol: "ESZ6 C7000" };
  def.strike_price = 7_000_000_000_000n;
  def.instrument_class = "C";
  def.ts_event = 1n;
  const { records } = await readDbn(encodeDbn(undefined, [def]), { fragment: { version: 3 } });
  assert.deepEqual(records, [def]);
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

function generateMbo(n: number, seed: number): MboColumns {
  const rnd = prng(seed);
  const c = allocMboColumns(n);
  const actions = [65, 67, 77, 84, 70, 82, 78];
  const sides = [65, 66, 78];
  let ts = 1_700_000_000_000_000_000n;
  for (let i = 0; i < n; i++) {
    ts += BigInt(Math.floor(rnd() * 1e6));
    c.ts_event[i] = ts;
    c.ts_recv[i] = ts + BigInt(Math.floor(rnd() * 1e5));
    // Order ids above 2^53 (they would be rounded as doubles), including the u64 maximum.
    c.order_id[i] = i === 0
      ? 18446744073709551615n
      : (1n << 53n) + BigInt(i) * 1_000_003n + BigInt(Math.floor(rnd() * 1e9));
    c.price[i] = i === 1
      ? 9223372036854775807n
      : BigInt(Math.floor((rnd() - 0.1) * 2e7)) * 250_000_000n;
    c.size[i] = i === 2 ? 4294967295 : Math.floor(rnd() * 500);
    c.flags[i] = Math.floor(rnd() * 256);
    c.channel_id[i] = Math.floor(rnd() * 256);
    c.action[i] = actions[Math.floor(rnd() * actions.length)];
    c.side[i] = sides[Math.floor(rnd() * sides.length)];
    c.publisher_id[i] = 1 + Math.floor(rnd() * 100);
    c.instrument_id[i] = Math.floor(rnd() * 4294967296);
    c.ts_in_delta[i] = Math.floor((rnd() - 0.5) * 4e9);
    c.sequence[i] = Math.floor(rnd() * 4294967296);
  }
  return c;
}

const MBO_KEYS = [
  "publisher_id",
  "instrument_id",
  "ts_event",
  "order_id",
  "price",
  "size",
  "flags",
  "channel_id",
  "action",
  "side",
  "ts_recv",
  "ts_in_delta",
  "sequence",
] as const;

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Reads every batch and checks it equals rows [at, at+len) of `want`, column by column. */
async function assertMboEquals(
  source: Parameters<typeof openDbn>[0],
  want: MboColumns,
  options: Parameters<typeof openDbn>[1],
  where: string,
): Promise<number> {
  const reader = await openDbn(source, options);
  let at = 0;
  let batches = 0;
  for await (const b of reader.batches()) {
    assert.equal(b.kind, "mbo", where);
    if (b.kind !== "mbo") continue;
    const cols = b.columns;
    assert.ok(cols.length <= (options?.batchRecords ?? 65536), `${where}: batch size`);
    assert.equal(b.offset, reader.stats.bytes - cols.length * 56, `${where}: batch offset`);
    for (const k of MBO_KEYS) {
      const got = bytesOf(cols[k]);
      const exp = bytesOf(want[k].subarray(at, at + cols.length));
      if (firstDiff(got, exp) !== -1) {
        assert.fail(`${where}: column ${k} differs in rows ${at}..${at + cols.length}`);
      }
    }
    at += cols.length;
    batches++;
  }
  assert.equal(at, want.length, `${where}: record count`);
  assert.equal(reader.stats.records, want.length);
  return batches;
}

const META: Metadata = {
  version: 3,
  dataset: "GLBX.MDP3",
  schema: "mbo",
  start: 1_700_000_000_000_000_000n,
  end: null,
  limit: 0n,
  stype_in: "raw_symbol",
  stype_out: "instrument_id",
  ts_out: false,
  symbol_cstr_len: 71,
  symbols: ["ESZ3"],
  partial: [],
  not_found: [],
  mappings: [{
    raw_symbol: "ESZ3",
    intervals: [{ start_date: "2023-11-14", end_date: "2023-11-15", symbol: "4916" }],
  }],
};

Deno.test("DbnWriter: 200k generated MBO records round-trip exactly from paths, bytes and streams", async () => {
  const N = 200_003;
  const cols = generateMbo(N, 7);
  const dir = await Deno.makeTempDir({ prefix: "dbn_writer_test_" });
  try {
    for (const ext of [".dbn", ".dbn.zst"]) {
      const path = join(dir, "sub", `gen${ext}`);
      const w = await DbnWriter.create(path, META);
      // Written in uneven slices to cross the writer's internal chunking.
      for (const [s, e] of [[0, 1], [1, 40_000], [40_000, 40_000], [40_000, N]]) {
        await w.writeMbo(cols, s, e);
      }
      await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound, "no file before close");
      await w.close();
      assert.equal(w.records, N);
      const bytes = await Deno.readFile(path);
      assert.equal(bytes[0] === 0x28, ext.endsWith(".zst"), `${ext}: compression`);
      assert.deepEqual(
        [...Deno.readDirSync(join(dir, "sub"))].filter((e) => e.name.includes(".tmp")),
        [],
        "no temp file left",
      );
      const engines = ext.endsWith(".zst")
        ? (zstdCli ? ["cli", "node"] as const : ["node"] as const)
        : ["auto"] as const;
      for (const zstd of engines) {
        const opts = { zstd, batchRecords: 7_777 };
        const many = await assertMboEquals(path, cols, opts, `${ext} path ${zstd}`);
        assert.ok(many >= 26, `many batches (${many})`);
        await assertMboEquals(bytes, cols, opts, `${ext} bytes ${zstd}`);
        const chunks: Uint8Array[] = [];
        for (let p = 0; p < bytes.byteLength; p += 65_519) {
          chunks.push(bytes.subarray(p, p + 65_519));
        }
        await assertMboEquals(ReadableStream.from(chunks), cols, opts, `${ext} stream ${zstd}`);
      }
      const meta = (await openDbn(path)).metadata;
      assert.deepEqual(meta, META);
    }
    // The object view of a few rows agrees with the columns.
    const { records } = await readDbn(join(dir, "sub", "gen.dbn"));
    assert.equal(records.length, N);
    for (const i of [0, 1, 2, 99_999, N - 1]) {
      const r = records[i] as unknown as Record<string, unknown>;
      assert.equal(r.order_id, cols.order_id[i]);
      assert.equal(r.price, cols.price[i]);
      assert.equal(r.size, cols.size[i]);
      assert.equal(r.action, String.fromCharCode(cols.action[i]));
    }
    assert.equal(records[0].rtype, 0xa0);
    assert.equal((records[0] as { order_id: bigint }).order_id, 18446744073709551615n);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DbnWriter: CMBP-1 columns and object records mixed; abort leaves no file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dbn_writer_test_" });
  try {
    const c: Cmbp1Columns = allocCmbp1Columns(3);
    c.rtype.set([0xb1, 0xc2, 0xb1]);
    c.price.set([5_000_250_000_000n, -1n, 9223372036854775807n]);
    c.bid_px.set([4_999_000_000_000n, 1n, 2n]);
    c.ask_px.set([5_001_000_000_000n, 3n, 4n]);
    c.bid_pb.set([1, 2, 65535]);
    c.ask_pb.set([3, 4, 5]);
    c.bid_sz.set([10, 20, 4294967295]);
    c.action.set([65, 84, 67]);
    c.side.set([66, 65, 78]);
    c.ts_event.set([1n, 2n, 18446744073709551615n]);
    const path = join(dir, "mixed.dbn.zst");
    const meta: Metadata = { ...META, schema: null, mappings: [] };
    const w = await DbnWriter.create(path, meta);
    await w.writeCmbp1(c);
    const def = { ...instrumentDefDefaults(), raw_symbol: "ESZ3", instrument_id: 4916 };
    await w.writeRecords([def]);
    await w.writeCmbp1(c, 1, 2);
    await w.close();
    const reader = await openDbn(path);
    assert.equal(reader.metadata?.schema, null);
    const kinds: string[] = [];
    const rows: unknown[] = [];
    for await (const b of reader.batches()) {
      kinds.push(b.kind);
      if (b.kind === "cmbp1") {
        for (let i = 0; i < b.columns.length; i++) {
          rows.push([
            b.columns.rtype[i],
            b.columns.price[i],
            b.columns.bid_pb[i],
            b.columns.bid_sz[i],
          ]);
        }
      } else if (b.kind === "records") rows.push(...b.records);
    }
    assert.deepEqual(kinds, ["cmbp1", "records", "cmbp1"]);
    assert.deepEqual(rows, [
      [0xb1, 5_000_250_000_000n, 1, 10],
      [0xc2, -1n, 2, 20],
      [0xb1, 9223372036854775807n, 65535, 4294967295],
      def,
      [0xc2, -1n, 2, 20],
    ]);

    const aborted = join(dir, "aborted.dbn");
    const a = await DbnWriter.create(aborted, META);
    await a.writeRecords([]);
    await a.abort();
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["mixed.dbn.zst"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
