// The generator's book writes the record sequences of Databento MBO, checked against hand-worked
// examples: a sweep over two levels with a partial fill, a crossing limit order that rests its
// remainder, the opening-auction uncross, and the snapshot layout.
import assert from "node:assert/strict";
import { Book, deriveFlow, type FlowParams } from "./_book.ts";
import { MboOut } from "./_mbo_out.ts";
import { Rng } from "./_rng.ts";

const TICK = 250_000_000n;

function flow(over: Partial<FlowParams> = {}): FlowParams {
  return deriveFlow({
    wAdd: 1,
    wCancel: 0,
    wModify: 0,
    wMarket: 0,
    target: 100,
    halfSpread: 0,
    nearMean: 1,
    farMean: 5,
    pFar: 0,
    maxDepth: 10,
    lot: 1,
    sizeMean: 2,
    pBig: 0,
    bigMean: 1,
    pOddLot: 0,
    mktSizeMean: 2,
    protect: 5,
    beta: 1,
    pStale: 0,
    pNearCancel: 0,
    nearCancelMean: 1,
    pPartialCancel: 0,
    pPriceModify: 0,
    replaceStyle: 0,
    partialFillStyle: 0,
    pHidden: 0,
    latMin: 1000,
    latSpan: 0,
    deltaMin: 500,
    deltaSpan: 0,
    postTradeGap: 7000,
    pCrossPassive: 0,
    staleBoost: 0,
    ...over,
  });
}

interface Row {
  action: string;
  side: string;
  price: bigint;
  size: number;
  id: bigint;
  flags: number;
  seq: number;
  recv: bigint;
}

function rows(out: MboOut, from = 0): Row[] {
  const c = out.cols;
  const r: Row[] = [];
  for (let i = from; i < out.n; i++) {
    r.push({
      action: String.fromCharCode(c.action[i]),
      side: String.fromCharCode(c.side[i]),
      price: c.price[i],
      size: c.size[i],
      id: c.order_id[i],
      flags: c.flags[i],
      seq: c.sequence[i],
      recv: c.ts_recv[i],
    });
  }
  return r;
}

function setup(over: Partial<FlowParams> = {}) {
  const out = new MboOut(1_000_000_000_000_000_000n, 1, 0, 1024);
  out.setId(0x200000 - 1, 0xffffffff - 2); // 2^53 - 3: the ids cross 2^53
  const book = new Book(42, Number(TICK), 10, 0);
  const rng = new Rng(1, "book");
  const p = flow(over);
  const ids: Record<string, bigint> = {};
  const add = (name: string, side: number, tick: number, size: number, t: number) => {
    book.addEvent(out, rng, p, t, side, tick, size, 0);
    ids[name] = out.cols.order_id[out.n - 1];
  };
  return { out, book, rng, p, ids, add };
}

Deno.test("a buy sweeping two ask levels: T + F per level, then C for filled orders and M for the partial", () => {
  const { out, book, rng, p, ids, add } = setup();
  add("B1", 0, 100, 3, 1000);
  add("A1", 1, 101, 2, 2000);
  add("A2", 1, 101, 4, 3000);
  add("A3", 1, 102, 5, 4000);
  assert.equal(book.bestBid, 100);
  assert.equal(book.bestAsk, 101);
  // ids advance by 1 + (t & 3) from 2^53 - 3: 2^53 + 1 is not a double, so this checks exactness
  assert.deepEqual([ids.B1, ids.A1, ids.A2, ids.A3].map((i) => i - 2n ** 53n), [-2n, -1n, 0n, 1n]);
  const n0 = out.n;
  book.aggress(out, rng, p, 10_000, 0, 102, 8, false);
  const r = rows(out, n0);
  const agg = r[0].id;
  assert.deepEqual(r.map((x) => [x.action, x.side, x.price / TICK, x.size, x.id, x.flags]), [
    ["T", "B", 101n, 6, agg, 0],
    ["F", "A", 101n, 2, ids.A1, 0],
    ["F", "A", 101n, 4, ids.A2, 0],
    ["T", "B", 102n, 2, agg, 0],
    ["F", "A", 102n, 2, ids.A3, 0],
    ["C", "A", 101n, 2, ids.A1, 0],
    ["C", "A", 101n, 4, ids.A2, 0],
    ["M", "A", 102n, 3, ids.A3, 128],
  ]);
  // trade and fills share a packet; the book updates come in the next one
  assert.ok(r.slice(0, 5).every((x) => x.seq === r[0].seq && x.recv === r[0].recv));
  const gap = r[5].recv - r[0].recv; // postTradeGap (7 us) plus up to as much again
  assert.ok(gap >= 7000n && gap < 14000n, `gap ${gap}`);
  assert.ok(r.slice(5).every((x) => x.seq === r[0].seq + 1 && x.recv === r[5].recv));
  assert.equal(book.bestAsk, 102);
  assert.equal(book.levelQty(1, 102), 3);
  assert.equal(book.levelQty(1, 101), 0);
  assert.equal(book.nLive, 2);
});

Deno.test("a crossing sell limit trades the bid and rests its remainder; ITCH style cancels partial fills", () => {
  const { out, book, rng, p, ids, add } = setup({ partialFillStyle: 1 });
  add("B1", 0, 100, 3, 1000);
  add("B2", 0, 99, 5, 2000);
  add("A1", 1, 103, 1, 3000);
  const n0 = out.n;
  book.aggress(out, rng, p, 10_000, 1, 100, 5, false);
  const r = rows(out, n0);
  const agg = r[0].id;
  assert.deepEqual(r.map((x) => [x.action, x.side, x.price / TICK, x.size, x.id, x.flags]), [
    ["T", "A", 100n, 3, agg, 0],
    ["F", "B", 100n, 3, ids.B1, 0],
    ["C", "B", 100n, 3, ids.B1, 0],
    ["A", "A", 100n, 2, agg, 128],
  ]);
  assert.equal(book.bestAsk, 100);
  assert.equal(book.bestBid, 99);
  // an ITCH-style partial fill is a C of the filled size
  const n1 = out.n;
  book.aggress(out, rng, p, 20_000, 1, 99, 2, true);
  assert.deepEqual(rows(out, n1).map((x) => [x.action, x.side, x.price / TICK, x.size, x.id]), [
    ["T", "A", 99n, 2, rows(out, n1)[0].id],
    ["F", "B", 99n, 2, ids.B2],
    ["C", "B", 99n, 2, ids.B2],
  ]);
  assert.equal(book.levelQty(0, 99), 3);
});

Deno.test("opening auction: one price, T side N with order id 0, fills for both sides, then C/M", () => {
  const { out, book, rng, p, ids, add } = setup();
  book.matching = false; // pre-open: crossing orders rest
  add("b1", 0, 105, 3, 1000);
  add("b2", 0, 104, 2, 2000);
  add("a1", 1, 103, 4, 3000);
  add("a2", 1, 104, 2, 4000);
  assert.ok(book.bestBid >= book.bestAsk, "crossed before the auction");
  const n0 = out.n;
  const res = book.uncross(out, rng, p, 10_000, 103.9);
  assert.deepEqual(res, { volume: 5, price: 104 });
  assert.deepEqual(
    rows(out, n0).map((x) => [x.action, x.side, x.price / TICK, x.size, x.id, x.flags]),
    [
      ["T", "N", 104n, 5, 0n, 0],
      ["F", "N", 104n, 3, ids.b1, 0],
      ["F", "N", 104n, 3, ids.a1, 0],
      ["F", "N", 104n, 1, ids.b2, 0],
      ["F", "N", 104n, 1, ids.a1, 0],
      ["F", "N", 104n, 1, ids.b2, 0],
      ["F", "N", 104n, 1, ids.a2, 0],
      ["C", "B", 105n, 3, ids.b1, 0],
      ["C", "A", 103n, 4, ids.a1, 0],
      ["C", "B", 104n, 2, ids.b2, 0],
      ["M", "A", 104n, 1, ids.a2, 128],
    ],
  );
  assert.equal(book.bestBid, -1);
  assert.equal(book.bestAsk, 104);
  assert.ok(book.matching);
});

Deno.test("snapshot: R then oldest-first adds, F_SNAPSHOT|F_BAD_TS_RECV, F_LAST on the last", () => {
  const { out, book, rng, p } = setup();
  const r0 = book.snapshot(out, rng, p, 1000.4, 0, 50, 0x1fffff, 1000, 700);
  const r = rows(out);
  const c = out.cols;
  assert.equal(r[0].action, "R");
  assert.equal(r[0].side, "N");
  assert.equal(r[0].price, 9223372036854775807n);
  assert.equal(r[0].seq, 0);
  assert.ok(r.length > 40);
  assert.ok(r.slice(1).every((x) => x.action === "A" && (x.flags & 40) === 40));
  assert.ok(r.every((x) => x.recv === 1_000_000_000_000_000_000n));
  assert.equal(c.ts_event[0], c.ts_event[1]);
  for (let i = 2; i < r.length; i++) {
    assert.ok(c.ts_event[i] >= c.ts_event[i - 1]);
    assert.ok(r[i].seq > r[i - 1].seq);
    assert.ok(r[i].id > r[i - 1].id);
  }
  assert.equal(r[r.length - 1].flags, 168);
  assert.ok(r.slice(0, -1).every((x) => x.flags === 40));
  assert.ok(book.bestBid < book.bestAsk);
  assert.ok(book.bestBid <= 1000 && book.bestAsk >= 1001);
  assert.equal(r0.seq, r[r.length - 1].seq);
});

Deno.test("step keeps the book uncrossed and the live-order index consistent over many events", () => {
  const { out, book, rng } = setup();
  const p = flow({
    wAdd: 0.45,
    wCancel: 0.33,
    wModify: 0.16,
    wMarket: 0.06,
    pFar: 0.1,
    farMean: 20,
    maxDepth: 100,
    pPriceModify: 0.5,
    pStale: 0.8,
    pNearCancel: 0.4,
    nearCancelMean: 2,
    pCrossPassive: 0.5,
    staleBoost: 0.1,
    target: 200,
  });
  let x = 1000;
  for (let i = 0; i < 20_000; i++) {
    x += 0.3 * rng.normal();
    book.step(out, rng, p, x, 1_000_000 + i * 1000);
    if (out.n > 800) out.n = 0;
    if (book.bestBid !== -1 && book.bestAsk !== 0x3fffffff) {
      assert.ok(book.bestBid < book.bestAsk, `event ${i}`);
    }
  }
  // the live index lists each live order once and the level totals match the orders
  const seen = new Set<number>();
  let qty = 0;
  for (let i = 0; i < book.nLive; i++) {
    const o = book.live[i];
    assert.ok(!seen.has(o));
    seen.add(o);
    assert.equal(book.oPos[o], i);
    qty += book.oSize[o];
  }
  let levels = 0;
  for (let i = 0; i < book.qty.length; i++) levels += book.qty[i];
  assert.equal(levels, qty);
  assert.ok(
    book.nLive > 100 && book.nLive < 400,
    `${book.nLive} live orders around the target of 200`,
  );
});
