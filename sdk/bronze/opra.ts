/**
 * OPRA (OSI) option symbols: `QQQ   260105P00626000` = root padded to 6, YYMMDD, C/P, strike in
 * thousandths of a dollar (8 digits).
 *
 * @module
 */

/** The parts of an OPRA symbol. */
export interface OpraSymbol {
  /** Underlying root, trimmed (e.g. `QQQ`). */
  underlying: string;
  /** Expiration date `YYYY-MM-DD` (20YY). */
  expirationDate: string;
  /** Expiration as ns since the epoch: midnight UTC of the expiration date. */
  expiration: bigint;
  /** `C` or `P`. */
  right: string;
  /** Strike in 1e-9 dollars (OPRA thousandths × 1,000,000); 0 when the digits are not numeric. */
  strike: bigint;
}

/**
 * Parses an OPRA symbol (pipeline.md §2.4). Returns `null` for anything that is not 21 characters
 * with a valid date and a `C`/`P` right.
 */
export function parseOpraSymbol(symbol: string): OpraSymbol | null {
  if (symbol.length !== 21) return null;
  const underlying = symbol.slice(0, 6).trim();
  const yymmdd = symbol.slice(6, 12);
  const right = symbol[12];
  if (!underlying || !/^\d{6}$/.test(yymmdd) || (right !== "C" && right !== "P")) return null;
  const expirationDate = `20${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
  const ms = Date.parse(`${expirationDate}T00:00:00Z`);
  if (isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== expirationDate) return null;
  const digits = symbol.slice(13, 21);
  const strike = /^\d{8}$/.test(digits) ? BigInt(digits) * 1_000_000n : 0n;
  return { underlying, expirationDate, expiration: BigInt(ms) * 1_000_000n, right, strike };
}
