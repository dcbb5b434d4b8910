// The latent ("fair") price of an underlying for one UTC day, at one-second resolution, and the
// plan of liquidity episodes planted into it. Deterministic in (seed, key, date) only: the same
// path drives the underlying's MBO and its options' quotes, at any scale.
import { easternToUtcSecond, parseDay, weekdayOf } from "./calendar.ts";
import { Rng } from "./_rng.ts";

const ANCHOR_DAY = parseDay("2026-01-02");

/** A planned vacuum: resting liquidity on `side` pulled before price moves through it. */
export interface VacuumPlan {
  kind: "vacuum";
  /** 1: asks pulled, price moves up; 0: bids pulled, price moves down. */
  side: number;
  /** Seconds after 00:00 UTC. */
  pullStart: number;
  moveStart: number;
  moveEnd: number;
  /** Size of the move in ticks. */
  ticks: number;
}

/** A planned wall: liquidity that builds at one price and holds while price tests it. */
export interface WallPlan {
  kind: "wall";
  /** 0: bid wall below price; 1: ask wall above. */
  side: number;
  start: number;
  buildEnd: number;
  end: number;
  /** Distance of the wall from the latent price at `start`, ticks. */
  offset: number;
  /** Total size to build, in lots. */
  lots: number;
  /** Wall price in ticks (set by {@linkcode latentPath}). */
  tick: number;
}

/** Episode sizes per underlying kind. */
export interface EpisodeScale {
  vacuumTicks: [number, number];
  wallOffset: [number, number];
  wallLots: [number, number];
}

/** Daily open price of `key` on UNIX day `day`: a seeded geometric walk anchored at `ref` on 2026-01-02. */
export function dailyOpen(
  seed: number,
  key: string,
  day: number,
  ref: number,
  dailyVol: number,
): number {
  let x = 0;
  const step = (k: number) => {
    const w = weekdayOf(k);
    const vol = w === 0 || w === 6 ? dailyVol * 0.25 : dailyVol;
    return vol * new Rng(seed, `${key}|day|${k}`).normal() - 0.5 * vol * vol;
  };
  if (day >= ANCHOR_DAY) { for (let k = ANCHOR_DAY; k < day; k++) x += step(k); }
  else for (let k = day; k < ANCHOR_DAY; k++) x -= step(k);
  return ref * Math.exp(x);
}

/** Plans the day's episodes inside regular trading hours (some within 09:35–12:25 ET). */
export function planEpisodes(seed: number, key: string, date: string, sc: EpisodeScale): {
  vacuums: VacuumPlan[];
  walls: WallPlan[];
} {
  const rng = new Rng(seed, `${key}|episodes|${date}`);
  const early0 = easternToUtcSecond(date, 9, 35), early1 = easternToUtcSecond(date, 12, 25);
  const late0 = easternToUtcSecond(date, 12, 30), late1 = easternToUtcSecond(date, 15, 40);
  const starts: number[] = [];
  const sample = (a: number, b: number, n: number) => {
    let tries = 0;
    while (n > 0 && tries++ < 10_000) {
      const s = a + rng.next() * (b - a);
      if (starts.every((x) => Math.abs(x - s) > 420)) {
        starts.push(s);
        n--;
      }
    }
  };
  sample(early0, early1, 5);
  sample(late0, late1, 4);
  starts.sort((a, b) => a - b);
  const kinds = ["v", "v", "v", "w", "v", "w", "v", "w", "v"];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  if (kinds[0] !== "v") kinds[kinds.indexOf("v")] = kinds[0], kinds[0] = "v"; // first episode: a vacuum
  const vacuums: VacuumPlan[] = [], walls: WallPlan[] = [];
  const between = (r: [number, number]) => r[0] + rng.int(r[1] - r[0] + 1);
  starts.forEach((s, i) => {
    const side = rng.next() < 0.5 ? 0 : 1;
    if (kinds[i] === "v") {
      const lead = 3 + rng.next() * 5;
      const dur = 2 + rng.next() * 2;
      vacuums.push({
        kind: "vacuum",
        side,
        pullStart: s,
        moveStart: s + lead,
        moveEnd: s + lead + dur,
        ticks: between(sc.vacuumTicks),
      });
    } else {
      const build = 5 + rng.next() * 10;
      const dur = 60 + rng.next() * 90;
      walls.push({
        kind: "wall",
        side,
        start: s,
        buildEnd: s + build,
        end: s + build + dur,
        offset: between(sc.wallOffset),
        lots: between(sc.wallLots),
        tick: 0,
      });
    }
  });
  return { vacuums, walls };
}

/** A day of latent prices. */
export interface LatentDay {
  /** Latent price in ticks at each second boundary 0..86400 (UTC). */
  x: Float64Array;
  /** Activity multiplier per UTC minute (regime and noise). */
  activity: Float64Array;
  /** Volatility regime per minute: 0 calm, 1 normal, 2 turbulent. */
  regime: Uint8Array;
  /** Cumulative model variance (ticks^2) from 00:00 UTC to each second 0..86400. */
  cumVar: Float64Array;
}

/**
 * The latent price path of `key` on `date` in ticks of `tick`: stochastic volatility (session
 * profile × Markov regimes × fat-tailed shocks), optionally smoothed over `smooth` seconds, the
 * planted vacuum moves and wall bounces, and a bridge so the day ends near the next day's open.
 */
export function latentPath(
  seed: number,
  key: string,
  date: string,
  tick: number,
  ref: number,
  dailyVol: number,
  profile: Float64Array,
  plan: { vacuums: VacuumPlan[]; walls: WallPlan[] },
  smooth = 0,
): LatentDay {
  const day = parseDay(date);
  const open = dailyOpen(seed, key, day, ref, dailyVol) / tick;
  const close = dailyOpen(seed, key, day + 1, ref, dailyVol) / tick;
  const rng = new Rng(seed, `${key}|latent|${date}`);
  // regimes and activity per minute
  const regime = new Uint8Array(1440), activity = new Float64Array(1440);
  const volOf = [0.6, 1.0, 2.0], actOf = [0.8, 1.0, 1.6];
  const stay = [0.97, 0.965, 0.9];
  let r = 1;
  for (let m = 0; m < 1440; m++) {
    if (rng.next() > stay[r]) r = rng.next() < 0.5 ? (r + 1) % 3 : (r + 2) % 3;
    regime[m] = r;
    activity[m] = actOf[r] * Math.exp(0.25 * rng.normal() - 0.03125);
  }
  // per-second volatility weights
  let mean = 0, open_ = 0;
  for (let s = 0; s < 86_400; s++) {
    if (profile[s] > 0) {
      mean += profile[s];
      open_++;
    }
  }
  mean = open_ ? mean / open_ : 1;
  const sig = new Float64Array(86_400);
  let v2 = 0;
  for (let s = 0; s < 86_400; s++) {
    const w = Math.sqrt(0.25 + profile[s] / mean) * volOf[regime[(s / 60) | 0]];
    sig[s] = w;
    v2 += w * w;
  }
  const scale = dailyVol * open / Math.sqrt(v2);
  const x = new Float64Array(86_401);
  const cum = new Float64Array(86_401);
  x[0] = open;
  for (let s = 0; s < 86_400; s++) {
    const sd = sig[s] * scale;
    let dx = sd * rng.normal();
    if (rng.next() < 1 / 7200) dx += 4 * sd * rng.normal();
    x[s + 1] = x[s] + dx;
    cum[s + 1] = cum[s] + sd * sd;
  }
  // optional smoothing of the diffusion (a centred moving average of `smooth` seconds): sparse
  // order flow cannot follow tick-level noise, so small days keep the hourly moves without it
  if (smooth > 1) {
    const w = Math.round(smooth), half = w >> 1;
    const pre = new Float64Array(86_402);
    for (let s = 0; s <= 86_400; s++) pre[s + 1] = pre[s] + x[s];
    const y = new Float64Array(86_401);
    for (let s = 0; s <= 86_400; s++) {
      const a = Math.max(0, s - half), b = Math.min(86_400, s + half);
      y[s] = (pre[b + 1] - pre[a]) / (b - a + 1);
    }
    y[0] = x[0];
    x.set(y);
  }
  // planted vacuum moves
  for (const v of plan.vacuums) {
    const a = Math.floor(v.moveStart), b = Math.max(a + 1, Math.ceil(v.moveEnd));
    const per = (v.side === 1 ? v.ticks : -v.ticks) / (b - a);
    let add = 0;
    for (let s = a + 1; s <= 86_400; s++) {
      if (s <= b) add += per;
      x[s] += add;
    }
  }
  // bridge to the next open
  const err = close - x[86_400];
  for (let s = 1; s <= 86_400; s++) x[s] += err * cum[s] / cum[86_400];
  // walls: price drifts to the wall and is reflected by it while it holds
  let off = 0, lastEnd = 0;
  const walls = [...plan.walls].sort((a, b) => a.start - b.start);
  let wi = 0;
  for (let s = 1; s <= 86_400; s++) {
    x[s] += off;
    const w = walls[wi];
    if (!w) continue;
    if (s === Math.floor(w.start)) {
      w.tick = w.side === 0 ? Math.round(x[s]) - w.offset : Math.round(x[s]) + w.offset;
    }
    if (s > w.start && s <= w.end) {
      const barrier = w.side === 0 ? w.tick + 1 : w.tick - 1;
      const drift = w.offset / (0.4 * (w.end - w.start));
      if (s < w.start + 0.5 * (w.end - w.start)) {
        const d = w.side === 0 ? -drift : drift;
        x[s] += d;
        off += d;
      }
      if (w.side === 0 && x[s] < barrier + 0.3) {
        const y = 2 * (barrier + 0.3) - x[s];
        off += y - x[s];
        x[s] = y;
      } else if (w.side === 1 && x[s] > barrier - 0.3) {
        const y = 2 * (barrier - 0.3) - x[s];
        off += y - x[s];
        x[s] = y;
      }
    }
    if (s >= w.end) {
      lastEnd = s;
      wi++;
    }
  }
  if (off !== 0 && lastEnd < 86_400) {
    for (let s = lastEnd + 1; s <= 86_400; s++) x[s] -= off * (s - lastEnd) / (86_400 - lastEnd);
  }
  const floor = 20;
  for (let s = 0; s <= 86_400; s++) if (x[s] < floor) x[s] = floor;
  return { x, activity, regime, cumVar: cum };
}

/** Latent price at ns offset `t` from day start (linear between seconds). */
export function latentAt(x: Float64Array, t: number): number {
  const s = t * 1e-9;
  let i = Math.floor(s);
  if (i < 0) return x[0];
  if (i >= 86_400) i = 86_399;
  const f = s - i;
  return x[i] + (x[i + 1] - x[i]) * (f > 1 ? 1 : f);
}
