// LOBSTER → bronze equity_mbo import. Expected values come from outside the code: hand-computed
// examples, the LOBSTER fixtures' README.md / expected_summary.json (answer keys), the raw text of
// the fixture files, the bronze contract file and the book engine replaying what was written.
import assert from "node:assert/strict";
import { fixturePath, skipUnlessFixtures } from "../testing/fixtures.ts";
import { main as lobsterCli } from "../cli/lobster.ts";
import { DepthChange, type MboColumnsLike, OrderBooks } from "../book/mod.ts";
import {
  DEFAULT_CONTRACTS_DIR,
  type DictColumn,
  holdParquetWorkers,
  type Lake,
  openLake,
  readBatches,
  readManifest,
  readTable,
} from "../lake/mod.ts";
import { importLobster, LOBSTER_DATASET, newYorkClock } from "./mod.ts";
import { readZipMember } from "../testing/zip.ts";
import { StageRegistry } from "../pipeline/registry.ts";
import { runPipeline } from "../pipeline/runner.ts";
import { SILVER_STAGES } from "../silver/stages.ts";

// scratch lakes of this module, removed when the test module ends
const TMP = Deno.makeTempDirSync({ prefix: "spymaster-lobster-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));

const DIR = "real/lobster/";
const GOOG_M = DIR + "GOOG_2012-06-21_34200000_57600000_message_10.csv.gz";
const GOOG_O = DIR + "GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz";
const AAPL_M = DIR + "AAPL_2012-06-21_34200000_57600000_message_10.first999.csv";
const AAPL_O = DIR + "AAPL_2012-06-21_34200000_57600000_orderbook_10.first999.csv";
const SUMMARY = DIR + "expected_summary.json";
const SYN = 1n << 62n;

const utcNs = (iso: string, subMs = 0n): bigint => BigInt(Date.parse(iso)) * 1_000_000n + subMs;

Deno.test("newYorkClock: LOBSTER local time to UTC ns, EDT / EST and the DST-change days", () => {
  // 2012-06-21 is EDT (UTC−4): 34200.015105074 s = 09:30:00.015105074 local
  assert.equal(
    newYorkClock("2012-06-21")(34200015105074),
    utcNs("2012-06-21T13:30:00.015Z", 105074n),
  );
  assert.equal(newYorkClock("2012-01-03")(34200e9), utcNs("2012-01-03T14:30:00Z")); // EST
  // 2024-03-10: clocks jump 02:00 EST → 03:00 EDT
  const spring = newYorkClock("2024-03-10");
  assert.equal(spring(5400e9), utcNs("2024-03-10T06:30:00Z")); // 01:30 EST
  assert.equal(spring(9000e9), utcNs("2024-03-10T07:30:00Z")); // 02:30 does not exist → 03:30 EDT
  assert.equal(spring(34200e9 + 7), utcNs("2024-03-10T13:30:00Z", 7n)); // 09:30 EDT
  // 2024-11-03: 02:00 EDT → 01:00 EST; 01:30 happens twice (first one taken)
  const fall = newYorkClock("2024-11-03");
  assert.equal(fall(5400e9), utcNs("2024-11-03T05:30:00Z"));
  assert.equal(fall(34200e9), utcNs("2024-11-03T14:30:00Z"));
  assert.throws(() => newYorkClock("2012-02-30"), RangeError);
});

/** Runs the CLI capturing stdout/stderr. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const log = console.log, error = console.error;
  const out: string[] = [], err: string[] = [];
  console.log = (s: string) => out.push(s);
  console.error = (s: string) => err.push(s);
  try {
    return { code: await lobsterCli(args), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const exists = async (p: string): Promise<boolean> =>
  await Deno.stat(p).then(() => true, () => false);

async function sha256(path: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("a hand-made pair: snapshot, add, halts in the manifest, execution, hidden trade", async () => {
  const release = holdParquetWorkers();
  try {
    const dir = await Deno.makeTempDir({ dir: TMP });
    const lake = await openLake(`${dir}/lake`, { validateEvery: 1 });
    // Level 1. Before message 0 only an ask of 200 @ $100.10 rests (it is not in the file).
    const m = `${dir}/XYZ_2012-06-21_34200000_57600000_message_1.csv`;
    const o = `${dir}/XYZ_2012-06-21_34200000_57600000_orderbook_1.csv`;
    await Deno.writeTextFile(
      m,
      [
        "34200.000000001,1,11,100,1000000,1", // buy 100 @ 100.00
        "34200.5,7,0,0,-1,-1", // halt
        "34260.25,7,0,0,1,-1", // trading resumes
        "34300,4,11,40,1000000,1", // 40 of the bid executed: seller-initiated
        "34400,5,0,10,1000500,-1", // hidden sell order executed at 100.05: buyer-initiated
      ].join("\n") + "\n",
    );
    const row = (bid: number) => `1001000,200,1000000,${bid}`;
    await Deno.writeTextFile(o, [row(100), row(100), row(100), row(60), row(60)].join("\n"));
    await assert.rejects(
      importLobster(m, o, { lake, dt: "2012-06-22" }),
      /message_1\.csv: the file name says XYZ 2012-06-21, but the import is for XYZ 2012-06-22/,
    );
    const r = await importLobster(m, o, { lake }); // symbol XYZ and date from the file name
    assert.equal(r.dataset, "bronze.equity_mbo.mbo");
    assert.deepEqual([r.symbol, r.dt, r.skipped, r.rows], ["XYZ", "2012-06-21", false, 7]);
    assert.match(r.dir, /product_type=equity_mbo\/symbol=XYZ\/table=mbo\/dt=2012-06-21$/);
    const t = await readTable(lake, LOBSTER_DATASET, {
      symbol: "XYZ",
      dt: "2012-06-21",
      source: "lobster",
    });
    const col = (name: string) => [...t.getChild(name)!.toArray()].map(String);
    assert.deepEqual(col("action"), ["R", "A", "A", "T", "F", "C", "T"]);
    assert.deepEqual(col("side"), ["N", "A", "B", "A", "B", "B", "B"]);
    assert.deepEqual(col("flags"), ["40", "168", "128", "0", "0", "128", "128"]);
    assert.deepEqual(col("size"), ["0", "200", "100", "40", "40", "40", "10"]);
    assert.deepEqual(col("price"), [
      "0",
      "100100000000",
      "100000000000",
      "100000000000",
      "100000000000",
      "100000000000",
      "100050000000",
    ]);
    assert.deepEqual(col("order_id"), ["0", String(SYN), "11", "0", "11", "11", "0"]);
    assert.deepEqual(col("sequence"), ["0", "0", "0", "3", "3", "3", "4"]);
    const t0 = utcNs("2012-06-21T13:30:00Z", 1n);
    assert.deepEqual(
      col("ts_event"),
      [t0, t0, t0].map(String).concat(
        [...Array(3).fill(utcNs("2012-06-21T13:31:40Z")), utcNs("2012-06-21T13:33:20Z")].map(
          String,
        ),
      ),
    );
    assert.deepEqual(col("ts_recv"), col("ts_event"));
    assert.deepEqual(new Set(col("publisher_id")), new Set(["2"]));
    assert.deepEqual(new Set(col("instrument_id")), new Set(["1"]));
    assert.deepEqual(new Set(col("rtype")), new Set(["160"]));
    assert.deepEqual(new Set(col("symbol")), new Set(["XYZ"]));
    assert.deepEqual(new Set([...col("channel_id"), ...col("ts_in_delta")]), new Set(["0"]));
    // columns and types exactly as the bronze equity_mbo contract
    const contract = JSON.parse(
      await Deno.readTextFile(`${DEFAULT_CONTRACTS_DIR}/bronze/equity_mbo/mbo.avsc`),
    );
    assert.deepEqual(
      t.schema.fields.map((f) => `${f.name}:${f.type}`),
      contract.fields.map((f: { name: string; type: string }) =>
        `${f.name}:${f.type === "long" ? "Int64" : "Dictionary<Int32, Utf8>"}`
      ),
    );
    // halts: not rows, listed in the manifest
    const man = await readManifest(r.dir);
    assert.equal(man.stage, "lobster_import");
    assert.equal(man.stats.halt_count, 2);
    assert.deepEqual(man.stats.halts, [
      {
        line: 2,
        time: "09:30:00.500000000",
        ts_event: String(utcNs("2012-06-21T13:30:00.500Z")),
        kind: "halt",
      },
      {
        line: 3,
        time: "09:31:00.250000000",
        ts_event: String(utcNs("2012-06-21T13:31:00.250Z")),
        kind: "trading_resumes",
      },
    ]);
    assert.deepEqual(man.stats.types, { "1": 1, "4": 1, "5": 1, "7": 2 });
    assert.deepEqual(man.inputs, [
      { path: m, bytes: (await Deno.stat(m)).size, sha256: await sha256(m) },
      { path: o, bytes: (await Deno.stat(o)).size, sha256: await sha256(o) },
    ]);
    assert.ok(await exists(`${r.dir}/_SUCCESS`));
  } finally {
    release();
  }
});

Deno.test("bad input: clear errors naming file and line, exit 1, no partition left behind", async () => {
  const release = holdParquetWorkers();
  try {
    const dir = await Deno.makeTempDir({ dir: TMP });
    const lakeDir = `${dir}/lake`;
    const table = `${lakeDir}/bronze/source=lobster/product_type=equity_mbo/symbol=XYZ/table=mbo`;
    const part = `${table}/dt=2012-06-21`;
    const m = `${dir}/m.csv`, o = `${dir}/o.csv`;
    const good = "34200.1,1,11,100,1000000,1\n34200.2,1,12,50,1000100,-1\n";
    const rows = "9999999999,0,1000000,100\n1000100,50,1000000,100\n";
    const run = (...extra: string[]) =>
      cli(["import", m, o, "--symbol", "XYZ", "--dt", "2012-06-21", "--lake", lakeDir, ...extra]);
    const noLeftovers = async () => {
      const names = await exists(table)
        ? [...Deno.readDirSync(table)].map((e) => e.name).filter((n) => n.startsWith("."))
        : [];
      assert.deepEqual(names, []);
    };
    const cases: [string, string, RegExp][] = [
      [good, rows.split("\n")[0] + "\n", /o\.csv: ends after line 1, but .*m\.csv has more/],
      [good.split("\n")[0] + "\n", rows, /o\.csv: line 2 has no message: .*m\.csv ends after/],
      [good + "34200.3,1,13,1x0,1000000,1\n", rows + rows, /m\.csv: line 3, column 4/],
      [good + "34200.3,1,13,0,1000000,1\n", rows + rows, /m\.csv: line 3: column 4: size/],
      [good + "34200.3,1,13,10\n", rows + rows, /m\.csv: line 3: expected 6 columns, got 4/],
      [good, "1000100,50,1000000\n", /o\.csv: line 1: expected 4 × levels columns, got 3/],
    ];
    for (const [mt, ot, want] of cases) {
      await Deno.writeTextFile(m, mt);
      await Deno.writeTextFile(o, ot);
      const { code, err } = await run();
      assert.equal(code, 1, err);
      assert.match(err, want);
      assert.equal(await exists(part), false);
      await noLeftovers();
    }
    // missing file
    await Deno.remove(m);
    let res = await run();
    assert.equal(res.code, 1);
    assert.match(res.err, /m\.csv: cannot read/);
    assert.equal(await exists(part), false);
    // bad arguments
    assert.equal((await cli(["import", o])).code, 2);
    assert.equal((await cli(["import", o, o, "--out", "x"])).code, 2);
    assert.equal((await cli(["import", o, o, "--dt", "21/06/2012"])).code, 2);
    // a good import, then a failing --overwrite keeps the complete partition untouched
    await Deno.writeTextFile(m, good);
    await Deno.writeTextFile(o, rows);
    res = await run();
    assert.equal(res.code, 0, res.err);
    // row 0 with message 0 undone is an empty book: the snapshot is a lone R, then two adds
    assert.deepEqual([JSON.parse(res.out).rows, JSON.parse(res.out).skipped], [3, false]);
    const before = await Deno.readTextFile(`${part}/_MANIFEST.json`);
    res = await run(); // complete: skipped without --overwrite
    assert.equal(res.code, 0);
    assert.equal(JSON.parse(res.out).skipped, true);
    assert.match(res.err, /already complete; --overwrite rewrites it/);
    await Deno.writeTextFile(o, rows + rows);
    res = await run("--overwrite");
    assert.equal(res.code, 1);
    assert.equal(await Deno.readTextFile(`${part}/_MANIFEST.json`), before);
    await noLeftovers();
  } finally {
    release();
  }
});

/** The levels of a LOBSTER row strictly inside its visible window: [side, price, size]. */
function insideLevels(row: number[]): string[] {
  const out: string[] = [];
  for (const off of [0, 2]) {
    const prices: [number, number][] = [];
    for (let k = 0; 4 * k < row.length; k++) {
      const p = row[4 * k + off];
      if (Math.abs(p) !== 9999999999) prices.push([p, row[4 * k + off + 1]]);
    }
    prices.slice(0, -1).forEach(([p, s]) => out.push(`${off === 0 ? "A" : "B"} ${p} ${s}`));
  }
  return out;
}

/** Engine columns of a bronze batch read back from the lake (64-bit columns reinterpreted). */
function engineColumns(c: Record<string, unknown>, n: number): MboColumnsLike {
  const long = (k: string) => c[k] as BigInt64Array;
  const u64 = (k: string) => new BigUint64Array(long(k).buffer, long(k).byteOffset, n);
  const narrow = <T extends Uint8Array | Uint16Array | Uint32Array>(k: string, out: T): T => {
    long(k).forEach((v, i) => (out[i] = Number(v)));
    return out;
  };
  const ascii = (k: string) => {
    const d = c[k] as DictColumn;
    return Uint8Array.from(d.codes, (code) => d.values[code].charCodeAt(0));
  };
  return {
    length: n,
    publisher_id: narrow("publisher_id", new Uint16Array(n)),
    instrument_id: narrow("instrument_id", new Uint32Array(n)),
    ts_event: u64("ts_event"),
    ts_recv: u64("ts_recv"),
    order_id: u64("order_id"),
    price: long("price"),
    size: narrow("size", new Uint32Array(n)),
    flags: narrow("flags", new Uint8Array(n)),
    action: ascii("action"),
    side: ascii("side"),
    sequence: narrow("sequence", new Uint32Array(n)),
  };
}

/** Message rows of the raw file text, split on commas (independent of the SDK's parser). */
async function rawMessages(path: string): Promise<string[][]> {
  const file = (await Deno.open(path)).readable;
  const text = await new Response(
    path.endsWith(".gz") ? file.pipeThrough(new DecompressionStream("gzip")) : file,
  ).text();
  return text.trim().split("\n").map((l) => l.trim().split(","));
}

/**
 * Imports a fixture pair, reads the partition back from the lake and checks it against the
 * answer key: row counts, actions, traded volume, fills, and the end-of-file book.
 */
async function checkImport(
  lake: Lake,
  symbol: string,
  messages: string,
  orderbook: string,
  key: { types: Record<string, number>; firstRow: string; firstMessage: string; lastRow: string },
) {
  const r = await importLobster(fixturePath(messages), fixturePath(orderbook), {
    lake,
    symbol,
    dt: "2012-06-21",
  });
  const man = await readManifest(r.dir);
  const stats = man.stats as Record<string, number>;
  // expected rows: snapshot (R + one A per level of row 0 with message 0 undone), plus 1 row
  // per message (3 for a visible execution T + F + C), plus the re-seeding of levels coming
  // into view and the extra C (F + C) when an unknown order's size spans several seeded orders
  const row0 = key.firstRow.split(",").map(Number);
  const [, type0, , size0, price0] = key.firstMessage.split(",").map(Number);
  let levels0 = row0.filter((v, i) => i % 2 === 0 && Math.abs(v) !== 9999999999).length;
  if (type0 === 1 && row0.some((v, i) => i % 2 === 0 && v === price0 && row0[i + 1] === size0)) {
    levels0--; // message 0 created a level (AAPL)
  } else if (type0 >= 2 && type0 <= 4 && !row0.some((v, i) => i % 2 === 0 && v === price0)) {
    levels0++; // message 0 emptied a level
  }
  const snapshotRows = 1 + levels0;
  const t = key.types;
  const perMessage = t["1"] + (t["2"] ?? 0) + t["3"] + 3 * t["4"] + t["5"];
  assert.equal(stats.snapshot_records, snapshotRows);
  assert.equal(
    r.rows,
    snapshotRows + perMessage + stats.reseed_records + stats.unknown_extra_records,
  );
  assert.ok(stats.reseed_records < 0.15 * r.rows, `${stats.reseed_records} re-seeding rows`);
  assert.deepEqual(man.stats.types, t);
  assert.equal(man.row_count, r.rows);
  assert.equal(
    (await readTable(lake, LOBSTER_DATASET, { symbol, dt: "2012-06-21", source: "lobster" }))
      .numRows,
    r.rows,
  );

  // the raw text: traded volume (types 4 and 5) and visible executed volume (type 4)
  const raw = await rawMessages(fixturePath(messages));
  const sum = (types: string[]) =>
    raw.filter((f) => types.includes(f[1])).reduce((a, f) => a + Number(f[3]), 0);
  const volume = sum(["4", "5"]), visible = sum(["4"]);
  const [hh, frac] = raw[raw.length - 1][0].split(".");
  const lastTs = utcNs(`2012-06-21T04:00:00Z`) + BigInt(hh) * 1_000_000_000n +
    BigInt((frac ?? "").padEnd(9, "0"));

  // replay what the lake gives back
  let filled = 0, snapshotFlags = 0, trades = 0, realAdds = 0, rows = 0;
  let maxTs = 0n;
  const books = new OrderBooks({
    observer: {
      depth(_b, _s, _p, kind, qty) {
        if (kind === DepthChange.FILL) filled += qty;
      },
    },
  });
  for await (
    const b of readBatches(lake, LOBSTER_DATASET, { symbol, dt: "2012-06-21", source: "lobster" })
  ) {
    const c = engineColumns(b.columns, b.length);
    for (let i = 0; i < b.length; i++) {
      if (c.flags[i] & 32) snapshotFlags++;
      if (c.action[i] === 0x54) trades++;
      if (c.action[i] === 0x41 && c.order_id[i] < SYN && !(c.flags[i] & 32)) realAdds++;
      if (c.ts_event[i] > maxTs) maxTs = c.ts_event[i];
    }
    rows += b.length;
    books.applyBatch(c);
  }
  assert.equal(rows, r.rows);
  assert.equal(snapshotFlags, snapshotRows);
  assert.equal(trades, t["4"] + t["5"]);
  assert.equal(realAdds, t["1"]);
  assert.equal(maxTs, lastTs);
  const [book] = books.books();
  assert.equal(books.books().length, 1);
  assert.equal(book.volume.total, volume);
  assert.equal(filled, visible); // every visible execution is a fill (F then C), none a pull
  assert.deepEqual(Object.values(book.anomalies).filter((v) => v !== 0), []);
  // LOBSTER's true book at the end of the file, strictly inside the visible window
  const want = insideLevels(key.lastRow.split(",").map(Number));
  const last = key.lastRow.split(",").map(Number);
  const edge = (off: number) => {
    const ps = last.filter((v, i) => i % 4 === off && Math.abs(v) !== 9999999999);
    return ps[ps.length - 1];
  };
  const got: string[] = [];
  book.forEachLevel("A", (p, s) => {
    if (p / 1e5 >= edge(0)) return false;
    got.push(`A ${p / 1e5} ${s}`);
  });
  book.forEachLevel("B", (p, s) => {
    if (p / 1e5 <= edge(2)) return false;
    got.push(`B ${p / 1e5} ${s}`);
  });
  assert.deepEqual(got, want);
  return { r, man, volume };
}

Deno.test({
  name: "GOOG level 10, full day → bronze: rows, trades, fills and the end-of-file book",
  ignore: skipUnlessFixtures(GOOG_M, GOOG_O, SUMMARY),
  fn: async () => {
    const release = holdParquetWorkers();
    try {
      const summary = JSON.parse(await Deno.readTextFile(fixturePath(SUMMARY))).GOOG_L10;
      const lake = await openLake(await Deno.makeTempDir({ dir: TMP }));
      const { r, man, volume } = await checkImport(lake, "GOOG", GOOG_M, GOOG_O, {
        types: summary.types,
        firstRow: summary.first_orderbook_row,
        firstMessage: summary.first_message,
        lastRow: summary.last_orderbook_row,
      });
      assert.equal(man.stats.messages, summary.rows); // 147,916
      assert.equal(man.stats.volume, volume);
      assert.deepEqual(man.stats.halts, []);
      assert.deepEqual(man.inputs.map((i) => "sha256" in i && i.sha256), [
        await sha256(fixturePath(GOOG_M)),
        await sha256(fixturePath(GOOG_O)),
      ]);
      assert.equal(r.stats!.unknownUnmatched, 0);
    } finally {
      release();
    }
  },
});

Deno.test({
  name: "AAPL level 10 extract → bronze (README counts), every row validated",
  ignore: skipUnlessFixtures(AAPL_M, AAPL_O),
  fn: async () => {
    const release = holdParquetWorkers();
    try {
      const lake = await openLake(await Deno.makeTempDir({ dir: TMP }), { validateEvery: 1 });
      const text = (await Deno.readTextFile(fixturePath(AAPL_O))).trim().split("\n");
      const msgs = (await Deno.readTextFile(fixturePath(AAPL_M))).trim().split("\n");
      // README.md, "AAPL L10 first 999": 471 / 0 / 369 / 98 / 61 of types 1 to 5
      const { r } = await checkImport(lake, "AAPL", AAPL_M, AAPL_O, {
        types: { "1": 471, "3": 369, "4": 98, "5": 61 },
        firstRow: text[0].trim(),
        firstMessage: msgs[0].trim(),
        lastRow: text[text.length - 1].trim(),
      });
      assert.equal(r.stats!.messages, 999);
    } finally {
      release();
    }
  },
});

/** A LOBSTER pair as files: plain / gzip fixtures, or members of a sample zip extracted to TMP. */
async function pairFiles(p: { zip?: string; m: string; o: string }): Promise<[string, string]> {
  if (!p.zip) return [fixturePath(p.m), fixturePath(p.o)];
  const dir = await Deno.makeTempDir({ dir: TMP });
  const out: string[] = [];
  for (const name of [p.m, p.o]) {
    await Deno.writeFile(`${dir}/${name}`, await readZipMember(fixturePath(p.zip), name));
    out.push(`${dir}/${name}`);
  }
  return [out[0], out[1]];
}

/** Orderbook rows from the raw text (independent of the SDK's parser). */
async function truthRows(path: string): Promise<number[][]> {
  const file = (await Deno.open(path)).readable;
  const text = await new Response(
    path.endsWith(".gz") ? file.pipeThrough(new DecompressionStream("gzip")) : file,
  ).text();
  return text.trim().split("\n").map((l) => l.trim().split(",").map(Number));
}

const LOBSTER_PAIRS: { name: string; zip?: string; m: string; o: string }[] = [
  { name: "GOOG level 10", m: GOOG_M, o: GOOG_O },
  { name: "AAPL level 10 extract", m: AAPL_M, o: AAPL_O },
  ...[["GOOG", 1], ["GOOG", 5], ["AAPL", 1]].map(([t, l]) => ({
    name: `${t} level ${l}`,
    zip: `${DIR}LOBSTER_SampleFile_${t}_2012-06-21_${l}.zip`,
    m: `${t}_2012-06-21_34200000_57600000_message_${l}.csv`,
    o: `${t}_2012-06-21_34200000_57600000_orderbook_${l}.csv`,
  })),
];

for (const pair of LOBSTER_PAIRS) {
  Deno.test({
    name:
      `${pair.name}: the imported MBO stream reproduces every level of LOBSTER's book after every message`,
    ignore: skipUnlessFixtures(...(pair.zip ? [pair.zip] : [pair.m, pair.o])),
    fn: async () => {
      const release = holdParquetWorkers();
      try {
        const [m, o] = await pairFiles(pair);
        const truth = await truthRows(o);
        const levels = truth[0].length / 4;
        const lake = await openLake(await Deno.makeTempDir({ dir: TMP }));
        const symbol = pair.name.slice(0, 4);
        const r = await importLobster(m, o, { lake, symbol, dt: "2012-06-21" });
        const halts = (r.stats!.halts ?? []).length;
        // replay the partition read back from the lake; after every F_LAST that ends a message's
        // group, the book's top `levels` levels must be LOBSTER's row for that message (sequence)
        const books = new OrderBooks();
        let compared = 0, bad = 0;
        let first = "";
        const row = new Array<number>(4 * levels);
        for await (const b of readBatches(lake, LOBSTER_DATASET, { symbol, dt: "2012-06-21" })) {
          const c = engineColumns(b.columns, b.length);
          let from = 0;
          for (let i = 0; i < b.length; i++) {
            if ((c.flags[i] & 128) === 0) continue;
            books.applyBatch(c, from, i + 1);
            from = i + 1;
            if (c.flags[i] & 32) continue; // the initial snapshot
            const book = books.book(c.instrument_id[i], c.publisher_id[i])!;
            const asks = book.levels("A", levels), bids = book.levels("B", levels);
            for (let k = 0; k < levels; k++) {
              row[4 * k] = asks[k] ? asks[k].price / 1e5 : 9999999999;
              row[4 * k + 1] = asks[k]?.size ?? 0;
              row[4 * k + 2] = bids[k] ? bids[k].price / 1e5 : -9999999999;
              row[4 * k + 3] = bids[k]?.size ?? 0;
            }
            const want = truth[c.sequence[i]];
            compared++;
            if (row.some((v, j) => v !== want[j])) {
              if (bad++ === 0) {
                first = `message ${c.sequence[i]} (line ${c.sequence[i] + 1}): imported ` +
                  `${row.join(",")}, LOBSTER ${want.join(",")}`;
              }
            }
          }
          books.applyBatch(c, from, b.length);
        }
        assert.equal(bad, 0, `${bad} of ${compared} messages differ; first: ${first}`);
        assert.equal(compared, truth.length - halts); // every message but halts ends a group
      } finally {
        release();
      }
    },
  });
}

Deno.test({
  name:
    "any ticker: a GOOG import runs through equity silver (equity_defaults), best prices = LOBSTER's",
  ignore: skipUnlessFixtures(GOOG_M, GOOG_O),
  fn: async () => {
    const release = holdParquetWorkers();
    try {
      const root = await Deno.makeTempDir({ dir: TMP });
      const lake = await openLake(root);
      await importLobster(fixturePath(GOOG_M), fixturePath(GOOG_O), { lake });
      const run = await runPipeline({
        productType: "equity_mbo",
        layer: "silver",
        symbol: "GOOG",
        dates: ["2012-06-21"],
        lakeRoot: root,
        registry: new StageRegistry().register(...SILVER_STAGES),
      });
      for (const t of run.tasks) assert.ok(t.ok, t.error);
      // LOBSTER's book at each window end: the row of the last message before it
      const times = (await rawMessages(fixturePath(GOOG_M))).map((f) => {
        const [s, frac = ""] = f[0].split(".");
        return BigInt(s) * 1_000_000_000n + BigInt(frac.padEnd(9, "0"));
      });
      const truth = await truthRows(fixturePath(GOOG_O));
      const midnight = utcNs("2012-06-21T04:00:00Z");
      const t = await readTable(lake, "silver.equity_mbo.book_snapshot_1s", {
        symbol: "GOOG",
        dt: "2012-06-21",
      });
      const ends = t.getChild("window_end_ts_ns")!, bid = t.getChild("best_bid_price_int")!;
      const ask = t.getChild("best_ask_price_int")!;
      const px = (v: bigint | null) => (v === null ? null : Number(v) / 1e5);
      let m = -1, compared = 0;
      for (let i = 0; i < t.numRows; i++) {
        const local = (ends.get(i) as bigint) - midnight;
        while (m + 1 < times.length && times[m + 1] < local) m++;
        if (m < 0) continue;
        const row = truth[m];
        assert.deepEqual(
          [px(bid.get(i)), px(ask.get(i))],
          [row[2] === -9999999999 ? null : row[2], row[0] === 9999999999 ? null : row[0]],
          `window ending ${local} ns after midnight (message ${m})`,
        );
        compared++;
      }
      assert.ok(compared > 23_000, `${compared} windows compared`);
    } finally {
      release();
    }
  },
});
