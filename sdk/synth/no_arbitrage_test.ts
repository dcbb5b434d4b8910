// Synthetic option quotes obey the no-arbitrage bounds (issue 10) on a generated week. The
// underlying's price at each second end (exchange time, ts_event) comes from the underlying's own
// generated file (its book replayed by sdk/book), the option quotes from the option files (MBO books replayed by sdk/book,
// or OPRA's consolidated CMBP-1 BBO), strikes and rights from the definition files; nothing is
// taken from the generator's internal state.
import assert from "node:assert/strict";
import { join } from "node:path";
import { type InstrumentDefMsg, openDbn } from "../dbn/mod.ts";
import { OrderBooks } from "../book/mod.ts";
import { regularSession } from "../silver/session.ts";
import { generateDay, type SynthDayResult } from "./generate.ts";

const WEEK =
  (Deno.env.get("SYNTH_NOARB_DAYS") ?? "2026-02-02,2026-02-03,2026-02-04,2026-02-05,2026-02-06")
    .split(",");
const SEED = Number(Deno.env.get("SYNTH_TEST_SEED") ?? 3);
const UNDEF = 0x7fffffffffffffffn;
// seconds checked: every STRIDE-th (SYNTH_NOARB_STRIDE=1 checks every second; 7 keeps the suite fast)
const STRIDE = Number(Deno.env.get("SYNTH_NOARB_STRIDE") ?? 7);

const tmp = await Deno.makeTempDir({ prefix: "synth_noarb_test_" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(tmp, { recursive: true });
  } catch { /* gone */ }
});

const gen = (productType: SynthDayResult["productType"], date: string, symbol: string) =>
  generateDay({ productType, date, seed: SEED, lake: join(tmp, "lake"), symbol, scale: "small" });

const mainFile = (r: SynthDayResult) => r.files[0].path;

/** Per second end (ns since the epoch / 1e9): the single underlying book's best bid and ask. */
async function underlyingTops(path: string): Promise<Map<number, [number, number]>> {
  const tops = new Map<number, [number, number]>();
  const books: OrderBooks = new OrderBooks({
    clock: "ts_event",
    observer: {
      boundary(endNs) {
        for (const b of books.books()) {
          if (!b.valid || b.inSnapshot) continue;
          const bid = b.bestPrice("B"), ask = b.bestPrice("A");
          if (bid === bid && ask === ask) tops.set(Number(endNs / 1_000_000_000n), [bid, ask]);
        }
      },
    },
  });
  for await (const b of (await openDbn(path)).batches()) {
    if (b.kind === "mbo") books.applyBatch(b.columns);
  }
  books.finish();
  return tops;
}

interface Quote {
  iid: number;
  bid: number;
  ask: number;
}

/** Per second end: the two-sided top of every option book (MBO file). */
async function mboOptionTops(path: string): Promise<Map<number, Quote[]>> {
  const out = new Map<number, Quote[]>();
  const books: OrderBooks = new OrderBooks({
    clock: "ts_event",
    observer: {
      boundary(endNs) {
        const qs: Quote[] = [];
        for (const b of books.books()) {
          if (!b.valid || b.inSnapshot) continue;
          const bid = b.bestPrice("B"), ask = b.bestPrice("A");
          if (bid === bid && ask === ask) qs.push({ iid: b.instrument_id, bid, ask });
        }
        out.set(Number(endNs / 1_000_000_000n), qs);
      },
    },
  });
  for await (const b of (await openDbn(path)).batches()) {
    if (b.kind === "mbo") books.applyBatch(b.columns);
  }
  books.finish();
  return out;
}

/** Per second end: the consolidated two-sided BBO of every option (CMBP-1 file, ts_event clock). */
async function cmbpOptionTops(path: string): Promise<Map<number, Quote[]>> {
  const out = new Map<number, Quote[]>();
  const last = new Map<number, [bigint, bigint]>();
  let sec = -1;
  const snap = () => {
    const qs: Quote[] = [];
    for (const [iid, [b, a]] of last) {
      if (b !== UNDEF && a !== UNDEF && b > 0n && a > 0n) {
        qs.push({ iid, bid: Number(b), ask: Number(a) });
      }
    }
    out.set(sec + 1, qs);
  };
  for await (const b of (await openDbn(path)).batches()) {
    if (b.kind !== "cmbp1") continue;
    const c = b.columns;
    for (let i = 0; i < c.length; i++) {
      const s = Number(c.ts_event[i] / 1_000_000_000n);
      if (s !== sec) {
        if (sec >= 0) snap();
        sec = s;
      }
      last.set(c.instrument_id[i], [c.bid_px[i], c.ask_px[i]]);
    }
  }
  if (sec >= 0) snap();
  return out;
}

interface Defs {
  /** Strike (1e-9 units) and right per instrument id. */
  byId: Map<number, { strike: number; call: boolean }>;
  /** Expiration second (UTC epoch): quotes are checked up to it. */
  expirySec: number;
}

/** Strikes, rights and the expiration of the options, from the definition file. */
async function definitions(path: string): Promise<Defs> {
  const byId = new Map<number, { strike: number; call: boolean }>();
  let expirySec = Infinity;
  for await (const r of (await openDbn(path)).records()) {
    const d = r as InstrumentDefMsg;
    if (d.instrument_class !== "C" && d.instrument_class !== "P") continue;
    byId.set(d.instrument_id, { strike: Number(d.strike_price), call: d.instrument_class === "C" });
    expirySec = Math.min(expirySec, Number(d.expiration / 1_000_000_000n));
  }
  // OPRA definitions carry the expiry date (00:00 UTC): the options expire at its session's close
  if (expirySec % 86_400 === 0) {
    const day = new Date(expirySec * 1000).toISOString().slice(0, 10);
    expirySec = Number(regularSession(day).endNs / 1_000_000_000n);
  }
  return { byId, expirySec };
}

interface Tally {
  quotes: number;
  crossed: number;
  askBelowIntrinsic: number;
  bidBelowIntrinsic: number;
  worstBidGapTicks: number;
  vertical: number;
  parity: number;
  pairs: number;
  worst: string[];
}

/**
 * Checks every two-sided option quote at every second end against the underlying's top at that
 * second (prices in 1e-9 units; `tick` = option tick; `bidTol` in option ticks):
 * - bid < ask;
 * - ask ≥ intrinsic at the underlying's executable price (call: bid_U − K, put: K − ask_U):
 *   otherwise buying the option and trading the underlying locks in a profit;
 * - (counted, not asserted) bids more than `bidTol` ticks + 2 % of intrinsic below intrinsic at
 *   the underlying's mid: a bid below intrinsic is no arbitrage (selling to it only loses);
 * - monotone in strike: for K1 < K2, ask_call(K1) ≥ bid_call(K2) and ask_put(K2) ≥ bid_put(K1);
 * - put-call parity within the spreads (0DTE, no carry): bid_C − ask_P ≤ ask_U − K and
 *   ask_C − bid_P ≥ bid_U − K.
 */
function check(
  tops: Map<number, [number, number]>,
  quotes: Map<number, Quote[]>,
  { byId: defs, expirySec }: Defs,
  tick: number,
  bidTol: number,
): Tally {
  const t: Tally = {
    quotes: 0,
    crossed: 0,
    askBelowIntrinsic: 0,
    bidBelowIntrinsic: 0,
    worstBidGapTicks: 0,
    vertical: 0,
    parity: 0,
    pairs: 0,
    worst: [],
  };
  const note = (s: string) => t.worst.length < 5 && t.worst.push(s);
  for (const [sec, qs] of quotes) {
    if (sec % STRIDE !== 0) continue;
    const u = tops.get(sec);
    // no reference: the underlying is one-sided, or crossed (the pre-open before the reopen)
    if (!u || u[0] >= u[1] || sec > expirySec) continue;
    const [bu, au] = u, mid = (bu + au) / 2;
    const calls: [number, Quote][] = [], puts: [number, Quote][] = [];
    for (const q of qs) {
      const d = defs.get(q.iid);
      if (!d) continue;
      t.quotes++;
      if (!(q.bid < q.ask)) t.crossed++;
      const exec = d.call ? bu - d.strike : d.strike - au;
      if (q.ask < exec) {
        t.askBelowIntrinsic++;
        note(`${sec}: ${d.call ? "C" : "P"} ${d.strike / 1e9} ask ${q.ask / 1e9} < ${exec / 1e9}`);
      }
      const intr = Math.max(0, d.call ? mid - d.strike : d.strike - mid);
      const gap = (intr - q.bid) / tick;
      if (gap > bidTol + 0.02 * intr / tick + 1e-9) {
        t.bidBelowIntrinsic++;
        note(
          `${sec}: ${d.call ? "C" : "P"} ${d.strike / 1e9} bid ${q.bid / 1e9}, intrinsic ${
            intr / 1e9
          }`,
        );
      }
      if (gap > t.worstBidGapTicks) t.worstBidGapTicks = gap;
      (d.call ? calls : puts).push([d.strike, q]);
    }
    calls.sort((a, b) => a[0] - b[0]);
    puts.sort((a, b) => a[0] - b[0]);
    let minAsk = Infinity;
    for (const [k, q] of calls) {
      if (q.bid > minAsk) {
        t.vertical++;
        note(`${sec}: call ${k / 1e9} bid ${q.bid / 1e9} > a lower strike's ask ${minAsk / 1e9}`);
      }
      minAsk = Math.min(minAsk, q.ask);
    }
    let maxBid = -Infinity;
    for (const [k, q] of puts) {
      if (q.ask < maxBid) {
        t.vertical++;
        note(`${sec}: put ${k / 1e9} ask ${q.ask / 1e9} < a lower strike's bid ${maxBid / 1e9}`);
      }
      maxBid = Math.max(maxBid, q.bid);
    }
    const putAt = new Map(puts.map(([k, q]) => [k, q]));
    for (const [k, c] of calls) {
      const p = putAt.get(k);
      if (!p) continue;
      t.pairs++;
      if (c.bid - p.ask > au - k || c.ask - p.bid < bu - k) {
        t.parity++;
        note(
          `${sec}: parity at ${k / 1e9}: C ${c.bid / 1e9}/${c.ask / 1e9} P ${p.bid / 1e9}/${
            p.ask / 1e9
          } U ${bu / 1e9}/${au / 1e9}`,
        );
      }
    }
  }
  return t;
}

function assertClean(what: string, t: Tally, bidTol: number): void {
  const msg = `${what}: ${JSON.stringify({ ...t, worst: undefined })}; e.g. ${t.worst.join("; ")}`;
  assert.ok(t.quotes > 10_000 / STRIDE, msg);
  assert.ok(t.pairs > 1_000 / STRIDE, msg);
  assert.equal(t.crossed, 0, msg);
  assert.equal(t.askBelowIntrinsic, 0, msg);
  assert.equal(t.vertical, 0, msg);
  assert.equal(t.parity, 0, msg);
  // bidBelowIntrinsic / worstBidGapTicks are reported, not bounded: a bid below intrinsic is no
  // arbitrage (selling to it only loses), and deep in-the-money bids are not kept near value
  void bidTol;
}

Deno.test("futures options (MNQ 0DTE): no-arbitrage bounds over a generated week", async () => {
  for (const date of WEEK) {
    const fut = await gen("future_mbo", date, "MNQ");
    const opt = await gen("future_option_mbo", date, "MNQ");
    const def = opt.files.find((f) => f.schema === "definition")!.path;
    const t = check(
      await underlyingTops(mainFile(fut)),
      await mboOptionTops(mainFile(opt)),
      await definitions(def),
      250_000_000,
      FUT_BID_TOL,
    );
    assertClean(`MNQ ${date}`, t, FUT_BID_TOL);
  }
});

Deno.test("equity options (QQQ, OPRA CMBP-1): no-arbitrage bounds over a generated week", async () => {
  for (const date of WEEK) {
    const eq = await gen("equity_mbo", date, "QQQ");
    const opt = await gen("equity_option_cmbp_1", date, "QQQ");
    const def = opt.files.find((f) => f.schema === "definition")!.path;
    const t = check(
      await underlyingTops(mainFile(eq)),
      await cmbpOptionTops(mainFile(opt)),
      await definitions(def),
      10_000_000,
      EQ_BID_TOL,
    );
    assertClean(`QQQ ${date}`, t, EQ_BID_TOL);
  }
});

// bid tolerance: 2 option ticks + 2 % of intrinsic (see check())
const FUT_BID_TOL = 2;
const EQ_BID_TOL = 2;
