/**
 * LOBSTER files (lobsterdata.com NASDAQ order-book reconstructions) through the SDK.
 *
 * `deno task lobster replay <message.csv[.gz]> <orderbook.csv[.gz]> --out FILE [--levels N]
 * [--date YYYY-MM-DD]` — replays a LOBSTER message file through the MBO book engine and writes
 * the book after every message in LOBSTER's orderbook format (one row per message: per level ask
 * price, ask size, bid price, bid size; missing levels padded with ±9999999999 and 0). `FILE`
 * ending in `.gz` is gzip-compressed. The output is written to a temporary file and renamed into
 * place. A JSON summary (counters, and the number of rows whose levels strictly inside the
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
import { integerFlag, parseCommandLine, parseFlags, UsageError } from "./_args.ts";

const USAGE = `Usage:
  deno task lobster replay <message.csv[.gz]> <orderbook.csv[.gz]> --out FILE [options]
  deno task lobster import <message.csv[.gz]> <orderbook.csv[.gz]> --symbol SYM --dt DATE [options]

replay: the book after every message, in LOBSTER's orderbook format
  --out FILE         where to write the replayed orderbook rows (.gz: gzip-compressed)
  --levels N         levels per output row (default: as in the orderbook file)
  --date YYYY-MM-DD  trading date for event times (default: from the message file name)

import: the pair as the bronze equity_mbo partition (symbol, dt) of the lake, under
        bronze/source=lobster/ (silver: deno task pipeline ... --source lobster)
  --symbol SYM       ticker, e.g. GOOG (default: from the message file name)
  --dt YYYY-MM-DD    trading date (default: from the message file name)
  --lake DIR         lake root (default: lake_root of config/datasets.yaml)
  --overwrite        rewrite the partition if it is already complete
  --instrument-id N  instrument_id of every record (default 1)

  -h, --help         this text`;

type Args =
  | {
    cmd: "replay";
    messages: string;
    orderbook: string;
    out: string;
    levels: number | undefined;
    date: string | undefined;
  }
  | {
    cmd: "import";
    messages: string;
    orderbook: string;
    symbol: string | undefined;
    dt: string | undefined;
    lake: string | undefined;
    overwrite: boolean;
    instrumentId: number | undefined;
  };

const OPTIONS = {
  replay: ["out", "levels", "date"],
  import: ["symbol", "dt", "lake", "overwrite", "instrument-id"],
} as const;

/** The arguments, or `undefined` for `--help`. */
function parse(argv: string[]): Args | undefined {
  const { values, positionals } = parseFlags(argv, {
    out: { type: "string", short: "o" },
    levels: { type: "string" },
    date: { type: "string" },
    symbol: { type: "string" },
    dt: { type: "string" },
    lake: { type: "string" },
    overwrite: { type: "boolean" },
    "instrument-id": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return undefined;
  const cmd = positionals[0];
  if (cmd !== "replay" && cmd !== "import") {
    throw new UsageError(
      cmd === undefined ? "missing command 'replay' or 'import'" : `unknown command '${cmd}'`,
    );
  }
  const given = Object.keys(values).filter((k) => k !== "help");
  const foreign = given.filter((k) => !(OPTIONS[cmd] as readonly string[]).includes(k));
  if (foreign.length) throw new UsageError(`${cmd}: unknown option --${foreign[0]}`);
  if (positionals.length !== 3) {
    throw new UsageError(
      `${cmd}: expected <message.csv> <orderbook.csv>, got ${positionals.length - 1} file(s)`,
    );
  }
  const date = (v: string | undefined, name: string): string | undefined => {
    if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      throw new UsageError(`--${name}: expected YYYY-MM-DD, got '${v}'`);
    }
    return v;
  };
  const count = (v: string | undefined, name: string, min: number): number | undefined =>
    integerFlag(name, v, { min, max: 0xffffffff, expected: `an integer ≥ ${min}` });
  if (cmd === "import") {
    return {
      cmd,
      messages: positionals[1],
      orderbook: positionals[2],
      symbol: values.symbol,
      dt: date(values.dt, "dt"),
      lake: values.lake,
      overwrite: values.overwrite ?? false,
      instrumentId: count(values["instrument-id"], "instrument-id", 0),
    };
  }
  if (!values.out) throw new UsageError("replay: --out FILE is required");
  return {
    cmd,
    messages: positionals[1],
    orderbook: positionals[2],
    out: values.out,
    levels: count(values.levels, "levels", 1),
    date: date(values.date, "date"),
  };
}

/** Runs the command with `argv` (without the program name); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine("lobster", USAGE, () => parse(argv));
  if (typeof args === "number") return args;
  if (args.cmd === "import") return await runImport(args);
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

async function runImport(args: Extract<Args, { cmd: "import" }>): Promise<number> {
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
