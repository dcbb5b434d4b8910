/**
 * Bronze ingest of equity-option CMBP-1 files (equity_option_cmbp_1): OPRA symbols parsed from the
 * DBN symbol mappings, 0DTE contracts of the ticker only, session window 07:00-21:00 UTC (snapshot
 * and clear records exempt), undefined prices set to 0, one partition per underlying, file order.
 *
 * @module
 */
import { allocCmbp1Columns, type Cmbp1Columns, openDbn, symbolMap, words } from "../dbn/mod.ts";
import type { ColumnBatch } from "../lake/columns.ts";
import type { Lake } from "../lake/lake.ts";
import type { ManifestInput } from "../lake/manifest.ts";
import type { ProgressInfo } from "../pipeline/registry.ts";
import type { IngestResult } from "./mbo.ts";
import { parseOpraSymbol } from "./opra.ts";
import { sessionWindow } from "./session.ts";
import { gatherCmbp1 } from "./_gather.ts";
import { type BronzePartition, PartitionSet } from "./_partitions.ts";
import { RawFile } from "./_raw.ts";

const RIGHTS: readonly string[] = ["C", "P"];

/** What to ingest. */
export interface Cmbp1IngestOptions {
  /** Lake to write to. */
  lake: Lake;
  /** Ticker (e.g. `QQQ`); only its options are kept. */
  ticker: string;
  /** Session date. */
  dt: string;
  /** Raw files, in the order to read them. */
  files: string[];
  /** Stage name for the manifests. */
  stage: string;
  /** Rewrite complete partitions. */
  overwrite: boolean;
  /** Extra counters for the manifests. */
  extraStats?: Record<string, unknown>;
  /** Progress callback. */
  progress?: (info: ProgressInfo) => void;
}

interface Target {
  part: BronzePartition | null;
  reason: string;
  right: number;
  strikeLo: number;
  strikeHi: number;
  expLo: number;
  expHi: number;
}

function lo(x: bigint): number {
  return Number(BigInt.asUintN(32, x));
}
function hi(x: bigint): number {
  return Number(BigInt.asUintN(32, x >> 32n));
}

class Scratch {
  cols: Cmbp1Columns = allocCmbp1Columns(0);
  zeros = new Uint8Array(0);
  right = new Uint8Array(0);
  strike = new BigInt64Array(0);
  exp = new BigInt64Array(0);
  ensure(n: number): void {
    if (this.cols.length >= n) return;
    const cap = Math.max(n, 1024);
    this.cols = allocCmbp1Columns(cap);
    this.zeros = new Uint8Array(cap);
    this.right = new Uint8Array(cap);
    this.strike = new BigInt64Array(cap);
    this.exp = new BigInt64Array(cap);
  }
}

/** Ingests CMBP-1 files of one session date into `bronze.equity_option_cmbp_1.cmbp_1`. */
export async function ingestCmbp1(o: Cmbp1IngestOptions): Promise<IngestResult> {
  const t0 = performance.now();
  const dataset = "bronze.equity_option_cmbp_1.cmbp_1";
  const set = new PartitionSet(o.lake, dataset, o.dt, o.stage, o.overwrite);
  const [start, end] = sessionWindow(o.dt, "equity_option_cmbp_1");
  const sHi = hi(start), sLo = lo(start), eHi = hi(end), eLo = lo(end);
  const ymd = o.dt;
  const ticker = o.ticker.toUpperCase();
  const stats: Record<string, number> = {
    records_read: 0,
    cmbp1_records: 0,
    other_records: 0,
    unmapped_instrument: 0,
    not_opra_symbol: 0,
    other_underlying: 0,
    not_0dte: 0,
    rows_in_existing_partitions: 0,
  };
  const inputs: ManifestInput[] = [];
  const scratch = new Map<BronzePartition, Scratch>();
  const underlyingValues = new Map<BronzePartition, readonly string[]>();
  let records = 0;
  let decodeSeconds = 0;
  try {
    for (const path of o.files) {
      const raw = await RawFile.open(path);
      const reader = await openDbn(raw.chunks(), { name: path });
      if (!reader.metadata) throw new Error(`${path}: bronze needs DBN metadata (symbol mappings)`);
      const targets = new Map<number, Target>();
      for (const [id, sym] of symbolMap(reader.metadata, o.dt)) {
        const p = parseOpraSymbol(sym);
        const t: Target = {
          part: null,
          reason: "",
          right: 0,
          strikeLo: 0,
          strikeHi: 0,
          expLo: 0,
          expHi: 0,
        };
        if (!p) t.reason = "not_opra_symbol";
        else if (p.underlying.toUpperCase() !== ticker) t.reason = "other_underlying";
        else if (p.expirationDate !== ymd) t.reason = "not_0dte";
        else {
          t.part = await set.get(p.underlying);
          t.right = p.right === "C" ? 0 : 1;
          t.strikeLo = lo(p.strike);
          t.strikeHi = hi(p.strike);
          t.expLo = lo(p.expiration);
          t.expHi = hi(p.expiration);
        }
        targets.set(id, t);
      }
      let lastId = -1;
      let last: Target | undefined;
      let tDecode = performance.now();
      for await (const batch of reader.batches()) {
        decodeSeconds += (performance.now() - tDecode) / 1000;
        if (batch.kind !== "cmbp1") {
          const k = batch.kind === "records" ? batch.records.length : batch.columns.length;
          stats.other_records += k;
          records += k;
          tDecode = performance.now();
          continue;
        }
        const c = batch.columns;
        const n = c.length;
        records += n;
        for (const p of set.parts.values()) p.reset(n);
        const rtype = c.rtype, inst = c.instrument_id, flags = c.flags, action = c.action;
        const tsE = words(c.ts_event),
          tsR = words(c.ts_recv),
          bid = words(c.bid_px),
          ask = words(c.ask_px);
        for (let i = 0; i < n; i++) {
          if (rtype[i] !== 0xb1) {
            stats.other_records++;
            continue;
          }
          stats.cmbp1_records++;
          const id = inst[i];
          if (id !== lastId) {
            lastId = id;
            last = targets.get(id);
          }
          const t = last;
          if (t === undefined) {
            stats.unmapped_instrument++;
            continue;
          }
          if (!t.part) {
            stats[t.reason]++;
            continue;
          }
          const p = t.part;
          const i2 = i << 1;
          const th = tsE[i2 + 1], tl = tsE[i2];
          const inWindow = (th > sHi || (th === sHi && tl >= sLo)) &&
            (th < eHi || (th === eHi && tl < eLo));
          if (!inWindow && (flags[i] & 32) === 0 && action[i] !== 82) {
            p.stats.outside_session++;
            continue;
          }
          if (th === 0xffffffff && tl === 0xffffffff) {
            p.rejected.null_timestamp++;
            continue;
          }
          if (tsR[i2] === 0xffffffff && tsR[i2 + 1] === 0xffffffff) {
            tsR[i2] = tl;
            tsR[i2 + 1] = th;
          }
          if (bid[i2 + 1] === 0x7fffffff && bid[i2] === 0xffffffff) {
            bid[i2] = bid[i2 + 1] = 0;
            p.stats.null_price_set_to_zero++;
          }
          if (ask[i2 + 1] === 0x7fffffff && ask[i2] === 0xffffffff) {
            ask[i2] = ask[i2 + 1] = 0;
            p.stats.null_price_set_to_zero++;
          }
          if (flags[i] & 32) p.stats.snapshot_records++;
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
          const out = m === n ? c : (gatherCmbp1(c, s.cols, p.idx, m), s.cols);
          const ids = out.instrument_id;
          const sw = words(s.strike), ew = words(s.exp);
          let li = -1;
          let lt: Target | undefined;
          for (let j = 0; j < m; j++) {
            if (ids[j] !== li) {
              li = ids[j];
              lt = targets.get(li);
            }
            s.right[j] = lt!.right;
            sw[j << 1] = lt!.strikeLo;
            sw[(j << 1) + 1] = lt!.strikeHi;
            ew[j << 1] = lt!.expLo;
            ew[(j << 1) + 1] = lt!.expHi;
          }
          let uv = underlyingValues.get(p);
          if (!uv) underlyingValues.set(p, uv = [p.symbol]);
          const b: ColumnBatch = {
            ts_recv: out.ts_recv.subarray(0, m),
            ts_event: out.ts_event.subarray(0, m),
            publisher_id: out.publisher_id.subarray(0, m),
            instrument_id: out.instrument_id.subarray(0, m),
            bid_px_00: out.bid_px.subarray(0, m),
            ask_px_00: out.ask_px.subarray(0, m),
            bid_sz_00: out.bid_sz.subarray(0, m),
            ask_sz_00: out.ask_sz.subarray(0, m),
            underlying: { codes: s.zeros.subarray(0, m), values: uv },
            right: { codes: s.right.subarray(0, m), values: RIGHTS },
            strike: s.strike.subarray(0, m),
            expiration: s.exp.subarray(0, m),
          };
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
