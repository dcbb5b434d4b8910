/**
 * Features: deterministic per-second transforms of silver. This module holds the gold
 * `physics_surface_1s` tables of the four product types (pipeline.md §4):
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
 * day from the lake as windows.
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
 * @module
 */
export * from "./columns.ts";
export * from "./kernels.ts";
export * from "./future_surface.ts";
export * from "./option_surface.ts";
export * from "./intensity_surface.ts";
export * from "./surface_engine.ts";
export * from "./silver_windows.ts";
