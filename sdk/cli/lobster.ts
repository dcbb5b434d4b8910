/**
 * `deno task lobster replay <message.csv[.gz]> <orderbook.csv[.gz]> --out FILE [--levels N]
 * [--date YYYY-MM-DD]` — replays a LOBSTER message file through the MBO book engine and writes
 * the book after every message in LOBSTER's orderbook format (one row per message: per level ask
 * price, ask size, bid price, bid size; missing levels padded with ±9999999999 and 0). `FILE`
 * ending in `.gz` is gzip-compressed. The output is written to a temporary file and renamed into
 * place. A JSON summary (counters, and the number of rows whose levels strictly inside the
 * visible window differ from the orderbook file: 0 for an exact replay) goes to stdout.
 *
 * ```sh
 * deno task lobster replay GOOG_2012-06-21_34200000_57600000_message_10.csv.gz \
 *   GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz --out /tmp/goog_book.csv
 * ```
 *
 * Exit codes: 0 done, 1 reading or parsing failed (the message names the file and line),
 * 2 bad arguments.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { basename, dirname, resolve } from "node:path";
import { replayLobster } from "../lobster/mod.ts";

const USAGE =
  `Usage: deno task lobster replay <message.csv[.gz]> <orderbook.csv[.gz]> --out FILE [options]

  --out FILE         where to write the replayed orderbook rows (.gz: gzip-compressed)
  --levels N         levels per output row (default: as in the orderbook file)
  --date YYYY-MM-DD  trading date for event times (default: from the message file name)
  -h, --help         this text`;

class UsageError extends Error {}

interface Args {
  messages: string;
  orderbook: string;
  out: string;
  levels: number | undefined;
  date: string | undefined;
  help: boolean;
}

function parse(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        out: { type: "string", short: "o" },
        levels: { type: "string" },
        date: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;
  if (help) return { messages: "", orderbook: "", out: "", levels: 0, date: "", help };
  if (positionals[0] !== "replay") {
    throw new UsageError(
      positionals.length === 0 ? "missing command 'replay'" : `unknown command '${positionals[0]}'`,
    );
  }
  if (positionals.length !== 3) {
    throw new UsageError(
      `replay: expected <message.csv> <orderbook.csv>, got ${positionals.length - 1} file(s)`,
    );
  }
  if (!values.out) throw new UsageError("replay: --out FILE is required");
  let levels: number | undefined;
  if (values.levels !== undefined) {
    if (!/^\d+$/.test(values.levels) || Number(values.levels) < 1) {
      throw new UsageError(`--levels: expected a positive integer, got '${values.levels}'`);
    }
    levels = Number(values.levels);
  }
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
    throw new UsageError(`--date: expected YYYY-MM-DD, got '${values.date}'`);
  }
  return {
    messages: positionals[1],
    orderbook: positionals[2],
    out: values.out,
    levels,
    date: values.date,
    help,
  };
}

/** Runs the command with `argv` (without the program name); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`lobster: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const out = resolve(args.out);
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

if (import.meta.main) Deno.exit(await main(Deno.args));
