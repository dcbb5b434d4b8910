// Real CME data (../shared/fixtures/real/databento) against its answer key
// (expected_book_end.json and the README of that folder). Skipped when the fixtures are absent.
import assert from "node:assert/strict";
import { fixturePath, fixturesAvailable, skipUnlessFixtures } from "../testing/fixtures.ts";
import { main as bookCli } from "../cli/book.ts";
import {
  type BookEndState,
  bookEndState,
  DepthChange,
  OrderBooks,
  replayFile,
  stringifyExact,
} from "./mod.ts";

const DIR = "real/databento/";
const D24 = "esh4-glbx-mdp3-20231224.mbo.dbn.zst";
const D25 = "esh4-glbx-mdp3-20231225.mbo.dbn.zst";
const ESM4 = "orderbooks_mbo_2024-05-08T00-00-00_2024-05-08T00-00-02.dbn.zst";
const KEY = "expected_book_end.json";
const ignore = skipUnlessFixtures(DIR + D24, DIR + D25, DIR + ESM4, DIR + KEY);

interface Expected {
  records: number;
  resting_orders: number;
  bid_levels: number;
  ask_levels: number;
  top_bids: number[][];
  top_asks: number[][];
  last_ts_event: bigint;
  last_ts_recv: bigint;
  last_sequence: number;
  anomalies: Record<string, number>;
}

/** The answer key, with the nanosecond timestamps read exactly from the JSON text. */
async function expected(): Promise<Record<string, Expected>> {
  const text = await Deno.readTextFile(fixturePath(DIR + KEY));
  // Quote the big integers so that JSON.parse cannot round them.
  const exact = text.replace(/("last_ts_(?:event|recv)":\s*)(\d+)/g, '$1"$2"');
  const parsed = JSON.parse(exact) as Record<string, Record<string, unknown>>;
  const out: Record<string, Expected> = {};
  for (const [file, v] of Object.entries(parsed)) {
    out[file] = {
      ...v,
      last_ts_event: BigInt(v.last_ts_event as string),
      last_ts_recv: BigInt(v.last_ts_recv as string),
    } as Expected;
  }
  return out;
}

function answerKeyFields(s: BookEndState): Expected {
  return {
    records: s.records,
    resting_orders: s.resting_orders,
    bid_levels: s.bid_levels,
    ask_levels: s.ask_levels,
    top_bids: s.top_bids,
    top_asks: s.top_asks,
    last_ts_event: s.last_ts_event,
    last_ts_recv: s.last_ts_recv,
    last_sequence: s.last_sequence,
    anomalies: s.anomalies as Record<string, number>,
  };
}

async function endState(files: string[]): Promise<[BookEndState, OrderBooks]> {
  const { books } = await replayFile(files.map((f) => fixturePath(DIR + f)));
  assert.equal(books.books().length, 1);
  return [bookEndState(books.books()[0]), books];
}

Deno.test({
  name: "each MBO file alone ends in the answer-key book",
  ignore,
  fn: async () => {
    const key = await expected();
    assert.deepEqual(Object.keys(key).sort(), [D24, D25, ESM4].sort());
    for (const file of [D24, D25, ESM4]) {
      const [state] = await endState([file]);
      assert.deepEqual(answerKeyFields(state), key[file], file);
      assert.equal(state.valid, true, file);
      assert.equal(state.consistent, true, file);
    }
  },
});

Deno.test({
  name: "ESH4 20231224 then 20231225: same end book (NautilusTrader's 922/565, 4810.00/4810.25)",
  ignore,
  fn: async () => {
    const key = (await expected())[D25];
    const [state, books] = await endState([D24, D25]);
    assert.deepEqual(answerKeyFields(state), { ...key, records: 8_725 + 68_792 });
    assert.equal(state.last_sequence, 59585);
    assert.equal(state.last_ts_recv, 1703548799446821072n);
    assert.deepEqual([state.bid_levels, state.ask_levels], [922, 565]);
    assert.deepEqual([state.top_bids[0][0], state.top_asks[0][0]], [4810, 4810.25]);
    const book = books.books()[0];
    assert.equal(book.snapshots, 2); // both snapshots rebuilt the book (no R in these v1 files)
    assert.equal(book.anomalies.duplicate_add, 0);
  },
});

Deno.test({
  name: "ESH4 20231225: traded volume from T only (9,892 = B 5,322 + A 4,526 + N 44)",
  ignore,
  fn: async () => {
    const [state, books] = await endState([D25]);
    assert.deepEqual(state.traded_volume, { total: 9892, B: 5322, A: 4526, N: 44, trades: 2973 });
    assert.deepEqual(books.actionCounts, {
      A: 29216,
      C: 17999,
      M: 12233,
      R: 0,
      T: 2973,
      F: 6371,
      N: 0,
      other: 0,
    });
  },
});

Deno.test({
  name: "ESM4 R + snapshot rebuilds the book without orphan orders",
  ignore,
  fn: async () => {
    const [state, books] = await endState([ESM4]);
    const a = books.anomalies;
    assert.deepEqual([a.cancel_unknown, a.modify_unknown, a.fill_unknown], [0, 0, 0]);
    assert.deepEqual(state.anomalies, {});
    assert.equal(books.actionCounts.R, 1);
    const book = books.books()[0];
    assert.equal(book.clears, 1);
    assert.equal(book.snapshots, 1);
    // Snapshot orders keep their own times (2024-05-05T12:00:04 ... 2024-05-07T23:59:59).
    const times = book.orders().map((o) => o.ts_event).sort((x, y) => (x < y ? -1 : 1));
    assert.ok(times[0] >= 1714910404000000000n && times[0] < 1714910405000000000n);
    assert.ok(times.at(-1)! < 1715126401995601491n);
  },
});

Deno.test({
  name: "observer on ESH4 20231225: per-price add - pull - fill equals the end depth; 1 s clock",
  ignore,
  fn: async () => {
    const net = new Map<string, number>();
    const totals = [0, 0, 0];
    const ends: bigint[] = [];
    const books = new OrderBooks({
      observer: {
        depth(_b, side, price, kind, qty) {
          const k = `${side}:${price}`;
          net.set(k, (net.get(k) ?? 0) + (kind === DepthChange.ADD ? qty : -qty));
          totals[kind] += qty;
        },
        boundary: (end) => ends.push(end),
      },
    });
    await replayFile(fixturePath(DIR + D25), { books });
    books.finish();
    const book = books.books()[0];
    for (const [k, v] of net) {
      const [side, price] = k.split(":").map(Number);
      assert.equal(v, book.depth(side as 66 | 65, price), k);
    }
    for (const side of [66, 65] as const) {
      book.forEachLevel(side, (price, size) => assert.equal(net.get(`${side}:${price}`), size));
    }
    assert.ok(totals[DepthChange.FILL] > 0 && totals[DepthChange.FILL] <= 10_201); // ΣF = 10,201
    // Live trading from 2023-12-25T22:00:00.18Z to 23:59:59.45Z: 7,200 one-second windows.
    assert.equal(ends.length, 7200);
    assert.equal(ends[0], 1703541601000000000n);
    assert.equal(ends.at(-1), 1703548800000000000n);
  },
});

Deno.test({
  name: "deno task book --end-state prints the answer-key shape",
  ignore: ignore || !fixturesAvailable(),
  fn: async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    let code;
    try {
      code = await bookCli([fixturePath(DIR + D25), "--end-state", "--levels", "5"]);
    } finally {
      console.log = log;
    }
    assert.equal(code, 0);
    const text = lines.join("\n");
    assert.match(text, /"last_ts_event": 1703548799446724905,/);
    const printed = JSON.parse(text)[D25];
    const key = JSON.parse(await Deno.readTextFile(fixturePath(DIR + KEY)))[D25];
    for (const k of Object.keys(key)) assert.deepEqual(printed[k], key[k], k);
    assert.equal(stringifyExact({ a: 2n ** 64n - 1n }), '{"a":18446744073709551615}');
  },
});
