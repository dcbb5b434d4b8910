/**
 * `deno task book <file.dbn[.zst]>... [--end-state] [--instrument ID] [--publisher P] [--levels N]`
 * — replays MBO files (in the order given, into the same books) and prints JSON.
 *
 * ```sh
 * deno task book esh4-glbx-mdp3-20231225.mbo.dbn.zst --end-state
 * {"esh4-glbx-mdp3-20231225.mbo.dbn.zst": {"records": 68792, "resting_orders": 11217, ...}}
 * ```
 *
 * `--end-state` prints, keyed by file name (names joined with `+` for several files), the book at
 * the end: resting orders, level counts, the best `--levels` (default 5) levels per side as
 * `[price, size, order_count]`, the last record's ts_event / ts_recv / sequence (exact integers),
 * integrity anomalies, traded volume. With one book (or `--instrument`) the value is that book's
 * state; with several books it is an object keyed by instrument id (`publisher/instrument` when
 * an instrument id appears under several publishers). Without `--end-state` a short summary of
 * every book is printed.
 *
 * Exit codes: 0 done, 1 reading or decoding failed (the message names the file and byte offset),
 * 2 bad arguments.
 *
 * @module
 */
import { basename } from "node:path";
import { DbnError } from "../dbn/mod.ts";
import { type Book, bookEndState, OrderBooks, replayFile, stringifyExact } from "../book/mod.ts";
import { defineCommand } from "./_args.ts";

/** The command line of `deno task book`. */
export const command = defineCommand({
  name: "deno task book",
  summary: "Replays MBO files (in the order given, into the same books) and prints JSON: a " +
    "summary of every book, or with --end-state the book(s) at the end.",
  positionals: [{ name: "file", description: "a .dbn or .dbn.zst MBO file", variadic: true }],
  flags: {
    "end-state": { type: "boolean", description: "print the book(s) at the end of the file(s)" },
    instrument: { type: "integer", min: 0, value: "ID", description: "only this instrument id" },
    publisher: { type: "integer", min: 0, value: "P", description: "only this publisher id" },
    levels: {
      type: "integer",
      min: 1,
      default: 5,
      description: "levels per side in the end state",
    },
  },
  examples: ["deno task book esh4-glbx-mdp3-20231225.mbo.dbn.zst --end-state"],
  notes: "Exit codes: 0 done, 1 reading or decoding failed (the message names the file and byte " +
    "offset), 2 bad arguments.",
});

interface Args {
  files: string[];
  endState: boolean;
  instrument: number | undefined;
  publisher: number | undefined;
  levels: number;
}

function selected(books: OrderBooks, args: Args): Book[] {
  return books.books().filter((b) =>
    (args.instrument === undefined || b.instrument_id === args.instrument) &&
    (args.publisher === undefined || b.publisher_id === args.publisher)
  );
}

function bookKey(b: Book, all: Book[]): string {
  const shared = all.some((o) => o !== b && o.instrument_id === b.instrument_id);
  return shared ? `${b.publisher_id}/${b.instrument_id}` : String(b.instrument_id);
}

/** Runs the command with `argv` (without the program name); returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return command.run(argv, ({ flags, positionals }) =>
    replay({
      files: positionals,
      endState: flags["end-state"],
      instrument: flags.instrument,
      publisher: flags.publisher,
      levels: flags.levels,
    }));
}

async function replay(args: Args): Promise<number> {
  const progress = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  let lastReport = 0;
  let result;
  try {
    result = await replayFile(args.files, {
      onProgress: progress
        ? (file, records) => {
          if (Date.now() - lastReport < 250) return;
          lastReport = Date.now();
          const msg = `\r${basename(file)}: ${records.toLocaleString("en-US")} records`;
          Deno.stderr.writeSync(enc.encode(msg));
        }
        : undefined,
    });
  } catch (e) {
    if (progress) Deno.stderr.writeSync(enc.encode("\r\x1b[K"));
    if (e instanceof DbnError || e instanceof Deno.errors.NotFound) {
      console.error(`book: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
  if (progress) Deno.stderr.writeSync(enc.encode("\r\x1b[K"));
  const books = selected(result.books, args);
  if (books.length === 0) {
    const what = args.instrument !== undefined ? `instrument ${args.instrument}` : "MBO records";
    console.error(`book: no book for ${what} in ${args.files.join(", ")}`);
    return 1;
  }
  const name = args.files.map((f) => basename(f)).join("+");
  let out: unknown;
  if (args.endState) {
    const state = (b: Book) => bookEndState(b, args.levels);
    out = books.length === 1
      ? { [name]: state(books[0]) }
      : { [name]: Object.fromEntries(books.map((b) => [bookKey(b, books), state(b)])) };
  } else {
    out = {
      [name]: {
        records: result.records,
        mbo_records: result.mboRecords,
        seconds: Number(result.seconds.toFixed(3)),
        actions: result.books.actionCounts,
        books: books.map((b) => ({
          publisher_id: b.publisher_id,
          instrument_id: b.instrument_id,
          records: b.records,
          resting_orders: b.orderCount,
          best_bid: b.best("B") ?? null,
          best_ask: b.best("A") ?? null,
          volume: b.volume.total,
          anomalies: Object.fromEntries(Object.entries(b.anomalies).filter(([, v]) => v !== 0)),
        })),
      },
    };
  }
  console.log(stringifyExact(out, 1));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
