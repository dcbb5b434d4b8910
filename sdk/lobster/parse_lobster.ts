/**
 * Streaming readers for LOBSTER files (NASDAQ order-book reconstructions, lobsterdata.com):
 * `TICKER_date_start_end_message_N.csv` and `..._orderbook_N.csv`, plain or gzip-compressed,
 * parsed into columnar batches without one object per row.
 *
 * @module
 */

/** Where LOBSTER CSV bytes come from: a file path (`.csv` or `.csv.gz`) or a byte stream. */
export type LobsterSource = string | URL | Uint8Array | ReadableStream<Uint8Array>;

/** Options of the readers. */
export interface LobsterReadOptions {
  /** Rows per batch (default 65,536). */
  batchRows?: number;
  /** Name used in error messages for non-path sources. */
  name?: string;
}

/** LOBSTER event types (message file column 2). */
export const LobsterType = {
  /** Submission of a new limit order. */
  SUBMIT: 1,
  /** Partial cancellation (`size` = shares removed). */
  CANCEL: 2,
  /** Total deletion of an order. */
  DELETE: 3,
  /** Execution of a visible limit order (`size` = shares executed). */
  EXECUTE_VISIBLE: 4,
  /** Execution of a hidden limit order (no visible book change). */
  EXECUTE_HIDDEN: 5,
  /** Cross trade (e.g. auction). */
  CROSS: 6,
  /** Trading halt indicator (`price` −1 halt, 0 quoting resumes, 1 trading resumes). */
  HALT: 7,
} as const;

/** A batch of message-file rows, as columns (row `i` of every array). */
export interface LobsterMessages {
  /** Rows in the batch. */
  length: number;
  /** Index of the first row in the file (0-based). */
  first: number;
  /**
   * Time in ns after midnight, exchange local time (exact: parsed from the decimal text; more than
   * 9 decimals, the float artefacts of real LOBSTER files, round to the nearest ns, ties to even).
   */
  time_ns: Float64Array;
  /** Event type (see {@linkcode LobsterType}). */
  type: Uint8Array;
  /** Order reference number (0 for hidden executions and halts). */
  order_id: Float64Array;
  /** Shares. */
  size: Float64Array;
  /** Price in dollars × 10,000 (−1 / 0 / 1 for halt messages). */
  price: Float64Array;
  /** 1 buy limit order, −1 sell limit order (for executions: the resting order's side). */
  direction: Int8Array;
}

/** A batch of orderbook-file rows: `levels` × (ask price, ask size, bid price, bid size). */
export interface LobsterBookRows {
  /** Rows in the batch. */
  length: number;
  /** Index of the first row in the file (0-based). */
  first: number;
  /** Levels per row (columns / 4). */
  levels: number;
  /** Row-major values, `length × 4 × levels`; prices in dollars × 10,000. */
  values: Float64Array;
}

/** Padding price of a missing ask level. */
export const LOBSTER_NO_ASK: number = 9999999999;
/** Padding price of a missing bid level. */
export const LOBSTER_NO_BID: number = -9999999999;

/** What a LOBSTER file name says (`TICKER_YYYY-MM-DD_startMs_endMs_{message|orderbook}_N`). */
export interface LobsterFileInfo {
  /** Ticker, e.g. `GOOG`. */
  ticker: string;
  /** Trading date `YYYY-MM-DD`. */
  date: string;
  /** Start of the requested period, ms after midnight. */
  startMs: number;
  /** End of the requested period, ms after midnight. */
  endMs: number;
  /** File kind. */
  kind: "message" | "orderbook";
  /** Number of levels requested. */
  levels: number;
}

/** Parses a LOBSTER file name (any folder, any extra suffix such as `.first999.csv.gz`). */
export function lobsterFileInfo(path: string): LobsterFileInfo | undefined {
  const base = path.split(/[\\/]/).pop() ?? "";
  const m = /^([A-Za-z0-9.^-]+)_(\d{4}-\d{2}-\d{2})_(\d+)_(\d+)_(message|orderbook)_(\d+)/.exec(
    base,
  );
  if (!m) return undefined;
  return {
    ticker: m[1],
    date: m[2],
    startMs: Number(m[3]),
    endMs: Number(m[4]),
    kind: m[5] as "message" | "orderbook",
    levels: Number(m[6]),
  };
}

function sourceName(src: LobsterSource, name?: string): string {
  if (name) return name;
  if (typeof src === "string") return src;
  if (src instanceof URL) return src.pathname;
  return src instanceof Uint8Array ? "<memory>" : "<stream>";
}

async function* rawChunks(src: LobsterSource): AsyncGenerator<Uint8Array> {
  if (src instanceof Uint8Array) {
    yield src;
    return;
  }
  if (src instanceof ReadableStream) {
    const reader = src.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  const file = await Deno.open(src);
  try {
    for (;;) {
      const buf = new Uint8Array(1 << 20);
      const n = await file.read(buf);
      if (n === null) return;
      yield buf.subarray(0, n);
    }
  } finally {
    file.close();
  }
}

/** Bytes of a source, gunzipped when they start with the gzip magic number. */
async function* bytesOf(src: LobsterSource, name: string): AsyncGenerator<Uint8Array> {
  const it = rawChunks(src);
  let first: IteratorResult<Uint8Array>;
  try {
    first = await it.next();
  } catch (e) {
    throw new Error(`${name}: cannot open: ${(e as Error).message}`, { cause: e });
  }
  if (first.done) return;
  const head = first.value;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    // (Chunks never live in a SharedArrayBuffer; the cast only satisfies BufferSource.)
    const compressed = ReadableStream.from((async function* (): AsyncGenerator<BufferSource> {
      yield head as Uint8Array<ArrayBuffer>;
      for await (const c of it) yield c as Uint8Array<ArrayBuffer>;
    })());
    const stream = compressed.pipeThrough(new DecompressionStream("gzip"));
    try {
      for await (const c of stream) yield c;
    } catch (e) {
      throw new Error(`${name}: gzip: ${(e as Error).message}`, { cause: e });
    }
    return;
  }
  yield head;
  yield* it;
}

/**
 * Streams numeric CSV rows. Every field is a decimal number; column `scaledColumn` (if ≥ 0) is
 * returned as an exact integer times 1e9 (e.g. seconds → ns; decimals beyond the 9th round to the
 * nearest unit, ties to even, on the digits), the others as plain numbers
 * (integers exactly). Calls `onRow(values, n, line)` with a reused array per row and yields
 * (nothing) after each input chunk, so that the caller can hand out what was produced.
 */
async function* parseNumericCsv(
  src: LobsterSource,
  name: string,
  scaledColumn: number,
  onRow: (v: Float64Array, n: number, line: number) => void,
): AsyncGenerator<void> {
  const vals = new Float64Array(4096);
  let n = 0; // fields completed in this row
  let line = 1;
  // current field state
  let intPart = 0, frac = 0, fracDigits = 0, neg = false, digits = 0, inFrac = false;
  // scaled column, digits after the 9th decimal: the 10th, and whether any later one is non-zero
  let roundDigit = 0, sticky = false;
  let started = false; // any character in the row
  const fail = (msg: string): never => {
    throw new Error(`${name}: line ${line}, column ${n + 1}: ${msg}`);
  };
  const endField = (): void => {
    if (digits === 0) fail("empty or non-numeric field");
    if (n === vals.length) fail("too many columns");
    let v: number;
    if (n === scaledColumn) {
      // exact: at most 9 decimals kept, the rest rounds to the nearest unit, ties to even
      // (float artefacts such as 43002.632812672004 → 43002632812672 ns)
      v = intPart * 1e9 + frac * 10 ** (9 - Math.min(fracDigits, 9));
      if (fracDigits > 9 && (roundDigit > 5 || (roundDigit === 5 && (sticky || v % 2 === 1)))) v++;
    } else {
      v = fracDigits === 0 ? intPart : intPart + frac / 10 ** fracDigits;
    }
    if (!Number.isSafeInteger(Math.trunc(v))) fail("number out of range");
    vals[n++] = neg ? -v : v;
    intPart =
      frac =
      fracDigits =
      digits =
      roundDigit =
        0;
    neg = inFrac = sticky = false;
  };
  for await (const chunk of bytesOf(src, name)) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c >= 48 && c <= 57) {
        if (inFrac) {
          if (fracDigits < 9 || n !== scaledColumn) frac = frac * 10 + (c - 48);
          else if (fracDigits === 9) roundDigit = c - 48;
          else if (c !== 48) sticky = true;
          fracDigits++;
        } else intPart = intPart * 10 + (c - 48);
        digits++;
        started = true;
      } else if (c === 44) { // ,
        endField();
      } else if (c === 10) { // \n
        if (started) {
          endField();
          onRow(vals, n, line);
        }
        n = 0;
        started = false;
        line++;
      } else if (c === 46 && !inFrac) { // .
        inFrac = true;
        started = true;
      } else if (c === 45 && digits === 0 && !neg && !inFrac) { // -
        neg = true;
        started = true;
      } else if (c === 13 || c === 32) {
        // CR / spaces: ignored
      } else {
        fail(`unexpected character ${JSON.stringify(String.fromCharCode(c))}`);
      }
    }
    yield;
  }
  if (started) {
    endField();
    onRow(vals, n, line);
  }
}

/**
 * Reads a LOBSTER message file (plain or gzip) as columnar batches. Errors name the file, line
 * and column.
 */
export async function* readLobsterMessages(
  src: LobsterSource,
  options: LobsterReadOptions = {},
): AsyncGenerator<LobsterMessages> {
  const name = sourceName(src, options.name);
  const cap = Math.max(1, options.batchRows ?? 65536);
  const alloc = (first: number): LobsterMessages => ({
    length: 0,
    first,
    time_ns: new Float64Array(cap),
    type: new Uint8Array(cap),
    order_id: new Float64Array(cap),
    size: new Float64Array(cap),
    price: new Float64Array(cap),
    direction: new Int8Array(cap),
  });
  let cur = alloc(0);
  let rows = 0;
  const ready: LobsterMessages[] = [];
  const parse = parseNumericCsv(src, name, 0, (v, n, line) => {
    if (n !== 6) throw new Error(`${name}: line ${line}: expected 6 columns, got ${n}`);
    const t = v[1];
    if (!(t >= 1 && t <= 7 && Number.isInteger(t))) {
      throw new Error(`${name}: line ${line}, column 2: unknown event type ${t}`);
    }
    if (v[5] !== 1 && v[5] !== -1) {
      throw new Error(`${name}: line ${line}, column 6: direction must be 1 or -1, got ${v[5]}`);
    }
    const i = cur.length++;
    cur.time_ns[i] = v[0];
    cur.type[i] = t;
    cur.order_id[i] = v[2];
    cur.size[i] = v[3];
    cur.price[i] = v[4];
    cur.direction[i] = v[5];
    rows++;
    if (cur.length === cap) {
      ready.push(cur);
      cur = alloc(rows);
    }
  });
  for await (const _ of parse) while (ready.length > 0) yield ready.shift()!;
  if (cur.length > 0) yield cur;
}

/**
 * Reads a LOBSTER orderbook file (plain or gzip) as row-major batches. Every row must have the
 * same number of columns, a multiple of 4.
 */
export async function* readLobsterOrderbook(
  src: LobsterSource,
  options: LobsterReadOptions = {},
): AsyncGenerator<LobsterBookRows> {
  const name = sourceName(src, options.name);
  const cap = Math.max(1, options.batchRows ?? 65536);
  let width = 0;
  let cur: LobsterBookRows | null = null;
  let rows = 0;
  const ready: LobsterBookRows[] = [];
  const parse = parseNumericCsv(src, name, -1, (v, n, line) => {
    if (width === 0) {
      if (n === 0 || n % 4 !== 0) {
        throw new Error(`${name}: line ${line}: expected 4 × levels columns, got ${n}`);
      }
      width = n;
    } else if (n !== width) {
      throw new Error(`${name}: line ${line}: expected ${width} columns, got ${n}`);
    }
    if (cur === null) {
      cur = { length: 0, first: rows, levels: width / 4, values: new Float64Array(cap * width) };
    }
    cur.values.set(v.subarray(0, width), cur.length * width);
    cur.length++;
    rows++;
    if (cur.length === cap) {
      ready.push(cur);
      cur = null;
    }
  });
  for await (const _ of parse) while (ready.length > 0) yield ready.shift()!;
  const tail = cur as LobsterBookRows | null;
  if (tail !== null && tail.length > 0) yield tail;
}
