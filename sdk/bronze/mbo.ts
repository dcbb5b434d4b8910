/**
 * Bronze ingest of market-by-order files (future_mbo, equity_mbo, future_option_mbo): decode in
 * columnar batches, keep the session window (snapshot and clear records exempt), apply the hard
 * rejects, and stream each contract's (or underlying's) rows to its partition, in file order.
 *
 * @module
 */
import { allocMboColumns, type MboColumns, type Metadata, symbolMap, words } from "../dbn/mod.ts";
import type { DictColumn } from "../lake/columns.ts";
import type { ManifestInput } from "../lake/manifest.ts";
import type { ProductType } from "../pipeline/registry.ts";
import type { OptionInfo } from "./definitions.ts";
import { gatherMbo } from "./_gather.ts";
import {
  type IngestOptions,
  type IngestResult,
  IngestRun,
  optionColumns,
  optionFields,
  type Target,
  target,
} from "./_ingest_run.ts";
import type { PartitionSet } from "./_partitions.ts";

export type { IngestOptions, IngestResult } from "./_ingest_run.ts";

/** `String.fromCharCode(i)` for every byte: the dictionary of action and side codes. */
export const ASCII: readonly string[] = Array.from(
  { length: 256 },
  (_, i) => String.fromCharCode(i),
);

/** What to ingest. */
export interface MboIngestOptions extends IngestOptions {
  /** Product type (an MBO one). */
  productType: Extract<ProductType, "future_mbo" | "equity_mbo" | "future_option_mbo">;
  /** Futures options only: the 0DTE instruments (instrument id → option fields). */
  options?: Map<number, OptionInfo>;
  /** Extra manifest inputs (e.g. the definition files). */
  extraInputs?: ManifestInput[];
}

/** Ingests MBO files of one session date into bronze partitions (one pass, bounded memory). */
export async function ingestMbo(o: MboIngestOptions): Promise<IngestResult> {
  const isOption = o.productType === "future_option_mbo";
  if (isOption && !o.options) {
    throw new Error("future_option_mbo ingest needs the 0DTE definitions");
  }
  const run = new IngestRun(o, {
    dataset: `bronze.${o.productType}.mbo`,
    productType: o.productType,
    kind: "mbo",
    filtered: ["spread_symbol", "user_defined_symbol", "not_0dte"],
    alloc: allocMboColumns,
    gather: gatherMbo,
    reuseBatches: true,
    inputs: o.extraInputs,
  });
  return await run.each(async (file) => {
    const { byId, symbols } = await resolveTargets(file.metadata, o, run.set);
    if (await file.skipIfComplete(byId.values())) return;
    const stats = run.stats;
    for await (const c of file.batches()) {
      selectMboRows(c, byId, run.window, stats);
      await run.flush(c, (out, m, s) => {
        // option columns first: they fill the symbol codes `s.sym`
        const opt = isOption ? optionColumns(s, out.instrument_id, m, byId) : null;
        const b = {
          ts_recv: out.ts_recv.subarray(0, m),
          size: out.size.subarray(0, m),
          ts_event: out.ts_event.subarray(0, m),
          channel_id: out.channel_id.subarray(0, m),
          rtype: s.rtype.subarray(0, m),
          order_id: out.order_id.subarray(0, m),
          publisher_id: out.publisher_id.subarray(0, m),
          flags: out.flags.subarray(0, m),
          instrument_id: out.instrument_id.subarray(0, m),
          ts_in_delta: out.ts_in_delta.subarray(0, m),
          action: { codes: out.action.subarray(0, m), values: ASCII } as DictColumn,
          sequence: out.sequence.subarray(0, m),
          side: { codes: out.side.subarray(0, m), values: ASCII } as DictColumn,
          symbol: opt
            ? { codes: s.sym.subarray(0, m), values: symbols }
            : { codes: s.zeros.subarray(0, m), values: s.own },
          price: out.price.subarray(0, m),
        };
        return opt ? { ...b, ...opt } : b;
      });
    }
  });
}

/** The session window `[start, end)` as 32-bit word pairs (high, low) for the row loops. */
export interface WordWindow {
  /** Start, high word. */
  sHi: number;
  /** Start, low word. */
  sLo: number;
  /** End (exclusive), high word. */
  eHi: number;
  /** End (exclusive), low word. */
  eLo: number;
}

/** What keeps the rows of one instrument (a bronze partition, or a replay's in-memory list). */
export interface RowKeeper {
  /** Per-partition counters (`outside_session`, `snapshot_records`, …). */
  readonly stats: Record<string, number>;
  /** Hard-reject counters by reason. */
  readonly rejected: Record<string, number>;
  /** Keeps row `i` of the batch; `hi`/`lo` are its ts_recv words. */
  keep(i: number, hi: number, lo: number): void;
}

/** Where the rows of one instrument go, as {@linkcode selectMboRows} reads it. */
export interface RowTarget {
  /** The keeper, or `null` when the instrument's rows are filtered out. */
  readonly part: RowKeeper | null;
  /** The file-level counter of the filtered rows (`""` when kept). */
  readonly reason: string;
}

/**
 * The bronze row rules of one decoded MBO batch (pipeline.md §2): each record goes to its
 * instrument's target partition (`keep`) unless the instrument is filtered out, the record lies
 * outside the session window (snapshot records and clears exempt) or a hard reject applies; an
 * undefined price on a record other than an add/modify is set to 0 in `c`. The bronze ingest and
 * the serving replay (which keeps the rows in memory) share this one loop.
 */
export function selectMboRows(
  c: MboColumns,
  byId: ReadonlyMap<number, RowTarget>,
  window: WordWindow,
  stats: Record<string, number>,
): void {
  const { sHi, sLo, eHi, eLo } = window;
  let lastId = -1;
  let last: RowTarget | undefined;
  const n = c.length;
  stats.mbo_records += n;
  const inst = c.instrument_id, flags = c.flags, action = c.action, size = c.size;
  const tsE = words(c.ts_event), tsR = words(c.ts_recv), px = words(c.price);
  for (let i = 0; i < n; i++) {
    const id = inst[i];
    if (id !== lastId) {
      lastId = id;
      last = byId.get(id);
    }
    const t = last;
    if (t === undefined) {
      stats.unmapped_instrument++;
      continue;
    }
    const p = t.part;
    if (p === null) {
      stats[t.reason]++;
      continue;
    }
    const i2 = i << 1;
    const th = tsE[i2 + 1], tl = tsE[i2];
    const a = action[i], f = flags[i];
    const inWindow = (th > sHi || (th === sHi && tl >= sLo)) &&
      (th < eHi || (th === eHi && tl < eLo));
    if (!inWindow && (f & 32) === 0 && a !== 82) {
      p.stats.outside_session++;
      continue;
    }
    if (th === 0xffffffff && tl === 0xffffffff) {
      p.rejected.null_timestamp++;
      continue;
    }
    const addOrModify = a === 65 || a === 77;
    const ph = px[i2 + 1], pl = px[i2];
    if (ph === 0x7fffffff && pl === 0xffffffff) {
      if (addOrModify) {
        p.rejected.null_price++;
        continue;
      }
      px[i2] = 0;
      px[i2 + 1] = 0;
      p.stats.null_price_set_to_zero++;
    } else if (addOrModify && (ph >= 0x80000000 || (ph === 0 && pl === 0))) {
      p.rejected.zero_price++;
      continue;
    }
    if (addOrModify && size[i] === 0) {
      p.rejected.zero_size++;
      continue;
    }
    if (f & 32) p.stats.snapshot_records++;
    if (a === 82) p.stats.clear_records++;
    p.keep(i, tsR[i2 + 1], tsR[i2]);
  }
}

/** Instrument id → output target, from the file's symbol mappings for the session date. */
async function resolveTargets(
  md: Metadata,
  o: MboIngestOptions,
  set: PartitionSet,
): Promise<{ byId: Map<number, Target>; symbols: string[] }> {
  const map = symbolMap(md, o.dt);
  const byId = new Map<number, Target>();
  const symbols: string[] = [];
  const symIndex = new Map<string, number>();
  const ids = [...map.keys()].sort((a, b) => a - b);
  for (const id of ids) {
    const sym = map.get(id)!;
    let reason = "";
    if (o.productType === "future_option_mbo") {
      if (sym.startsWith("UD:")) reason = "user_defined_symbol";
      else if (sym.includes("-")) reason = "spread_symbol";
      else if (!o.options!.has(id)) reason = "not_0dte";
    } else if (o.productType === "future_mbo" && sym.includes("-")) reason = "spread_symbol";
    if (reason) {
      byId.set(id, target(null, reason, -1));
      continue;
    }
    let si = symIndex.get(sym);
    if (si === undefined) {
      si = symbols.length;
      symIndex.set(sym, si);
      symbols.push(sym);
    }
    if (o.productType === "future_option_mbo") {
      const info = o.options!.get(id)!;
      const part = await set.get(info.underlying);
      byId.set(id, target(part, "", si, optionFields(info.right, info.strike, info.expiration)));
    } else {
      byId.set(id, target(await set.get(sym), "", si));
    }
  }
  return { byId, symbols };
}
