// The replay (raw DBN → bronze row rules → silver engine, in memory) against the pipeline: a
// generated MNQ day is run through the bronze and silver stages into the lake, then replayed from
// the same raw file; every row of both silver tables must come out identical, value for value
// and null for null, and the windows must be the ones `silverWindows` reads from the lake.
import assert from "node:assert/strict";
import { join } from "node:path";
import { bronzeStages } from "../bronze/stages.ts";
import { isDictColumn, isNullableColumn } from "../lake/columns.ts";
import { DEFAULT_CONFIG_DIR } from "../lake/datasets.ts";
import { type Lake, openLake } from "../lake/lake.ts";
import { loadProducts } from "../lake/products.ts";
import { readBatches, type ReadColumn } from "../lake/reader.ts";
import { StageRegistry } from "../pipeline/registry.ts";
import { runPipeline } from "../pipeline/runner.ts";
import { BOOK_SNAPSHOT_NULLABLE } from "../silver/columns.ts";
import { SILVER_STAGES } from "../silver/stages.ts";
import { generateDay } from "../synth/generate.ts";
import { replaySilverWindows } from "./replay_windows.ts";
import { silverWindows } from "./silver_windows.ts";

const DT = "2026-01-06";
const tmp = await Deno.makeTempDir({ prefix: "replay_windows_test_" });
const LAKE = join(tmp, "lake");
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(tmp, { recursive: true });
  } catch { /* gone */ }
});
const products = await loadProducts(join(DEFAULT_CONFIG_DIR, "products.yaml"));

async function pipelineLake(): Promise<Lake> {
  await generateDay({ productType: "future_mbo", date: DT, seed: 7, lake: LAKE, events: 60_000 });
  const registry = () => new StageRegistry().register(...bronzeStages, ...SILVER_STAGES);
  for (const [layer, symbol] of [["bronze", "MNQ"], ["silver", "MNQH6"]]) {
    const r = await runPipeline({
      productType: "future_mbo",
      layer,
      symbol,
      dates: [DT],
      lakeRoot: LAKE,
      registry: registry(),
    });
    assert.ok(r.tasks.every((t) => t.ok), r.tasks.map((t) => t.error).join("; "));
  }
  return await openLake(LAKE);
}

type Cell = number | bigint | null;

/** A whole lake table as per-column cell readers (strings as char codes, nulls as null). */
async function lakeTable(
  lake: Lake,
  key: string,
): Promise<{ n: number; cols: Map<string, Cell[]> }> {
  const cols = new Map<string, Cell[]>();
  let n = 0;
  for await (const b of readBatches(lake, key, { symbol: "MNQH6", dt: DT })) {
    for (const [name, c] of Object.entries(b.columns) as [string, ReadColumn][]) {
      const out = cols.get(name) ?? cols.set(name, []).get(name)!;
      for (let i = 0; i < b.length; i++) {
        if (isDictColumn(c)) out.push(c.values[c.codes[i]].charCodeAt(0));
        else if (isNullableColumn(c)) {
          out.push(c.valid[i] ? (c.data as ArrayLike<number | bigint>)[i] : null);
        } else out.push((c as ArrayLike<number | bigint>)[i]);
      }
    }
    n += b.length;
  }
  return { n, cols };
}

const NULLABLE = new Set<string>(BOOK_SNAPSHOT_NULLABLE);

Deno.test("replaySilverWindows: every silver row of a generated day equals the pipeline's", async () => {
  const lake = await pipelineLake();
  const snap = await lakeTable(lake, "silver.future_mbo.book_snapshot_1s");
  const flow = await lakeTable(lake, "silver.future_mbo.depth_and_flow_1s");
  assert.equal(snap.n, 23_401); // window ends 09:30:00 … 16:00:00 New York, every second
  assert.ok(flow.n > 100_000, `${flow.n} depth rows`);
  const lakeWindows = silverWindows(lake, "future_mbo", "MNQH6", DT)[Symbol.asyncIterator]();
  let si = 0, fi = 0;
  const stats: Record<string, number> = {};
  for await (
    const w of replaySilverWindows(lake, products, "future_mbo", "MNQH6", DT, { stats })
  ) {
    // the snapshot row
    const s = w.snapshots as unknown as Record<string, ArrayLike<number | bigint>>;
    for (const [name, col] of snap.cols) {
      const v = s[name][w.row];
      const got = NULLABLE.has(name) && (v === 0 || v === 0n) ? null : v;
      assert.equal(got, col[si], `snapshot row ${si} ${name}`);
    }
    // its depth rows
    const rows = w.silver.rows as unknown as Record<string, ArrayLike<number | bigint>>;
    for (let r = w.silver.start; r < w.silver.end; r++, fi++) {
      for (const [name, col] of flow.cols) {
        assert.equal(rows[name][r], col[fi], `flow row ${fi} ${name}`);
      }
    }
    // and the window as the lake reader hands it to the engines
    const l = (await lakeWindows.next()).value!;
    assert.equal(w.silver.window_end_ts_ns, l.window_end_ts_ns);
    assert.equal(w.silver.spot_ref_price_int, l.spot_ref_price_int);
    assert.equal(w.silver.end - w.silver.start, l.end - l.start);
    si++;
  }
  assert.equal(si, snap.n);
  assert.equal(fi, flow.n);
  assert.ok((await lakeWindows.next()).done);
  assert.equal(stats.spread_symbol + stats.other_symbol >= 0, true);
  assert.ok(stats.mbo_records >= 60_000 * 0.9, `${stats.mbo_records} records decoded`);
});

Deno.test("replaySilverWindows: a day without raw files names the files it expected", async () => {
  const lake = await openLake(join(tmp, "empty"));
  const it = replaySilverWindows(lake, products, "future_mbo", "MNQH6", DT);
  await assert.rejects(() => it.next(), /no raw future_mbo\.mbo file for MNQ on 2026-01-06/);
});
