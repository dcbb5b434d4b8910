/**
 * Features: deterministic per-second transforms of silver — the vacuum-pressure detector (this
 * branch) and the gold physics surfaces.
 *
 * **Vacuum-pressure** (serving.md §4): per 1-second window, proximity-weighted vacuum (liquidity
 * draining) and pressure (liquidity building) aggregates around the spot, a composite directional
 * signal with confidence, EMA derivatives, z-score strength and the tunable gold variants
 * (smoothed composite, weighted slope, Taylor projections).
 *
 * - {@linkcode resolveVpConfig}: instrument constants and `config_version` (identical to the
 *   original's for the same inputs); {@linkcode goldSignalConfig}: the validated knobs.
 * - {@linkcode VpEngine}: the incremental engine, one window in, one {@linkcode VpSignalRow} out.
 *   {@linkcode computeVpSignals} (batch) is a loop over it, so both paths agree exactly.
 * - {@linkcode vpWindows} streams a day's silver partitions as engine windows;
 *   {@linkcode computeVpDay} / {@linkcode writeVpPartition} compute a day and write it to the
 *   lake dataset `gold.<product_type>.vacuum_pressure_1s`, one partition per knob setting.
 * - {@linkcode evaluateVpEpisodes}: did the signal move the right way inside the planted
 *   episodes of a synthetic day, and how often does it fire outside them.
 *
 * @example Stream two windows through the engine (serving.md Appendix A.3 inputs)
 * ```ts
 * import { resolveVpConfig, VpEngine } from "@spymaster/sdk/features";
 *
 * const cfg = await resolveVpConfig("equity_mbo", "QQQ");
 * console.log(cfg.config_version); // 8cd9c5552451
 * const engine = new VpEngine(cfg); // default knobs
 * const k = [-2, -1, 1, 2];
 * for (const [w, pull] of [[0, 10], [1, 40]]) {
 *   const flow = {
 *     rel_ticks: k,
 *     side: k.map((x) => (x < 0 ? 66 : 65)), // B / A
 *     spot_ref_price_int: k.map(() => 100_000_000_000n),
 *     add_qty: k.map(() => 10),
 *     pull_qty: k.map((x) => (x > 0 ? pull : 10)), // asks above spot are being pulled
 *     fill_qty: k.map(() => 0),
 *     depth_qty_end: k.map(() => 100),
 *     depth_qty_rest: k.map(() => 50),
 *     pull_qty_rest: k.map(() => 0),
 *     window_valid: k.map(() => 1),
 *   };
 *   const row = engine.push({
 *     window_end_ts_ns: 1_000_000_000_000n + BigInt(w) * 1_000_000_000n,
 *     flow, start: 0, end: k.length, snap: null,
 *   });
 *   console.log(row.vacuum_above.toFixed(2), row.composite > 0); // 0.00 false, then 44.67 true
 * }
 * ```
 *
 * @module
 */
// ---- vacuum-pressure (branch vp)
export * from "./vp_config.ts";
export * from "./vp_engine.ts";
export * from "./vp_signals.ts";
export * from "./vp_lake.ts";
export * from "./vp_episodes.ts";
export * from "./vp_time.ts";
