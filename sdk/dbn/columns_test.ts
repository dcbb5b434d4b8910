// The columnar view against the object view (two independent decoding paths: typed-array fills
// vs the layout-table codec) on the fixtures and on real Databento files, with the counts that the
// real files' README states.
import assert from "node:assert/strict";
import {
  Action,
  type Cmbp1Columns,
  cmbp1Row,
  type DbnRecord,
  type DecodeOptions,
  Flags,
  type MboColumns,
  mboRow,
  type Mbp1Msg,
  openDbn,
  readDbn,
  Side,
  type TradeMsg,
  words,
} from "./mod.ts";
import { fixturePath, skipUnlessFixtures } from "../testing/fixtures.ts";
import { blocksOf, loadExpected, recordMismatches } from "../testing/dbn_expected.ts";

const REAL = "real/databento";
const ESH4_25 = `${REAL}/esh4-glbx-mdp3-20231225.mbo.dbn.zst`;
const ESH4_24 = `${REAL}/esh4-glbx-mdp3-20231224.mbo.dbn.zst`;
const BOOKS = `${REAL}/orderbooks_mbo_2024-05-08T00-00-00_2024-05-08T00-00-02.dbn.zst`;
const MBP1 = `${REAL}/futures_mbp-1_2024-07-01T23-58_2024-07-02T00-02.dbn.zst`;
const TRADES = `${REAL}/futures_trades_2024-07-01T23-58_2024-07-02T00-02.dbn.zst`;
const DEFS = [
  `${REAL}/definition-glbx-es-fut.dbn.zst`,
  `${REAL}/futures_definition.dbn.zst`,
  `${REAL}/orderbooks_definition.dbn.zst`,
];

/** Every record of a file twice: from the columnar batches (as rows) and from records(). */
async function bothViews(
  path: string,
  options: DecodeOptions = {},
): Promise<{ fromColumns: DbnRecord[]; objects: DbnRecord[]; kinds: Set<string> }> {
  const fromColumns: DbnRecord[] = [];
  const kinds = new Set<string>();
  const reader = await openDbn(path, options);
  for await (const b of reader.batches()) {
    kinds.add(b.kind);
    if (b.kind === "mbo") {
      for (let i = 0; i < b.columns.length; i++) fromColumns.push(mboRow(b.columns, i));
    } else if (b.kind === "cmbp1") {
      for (let i = 0; i < b.columns.length; i++) fromColumns.push(cmbp1Row(b.columns, i));
    } else fromColumns.push(...b.records);
  }
  const { records: objects } = await readDbn(path, options);
  return { fromColumns, objects, kinds };
}

Deno.test({
  name: "columns: MBO and CMBP-1 fixtures give the same records as the object view and EXPECTED.md",
  ignore: skipUnlessFixtures("dbn/EXPECTED.md"),
  fn: async () => {
    const doc = await loadExpected(fixturePath("dbn/EXPECTED.md"));
    const cases: [string, string[], string][] = [
      ["2.1 ", [
        "test_data.mbo.v1.dbn.zst",
        "test_data.mbo.v2.dbn.zst",
        "test_data.mbo.v3.dbn",
        "test_data.mbo.v3.dbn.zst",
      ], "mbo"],
      ["2.3 ", ["test_data.cmbp-1.v2.dbn.zst", "test_data.cmbp-1.v3.dbn.zst"], "cmbp1"],
    ];
    for (const [section, files, kind] of cases) {
      const expected = blocksOf(doc, section);
      for (const file of files) {
        const { fromColumns, objects, kinds } = await bothViews(fixturePath(`dbn/${file}`));
        assert.deepEqual([...kinds], [kind], file);
        assert.deepEqual(fromColumns, objects, file);
        fromColumns.forEach((r, i) => assert.deepEqual(recordMismatches(r, expected[i]), [], file));
      }
    }
    // Direct column reads, and the 32-bit word view of 64-bit columns.
    const reader = await openDbn(fixturePath("dbn/test_data.mbo.v3.dbn"));
    for await (const b of reader.batches()) {
      assert.equal(b.kind, "mbo");
      const c = (b as { columns: MboColumns }).columns;
      assert.equal(b.offset, 360);
      assert.deepEqual([...c.order_id], [647784973705n, 647784973631n]);
      assert.deepEqual([...c.price], [3722750000000n, 3723000000000n]);
      assert.deepEqual([...c.action], [Action.CANCEL, Action.CANCEL]);
      assert.deepEqual([...c.side], [Side.ASK, Side.ASK]);
      assert.deepEqual([...c.flags], [Flags.LAST, Flags.LAST]);
      const w = words(c.price);
      assert.equal(w[1] * 4294967296 + w[0], 3722750000000);
    }
    const cm = await openDbn(fixturePath("dbn/test_data.cmbp-1.v3.dbn.zst"));
    for await (const b of cm.batches()) {
      const c = (b as { columns: Cmbp1Columns }).columns;
      assert.deepEqual([...c.rtype], [0xb1, 0xb1]);
      assert.deepEqual([...c.ask_sz], [11, 12]);
      assert.deepEqual([...c.bid_pb], [1, 1]);
    }
  },
});

interface MboTally {
  n: number;
  actions: Record<string, number>;
  last: number;
  snapshot: number;
  sideN: number;
  tradeSize: Record<string, number>;
  fillSize: Record<string, number>;
  recvMonotonic: boolean;
  lastTsEvent: bigint;
  lastTsRecv: bigint;
  lastSequence: number;
  instruments: Set<number>;
  batches: number;
}

async function tallyMbo(
  path: string,
  batchRecords?: number,
  reuseBatches?: boolean,
): Promise<MboTally> {
  const t: MboTally = {
    n: 0,
    actions: {},
    last: 0,
    snapshot: 0,
    sideN: 0,
    tradeSize: {},
    fillSize: {},
    recvMonotonic: true,
    lastTsEvent: 0n,
    lastTsRecv: 0n,
    lastSequence: 0,
    instruments: new Set(),
    batches: 0,
  };
  let prevRecv = 0n;
  const reader = await openDbn(path, { batchRecords, reuseBatches });
  for await (const b of reader.batches()) {
    assert.equal(b.kind, "mbo");
    const c = (b as { columns: MboColumns }).columns;
    t.batches++;
    for (let i = 0; i < c.length; i++) {
      const a = String.fromCharCode(c.action[i]);
      const s = String.fromCharCode(c.side[i]);
      t.actions[a] = (t.actions[a] ?? 0) + 1;
      if (c.flags[i] & Flags.LAST) t.last++;
      if (c.flags[i] & Flags.SNAPSHOT) t.snapshot++;
      if (c.side[i] === Side.NONE) t.sideN++;
      if (a === "T") t.tradeSize[s] = (t.tradeSize[s] ?? 0) + c.size[i];
      if (a === "F") t.fillSize[s] = (t.fillSize[s] ?? 0) + c.size[i];
      if (c.ts_recv[i] < prevRecv) t.recvMonotonic = false;
      prevRecv = c.ts_recv[i];
      t.instruments.add(c.instrument_id[i]);
    }
    t.n += c.length;
    t.lastTsEvent = c.ts_event[c.length - 1];
    t.lastTsRecv = c.ts_recv[c.length - 1];
    t.lastSequence = c.sequence[c.length - 1];
  }
  return t;
}

Deno.test({
  name: "real ESH4 MBO files: counts of the README, columns equal objects, batching invariant",
  ignore: skipUnlessFixtures(ESH4_24, ESH4_25, BOOKS, `${REAL}/expected_book_end.json`),
  fn: async () => {
    const end = JSON.parse(
      await Deno.readTextFile(fixturePath(`${REAL}/expected_book_end.json`)),
      exactInts as (k: string, v: unknown) => unknown,
    );
    const t = await tallyMbo(fixturePath(ESH4_25));
    assert.equal(t.n, 68_792);
    assert.deepEqual(t.actions, { A: 29_216, C: 17_999, M: 12_233, T: 2_973, F: 6_371 });
    assert.equal(t.last, 47_022);
    assert.equal(t.sideN, 36);
    assert.deepEqual(t.tradeSize, { B: 5_322, A: 4_526, N: 44 });
    assert.deepEqual(t.fillSize, { A: 5_441, B: 4_672, N: 88 });
    assert.ok(t.recvMonotonic);
    assert.deepEqual([...t.instruments], [17077]);
    const e25 = end["esh4-glbx-mdp3-20231225.mbo.dbn.zst"];
    assert.equal(t.lastTsEvent, e25.last_ts_event);
    assert.equal(t.lastTsRecv, 1703548799446821072n); // README: Nautilus' ts_last
    assert.equal(t.lastSequence, e25.last_sequence);

    // Small batches give the same tallies.
    const small = await tallyMbo(fixturePath(ESH4_25), 1000);
    assert.equal(small.batches, 69);
    assert.deepEqual({ ...small, batches: 0 }, { ...t, batches: 0 });
    // Reused batch memory (two alternating buffers) gives the same tallies too.
    const reused = await tallyMbo(fixturePath(ESH4_25), 1000, true);
    assert.equal(reused.batches, 69);
    assert.deepEqual({ ...reused, batches: 0 }, { ...t, batches: 0 });

    const t24 = await tallyMbo(fixturePath(ESH4_24));
    assert.equal(t24.n, 8_725);
    assert.deepEqual(t24.actions, { A: 8_725 });
    assert.equal(t24.snapshot, 8_725);
    assert.equal(t24.last, 1);
    const e24 = end["esh4-glbx-mdp3-20231224.mbo.dbn.zst"];
    assert.equal(t24.lastTsRecv, e24.last_ts_recv);
    assert.equal(t24.lastSequence, e24.last_sequence);

    const tb = await tallyMbo(fixturePath(BOOKS));
    assert.equal(tb.n, 13_796);
    assert.deepEqual(tb.actions, { R: 1, A: 13_600 + 78, C: 80, M: 27, T: 5, F: 5 });
    const eb = end["orderbooks_mbo_2024-05-08T00-00-00_2024-05-08T00-00-02.dbn.zst"];
    assert.equal(tb.lastTsRecv, eb.last_ts_recv);
    assert.equal(tb.lastSequence, eb.last_sequence);

    for (const f of [ESH4_25, ESH4_24, BOOKS]) {
      const { fromColumns, objects } = await bothViews(fixturePath(f), { batchRecords: 4096 });
      assert.equal(fromColumns.length, objects.length);
      for (let i = 0; i < objects.length; i++) {
        if (JSON.stringify(fromColumns[i], big) !== JSON.stringify(objects[i], big)) {
          assert.deepEqual(fromColumns[i], objects[i], `${f} record ${i}`);
        }
      }
      const meta = (await openDbn(fixturePath(f))).metadata!;
      assert.equal(meta.schema, "mbo");
      assert.equal(meta.dataset, "GLBX.MDP3");
    }
  },
});

/** JSON reviver keeping integers beyond 2^53 exact (as bigint, from their source text). */
function exactInts(_k: string, v: unknown, ctx?: { source?: string }): unknown {
  return typeof v === "number" && !Number.isSafeInteger(v) && /^\d+$/.test(ctx?.source ?? "")
    ? BigInt(ctx!.source!)
    : v;
}

const big = (_k: string, v: unknown): unknown => typeof v === "bigint" ? `${v}n` : v;

Deno.test({
  name: "real MBP-1, trades and definitions: counts, last BBO, trades identical to MBP-1 T rows",
  ignore: skipUnlessFixtures(MBP1, TRADES, ...DEFS),
  fn: async () => {
    const mbp = (await readDbn(fixturePath(MBP1))).records as Mbp1Msg[];
    assert.equal(mbp.length, 2_288);
    const actions: Record<string, number> = {};
    for (const r of mbp) {
      actions[r.action] = (actions[r.action] ?? 0) + 1;
      assert.equal(r.instrument_id, 118);
      const l = r.levels[0];
      assert.ok(l.bid_px < l.ask_px, "never crossed or locked");
    }
    assert.deepEqual(actions, { A: 1_061, C: 989, M: 118, T: 120 });
    const lastBbo = mbp[mbp.length - 1].levels[0];
    assert.deepEqual(
      [lastBbo.bid_px, lastBbo.bid_sz, lastBbo.ask_px, lastBbo.ask_sz],
      [5_529_000_000_000n, 24, 5_529_250_000_000n, 6],
    );
    const trades = (await readDbn(fixturePath(TRADES))).records as TradeMsg[];
    assert.equal(trades.length, 120);
    assert.equal(trades.reduce((s, r) => s + r.size, 0), 253);
    const key = (r: TradeMsg) => [r.ts_event, r.price, r.size, r.side, r.sequence];
    assert.deepEqual(trades.map(key), mbp.filter((r) => r.action === "T").map(key));

    const symbols = new Set<string>();
    for (const f of DEFS) {
      const { metadata, records } = await readDbn(fixturePath(f));
      assert.equal(metadata?.schema, "definition");
      assert.ok(records.length >= 1 && records.length <= 2, f);
      for (const r of records) {
        assert.equal(r.rtype, 0x13);
        const d = r as unknown as { raw_symbol: string; instrument_class: string };
        assert.equal(d.instrument_class, "F");
        symbols.add(d.raw_symbol);
      }
    }
    assert.deepEqual([...symbols].sort(), ["ESM3", "ESM4", "ESU4", "NQU4"]);
  },
});
