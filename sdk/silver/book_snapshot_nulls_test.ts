// An absent price is NULL in silver, never 0 (issue 10): a hand-built book whose ask side is
// empty, then cleared, written through the lake writer and read back with Arrow and DuckDB.
import assert from "node:assert/strict";
import { openLakeDuckDB, readTable } from "../lake/reader.ts";
import { writePartition } from "../lake/writer.ts";
import { withScratchLake } from "../testing/scratch_lake.ts";
import { mbo, px } from "../testing/silver_inputs.ts";
import { bookSnapshotColumns } from "./columns.ts";
import { MboSilver } from "./mbo_silver.ts";

const TICK = 250_000_000;

Deno.test(
  "book_snapshot_1s: an empty side, a missing mid, no trade and no spot are NULL in Parquet, Arrow and DuckDB",
  withScratchLake(async (lake) => {
    const eng = new MboSilver({ kind: "future", unit: TICK, grid: 200 });
    eng.push(mbo([
      // window 1 (ends 1 s): bid only, nothing traded
      { t: 0.1, a: "A", s: "B", px: 21000, sz: 3, id: 1 },
      // window 2: the ask arrives, one trade
      { t: 1.2, a: "A", s: "A", px: 21000.5, sz: 4, id: 2 },
      { t: 1.3, a: "T", s: "A", px: 21000.5, sz: 1 },
      // window 3: the bid is cancelled, ask only
      { t: 2.4, a: "C", s: "B", px: 21000, sz: 3, id: 1 },
      // window 4: a clear empties the book (last trade still known)
      { t: 3.5, a: "R" },
    ]));
    eng.finish();
    const batch = eng.takeSnapshots();
    assert.equal(batch.length, 4);
    const key = { symbol: "MNQH6", dt: "1970-01-01" };
    await writePartition(lake, "silver.future_mbo.book_snapshot_1s", key, [
      bookSnapshotColumns(batch),
    ]);

    // Arrow: the values as a hand-computed table (null where a price is absent)
    const t = await readTable(lake, "silver.future_mbo.book_snapshot_1s", key);
    const col = (name: string) =>
      Array.from({ length: t.numRows }, (_, i) => {
        const v = t.getChild(name)!.get(i);
        return typeof v === "bigint" ? Number(v) : v;
      });
    assert.deepEqual(col("best_bid_price_int"), [px(21000), px(21000), null, null]);
    assert.deepEqual(col("best_bid_qty"), [3, 3, 0, 0]);
    assert.deepEqual(col("best_ask_price_int"), [null, px(21000.5), px(21000.5), null]);
    assert.deepEqual(col("best_ask_qty"), [0, 4, 4, 0]);
    assert.deepEqual(col("mid_price"), [null, 21000.25, null, null]);
    assert.deepEqual(col("mid_price_int"), [null, px(21000.25), null, null]);
    assert.deepEqual(col("last_trade_price_int"), [null, px(21000.5), px(21000.5), px(21000.5)]);
    // spot: the bid (window 1), resolved at window start afterwards; window 4 starts ask-only and
    // ends empty, the trade no longer rests: the trade price (pipeline.md §3.2's last fallback)
    assert.deepEqual(col("spot_ref_price_int"), [
      px(21000),
      px(21000),
      px(21000.5),
      px(21000.5),
    ]);
    // one-sided books are valid books: book_valid is about integrity, not two-sidedness
    assert.deepEqual(col("book_valid"), [true, true, true, true]);

    // DuckDB: a naive spread query gives NULL, not a huge negative number
    const db = await openLakeDuckDB(lake);
    try {
      const r = await db.connection.runAndReadAll(
        `SELECT window_end_ts_ns, (best_ask_price_int - best_bid_price_int) / ${TICK} AS spread
         FROM silver_future_mbo_book_snapshot_1s ORDER BY window_end_ts_ns`,
      );
      assert.deepEqual(r.getRows().map((x) => x[1]), [null, 2, null, null]);
    } finally {
      db.close();
    }
  }),
);

Deno.test("book_snapshot_1s: an empty book with no trade has a NULL spot", () => {
  const eng = new MboSilver({ kind: "future", unit: TICK, grid: 200 });
  eng.push(mbo([{ t: 0.1, a: "R" }, { t: 1.1, a: "A", s: "B", px: 10, sz: 1, id: 1 }]));
  eng.finish();
  const cols = bookSnapshotColumns(eng.takeSnapshots());
  const spot = cols.spot_ref_price_int as { valid: Uint8Array };
  assert.deepEqual([...spot.valid], [0, 1]);
  const bid = cols.best_bid_price_int as { valid: Uint8Array };
  assert.deepEqual([...bid.valid], [0, 1]);
});
