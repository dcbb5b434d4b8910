/**
 * Instrument definitions and statistics of the option product types: the 0DTE selection of
 * futures options, and the bronze `definition` and `statistics` tables.
 *
 * @module
 */
import {
  type InstrumentDefMsg,
  openDbn,
  type StatMsg,
  symbolMap,
  UNDEF_TIMESTAMP,
} from "../dbn/mod.ts";
import type { ColumnBatch } from "../lake/columns.ts";
import type { Lake } from "../lake/lake.ts";
import type { ManifestInput } from "../lake/manifest.ts";
import { describeStale, partitionFreshness } from "../lake/lineage.ts";
import { PartitionWriter } from "../lake/writer.ts";
import type { PartitionOutcome } from "../pipeline/registry.ts";
import { newYorkDate } from "./session.ts";
import { RawFile } from "./_raw.ts";

/** The option fields bronze attaches to every row of a selected instrument. */
export interface OptionInfo {
  /** Option raw symbol. */
  raw_symbol: string;
  /** Underlying contract / ticker. */
  underlying: string;
  /** `C` or `P`. */
  right: string;
  /** Strike in 1e-9 units. */
  strike: bigint;
  /** Expiration, ns since the epoch. */
  expiration: bigint;
}

/** Definitions read from files: the last record per instrument id, and the inputs. */
export interface DefinitionSet {
  /** Last definition per instrument id (greatest `ts_event`, ties: later in the file). */
  byId: Map<number, InstrumentDefMsg>;
  /** Manifest entries of the files read. */
  inputs: ManifestInput[];
  /** Definition records read. */
  records: number;
}

/** Reads definition files (any DBN version; records other than definitions are ignored). */
export async function readDefinitions(files: string[]): Promise<DefinitionSet> {
  const byId = new Map<number, InstrumentDefMsg>();
  const inputs: ManifestInput[] = [];
  let records = 0;
  for (const path of files) {
    const raw = await RawFile.open(path);
    const reader = await openDbn(raw.chunks(), { name: path });
    for await (const rec of reader.records()) {
      if (rec.rtype !== 0x13) continue;
      const d = rec as InstrumentDefMsg;
      records++;
      const prev = byId.get(d.instrument_id);
      if (!prev || d.ts_event >= prev.ts_event) byId.set(d.instrument_id, d);
    }
    inputs.push(raw.input());
  }
  return { byId, inputs, records };
}

/**
 * The futures-option 0DTE rule (pipeline.md §2.3 step 3): instrument class `C` or `P` whose
 * expiration falls on the session date in New York time.
 */
export function zeroDteFutureOptions(defs: DefinitionSet, dt: string): Map<number, OptionInfo> {
  const out = new Map<number, OptionInfo>();
  for (const [id, d] of defs.byId) {
    if (d.instrument_class !== "C" && d.instrument_class !== "P") continue;
    if (d.expiration === UNDEF_TIMESTAMP || newYorkDate(d.expiration) !== dt) continue;
    out.set(id, {
      raw_symbol: d.raw_symbol,
      underlying: d.underlying,
      right: d.instrument_class,
      strike: d.strike_price,
      expiration: d.expiration,
    });
  }
  return out;
}

/** The definition rows as a column batch (contract `bronze/<pt>/definition.avsc`). */
export function definitionBatch(
  defs: Iterable<InstrumentDefMsg>,
  selected: (d: InstrumentDefMsg) => boolean,
): ColumnBatch {
  const list = [...defs].sort((a, b) => a.instrument_id - b.instrument_id);
  const n = list.length;
  const big = (f: (d: InstrumentDefMsg) => bigint) =>
    BigInt64Array.from(list, (d) => BigInt.asIntN(64, f(d)));
  const u32 = (f: (d: InstrumentDefMsg) => number) =>
    new BigInt64Array(n).map((_, i) => BigInt(f(list[i])));
  return {
    ts_recv: big((d) => d.ts_recv),
    ts_event: big((d) => d.ts_event),
    publisher_id: u32((d) => d.publisher_id),
    instrument_id: u32((d) => d.instrument_id),
    raw_symbol: list.map((d) => d.raw_symbol),
    instrument_class: list.map((d) => d.instrument_class),
    underlying: list.map((d) => d.underlying),
    underlying_id: u32((d) => d.underlying_id),
    strike_price: big((d) => d.strike_price),
    strike_price_currency: list.map((d) => d.strike_price_currency),
    expiration: big((d) => d.expiration),
    activation: big((d) => d.activation),
    min_price_increment: big((d) => d.min_price_increment),
    display_factor: big((d) => d.display_factor),
    unit_of_measure_qty: big((d) => d.unit_of_measure_qty),
    contract_multiplier: u32((d) => d.contract_multiplier),
    security_update_action: list.map((d) => d.security_update_action),
    asset: list.map((d) => d.asset),
    exchange: list.map((d) => d.exchange),
    is_0dte: Uint8Array.from(list, (d) => (selected(d) ? 1 : 0)),
  };
}

/** Writes one small partition unless it is complete (and not overwriting). */
export async function writeSmallPartition(
  lake: Lake,
  dataset: string,
  symbol: string,
  dt: string,
  batches: ColumnBatch[],
  opts: {
    stage: string;
    inputs: ManifestInput[];
    overwrite: boolean;
    /** Raw provenance (the bronze path's `{source}`). */
    source: string;
    stats?: Record<string, unknown>;
    log?: (message: string) => void;
  },
): Promise<PartitionOutcome> {
  const key = { symbol, dt, source: opts.source };
  if (!opts.overwrite) {
    const f = await partitionFreshness(lake, dataset, key, {
      files: opts.inputs.flatMap((i) => ("path" in i ? [i.path] : [])),
    });
    if (f.state === "fresh") return { dataset, symbol, dt, rows: 0, skipped: true };
    if (f.state === "stale") {
      opts.log?.(`${dataset} ${symbol} ${dt}: stale, rebuilding (${describeStale(f)})`);
    }
  }
  const w = await PartitionWriter.open(lake, dataset, key, { stage: opts.stage });
  try {
    for (const b of batches) await w.append(b);
  } catch (e) {
    await w.abort();
    throw e;
  }
  const m = await w.commit({ inputs: opts.inputs, stats: opts.stats });
  return { dataset, symbol, dt, rows: m.row_count, skipped: false };
}

/** Reads statistics files into column batches (contract `bronze/<pt>/statistics.avsc`), file order. */
export async function readStatistics(
  files: string[],
  dt: string,
): Promise<{ batches: ColumnBatch[]; inputs: ManifestInput[]; records: number }> {
  const batches: ColumnBatch[] = [];
  const inputs: ManifestInput[] = [];
  let records = 0;
  for (const path of files) {
    const raw = await RawFile.open(path);
    const reader = await openDbn(raw.chunks(), { name: path });
    const symbols = reader.metadata ? symbolMap(reader.metadata, dt) : new Map<number, string>();
    for await (const b of reader.batches()) {
      if (b.kind !== "records") continue;
      const stats = b.records.filter((r) => r.rtype === 0x18) as StatMsg[];
      if (!stats.length) continue;
      records += stats.length;
      const big = (f: (s: StatMsg) => bigint) =>
        BigInt64Array.from(stats, (s) => BigInt.asIntN(64, f(s)));
      const int = (f: (s: StatMsg) => number) => BigInt64Array.from(stats, (s) => BigInt(f(s)));
      batches.push({
        ts_recv: big((s) => s.ts_recv),
        ts_event: big((s) => s.ts_event),
        ts_ref: big((s) => s.ts_ref),
        publisher_id: int((s) => s.publisher_id),
        instrument_id: int((s) => s.instrument_id),
        symbol: stats.map((s) => symbols.get(s.instrument_id) ?? ""),
        price: big((s) => s.price),
        quantity: big((s) => s.quantity),
        sequence: int((s) => s.sequence),
        ts_in_delta: int((s) => s.ts_in_delta),
        stat_type: int((s) => s.stat_type),
        channel_id: int((s) => s.channel_id),
        update_action: int((s) => s.update_action),
        stat_flags: int((s) => s.stat_flags),
      });
    }
    inputs.push(raw.input());
  }
  return { batches, inputs, records };
}
