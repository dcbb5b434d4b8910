/**
 * Forecast throughput measurement for `deno task bench` (timings are measured here, never asserted
 * in tests).
 *
 * @module
 */
import { type OptionColumns, type SurfaceColumns, WindowAssembler } from "./forecast_engine.ts";
import { ForecastEngine } from "./forecast_engine.ts";
import { newWindowFields } from "./forecast_math.ts";
import type { Lattice } from "./lattice.ts";
import { surfaceReach } from "./calibrate.ts";

/** Result of {@linkcode benchForecast}. */
export interface ForecastBenchResult {
  /** Windows forecast. */
  windows: number;
  /** Seconds for the field path (fields on the lattice → forecast). */
  fieldSeconds: number;
  /** CPU seconds of this process for the field path (`null` where `/proc` is missing). */
  fieldCpuSeconds: number | null;
  /** Seconds for the row path (gold rows within reach → fields → forecast). */
  rowSeconds: number;
  /** CPU seconds of this process for the row path. */
  rowCpuSeconds: number | null;
  /** Gold rows per window on the row path. */
  rowsPerWindow: number;
}

/**
 * CPU time (user + system) of this process in seconds from `/proc/self/stat` (10 ms ticks), or
 * `null` off Linux: on a shared host it measures the work, not the wait for a core.
 */
export function cpuSeconds(): number | null {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

function since(c0: number | null): number | null {
  const c1 = cpuSeconds();
  return c0 === null || c1 === null ? null : c1 - c0;
}

/** A deterministic pseudo-random field value in [−1, 1). */
function noise(i: number, w: number): number {
  const x = Math.sin(i * 12.9898 + w * 78.233) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

/**
 * Forecasts `windows` windows at horizon `horizon` on `lattice` with moving, non-trivial fields
 * (so that the particle travels and the force is sampled off the lattice points): once from
 * fields already on the lattice, once from dense gold-shaped rows (both sides, every position
 * within reach) with three option rows per window.
 */
export function benchForecast(
  lattice: Lattice,
  windows: number,
  horizon = 30,
): ForecastBenchResult {
  const G = lattice.gridMax, n = 2 * G + 1;
  const engine = new ForecastEngine(lattice, { beta: 2, gamma: 0.2, horizon });
  // 32 distinct windows of fields, built before the clock starts
  const sets = Array.from({ length: 32 }, (_, w) => {
    const f = newWindowFields(G, true);
    for (let i = 0; i < n; i++) {
      f.gDir[i] = 0.3 * noise(i, w);
      f.omegaFut[i] = 1 + noise(i + 7, w);
      f.uNearDir[i] = 0.2 * noise(i + 3, w);
      f.uPSlowDir[i] = 0.1 * noise(i + 5, w);
      f.omegaOpt![i] = i % 20 === 0 ? 2 : 0;
    }
    return f;
  });
  let c = cpuSeconds();
  let t = performance.now();
  for (let w = 0; w < windows; w++) {
    engine.pushFields(BigInt(w + 1) * 1_000_000_000n, 24000 + (w % 7), sets[w % 32]);
  }
  const fieldSeconds = (performance.now() - t) / 1000;
  const fieldCpuSeconds = since(c);

  // one batch of gold-shaped rows per 64 windows, as the lake reader delivers them
  const R = surfaceReach(G), per = 2 * (2 * R + 1), chunk = 64;
  const mk = (): SurfaceColumns => ({
    window_end_ts_ns: new BigInt64Array(per * chunk),
    spot_ref_price_int: new BigInt64Array(per * chunk),
    rel_ticks: new Int32Array(per * chunk),
    side: { codes: new Uint8Array(per * chunk), values: ["A", "B"] },
    pressure_grad: new Float64Array(per * chunk),
    u_near: new Float64Array(per * chunk),
    u_p_slow: new Float64Array(per * chunk),
    Omega: new Float64Array(per * chunk),
  });
  const batches: SurfaceColumns[] = [];
  const optEnds: bigint[] = [], optRel: number[] = [], optOm: number[] = [];
  for (let w0 = 0; w0 < windows; w0 += chunk) {
    const b = mk();
    let r = 0;
    for (let w = w0; w < Math.min(windows, w0 + chunk); w++) {
      const end = BigInt(w + 1) * 1_000_000_000n;
      for (let s = 0; s < 2; s++) {
        for (let x = -R; x <= R; x++, r++) {
          b.window_end_ts_ns[r] = end;
          b.spot_ref_price_int[r] = BigInt(24000 + (w % 7)) * BigInt(lattice.unitInt);
          b.rel_ticks[r] = x;
          (b.side as { codes: Uint8Array }).codes[r] = s;
          b.pressure_grad![r] = 0.3 * noise(x + G, w);
          b.Omega![r] = 1 + noise(x + G + 7, w);
          b.u_near![r] = 0.2 * noise(x + G + 3, w);
          b.u_p_slow![r] = 0.1 * noise(x + G + 5, w);
        }
      }
      for (const x of [-20, 0, 20]) (optEnds.push(end), optRel.push(x), optOm.push(2));
    }
    const cut = <T extends { subarray(a: number, b: number): T }>(a: T) => a.subarray(0, r);
    batches.push({
      window_end_ts_ns: cut(b.window_end_ts_ns),
      spot_ref_price_int: cut(b.spot_ref_price_int),
      rel_ticks: cut(b.rel_ticks),
      side: { codes: (b.side as { codes: Uint8Array }).codes.subarray(0, r), values: ["A", "B"] },
      pressure_grad: cut(b.pressure_grad!),
      u_near: cut(b.u_near!),
      u_p_slow: cut(b.u_p_slow!),
      Omega: cut(b.Omega!),
    });
  }
  const options: OptionColumns = {
    window_end_ts_ns: BigInt64Array.from(optEnds),
    rel_ticks: Int32Array.from(optRel),
    Omega_opt: Float64Array.from(optOm),
  };
  const engine2 = new ForecastEngine(lattice, { beta: 2, gamma: 0.2, horizon });
  let count = 0;
  const asm = new WindowAssembler(engine2, () => count++, options);
  c = cpuSeconds();
  t = performance.now();
  for (const b of batches) asm.add(b);
  asm.flush();
  const rowSeconds = (performance.now() - t) / 1000;
  const rowCpuSeconds = since(c);
  if (count !== windows) throw new Error(`bench: ${count} windows forecast, expected ${windows}`);
  return { windows, fieldSeconds, fieldCpuSeconds, rowSeconds, rowCpuSeconds, rowsPerWindow: per };
}
