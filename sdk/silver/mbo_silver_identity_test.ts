// A constructed random MBO stream (adds, partial/oversize cancels, modifies incl. unknown ids and
// side changes, F + C/M fills, iceberg fills beyond the display replenished by M, trades, clears
// followed by snapshot runs with old timestamps or by a live rebuild from adds (CME recovery), a
// bad-book flag, gap seconds) checked row by row against an independent naive replay: depth at
// window start and end per price (or bucket), completeness of the rows near spot, and the exact
// accounting identity. Then a synthetic futures day with every CME feature (sdk/synth): the
// identity and window-to-window continuity on every row, and `book_valid = false` from its
// F_MAYBE_BAD_BOOK records to its recovery.
import assert from "node:assert/strict";
import { MboSilver } from "./mbo_silver.ts";
import { type Ev, mbo, rows } from "../testing/silver_inputs.ts";
import { openDbn } from "../dbn/mod.ts";
import { futureDay, generateDay, SCALE_RECORDS } from "../synth/generate.ts";

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Random stream; prices on a `tick` grid (dollars) around `mid`. */
function stream(seed: number, tick: number, mid0: number, seconds: number): Ev[] {
  const rnd = lcg(seed);
  const evs: Ev[] = [];
  const live = new Map<number, { s: "B" | "A"; px: number; sz: number; t: number }>();
  let id = 1;
  let mid = mid0;
  let t = 0.05;
  const pxAt = (side: "B" | "A") =>
    Math.round(
      (side === "B"
        ? mid - tick * Math.floor(rnd() * 12)
        : mid + tick * (1 + Math.floor(rnd() * 12))) / tick,
    ) *
    tick;
  const pickLive = () => {
    const ids = [...live.keys()];
    return ids.length ? ids[Math.floor(rnd() * ids.length)] : 0;
  };
  while (t < seconds) {
    t += rnd() < 0.01 ? 2 + rnd() * 3 : rnd() * 0.03; // occasional gap seconds
    t = Math.round(t * 1e6) / 1e6;
    mid = Math.round((mid + (rnd() < 0.5 ? -tick : tick) * (rnd() < 0.2 ? 1 : 0)) / tick) * tick;
    const u = rnd();
    if (u < 0.45 || live.size < 5) {
      const s = rnd() < 0.5 ? "B" : "A";
      const o = { s, px: pxAt(s), sz: 1 + Math.floor(rnd() * 20), t } as const;
      live.set(id, { ...o });
      evs.push({ t, a: "A", s, px: o.px, sz: o.sz, id: id++ });
    } else if (u < 0.62) {
      const k = pickLive();
      const o = live.get(k)!;
      const q = rnd() < 0.1 ? o.sz + 5 : rnd() < 0.5 ? o.sz : 1 + Math.floor(rnd() * o.sz);
      evs.push({ t, a: "C", s: o.s, px: o.px, sz: q, id: k });
      if (q >= o.sz) live.delete(k);
      else o.sz -= q;
    } else if (u < 0.75) {
      if (rnd() < 0.05) {
        // modify of an unknown id: an add
        const s = rnd() < 0.5 ? "B" : "A";
        const o = { s, px: pxAt(s), sz: 1 + Math.floor(rnd() * 9), t } as const;
        live.set(id, { ...o });
        evs.push({ t, a: "M", s, px: o.px, sz: o.sz, id: id++ });
      } else {
        const k = pickLive();
        const o = live.get(k)!;
        const r = rnd();
        const side = r < 0.03 ? (o.s === "B" ? "A" : "B") : o.s;
        const p = r < 0.4 ? o.px : pxAt(side);
        const sz = r > 0.97 ? 0 : 1 + Math.floor(rnd() * 25);
        evs.push({ t, a: "M", s: side, px: p, sz, id: k });
        if (sz === 0) live.delete(k);
        else Object.assign(o, { s: side, px: p, sz });
      }
    } else if (u < 0.9) {
      // trade: T, then F per filled order, then C or M removing the filled size (one event)
      const k = pickLive();
      const o = live.get(k)!;
      if (rnd() < 0.15) {
        // iceberg: the fill exceeds the display; an M (same id and price) shows the next clip,
        // or a C removes the display when the reserve is used up
        const f = o.sz + 1 + Math.floor(rnd() * 10);
        evs.push({ t, a: "T", s: o.s === "B" ? "A" : "B", px: o.px, sz: f, fl: 0 });
        evs.push({ t, a: "F", s: o.s, px: o.px, sz: f, id: k, fl: 0 });
        if (rnd() < 0.7) {
          const clip = 1 + Math.floor(rnd() * 12);
          evs.push({ t, a: "M", s: o.s, px: o.px, sz: clip, id: k });
          o.sz = clip;
        } else {
          evs.push({ t, a: "C", s: o.s, px: o.px, sz: o.sz, id: k });
          live.delete(k);
        }
        continue;
      }
      const f = rnd() < 0.5 ? o.sz : 1 + Math.floor(rnd() * o.sz);
      evs.push({ t, a: "T", s: o.s === "B" ? "A" : "B", px: o.px, sz: f, fl: 0 });
      evs.push({ t, a: "F", s: o.s, px: o.px, sz: f, id: k, fl: 0 });
      if (f === o.sz || rnd() < 0.5) {
        evs.push({ t, a: "C", s: o.s, px: o.px, sz: f, id: k });
      } else {
        evs.push({ t, a: "M", s: o.s, px: o.px, sz: o.sz - f, id: k });
      }
      if (f >= o.sz) live.delete(k);
      else o.sz -= f;
    } else if (u < 0.995) {
      evs.push({ t, a: "N", fl: rnd() < 0.002 ? 128 | 4 : 128 });
    } else if (rnd() < 0.4) {
      // live recovery (CME): R then every resting order added again now, one event
      const all = [...live.entries()];
      evs.push({ t, a: "R", fl: all.length ? 0 : 128 });
      all.forEach(([k, o], j) => {
        evs.push({
          t,
          a: "A",
          s: o.s,
          px: o.px,
          sz: o.sz,
          id: k,
          fl: j === all.length - 1 ? 128 : 0,
        });
      });
    } else {
      // clear + snapshot run with the surviving orders' original (older) times
      const keep = [...live.entries()].filter(() => rnd() < 0.7);
      live.clear();
      evs.push({ t, a: "R", fl: 40 });
      keep.forEach(([k, o], j) => {
        live.set(k, o);
        evs.push({
          t: o.t,
          a: "A",
          s: o.s,
          px: o.px,
          sz: o.sz,
          id: k,
          fl: j === keep.length - 1 ? 40 | 128 : 40,
        });
      });
    }
  }
  return evs;
}

/** Naive replay: per window end second, the depth maps "B|price" → size after the window. */
function naiveWindows(evs: Ev[]): Map<number, Map<string, number>> {
  const orders = new Map<number, { s: string; px: number; sz: number }>();
  const out = new Map<number, Map<string, number>>();
  const depth = () => {
    const m = new Map<string, number>();
    for (const o of orders.values()) {
      const k = `${o.s}|${o.px}`;
      m.set(k, (m.get(k) ?? 0) + o.sz);
    }
    for (const [k, v] of m) if (v === 0) m.delete(k);
    return m;
  };
  let cur = -1; // window id of the clock
  for (const e of evs) {
    const snap = ((e.fl ?? 128) & 32) !== 0;
    if (!snap) {
      const k = Math.floor(e.t);
      if (cur < 0) cur = k;
      while (k > cur) {
        out.set(cur + 1, depth());
        cur++;
      }
    }
    const id = Number(e.id ?? 0);
    const o = orders.get(id);
    switch (e.a) {
      case "R":
        orders.clear();
        break;
      case "A":
        orders.set(id, { s: e.s!, px: e.px!, sz: e.sz! });
        break;
      case "C":
        if (o) {
          o.sz -= Math.min(o.sz, e.sz!);
          if (o.sz === 0) orders.delete(id);
        }
        break;
      case "M":
        if (!o) orders.set(id, { s: e.s!, px: e.px!, sz: e.sz! });
        else if (e.sz === 0) orders.delete(id);
        else Object.assign(o, { s: e.s, px: e.px, sz: e.sz });
        break;
    }
  }
  out.set(cur + 1, depth());
  return out;
}

function rhe(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function check(kind: "future" | "equity", evs: Ev[], unit: number, grid: number) {
  const eng = new MboSilver({ kind, unit, grid });
  // feed in uneven batches to cross batch boundaries
  const cols = mbo(evs);
  for (let i = 0; i < cols.length; i += 997) eng.push(cols, i, Math.min(cols.length, i + 997));
  eng.finish();
  const snap = rows(eng.takeSnapshots());
  const flow = rows(eng.takeFlows());
  const naive = naiveWindows(evs);
  const U = unit / 1e9;
  // naive depth per (window, side, price-or-raw) aggregated as silver does
  const agg = (m: Map<string, number> | undefined, spot: number) => {
    const a = new Map<string, number>();
    if (!m) return a;
    for (const [k, v] of m) {
      const [side, ps] = k.split("|");
      const p = Number(ps);
      const off = rhe((p - spot) / U);
      if (Math.abs(kind === "future" ? (p - spot) / U : off) > grid + 1e-9) continue;
      const key = kind === "future"
        ? `${side}|${Math.round(p * 1e9)}`
        : `${side}|${Math.round((spot + off * U) * 1e9)}`;
      a.set(key, (a.get(key) ?? 0) + v);
    }
    return a;
  };
  assert.equal(snap.length, naive.size);
  let checked = 0;
  for (const s of snap) {
    const k = Number(s.window_end_ts_ns) / 1e9;
    const spot = Number(s.spot_ref_price_int) / 1e9;
    const endD = naive.get(k)!;
    // best prices agree with the naive book
    let bb = 0, ba = 0;
    for (const key of endD.keys()) {
      const [side, ps] = key.split("|");
      const p = Math.round(Number(ps) * 1e9);
      if (side === "B" && p > bb) bb = p;
      if (side === "A" && (ba === 0 || p < ba)) ba = p;
    }
    assert.equal(s.best_bid_price_int, bb, `best bid at ${k}`);
    assert.equal(s.best_ask_price_int, ba, `best ask at ${k}`);
    if (spot <= 0) continue;
    const endA = agg(endD, spot);
    const startA = agg(naive.get(k - 1), spot);
    const mine = flow.filter((r) => r.window_end_ts_ns === k * 1e9);
    const seen = new Set<string>();
    for (const r of mine) {
      const key = `${r.side}|${r.price_int}`;
      seen.add(key);
      assert.equal(r.depth_qty_end, endA.get(key) ?? 0, `end ${key} at ${k}`);
      assert.equal(r.depth_qty_start, startA.get(key) ?? 0, `start ${key} at ${k}`);
      assert.equal(
        Number(r.depth_qty_start) + Number(r.add_qty) - Number(r.pull_qty) - Number(r.fill_qty),
        r.depth_qty_end,
      );
      assert.ok(
        Number(r.depth_qty_rest) <= Number(r.depth_qty_end) && Number(r.depth_qty_rest) >= 0,
      );
      assert.ok(Number(r.pull_qty_rest) <= Number(r.pull_qty));
      assert.ok(Math.abs(Number(r.rel_ticks)) <= grid);
      checked++;
    }
    for (const key of endA.keys()) assert.ok(seen.has(key), `missing row ${key} at ${k}`);
  }
  return {
    rows: checked,
    windows: snap.length,
    invalid: eng.stats.invalidWindows,
    fills: flow.reduce((s, r) => s + Number(r.fill_qty), 0),
  };
}

Deno.test("identity and depths match a naive replay: futures (per price)", () => {
  const evs = stream(42, 0.25, 100, 150);
  const r = check("future", evs, 250_000_000, 8);
  assert.ok(r.rows > 1000 && r.windows > 140 && r.invalid > 0 && r.fills > 0, JSON.stringify(r));
});

Deno.test("identity and depths match a naive replay: equities (per $0.50 bucket)", () => {
  const evs = stream(7, 0.01, 50, 150);
  const r = check("equity", evs, 500_000_000, 3);
  assert.ok(r.rows > 300 && r.windows > 140 && r.invalid > 0 && r.fills > 0, JSON.stringify(r));
});

Deno.test("synthetic futures day with CME features: identity and continuity on every row, bad-book windows invalid", async () => {
  const date = "2026-01-06", records = SCALE_RECORDS.small.future_mbo;
  let seed = 11; // the first seed from 11 whose day has an in-session recovery
  while ((futureDay(seed, date, undefined, records).gen.cfg.recoverySecond ?? -1) < 0) seed++;
  const tmp = await Deno.makeTempDir({ prefix: "silver_identity_" });
  try {
    const res = await generateDay({
      productType: "future_mbo",
      date,
      seed,
      lake: tmp,
      scale: "small",
    });
    const eng = new MboSilver({ kind: "future", unit: 250_000_000, grid: 40 });
    const prevEnd = new Map<string, number>();
    let curEnd = new Map<string, number>(), curWin = 0n;
    const valid = new Map<bigint, number>(); // window end -> book_valid
    const winValid = new Map<bigint, number>(); // window end -> window_valid of its rows
    const bad: bigint[] = [], recoveries: bigint[] = [];
    let rowsChecked = 0, continuity = 0, features = 0;
    const take = () => {
      const sn = eng.takeSnapshots();
      for (let i = 0; i < sn.length; i++) {
        valid.set(sn.window_end_ts_ns[i], sn.book_valid[i]);
      }
      const f = eng.takeFlows();
      for (let i = 0; i < f.length; i++) {
        const w = f.window_end_ts_ns[i];
        if (w !== curWin) {
          prevEnd.clear();
          for (const [k, v] of curEnd) prevEnd.set(k, v);
          curEnd = new Map();
          curWin = w;
        }
        winValid.set(w, f.window_valid[i]);
        const start = f.depth_qty_start[i], end = f.depth_qty_end[i];
        assert.equal(start + f.add_qty[i] - f.pull_qty[i] - f.fill_qty[i], end, `row ${i} at ${w}`);
        const key = `${f.side[i]}|${f.price_int[i]}`;
        curEnd.set(key, end);
        const before = prevEnd.get(key);
        if (before !== undefined) {
          assert.equal(start, before, `${key}: start at ${w} is the previous window's end`);
          continuity++;
        }
        rowsChecked++;
      }
    };
    const r = await openDbn(res.files[0].path);
    for await (const b of r.batches()) {
      if (b.kind !== "mbo") continue;
      const c = b.columns;
      for (let i = 0; i < c.length; i++) {
        if (c.flags[i] & 4) bad.push(c.ts_recv[i]);
        if (c.action[i] === 82 && (c.flags[i] & 32) === 0) recoveries.push(c.ts_recv[i]);
        if (c.action[i] === 77 || c.action[i] === 67) features++;
      }
      eng.push(c);
      take();
    }
    eng.finish();
    take();
    assert.ok(
      rowsChecked > 100_000 && continuity > 0.8 * rowsChecked,
      `${rowsChecked} rows, ${continuity} continued`,
    );
    assert.ok(features > 0);
    // F_MAYBE_BAD_BOOK from the first flagged record until the recovery's clear
    assert.equal(recoveries.length, 1);
    assert.ok(bad.length >= 2);
    const S = 1_000_000_000n;
    const from = (bad[0] / S + 1n) * S, to = recoveries[0];
    let invalid = 0;
    for (const [w, book] of valid) {
      if (w >= from && w < to) {
        assert.equal(book, 0, `book_valid at ${w} (bad book since ${bad[0]})`);
        assert.equal(winValid.get(w) ?? 0, 0);
        invalid++;
      }
      if (w > to && w <= to + 60n * S && w > (to / S + 1n) * S) {
        assert.equal(book, 1, `valid after the recovery at ${w}`);
      }
    }
    assert.ok(invalid >= 1, `${invalid} bad-book windows`);
    const recWin = (to / S + 1n) * S;
    assert.equal(winValid.get(recWin), 0, "the recovery's window is not window_valid");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
