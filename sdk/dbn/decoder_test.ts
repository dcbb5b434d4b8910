// Conformance of the decoder with the DBN fixtures and their answer key, fixtures/dbn/EXPECTED.md
// (parsed at test time: inventory counts, metadata lists and JSON record blocks).
import assert from "node:assert/strict";
import {
  DbnError,
  type DbnRecord,
  type DecodeOptions,
  isZstd,
  type Metadata,
  openDbn,
  readDbn,
  symbolMap,
  zstdCliAvailable,
  zstdCompress,
} from "./mod.ts";
import { fixturePath, skipUnlessFixtures } from "../testing/fixtures.ts";
import {
  blocksOf,
  decompressedFixture,
  type ExpectedDoc,
  type ExpectedMetadata,
  loadExpected,
  recordMismatches,
  versionFromName,
} from "../testing/dbn_expected.ts";

const EXPECTED = "dbn/EXPECTED.md";
const ignore = skipUnlessFixtures(EXPECTED);
const zstdCli = await zstdCliAvailable();
const engines = zstdCli ? ["cli", "node"] as const : ["node"] as const;
const doc: ExpectedDoc = ignore
  ? { inventory: [], metadata: new Map(), blocks: [], tables: [] }
  : await loadExpected(fixturePath(EXPECTED));
const dbn = (file: string): string => fixturePath(`dbn/${file}`);

/** Decode options for a fixture: fragments get the version their name states. */
function optionsFor(file: string, extra: DecodeOptions = {}): DecodeOptions {
  return file.includes(".frag")
    ? { fragment: { version: versionFromName(file) }, ...extra }
    : extra;
}

async function decode(
  file: string,
  extra: DecodeOptions = {},
): Promise<{ metadata: Metadata | undefined; records: DbnRecord[] }> {
  return await readDbn(dbn(file), optionsFor(file, extra));
}

function assertRecords(
  actual: DbnRecord[],
  expected: Record<string, bigint | string>[],
  where: string,
): void {
  assert.equal(actual.length, expected.length, `${where}: record count`);
  actual.forEach((r, i) => {
    const problems = recordMismatches(r, expected[i]);
    assert.deepEqual(problems, [], `${where} record ${i}:\n  ${problems.join("\n  ")}`);
  });
}

async function sha256Prefix(path: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

Deno.test({
  name: "inventory: the fixture folder holds exactly the files of EXPECTED.md §1, byte for byte",
  ignore,
  fn: async () => {
    assert.ok(doc.inventory.length >= 80, "inventory table parsed");
    const listed = new Set(doc.inventory.map((r) => r.file));
    const present = [...Deno.readDirSync(fixturePath("dbn"))].map((e) => e.name)
      .filter((n) => n !== "EXPECTED.md");
    assert.deepEqual(present.filter((n) => !listed.has(n)), [], "files not in the inventory");
    for (const row of doc.inventory) {
      const st = await Deno.stat(dbn(row.file));
      assert.equal(st.size, row.bytes, `${row.file} size`);
      assert.equal(await sha256Prefix(dbn(row.file)), row.sha256, `${row.file} sha256`);
    }
  },
});

Deno.test({
  name: "inventory: every DBN fixture decodes to the record count, version and stream size of §1",
  ignore,
  fn: async () => {
    let checked = 0;
    for (const row of doc.inventory) {
      if (row.file.endsWith(".dbz")) continue;
      assert.ok(row.records !== undefined && row.decodedBytes !== undefined, row.file);
      for (const upgrade of [true, false]) {
        const reader = await openDbn(dbn(row.file), optionsFor(row.file, { upgrade }));
        let n = 0;
        for await (const b of reader.batches()) {
          n += b.kind === "records" ? b.records.length : b.columns.length;
        }
        assert.equal(n, row.records, `${row.file} (upgrade ${upgrade}): records`);
        assert.equal(reader.stats.records, row.records, `${row.file}: stats.records`);
        assert.equal(reader.stats.bytes, row.decodedBytes, `${row.file}: decoded bytes`);
        assert.equal(reader.stats.skipped, 0);
        assert.equal(reader.inputVersion, row.recordVersion, `${row.file}: input version`);
        if (row.fragment) assert.equal(reader.metadata, undefined);
        else {
          assert.equal(reader.metadata?.version, upgrade ? 3 : row.recordVersion, row.file);
        }
      }
      if (row.fragment) {
        // Without a stated version the version is detected per record from its size (spec §5.3).
        const { records } = await readDbn(dbn(row.file), { fragment: {} });
        assert.equal(records.length, row.records, `${row.file} (detected version)`);
        assert.ok(records.every((r) => r.length === 130), `${row.file}: upgraded to v3`);
      }
      checked++;
    }
    assert.equal(checked, 71); // 81 files, 10 of them legacy DBZ
  },
});

const MBO_FILES = [
  "test_data.mbo.v1.dbn.zst",
  "test_data.mbo.v2.dbn.zst",
  "test_data.mbo.dbn",
  "test_data.mbo.v3.dbn",
  "test_data.mbo.v3.dbn.zst",
];

Deno.test({
  name: "values: MBO, MBP-1, CMBP-1 and trades records of every version (§2.1-2.3, 2.5)",
  ignore,
  fn: async () => {
    const cases: [string, string[]][] = [
      ["2.1 ", MBO_FILES],
      ["2.2 ", [
        "test_data.mbp-1.v1.dbn.zst",
        "test_data.mbp-1.v2.dbn.zst",
        "test_data.mbp-1.dbn",
        "test_data.mbp-1.v3.dbn.zst",
      ]],
      ["2.3 ", [
        "test_data.cmbp-1.v2.dbn.zst",
        "test_data.cmbp-1.dbn",
        "test_data.cmbp-1.v3.dbn.zst",
      ]],
      ["2.5 ", [
        "test_data.trades.v1.dbn.zst",
        "test_data.trades.v2.dbn.zst",
        "test_data.trades.dbn",
        "test_data.trades.v3.dbn.zst",
      ]],
    ];
    for (const [section, files] of cases) {
      const expected = blocksOf(doc, section);
      for (const file of files) {
        for (const upgrade of [true, false]) {
          const { records } = await decode(file, { upgrade });
          assertRecords(records, expected, `${file} upgrade=${upgrade}`);
        }
      }
    }
  },
});

Deno.test({
  name: "values: statistics, v1/v2 as stored and upgraded to v3 (§2.4)",
  ignore,
  fn: async () => {
    const v12 = blocksOf(doc, "2.4 ", /^v1 and v2 records/);
    const v3 = blocksOf(doc, "2.4 ", /^v3 records/);
    for (
      const file of [
        "test_data.statistics.v1.dbn.zst",
        "test_data.statistics.v2.dbn.zst",
        "test_data.statistics.dbn",
      ]
    ) {
      assertRecords((await decode(file, { upgrade: false })).records, v12, `${file} as is`);
      assertRecords((await decode(file)).records, v3, `${file} upgraded`);
    }
    const file = "test_data.statistics.v3.dbn.zst";
    assertRecords((await decode(file)).records, v3, file);
    assertRecords((await decode(file, { upgrade: false })).records, v3, file);
  },
});

Deno.test({
  name: "values: definitions, full files and fragments, as stored and upgraded (§2.6.1-2.6.2)",
  ignore,
  fn: async () => {
    const groups: [string, string, string[]][] = [
      ["2.6.1 ", "", [
        "test_data.definition.v1.dbn.zst",
        "test_data.definition.v2.dbn.zst",
        "test_data.definition.dbn",
        "test_data.definition.v3.dbn.zst",
      ]],
      ["2.6.2 ", "fragment ", [
        "test_data.definition.v1.dbn.frag",
        "test_data.definition.v1.dbn.frag.zst",
        "test_data.definition.v2.dbn.frag",
        "test_data.definition.dbn.frag.zst",
        "test_data.definition.v3.dbn.frag",
        "test_data.definition.v3.dbn.frag.zst",
      ]],
    ];
    for (const [section, kind, files] of groups) {
      const v3 = blocksOf(doc, section, new RegExp(`^v3 ${kind}records`));
      for (const file of files) {
        const v = versionFromName(file);
        const asIs = blocksOf(doc, section, new RegExp(`^v${v} ${kind}records`));
        assertRecords((await decode(file, { upgrade: false })).records, asIs, `${file} as is`);
        assertRecords((await decode(file)).records, v3, `${file} upgraded`);
      }
    }
  },
});

Deno.test({
  name: "values: the 8-frame v1 definition fragment matches the table of §2.6.3",
  ignore,
  fn: async () => {
    const table = doc.tables.find((t) => t.header[0] === "#" && t.header[1] === "instrument_id");
    assert.ok(table, "multi-frame table in EXPECTED.md");
    const file = "multi-frame.definition.v1.dbn.frag.zst";
    for (const zstd of engines) {
      const { records } = await decode(file, { zstd });
      assert.equal(records.length, 8, `${file} with zstd ${zstd}`);
      assert.equal(table.rows.length, 8);
      for (const row of table.rows) {
        const rec = records[Number(row[0])] as unknown as Record<string, unknown>;
        table.header.forEach((field, c) => {
          if (c === 0) return;
          const want = row[c];
          const got = rec[field];
          if (typeof got === "string") assert.equal(got, want, `record ${row[0]} ${field}`);
          else {assert.equal(
              BigInt(got as number | bigint),
              BigInt(want),
              `record ${row[0]} ${field}`,
            );}
        });
      }
    }
    // "The first two records are the same two records as the v1 fragment."
    const multi = (await decode(file, { upgrade: false })).records.slice(0, 2);
    const single = (await decode("test_data.definition.v1.dbn.frag", { upgrade: false })).records;
    assert.deepEqual(multi, single);
  },
});

Deno.test({
  name: "values: tbbo, mbp-10, bbo, cbbo, status, ohlcv and imbalance summaries (§2.7)",
  ignore,
  fn: async () => {
    const trades = blocksOf(doc, "2.5 ");
    const mbp1 = blocksOf(doc, "2.2 ");
    // tbbo: the two trades with the BBO just before each trade.
    for (const v of ["v1", "v2", "v3"]) {
      const { records } = await decode(`test_data.tbbo.${v}.dbn.zst`);
      const books = [[3720250000000n, 26, 16, 3720500000000n, 7, 6], [
        3720250000000n,
        21,
        13,
        3720500000000n,
        22,
        15,
      ]];
      records.forEach((rec, i) => {
        const r = rec as unknown as Record<string, unknown> & { levels: Record<string, unknown>[] };
        assert.equal(r.rtype, 0x01);
        for (const f of ["ts_event", "price", "size", "sequence"]) {
          assert.equal(BigInt(r[f] as number), trades[i][f], `tbbo ${v} ${i} ${f}`);
        }
        assert.equal(r.action, "T");
        assert.equal(r.flags, 129);
        const [bpx, bsz, bct, apx, asz, act] = books[i];
        assert.deepEqual(r.levels[0], {
          bid_px: bpx,
          ask_px: apx,
          bid_sz: bsz,
          ask_sz: asz,
          bid_ct: bct,
          ask_ct: act,
        });
      });
    }
    // mbp-10: 2 records of 368 bytes with 10 levels.
    for (const v of ["v1", "v2", "v3"]) {
      const { records } = await decode(`test_data.mbp-10.${v}.dbn.zst`);
      assert.equal(records.length, 2);
      for (const r of records) {
        assert.equal(r.rtype, 10);
        assert.equal(r.length * 4, 368);
        assert.equal((r as { levels: unknown[] }).levels.length, 10);
      }
    }
    // bbo-1s / bbo-1m.
    for (const [schema, rtype] of [["bbo-1s", 0xc3], ["bbo-1m", 0xc4]] as const) {
      for (const v of ["v2", "v3"]) {
        const { metadata, records } = await decode(`test_data.${schema}.${v}.dbn.zst`);
        assert.equal(metadata?.start, 1609113600000000000n);
        assert.equal(metadata?.limit, 4n);
        assert.equal(records.length, 4);
        assert.ok(records.every((r) => r.rtype === rtype));
        assert.deepEqual({ ...records[0], ts_event: 0n }, {
          rtype,
          length: 20,
          publisher_id: records[0].publisher_id,
          instrument_id: records[0].instrument_id,
          ts_event: 0n,
          ts_recv: 1609113600000000000n,
          price: 3702500000000n,
          size: 2,
          side: "A",
          flags: 168,
          sequence: 145799,
          levels: [{
            bid_px: 3702250000000n,
            ask_px: 3702750000000n,
            bid_sz: 18,
            ask_sz: 13,
            bid_ct: 10,
            ask_ct: 13,
          }],
        });
      }
    }
    // cbbo-1s: the MBP-1 data in the CBBO layout.
    for (const v of ["v2", "v3"]) {
      const { records } = await decode(`test_data.cbbo-1s.${v}.dbn.zst`);
      assert.equal(records.length, 2);
      records.forEach((rec, i) => {
        const r = rec as unknown as Record<string, unknown> & { levels: Record<string, unknown>[] };
        assert.equal(r.rtype, 0xc0);
        for (const f of ["price", "size", "side", "flags", "ts_recv", "instrument_id"]) {
          const want = mbp1[i][f];
          assert.equal(typeof want === "string" ? r[f] : BigInt(r[f] as number), want, `cbbo ${f}`);
        }
        for (const f of ["bid_px", "ask_px", "bid_sz", "ask_sz"]) {
          assert.equal(BigInt(r.levels[0][f] as number), mbp1[i][`levels[0].${f}`], `cbbo ${f}`);
        }
      });
    }
    // status.
    for (const v of ["v2", "v3"]) {
      const { records } = await decode(`test_data.status.${v}.dbn.zst`);
      assert.equal(records.length, 4);
      const s = records[0] as unknown as Record<string, unknown>;
      assert.equal(s.rtype, 0x12);
      assert.equal(s.ts_event, 1609110000000000000n);
      assert.equal(s.ts_recv, 1609113600000000000n);
      assert.equal(s.action, 7);
      assert.equal(s.reason, 1);
      assert.equal(s.trading_event, 0);
      assert.equal(s.is_trading, "Y");
      assert.equal(s.is_quoting, "Y");
      assert.equal(s.is_short_sell_restricted, "~");
    }
    // ohlcv-1s record 0 equals OHLCV_MSG of the reference layout tests.
    for (const v of ["v1", "v2", "v3"]) {
      const { records } = await decode(`test_data.ohlcv-1s.${v}.dbn.zst`);
      assert.equal(records.length, 2);
      assert.deepEqual(records[0], {
        rtype: 0x20,
        length: 14,
        publisher_id: 1,
        instrument_id: 5482,
        ts_event: 1609160400000000000n,
        open: 372025000000000n,
        high: 372050000000000n,
        low: 372025000000000n,
        close: 372050000000000n,
        volume: 57n,
      });
    }
    // imbalance: 2 records of 112 bytes, XNAS.ITCH SPOT.
    for (const v of ["v1", "v2", "v3"]) {
      const { metadata, records } = await decode(`test_data.imbalance.${v}.dbn.zst`);
      assert.equal(metadata?.dataset, "XNAS.ITCH");
      assert.deepEqual(metadata?.symbols, ["SPOT"]);
      assert.equal(records.length, 2);
      assert.ok(records.every((r) => r.rtype === 0x14 && r.length * 4 === 112));
    }
  },
});

function assertMetadata(m: Metadata | undefined, e: ExpectedMetadata, version: number): void {
  assert.ok(m, `${e.file}: metadata`);
  const where = `${e.file} (as version ${version})`;
  assert.equal(m.version, version, where);
  assert.equal(m.symbol_cstr_len, version === e.version ? e.symbol_cstr_len : 71, where);
  assert.equal(m.dataset, e.dataset, where);
  assert.equal(m.schema, e.schema, where);
  assert.equal(m.start, e.start, where);
  assert.equal(m.end, e.end, where);
  assert.equal(m.limit, e.limit, where);
  assert.equal(m.stype_in, e.stype_in, where);
  assert.equal(m.stype_out, e.stype_out, where);
  assert.equal(m.ts_out, e.ts_out, where);
  assert.deepEqual(m.symbols, e.symbols, where);
  assert.deepEqual(m.partial, e.partial, where);
  assert.deepEqual(m.not_found, e.not_found, where);
  assert.equal(m.mappings.length, e.mappings.length, where);
  const iso = (d: number) =>
    `${String(d).slice(0, 4)}-${String(d).slice(4, 6)}-${String(d).slice(6)}`;
  e.mappings.forEach((em, i) => {
    const am = m.mappings[i];
    assert.equal(am.raw_symbol, em.raw_symbol, where);
    assert.equal(am.intervals.length, em.count, `${where}: ${em.raw_symbol} intervals`);
    for (const [j, iv] of em.intervals) {
      assert.deepEqual(am.intervals[j], {
        start_date: iso(iv.start_date),
        end_date: iso(iv.end_date),
        symbol: iv.symbol,
      }, `${where}: interval ${j}`);
    }
  });
}

Deno.test({
  name: "metadata: every version as stored and upgraded, lengths and record start (§2)",
  ignore: ignore || (!zstdCli && (console.warn("skip: needs the zstd CLI"), true)),
  fn: async () => {
    assert.ok(doc.metadata.size >= 17, "metadata lists parsed");
    for (const e of doc.metadata.values()) {
      const path = dbn(e.file);
      const raw = await decompressedFixture(path);
      const dv = new DataView(raw.buffer, raw.byteOffset);
      assert.equal(raw[3], e.version, `${e.file}: prelude version`);
      assert.equal(dv.getUint32(4, true), e.metadata_length, `${e.file}: metadata_length`);
      assert.equal(8 + e.metadata_length, e.records_start);
      if (e.version === 1) assert.equal(dv.getBigUint64(50, true), 18446744073709551615n);
      const pad = raw.subarray(e.records_start - e.padding, e.records_start);
      assert.ok(pad.every((b) => b === 0), `${e.file}: padding is zero`);

      const asIs = await openDbn(path, { upgrade: false });
      assert.equal(asIs.stats.bytes, e.records_start, `${e.file}: records start`);
      assertMetadata(asIs.metadata, e, e.version);
      await asIs.close();
      const upgraded = await openDbn(path);
      assertMetadata(upgraded.metadata, e, 3);
      await upgraded.close();
      // The same stream from memory and from a ReadableStream.
      assert.deepEqual((await openDbn(raw, { upgrade: false })).metadata, asIs.metadata);
      const stream = ReadableStream.from([raw.subarray(0, 5), raw.subarray(5)]);
      assert.deepEqual((await openDbn(stream, { upgrade: false })).metadata, asIs.metadata);
    }
    // The unversioned files are the v2 ones.
    for (const schema of ["mbo", "mbp-1", "cmbp-1", "trades", "statistics", "definition"]) {
      const plain = (await openDbn(dbn(`test_data.${schema}.dbn`), { upgrade: false })).metadata;
      const v2 =
        (await openDbn(dbn(`test_data.${schema}.v2.dbn.zst`), { upgrade: false })).metadata;
      assert.deepEqual(plain, v2, schema);
    }
  },
});

Deno.test({
  name: "metadata: symbolMap resolves instrument ids per day, end date exclusive",
  ignore,
  fn: async () => {
    const mbo = (await openDbn(dbn("test_data.mbo.v1.dbn.zst"))).metadata!;
    assert.deepEqual(symbolMap(mbo, "2020-12-28"), new Map([[5482, "ESH1"]]));
    assert.deepEqual(symbolMap(mbo, "2020-12-29"), new Map());
    const def = (await openDbn(dbn("test_data.definition.v2.dbn.zst"))).metadata!;
    assert.deepEqual(symbolMap(def, "2021-10-04"), new Map([[6819, "MSFT"]]));
    assert.deepEqual(symbolMap(def, "2021-10-05"), new Map([[6830, "MSFT"]]));
    assert.deepEqual(symbolMap(def, "2022-01-03"), new Map([[7119, "MSFT"]]));
  },
});

Deno.test({
  name: "reference assertions of §3: newer version rejected, skip one MBO, zstd magic, upgrades",
  ignore,
  fn: async () => {
    const bytes = await Deno.readFile(dbn("test_data.mbo.v3.dbn"));
    const newer = bytes.slice();
    newer[3] = 4;
    await assert.rejects(() => openDbn(newer), (e: unknown) => {
      assert.ok(e instanceof DbnError);
      assert.match(e.message, /can't decode newer version of DBN/);
      assert.equal(e.offset, 3);
      return true;
    });
    // Skipping exactly one 56-byte MBO after the metadata leaves one record.
    const { records } = await readDbn(bytes.subarray(360 + 56), { fragment: { version: 3 } });
    assert.equal(records.length, 1);
    assert.deepEqual(recordMismatches(records[0], blocksOf(doc, "2.1 ")[1]), []);
    for (const s of ["mbo", "mbp-1", "mbp-10", "definition"]) {
      assert.ok(isZstd(await Deno.readFile(dbn(`test_data.${s}.v3.dbn.zst`))), s);
    }
    assert.ok(!isZstd(bytes));
    // Upgrading a v1 file reports v3 metadata; as-is keeps v1.
    const up = await openDbn(dbn("test_data.definition.v1.dbn.zst"));
    assert.equal(up.metadata?.version, 3);
    assert.equal(up.metadata?.symbol_cstr_len, 71);
    for await (const r of up.records()) assert.equal(r.length, 130);
    const asIs = await openDbn(dbn("test_data.definition.v1.dbn.zst"), { upgrade: false });
    assert.equal(asIs.metadata?.version, 1);
    assert.equal(asIs.metadata?.symbol_cstr_len, 22);
    for await (const r of asIs.records()) assert.equal(r.length, 90);
  },
});

Deno.test({
  name: "zstd: concatenated and skippable frames, split at any byte, with both engines",
  ignore,
  fn: async () => {
    const bytes = await Deno.readFile(dbn("test_data.mbo.v3.dbn"));
    const want = (await readDbn(bytes)).records;
    const skippable = new Uint8Array([0x53, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const parts = [
      zstdCompress(bytes.subarray(0, 100)),
      skippable,
      zstdCompress(bytes.subarray(100, 100)), // an empty frame
      zstdCompress(bytes.subarray(100, 390), 19),
      zstdCompress(bytes.subarray(390)),
    ];
    const all = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.byteLength;
    }
    for (const zstd of engines) {
      assert.deepEqual((await readDbn(all, { zstd })).records, want, zstd);
      // One byte per chunk: every frame and block header straddles chunks.
      const bytewise = ReadableStream.from([...all].map((b) => new Uint8Array([b])));
      assert.deepEqual((await readDbn(bytewise, { zstd })).records, want, `${zstd} bytewise`);
    }
  },
});
