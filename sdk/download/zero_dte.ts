/**
 * Option selection from instrument definitions: 0DTE (expiring on the session date) or the nearest
 * expiry, for futures options (by underlying contract) and equity options (by ticker). Expiration
 * dates are UTC calendar dates (OPRA expirations are midnight UTC of the expiry day).
 *
 * @module
 */
import { openDbn } from "../dbn/mod.ts";
import { UNDEF_TIMESTAMP } from "../dbn/constants.ts";
import { nsToDate } from "./dates.ts";

/** The definition fields the selection needs (a subset of `InstrumentDefMsg`). */
export interface OptionDefinition {
  /** Instrument raw symbol. */
  raw_symbol: string;
  /** Underlying symbol (contract or ticker). */
  underlying: string;
  /** `C` call, `P` put, `F` future, …. */
  instrument_class: string;
  /** Expiration, ns since epoch (`UNDEF_TIMESTAMP` when unset). */
  expiration: bigint;
}

/** No option matched (the caller decides whether that is fatal). */
export class NoOptionsError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "NoOptionsError";
  }
}

/** Result of {@link selectOptions}. */
export interface OptionSelection {
  /** Sorted unique trimmed raw symbols. */
  symbols: string[];
  /** The expiry date chosen (`YYYY-MM-DD`). */
  expiry: string;
}

function isOption(d: OptionDefinition): boolean {
  return (d.instrument_class === "C" || d.instrument_class === "P") &&
    d.expiration !== undefined && d.expiration !== null && d.expiration !== UNDEF_TIMESTAMP;
}

/**
 * Selects calls and puts on `underlying` (compared trimmed; case-insensitive when `ignoreCase`)
 * expiring on `date` (`mode: "0dte"`) or at the earliest expiry on/after `date` (`"nearest"`).
 * Throws {@link NoOptionsError} when none match.
 */
export function selectOptions(
  defs: Iterable<OptionDefinition>,
  underlying: string,
  date: string,
  mode: "0dte" | "nearest" = "0dte",
  ignoreCase = false,
): OptionSelection {
  const want = ignoreCase ? underlying.trim().toUpperCase() : underlying.trim();
  const rows: { sym: string; exp: string }[] = [];
  for (const d of defs) {
    if (!isOption(d)) continue;
    const u = ignoreCase ? d.underlying.trim().toUpperCase() : d.underlying.trim();
    if (u !== want) continue;
    const sym = d.raw_symbol.trim();
    if (sym === "") continue;
    rows.push({ sym, exp: nsToDate(d.expiration) });
  }
  if (rows.length === 0) throw new NoOptionsError(`no options on ${underlying} in the definitions`);
  let expiry = date;
  if (mode === "nearest") {
    const later = rows.map((r) => r.exp).filter((e) => e >= date).sort();
    if (later.length === 0) {
      throw new NoOptionsError(`no ${underlying} options expire on or after ${date}`);
    }
    expiry = later[0];
  }
  const symbols = [...new Set(rows.filter((r) => r.exp === expiry).map((r) => r.sym))].sort();
  if (symbols.length === 0) {
    throw new NoOptionsError(`No ${underlying} 0DTE definitions for ${date}`);
  }
  return { symbols, expiry };
}

/** 0DTE futures options on a contract (e.g. `ESH6`) for a session date. */
export function futuresOptions0dte(
  defs: Iterable<OptionDefinition>,
  contract: string,
  date: string,
): string[] {
  return selectOptions(defs, contract, date, "0dte").symbols;
}

/** 0DTE equity options of a ticker (underlying compared case-insensitively) for a session date. */
export function equityOptions0dte(
  defs: Iterable<OptionDefinition>,
  ticker: string,
  date: string,
): string[] {
  return selectOptions(defs, ticker, date, "0dte", true).symbols;
}

/**
 * Reads the option-relevant fields of every instrument definition in a DBN file or stream.
 * A missing file raises `Deno.errors.NotFound`.
 */
export async function readOptionDefinitions(
  source: string | ReadableStream<Uint8Array>,
): Promise<OptionDefinition[]> {
  if (typeof source === "string") await Deno.stat(source); // NotFound for a missing file
  const reader = await openDbn(source, { skipUnknown: true });
  const out: OptionDefinition[] = [];
  try {
    for await (const r of reader.records()) {
      if (r.rtype !== 0x13) continue;
      const d = r as unknown as OptionDefinition;
      out.push({
        raw_symbol: d.raw_symbol,
        underlying: d.underlying,
        instrument_class: d.instrument_class,
        expiration: d.expiration,
      });
    }
  } finally {
    await reader.close();
  }
  return out;
}
