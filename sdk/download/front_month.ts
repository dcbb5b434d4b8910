/**
 * Front-month resolution with the free `symbology.resolve`: `<ROOT>.v.0` (volume-ranked front
 * contract, stype `continuous`) to its instrument id, then the id to its raw symbol. The original
 * downloader streamed a billed definition instead, contradicting its README.
 *
 * @module
 */
import type { HistoricalClient, ResolveInterval, SymbologyResolution } from "./client.ts";
import { addDays } from "./dates.ts";
import { DatabentoApiError, DatabentoError } from "./errors.ts";

/** A resolved front month. */
export interface FrontMonth {
  /** Root, e.g. `SI`. */
  root: string;
  /** Contract raw symbol, e.g. `SIH6`. */
  contract: string;
  /** Its instrument id. */
  instrument_id: number;
  /** The continuous symbol used, e.g. `SI.v.0`. */
  continuous: string;
}

/** The output symbol of `intervals` on `date` (d0 ≤ date < d1), skipping empty mappings. */
export function symbolOn(
  intervals: ResolveInterval[] | undefined,
  date: string,
): string | undefined {
  for (const iv of intervals ?? []) {
    if (iv.s && iv.d0 <= date && date < iv.d1) return iv.s;
  }
  return undefined;
}

function lookup(res: SymbologyResolution, symbol: string): ResolveInterval[] | undefined {
  return res.result?.[symbol] ?? Object.values(res.result ?? {})[0];
}

/**
 * Resolves the front-month contract of a CME root on a session date (free calls only):
 * `symbology.resolve(<ROOT>.<rule>.0, continuous → instrument_id)` then
 * `symbology.resolve(<id>, instrument_id → raw_symbol)`; if that second call is refused, the
 * parent `<ROOT>.FUT` is resolved and the child whose id matches is taken.
 */
export async function resolveFrontMonth(
  client: HistoricalClient,
  root: string,
  date: string,
  options: { dataset?: string; rollRule?: "v" | "c" | "n"; signal?: AbortSignal } = {},
): Promise<FrontMonth> {
  const dataset = options.dataset ?? "GLBX.MDP3";
  const continuous = `${root}.${options.rollRule ?? "v"}.0`;
  const next = addDays(date, 1);
  const r1 = await client.symbology.resolve({
    dataset,
    symbols: [continuous],
    stype_in: "continuous",
    stype_out: "instrument_id",
    start_date: date,
    end_date: next,
  }, options.signal);
  const id = symbolOn(lookup(r1, continuous), date);
  if (!id || !/^\d+$/.test(id)) {
    throw new DatabentoError(
      `No front month for ${continuous} on ${date} (symbology.resolve: ${
        r1.message ?? "no mapping"
      })`,
    );
  }
  let contract: string | undefined;
  try {
    const r2 = await client.symbology.resolve({
      dataset,
      symbols: [id],
      stype_in: "instrument_id",
      stype_out: "raw_symbol",
      start_date: date,
      end_date: next,
    }, options.signal);
    contract = symbolOn(lookup(r2, id), date);
  } catch (e) {
    if (!(e instanceof DatabentoApiError && e.isClientError && e.status !== 401)) throw e;
  }
  if (!contract) {
    const r3 = await client.symbology.resolve({
      dataset,
      symbols: [`${root}.FUT`],
      stype_in: "parent",
      stype_out: "instrument_id",
      start_date: date,
      end_date: next,
    }, options.signal);
    for (const [raw, ivs] of Object.entries(r3.result ?? {})) {
      if (symbolOn(ivs, date) === id) contract = raw;
    }
  }
  if (!contract?.trim()) {
    throw new DatabentoError(`No raw symbol for instrument ${id} (${continuous}) on ${date}`);
  }
  return { root, contract: contract.trim(), instrument_id: Number(id), continuous };
}
