/**
 * Replaying DBN files into {@linkcode OrderBooks}, and a throughput measurement for benchmarks.
 *
 * @module
 */

import { type MboColumns, openDbn } from "../dbn/mod.ts";
import { OrderBooks, type OrderBooksOptions } from "./order_books.ts";

/** Options of {@linkcode replayFile}. */
export interface ReplayOptions extends OrderBooksOptions {
  /** Books to continue (e.g. after replaying the previous day); a new set when omitted. */
  books?: OrderBooks;
  /** Called after each batch with the records read so far in the current file. */
  onProgress?: (file: string, records: number, bytes: number) => void;
}

/** What {@linkcode replayFile} did. */
export interface ReplayResult {
  /** The books after the last record. */
  books: OrderBooks;
  /** Records read (every schema). */
  records: number;
  /** MBO records applied. */
  mboRecords: number;
  /** Wall time in seconds (decoding + replay). */
  seconds: number;
}

/**
 * Replays one DBN file, or several in order (e.g. a snapshot day then the next day), into order
 * books. Non-MBO records are counted and skipped. Decoding errors are `DbnError`s naming the file
 * and byte offset.
 *
 * @example
 * ```ts ignore
 * const { books } = await replayFile("esh4-glbx-mdp3-20231225.mbo.dbn.zst");
 * console.log(books.books()[0].best("B"));
 * ```
 */
export async function replayFile(
  paths: string | string[],
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const books = options.books ?? new OrderBooks(options);
  const t0 = performance.now();
  let records = 0, mboRecords = 0;
  for (const path of Array.isArray(paths) ? paths : [paths]) {
    const reader = await openDbn(path);
    for await (const b of reader.batches()) {
      if (b.kind === "mbo") {
        books.applyBatch(b.columns);
        mboRecords += b.columns.length;
        records += b.columns.length;
      } else {
        records += b.kind === "cmbp1" ? b.columns.length : b.records.length;
      }
      options.onProgress?.(path, reader.stats.records, reader.stats.bytes);
    }
  }
  return { books, records, mboRecords, seconds: (performance.now() - t0) / 1000 };
}

/** Throughput figures from {@linkcode measureReplay}. */
export interface ReplayThroughput {
  /** MBO events in the file. */
  events: number;
  /** Seconds to decode the file into columns (once). */
  decodeSeconds: number;
  /** Best seconds to replay every event (decoded columns in memory). */
  replaySeconds: number;
  /** `events / replaySeconds`. */
  eventsPerSecond: number;
  /** Replays timed. */
  repeats: number;
}

/**
 * Measures book replay throughput on a DBN file: decodes its MBO records into memory once, then
 * replays them `repeats` times (default 20) into ONE long-lived {@linkcode OrderBooks} (as in a
 * real session; a file that starts with a snapshot is rebuilt on each pass) and reports the best
 * pass. With `observer: true`, a no-op observer with depth and 1-second boundary hooks is
 * attached (the silver stage's configuration).
 */
export async function measureReplay(
  path: string,
  options: { repeats?: number; observer?: boolean } = {},
): Promise<ReplayThroughput> {
  const repeats = options.repeats ?? 20;
  const t0 = performance.now();
  const batches: MboColumns[] = [];
  const reader = await openDbn(path);
  for await (const b of reader.batches()) if (b.kind === "mbo") batches.push(b.columns);
  const decodeSeconds = (performance.now() - t0) / 1000;
  const events = batches.reduce((n, c) => n + c.length, 0);
  const noop = (): void => {};
  const books = new OrderBooks(
    options.observer ? { observer: { depth: noop, boundary: noop } } : {},
  );
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    for (const c of batches) books.applyBatch(c);
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return {
    events,
    decodeSeconds,
    replaySeconds: best,
    eventsPerSecond: best > 0 ? events / best : Infinity,
    repeats,
  };
}
