/**
 * Features: deterministic per-second transforms of silver — the gold `physics_surface_1s`
 * tables of the four product types (pipeline.md §4) and the vacuum-pressure detector. Models
 * fitted or run over these tables live in `physics`.
 *
 * **Gold physics surfaces**:
 *
 * | product type | engine | rows per window |
 * | --- | --- | --- |
 * | `future_mbo` | {@linkcode FutureSurfaceEngine} (36 fields: intensities, EMAs and bands, temporal and spatial derivatives, rho / phi_rest / Omega, near / far smoothing, prominence, nu / kappa, pressure gradient) | 2 sides × (2G + 1) ticks |
 * | `future_option_mbo` | {@linkcode OptionSurfaceEngine} (38 fields on the strike lattice) | ≤ 4 × (2K + 1) |
 * | `equity_mbo` / `equity_option_cmbp_1` | {@linkcode IntensitySurfaceEngine} (intensities) | one per silver row |
 *
 * The engines are incremental: fed one silver window at a time ({@linkcode SilverWindow}: the
 * window end, its snapshot spot — `null` when missing, never 0 — and that window's
 * `depth_and_flow_1s` rows as typed-array slices), they return that window's gold rows. The
 * batch stage (`deno task pipeline --layer gold`) is a loop over the same engines, so batch and
 * stream agree bit for bit. {@linkcode createSurfaceEngine} builds any of them from
 * {@linkcode surfaceParams} (`config/products.yaml`); {@linkcode silverWindows} reads a silver
 * day from the lake as windows, and {@linkcode replaySilverWindows} computes the same windows
 * from the day's raw DBN files (bronze row rules and silver engine in memory, nothing written).
 *
 * Gold rules that differ from the original Python pipeline (smoothing without NaN poisoning,
 * per-second EMAs, lattice edges, validity filter, empty partitions) are in
 * `docs/deviations.md`, section "Gold".
 *
 * @example Stream a silver day through the futures surface
 * ```ts ignore
 * import { openLake, loadProducts } from "@spymaster/sdk/lake";
 * import { createSurfaceEngine, silverWindows, surfaceParams } from "@spymaster/sdk/features";
 *
 * const lake = await openLake();
 * const products = await loadProducts("config/products.yaml");
 * const eng = createSurfaceEngine("future_mbo", surfaceParams(products, "future_mbo", "MNQH6"));
 * for await (const w of silverWindows(lake, "future_mbo", "MNQH6", "2026-02-06")) {
 *   const rows = eng.step(w); // views, valid until the next step
 *   if (rows.length) console.log(w.window_end_ts_ns, rows.Omega_near[400]);
 * }
 * ```
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
// ---- gold physics surfaces
export * from "./columns.ts";
export * from "./kernels.ts";
export * from "./future_surface.ts";
export * from "./option_surface.ts";
export * from "./intensity_surface.ts";
export * from "./surface_engine.ts";
export * from "./silver_windows.ts";
export * from "./replay_windows.ts";
export * from "./physics_surface.ts";
export {
  buildGold,
  type BuildGoldOptions,
  GOLD_STAGE_NAMES,
  goldDataset,
  surfaceColumnBatch,
} from "./stages.ts";
// ---- vacuum-pressure
export * from "./vp_config.ts";
export * from "./vp_engine.ts";
export * from "./vp_signals.ts";
export * from "./vp_lake.ts";
export * from "./vp_episodes.ts";
export * from "./vp_time.ts";
