// Acceptance cases X1–X6, E5, E8 of downloader.md §5.2/§5.3 (expected values from the spec).
import assert from "node:assert/strict";
import { definitionsDbn } from "../testing/fake_databento.ts";
import { sessionDates } from "./dates.ts";
import { parseSchemaList, parseSymbolList } from "./validate.ts";
import {
  equityOptions0dte,
  futuresOptions0dte,
  NoOptionsError,
  type OptionDefinition,
  readOptionDefinitions,
  selectOptions,
} from "./zero_dte.ts";

const ns = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
const def = (
  raw_symbol: string,
  underlying: string,
  exp: string,
  cls = raw_symbol.includes("P0") ? "P" : "C",
): OptionDefinition => ({
  raw_symbol,
  underlying,
  instrument_class: cls,
  expiration: ns(exp),
});

Deno.test("X1 futures 0DTE filter keeps the contract's options expiring that day", () => {
  const defs = [
    def("E1A   260109C05000000", "ESH6", "2026-01-09T21:00:00Z"),
    def("E1A   260109P05000000", "ESH6", "2026-01-09T21:00:00Z", "P"),
    def("E1A   260110C05000000", "ESH6", "2026-01-10T21:00:00Z"),
    def("EW1   260109C05000000", "ESM6", "2026-01-09T21:00:00Z"),
  ];
  assert.deepEqual(futuresOptions0dte(defs, "ESH6", "2026-01-09"), [
    "E1A   260109C05000000",
    "E1A   260109P05000000",
  ]);
});

Deno.test("X2 futures filter with no same-day expiry raises", () => {
  const defs = [def("E1A   260110C05000000", "ESH6", "2026-01-10T21:00:00Z")];
  assert.throws(() => futuresOptions0dte(defs, "ESH6", "2026-01-09"), NoOptionsError);
});

Deno.test("X3 equity 0DTE filter (UTC expiry date), sorted", () => {
  const defs = [
    def("QQQ   260109P00500000", "QQQ", "2026-01-09T00:00:00Z", "P"),
    def("QQQ   260109C00500000", "QQQ", "2026-01-09T00:00:00Z", "C"),
  ];
  assert.deepEqual(equityOptions0dte(defs, "qqq", "2026-01-09"), [
    "QQQ   260109C00500000",
    "QQQ   260109P00500000",
  ]);
});

Deno.test("X4 equity filter with another underlying raises", () => {
  const defs = [def("SPY   260109C00500000", "SPY", "2026-01-09T00:00:00Z")];
  assert.throws(() => equityOptions0dte(defs, "QQQ", "2026-01-09"), NoOptionsError);
});

Deno.test("nearest expiry: earliest expiration on/after the date", () => {
  const defs = [
    def("A 1", "ESH6", "2026-01-13T21:00:00Z"),
    def("A 2", "ESH6", "2026-01-12T21:00:00Z"),
    def("A 3", "ESH6", "2026-01-08T21:00:00Z"),
    def("F", "ESH6", "2026-01-12T21:00:00Z", "F"),
  ];
  assert.deepEqual(selectOptions(defs, "ESH6", "2026-01-09", "nearest"), {
    symbols: ["A 2"],
    expiry: "2026-01-12",
  });
});

Deno.test("X5/X6 symbol parsing", () => {
  assert.deepEqual(parseSymbolList("ES,SI,CL,6E", "futures"), ["ES", "SI", "CL", "6E"]);
  assert.deepEqual(parseSymbolList(" mnq, si ,MNQ,", "futures"), ["MNQ", "SI"]);
  assert.throws(() => parseSymbolList("SI.FUT", "futures"), /SI\.FUT/);
  assert.deepEqual(parseSymbolList("QQQ,AAPL,BRK.B", "equities"), ["QQQ", "AAPL", "BRK.B"]);
  assert.throws(() => parseSymbolList("QQQ$WEIRD", "equities"), /QQQ\$WEIRD/);
  assert.throws(() => parseSymbolList(" , ", "futures"), /at least one/);
});

Deno.test("schema lists: unknown names are named with the allowed set", () => {
  assert.deepEqual(
    parseSchemaList("mbo,statistics", ["definition", "mbo", "statistics"], "--options-schemas"),
    [
      "mbo",
      "statistics",
    ],
  );
  assert.throws(
    () => parseSchemaList("mbo,trades", ["definition", "mbo", "statistics"], "--options-schemas"),
    /--options-schemas: unsupported schema\(s\) trades \(allowed: definition, mbo, statistics\)/,
  );
  assert.throws(() => parseSchemaList("", ["mbo"], "--equity-schemas"), /empty list/);
});

Deno.test("E8 weekday ranges; futures keep Sundays and drop Saturdays", () => {
  assert.deepEqual(sessionDates("2026-01-05", "2026-01-12", "equities"), [
    "2026-01-05",
    "2026-01-06",
    "2026-01-07",
    "2026-01-08",
    "2026-01-09",
    "2026-01-12",
  ]);
  assert.deepEqual(sessionDates("2026-01-06", "2026-01-06", "equities"), ["2026-01-06"]);
  assert.deepEqual(sessionDates("2026-01-09", "2026-01-12", "futures"), [
    "2026-01-09",
    "2026-01-11",
    "2026-01-12",
  ]);
  assert.throws(
    () => sessionDates("2026-01-09", "2026-01-08", "futures"),
    /end date before start date/,
  );
  assert.throws(() => sessionDates("2026-02-30", "2026-03-01", "futures"), /--start/);
});

Deno.test("E5 missing definition file raises NotFound", async () => {
  await assert.rejects(readOptionDefinitions("/nonexistent/fake.dbn.zst"), Deno.errors.NotFound);
});

Deno.test("definitions read back from a real DBN file (encoder → zstd → decoder)", async () => {
  const bytes = definitionsDbn("OPRA.PILLAR", "2026-01-09", [
    {
      instrument_id: 1,
      raw_symbol: "QQQ   260109C00500000",
      underlying: "QQQ",
      instrument_class: "C",
      expiration: "2026-01-09T00:00:00Z",
      strike: 500,
    },
    {
      instrument_id: 2,
      raw_symbol: "QQQ   260112C00500000",
      underlying: "QQQ",
      instrument_class: "C",
      expiration: "2026-01-12T00:00:00Z",
      strike: 500,
    },
  ]);
  const path = await Deno.makeTempFile({ suffix: ".dbn.zst" });
  try {
    await Deno.writeFile(path, bytes);
    const defs = await readOptionDefinitions(path);
    assert.equal(defs.length, 2);
    assert.equal(defs[1].raw_symbol, "QQQ   260112C00500000");
    assert.equal(defs[0].expiration, ns("2026-01-09T00:00:00Z"));
    assert.deepEqual(equityOptions0dte(defs, "QQQ", "2026-01-09"), ["QQQ   260109C00500000"]);
  } finally {
    await Deno.remove(path);
  }
});
