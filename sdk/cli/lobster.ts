/**
 * LOBSTER files (lobsterdata.com NASDAQ order-book reconstructions) through the SDK.
 *
 * `deno task lobster replay <message.csv[.gz]> <orderbook.csv[.gz]> [--out FILE] [--levels N]
 * [--date YYYY-MM-DD]` — replays a LOBSTER message file through the MBO book engine and writes
 * the book after every message in LOBSTER's orderbook format (one row per message: per level ask
 * price, ask size, bid price, bid size; missing levels padded with ±9999999999 and 0). `FILE`
 * ending in `.gz` is gzip-compressed. The output is written to a temporary file and renamed into
 * place; without `--out` the rows go to stdout and the summary to stderr. A JSON summary (counters, and the number of rows whose levels strictly inside the
 * visible window differ from the orderbook file: 0 for an exact replay) goes to stdout.
 *
 * `deno task lobster import <message.csv[.gz]> <orderbook.csv[.gz]> --symbol GOOG
 * --dt 2012-06-21 [--lake DIR] [--overwrite] [--instrument-id N]` — writes the pair to the lake
 * as the bronze `equity_mbo` partition of that symbol and date (see `importLobster` in
 * `sdk/lobster`): snapshot from the first orderbook row, one row per MBO record, halts in the
 * manifest's stats. Atomic: on any error no partition is left behind. A complete partition is
 * left alone (reported as skipped) unless `--overwrite`. A JSON summary goes to stdout.
 *
 * ```sh
 * deno task lobster replay GOOG_2012-06-21_34200000_57600000_message_10.csv.gz \
 *   GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz --out /tmp/goog_book.csv
 * deno task lobster import GOOG_2012-06-21_34200000_57600000_message_10.csv.gz \
 *   GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz --symbol GOOG --dt 2012-06-21
 * ```
 *
 * Exit codes: 0 done, 1 reading, parsing or writing failed (the message names the file and
 * line), 2 bad arguments.
 *
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import { importLobster, replayLobster } from "../lobster/mod.ts";
import { type ArgsOf, defineCommand, defineCommandGroup } from "./_args.ts";

const files = [
  { name: "message", description: "LOBSTER message file (.csv or .csv.gz)" },
  { name: "orderbook", description: "LOBSTER orderbook file (.csv or .csv.gz)" },
] as const;

/** The command line of `deno task lobster`. */
export const command = defineCommandGroup({
  name: "deno task lobster",
  summary: "LOBSTER files (lobsterdata.com NASDAQ order-book reconstructions) through the SDK.",
  commands: {
    replay: defineCommand({
      name: "deno task lobster replay",
      summary: "Replays the message file through the MBO book engine and writes the book after " +
        "every message in LOBSTER's orderbook format (to --out, or to stdout); a JSON summary " +
        "goes to stdout with --out, to stderr without.",
      positionals: files,
      flags: {
        out: {
          type: "string",
          short: "o",
          value: "FILE",
          description: "write the orderbook rows here (.gz: gzip-compressed) instead of stdout",
        },
        levels: {
          type: "integer",
          min: 1,
          max: 0xffffffff,
          description: "levels per output row (default: as in the orderbook file)",
        },
        date: { type: "date", description: "trading date (default: from the message file name)" },
      },
    }),
    import: defineCommand({
      name: "deno task lobster import",
      summary:
        "Writes the pair to the lake as the bronze equity_mbo partition (symbol, dt), under " +
        "bronze/source=lobster/ (then: deno task pipeline ... --source lobster).",
      positionals: files,
      flags: {
        symbol: {
          type: "string",
          value: "SYM",
          description: "ticker, e.g. GOOG (default: from the message file name)",
        },
        dt: { type: "date", description: "trading date (default: from the message file name)" },
        lake: {
          type: "string",
          value: "DIR",
          description: "lake root (default: lake_root of the lake configuration)",
        },
        overwrite: { type: "boolean", description: "rewrite the partition if it is complete" },
        "instrument-id": {
          type: "integer",
          min: 0,
          max: 0xffffffff,
          description: "instrument_id of every record (default 1)",
        },
      },
    }),
  },
});

type ReplayArgs = ArgsOf<typeof command.spec.commands.replay>;
type ImportArgs = ArgsOf<typeof command.spec.commands.import>;

/** Runs the command with `argv` (without the program name); returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return command.run(argv, { replay: runReplay, import: runImport });
}

async function runReplay(
  { flags, positionals: [messages, orderbook] }: ReplayArgs,
): Promise<number> {
  const args = { messages, orderbook, levels: flags.levels, date: flags.date };
  if (flags.out === undefined) return await replayToStdout(args);
  const out = resolve(flags.out);
  const tmp = await Deno.makeTempFile({ dir: dirname(out), prefix: `.${basename(out)}.` });
  const progress = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  try {
    const file = await Deno.open(tmp, { write: true, truncate: true });
    const gz = out.endsWith(".gz");
    let piped: Promise<void> = Promise.resolve();
    let sink: WritableStream<Uint8Array> = file.writable;
    if (gz) {
      const cs = new CompressionStream("gzip");
      piped = cs.readable.pipeTo(file.writable); // closes the file when the compressor ends
      sink = cs.writable as unknown as WritableStream<Uint8Array>;
    }
    const writer = sink.getWriter();
    let lines: string[] = [];
    let size = 0;
    const write = async (): Promise<void> => {
      if (lines.length === 0) return;
      await writer.write(enc.encode(lines.join("")));
      lines = [];
      size = 0;
    };
    let last = 0;
    const { stats, book } = await replayLobster(args.messages, args.orderbook, {
      levels: args.levels,
      date: args.date,
      onRow: async (row, i) => {
        const line = row.join(",") + "\n";
        lines.push(line);
        size += line.length;
        if (size >= 1 << 20) await write();
        if (progress && Date.now() - last > 250) {
          last = Date.now();
          Deno.stderr.writeSync(enc.encode(`\r${(i + 1).toLocaleString("en-US")} messages`));
        }
      },
    });
    await write();
    await writer.close();
    await piped;
    if (progress) Deno.stderr.writeSync(enc.encode("\r\x1b[K"));
    await Deno.chmod(tmp, 0o644).catch(() => {}); // temp files are created 0600
    await Deno.rename(tmp, out);
    console.log(JSON.stringify({ out, ...stats, anomalies: book.anomalies }, null, 1));
    return 0;
  } catch (e) {
    if (progress) Deno.stderr.writeSync(enc.encode("\r\x1b[K"));
    await Deno.remove(tmp).catch(() => {});
    if (e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError)) {
      console.error(`lobster: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** Replay rows to stdout (buffered; a closed pipe ends quietly), the summary to stderr. */
async function replayToStdout(
  args: { messages: string; orderbook: string; levels?: number; date?: string },
): Promise<number> {
  const enc = new TextEncoder();
  let lines: string[] = [];
  let size = 0;
  let closed = false;
  const write = async (): Promise<void> => {
    if (closed || lines.length === 0) return;
    const bytes = enc.encode(lines.join(""));
    lines = [];
    size = 0;
    try {
      for (let off = 0; off < bytes.byteLength;) {
        off += await Deno.stdout.write(bytes.subarray(off));
      }
    } catch (e) {
      if (e instanceof Deno.errors.BrokenPipe) closed = true;
      else throw e;
    }
  };
  try {
    const { stats, book } = await replayLobster(args.messages, args.orderbook, {
      levels: args.levels,
      date: args.date,
      onRow: async (row) => {
        const line = row.join(",") + "\n";
        lines.push(line);
        size += line.length;
        if (size >= 1 << 17) await write();
      },
    });
    await write();
    console.error(JSON.stringify({ ...stats, anomalies: book.anomalies }, null, 1));
    return 0;
  } catch (e) {
    if (e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError)) {
      console.error(`lobster: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

async function runImport(
  { flags, positionals: [messages, orderbook] }: ImportArgs,
): Promise<number> {
  const args = {
    messages,
    orderbook,
    symbol: flags.symbol,
    dt: flags.dt,
    lake: flags.lake,
    overwrite: flags.overwrite,
    instrumentId: flags["instrument-id"],
  };
  const progress = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  try {
    const r = await importLobster(args.messages, args.orderbook, {
      symbol: args.symbol,
      dt: args.dt,
      lake: args.lake,
      overwrite: args.overwrite,
      instrument_id: args.instrumentId,
      progress: progress
        ? (n) => Deno.stderr.writeSync(enc.encode(`\r${n.toLocaleString("en-US")} messages`))
        : undefined,
    });
    if (progress) Deno.stderr.writeSync(enc.encode("\r\x1b[K"));
    if (r.skipped) {
      console.error(
        `lobster: ${r.dataset} ${r.symbol} ${r.dt} is already complete; --overwrite rewrites it`,
      );
    }
    const s = r.manifest.stats;
    console.log(JSON.stringify(
      {
        dataset: r.dataset,
        symbol: r.symbol,
        dt: r.dt,
        dir: r.dir,
        skipped: r.skipped,
        rows: r.rows,
        messages: s.messages,
        types: s.types,
        snapshot_records: s.snapshot_records,
        reseed_records: s.reseed_records,
        volume: s.volume,
        halts: s.halt_count,
        inputs: r.manifest.inputs,
      },
      null,
      1,
    ));
    return 0;
  } catch (e) {
    if (progress) Deno.stderr.writeSync(enc.encode("\r\x1b[K"));
    if (e instanceof Error && !(e instanceof TypeError)) {
      console.error(`lobster: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
