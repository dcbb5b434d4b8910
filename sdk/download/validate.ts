/**
 * Validation of the downloader's arguments: symbol lists and schema lists (downloader.md §1.2).
 *
 * @module
 */

/** Schemas each list accepts. */
export const ALLOWED_SCHEMAS: {
  readonly futuresOptions: readonly string[];
  readonly equityOptions: readonly string[];
  readonly equity: readonly string[];
} = {
  futuresOptions: ["definition", "mbo", "statistics"],
  equityOptions: ["definition", "cmbp-1", "statistics"],
  equity: ["mbo", "definition"],
};

const PATTERNS = {
  futures: /^[A-Z0-9]{1,8}$/,
  equities: /^[A-Z0-9][A-Z0-9._-]{0,14}$/,
};

/**
 * Parses a comma list of roots (futures, `^[A-Z0-9]{1,8}$`) or tickers (equities,
 * `^[A-Z0-9][A-Z0-9._-]{0,14}$`): trimmed, upper-cased, empties dropped, de-duplicated in order.
 */
export function parseSymbolList(
  text: string,
  kind: "futures" | "equities",
  flag = "--symbols",
): string[] {
  const out: string[] = [];
  for (const raw of text.split(",")) {
    const s = raw.trim().toUpperCase();
    if (s === "") continue;
    if (!PATTERNS[kind].test(s)) {
      throw new RangeError(
        `${flag}: invalid ${
          kind === "futures" ? "futures root" : "ticker"
        } '${raw.trim()}' (expected ${PATTERNS[kind].source})`,
      );
    }
    if (!out.includes(s)) out.push(s);
  }
  if (out.length === 0) throw new RangeError(`${flag}: at least one symbol is required`);
  return out;
}

/** Parses a comma list of schemas, all of which must be in `allowed`. */
export function parseSchemaList(text: string, allowed: readonly string[], flag: string): string[] {
  const list = text.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  if (list.length === 0) {
    throw new RangeError(`${flag}: empty list (allowed: ${allowed.join(", ")})`);
  }
  const bad = list.filter((s) => !allowed.includes(s));
  if (bad.length) {
    throw new RangeError(
      `${flag}: unsupported schema(s) ${bad.join(", ")} (allowed: ${allowed.join(", ")})`,
    );
  }
  return [...new Set(list)];
}
