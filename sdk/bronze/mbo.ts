/**
 * Bronze ingest of market-by-order files (future_mbo, equity_mbo, future_option_mbo): decode in
 * columnar batches, keep the session window (snapshot and clear records exempt), apply the hard
 * rejects, and stream each contract's (or underlying's) rows to its partition, in file order.
 *
 * @module
 */
import {
  allocMboColumns,
  type MboColumns,
  type Metadata,
  openDbn,
  symbolMap,
  words,
} from "../dbn/mod.ts";
import type { ColumnBatch, DictColumn } from "../lake/columns.ts";
import type { Lake } from "../lake/lake.ts";
import type { ManifestInput } from "../lake/manifest.ts";
import type { PartitionOutcome, ProductType, ProgressInfo } from "../pipeline/registry.ts";
import type { OptionInfo } from "./definitions.ts";
import { sessionWindow } from "./session.ts";
import { gatherMbo } from "./_gather.ts";
import { type BronzePartition, PartitionSet } from "./_partitions.ts";
import { RawFile } from "./_raw.ts";

/** `String.fromCharCode(i)` for every byte: the dictionary of action and side codes. */
export const ASCII: readonly string[] = Array.from(
  { length: 256 },
  (_, i) => String.fromCharCode(i),
);
const RIGHTS: readonly string[] = ["C", "P"];

/** What to ingest. */
export interface MboIngestOptions {
  /** Lake to write to. */
  lake: Lake;
  /** Product type (an MBO one). */
  productType: Extract<ProductType, "future_mbo" | "equity_mbo" | "future_option_mbo">;
  /** Session date. */
  dt: string;
  /** Raw files, in the order to read them. */
  files: string[];
  /** Stage name for the manifests. */
  stage: string;
  /** Rewrite complete partitions. */
  overwrite: boolean;
  /** Futures options only: the 0DTE instruments (instrument id → option fields). */
  options?: Map<number, OptionInfo>;
  /** Extra manifest inputs (e.g. the definition files). */
  extraInputs?: ManifestInput[];
  /** Extra counters for the manifests. */
  extraStats?: Record<string, unknown>;
  /** Progress callback. */
  progress?: (info: ProgressInfo) => void;
}

/** What an ingest did. */
export interface IngestResult {
  /** Partitions written or skipped. */
  partitions: PartitionOutcome[];
  /** File-level counters (records read, rows filtered before reaching a partition). */
  stats: Record<string, number>;
  /** Records decoded (all record types). */
  records: number;
  /** Seconds spent. */
  seconds: number;
}

const KEEP = 0, SPREAD = 1, USER_DEFINED = 2, NOT_0DTE = 3;
const REASON = ["", "spread_symbol", "user_defined_symbol", "not_0dte"];

interface Target {
  kind: number;
  part: BronzePartition | null;
  /** Index of the row's symbol in the file's symbol list. */
  sym: number;
  opt: { right: number; strikeLo: number; strikeHi: number; expLo: number; expHi: number } | null;
}

function lo(x: bigint): number {
  return Number(BigInt.asUintN(32, x));
}
function hi(x: bigint): number {
  return Number(BigInt.asUintN(32, x >> 32n));
}

/** Per-partition output buffers (reused across batches). */
class Scratch {
  cols: MboColumns = allocMboColumns(0);
  rtype = new Uint8Array(0);
  zeros = new Uint8Array(0);
  sym = new Uint32Array(0);
  right = new Uint8Array(0);
  strike = new BigInt64Array(0);
  exp = new BigInt64Array(0);
  ensure(n: number): void {
    if (this.cols.length >= n) return;
    const cap = Math.max(n, 1024);
    this.cols = allocMboColumns(cap);
    this.rtype = new Uint8Array(cap).fill(0xa0);
    this.zeros = new Uint8Array(cap);
    this.sym = new Uint32Array(cap);
    this.right = new Uint8Array(cap);
    this.strike = new BigInt64Array(cap);
    this.exp = new BigInt64Array(cap);
  }
}

/** Ingests MBO files of one session date into bronze partitions (one pass, bounded memory). */
export async function ingestMbo(o: MboIngestOptions): Promise<IngestResult> {
  const t0 = performance.now();
  const dataset = `bronze.${o.productType}.mbo`;
  const isOption = o.productType === "future_option_mbo";
  if (isOption && !o.options) {
    throw new Error("future_option_mbo ingest needs the 0DTE definitions");
  }
  const set = new PartitionSet(o.lake, dataset, o.dt, o.stage, o.overwrite);
  const [start, end] = sessionWindow(o.dt, o.productType);
  const sHi = hi(start), sLo = lo(start), eHi = hi(end), eLo = lo(end);
  const stats: Record<string, number> = {
    records_read: 0,
    mbo_records: 0,
    other_records: 0,
    unmapped_instrument: 0,
    spread_symbol: 0,
    user_defined_symbol: 0,
    not_0dte: 0,
    rows_in_existing_partitions: 0,
  };
  const inputs: ManifestInput[] = [...(o.extraInputs ?? [])];
  const scratch = new Map<BronzePartition, Scratch>();
  const underlyingValues = new Map<BronzePartition, readonly string[]>();
  let decodeSeconds = 0;
  let records = 0;
  try {
    for (const path of o.files) {
      const raw = await RawFile.open(path);
      const reader = await openDbn(raw.chunks(), { name: path, reuseBatches: true });
      const targets = await resolveTargets(reader.metadata, o, set);
      const symbols = targets.symbols;
      const wanted = [...targets.byId.values()].filter((t) => t.part);
      if (wanted.length && wanted.every((t) => t.part!.skip)) {
        // every partition this file feeds is complete: nothing to do
        await reader.close();
        stats.files_skipped = (stats.files_skipped ?? 0) + 1;
        continue;
      }
      const symValues = new Map<BronzePartition, readonly string[]>();
      let lastId = -1;
      let last: Target | undefined;
      let tDecode = performance.now();
      for await (const batch of reader.batches()) {
        decodeSeconds += (performance.now() - tDecode) / 1000;
        if (batch.kind !== "mbo") {
          const k = batch.kind === "records" ? batch.records.length : batch.columns.length;
          stats.other_records += k;
          records += k;
          tDecode = performance.now();
          continue;
        }
        const c = batch.columns;
        const n = c.length;
        records += n;
        stats.mbo_records += n;
        for (const p of set.parts.values()) p.reset(n);
        const inst = c.instrument_id, flags = c.flags, action = c.action, size = c.size;
        const tsE = words(c.ts_event), tsR = words(c.ts_recv), px = words(c.price);
        for (let i = 0; i < n; i++) {
          const id = inst[i];
          if (id !== lastId) {
            lastId = id;
            last = targets.byId.get(id);
          }
          const t = last;
          if (t === undefined) {
            stats.unmapped_instrument++;
            continue;
          }
          if (t.kind !== KEEP) {
            stats[REASON[t.kind]]++;
            continue;
          }
          const p = t.part!;
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
        for (const p of set.parts.values()) {
          if (p.cnt === 0) continue;
          if (p.skip) {
            p.rows += p.cnt;
            stats.rows_in_existing_partitions += p.cnt;
            continue;
          }
          let s = scratch.get(p);
          if (!s) scratch.set(p, s = new Scratch());
          s.ensure(p.cnt);
          const m = p.cnt;
          let out: MboColumns;
          if (m === n) out = c; // every row of the batch: no copy
          else {
            gatherMbo(c, s.cols, p.idx, m);
            out = s.cols;
          }
          let sv = symValues.get(p);
          if (!sv) symValues.set(p, sv = isOption ? symbols : [p.symbol]);
          const b: ColumnBatch = {
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
            symbol: { codes: isOption ? s.sym.subarray(0, m) : s.zeros.subarray(0, m), values: sv },
            price: out.price.subarray(0, m),
          };
          if (isOption) {
            const ids = out.instrument_id;
            const sw = words(s.strike), ew = words(s.exp);
            let li = -1;
            let lt: Target | undefined;
            for (let j = 0; j < m; j++) {
              if (ids[j] !== li) {
                li = ids[j];
                lt = targets.byId.get(li);
              }
              const op = lt!.opt!;
              s.sym[j] = lt!.sym;
              s.right[j] = op.right;
              sw[j << 1] = op.strikeLo;
              sw[(j << 1) + 1] = op.strikeHi;
              ew[j << 1] = op.expLo;
              ew[(j << 1) + 1] = op.expHi;
            }
            let uv = underlyingValues.get(p);
            if (!uv) underlyingValues.set(p, uv = [p.symbol]);
            b.underlying = { codes: s.zeros.subarray(0, m), values: uv };
            b.right = { codes: s.right.subarray(0, m), values: RIGHTS };
            b.strike = s.strike.subarray(0, m);
            b.expiration = s.exp.subarray(0, m);
          }
          await set.append(p, b, m);
        }
        o.progress?.({ label: raw.name, records, fraction: raw.fraction });
        tDecode = performance.now();
      }
      inputs.push(raw.input());
    }
    stats.records_read = records;
    const partitions = await set.commit(
      inputs,
      { ...stats, ...(o.extraStats ?? {}) },
      { decode_filter_seconds: Math.round(decodeSeconds * 1000) / 1000 },
    );
    return { partitions, stats, records, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    await set.abort();
    throw e;
  }
}

/** Instrument id → output target, from the file's symbol mappings for the session date. */
async function resolveTargets(
  md: Metadata | undefined,
  o: MboIngestOptions,
  set: PartitionSet,
): Promise<{ byId: Map<number, Target>; symbols: string[] }> {
  if (!md) throw new Error("bronze needs DBN files with metadata (symbol mappings), not fragments");
  const map = symbolMap(md, o.dt);
  const byId = new Map<number, Target>();
  const symbols: string[] = [];
  const symIndex = new Map<string, number>();
  const ids = [...map.keys()].sort((a, b) => a - b);
  for (const id of ids) {
    const sym = map.get(id)!;
    let kind = KEEP;
    if (o.productType === "future_option_mbo") {
      if (sym.startsWith("UD:")) kind = USER_DEFINED;
      else if (sym.includes("-")) kind = SPREAD;
      else if (!o.options!.has(id)) kind = NOT_0DTE;
    } else if (o.productType === "future_mbo" && sym.includes("-")) kind = SPREAD;
    if (kind !== KEEP) {
      byId.set(id, { kind, part: null, sym: -1, opt: null });
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
      byId.set(id, {
        kind,
        part,
        sym: si,
        opt: {
          right: info.right === "C" ? 0 : 1,
          strikeLo: lo(info.strike),
          strikeHi: hi(info.strike),
          expLo: lo(info.expiration),
          expHi: hi(info.expiration),
        },
      });
    } else {
      byId.set(id, { kind, part: await set.get(sym), sym: si, opt: null });
    }
  }
  return { byId, symbols };
}
