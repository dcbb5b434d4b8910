// Bronze rules on hand-built DBN files: every value asserted below is chosen by hand here.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type Cmbp1Msg,
  type DbnRecord,
  encodeDbn,
  instrumentDefDefaults,
  type InstrumentDefMsg,
  type MboMsg,
  type Metadata,
  UNDEF_PRICE,
  UNDEF_TIMESTAMP,
} from "../dbn/mod.ts";
import { datasetSpec } from "../lake/datasets.ts";
import type { Lake } from "../lake/lake.ts";
import { type Manifest, readManifest } from "../lake/manifest.ts";
import { partitionDir, tableDir } from "../lake/paths.ts";
import { readBatches } from "../lake/reader.ts";
import { rawSpec } from "../lake/datasets.ts";
import type { ProductType } from "../pipeline/registry.ts";
import { runPipeline, type RunResult } from "../pipeline/runner.ts";
import { parseOpraSymbol } from "./opra.ts";
import { newYorkDate, sessionWindow } from "./session.ts";
import { ingestCmbp1 } from "./cmbp1.ts";
import { withScratchLake } from "../testing/scratch_lake.ts";

const S = 1_000_000_000n;
/** ns of `iso` (UTC). */
const ns = (iso: string, plusNs = 0n) => BigInt(Date.parse(iso)) * 1_000_000n + plusNs;

function metadata(
  dataset: string,
  schema: "mbo" | "cmbp-1" | "definition",
  dt: string,
  symbols: Record<number, string>,
): Metadata {
  const next = new Date(Date.parse(`${dt}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return {
    version: 3,
    dataset,
    schema,
    start: ns(`${dt}T00:00:00Z`),
    end: null,
    limit: 0n,
    stype_in: "raw_symbol",
    stype_out: "instrument_id",
    ts_out: false,
    symbol_cstr_len: 71,
    symbols: Object.values(symbols),
    partial: [],
    not_found: [],
    mappings: Object.entries(symbols).map(([id, raw]) => ({
      raw_symbol: raw,
      intervals: [{ start_date: dt, end_date: next, symbol: id }],
    })),
  };
}

let seq = 0;
function mbo(
  o: Partial<MboMsg> & { instrument_id: number; ts_event: bigint; action: string },
): MboMsg {
  return {
    rtype: 0xa0,
    length: 14,
    publisher_id: 1,
    order_id: BigInt(++seq),
    price: 21_000_000_000_000n,
    size: 1,
    flags: 128,
    channel_id: 0,
    side: "B",
    ts_recv: o.ts_event + 1000n,
    ts_in_delta: 0,
    sequence: seq,
    ...o,
  };
}

/** Writes `recs` as the raw DBN file `name` of raw input `key` for `symbol`; returns its path. */
async function writeDbn(
  lake: Lake,
  key: string,
  symbol: string,
  name: string,
  md: Metadata,
  recs: DbnRecord[],
): Promise<string> {
  const dir = tableDir(lake.root, rawSpec(lake.config, key), symbol, "databento");
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await Deno.writeFile(path, encodeDbn(md, recs));
  return path;
}

/** Runs the bronze layer of `productType` on `dates` (every row validated); no task may fail. */
async function bronze(
  lake: Lake,
  productType: ProductType,
  symbol: string,
  dates: string[],
  overwrite = false,
): Promise<RunResult> {
  const r = await runPipeline({
    productType,
    layer: "bronze",
    symbol,
    dates,
    lakeRoot: lake.root,
    validateEvery: 1,
    overwrite,
  });
  assert.equal(r.failed, 0, r.tasks.find((t) => t.error)?.error);
  return r;
}

/** The manifest of a partition. */
async function manifest(lake: Lake, ds: string, symbol: string, dt: string): Promise<Manifest> {
  return await readManifest(
    partitionDir(lake.root, datasetSpec(lake.config, ds), { symbol, dt, source: "databento" }),
  );
}

type Row = Record<string, unknown>;
async function rows(lake: Lake, ds: string, symbol: string, dt: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of readBatches(lake, ds, { symbol, dt, source: "databento" })) {
    for (let i = 0; i < b.length; i++) {
      const r: Row = {};
      for (const [k, c] of Object.entries(b.columns)) {
        r[k] = "codes" in c ? c.values[c.codes[i]] : (c as ArrayLike<unknown>)[i];
      }
      out.push(r);
    }
  }
  return out;
}

Deno.test("session windows and time-zone helpers (hand-computed)", () => {
  // futures: the UTC day; equities: 07:00-21:00 UTC in winter and in summer (fixed UTC-5)
  assert.deepStrictEqual(sessionWindow("2026-02-06", "future_mbo"), [
    1770336000n * S,
    1770422400n * S,
  ]);
  assert.deepStrictEqual(sessionWindow("2026-02-06", "equity_mbo"), [
    (1770336000n + 7n * 3600n) * S,
    (1770336000n + 21n * 3600n) * S,
  ]);
  assert.deepStrictEqual(sessionWindow("2026-07-06", "equity_option_cmbp_1"), [
    ns("2026-07-06T07:00:00Z"),
    ns("2026-07-06T21:00:00Z"),
  ]);
  assert.equal(newYorkDate(ns("2026-02-07T02:00:00Z")), "2026-02-06"); // 21:00 EST
  assert.equal(newYorkDate(ns("2026-07-07T03:59:59Z")), "2026-07-06"); // 23:59:59 EDT
  assert.equal(newYorkDate(ns("2026-07-07T04:00:00Z")), "2026-07-07");
});

Deno.test("OPRA symbols (pipeline.md §2.4 layout)", () => {
  assert.deepStrictEqual(parseOpraSymbol("QQQ   260105P00626000"), {
    underlying: "QQQ",
    expirationDate: "2026-01-05",
    expiration: ns("2026-01-05T00:00:00Z"),
    right: "P",
    strike: 626_000_000_000n,
  });
  assert.equal(parseOpraSymbol("SPY   260206C00600500")!.strike, 600_500_000_000n);
  assert.equal(parseOpraSymbol("QQQ   260105P0062600X")!.strike, 0n); // non-numeric strike → 0
  assert.equal(parseOpraSymbol("QQQ   260230P00626000"), null); // no Feb 30
  assert.equal(parseOpraSymbol("QQQ   260105X00626000"), null);
  assert.equal(parseOpraSymbol("QQQ"), null);
});

Deno.test(
  "future_mbo bronze: window, exemptions, rejects, spreads, file order, one partition per contract",
  withScratchLake(async (lake) => {
    const dt = "2026-02-06";
    const day = ns("2026-02-06T00:00:00Z"), end = ns("2026-02-07T00:00:00Z");
    const H6 = 1, M6 = 2, SPREAD = 3;
    const snap = day - 60n * S; // snapshot time: the ts_recv of every snapshot record
    const recs: MboMsg[] = [
      /* 0 */ mbo({
        instrument_id: H6,
        ts_event: day - 12n * 3600n * S,
        ts_recv: snap,
        action: "R",
        side: "N",
        price: UNDEF_PRICE,
        flags: 40,
        size: 0,
      }),
      /* 1 */ mbo({
        instrument_id: H6,
        ts_event: day - 72n * 3600n * S,
        ts_recv: snap,
        action: "A",
        flags: 40,
      }),
      /* 2 */ mbo({
        instrument_id: H6,
        ts_event: day - 48n * 3600n * S,
        ts_recv: snap,
        action: "A",
        flags: 40 | 128,
        side: "A",
        price: 21_000_250_000_000n,
      }),
      /* 3 */ mbo({ instrument_id: H6, ts_event: day, action: "A" }), // start is inclusive
      /* 4 */ mbo({ instrument_id: H6, ts_event: end - 1n, action: "A" }),
      /* 5 */ mbo({ instrument_id: H6, ts_event: end, action: "A" }), // end is exclusive
      /* 6 */ mbo({ instrument_id: H6, ts_event: day - 1n, action: "A" }),
      /* 7 */ mbo({ instrument_id: H6, ts_event: day + 10n * S, action: "C", price: UNDEF_PRICE }),
      /* 8 */ mbo({ instrument_id: H6, ts_event: day + 11n * S, action: "A", price: UNDEF_PRICE }),
      /* 9 */ mbo({ instrument_id: H6, ts_event: day + 12n * S, action: "M", price: 0n }),
      /* 10 */ mbo({
        instrument_id: H6,
        ts_event: day + 13n * S,
        action: "A",
        price: -250_000_000n,
      }),
      /* 11 */ mbo({ instrument_id: H6, ts_event: day + 14n * S, action: "M", size: 0 }),
      /* 12 */ mbo({
        instrument_id: H6,
        ts_event: day + 15n * S,
        action: "T",
        price: 0n,
        side: "N",
      }),
      /* 13 */ mbo({
        instrument_id: M6,
        ts_event: day + 16n * S,
        action: "A",
        price: 21_100_000_000_000n,
      }),
      /* 14 */ mbo({ instrument_id: SPREAD, ts_event: day + 17n * S, action: "A" }),
      /* 15 */ mbo({ instrument_id: 99, ts_event: day + 18n * S, action: "A" }),
      /* 16 */ mbo({ instrument_id: H6, ts_event: UNDEF_TIMESTAMP, action: "A", flags: 32 }),
      /* 17 */ mbo({
        instrument_id: H6,
        ts_event: day + 19n * S,
        ts_recv: day,
        action: "F",
        side: "A",
        order_id: 2n ** 63n + 1n,
      }),
    ];
    const md = metadata("GLBX.MDP3", "mbo", dt, {
      [H6]: "MNQH6",
      [M6]: "MNQM6",
      [SPREAD]: "MNQH6-MNQM6",
    });
    await writeDbn(lake, "future_mbo.mbo", "MNQ", "glbx-mdp3-20260206.mbo.dbn", md, recs);
    const r = await bronze(lake, "future_mbo", "MNQ", [dt]);
    assert.deepStrictEqual(r.tasks[0].stages[0].result.symbols, ["MNQH6", "MNQM6"]);

    const h6 = await rows(lake, "bronze.future_mbo.mbo", "MNQH6", dt);
    const kept = [0, 1, 2, 3, 4, 7, 12, 17];
    assert.deepStrictEqual(
      h6.map((x) => x.ts_event),
      kept.map((i) => BigInt.asIntN(64, recs[i].ts_event)),
    );
    assert.deepStrictEqual(h6.map((x) => x.action), ["R", "A", "A", "A", "A", "C", "T", "F"]);
    assert.deepStrictEqual(h6.map((x) => x.side), ["N", "B", "A", "B", "B", "B", "N", "A"]);
    assert.deepStrictEqual(h6.map((x) => x.price), [
      0n,
      21_000_000_000_000n,
      21_000_250_000_000n,
      21_000_000_000_000n,
      21_000_000_000_000n,
      0n,
      0n,
      21_000_000_000_000n,
    ]);
    assert.deepStrictEqual(h6.map((x) => x.symbol), new Array(8).fill("MNQH6"));
    assert.deepStrictEqual(h6.map((x) => x.flags), [40n, 40n, 168n, 128n, 128n, 128n, 128n, 128n]);
    assert.deepStrictEqual(h6.map((x) => x.rtype), new Array(8).fill(160n));
    assert.equal(h6[7].order_id, -(2n ** 63n) + 1n); // u64 2^63+1 kept by bit pattern
    assert.deepStrictEqual(h6.map((x) => x.sequence), kept.map((i) => BigInt(recs[i].sequence)));

    const m6 = await rows(lake, "bronze.future_mbo.mbo", "MNQM6", dt);
    assert.deepStrictEqual(m6.map((x) => [x.symbol, x.price, x.instrument_id]), [[
      "MNQM6",
      21_100_000_000_000n,
      2n,
    ]]);

    const man = await manifest(lake, "bronze.future_mbo.mbo", "MNQH6", dt);
    assert.equal(man.row_count, 8);
    assert.deepStrictEqual(man.rejected, {
      null_timestamp: 1,
      null_price: 1,
      zero_price: 2,
      zero_size: 1,
      negative_values: 0,
    });
    assert.equal(man.rejected_total, 5);
    assert.equal(man.stats.outside_session, 2);
    assert.equal(man.stats.snapshot_records, 3);
    assert.equal(man.stats.clear_records, 1);
    assert.equal(man.stats.null_price_set_to_zero, 2);
    assert.equal(man.stats.ts_recv_decreases, 2); // records 7 (after 4 at end - 1 ns) and 17
    assert.equal(man.stats.spread_symbol, 1);
    assert.equal(man.stats.unmapped_instrument, 1);
    assert.equal(man.stats.records_read, recs.length);
    assert.equal(man.inputs.length, 1);
    assert.equal(man.stage, "bronze_ingest_future_mbo");

    // a second run keeps the complete partitions; --overwrite rewrites them
    const again = await bronze(lake, "future_mbo", "MNQH6", [dt]);
    assert.deepStrictEqual(
      again.tasks[0].stages[0].result.partitions.map((p) => [p.symbol, p.rows, p.skipped]),
      [["MNQH6", 8, true], ["MNQM6", 1, true]],
    );
    const over = await bronze(lake, "future_mbo", "MNQ", [dt], true);
    assert.deepStrictEqual(
      over.tasks[0].stages[0].result.partitions.map((p) => [p.symbol, p.rows, p.skipped]),
      [["MNQH6", 8, false], ["MNQM6", 1, false]],
    );
  }),
);

Deno.test(
  "equity_mbo bronze: 07:00-21:00 UTC in winter and summer",
  withScratchLake(async (lake) => {
    for (const dt of ["2026-02-06", "2026-07-06"]) {
      const t = (hms: string, d = 0n) => ns(`${dt}T${hms}Z`, d);
      const recs = [
        mbo({ instrument_id: 5, ts_event: t("06:59:59", 999_999_999n), action: "A" }),
        mbo({ instrument_id: 5, ts_event: t("07:00:00"), action: "A" }),
        mbo({ instrument_id: 5, ts_event: t("14:30:00"), action: "T", side: "A" }),
        mbo({ instrument_id: 5, ts_event: t("20:59:59", 999_999_999n), action: "C" }),
        mbo({ instrument_id: 5, ts_event: t("21:00:00"), action: "A" }),
      ];
      const md = metadata("XNAS.ITCH", "mbo", dt, { 5: "QQQ" });
      const name = `xnas-itch-${dt.replaceAll("-", "")}.mbo.dbn`;
      await writeDbn(lake, "equity_mbo.mbo", "QQQ", name, md, recs);
    }
    await bronze(lake, "equity_mbo", "QQQ", ["2026-02-06", "2026-07-06"]);
    for (const dt of ["2026-02-06", "2026-07-06"]) {
      const got = await rows(lake, "bronze.equity_mbo.mbo", "QQQ", dt);
      assert.deepStrictEqual(got.map((x) => x.action), ["A", "T", "C"], dt);
      assert.equal(got[0].ts_event, ns(`${dt}T07:00:00Z`));
    }
  }),
);

function def(o: Partial<InstrumentDefMsg>): InstrumentDefMsg {
  return { ...instrumentDefDefaults(), ...o };
}

Deno.test(
  "future_option_mbo bronze: 0DTE from the last definitions (New York date), partitions per underlying",
  withScratchLake(async (lake) => {
    const dt = "2026-02-06";
    const day = ns("2026-02-06T00:00:00Z");
    const t0 = day - 3600n * S;
    const defs = [
      def({
        instrument_id: 10,
        ts_event: t0,
        ts_recv: t0,
        raw_symbol: "MQ1G6 C21000",
        instrument_class: "C",
        underlying: "MNQH6",
        strike_price: 21_000_000_000_000n,
        expiration: ns("2026-02-06T21:00:00Z"),
      }),
      def({
        instrument_id: 11,
        ts_event: t0,
        ts_recv: t0,
        raw_symbol: "MQ1G6 P20900",
        instrument_class: "P",
        underlying: "MNQH6",
        strike_price: 20_900_000_000_000n,
        expiration: ns("2026-02-07T02:00:00Z"),
      }),
      def({
        instrument_id: 12,
        ts_event: t0,
        ts_recv: t0,
        raw_symbol: "MQ2G6 C21000",
        instrument_class: "C",
        underlying: "MNQH6",
        strike_price: 21_000_000_000_000n,
        expiration: ns("2026-02-09T21:00:00Z"),
      }),
      def({
        instrument_id: 13,
        ts_event: t0,
        ts_recv: t0,
        raw_symbol: "MNQH6",
        instrument_class: "F",
        underlying: "",
        expiration: ns("2026-02-06T21:00:00Z"),
      }),
      def({
        instrument_id: 14,
        ts_event: t0,
        ts_recv: t0,
        raw_symbol: "MQ1G6 C21100",
        instrument_class: "C",
        underlying: "MNQM6",
        strike_price: 21_100_000_000_000n,
        expiration: ns("2026-02-06T21:00:00Z"),
      }),
      // a later definition of id 10 changes its strike: the last one wins
      def({
        instrument_id: 10,
        ts_event: t0 + S,
        ts_recv: t0 + S,
        raw_symbol: "MQ1G6 C21005",
        instrument_class: "C",
        underlying: "MNQH6",
        strike_price: 21_005_000_000_000n,
        expiration: ns("2026-02-06T21:00:00Z"),
      }),
    ];
    const defMd = metadata("GLBX.MDP3", "definition", dt, {});
    const defName = "glbx-mdp3-20260206.definition.dbn";
    await writeDbn(lake, "future_option_mbo.definition", "MNQ", defName, defMd, defs);
    // an OPRA definition file of the same date reusing id 10 must not be read (other venue)
    const opraDir = join(
      lake.root,
      "raw/source=databento/dataset=definition/venue=opra/symbol=MNQ",
    );
    await Deno.mkdir(opraDir, { recursive: true });
    await Deno.writeFile(
      join(opraDir, "opra-pillar-20260206.definition.dbn"),
      encodeDbn(metadata("OPRA.PILLAR", "definition", dt, {}), [
        def({
          instrument_id: 10,
          ts_event: t0 + 2n * S,
          ts_recv: t0 + 2n * S,
          raw_symbol: "QQQ   260206C00500000",
          instrument_class: "C",
          underlying: "QQQ",
          strike_price: 500_000_000_000n,
          expiration: ns("2026-02-06T00:00:00Z"),
        }),
      ]),
    );
    const syms = {
      10: "MQ1G6 C21005",
      11: "MQ1G6 P20900",
      12: "MQ2G6 C21000",
      14: "MQ1G6 C21100",
      15: "UD:1V: VT 0206",
      16: "MQ1G6 C21000-MQ1G6 C21100",
    };
    const recs = [
      mbo({ instrument_id: 11, ts_event: day + 1n * S, action: "A", price: 15_000_000_000n }),
      mbo({ instrument_id: 12, ts_event: day + 2n * S, action: "A" }),
      mbo({ instrument_id: 10, ts_event: day + 3n * S, action: "A", price: 12_250_000_000n }),
      mbo({ instrument_id: 14, ts_event: day + 4n * S, action: "A" }),
      mbo({ instrument_id: 15, ts_event: day + 5n * S, action: "A" }),
      mbo({ instrument_id: 16, ts_event: day + 6n * S, action: "A" }),
      mbo({ instrument_id: 10, ts_event: day + 7n * S, action: "C", price: 12_250_000_000n }),
      mbo({ instrument_id: 10, ts_event: day + 8n * S, action: "A", price: 0n }), // hard reject
    ];
    const md = metadata("GLBX.MDP3", "mbo", dt, syms);
    await writeDbn(lake, "future_option_mbo.mbo", "MNQ", "glbx-mdp3-20260206.mbo.dbn", md, recs);
    await bronze(lake, "future_option_mbo", "MNQ", [dt]);
    const h6 = await rows(lake, "bronze.future_option_mbo.mbo", "MNQH6", dt);
    assert.deepStrictEqual(
      h6.map((
        x,
      ) => [x.instrument_id, x.symbol, x.underlying, x.right, x.strike, x.expiration, x.action]),
      [
        [11n, "MQ1G6 P20900", "MNQH6", "P", 20_900_000_000_000n, ns("2026-02-07T02:00:00Z"), "A"],
        [10n, "MQ1G6 C21005", "MNQH6", "C", 21_005_000_000_000n, ns("2026-02-06T21:00:00Z"), "A"],
        [10n, "MQ1G6 C21005", "MNQH6", "C", 21_005_000_000_000n, ns("2026-02-06T21:00:00Z"), "C"],
      ],
    );
    const m6 = await rows(lake, "bronze.future_option_mbo.mbo", "MNQM6", dt);
    assert.deepStrictEqual(m6.map((x) => [x.instrument_id, x.underlying]), [[14n, "MNQM6"]]);
    const man = await manifest(lake, "bronze.future_option_mbo.mbo", "MNQH6", dt);
    assert.deepStrictEqual([
      man.stats.not_0dte,
      man.stats.user_defined_symbol,
      man.stats.spread_symbol,
    ], [1, 1, 1]);
    assert.equal(man.rejected.zero_price, 1);
    assert.equal(man.inputs.length, 2); // definition file + MBO file
    const d = await rows(lake, "bronze.future_option_mbo.definition", "MNQ", dt);
    assert.deepStrictEqual(d.map((x) => [x.instrument_id, x.raw_symbol, x.is_0dte]), [
      [10n, "MQ1G6 C21005", 1],
      [11n, "MQ1G6 P20900", 1],
      [12n, "MQ2G6 C21000", 0],
      [13n, "MNQH6", 0],
      [14n, "MQ1G6 C21100", 1],
    ]);
  }),
);

function cmbp(
  o: Partial<Cmbp1Msg> & { instrument_id: number; ts_event: bigint },
  bid = 1_250_000_000n,
  ask = 1_300_000_000n,
): Cmbp1Msg {
  return {
    rtype: 0xb1,
    length: 20,
    publisher_id: 30,
    price: UNDEF_PRICE,
    size: 0,
    action: "A",
    side: "N",
    flags: 0,
    ts_recv: o.ts_event + 500n,
    ts_in_delta: 0,
    levels: [{ bid_px: bid, ask_px: ask, bid_sz: 10, ask_sz: 12, bid_pb: 30, ask_pb: 31 }],
    ...o,
  };
}

Deno.test(
  "equity_option_cmbp_1 bronze: OPRA 0DTE of the ticker, window, undefined prices",
  withScratchLake(async (lake) => {
    const dt = "2026-02-06";
    const t = (hms: string) => ns(`${dt}T${hms}Z`);
    const syms = {
      1: "QQQ   260206C00500000",
      2: "QQQ   260206P00500500",
      3: "QQQ   260209C00500000",
      4: "SPY   260206C00600000",
      5: "QQQX",
    };
    const recs = [
      cmbp({ instrument_id: 1, ts_event: t("06:59:59") }),
      cmbp({ instrument_id: 1, ts_event: t("07:00:00") }),
      cmbp(
        { instrument_id: 2, ts_event: t("14:30:00"), ts_recv: UNDEF_TIMESTAMP },
        UNDEF_PRICE,
        2_000_000_000n,
      ),
      cmbp({ instrument_id: 3, ts_event: t("14:30:01") }),
      cmbp({ instrument_id: 4, ts_event: t("14:30:02") }),
      cmbp({ instrument_id: 5, ts_event: t("14:30:03") }),
      cmbp({ instrument_id: 1, ts_event: t("21:00:00") }),
    ];
    const md = metadata("OPRA.PILLAR", "cmbp-1", dt, syms);
    const name = "opra-pillar-20260206.cmbp-1.dbn";
    const file = await writeDbn(lake, "equity_option_cmbp_1.cmbp_1", "QQQ", name, md, recs);
    await bronze(lake, "equity_option_cmbp_1", "QQQ", [dt]);
    const got = await rows(lake, "bronze.equity_option_cmbp_1.cmbp_1", "QQQ", dt);
    assert.deepStrictEqual(got, [
      {
        ts_recv: t("07:00:00") + 500n,
        ts_event: t("07:00:00"),
        publisher_id: 30n,
        instrument_id: 1n,
        bid_px_00: 1_250_000_000n,
        ask_px_00: 1_300_000_000n,
        bid_sz_00: 10n,
        ask_sz_00: 12n,
        underlying: "QQQ",
        right: "C",
        strike: 500_000_000_000n,
        expiration: ns("2026-02-06T00:00:00Z"),
      },
      {
        ts_recv: t("14:30:00"),
        ts_event: t("14:30:00"),
        publisher_id: 30n,
        instrument_id: 2n,
        bid_px_00: 0n,
        ask_px_00: 2_000_000_000n,
        bid_sz_00: 10n,
        ask_sz_00: 12n,
        underlying: "QQQ",
        right: "P",
        strike: 500_500_000_000n,
        expiration: ns("2026-02-06T00:00:00Z"),
      },
    ]);
    const man = await manifest(lake, "bronze.equity_option_cmbp_1.cmbp_1", "QQQ", dt);
    assert.deepStrictEqual(
      [
        man.stats.outside_session,
        man.stats.not_0dte,
        man.stats.other_underlying,
        man.stats.not_opra_symbol,
        man.stats.null_price_set_to_zero,
      ],
      [2, 1, 1, 1, 1],
    );
    // a second run finds the partition complete and does not read the file again
    const again = await bronze(lake, "equity_option_cmbp_1", "QQQ", [dt]);
    const r = again.tasks[0].stages[0].result;
    assert.deepStrictEqual(r.partitions.map((p) => [p.symbol, p.rows, p.skipped]), [
      ["QQQ", 2, true],
    ]);
    const direct = await ingestCmbp1({
      lake,
      dt,
      ticker: "QQQ",
      stage: "test",
      overwrite: false,
      source: "databento",
      files: [file],
    });
    assert.deepStrictEqual([direct.records, direct.stats.files_skipped], [0, 1]);
  }),
);
