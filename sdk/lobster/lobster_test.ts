import assert from "node:assert/strict";
import { fixturePath, skipUnlessFixtures } from "../testing/fixtures.ts";
import { main as lobsterCli } from "../cli/lobster.ts";
import { OrderBooks } from "../book/mod.ts";
import {
  LOBSTER_NO_ASK,
  LOBSTER_NO_BID,
  lobsterFileInfo,
  lobsterMessageToMbo,
  lobsterToMbo,
  newYorkMidnightNs,
  readLobsterMessages,
  readLobsterOrderbook,
  replayLobster,
} from "./mod.ts";

const DIR = "real/lobster/";
const GOOG_M = DIR + "GOOG_2012-06-21_34200000_57600000_message_10.csv.gz";
const GOOG_O = DIR + "GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz";
const AAPL_M = DIR + "AAPL_2012-06-21_34200000_57600000_message_10.first999.csv";
const AAPL_O = DIR + "AAPL_2012-06-21_34200000_57600000_orderbook_10.first999.csv";
const SUMMARY = DIR + "expected_summary.json";

const enc = new TextEncoder();

Deno.test("file names, New York midnight, message mapping", () => {
  assert.deepEqual(lobsterFileInfo("/x/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"), {
    ticker: "GOOG",
    date: "2012-06-21",
    startMs: 34200000,
    endMs: 57600000,
    kind: "message",
    levels: 10,
  });
  assert.equal(lobsterFileInfo("notes.csv"), undefined);
  // EDT (UTC−4) in June, EST (UTC−5) in January
  assert.equal(newYorkMidnightNs("2012-06-21"), BigInt(Date.UTC(2012, 5, 21, 4)) * 1_000_000n);
  assert.equal(newYorkMidnightNs("2012-01-03"), BigInt(Date.UTC(2012, 0, 3, 5)) * 1_000_000n);
  assert.throws(() => newYorkMidnightNs("21/06/2012"), RangeError);
  const code = (r: number[][]) => r.map(([a, s]) => String.fromCharCode(a, s));
  assert.deepEqual(code(lobsterMessageToMbo(1, 7, 10, 5853300, 1)), ["AB"]);
  assert.deepEqual(code(lobsterMessageToMbo(2, 7, 10, 5853300, -1)), ["CA"]);
  assert.deepEqual(code(lobsterMessageToMbo(3, 7, 10, 5853300, 1)), ["CB"]);
  // execution of a buy order (direction 1) is seller-initiated: T side A
  assert.deepEqual(code(lobsterMessageToMbo(4, 7, 10, 5853300, 1)), ["TA", "FB", "CB"]);
  assert.deepEqual(code(lobsterMessageToMbo(5, 0, 10, 5853300, -1)), ["TB"]);
  assert.deepEqual(code(lobsterMessageToMbo(6, 0, 10, 5853300, -1)), ["TN"]);
  assert.deepEqual(code(lobsterMessageToMbo(7, 0, 0, -1, -1)), ["NN"]);
  assert.deepEqual(lobsterMessageToMbo(4, 7, 10, 5853300, 1).map((r) => r[5]), [0, 0, 128]);
});

Deno.test("readers parse exact times, gzip, and report bad lines with file and line", async () => {
  const csv = "34200.004241176,1,16113575,18,5853300,1\n34200.1,4,16113575,8,5853300,1\r\n" +
    "57599.913117637,5,0,52,5776350,-1";
  const batches = [];
  for await (const b of readLobsterMessages(enc.encode(csv), { batchRows: 2 })) batches.push(b);
  assert.deepEqual(batches.map((b) => [b.first, b.length]), [[0, 2], [2, 1]]);
  assert.equal(batches[0].time_ns[0], 34200004241176);
  assert.equal(batches[0].time_ns[1], 34200100000000);
  assert.deepEqual(Array.from(batches[1].direction.subarray(0, 1)), [-1]);
  const gz = new Uint8Array(
    await new Response(
      new Blob([enc.encode(csv)]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  let n = 0;
  for await (const b of readLobsterMessages(gz)) n += b.length;
  assert.equal(n, 3);
  // LOBSTER units to MBO: ts from the date, price × 1e5, ids exact
  const mbo = lobsterToMbo(batches[0], { date: "2012-06-21", instrument_id: 9 });
  assert.equal(mbo.length, 4); // A + (T, F, C)
  assert.equal(mbo.ts_event[0], newYorkMidnightNs("2012-06-21") + 34200004241176n);
  assert.equal(mbo.price[0], 585330000000n);
  assert.deepEqual(Array.from(mbo.order_id), [16113575n, 0n, 16113575n, 16113575n]);
  const books = new OrderBooks();
  books.applyBatch(mbo);
  assert.deepEqual(books.book(9)!.levels("B"), [{ price: 585330000000, size: 10, count: 1 }]);
  assert.equal(books.book(9)!.volume.total, 8);

  // real LOBSTER files carry float artefacts (12+ decimals): rounded to the ns on the digits
  const times = async (text: string) => {
    const out: number[] = [];
    for await (const b of readLobsterMessages(enc.encode(text))) {
      out.push(...b.time_ns.subarray(0, b.length));
    }
    return out;
  };
  assert.deepEqual(
    await times(
      [
        "43002.632812672004", // → .632812672 (LOBSTER sample artefact)
        "43002.6328126725", // tie → even: .632812672
        "43002.6328126735", // tie → even: .632812674
        "43002.63281267250001", // above the tie: .632812673
        "34200.9999999999", // carries into the second
        "34200.000000000499999",
      ].map((t) => `${t},1,1,1,1,1`).join("\n"),
    ),
    [43002632812672, 43002632812672, 43002632812674, 43002632812673, 34201000000000, 34200e9],
  );

  const bad = async (text: string, name: string) => {
    for await (const _ of readLobsterMessages(enc.encode(text), { name })) { /* drain */ }
  };
  await assert.rejects(bad("1,1,1,1,1,1\n1,x,1,1,1,1\n", "m.csv"), /m\.csv: line 2, column 2/);
  await assert.rejects(bad("1,1,1,1,1\n", "m.csv"), /line 1: expected 6 columns, got 5/);
  await assert.rejects(bad("1,9,1,1,1,1\n", "m.csv"), /unknown event type 9/);
  await assert.rejects(bad("1,1,1,1,1,0\n", "m.csv"), /direction must be 1 or -1/);
  const rows = async (text: string) => {
    for await (const _ of readLobsterOrderbook(enc.encode(text), { name: "o.csv" })) { /* drain */ }
  };
  await assert.rejects(rows("1,2,3\n"), /o\.csv: line 1: expected 4 × levels columns, got 3/);
  await assert.rejects(rows("1,2,3,4\n1,2,3,4,5,6,7,8\n"), /line 2: expected 4 columns, got 8/);
  await assert.rejects(
    (async () => {
      for await (const _ of readLobsterMessages("/nonexistent/x_message_1.csv")) { /* */ }
    })(),
    /nonexistent\/x_message_1\.csv: cannot open/,
  );
});

/** Replays a pair and checks every level strictly inside the visible window of every row. */
async function checkReplay(messages: string, orderbook: string) {
  let rows = 0, compared = 0, identical = 0;
  let lastRow: number[] = [];
  const result = await replayLobster(fixturePath(messages), fixturePath(orderbook), {
    onRow(row, i, truth) {
      assert.equal(i, rows++);
      for (const off of [0, 2]) { // ask columns, bid columns
        let deepest = -1;
        for (let k = 0; 4 * k < truth.length; k++) {
          const p = truth[4 * k + off];
          if (p !== LOBSTER_NO_ASK && p !== LOBSTER_NO_BID) deepest = k;
        }
        for (let k = 0; k < deepest; k++) { // strictly inside: better than the deepest shown
          const j = 4 * k + off;
          if (row[j] !== truth[j] || row[j + 1] !== truth[j + 1]) {
            assert.fail(
              `row ${i}, ${off === 0 ? "ask" : "bid"} level ${k + 1}: replayed ` +
                `${row[j]}×${row[j + 1]}, LOBSTER ${truth[j]}×${truth[j + 1]}`,
            );
          }
          compared++;
        }
      }
      if (row.every((v, j) => v === truth[j])) identical++;
      lastRow = Array.from(row);
    },
  });
  return { result, rows, compared, identical, lastRow };
}

Deno.test({
  name:
    "GOOG level 10, full day: every level strictly inside the window matches after every message",
  ignore: skipUnlessFixtures(GOOG_M, GOOG_O, SUMMARY),
  fn: async () => {
    const summary = JSON.parse(await Deno.readTextFile(fixturePath(SUMMARY))).GOOG_L10;
    const { result, rows, compared, identical, lastRow } = await checkReplay(GOOG_M, GOOG_O);
    assert.equal(rows, summary.rows); // 147,916
    assert.ok(compared > 2_500_000, `${compared} levels compared`);
    assert.ok(identical > 0.9 * rows, `${identical} rows identical in full`);
    assert.equal(lastRow.join(","), summary.last_orderbook_row);
    const { stats, book } = result;
    assert.equal(stats.messages, summary.rows);
    assert.equal(stats.insideMismatches, 0);
    // traded volume = Σ size of executions (types 4 and 5) in the message file
    let volume = 0;
    for await (const b of readLobsterMessages(fixturePath(GOOG_M))) {
      for (let i = 0; i < b.length; i++) {
        if (b.type[i] === 4 || b.type[i] === 5) volume += b.size[i];
      }
    }
    assert.equal(stats.volume, volume);
    assert.equal(book.volume.total, volume);
    assert.ok(stats.unknownRefs >= summary.refs_to_ids_not_added_in_file["4"]);
    assert.equal(book.anomalies.cancel_unknown, 0);
  },
});

Deno.test({
  name:
    "AAPL level 10 extract: every level strictly inside the window matches; CLI writes the rows",
  ignore: skipUnlessFixtures(AAPL_M, AAPL_O),
  fn: async () => {
    const { result, rows, identical } = await checkReplay(AAPL_M, AAPL_O);
    assert.equal(rows, 999);
    assert.equal(result.stats.insideMismatches, 0);
    assert.ok(identical > 900);
    // The CLI writes the same rows (gzip), atomically.
    const dir = await Deno.makeTempDir();
    try {
      const out = `${dir}/aapl_book.csv.gz`;
      const log = console.log;
      const printed: string[] = [];
      console.log = (s: string) => printed.push(s);
      let code;
      try {
        code = await lobsterCli(["replay", fixturePath(AAPL_M), fixturePath(AAPL_O), "--out", out]);
      } finally {
        console.log = log;
      }
      assert.equal(code, 0);
      assert.equal(JSON.parse(printed.join("\n")).insideMismatches, 0);
      const text = await new Response(
        (await Deno.open(out)).readable.pipeThrough(new DecompressionStream("gzip")),
      ).text();
      const lines = text.trimEnd().split("\n");
      assert.equal(lines.length, 999);
      const truth = (await Deno.readTextFile(fixturePath(AAPL_O))).trimEnd().split("\n");
      assert.equal(lines.filter((l, i) => l === truth[i].trim()).length, identical);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["aapl_book.csv.gz"]);
      // Without --out (as README's task table shows it) the rows go to stdout, the summary to stderr.
      const piped = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("../cli/lobster.ts", import.meta.url).pathname, "replay"]
          .concat([fixturePath(AAPL_M), fixturePath(AAPL_O)]),
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(piped.code, 0, new TextDecoder().decode(piped.stderr));
      assert.equal(new TextDecoder().decode(piped.stdout), text);
      assert.equal(JSON.parse(new TextDecoder().decode(piped.stderr)).insideMismatches, 0);
      // bad arguments
      const err = console.error;
      console.error = () => {};
      try {
        assert.equal(await lobsterCli(["replay", fixturePath(AAPL_M)]), 2);
        assert.equal(
          await lobsterCli(["replay", fixturePath(AAPL_M), fixturePath(AAPL_O), "--out"]),
          2,
        );
        assert.equal(
          await lobsterCli(["replay", `${dir}/missing.csv`, fixturePath(AAPL_O), "--out", out]),
          1,
        );
      } finally {
        console.error = err;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
