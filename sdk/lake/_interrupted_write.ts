// Test helper (run as a subprocess by writer_test.ts): starts a partition write, lets the first
// Parquet part reach the temporary folder, prints "READY <tmp dir>" and then hangs until killed.
import { openLake } from "./lake.ts";
import { PartitionWriter } from "./writer.ts";

if (import.meta.main) {
  const [root, symbol, dt] = Deno.args;
  const lake = await openLake(root, { validateEvery: 1 });
  const w = await PartitionWriter.open(lake, "gold.equity_mbo.physics_surface_1s", { symbol, dt }, {
    partBytes: 1, // one 2,048-row part per flush
  });
  const n = 3000;
  const ts = new BigInt64Array(n).fill(1_770_386_400_000_000_000n);
  const f = new Float64Array(n).fill(0.5);
  await w.append({
    window_end_ts_ns: ts,
    event_ts_ns: ts,
    spot_ref_price_int: ts,
    rel_ticks: new Int32Array(n),
    rel_ticks_side: new Int32Array(n),
    side: { codes: new Uint8Array(n), values: ["B"] },
    add_intensity: f,
    fill_intensity: f,
    pull_intensity: f,
    liquidity_velocity: f,
  });
  // wait until the first part file is on disk
  for (;;) {
    try {
      await Deno.stat(`${w.tmpDir}/part-00000.parquet`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  await Deno.stdout.write(new TextEncoder().encode(`READY ${w.tmpDir}\n`));
  await new Promise(() => setInterval(() => {}, 1000));
}
