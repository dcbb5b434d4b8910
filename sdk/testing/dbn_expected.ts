/**
 * Test helper: reads the answer key of the DBN fixtures, `fixtures/dbn/EXPECTED.md` (written and
 * checked outside this project), so that tests compare the decoder against its values rather than
 * against numbers copied into the test code.
 *
 * Parsed parts: the inventory table (§1: file, bytes, sha256 prefix, version, decoded bytes, record
 * count), the per-file metadata bullet lists (§2.x), every JSON record block (with the heading and
 * caption it sits under) and any other Markdown table (e.g. the multi-frame table of §2.6.3).
 *
 * Integers in the JSON blocks are returned as `bigint` (parsed from their source text, so 64-bit
 * values are exact); strings stay strings.
 *
 * @module
 */

/** One row of the inventory table (§1 of EXPECTED.md). */
export interface InventoryRow {
  /** File name in `fixtures/dbn/`. */
  file: string;
  /** File size in bytes. */
  bytes: number;
  /** First 16 hex digits of the file's SHA-256. */
  sha256: string;
  /** Container description (`plain`, `zstd (1 frame)`, ...). */
  container: string;
  /** DBN version column as written (`2`, `fragment (no metadata), v1 records`, ...). */
  version: string;
  /** Version of the records: the metadata version, or the fragment's stated version. */
  recordVersion: number | undefined;
  /** Whether the file has no metadata. */
  fragment: boolean;
  /** Bytes of the decompressed DBN stream, `undefined` for legacy DBZ. */
  decodedBytes: number | undefined;
  /** Number of records, `undefined` for legacy DBZ ("see notes"). */
  records: number | undefined;
}

/** A JSON record block of EXPECTED.md. */
export interface ExpectedBlock {
  /** The `###`/`####` heading the block is under, e.g. `2.6.2 Fragments: ...`. */
  section: string;
  /** The caption line before the `record N:` lines, e.g. `v1 fragment records [H]:`. */
  caption: string;
  /** The N of `record N:`. */
  index: number;
  /** Field values: integers as bigint, chars and strings as strings. Levels are flattened (`levels[0].bid_px`). */
  fields: Record<string, bigint | string>;
}

/** One mapping interval of the metadata (dates as `YYYYMMDD` numbers, as EXPECTED.md writes them). */
export interface ExpectedInterval {
  start_date: number;
  end_date: number;
  symbol: string;
}

/** Metadata of one file as listed in §2 of EXPECTED.md. */
export interface ExpectedMetadata {
  file: string;
  version: number;
  metadata_length: number;
  records_start: number;
  padding: number;
  dataset: string;
  schema: string;
  schema_value: number;
  start: bigint;
  /** `null` when the file stores `u64::MAX` (unset). */
  end: bigint | null;
  limit: bigint;
  stype_in: string;
  stype_in_value: number;
  stype_out: string;
  stype_out_value: number;
  ts_out: boolean;
  symbol_cstr_len: number;
  symbols: string[];
  partial: string[];
  not_found: string[];
  /**
   * Mappings: `count` intervals per raw symbol and the intervals listed (all of them, or the
   * `first`/`second`/`last` ones for long lists, keyed by their index).
   */
  mappings: { raw_symbol: string; count: number; intervals: Map<number, ExpectedInterval> }[];
}

/** Everything parsed from EXPECTED.md. */
export interface ExpectedDoc {
  inventory: InventoryRow[];
  metadata: Map<string, ExpectedMetadata>;
  blocks: ExpectedBlock[];
  /** Every Markdown table other than the inventory, as header + rows of cell text. */
  tables: { header: string[]; rows: string[][] }[];
}

type Reviver = (
  this: unknown,
  key: string,
  value: unknown,
  context?: { source?: string },
) => unknown;

/** Parses JSON keeping integers exact: every number becomes a bigint from its source text. */
export function parseJsonExact(text: string): unknown {
  const reviver: Reviver = (_key, value, context) => {
    if (typeof value === "number") {
      const src = context?.source;
      if (src === undefined || !/^-?\d+$/.test(src)) {
        throw new Error(`parseJsonExact: non-integer or unsupported number ${src ?? value}`);
      }
      return BigInt(src);
    }
    return value;
  };
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
}

function parseInventoryRow(c: string[]): InventoryRow {
  const [file, bytes, sha256, container, version, decoded, records] = c;
  const fragment = version.startsWith("fragment");
  const fv = /v(\d) records/.exec(version);
  const recordVersion = fragment
    ? (fv ? Number(fv[1]) : undefined)
    : /^\d+$/.test(version)
    ? Number(version)
    : undefined;
  const num = (s: string): number | undefined =>
    /^[\d,]+$/.test(s) ? Number(s.replaceAll(",", "")) : undefined;
  return {
    file,
    bytes: Number(bytes),
    sha256,
    container,
    version,
    recordVersion,
    fragment,
    decodedBytes: num(decoded),
    records: num(records),
  };
}

function flatten(o: Record<string, unknown>): Record<string, bigint | string> {
  const out: Record<string, bigint | string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === "bigint" || typeof v === "string") out[k] = v;
    else throw new Error(`EXPECTED.md: unexpected value for ${k}: ${String(v)}`);
  }
  return out;
}

function parseList(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/'([^']*)'/g)) out.push(m[1]);
  return out;
}

const STYPES = ["instrument_id", "raw_symbol"];

function parseMetadataBullets(file: string, lines: string[]): ExpectedMetadata {
  const text = lines.join("\n");
  const get = (re: RegExp, what: string): RegExpExecArray => {
    const m = re.exec(text);
    if (!m) throw new Error(`EXPECTED.md: no ${what} for ${file}`);
    return m;
  };
  const v = get(
    /version (\d+), metadata_length (\d+) \(records start at byte (\d+); v3 padding bytes: (\d+)\)/,
    "version line",
  );
  const ds = get(/dataset `([^`]+)`, schema (\d+) \(`([^`]+)`\)/, "dataset line");
  const se = get(/start (\d+) \([^)]*\), end (\d+) \([^)]*\), limit (\d+)/, "start line");
  const st = get(
    /stype_in (\d+) \(`([^`]+)`\), stype_out (\d+) \(`([^`]+)`\), ts_out (True|False), symbol_cstr_len (\d+)/,
    "stype line",
  );
  const sy = get(
    /symbols (\[[^\]]*\]), partial (\[[^\]]*\]), not_found (\[[^\]]*\]), mappings(.*)/,
    "symbols line",
  );
  const endRaw = BigInt(se[2]);
  const mappings: ExpectedMetadata["mappings"] = [];
  const mtext = sy[4];
  const long = /`([^`]+)` → (\d+) intervals; (.*)/.exec(mtext);
  if (long) {
    const intervals = new Map<number, ExpectedInterval>();
    const count = Number(long[2]);
    for (const m of long[3].matchAll(/(first|second|last) \((\d+), (\d+), '([^']*)'\)/g)) {
      const idx = m[1] === "first" ? 0 : m[1] === "second" ? 1 : count - 1;
      intervals.set(idx, { start_date: Number(m[2]), end_date: Number(m[3]), symbol: m[4] });
    }
    mappings.push({ raw_symbol: long[1], count, intervals });
  } else {
    for (const m of mtext.matchAll(/\('([^']*)', \[((?:\([^)]*\)(?:, )?)*)\]\)/g)) {
      const intervals = new Map<number, ExpectedInterval>();
      let i = 0;
      for (const iv of m[2].matchAll(/\((\d+), (\d+), '([^']*)'\)/g)) {
        intervals.set(i++, { start_date: Number(iv[1]), end_date: Number(iv[2]), symbol: iv[3] });
      }
      mappings.push({ raw_symbol: m[1], count: i, intervals });
    }
    if (mappings.length === 0 && !/^\s*\[\]/.test(mtext)) {
      throw new Error(`EXPECTED.md: cannot parse mappings of ${file}: ${mtext}`);
    }
  }
  if (!STYPES.includes(st[2]) || !STYPES.includes(st[4])) {
    throw new Error(`EXPECTED.md: unexpected stype for ${file}`);
  }
  return {
    file,
    version: Number(v[1]),
    metadata_length: Number(v[2]),
    records_start: Number(v[3]),
    padding: Number(v[4]),
    dataset: ds[1],
    schema_value: Number(ds[2]),
    schema: ds[3],
    start: BigInt(se[1]),
    end: endRaw === 18446744073709551615n ? null : endRaw,
    limit: BigInt(se[3]),
    stype_in_value: Number(st[1]),
    stype_in: st[2],
    stype_out_value: Number(st[3]),
    stype_out: st[4],
    ts_out: st[5] === "True",
    symbol_cstr_len: Number(st[6]),
    symbols: parseList(sy[1]),
    partial: parseList(sy[2]),
    not_found: parseList(sy[3]),
    mappings,
  };
}

/** Parses the text of EXPECTED.md. */
export function parseExpected(md: string): ExpectedDoc {
  const lines = md.split("\n");
  const inventory: InventoryRow[] = [];
  const metadata = new Map<string, ExpectedMetadata>();
  const blocks: ExpectedBlock[] = [];
  const tables: ExpectedDoc["tables"] = [];
  let section = "";
  let caption = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^#{2,4} /.test(line)) {
      section = line.replace(/^#+ /, "");
      caption = "";
      continue;
    }
    if (line.startsWith("|") && i + 1 < lines.length && /^\|[-:| ]+\|$/.test(lines[i + 1].trim())) {
      const header = cells(line);
      const rows: string[][] = [];
      let j = i + 2;
      for (; j < lines.length && lines[j].startsWith("|"); j++) rows.push(cells(lines[j]));
      if (header[0] === "file" && header[1] === "bytes") {
        for (const r of rows) inventory.push(parseInventoryRow(r));
      } else tables.push({ header, rows });
      i = j - 1;
      continue;
    }
    const meta = /^`([^`]+)` \[H\]:$/.exec(line);
    if (meta) {
      const bullets: string[] = [];
      let j = i + 1;
      for (; j < lines.length && lines[j].startsWith("- "); j++) bullets.push(lines[j]);
      metadata.set(meta[1], parseMetadataBullets(meta[1], bullets));
      i = j - 1;
      continue;
    }
    const rec = /^record (\d+):$/.exec(line);
    if (rec) {
      if (lines[i + 1] !== "```json") {
        throw new Error(`EXPECTED.md line ${i + 2}: expected a json block`);
      }
      const json = parseJsonExact(lines[i + 2]) as Record<string, unknown>;
      blocks.push({ section, caption, index: Number(rec[1]), fields: flatten(json) });
      i += 3;
      continue;
    }
    if (line.trim() !== "" && !line.startsWith("```")) caption = line;
  }
  return { inventory, metadata, blocks, tables };
}

/**
 * The record blocks under a heading starting with `sectionPrefix` (e.g. `"2.1 "`) whose caption
 * matches `caption`, ordered by record index.
 */
export function blocksOf(
  doc: ExpectedDoc,
  sectionPrefix: string,
  caption: RegExp = /./,
): Record<string, bigint | string>[] {
  const found = doc.blocks.filter((b) =>
    b.section.startsWith(sectionPrefix) && caption.test(b.caption)
  );
  if (found.length === 0) {
    throw new Error(
      `EXPECTED.md: no record blocks in section ${sectionPrefix} matching ${caption}`,
    );
  }
  return found.sort((a, b) => a.index - b.index).map((b) => b.fields);
}

/** Reads and parses EXPECTED.md at `path`. */
export async function loadExpected(path: string): Promise<ExpectedDoc> {
  return parseExpected(await Deno.readTextFile(path));
}

/** Flattens `levels: [{bid_px, ...}]` into `levels[0].bid_px`, ... (EXPECTED.md's notation). */
export function flattenRecord(record: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (Array.isArray(v)) {
      v.forEach((level: Record<string, unknown>, i: number) => {
        for (const [lk, lv] of Object.entries(level)) out[`${k}[${i}].${lk}`] = lv;
      });
    } else out[k] = v;
  }
  return out;
}

/** Field names that are 64-bit integers in every record type that has them (must be bigint). */
export const WIDE_FIELDS: ReadonlySet<string> = new Set([
  "ts_event",
  "ts_recv",
  "ts_ref",
  "order_id",
  "price",
  "bid_px",
  "ask_px",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "expiration",
  "activation",
  "strike_price",
  "min_price_increment",
  "display_factor",
]);

/**
 * Differences between a decoded record (plain object) and an EXPECTED.md block: missing, extra
 * and unequal fields. Integers compare exactly; known 64-bit fields must be `bigint`.
 */
export function recordMismatches(
  actual: object,
  expected: Record<string, bigint | string>,
): string[] {
  const a = flattenRecord(actual);
  const problems: string[] = [];
  for (const [k, ev] of Object.entries(expected)) {
    if (!(k in a)) {
      problems.push(`missing field ${k}`);
      continue;
    }
    const av = a[k];
    const base = k.replace(/^levels\[\d+\]\./, "");
    if (typeof ev === "string") {
      if (av !== ev) {
        problems.push(`${k}: got ${JSON.stringify(av)}, expected ${JSON.stringify(ev)}`);
      }
    } else if (typeof av === "bigint") {
      if (av !== ev) problems.push(`${k}: got ${av}, expected ${ev}`);
    } else if (typeof av === "number" && Number.isSafeInteger(av)) {
      if (WIDE_FIELDS.has(base)) problems.push(`${k}: 64-bit field decoded as number`);
      else if (BigInt(av) !== ev) problems.push(`${k}: got ${av}, expected ${ev}`);
    } else problems.push(`${k}: got ${typeof av} ${String(av)}, expected integer ${ev}`);
  }
  for (const k of Object.keys(a)) if (!(k in expected)) problems.push(`unexpected field ${k}`);
  return problems;
}

/** DBN version of a fixture's records as its name says (`.v1.`, `.v2.`, `.v3.`; unversioned = 2). */
export function versionFromName(file: string): 1 | 2 | 3 {
  const m = /\.v([123])\.dbn/.exec(file);
  return m ? (Number(m[1]) as 1 | 2 | 3) : 2;
}

/**
 * The decompressed bytes of a fixture, decompressed independently of the code under test (the
 * zstd CLI, which reads every frame). Plain files are returned as read.
 */
export async function decompressedFixture(path: string): Promise<Uint8Array> {
  const raw = await Deno.readFile(path);
  const magic = raw.byteLength >= 4 ? new DataView(raw.buffer).getUint32(0, true) : 0;
  if (magic !== 0xfd2fb528) return raw;
  const out = await new Deno.Command("zstd", {
    args: ["-dcq", "--", path],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!out.success) {
    throw new Error(`zstd -dc ${path} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout;
}
