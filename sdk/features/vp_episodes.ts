/**
 * Measuring the detector on synthetic days, whose planted vacuum and wall episodes are known
 * (the generator's sidecar JSON, {@linkcode SynthEpisode}).
 *
 * **Direction.** An ask vacuum (offers pulled before price rises through them) and a bid wall
 * (support) are bullish (+1); a bid vacuum and an ask wall are bearish (−1).
 *
 * **Did the signal move the right way?** For each episode, its *active phase* is the pull of a
 * vacuum (`start_ts` → the move's start, `details.move_start_ns`: the detector must lead the
 * move) or the whole of a wall (`start_ts` → `end_ts`). The episode is a hit when the mean
 * composite over the windows ending inside the phase, minus the mean over the `baselineS`
 * seconds before it, has the episode's direction.
 *
 * **False alarms.** A window alarms when `strength ≥ threshold` (strength = min(1, |z|/3), so
 * 2/3 means |z_composite| ≥ 2). The false-alarm rate is the share of alarming windows among the
 * windows farther than `marginS` seconds from every episode; the alarm rate inside the active
 * phases is reported beside it.
 *
 * @module
 */
import type { SynthEpisode } from "../synth/generate.ts";
import type { VpSignalTable } from "./vp_signals.ts";

/** Options of {@linkcode evaluateVpEpisodes}. */
export interface VpEpisodeOptions {
  /** Strength at or above which a window alarms (default 2/3, i.e. |z| ≥ 2). */
  threshold?: number;
  /** Seconds before an episode used as its baseline (default 30). */
  baselineS?: number;
  /** Seconds around each episode excluded from the false-alarm count (default 60). */
  marginS?: number;
}

/** The verdict on one planted episode. */
export interface VpEpisodeResult {
  /** `vacuum` or `wall`. */
  kind: "vacuum" | "wall";
  /** `bid` or `ask`. */
  side: "bid" | "ask";
  /** +1 bullish, −1 bearish. */
  direction: 1 | -1;
  /** Active phase start (ISO UTC). */
  start_utc: string;
  /** Active phase end (ISO UTC). */
  end_utc: string;
  /** Windows inside the active phase. */
  windows: number;
  /** Mean composite inside the phase. */
  mean_composite: number;
  /** Mean composite over the baseline. */
  baseline_composite: number;
  /** (mean − baseline) · direction: positive = moved the right way. */
  moved: number;
  /** `moved > 0`. */
  hit: boolean;
  /** Highest strength inside the phase. */
  max_strength: number;
}

/** The report of one day (or the pooled report of several). */
export interface VpEpisodeReport {
  /** Per episode. */
  episodes: VpEpisodeResult[];
  /** Threshold used. */
  threshold: number;
  /** Hits / episodes, per kind. */
  hits: { vacuum: [number, number]; wall: [number, number] };
  /** Windows outside every episode (± margin). */
  outsideWindows: number;
  /** Of which alarming. */
  falseAlarms: number;
  /** `falseAlarms / outsideWindows`. */
  falseAlarmRate: number;
  /** Windows inside active phases. */
  insideWindows: number;
  /** Of which alarming. */
  insideAlarms: number;
}

const NS = 1_000_000_000n;

/** Direction of an episode: +1 for ask vacuums and bid walls, −1 for bid vacuums and ask walls. */
export function episodeDirection(e: Pick<SynthEpisode, "kind" | "side">): 1 | -1 {
  if (e.side !== "bid" && e.side !== "ask") {
    throw new Error(`episode side ${e.side} has no direction`);
  }
  const bull = e.kind === "vacuum" ? e.side === "ask" : e.side === "bid";
  return bull ? 1 : -1;
}

/** The active phase of an episode, ns (see the module doc). */
export function episodePhase(e: SynthEpisode): [bigint, bigint] {
  const start = BigInt(e.start_ts);
  const moveStart = e.details?.move_start_ns;
  const end = e.kind === "vacuum" && moveStart !== undefined ? BigInt(moveStart) : BigInt(e.end_ts);
  return [start, end > start ? end : start];
}

const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();

/**
 * Scores a day of signals against its planted episodes (crossed-book episodes are ignored: they
 * fall outside the regular session the detector runs on).
 */
export function evaluateVpEpisodes(
  signals: VpSignalTable,
  episodes: readonly SynthEpisode[],
  options: VpEpisodeOptions = {},
): VpEpisodeReport {
  const threshold = options.threshold ?? 2 / 3;
  const baseline = BigInt(Math.round((options.baselineS ?? 30) * 1e9));
  const margin = BigInt(Math.round((options.marginS ?? 60) * 1e9));
  const ts = signals.window_end_ts_ns;
  const comp = signals.values.composite;
  const strength = signals.values.strength;
  const valid = signals.signal_valid;
  const eps = episodes.filter((e) => e.kind === "vacuum" || e.kind === "wall");
  const first = ts.length ? ts[0] : 0n, last = ts.length ? ts[ts.length - 1] : 0n;
  const results: VpEpisodeResult[] = [];
  const phases: [bigint, bigint][] = [];
  for (const e of eps) {
    const [s, en] = episodePhase(e);
    if (en <= first || s >= last) continue; // outside the computed windows
    phases.push([s, en]);
    // windows ending in (s, en + 1 s]: every window overlapping the phase
    let sum = 0, n = 0, base = 0, bn = 0, maxS = 0;
    for (let i = 0; i < ts.length; i++) {
      if (!valid[i]) continue;
      const t = ts[i];
      if (t > s && t <= en + NS) {
        sum += comp[i];
        n++;
        if (strength[i] > maxS) maxS = strength[i];
      } else if (t > s - baseline && t <= s) {
        base += comp[i];
        bn++;
      }
    }
    const dir = episodeDirection(e);
    const mean = n ? sum / n : 0, b = bn ? base / bn : 0;
    const moved = n ? (mean - b) * dir : 0;
    results.push({
      kind: e.kind as "vacuum" | "wall",
      side: e.side as "bid" | "ask",
      direction: dir,
      start_utc: iso(s),
      end_utc: iso(en),
      windows: n,
      mean_composite: mean,
      baseline_composite: b,
      moved,
      hit: moved > 0,
      max_strength: maxS,
    });
  }
  let outside = 0, fa = 0, inside = 0, inA = 0;
  const all = eps.map((e) => [BigInt(e.start_ts), BigInt(e.end_ts)] as [bigint, bigint]);
  for (let i = 0; i < ts.length; i++) {
    if (!valid[i]) continue;
    const t = ts[i];
    const alarm = strength[i] >= threshold;
    if (phases.some(([s, en]) => t > s && t <= en + NS)) {
      inside++;
      if (alarm) inA++;
    }
    if (all.some(([s, en]) => t > s - margin && t <= en + margin)) continue;
    outside++;
    if (alarm) fa++;
  }
  const count = (k: string): [number, number] => {
    const r = results.filter((x) => x.kind === k);
    return [r.filter((x) => x.hit).length, r.length];
  };
  return {
    episodes: results,
    threshold,
    hits: { vacuum: count("vacuum"), wall: count("wall") },
    outsideWindows: outside,
    falseAlarms: fa,
    falseAlarmRate: outside ? fa / outside : 0,
    insideWindows: inside,
    insideAlarms: inA,
  };
}

/** Pools the reports of several days (episodes concatenated, counts summed). */
export function poolVpEpisodeReports(reports: readonly VpEpisodeReport[]): VpEpisodeReport {
  const episodes = reports.flatMap((r) => r.episodes);
  const sum = (f: (r: VpEpisodeReport) => number) => reports.reduce((a, r) => a + f(r), 0);
  const outside = sum((r) => r.outsideWindows), fa = sum((r) => r.falseAlarms);
  const count = (k: string): [number, number] => {
    const r = episodes.filter((x) => x.kind === k);
    return [r.filter((x) => x.hit).length, r.length];
  };
  return {
    episodes,
    threshold: reports[0]?.threshold ?? 2 / 3,
    hits: { vacuum: count("vacuum"), wall: count("wall") },
    outsideWindows: outside,
    falseAlarms: fa,
    falseAlarmRate: outside ? fa / outside : 0,
    insideWindows: sum((r) => r.insideWindows),
    insideAlarms: sum((r) => r.insideAlarms),
  };
}

/** Reads the planted episodes of a synthetic day from its sidecar JSON. */
export async function readSynthEpisodes(sidecarPath: string): Promise<SynthEpisode[]> {
  let doc: { episodes?: SynthEpisode[] };
  try {
    doc = JSON.parse(await Deno.readTextFile(sidecarPath));
  } catch (e) {
    throw new Error(`cannot read synthetic-day sidecar ${sidecarPath}: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc.episodes)) throw new Error(`${sidecarPath}: no 'episodes' list`);
  return doc.episodes;
}
