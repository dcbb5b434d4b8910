/**
 * Import of a LOBSTER message/orderbook pair into the lake as a bronze `equity_mbo` partition
 * (`bronze.equity_mbo.mbo`), with the same columns, types and manifest as the bronze ingest of a
 * Databento XNAS file, so that every later stage (silver, gold, notebooks) reads it unchanged.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { allocMboColumns, type MboColumns } from "../dbn/mod.ts";
import {
  checkPartitionKey,
  type ColumnBatch,
  datasetSpec,
  fileSha256,
  type Lake,
  type Manifest,
  type ManifestInput,
  openLake,
  partitionDir,
  partitionFreshness,
  PartitionWriter,
  readManifest,
} from "../lake/mod.ts";
import { type LobsterMappingStats, newYorkClock } from "./lobster_to_mbo.ts";
import { lobsterFileInfo } from "./parse_lobster.ts";
import { runLobster } from "./_mapper.ts";

/** The dataset an import writes. */
export const LOBSTER_DATASET = "bronze.equity_mbo.mbo";
/** The raw source of imported LOBSTER days: `bronze/source=lobster/…`, never mixed with Databento. */
export const LOBSTER_SOURCE = "lobster";
/** Publisher id of imported records: 2 = XNAS.ITCH (Nasdaq TotalView-ITCH, LOBSTER's source). */
export const LOBSTER_PUBLISHER_ID = 2;
/** Default instrument id of imported records (LOBSTER files carry none; one ticker per file). */
export const LOBSTER_INSTRUMENT_ID = 1;
/** Stage name recorded in the manifest. */
export const LOBSTER_IMPORT_STAGE = "lobster_import";

/** Options of {@linkcode importLobster}. */
export interface LobsterImportOptions {
  /** Ticker: the partition's symbol and the `symbol` column (default: from the file name). */
  symbol?: string;
  /** Trading date `YYYY-MM-DD` (default: from the file name). */
  dt?: string;
  /** The lake, or its root folder (default: the configured lake root). */
  lake?: Lake | string;
  /** Rewrite the partition when it is already complete (default: leave it and skip). */
  overwrite?: boolean;
  /** Instrument id of every record (default {@linkcode LOBSTER_INSTRUMENT_ID}). */
  instrument_id?: number;
  /** Called now and then with the number of messages done. */
  progress?: (messages: number) => void;
}

/** Counters of an import (also written to the manifest's `stats`, in snake_case). */
export interface LobsterImportStats extends LobsterMappingStats {
  /** Rows written: snapshot + re-seeding + message records. */
  rows: number;
}

/** What {@linkcode importLobster} did. */
export interface LobsterImportResult {
  /** Dataset key. */
  dataset: string;
  /** Partition symbol. */
  symbol: string;
  /** Partition date. */
  dt: string;
  /** Partition folder. */
  dir: string;
  /** True when the partition was complete already and `overwrite` was not set. */
  skipped: boolean;
  /** Rows in the partition. */
  rows: number;
  /** Counters (absent when skipped). */
  stats?: LobsterImportStats;
  /** The manifest written (or found, when skipped). */
  manifest: Manifest;
}

const ASCII: readonly string[] = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
const BATCH = 65_536;
const UNDEF_PRICE = 0x7fffffffffffffffn;

/** Bronze output buffers: MBO columns plus the constant ones, grown as needed. */
class Out {
  cols: MboColumns = allocMboColumns(BATCH);
  rtype: Uint8Array = new Uint8Array(BATCH).fill(160);
  zeros: Uint8Array = new Uint8Array(BATCH);
  n = 0;
  readonly symbol: readonly string[];

  constructor(symbol: string) {
    this.symbol = [symbol];
  }

  add(c: MboColumns, start: number, end: number): void {
    const k = end - start;
    if (this.n + k > this.cols.length) {
      const cap = Math.max(2 * this.cols.length, this.n + k);
      const old = this.cols, n = this.n;
      this.cols = allocMboColumns(cap);
      for (const key of Object.keys(old) as (keyof MboColumns)[]) {
        if (key === "length") continue;
        // deno-lint-ignore no-explicit-any
        (this.cols[key] as any).set((old[key] as any).subarray(0, n));
      }
      this.rtype = new Uint8Array(cap).fill(160);
      this.zeros = new Uint8Array(cap);
    }
    const o = this.cols, at = this.n;
    o.ts_recv.set(c.ts_recv.subarray(start, end), at);
    o.ts_event.set(c.ts_event.subarray(start, end), at);
    o.size.set(c.size.subarray(start, end), at);
    o.order_id.set(c.order_id.subarray(start, end), at);
    o.publisher_id.set(c.publisher_id.subarray(start, end), at);
    o.instrument_id.set(c.instrument_id.subarray(start, end), at);
    o.flags.set(c.flags.subarray(start, end), at);
    o.channel_id.set(c.channel_id.subarray(start, end), at);
    o.ts_in_delta.set(c.ts_in_delta.subarray(start, end), at);
    o.action.set(c.action.subarray(start, end), at);
    o.side.set(c.side.subarray(start, end), at);
    o.sequence.set(c.sequence.subarray(start, end), at);
    for (let i = 0; i < k; i++) {
      const p = c.price[start + i];
      o.price[at + i] = p === UNDEF_PRICE ? 0n : p; // bronze: 0 where the price is undefined
    }
    this.n += k;
  }

  /** The rows so far as a bronze equity_mbo batch (views: valid until the next `add`). */
  batch(): ColumnBatch {
    const o = this.cols, m = this.n;
    return {
      ts_recv: o.ts_recv.subarray(0, m),
      size: o.size.subarray(0, m),
      ts_event: o.ts_event.subarray(0, m),
      channel_id: o.channel_id.subarray(0, m),
      rtype: this.rtype.subarray(0, m),
      order_id: o.order_id.subarray(0, m),
      publisher_id: o.publisher_id.subarray(0, m),
      flags: o.flags.subarray(0, m),
      instrument_id: o.instrument_id.subarray(0, m),
      ts_in_delta: o.ts_in_delta.subarray(0, m),
      action: { codes: o.action.subarray(0, m), values: ASCII },
      sequence: o.sequence.subarray(0, m),
      side: { codes: o.side.subarray(0, m), values: ASCII },
      symbol: { codes: this.zeros.subarray(0, m), values: this.symbol },
      price: o.price.subarray(0, m),
    };
  }
}

/** Hashes an input file; a missing or unreadable file is an error naming it. */
async function input(path: string): Promise<ManifestInput> {
  try {
    const { sha256, bytes } = await fileSha256(path);
    return { path, bytes, sha256 };
  } catch (e) {
    throw new Error(`${path}: cannot read: ${(e as Error).message}`, { cause: e });
  }
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Imports a LOBSTER pair (`…_message_N.csv[.gz]`, `…_orderbook_N.csv[.gz]`) as the bronze
 * `equity_mbo` partition of `symbol` and `dt`, written atomically through the lake's partition
 * writer (`_MANIFEST.json` with the sha256 of both files, then `_SUCCESS`). On any error nothing
 * is left at the partition path (an earlier complete partition stays untouched).
 *
 * Rows, in order (every column of the contract; `rtype` 160, `publisher_id` 2 = XNAS,
 * `instrument_id` fixed, `channel_id` and `ts_in_delta` 0, `ts_recv` = `ts_event`):
 * - the book before the first message (orderbook row 0 with message 0 undone) as a snapshot: an
 *   `R` then one `A` per visible level, flagged `F_SNAPSHOT | F_BAD_TS_RECV` like Databento's
 *   snapshots, `F_LAST` on the last, with synthetic order ids ≥ 2^62 (LOBSTER's are < 2^53);
 * - per message: type 1 → `A`; 2 and 3 → `C` of the size removed; 4 → `T` (aggressor side, the
 *   opposite of the resting order's) + `F` + `C` on the resting order; 5 (hidden execution) →
 *   `T` only, which counts as traded volume and leaves the book alone; 6 → `T` side `N`;
 *   7 (halt) → no row (bronze equity_mbo has no status column): halts are listed in the
 *   manifest's `stats.halts` (line, local time, `ts_event`, kind) and counted in `stats.types["7"]`.
 *   A cancel or execution of an order never added in the file applies to the seeded orders at
 *   its price (`C`, or `F` + `C`, per seeded order taken).
 * - in the same event as a message, after its records: the levels that come into view with it
 *   from below the file's depth (known from the message's own orderbook row; LOBSTER has no
 *   messages for levels out of view): `C` of the orders there and one synthetic `A` of the
 *   orderbook file's size (counted in `stats.reseed_records`).
 *
 * `F_LAST` ends every event, i.e. the last record of each message's group, so that the book read
 * after every `F_LAST` equals the orderbook file's row for that message, every level; the `T`
 * and `F` of an execution do not carry it, so that the reduction that follows them is a fill for
 * the book engine (and silver), as in the SDK's synthetic ITCH days. Times: LOBSTER's seconds after midnight,
 * New York local time of `dt`, converted to UTC ns exactly (see {@linkcode newYorkClock}).
 * Prices: LOBSTER's $ × 10,000 times 100,000 = Databento's 1e-9 units. `sequence`: the message's
 * 0-based row (re-seeding records: the message whose group they are in; the snapshot: 0).
 *
 * @example
 * ```ts ignore
 * import { importLobster } from "@spymaster/sdk/lobster";
 *
 * const r = await importLobster(
 *   "GOOG_2012-06-21_34200000_57600000_message_10.csv.gz",
 *   "GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz",
 *   { lake: "lake" }, // symbol GOOG and dt 2012-06-21 from the file names
 * );
 * console.log(r.rows, r.dir);
 * ```
 */
export async function importLobster(
  messageCsv: string,
  orderbookCsv: string,
  options: LobsterImportOptions = {},
): Promise<LobsterImportResult> {
  const info = lobsterFileInfo(messageCsv);
  const obInfo = lobsterFileInfo(orderbookCsv);
  const symbol = options.symbol ?? info?.ticker;
  const dt = options.dt ?? info?.date;
  // LOBSTER names say what a file holds: a pair that disagrees with itself or with the
  // partition asked for is a mistake (a wrong date would also shift every timestamp).
  for (const [what, i] of [[messageCsv, info], [orderbookCsv, obInfo]] as const) {
    if (i === undefined) continue;
    if (i.ticker !== symbol || i.date !== dt) {
      throw new Error(
        `${what}: the file name says ${i.ticker} ${i.date}, but the import is for ${symbol} ${dt}`,
      );
    }
  }
  if (info && obInfo && info.levels !== obInfo.levels) {
    throw new Error(
      `${orderbookCsv}: level-${obInfo.levels} file, but ${messageCsv} is level ${info.levels}`,
    );
  }
  if (!symbol) throw new Error(`${messageCsv}: no symbol given and none in the file name`);
  if (!dt) throw new Error(`${messageCsv}: no date given and none in the file name`);
  checkPartitionKey({ symbol, dt });
  const clock = newYorkClock(dt);
  const iid = options.instrument_id ?? LOBSTER_INSTRUMENT_ID;
  if (!(Number.isInteger(iid) && iid >= 0 && iid <= 0xffffffff)) {
    throw new RangeError(`instrument_id must be a u32, got ${iid}`);
  }
  const lake = typeof options.lake === "object" ? options.lake : await openLake(options.lake);
  const spec = datasetSpec(lake.config, LOBSTER_DATASET);
  const key = { symbol, dt, source: LOBSTER_SOURCE };
  const dir = partitionDir(lake.root, spec, key);
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(p));
  const inputs = [await input(abs(messageCsv)), await input(abs(orderbookCsv))];
  if (
    !options.overwrite && (await partitionFreshness(lake, LOBSTER_DATASET, key)).state === "fresh"
  ) {
    const manifest = await readManifest(dir);
    return {
      dataset: LOBSTER_DATASET,
      symbol,
      dt,
      dir,
      skipped: true,
      rows: manifest.row_count,
      manifest,
    };
  }

  const writer = await PartitionWriter.open(lake, LOBSTER_DATASET, key, {
    stage: LOBSTER_IMPORT_STAGE,
    inputs,
  });
  const out = new Out(symbol);
  let rows = 0;
  let lastProgress = 0;
  const t0 = performance.now();
  try {
    const { stats, book } = await runLobster(messageCsv, orderbookCsv, {
      messageName: messageCsv,
      orderbookName: orderbookCsv,
      clock,
      instrument_id: iid,
      publisher_id: LOBSTER_PUBLISHER_ID,
      onRecords: (c, s, e) => out.add(c, s, e),
      onMessage: async (_book, _truth, _before, index) => {
        if (out.n >= BATCH) {
          await writer.append(out.batch());
          rows += out.n;
          out.n = 0;
        }
        if (options.progress && index - lastProgress >= 10_000) {
          lastProgress = index;
          options.progress(index + 1);
        }
      },
    });
    if (out.n > 0) {
      await writer.append(out.batch());
      rows += out.n;
      out.n = 0;
    }
    const all: LobsterImportStats = { ...stats, rows };
    const manifestStats: Record<string, unknown> = {
      source: "lobster",
      time_zone: "America/New_York",
      publisher_id: LOBSTER_PUBLISHER_ID,
      instrument_id: iid,
      snapshot_records: stats.snapshotRecords,
      clear_records: 1,
      halts_note: "LOBSTER type 7 (trading halt / resumption) messages are not rows: " +
        "bronze equity_mbo has no status column; they are listed in 'halts'",
      end_book: {
        bid_levels: book.levelCount("B"),
        ask_levels: book.levelCount("A"),
        resting_orders: book.orderCount,
      },
      book_anomalies: { ...book.anomalies },
    };
    for (const [k, v] of Object.entries(all)) manifestStats[snake(k)] = v;
    manifestStats.halt_count = stats.halts.length;
    const manifest = await writer.commit({
      stats: manifestStats,
      timings: { import_seconds: Math.round(performance.now() - t0) / 1000 },
    });
    return {
      dataset: LOBSTER_DATASET,
      symbol,
      dt,
      dir,
      skipped: false,
      rows: manifest.row_count,
      stats: all,
      manifest,
    };
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
