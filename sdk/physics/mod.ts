/**
 * Physics: models that are fitted or run over the gold tables (`features` holds the
 * deterministic per-second transforms of silver; `physics` holds what is fitted or simulated on
 * top of them).
 *
 * - {@linkcode ForecastEngine}: the look-ahead force model of the original (pipeline.md §5.2–5.3,
 *   serving.md §3.8) on the product's tick lattice (`config/products.yaml`: MNQ ±400, SI $0.005,
 *   equities in silver buckets). One window at a time (streams) or a whole table
 *   ({@linkcode forecastBatch}); both go through the same {@linkcode WindowAssembler} and give
 *   identical `forecast_1s` rows (`contracts/stream/forecast_1s.avsc`). The options obstacle field
 *   comes from the same root's options gold when present and is simply absent otherwise.
 * - {@linkcode fitPhysics}: β/γ by least squares on consecutive training windows, plus the
 *   baselines (persistence of the last velocity, linear best-level order-flow imbalance) on the
 *   same windows; the parameters file carries the sha256 of every input partition's manifest.
 * - {@linkcode evaluatePhysics}: per horizon, sign hit rate on the moves that happened, share of
 *   flat outcomes, MAE in ticks, each with a 95 % block-bootstrap interval, for the model and the
 *   three baselines, paired differences, and a confidence reliability table.
 *
 * Differences from the original (sampling at `j + δ`, lattice from the product, no sample across
 * a gap, no 20-day minimum, honest hit rate) are in `docs/deviations.md`, section "Physics".
 *
 * @example Forecast two windows (the Appendix A.1 fields) one at a time
 * ```ts
 * import { ForecastEngine } from "@spymaster/sdk/physics";
 *
 * const lattice = { gridMax: 200, unitInt: 250_000_000, root: "ES" };
 * const engine = new ForecastEngine(lattice, { beta: 0.5, gamma: 0.1, horizon: 30 });
 * for (const [sec, spot] of [[1, 24000n], [2, 24002n]] as const) {
 *   const ticks = Array.from({ length: 80 }, (_, i) => (i < 40 ? i - 40 : i - 39));
 *   const w = engine.push({
 *     window_end_ts_ns: new BigInt64Array(80).fill(BigInt(sec) * 1_000_000_000n),
 *     spot_ref_price_int: new BigInt64Array(80).fill(spot * 250_000_000n),
 *     rel_ticks: Int32Array.from(ticks),
 *     side: ticks.map((t) => (t < 0 ? "B" : "A")),
 *     pressure_grad: new Float64Array(80).fill(0.3),
 *     Omega: Float64Array.from(ticks, (t) => (t === 15 ? 5 : t === -8 ? 3 : 0.5)),
 *   });
 *   console.log(sec, w.v0, w.dUp, w.dDown, Array.from(w.delta.slice(0, 5)));
 * }
 * ```
 *
 * @module
 */
export * from "./lattice.ts";
export * from "./forecast_math.ts";
export * from "./forecast_engine.ts";
export * from "./fit.ts";
export * from "./ofi.ts";
export * from "./evaluate.ts";
export * from "./calibrate.ts";
