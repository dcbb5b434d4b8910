// End-to-end checks of generated days: decoded with the DBN codec, replayed by a small
// independent reference book (Maps, Databento's documented MBO rules), and compared with the
// product table, the intended session profile and the planted episodes.
import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { join } from "node:path";
import { type InstrumentDefMsg, type MboColumns, openDbn, type StatMsg } from "../dbn/mod.ts";
import { generateDay, type SynthDayResult } from "./generate.ts";
import { intensityProfile } from "./intensity.ts";

const DATE = "2026-01-06"; // a Tuesday in EST: Globex reopens at 23:00 UTC
const TWO53 = 2n ** 53n;
// SYNTH_TEST_SEED reproduces a run with another seed (default 11)
const SEED = Number(Deno.env.get("SYNTH_TEST_SEED") ?? 11);

const tmp = await Deno.makeTempDir({ prefix: "synth_test_" });
const days = new Map<string, Promise<SynthDayResult>>();
function day(
  productType: SynthDayResult["productType"],
  seed = SEED,
  lake = join(tmp, "lake"),
): Promise<SynthDayResult> {
  const key = `${productType}|${seed}|${lake}`;
  if (!days.has(key)) {
    days.set(key, generateDay({ productType, date: DATE, seed, lake, scale: "small" }));
  }
  return days.get(key)!;
}

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(tmp, { recursive: true });
  } catch { /* already gone */ }
});

// ------------------------------------------------------------------------- reference replay

interface Ord {
  side: number;
  price: number;
  size: number;
}

class RefBook {
  orders = new Map<bigint, Ord>();
  levels = [new Map<number, number>(), new Map<number, number>()]; // 0 bid, 1 ask
  #best = [-Infinity, Infinity];
  #dirty = [false, false];

  clear(): void {
    this.orders.clear();
    this.levels[0].clear();
    this.levels[1].clear();
    this.#best = [-Infinity, Infinity];
    this.#dirty = [false, false];
  }

  #change(side: number, price: number, dq: number): void {
    const m = this.levels[side];
    const q = (m.get(price) ?? 0) + dq;
    if (q <= 0) {
      m.delete(price);
      if (price === this.#best[side]) this.#dirty[side] = true;
    } else {
      m.set(price, q);
      if (side === 0 ? price > this.#best[0] : price < this.#best[1]) this.#best[side] = price;
    }
  }

  best(side: number): number {
    if (this.#dirty[side]) {
      let b = side === 0 ? -Infinity : Infinity;
      for (const p of this.levels[side].keys()) if (side === 0 ? p > b : p < b) b = p;
      this.#best[side] = b;
      this.#dirty[side] = false;
    }
    return this.#best[side];
  }

  add(id: bigint, side: number, price: number, size: number): void {
    this.orders.set(id, { side, price, size });
    this.#change(side, price, size);
  }

  reduce(id: bigint, size: number): void {
    const o = this.orders.get(id)!;
    this.#change(o.side, o.price, -size);
    o.size -= size;
    if (o.size <= 0) this.orders.delete(id);
  }

  modify(id: bigint, price: number, size: number): void {
    const o = this.orders.get(id)!;
    this.#change(o.side, o.price, -o.size);
    o.price = price;
    o.size = size;
    this.#change(o.side, price, size);
  }

  depth(side: number, lo: number, hi: number): number {
    let q = 0;
    for (const [p, v] of this.levels[side]) if (p >= lo && p <= hi) q += v;
    return q;
  }
}

interface Checkpoint {
  ts: bigint;
  side: number;
  lo: number;
  hi: number;
  depth?: number;
}

interface ReplayReport {
  records: number;
  errors: string[];
  crossedOutside: number;
  crossedInside: number;
  actions: Record<string, number>;
  addsPerMinute: Float64Array;
  maxOrderId: bigint;
  lastRecvMonotonic: boolean;
  liveEventMonotonic: boolean;
  snapshotRecords: number;
  iids: Set<number>;
  tradeEvents: number;
  books: Map<number, RefBook>;
}

/** Replays MBO columns with the documented rules, checking every record. */
async function replay(
  path: string,
  tickOf: Map<number, bigint>,
  crossedWindows: [bigint, bigint][],
  checkpoints: Checkpoint[],
  dayStart: bigint,
): Promise<ReplayReport> {
  const r = await openDbn(path);
  const rep: ReplayReport = {
    records: 0,
    errors: [],
    crossedOutside: 0,
    crossedInside: 0,
    actions: {},
    addsPerMinute: new Float64Array(1440),
    maxOrderId: 0n,
    lastRecvMonotonic: true,
    liveEventMonotonic: true,
    snapshotRecords: 0,
    iids: new Set(),
    tradeEvents: 0,
    books: new Map(),
  };
  const err = (m: string) => {
    if (rep.errors.length < 20) rep.errors.push(m);
  };
  const cps = [...checkpoints].sort((a, b) => (a.ts < b.ts ? -1 : 1));
  let ci = 0;
  let lastRecv = 0n, lastLive = 0n;
  let evT = 0, evF = 0, evAuction = false;
  for await (const b of r.batches()) {
    assert.equal(b.kind, "mbo", "an MBO file holds only MBO records");
    if (b.kind !== "mbo") continue;
    const c = b.columns;
    for (let i = 0; i < c.length; i++) {
      const n = rep.records++;
      const iid = c.instrument_id[i];
      rep.iids.add(iid);
      let book = rep.books.get(iid);
      if (!book) rep.books.set(iid, book = new RefBook());
      const action = String.fromCharCode(c.action[i]);
      const sideCh = String.fromCharCode(c.side[i]);
      const side = sideCh === "B" ? 0 : sideCh === "A" ? 1 : -1;
      const id = c.order_id[i];
      const price = c.price[i];
      const size = c.size[i];
      const flags = c.flags[i];
      const tsE = c.ts_event[i], tsR = c.ts_recv[i];
      rep.actions[action] = (rep.actions[action] ?? 0) + 1;
      if (id > rep.maxOrderId) rep.maxOrderId = id;
      if (tsR < lastRecv) rep.lastRecvMonotonic = false;
      lastRecv = tsR;
      const snap = (flags & 32) !== 0;
      if (snap) rep.snapshotRecords++;
      else {
        if (tsE < lastLive) rep.liveEventMonotonic = false;
        lastLive = tsE;
      }
      while (ci < cps.length && tsE >= cps[ci].ts && !snap) {
        const cp = cps[ci++];
        const bk = rep.books.get(iid)!;
        cp.depth = bk.depth(cp.side, cp.lo, cp.hi);
      }
      const tick = tickOf.get(iid);
      if (tick === undefined) err(`#${n}: instrument ${iid} has no definition`);
      const onGrid = (p: bigint) => tick !== undefined && p % tick === 0n && p > 0n;
      const p = Number(price);
      switch (action) {
        case "R":
          book.clear();
          break;
        case "A":
          if (side < 0) err(`#${n}: add without side`);
          if (size <= 0) err(`#${n}: add size ${size}`);
          if (!onGrid(price)) err(`#${n}: add price ${price} off the tick grid`);
          if (book.orders.has(id)) err(`#${n}: add of live order ${id}`);
          book.add(id, side, p, size);
          if (!snap) rep.addsPerMinute[Number((tsE - dayStart) / 60_000_000_000n)]++;
          break;
        case "C": {
          const o = book.orders.get(id);
          if (!o) err(`#${n}: cancel of unknown order ${id}`);
          else {
            if (size <= 0 || size > o.size) {
              err(`#${n}: cancel size ${size} of order with ${o.size}`);
            }
            if (o.price !== p || o.side !== side) {
              err(`#${n}: cancel price/side differ from order ${id}`);
            }
            book.reduce(id, size);
          }
          break;
        }
        case "M": {
          const o = book.orders.get(id);
          if (!o) err(`#${n}: modify of unknown order ${id}`);
          else {
            if (size <= 0) err(`#${n}: modify size ${size}`);
            if (!onGrid(price)) err(`#${n}: modify price off grid`);
            if (o.side !== side) err(`#${n}: modify changes side`);
            book.modify(id, p, size);
          }
          break;
        }
        case "T":
          if (size <= 0) err(`#${n}: trade size ${size}`);
          if (!onGrid(price)) err(`#${n}: trade price off grid`);
          evT += size;
          evAuction = side < 0 && id === 0n;
          break;
        case "F": {
          const o = book.orders.get(id);
          if (!o) err(`#${n}: fill of unknown order ${id}`);
          else {
            if (size <= 0 || size > o.size) err(`#${n}: fill size ${size} of order with ${o.size}`);
            if (side >= 0 && (o.side !== side || o.price !== p)) {
              err(`#${n}: fill price/side differ from order`);
            }
          }
          evF += size;
          break;
        }
        default:
          err(`#${n}: unexpected action ${action}`);
      }
      if (flags & 128) {
        if (evF > 0 || evT > 0) {
          rep.tradeEvents++;
          const want = evAuction ? 2 * evT : evT;
          if (evF !== want && evF > 0) err(`#${n}: fills ${evF} do not match trades ${evT}`);
        }
        evT = evF = 0;
        evAuction = false;
        const bb = book.best(0), ba = book.best(1);
        if (bb >= ba) {
          const inside = crossedWindows.some(([a, z]) => tsE >= a && tsE <= z);
          if (inside) rep.crossedInside++;
          else {
            rep.crossedOutside++;
            err(`#${n}: book crossed/locked ${bb} >= ${ba} at ${tsE}`);
          }
        }
      }
    }
  }
  return rep;
}

async function definitions(path: string): Promise<InstrumentDefMsg[]> {
  const r = await openDbn(path);
  const out: InstrumentDefMsg[] = [];
  for await (const rec of r.records()) out.push(rec as InstrumentDefMsg);
  assert.equal(r.metadata?.schema, "definition");
  return out;
}

function tickMap(defs: InstrumentDefMsg[]): Map<number, bigint> {
  return new Map(defs.map((d) => [d.instrument_id, d.min_price_increment]));
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n, mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

const DAY_NS = 1_767_657_600_000_000_000n; // 2026-01-06T00:00:00Z
const MIN = (h: number, m: number) => (h + 5) * 60 + m; // EST (UTC-5) wall clock -> UTC minute of day

// ------------------------------------------------------------------------- future_mbo

Deno.test("future_mbo: files in the downloader layout, metadata like a batch download", async () => {
  const res = await day("future_mbo");
  assert.equal(res.symbol, "MNQH6");
  assert.match(
    res.files[0].path,
    /raw\/source=synthetic\/product_type=future_mbo\/symbol=MNQ\/table=market_by_order_dbn\/glbx-mdp3-20260106\.mbo\.dbn\.zst$/,
  );
  assert.match(
    res.files[1].path,
    /dataset=definition\/venue=glbx\/type=futures\/symbol=MNQ\/glbx-mdp3-20260106\.definition\.dbn\.zst$/,
  );
  assert.match(res.sidecar, /glbx-mdp3-20260106\.mbo\.synth\.json$/);
  const r = await openDbn(res.files[0].path);
  const m = r.metadata!;
  await r.close();
  assert.equal(m.version, 3);
  assert.equal(m.dataset, "GLBX.MDP3");
  assert.equal(m.schema, "mbo");
  assert.equal(m.stype_in, "raw_symbol");
  assert.equal(m.stype_out, "instrument_id");
  assert.deepEqual(m.symbols, ["MNQH6"]);
  assert.equal(m.start, DAY_NS);
  assert.equal(m.end, DAY_NS + 86_400_000_000_000n);
  assert.equal(m.mappings.length, 1);
  assert.deepEqual(m.mappings[0].intervals.map((i) => [i.start_date, i.end_date]), [[
    "2026-01-06",
    "2026-01-07",
  ]]);
  const defs = await definitions(res.files[1].path);
  assert.equal(defs.length, 1);
  assert.equal(defs[0].raw_symbol, "MNQH6");
  assert.equal(defs[0].instrument_class, "F");
  assert.equal(defs[0].min_price_increment, 250_000_000n); // MNQ tick 0.25 (pipeline.md §1.2)
  assert.equal(String(defs[0].instrument_id), m.mappings[0].intervals[0].symbol);
});

Deno.test("future_mbo: every record obeys the MBO rules and the book is never crossed except in the planted pre-open", async () => {
  const res = await day("future_mbo");
  const defs = await definitions(res.files[1].path);
  const side = JSON.parse(await Deno.readTextFile(res.sidecar));
  const crossed: [bigint, bigint][] = side.episodes.filter((e: { kind: string }) =>
    e.kind === "crossed"
  )
    .map((e: { start_ts: string; end_ts: string }) => [BigInt(e.start_ts), BigInt(e.end_ts)]);
  assert.equal(crossed.length, 1, "Tuesday: one Globex reopen with a pre-open");
  // the pre-open is 17:45-18:00 EST = 22:45-23:00 UTC
  assert.equal(crossed[0][0], DAY_NS + BigInt(MIN(17, 45)) * 60_000_000_000n);
  assert.equal(crossed[0][1], DAY_NS + BigInt(MIN(18, 0)) * 60_000_000_000n);
  const rep = await replay(res.files[0].path, tickMap(defs), crossed, [], DAY_NS);
  assert.deepEqual(rep.errors, []);
  assert.equal(rep.records, res.counts.records);
  assert.ok(rep.crossedInside > 0, "the pre-open book does cross");
  assert.equal(rep.crossedOutside, 0);
  assert.ok(rep.lastRecvMonotonic, "ts_recv never decreases");
  assert.ok(rep.liveEventMonotonic, "live ts_event never decreases");
  assert.ok(rep.maxOrderId > TWO53, "some order ids exceed 2^53");
  assert.deepEqual([...rep.iids], [defs[0].instrument_id]);
  for (const a of ["A", "C", "M", "T", "F", "R"]) {
    assert.equal(rep.actions[a] ?? 0, res.counts[a], a);
  }
});

Deno.test("future_mbo: 00:00 UTC snapshot is an R then adds flagged F_SNAPSHOT|F_BAD_TS_RECV with past ts_event", async () => {
  const res = await day("future_mbo");
  const r = await openDbn(res.files[0].path);
  const it = r.batches();
  const first = (await it.next()).value!;
  await r.close();
  assert.equal(first.kind, "mbo");
  const c = first.columns as MboColumns;
  assert.equal(String.fromCharCode(c.action[0]), "R");
  assert.equal(c.flags[0], 40);
  assert.equal(c.ts_recv[0], DAY_NS);
  let n = 1;
  while (c.flags[n] & 32) {
    assert.equal(String.fromCharCode(c.action[n]), "A");
    assert.equal(c.flags[n] & 40, 40);
    assert.equal(c.ts_recv[n], DAY_NS);
    assert.ok(c.ts_event[n] < DAY_NS, "snapshot orders were placed before the snapshot");
    assert.ok(c.ts_event[n] >= c.ts_event[n - 1], "oldest first");
    n++;
  }
  assert.ok(n > 500, `snapshot has ${n - 1} orders`);
  assert.equal(c.flags[n - 1], 168, "F_LAST closes the snapshot");
  assert.equal(c.ts_event[0], c.ts_event[1], "the R carries the first add's ts_event");
  assert.equal(c.flags[n] & 32, 0);
  assert.ok(c.ts_event[n] > DAY_NS);
});

Deno.test("future_mbo: arrivals follow the session profile; cancel/add and trade ratios in range", async () => {
  const res = await day("future_mbo");
  const defs = await definitions(res.files[1].path);
  const rep = await replay(res.files[0].path, tickMap(defs), [[0n, 2n ** 64n - 1n]], [], DAY_NS);
  const prof = intensityProfile("future_mbo", DATE);
  const expected: number[] = [], seen: number[] = [];
  for (let m = 0; m < 1440; m++) {
    let e = 0;
    for (let s = m * 60; s < m * 60 + 60; s++) e += prof[s];
    expected.push(e);
    seen.push(rep.addsPerMinute[m]);
  }
  assert.ok(
    pearson(expected, seen) > 0.8,
    `per-minute adds correlate with the profile: r=${pearson(expected, seen)}`,
  );
  // halt 17:00-17:45 EST (22:00-22:45 UTC): no new orders at all
  for (let m = MIN(17, 0); m < MIN(17, 45); m++) {
    assert.equal(rep.addsPerMinute[m], 0, `minute ${m}`);
  }
  // the cash open is much busier than the night (profile 2.96 vs 0.15 on average)
  const open = seen.slice(MIN(9, 30), MIN(9, 45)).reduce((a, b) => a + b, 0) / 15;
  const night = seen.slice(240, 360).reduce((a, b) => a + b, 0) / 120; // 23:00-01:00 EST
  const ratio = open / Math.max(night, 1e-9);
  assert.ok(ratio > 8 && ratio < 60, `open/night add rate ${ratio}`);
  const a = rep.actions;
  const cancelToAdd = a.C / a.A;
  assert.ok(cancelToAdd > 0.8 && cancelToAdd < 1.1, `cancel/add ${cancelToAdd}`);
  const tradesToAdds = a.T / a.A;
  assert.ok(tradesToAdds > 0.05 && tradesToAdds < 0.5, `trades/adds ${tradesToAdds}`);
  assert.ok(a.F >= a.T, "every trade has at least one fill");
  assert.ok(a.M / a.A > 0.05 && a.M / a.A < 0.5, `modifies/adds ${a.M / a.A}`);
});

Deno.test("future_mbo: planted vacuums show as depth drops and walls as depth build-ups in the rebuilt book", async () => {
  const res = await day("future_mbo");
  const defs = await definitions(res.files[1].path);
  const tick = Number(defs[0].min_price_increment);
  const side = JSON.parse(await Deno.readTextFile(res.sidecar));
  const vac = side.episodes.filter((e: { kind: string }) => e.kind === "vacuum");
  const walls = side.episodes.filter((e: { kind: string }) => e.kind === "wall");
  assert.ok(vac.length >= 4 && walls.length >= 2, `${vac.length} vacuums, ${walls.length} walls`);
  const cps: Checkpoint[] = [];
  for (const v of vac) {
    const s = v.side === "bid" ? 0 : 1;
    const lo = Number(BigInt(v.price_lo_int)), hi = Number(BigInt(v.price_hi_int));
    assert.equal((hi - lo) % tick, 0);
    cps.push({ ts: BigInt(v.start_ts), side: s, lo, hi }, {
      ts: BigInt(v.details.move_start_ns),
      side: s,
      lo,
      hi,
    });
  }
  for (const w of walls) {
    const s = w.side === "bid" ? 0 : 1;
    const p = Number(BigInt(w.price_lo_int));
    cps.push({ ts: BigInt(w.start_ts), side: s, lo: p, hi: p }, {
      ts: BigInt(w.details.build_end_ns),
      side: s,
      lo: p,
      hi: p,
    });
  }
  await replay(res.files[0].path, tickMap(defs), [[0n, 2n ** 64n - 1n]], cps, DAY_NS);
  for (let i = 0; i < vac.length; i++) {
    const before = cps[2 * i].depth!, atMove = cps[2 * i + 1].depth!;
    assert.ok(before > 0, `vacuum ${i}: liquidity to pull`);
    assert.ok(atMove <= 0.2 * before, `vacuum ${i}: depth ${before} -> ${atMove}`);
  }
  for (let i = 0; i < walls.length; i++) {
    const before = cps[2 * vac.length + 2 * i].depth!,
      built = cps[2 * vac.length + 2 * i + 1].depth!;
    assert.ok(built >= before + 100, `wall ${i}: depth ${before} -> ${built}`);
  }
});

// ------------------------------------------------------------------------- future_option_mbo

Deno.test("future_option_mbo: 0DTE chain, definitions where bronze looks, statistics, valid MBO", async () => {
  const res = await day("future_option_mbo");
  const [mbo, stats, def, resolved] = res.files;
  assert.match(
    mbo.path,
    /product_type=future_option_mbo\/symbol=MNQ\/table=market_by_order_dbn\/glbx-mdp3-20260106\.mbo\.dbn\.zst$/,
  );
  assert.match(
    stats.path,
    /product_type=future_option_mbo\/symbol=MNQ\/table=statistics\/glbx-mdp3-20260106\.statistics\.dbn\.zst$/,
  );
  assert.match(
    def.path,
    /dataset=definition\/venue=glbx\/type=futures_options\/symbol=MNQ\/glbx-mdp3-20260106\.definition\.dbn\.zst$/,
  );
  assert.match(resolved.path, /resolved_2026-01-06\.json$/);
  const defs = await definitions(def.path);
  const exp = DAY_NS + BigInt(MIN(16, 0)) * 60_000_000_000n; // 16:00 EST
  for (const d of defs) {
    assert.ok(d.instrument_class === "C" || d.instrument_class === "P");
    assert.equal(d.underlying, "MNQH6");
    assert.equal(d.expiration, exp);
    assert.equal(d.strike_price % 5_000_000_000n, 0n, "MNQ strike step 5.0");
    // 2026-01-06 is the first Tuesday: MNQ daily options code D1B (downloader.md §2.3)
    assert.match(d.raw_symbol, /^D1BF6 [CP]\d+$/);
    assert.equal(d.raw_symbol.slice(7), String(d.strike_price / 1_000_000_000n));
    assert.equal(d.raw_symbol[6], d.instrument_class);
  }
  const json = JSON.parse(await Deno.readTextFile(resolved.path));
  assert.equal(json.parent, "D1B.OPT");
  assert.equal(json.label, "0dte");
  assert.deepEqual(json.raw_symbols, defs.map((d) => d.raw_symbol).sort());
  const r = await openDbn(mbo.path);
  const m = r.metadata!;
  await r.close();
  assert.deepEqual(m.symbols, json.raw_symbols);
  const ids = new Map(m.mappings.map((x) => [x.raw_symbol, Number(x.intervals[0].symbol)]));
  for (const d of defs) assert.equal(ids.get(d.raw_symbol), d.instrument_id);
  const rep = await replay(mbo.path, tickMap(defs), [], [], DAY_NS);
  assert.deepEqual(rep.errors, []);
  assert.equal(rep.crossedOutside, 0);
  for (const iid of rep.iids) {
    assert.ok(ids.has(defs.find((d) => d.instrument_id === iid)!.raw_symbol));
  }
  assert.equal(rep.actions.R, defs.length, "one clear per option in the snapshot");
  assert.ok(rep.actions.T > 0 && rep.actions.F >= rep.actions.T);
  // nothing after the 16:00 EST expiry
  const last = (rep.addsPerMinute as Float64Array).slice(MIN(16, 0)).reduce((a, b) => a + b, 0);
  assert.equal(last, 0);
  // statistics refer to defined options only
  const sr = await openDbn(stats.path);
  const defined = new Set(defs.map((d) => d.instrument_id));
  let n = 0;
  for await (const s of sr.records()) {
    const st = s as StatMsg;
    assert.ok(defined.has(st.instrument_id));
    assert.ok([1, 3, 4, 5, 6, 9].includes(st.stat_type));
    n++;
  }
  assert.ok(n >= 2 * defs.length);
});

Deno.test("future_option_mbo: option books follow the underlying (put-call parity, ordered strikes)", async () => {
  const res = await day("future_option_mbo");
  const defs = await definitions(res.files[2].path);
  const fut = await day("future_mbo");
  const futDefs = await definitions(fut.files[1].path);
  let checked = 0;
  for (const [h, m] of [[10, 30], [13, 0], [15, 0]]) {
    const at = DAY_NS + BigInt(MIN(h, m)) * 60_000_000_000n;
    const [opt, und] = await Promise.all([
      booksAt(res.files[0].path, at),
      booksAt(fut.files[0].path, at),
    ]);
    const ub = und.get(futDefs[0].instrument_id)!;
    const spot = (ub.best(0) + ub.best(1)) / 2e9;
    const mid = new Map<string, number>();
    for (const d of defs) {
      const b = opt.get(d.instrument_id);
      if (!b) continue;
      const bid = b.best(0), ask = b.best(1);
      if (Number.isFinite(bid) && Number.isFinite(ask)) mid.set(d.raw_symbol, (bid + ask) / 2e9);
    }
    // put-call parity C - P = F - K: across strikes near the money, C - P falls one for one with K
    const ks: number[] = [], diffs: number[] = [], calls: number[][] = [], puts: number[][] = [];
    for (const d of defs) {
      const k = Number(d.strike_price) / 1e9;
      if (Math.abs(spot - k) > 60) continue;
      const v = mid.get(d.raw_symbol);
      if (v !== undefined) (d.instrument_class === "C" ? calls : puts).push([k, v]);
      if (d.instrument_class !== "C") continue;
      const c = mid.get(d.raw_symbol), p = mid.get(d.raw_symbol.replace(" C", " P"));
      if (c === undefined || p === undefined) continue;
      ks.push(k);
      diffs.push(c - p);
    }
    assert.ok(ks.length >= 8, `${h}:${m}: ${ks.length} strikes with two-sided calls and puts`);
    const slope = pearson(ks, diffs) * sd(diffs) / sd(ks);
    assert.ok(slope < -0.7 && slope > -1.3, `${h}:${m}: d(C - P)/dK = ${slope}`);
    const offset = diffs.reduce((a, b, i) => a + b + ks[i], 0) / ks.length; // estimate of F
    assert.ok(Math.abs(offset - spot) < 40, `${h}:${m}: parity forward ${offset} vs spot ${spot}`);
    // calls fall and puts rise with the strike
    const rc = pearson(calls.map((x) => x[0]), calls.map((x) => x[1]));
    const rp = pearson(puts.map((x) => x[0]), puts.map((x) => x[1]));
    assert.ok(rc < -0.8 && rp > 0.8, `${h}:${m}: strike/mid correlation calls ${rc}, puts ${rp}`);
    checked += ks.length;
  }
  assert.ok(checked >= 30, `${checked} strikes checked`);
});

function sd(a: number[]): number {
  const m = a.reduce((s, x) => s + x, 0) / a.length;
  return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length);
}

async function booksAt(path: string, ts: bigint): Promise<Map<number, RefBook>> {
  const r = await openDbn(path);
  const books = new Map<number, RefBook>();
  outer: for await (const b of r.batches()) {
    if (b.kind !== "mbo") continue;
    const c = b.columns;
    for (let i = 0; i < c.length; i++) {
      if (!(c.flags[i] & 32) && c.ts_event[i] >= ts) break outer;
      const iid = c.instrument_id[i];
      let bk = books.get(iid);
      if (!bk) books.set(iid, bk = new RefBook());
      const a = c.action[i], id = c.order_id[i];
      if (a === 82) bk.clear();
      else if (a === 65) bk.add(id, c.side[i] === 66 ? 0 : 1, Number(c.price[i]), c.size[i]);
      else if (a === 67) bk.reduce(id, c.size[i]);
      else if (a === 77) bk.modify(id, Number(c.price[i]), c.size[i]);
    }
  }
  await r.close();
  return books;
}

// ------------------------------------------------------------------------- equity_mbo

Deno.test("equity_mbo: XNAS day from the session clear, no snapshot, valid MBO, episodes planted", async () => {
  const res = await day("equity_mbo");
  assert.match(
    res.files[0].path,
    /product_type=equity_mbo\/symbol=QQQ\/table=market_by_order_dbn\/xnas-itch-20260106\.mbo\.dbn\.zst$/,
  );
  assert.match(
    res.files[1].path,
    /dataset=definition\/venue=xnas\/symbol=QQQ\/xnas-itch-20260106\.definition\.dbn\.zst$/,
  );
  const defs = await definitions(res.files[1].path);
  assert.equal(defs[0].raw_symbol, "QQQ");
  assert.equal(defs[0].min_price_increment, 10_000_000n); // $0.01
  assert.equal(defs[0].publisher_id, 2);
  const r = await openDbn(res.files[0].path);
  assert.equal(r.metadata!.dataset, "XNAS.ITCH");
  const first = (await r.batches().next()).value!;
  await r.close();
  const c = first.columns as MboColumns;
  assert.equal(String.fromCharCode(c.action[0]), "R");
  assert.equal(c.publisher_id[0], 2);
  assert.equal(c.flags[0] & 32, 0, "no snapshot on XNAS");
  assert.equal(c.ts_event[0], DAY_NS + BigInt(MIN(3, 59)) * 60_000_000_000n + 1000n);
  const rep = await replay(res.files[0].path, tickMap(defs), [], [], DAY_NS);
  assert.deepEqual(rep.errors, []);
  assert.equal(rep.crossedOutside, 0);
  assert.equal(rep.snapshotRecords, 0);
  assert.ok(rep.maxOrderId > TWO53);
  // no order flow before 04:00 or after 19:00 EST (= 24:00 UTC, the end of the file's day)
  assert.equal(rep.addsPerMinute.slice(0, MIN(4, 0)).reduce((a, b) => a + b, 0), 0);
  assert.ok(rep.actions.C / rep.actions.A > 0.7 && rep.actions.C / rep.actions.A < 1.3);
  assert.ok((rep.actions.M ?? 0) === 0, "ITCH replaces are C + A");
  assert.ok(res.episodes.filter((e) => e.kind === "vacuum").length >= 4);
});

// ------------------------------------------------------------------------- equity_option_cmbp_1

Deno.test("equity_option_cmbp_1: OPRA 0DTE quotes on several venues, consolidated book never crossed", async () => {
  const res = await day("equity_option_cmbp_1");
  const [main, stats, def] = res.files;
  assert.match(
    main.path,
    /product_type=equity_option_cmbp_1\/symbol=QQQ\/table=cmbp_1\/opra-pillar-20260106\.cmbp-1\.dbn\.zst$/,
  );
  assert.match(
    stats.path,
    /product_type=equity_option_statistics\/symbol=QQQ\/table=statistics\/opra-pillar-20260106\.statistics\.dbn\.zst$/,
  );
  assert.match(
    def.path,
    /dataset=definition\/venue=opra\/symbol=QQQ\/opra-pillar-20260106\.definition\.dbn\.zst$/,
  );
  const defs = await definitions(def.path);
  for (const d of defs) {
    assert.match(d.raw_symbol, /^QQQ {3}260106[CP]\d{8}$/);
    assert.equal(d.raw_symbol.length, 21);
    assert.equal(BigInt(d.raw_symbol.slice(13)) * 1_000_000n, d.strike_price);
    assert.equal(d.expiration, DAY_NS, "OPRA expirations are 00:00 UTC of the expiry date");
    assert.equal(d.underlying, "QQQ");
  }
  const tick = new Map(defs.map((d) => [d.instrument_id, d.min_price_increment]));
  const r = await openDbn(main.path);
  assert.equal(r.metadata!.dataset, "OPRA.PILLAR");
  assert.equal(r.metadata!.schema, "cmbp-1");
  const venues = new Set<number>();
  let n = 0, trades = 0, lastRecv = 0n;
  const open = DAY_NS + BigInt(MIN(9, 30)) * 60_000_000_000n,
    close = DAY_NS + BigInt(MIN(16, 0)) * 60_000_000_000n;
  for await (const b of r.batches()) {
    assert.equal(b.kind, "cmbp1");
    const c = b.columns;
    if (b.kind !== "cmbp1") continue;
    for (let i = 0; i < c.length; i++, n++) {
      const t = tick.get(c.instrument_id[i]);
      assert.ok(t !== undefined, "every instrument is defined");
      assert.ok(
        c.bid_px[i] < c.ask_px[i],
        `record ${n}: consolidated bid ${c.bid_px[i]} >= ask ${c.ask_px[i]}`,
      );
      assert.equal(c.bid_px[i] % t!, 0n);
      assert.equal(c.ask_px[i] % t!, 0n);
      assert.ok(c.bid_sz[i] > 0 && c.ask_sz[i] > 0);
      assert.ok(c.ts_event[i] >= open && c.ts_event[i] < close);
      assert.ok(c.ts_recv[i] >= lastRecv);
      lastRecv = c.ts_recv[i];
      venues.add(c.publisher_id[i]);
      if (c.action[i] === 84) {
        trades++;
        assert.ok(
          c.price[i] === c.bid_px[i] || c.price[i] === c.ask_px[i],
          "trades print at the consolidated touch",
        );
      }
    }
  }
  assert.equal(n, main.records);
  assert.ok(venues.size >= 10, `${venues.size} venues`);
  assert.ok([...venues].every((v) => v >= 20 && v <= 37 && v !== 30));
  assert.ok(trades > 0);
});

Deno.test("equity option quotes track the underlying: call mids rise with QQQ, put mids fall", async () => {
  const res = await day("equity_option_cmbp_1");
  const eq = await day("equity_mbo");
  const defs = await definitions(res.files[2].path);
  const eqDefs = await definitions(eq.files[1].path);
  const byId = new Map(defs.map((d) => [d.instrument_id, d]));
  // sample every 5 minutes: underlying mid from the replayed XNAS book, option mids from CMBP
  const times: bigint[] = [];
  for (let m = MIN(9, 45); m < MIN(15, 50); m += 5) {
    times.push(DAY_NS + BigInt(m) * 60_000_000_000n);
  }
  const spot: number[] = [];
  let ti = 0;
  const bk = new RefBook();
  const er = await openDbn(eq.files[0].path);
  outer: for await (const b of er.batches()) {
    if (b.kind !== "mbo") continue;
    const c = b.columns;
    for (let i = 0; i < c.length; i++) {
      while (ti < times.length && c.ts_event[i] >= times[ti]) {
        spot.push((bk.best(0) + bk.best(1)) / 2e9);
        ti++;
      }
      if (ti >= times.length) break outer;
      const a = c.action[i], id = c.order_id[i];
      if (a === 82) bk.clear();
      else if (a === 65) bk.add(id, c.side[i] === 66 ? 0 : 1, Number(c.price[i]), c.size[i]);
      else if (a === 67) bk.reduce(id, c.size[i]);
    }
  }
  await er.close();
  assert.equal(eqDefs.length, 1);
  const mids = new Map<number, number>();
  const samples = new Map<number, number[]>(); // iid -> mid at each time
  ti = 0;
  const r = await openDbn(res.files[0].path);
  for await (const b of r.batches()) {
    if (b.kind !== "cmbp1") continue;
    const c = b.columns;
    for (let i = 0; i < c.length; i++) {
      while (ti < times.length && c.ts_event[i] >= times[ti]) {
        for (const [iid, m] of mids) {
          if (!samples.has(iid)) samples.set(iid, new Array(times.length).fill(NaN));
          samples.get(iid)![ti] = m;
        }
        ti++;
      }
      mids.set(c.instrument_id[i], Number(c.bid_px[i] + c.ask_px[i]) / 2e9);
    }
  }
  const corr: Record<string, number[]> = { C: [], P: [] };
  const spot0 = spot[0];
  for (const [iid, s] of samples) {
    const d = byId.get(iid)!;
    if (Math.abs(Number(d.strike_price) / 1e9 - spot0) > 4) continue; // near the money: real delta
    const a: number[] = [], b: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (Number.isFinite(s[i]) && Number.isFinite(spot[i])) {
        a.push(s[i]);
        b.push(spot[i]);
      }
    }
    if (a.length < 20) continue;
    corr[d.instrument_class].push(pearson(a, b));
  }
  const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1];
  assert.ok(
    corr.C.length >= 3 && corr.P.length >= 3,
    `${corr.C.length} calls, ${corr.P.length} puts checked`,
  );
  assert.ok(med(corr.C) > 0.6, `median call/underlying correlation ${med(corr.C)}`);
  assert.ok(med(corr.P) < -0.6, `median put/underlying correlation ${med(corr.P)}`);
  assert.ok(corr.C.filter((r) => r > 0.3).length >= 0.8 * corr.C.length, `calls: ${corr.C}`);
  assert.ok(corr.P.filter((r) => r < -0.3).length >= 0.8 * corr.P.length, `puts: ${corr.P}`);
});

// ------------------------------------------------------------------------- determinism

function decompress(path: string): Uint8Array {
  const b = Deno.readFileSync(path);
  return new Uint8Array(zlib.zstdDecompressSync(b));
}

Deno.test("same seed, same decompressed bytes; another seed, other bytes", async () => {
  const opts = { productType: "future_mbo" as const, date: "2026-01-08", events: 20_000 };
  const a = await generateDay({ ...opts, seed: 5, lake: join(tmp, "da") });
  const b = await generateDay({ ...opts, seed: 5, lake: join(tmp, "db") });
  const c = await generateDay({ ...opts, seed: 6, lake: join(tmp, "dc") });
  const da = decompress(a.files[0].path),
    db = decompress(b.files[0].path),
    dc = decompress(c.files[0].path);
  assert.ok(da.length > 20_000 * 56 * 0.5);
  assert.deepEqual(da, db);
  assert.notDeepEqual(da, dc);
  assert.deepEqual(decompress(a.files[1].path), decompress(b.files[1].path));
  assert.equal(await Deno.readTextFile(a.sidecar), await Deno.readTextFile(b.sidecar));
  // uncompressed output is the same stream
  const u = await generateDay({ ...opts, seed: 5, lake: join(tmp, "du"), compression: "none" });
  assert.match(u.files[0].path, /\.mbo\.dbn$/);
  assert.deepEqual(Deno.readFileSync(u.files[0].path), da);
});

Deno.test("bad options are refused with the parameter named", async () => {
  const base = { productType: "future_mbo" as const, date: DATE, seed: 1, lake: join(tmp, "bad") };
  await assert.rejects(generateDay({ ...base, date: "2026-01-10" }), /weekend/);
  await assert.rejects(generateDay({ ...base, date: "2026-13-01" }), /date/);
  await assert.rejects(generateDay({ ...base, seed: -1 }), /seed/);
  await assert.rejects(generateDay({ ...base, symbol: "ZZZ" }), /unknown futures root/);
  await assert.rejects(generateDay({ ...base, symbol: "MNQX" }), /contract/);
  await assert.rejects(generateDay({ ...base, events: 10 }), /events/);
  // deno-lint-ignore no-explicit-any
  await assert.rejects(generateDay({ ...base, productType: "bonds" as any }), /product type/);
  // deno-lint-ignore no-explicit-any
  await assert.rejects(generateDay({ ...base, scale: "huge" as any }), /scale/);
});
