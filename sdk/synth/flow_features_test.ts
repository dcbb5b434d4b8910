// The CME features of the synthetic futures flow, counted on a generated day by an independent
// replay (a Map of resting orders, Databento's documented MBO rules) and compared with the rates
// stated beside FUTURE_FLOW and recoveryPlan: partial cancels, modifies that move price or size,
// icebergs (fills beyond the display, then an M at the same price keeping the id), aggressive
// orders worked across seconds, and an in-session recovery (R + rebuild from adds) after a few
// F_MAYBE_BAD_BOOK events. The sdk/book engine then replays the same file without anomalies.
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDbn } from "../dbn/mod.ts";
import { replayFile } from "../book/mod.ts";
import { futureDay, generateDay, SCALE_RECORDS, type SynthDayResult } from "./generate.ts";

const DATE = "2026-01-06";
const SEED0 = Number(Deno.env.get("SYNTH_TEST_SEED") ?? 11);
const RECORDS = SCALE_RECORDS.small.future_mbo;

/** The first seed from SEED0 whose day has a recovery (60 % of days have one). */
function recoverySeed(): number {
  for (let s = SEED0; s < SEED0 + 50; s++) {
    if ((futureDay(s, DATE, undefined, RECORDS).gen.cfg.recoverySecond ?? -1) >= 0) return s;
  }
  throw new Error("no recovery day in 50 seeds");
}

const SEED = recoverySeed();
const tmp = await Deno.makeTempDir({ prefix: "synth_flow_test_" });
let res: Promise<SynthDayResult> | undefined;
const dayFile = () =>
  res ??= generateDay({
    productType: "future_mbo",
    date: DATE,
    seed: SEED,
    lake: join(tmp, "lake"),
    scale: "small",
  });

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(tmp, { recursive: true });
  } catch { /* already gone */ }
});

interface Ord {
  side: number;
  price: bigint;
  size: number;
}

interface Rec {
  action: string;
  side: number;
  price: bigint;
  size: number;
  id: bigint;
  flags: number;
  tsE: bigint;
}

interface Counts {
  cancelRecords: number; // C of multi-lot orders outside trade events
  partialCancels: number;
  modifies: number; // M outside trade events
  priceModifies: number;
  sizeOnlyModifies: number;
  adds: number;
  tradeEvents: number;
  icebergFills: number;
  replenishes: number;
  exhaustedIcebergs: number;
  workedAggressors: number;
  aggressors: number;
  recoveries: { tsE: bigint; before: Map<bigint, Ord>; after: Map<bigint, Ord>; adds: number }[];
  badBook: bigint[];
  errors: string[];
}

function copy(m: Map<bigint, Ord>): Map<bigint, Ord> {
  return new Map([...m].map(([k, o]) => [k, { ...o }]));
}

/** Replays the day event by event (records up to F_LAST) and counts the features. */
async function count(path: string): Promise<Counts> {
  const k: Counts = {
    cancelRecords: 0,
    partialCancels: 0,
    modifies: 0,
    priceModifies: 0,
    sizeOnlyModifies: 0,
    adds: 0,
    tradeEvents: 0,
    icebergFills: 0,
    replenishes: 0,
    exhaustedIcebergs: 0,
    workedAggressors: 0,
    aggressors: 0,
    recoveries: [],
    badBook: [],
    errors: [],
  };
  const err = (m: string) => k.errors.length < 20 && k.errors.push(m);
  const book = new Map<bigint, Ord>();
  const aggSeconds = new Map<bigint, Set<bigint>>();
  let ev: Rec[] = [];
  const apply = (evs: Rec[]) => {
    const trade = evs.some((r) => r.action === "T");
    const live = evs[0].action === "R" && (evs[0].flags & 32) === 0;
    if (trade) k.tradeEvents++;
    let before: Map<bigint, Ord> | undefined;
    const overFilled = new Map<bigint, bigint>(); // iceberg id -> price until its M or C
    for (const r of evs) {
      const o = book.get(r.id);
      switch (r.action) {
        case "R":
          if (live) before = copy(book);
          book.clear();
          break;
        case "A":
          if (book.has(r.id)) err(`add of live ${r.id}`);
          book.set(r.id, { side: r.side, price: r.price, size: r.size });
          if (!live && (r.flags & 32) === 0) k.adds++;
          break;
        case "C":
          if (!o) {
            err(`cancel of unknown ${r.id}`);
            break;
          }
          if (r.size > o.size) err(`cancel ${r.size} > resting ${o.size}`);
          if (overFilled.has(r.id)) {
            k.exhaustedIcebergs++;
            overFilled.delete(r.id);
          }
          if (!trade && o.size > 1) {
            k.cancelRecords++;
            if (r.size < o.size) k.partialCancels++;
          }
          o.size -= r.size;
          if (o.size <= 0) book.delete(r.id);
          break;
        case "M":
          if (!o) {
            err(`modify of unknown ${r.id}`);
            break;
          }
          if (overFilled.has(r.id)) {
            if (overFilled.get(r.id) !== r.price) err(`iceberg ${r.id} moved`);
            overFilled.delete(r.id);
            k.replenishes++;
          } else if (!trade) {
            k.modifies++;
            if (r.price !== o.price) k.priceModifies++;
            else if (r.size !== o.size) k.sizeOnlyModifies++;
          }
          o.price = r.price;
          o.size = r.size;
          break;
        case "F":
          if (!o) err(`fill of unknown ${r.id}`);
          else if (r.size > o.size && r.side >= 0) {
            k.icebergFills++;
            overFilled.set(r.id, r.price);
          }
          break;
        case "T":
          if (r.id !== 0n) {
            const s = aggSeconds.get(r.id) ?? new Set();
            s.add(r.tsE / 1_000_000_000n);
            aggSeconds.set(r.id, s);
          }
          break;
      }
      if (r.flags & 4) k.badBook.push(r.tsE);
    }
    if (overFilled.size) err(`fill beyond the display without M or C: ${[...overFilled.keys()]}`);
    if (before) {
      k.recoveries.push({ tsE: evs[0].tsE, before, after: copy(book), adds: evs.length - 1 });
    }
  };
  const r = await openDbn(path);
  for await (const b of r.batches()) {
    if (b.kind !== "mbo") continue;
    const c = b.columns;
    for (let i = 0; i < c.length; i++) {
      const s = String.fromCharCode(c.side[i]);
      ev.push({
        action: String.fromCharCode(c.action[i]),
        side: s === "B" ? 0 : s === "A" ? 1 : -1,
        price: c.price[i],
        size: c.size[i],
        id: c.order_id[i],
        flags: c.flags[i],
        tsE: c.ts_event[i],
      });
      if (c.flags[i] & 128) {
        apply(ev);
        ev = [];
      }
    }
  }
  if (ev.length) apply(ev);
  k.aggressors = aggSeconds.size;
  for (const s of aggSeconds.values()) if (s.size > 1) k.workedAggressors++;
  return k;
}

let counted: Promise<Counts> | undefined;
const counts = async () => counted ??= count((await dayFile()).files[0].path);

Deno.test("future_mbo flow: partial cancels and price/size modifies at the stated rates", async () => {
  const k = await counts();
  assert.deepEqual(k.errors, []);
  // pPartialCancel 0.2 of ordinary cancels of multi-lot orders (a 1-lot cannot be reduced);
  // vacuum pulls, the halt's day-order expiry and ring purges are whole cancels, so the share
  // over all cancels is a little lower
  const partial = k.partialCancels / k.cancelRecords;
  assert.ok(
    partial > 0.14 && partial < 0.24,
    `partial cancels ${k.partialCancels}/${k.cancelRecords}`,
  );
  // pPriceModify 0.5: half the modifies move the price, the others change the size
  const moved = k.priceModifies / k.modifies;
  assert.ok(moved > 0.4 && moved < 0.6, `price modifies ${k.priceModifies}/${k.modifies}`);
  assert.equal(k.priceModifies + k.sizeOnlyModifies, k.modifies, "every modify changes something");
});

Deno.test("future_mbo flow: icebergs fill beyond their display and are replenished by M", async () => {
  const k = await counts();
  assert.deepEqual(k.errors, []);
  // 3 % of resting adds are icebergs; each is hit a few times before it is cancelled or used up
  assert.ok(
    k.icebergFills > 0.005 * k.adds && k.icebergFills < 0.06 * k.adds,
    JSON.stringify(k.icebergFills),
  );
  assert.equal(k.icebergFills, k.replenishes + k.exhaustedIcebergs);
  assert.ok(k.replenishes > 0 && k.exhaustedIcebergs >= 0);
});

Deno.test("future_mbo flow: worked aggressive orders trade under one id in several seconds", async () => {
  const k = await counts();
  // pSplit 0.08 of market orders (about a third of trade events, the rest are crossing limits)
  const share = k.workedAggressors / k.aggressors;
  assert.ok(share > 0.01 && share < 0.08, `worked ${k.workedAggressors}/${k.aggressors}`);
});

Deno.test("future_mbo flow: one in-session recovery rebuilds the book exactly after F_MAYBE_BAD_BOOK", async () => {
  const k = await counts();
  assert.equal(k.recoveries.length, 1, "0-1 recoveries a day; this seed has one");
  const rc = k.recoveries[0];
  assert.ok(rc.before.size > 100, `${rc.before.size} orders rebuilt`);
  assert.equal(rc.adds, rc.before.size);
  assert.deepEqual(rc.after, rc.before, "the adds after the R restore every order");
  // 2-4 flagged events in the 5 s before the recovery, none elsewhere
  assert.ok(k.badBook.length >= 2 && k.badBook.length < 40, `${k.badBook.length} flagged`);
  for (const t of k.badBook) {
    assert.ok(t < rc.tsE && t > rc.tsE - 5_000_000_000n, `flagged at ${t}, recovery ${rc.tsE}`);
  }
  // inside the US cash session (09:45-15:45 New York = 14:45-20:45 UTC in January)
  const sec = Number(rc.tsE / 1_000_000_000n % 86_400n);
  assert.ok(sec >= 14.75 * 3600 && sec <= 20.75 * 3600, `recovery at ${sec}`);
});

Deno.test("future_mbo flow: the sdk/book engine replays the day without anomalies", async () => {
  const res = await dayFile();
  const k = await counts();
  const { books } = await replayFile(res.files[0].path);
  const [b] = books.books();
  const a = b.anomalies;
  assert.equal(a.cancel_unknown, 0);
  assert.equal(a.modify_unknown, 0);
  assert.equal(a.fill_unknown, 0);
  assert.equal(a.cancel_oversize, 0);
  assert.equal(a.duplicate_add, 0);
  assert.equal(a.maybe_bad_book, k.badBook.length);
  assert.equal(b.clears, 2, "the start-of-day snapshot and the recovery");
  // crossed only inside the planted pre-open (sidecar episode "crossed")
  const side = JSON.parse(await Deno.readTextFile(res.sidecar));
  assert.equal(side.episodes.filter((e: { kind: string }) => e.kind === "crossed").length, 1);
  assert.ok(a.crossed > 0 && a.crossed < 200, `crossed ${a.crossed}`);
  assert.ok(b.valid, "the recovery cleared the bad-book state");
});
