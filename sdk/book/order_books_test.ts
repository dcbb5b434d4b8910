import assert from "node:assert/strict";
import { allocMboColumns } from "../dbn/mod.ts";
import { DepthChange, type MboRecordLike, OrderBooks, type RestingOrder } from "./mod.ts";

const IID = 17077;
const TICK = 250_000_000n; // 0.25 in 1e-9 units
const px = (ticks: number): bigint => BigInt(ticks) * TICK; // price from a tick count
const pn = (ticks: number): number => Number(px(ticks));
const F_LAST = 128, F_SNAPSHOT = 32, F_MAYBE_BAD_BOOK = 4;

/** A record with defaults: instrument IID, publisher 1, F_LAST, ts 1 s. */
function r(
  action: string,
  side: string,
  order_id: bigint | number,
  ticks: number,
  size: number,
  extra: Partial<MboRecordLike> = {},
): MboRecordLike {
  return {
    publisher_id: 1,
    instrument_id: IID,
    ts_event: 1_000_000_000n,
    order_id: BigInt(order_id),
    price: px(ticks),
    size,
    flags: F_LAST,
    action,
    side,
    ...extra,
  };
}

function run(records: MboRecordLike[], books = new OrderBooks()): OrderBooks {
  for (const rec of records) books.apply(rec);
  return books;
}

const lv = (ticks: number, size: number, count: number) => ({ price: pn(ticks), size, count });

Deno.test("adds build levels with sizes and counts; best levels first", () => {
  const b = run([
    r("A", "B", 1, 100, 5),
    r("A", "B", 2, 100, 3),
    r("A", "B", 3, 99, 4),
    r("A", "A", 4, 101, 7),
    r("A", "A", 5, 103, 1),
    r("A", "A", 6, 102, 2),
  ]).book(IID)!;
  assert.deepEqual(b.levels("B"), [lv(100, 8, 2), lv(99, 4, 1)]);
  assert.deepEqual(b.levels("A"), [lv(101, 7, 1), lv(102, 2, 1), lv(103, 1, 1)]);
  assert.deepEqual(b.levels("A", 2), [lv(101, 7, 1), lv(102, 2, 1)]);
  assert.equal(b.bestPrice("B"), pn(100));
  assert.equal(b.bestPrice(65), pn(101));
  assert.equal(b.depth("B", px(99)), 4);
  assert.equal(b.depth("B", pn(98)), 0);
  assert.deepEqual(b.level("A", px(102)), lv(102, 2, 1));
  assert.equal(b.level("A", px(104)), undefined);
  assert.equal(b.orderCount, 6);
  assert.equal(b.levelCount("B"), 2);
  assert.equal(b.levelCount("A"), 3);
  assert.equal(b.isCrossed(), false);
  const seen: number[][] = [];
  b.forEachLevel("A", (p, s, c) => {
    seen.push([p, s, c]);
    return seen.length < 2;
  });
  assert.deepEqual(seen, [[pn(101), 7, 1], [pn(102), 2, 1]]);
  assert.throws(() => b.levels("N" as "B"), RangeError);
});

Deno.test("C reduces by its size, removes at zero, ignores unknown ids (counted)", () => {
  const books = run([
    r("A", "B", 1, 100, 5),
    r("A", "B", 2, 100, 3),
    r("C", "B", 1, 100, 2), // 5 -> 3
    r("C", "B", 2, 100, 3), // removed
    r("C", "B", 99, 100, 1), // unknown
    r("C", "B", 1, 100, 10), // oversize: removes the remaining 3
  ]);
  const b = books.book(IID)!;
  assert.equal(b.orderCount, 0);
  assert.equal(b.levelCount("B"), 0);
  assert.equal(b.best("B"), undefined);
  assert.ok(Number.isNaN(b.bestPrice("B")));
  assert.equal(b.anomalies.cancel_unknown, 1);
  assert.equal(b.anomalies.cancel_oversize, 1);
  assert.equal(books.anomalies.cancel_unknown, 1);
});

Deno.test("partial cancel keeps queue position", () => {
  const b = run([
    r("A", "B", 1, 100, 5, { ts_event: 10n }),
    r("A", "B", 2, 100, 3, { ts_event: 20n }),
    r("C", "B", 1, 100, 2, { ts_event: 30n }),
  ]).book(IID)!;
  assert.deepEqual(b.ordersAt("B", px(100)).map((o) => [o.order_id, o.size, o.ts_event]), [
    [1n, 3, 10n],
    [2n, 3, 20n],
  ]);
});

Deno.test("M: new price or side or larger size loses priority; smaller size keeps it", () => {
  const books = run([
    r("A", "B", 1, 100, 5, { ts_event: 10n }),
    r("A", "B", 2, 100, 5, { ts_event: 20n }),
    r("A", "B", 3, 100, 5, { ts_event: 30n }),
    r("M", "B", 1, 100, 4, { ts_event: 40n }), // smaller: stays first, entry time kept
  ]);
  const b = books.book(IID)!;
  const q = () => b.ordersAt("B", px(100)).map((o) => [o.order_id, o.size, o.ts_event]);
  assert.deepEqual(q(), [[1n, 4, 10n], [2n, 5, 20n], [3n, 5, 30n]]);
  books.apply(r("M", "B", 1, 100, 6, { ts_event: 50n })); // larger: to the back
  assert.deepEqual(q(), [[2n, 5, 20n], [3n, 5, 30n], [1n, 6, 50n]]);
  assert.deepEqual(b.level("B", px(100)), lv(100, 16, 3));
  books.apply(r("M", "B", 2, 99, 5, { ts_event: 60n })); // new price
  assert.deepEqual(q(), [[3n, 5, 30n], [1n, 6, 50n]]);
  assert.deepEqual(b.levels("B"), [lv(100, 11, 2), lv(99, 5, 1)]);
  books.apply(r("M", "A", 3, 100, 5, { ts_event: 70n })); // side change (same price)
  assert.deepEqual(b.levels("A"), [lv(100, 5, 1)]);
  assert.deepEqual(b.levels("B"), [lv(100, 6, 1), lv(99, 5, 1)]);
  books.apply(r("M", "N", 3, 101, 2, { ts_event: 80n })); // side N keeps the order's side
  assert.deepEqual(b.levels("A"), [lv(101, 2, 1)]);
  assert.deepEqual(b.order(3n), {
    order_id: 3n,
    side: "A",
    price: pn(101),
    size: 2,
    ts_event: 80n,
  });
  books.apply(r("M", "B", 7, 98, 9, { ts_event: 90n })); // unknown id: an add
  assert.equal(b.anomalies.modify_unknown, 1);
  assert.deepEqual(b.levels("B"), [lv(100, 6, 1), lv(99, 5, 1), lv(98, 9, 1)]);
  books.apply(r("M", "B", 7, 98, 0)); // size 0 removes
  assert.equal(b.order(7n), undefined);
  assert.equal(b.levelCount("B"), 2);
  assert.equal(b.orderCount, 3);
});

Deno.test("T, F and N never change the book; volume counts T only, by aggressor side", () => {
  const books = run([
    r("A", "B", 1, 100, 5),
    r("A", "A", 2, 101, 5),
    r("T", "B", 0, 101, 2, { flags: 0 }),
    r("F", "A", 2, 101, 2, { flags: 0 }),
    r("T", "A", 0, 100, 1, { flags: 0 }),
    r("F", "B", 1, 100, 1, { flags: 0 }),
    r("T", "N", 0, 100, 4, { flags: 0 }),
    r("N", "N", 0, 0, 0),
  ]);
  const b = books.book(IID)!;
  assert.deepEqual(b.levels("B"), [lv(100, 5, 1)]);
  assert.deepEqual(b.levels("A"), [lv(101, 5, 1)]);
  assert.deepEqual(b.volume, { total: 7, B: 2, A: 1, N: 4, trades: 3 });
  assert.equal(b.lastTradePrice, pn(100));
  assert.deepEqual(books.actionCounts, { A: 2, C: 0, M: 0, R: 0, T: 3, F: 2, N: 1, other: 0 });
});

Deno.test("R clears; a snapshot run without R clears first; F_LAST ends the run", () => {
  const snap = F_SNAPSHOT;
  const books = run([
    r("A", "B", 1, 100, 5),
    r("A", "A", 2, 101, 5),
    // snapshot without R: replaces the book
    r("A", "B", 10, 90, 1, { flags: snap }),
    r("A", "A", 11, 110, 2, { flags: snap }),
  ]);
  const b = books.book(IID)!;
  assert.equal(b.inSnapshot, true);
  assert.equal(b.consistent, false);
  assert.deepEqual(b.orders().map((o) => o.order_id), [10n, 11n]);
  books.apply(r("A", "A", 12, 111, 3, { flags: snap | F_LAST }));
  assert.equal(b.inSnapshot, false);
  assert.equal(b.consistent, true);
  assert.equal(b.orderCount, 3);
  // a second snapshot (e.g. the next day's file) starts fresh again
  books.apply(r("A", "B", 20, 95, 1, { flags: snap }));
  assert.deepEqual(b.orders().map((o) => o.order_id), [20n]);
  books.apply(r("A", "B", 21, 94, 1, { flags: 0 })); // live record ends the run
  assert.equal(b.inSnapshot, false);
  assert.equal(b.consistent, false);
  // R (with snapshot flag) clears, the following snapshot records do not clear again
  books.apply(r("R", "N", 0, 0, 0, { flags: snap, price: 9223372036854775807n }));
  assert.equal(b.orderCount, 0);
  books.apply(r("A", "B", 30, 96, 2, { flags: snap }));
  books.apply(r("A", "B", 31, 97, 2, { flags: snap | F_LAST }));
  assert.deepEqual(b.orders().map((o) => o.order_id), [31n, 30n]);
  assert.equal(b.clears, 3);
  assert.equal(b.snapshots, 3);
  // R without snapshot flag
  books.apply(r("R", "N", 0, 0, 0));
  assert.equal(b.orderCount, 0);
  assert.equal(b.levelCount("B"), 0);
  assert.equal(books.orderCount, 0);
});

Deno.test("F_MAYBE_BAD_BOOK invalidates until the next clear or snapshot", () => {
  const books = run([r("A", "B", 1, 100, 5), r("A", "B", 2, 100, 5, { flags: F_MAYBE_BAD_BOOK })]);
  const b = books.book(IID)!;
  assert.equal(b.valid, false);
  assert.equal(b.consistent, false);
  books.apply(r("C", "B", 1, 100, 5));
  assert.equal(b.valid, false);
  assert.equal(b.consistent, true);
  books.apply(r("A", "B", 3, 100, 5, { flags: F_SNAPSHOT | F_LAST }));
  assert.equal(b.valid, true);
  books.apply(r("A", "B", 4, 100, 5, { flags: F_MAYBE_BAD_BOOK | F_LAST }));
  assert.equal(b.valid, false);
  books.apply(r("R", "N", 0, 0, 0));
  assert.equal(b.valid, true);
  assert.equal(b.anomalies.maybe_bad_book, 2);
});

Deno.test("F_LAST: consistent only after the last record of an event; crossed books counted", () => {
  const books = run([
    r("A", "B", 1, 100, 5),
    r("A", "A", 2, 99, 5, { flags: 0 }), // crossed, but mid-event: not counted
  ]);
  const b = books.book(IID)!;
  assert.equal(b.consistent, false);
  assert.equal(b.isCrossed(), true);
  assert.equal(b.anomalies.crossed, 0);
  books.apply(r("A", "A", 3, 102, 1)); // event ends, still crossed
  assert.equal(b.consistent, true);
  assert.equal(b.anomalies.crossed, 1);
  books.apply(r("C", "A", 2, 99, 5)); // uncrossed
  assert.equal(b.isCrossed(), false);
  assert.equal(b.anomalies.crossed, 1);
});

Deno.test("order ids are exact u64 (no rounding beyond 2^53); duplicate adds replace", () => {
  const big = 2n ** 53n;
  const books = run([
    r("A", "B", big, 100, 1),
    r("A", "B", big + 1n, 100, 2), // same double as 2^53: must stay distinct
    r("A", "A", 2n ** 64n - 1n, 101, 3),
    r("A", "A", 2n ** 32n, 102, 4), // lo word 0
    r("A", "A", 1n, 103, 5), // hi word 0, lo 1
  ]);
  const b = books.book(IID)!;
  assert.equal(b.orderCount, 5);
  assert.equal(b.order(big)!.size, 1);
  assert.equal(b.order(big + 1n)!.size, 2);
  assert.equal(b.order(2n ** 64n - 1n)!.size, 3);
  assert.equal(b.order(2n ** 32n)!.size, 4);
  assert.equal(b.order(2n ** 32n + 1n), undefined);
  books.apply(r("C", "B", big + 1n, 100, 2));
  assert.equal(b.order(big)!.size, 1);
  assert.equal(b.order(big + 1n), undefined);
  books.apply(r("A", "A", 2n ** 64n - 1n, 104, 9)); // duplicate add: replaces
  assert.equal(b.anomalies.duplicate_add, 1);
  assert.deepEqual(b.levels("A"), [lv(102, 4, 1), lv(103, 5, 1), lv(104, 9, 1)]);
});

Deno.test("books are per (publisher, instrument); the same order id may live in several", () => {
  const books = run([
    r("A", "B", 1, 100, 5, { publisher_id: 1, instrument_id: 7 }),
    r("A", "B", 1, 200, 6, { publisher_id: 2, instrument_id: 7 }),
    r("A", "A", 1, 300, 7, { publisher_id: 1, instrument_id: 8 }),
    r("C", "B", 1, 100, 5, { publisher_id: 1, instrument_id: 7 }),
    r("R", "N", 0, 0, 0, { publisher_id: 1, instrument_id: 8 }),
  ]);
  assert.equal(books.books().length, 3);
  assert.equal(books.book(7, 1)!.orderCount, 0);
  assert.deepEqual(books.book(7, 2)!.levels("B"), [lv(200, 6, 1)]);
  assert.equal(books.book(8)!.orderCount, 0);
  assert.equal(books.book(7)!.publisher_id, 1);
  assert.equal(books.book(9), undefined);
  assert.equal(books.orderCount, 1);
});

Deno.test("bad input is counted, not thrown: side N adds, undefined prices, unknown actions", () => {
  const books = run([
    r("A", "N", 1, 100, 5),
    r("A", "B", 2, 0, 5, { price: 9223372036854775807n }),
    r("X", "B", 3, 100, 5),
    r("F", "B", 4, 100, 5),
  ]);
  const a = books.book(IID)!.anomalies;
  assert.deepEqual(
    [a.add_no_side, a.bad_price, a.unknown_action, a.fill_unknown],
    [1, 1, 1, 1],
  );
  assert.equal(books.orderCount, 0);
  assert.throws(() => books.apply(r("AB", "B", 1, 1, 1)), RangeError);
  assert.throws(() => books.applyBatch(allocMboColumns(2), 1, 3), RangeError);
});

Deno.test("restingSizeAt sums orders entered at or before a time", () => {
  const b = run([
    r("A", "B", 1, 100, 5, { ts_event: 1_000n }),
    r("A", "B", 2, 100, 3, { ts_event: 2_000n }),
    r("A", "B", 3, 100, 2, { ts_event: 3_000n }),
    r("M", "B", 1, 100, 7, { ts_event: 4_000n }), // size up: entry time 4000
  ]).book(IID)!;
  assert.equal(b.restingSizeAt("B", px(100), 1_999n), 0);
  assert.equal(b.restingSizeAt("B", px(100), 2_000n), 3);
  assert.equal(b.restingSizeAt("B", px(100), 3_500n), 5);
  assert.equal(b.restingSizeAt("B", px(100), 2n ** 63n), 12);
  assert.equal(b.restingSizeAt("A", px(100), 2n ** 63n), 0);
});

Deno.test("observer: depth changes split fills from pulls; ages; clears; trades", () => {
  const events: unknown[][] = [];
  const books = new OrderBooks({
    observer: {
      depth: (bk, side, price, kind, qty, age) =>
        events.push(["depth", bk.instrument_id, side, price / 1e9, kind, qty, age]),
      clear: (bk) => events.push(["clear", bk.orderCount]),
      trade: (_bk, price, size, side) => events.push(["trade", price / 1e9, size, side]),
    },
  });
  const { ADD, PULL, FILL } = DepthChange;
  run([
    r("A", "B", 1, 400, 10, { ts_event: 1_000n }),
    r("A", "A", 2, 404, 4, { ts_event: 2_000n }),
    // one venue event: trade, fill, then the book change (C of 3, of which 3 filled)
    r("T", "B", 9, 404, 3, { ts_event: 5_000n, flags: 0 }),
    r("F", "A", 2, 404, 3, { ts_event: 5_000n, flags: 0 }),
    r("C", "A", 2, 404, 3, { ts_event: 5_000n }),
    // a later cancel of the rest is a pull (the pending fill was consumed)
    r("C", "A", 2, 404, 1, { ts_event: 9_000n }),
    // fill 2 then modify 10 -> 6 in the same event: 2 filled + 2 pulled
    r("F", "B", 1, 400, 2, { ts_event: 10_000n, flags: 0 }),
    r("M", "B", 1, 400, 6, { ts_event: 10_000n }),
    // a fill whose C never comes is forgotten at F_LAST
    r("F", "B", 1, 400, 1, { ts_event: 11_000n }),
    r("C", "B", 1, 400, 1, { ts_event: 12_000n }),
    // move to another price: pull at the old one, add at the new one
    r("M", "B", 1, 401, 5, { ts_event: 13_000n }),
    r("R", "N", 0, 0, 0, { ts_event: 14_000n }),
  ], books);
  assert.deepEqual(events, [
    ["depth", IID, 66, 100, ADD, 10, 0],
    ["depth", IID, 65, 101, ADD, 4, 0],
    ["trade", 101, 3, 66],
    ["depth", IID, 65, 101, FILL, 3, 3_000],
    ["depth", IID, 65, 101, PULL, 1, 7_000],
    ["depth", IID, 66, 100, FILL, 2, 9_000],
    ["depth", IID, 66, 100, PULL, 2, 9_000],
    ["depth", IID, 66, 100, PULL, 1, 11_000],
    ["depth", IID, 66, 100, PULL, 5, 12_000],
    ["depth", IID, 66, 100.25, ADD, 5, 0],
    ["clear", 1],
  ]);
});

Deno.test("observer: boundary fires per interval crossed, before the record; snapshots don't move it", () => {
  const S = 1_000_000_000n;
  const log: string[] = [];
  const books = new OrderBooks({
    observer: {
      boundary: (end) => log.push(`b${end / S} orders=${books.orderCount}`),
    },
  });
  run([
    r("A", "B", 1, 100, 1, { ts_event: 10n * S + 5n }), // opens [10 s, 11 s)
    r("A", "B", 2, 100, 1, { ts_event: 10n * S + 999_999_999n }),
    r("A", "B", 3, 100, 1, { ts_event: 11n * S }), // crosses 11 s
    r("A", "B", 4, 90, 1, { ts_event: 2n * S, flags: F_SNAPSHOT }), // old time: ignored
    r("A", "B", 5, 91, 1, { ts_event: 99n * S, flags: F_SNAPSHOT | F_LAST }), // ignored too
    r("A", "B", 6, 100, 1, { ts_event: 14n * S + 1n }), // crosses 12, 13, 14
  ], books);
  books.finish();
  books.finish(); // idempotent
  assert.deepEqual(log, [
    "b11 orders=2",
    "b12 orders=2",
    "b13 orders=2",
    "b14 orders=2",
    "b15 orders=3",
  ]);
  // after finish, the next record opens a new interval
  books.apply(r("A", "B", 7, 100, 1, { ts_event: 20n * S }));
  books.finish();
  assert.equal(log.at(-1), "b21 orders=4");
});

Deno.test("observer: ts_recv clock and a custom interval", () => {
  const ends: bigint[] = [];
  const books = new OrderBooks({
    clock: "ts_recv",
    interval: 100n,
    observer: { boundary: (e) => ends.push(e) },
  });
  run([
    r("A", "B", 1, 100, 1, { ts_event: 1_000n, ts_recv: 150n }),
    r("A", "B", 2, 100, 1, { ts_event: 1_000n, ts_recv: 420n }),
  ], books);
  assert.deepEqual(ends, [200n, 300n, 400n]);
  assert.throws(() => new OrderBooks({ interval: 0n }), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Differential test against a deliberately simple reference book (Maps keyed by bigint).

interface RefOrder {
  side: "B" | "A";
  price: bigint;
  size: number;
  seq: number;
  ts: bigint;
}

class RefBook {
  orders = new Map<bigint, RefOrder>();
  seq = 0;
  apply(a: string, side: string, id: bigint, price: bigint, size: number, ts: bigint): void {
    const o = this.orders.get(id);
    if (a === "A") {
      if (side !== "B" && side !== "A") return;
      this.orders.delete(id);
      this.orders.set(id, { side, price, size, seq: this.seq++, ts });
    } else if (a === "C") {
      if (!o) return;
      o.size -= Math.min(size, o.size);
      if (o.size === 0) this.orders.delete(id);
    } else if (a === "M") {
      if (!o) return this.apply("A", side, id, price, size, ts);
      const s = side === "B" || side === "A" ? side : o.side;
      if (size === 0) this.orders.delete(id);
      else if (price !== o.price || s !== o.side || size > o.size) {
        this.orders.set(id, { side: s, price, size, seq: this.seq++, ts });
      } else o.size = size;
    } else if (a === "R") this.orders.clear();
  }
  levels(side: "B" | "A"): { price: number; size: number; count: number }[] {
    const m = new Map<bigint, { size: number; count: number }>();
    for (const o of this.orders.values()) {
      if (o.side !== side) continue;
      const l = m.get(o.price) ?? { size: 0, count: 0 };
      l.size += o.size;
      l.count++;
      m.set(o.price, l);
    }
    return [...m.entries()]
      .sort((x, y) => (x[0] < y[0] ? 1 : -1) * (side === "B" ? 1 : -1))
      .map(([p, l]) => ({ price: Number(p), ...l }));
  }
  ordered(): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (const side of ["B", "A"] as const) {
      for (const l of this.levels(side)) {
        const at = [...this.orders.entries()]
          .filter(([, o]) => o.side === side && Number(o.price) === l.price)
          .sort((x, y) => x[1].seq - y[1].seq);
        for (const [id, o] of at) {
          out.push({ order_id: id, side, price: l.price, size: o.size, ts_event: o.ts });
        }
      }
    }
    return out;
  }
}

Deno.test("random streams match a simple reference book (growth of every table included)", () => {
  let s = 12345;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.floor((s / 4294967296) * n);
  };
  const books = new OrderBooks({ initialOrders: 16 });
  const ref = new RefBook();
  const batch = allocMboColumns(5000);
  const ids: bigint[] = [];
  let peak = 0;
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < batch.length; i++) {
      const roll = rnd(100);
      const action = roll < 50 ? "A" : roll < 75 ? "C" : roll < 97 ? "M" : "T";
      let id: bigint;
      if (action === "A" || ids.length === 0 || rnd(20) === 0) {
        // ids around 2^63 and small ones, sharing low words
        id = (rnd(2) ? 2n ** 63n : 0n) + BigInt(rnd(1 << 20)) * 2n ** 32n + BigInt(rnd(4000));
        ids.push(id);
      } else id = ids[rnd(ids.length)];
      const side = rnd(30) === 0 ? "N" : rnd(2) ? "B" : "A";
      const price = px(4000 + rnd(60) - (side === "B" ? 30 : 0));
      const size = rnd(12);
      const ts = BigInt(round * 100000 + i);
      ref.apply(action, side, id, price, size, ts);
      batch.action[i] = action.charCodeAt(0);
      batch.side[i] = side.charCodeAt(0);
      batch.order_id[i] = id;
      batch.price[i] = price;
      batch.size[i] = size;
      batch.ts_event[i] = ts;
      batch.flags[i] = rnd(3) ? F_LAST : 0;
      batch.publisher_id[i] = 1;
      batch.instrument_id[i] = IID;
    }
    if (round === 3) {
      batch.action[2500] = 82; // one R in the middle of round 3
      ref.orders.clear();
      for (let i = 2501; i < batch.length; i++) {
        ref.apply(
          String.fromCharCode(batch.action[i]),
          String.fromCharCode(batch.side[i]),
          batch.order_id[i],
          batch.price[i],
          batch.size[i],
          batch.ts_event[i],
        );
      }
    }
    // apply in uneven slices to exercise batch boundaries
    let at = 0;
    while (at < batch.length) {
      const n = Math.min(batch.length - at, 1 + rnd(700));
      books.applyBatch(batch, at, at + n);
      at += n;
    }
    const b = books.book(IID)!;
    assert.deepEqual(b.levels("B"), ref.levels("B"), `bids after round ${round}`);
    assert.deepEqual(b.levels("A"), ref.levels("A"), `asks after round ${round}`);
    assert.deepEqual(b.orders(), ref.ordered(), `queues after round ${round}`);
    assert.equal(b.orderCount, ref.orders.size);
    peak = Math.max(peak, b.orderCount);
  }
  assert.equal(books.records, 30000);
  assert.ok(peak > 5000, `the book grew to ${peak} orders (tables grown from 16)`);
});
