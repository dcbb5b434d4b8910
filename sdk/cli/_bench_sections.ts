// The sections of `deno task bench`. Each returns a Markdown block for BENCHMARKS.md.
import { allocMboColumns, DbnWriter, type Metadata, openDbn } from "../dbn/mod.ts";

/** What every section gets. */
export interface BenchContext {
  /** Scratch folder, removed afterwards. */
  dir: string;
  /** Size knob (records / events). */
  records: number;
  /** Progress output (stderr). */
  log: (s: string) => void;
}

/** A benchmark section. */
export type BenchSection = (ctx: BenchContext) => Promise<string>;

async function time<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await f();
  return [(performance.now() - t) / 1000, v];
}

/** Best (shortest) of `reps` runs after one warm-up run. */
async function best<T>(reps: number, f: () => Promise<T>): Promise<[number, T]> {
  let out = await time(f);
  for (let i = 0; i < reps; i++) {
    const r = await time(f);
    if (r[0] < out[0]) out = r;
  }
  return out;
}

/** A plausible MBO stream: random walk around 21,000 on a 0.25 tick, ids beyond 2^53. */
async function writeMboFile(path: string, n: number): Promise<void> {
  const md: Metadata = {
    version: 3,
    dataset: "GLBX.MDP3",
    schema: "mbo",
    start: 1770336000000000000n,
    end: 1770422400000000000n,
    limit: 0n,
    stype_in: "raw_symbol",
    stype_out: "instrument_id",
    ts_out: false,
    symbol_cstr_len: 71,
    symbols: ["MNQH6"],
    partial: [],
    not_found: [],
    mappings: [{
      raw_symbol: "MNQH6",
      intervals: [{ start_date: "2026-02-06", end_date: "2026-02-07", symbol: "42140878" }],
    }],
  };
  const w = await DbnWriter.create(path, md);
  const chunk = 1 << 16;
  let s = 0x9e3779b9 | 0, px = 84_000, ts = 1770336000000000000n;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const actions = [65, 65, 65, 67, 67, 77, 84, 70];
  for (let done = 0; done < n; done += chunk) {
    const k = Math.min(chunk, n - done);
    const c = allocMboColumns(k);
    for (let i = 0; i < k; i++) {
      px += rnd() < 0.5 ? -1 : 1;
      ts += BigInt(1 + Math.floor(rnd() * 20000));
      c.publisher_id[i] = 1;
      c.instrument_id[i] = 42140878;
      c.ts_event[i] = ts;
      c.ts_recv[i] = ts + 15000n;
      c.order_id[i] = 6_400_000_000_000_000n + BigInt(done + i);
      c.price[i] = BigInt(px + Math.floor(rnd() * 8)) * 250_000_000n;
      c.size[i] = 1 + Math.floor(rnd() * 5);
      c.flags[i] = 128;
      c.action[i] = actions[Math.floor(rnd() * actions.length)];
      c.side[i] = rnd() < 0.5 ? 66 : 65;
      c.ts_in_delta[i] = 12000 + Math.floor(rnd() * 3000);
      c.sequence[i] = done + i;
    }
    await w.writeMbo(c);
  }
  await w.close();
}

async function countMbo(src: string | Uint8Array): Promise<number> {
  const r = await openDbn(src);
  let n = 0;
  for await (const b of r.batches()) if (b.kind === "mbo") n += b.columns.length;
  return n;
}

const fmt = (x: number, d = 1) => x.toFixed(d);

/** DBN decode throughput: memory, disk, zstd (vs. the zstd CLI yardstick). */
export const benchDbn: BenchSection = async (ctx) => {
  const n = ctx.records;
  const plain = `${ctx.dir}/mbo.dbn`, zst = `${ctx.dir}/mbo.dbn.zst`;
  ctx.log(`writing ${n.toLocaleString()} MBO records`);
  const [tw] = await time(() => writeMboFile(plain, n));
  await new Deno.Command("zstd", { args: ["-q", "-3", "-f", plain, "-o", zst] }).output();
  const bytes = await Deno.readFile(plain);
  const mb = bytes.byteLength / 1e6;
  const zmb = (await Deno.stat(zst)).size / 1e6;
  ctx.log("decoding");
  const [tm, nm] = await best(3, () => countMbo(bytes));
  const [td] = await best(3, () => countMbo(plain));
  const [tz] = await best(3, () => countMbo(zst));
  const [ty] = await best(3, () =>
    new Deno.Command("zstd", { args: ["-dcq", "-f", zst, "-o", "/dev/null"] }).output()
  );
  if (nm !== n) throw new Error(`decoded ${nm} of ${n} records`);
  const row = (what: string, t: number) =>
    `| ${what} | ${fmt(t, 3)} | ${fmt(n / t / 1e6)} | ${fmt(mb / t, 0)} |`;
  return [
    "## DBN decode (MBO, columnar view)",
    "",
    `${n.toLocaleString()} MBO records, ${fmt(mb)} MB as .dbn, ${fmt(zmb)} MB as .dbn.zst (zstd -3). ` +
    "Best of 3 after a warm-up run; records/s and DBN MB/s.",
    "",
    "| path | seconds | M records/s | MB/s |",
    "|---|---:|---:|---:|",
    row(".dbn from memory (Uint8Array)", tm),
    row(".dbn from disk", td),
    row(".dbn.zst from disk (zstd CLI → decoder)", tz),
    row("yardstick: `zstd -d` to /dev/null", ty),
    "",
    `.dbn.zst end to end / zstd -d = **${fmt(tz / ty, 2)}×** (target ≤ 1.25×). ` +
    `Encoding the file through DbnWriter took ${fmt(tw, 2)} s (${fmt(n / tw / 1e6)} M records/s, ` +
    "generation included).",
  ].join("\n");
};

/** All sections, in run order. Other modules register theirs here. */
export const benchSections: Record<string, BenchSection> = {
  dbn: benchDbn,
};
