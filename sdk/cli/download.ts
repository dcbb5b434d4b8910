/**
 * `deno task download futures|equities daemon|submit|poll ...` — the Databento batch downloader.
 *
 * ```sh
 * deno task download futures daemon --start 2026-02-06 --end 2026-02-06 --symbols MNQ,SI \
 *   --include-futures --options-schemas mbo,statistics --poll-interval 60 --log-file logs/futures.log
 * deno task download equities daemon --start 2026-02-06 --end 2026-02-06 --symbols QQQ \
 *   --equity-schemas mbo --options-schemas cmbp-1,statistics --dry-run
 * ```
 *
 * Exit codes: 0 done, 1 some job or day failed, 2 bad arguments, 130 interrupted (rerun to resume).
 *
 * @module
 */
import { defaultLakeRoot } from "../lake/datasets.ts";
import { dirname } from "node:path";
import {
  ALLOWED_SCHEMAS,
  type DaemonOptions,
  type DaemonResult,
  DatabentoError,
  HistoricalClient,
  isFatalApiError,
  parseSchemaList,
  parseSymbolList,
  PlainProgress,
  type ProgressSink,
  runEquitiesDaemon,
  runFuturesDaemon,
  TtyProgress,
} from "../download/mod.ts";
import { type ArgsOf, defineCommand, UsageError } from "./_args.ts";

/** The command line of `deno task download`. */
export const command = defineCommand({
  name: "deno task download",
  summary: "The Databento historical batch downloader (resumable: kill it at any time and rerun " +
    "the same command). The API key comes from DATABENTO_API_KEY or a .env file.",
  positionals: [
    { name: "kind", description: "futures or equities", choices: ["futures", "equities"] },
    {
      name: "mode",
      description: "daemon (submit, poll, download), submit or poll",
      choices: ["daemon", "submit", "poll"],
    },
  ],
  flags: {
    start: { type: "date", description: "first session date (daemon, submit)" },
    end: { type: "date", description: "last session date, inclusive (daemon, submit)" },
    symbols: {
      type: "string",
      value: "A,B",
      description: "futures roots (default ES) or tickers (default QQQ)",
    },
    "include-futures": { type: "boolean", description: "futures: also the front-month MBO" },
    "options-schemas": {
      type: "string",
      value: "LIST",
      description: "futures: definition,mbo,statistics (default mbo,statistics); equities: " +
        "definition,cmbp-1,statistics (default cmbp-1,statistics)",
    },
    "equity-schemas": {
      type: "string",
      value: "LIST",
      description: "equities: mbo,definition (default mbo)",
    },
    "poll-interval": {
      type: "number",
      min: 0,
      value: "S",
      default: 60,
      description: "seconds between polls",
    },
    "pause-seconds": {
      type: "number",
      min: 0,
      value: "S",
      default: 5,
      description: "seconds after each submission",
    },
    "log-file": {
      type: "string",
      value: "PATH",
      description: "append log lines here (default logs/<futures|equities>.log)",
    },
    tracker: {
      type: "string",
      value: "PATH",
      description: "job tracker (default logs/futures_jobs.json | logs/equity_options_jobs.json)",
    },
    lake: {
      type: "string",
      value: "DIR",
      default: defaultLakeRoot(),
      description: "lake root, any folder (SPYMASTER_LAKE sets the default)",
    },
    "api-url": {
      type: "string",
      value: "URL",
      description: "API base URL (default DATABENTO_API_URL or https://hist.databento.com)",
    },
    "dry-run": {
      type: "boolean",
      description: "print what would be submitted and its cost; submit nothing",
    },
    decompress: { type: "boolean", description: "write .dbn instead of the delivered .dbn.zst" },
    "retry-base-ms": {
      type: "number",
      min: 0,
      value: "MS",
      default: 1000,
      description: "first retry delay",
    },
    "timeout-seconds": {
      type: "number",
      min: 0,
      value: "S",
      default: 100,
      description: "per-request timeout (0: none)",
    },
  },
  examples: [
    "deno task download futures daemon --start 2026-02-06 --end 2026-02-06 --symbols MNQ,SI --include-futures",
    "deno task download equities daemon --start 2026-02-06 --end 2026-02-06 --symbols QQQ --dry-run",
  ],
  notes: "Exit codes: 0 done, 1 some job or day failed, 2 bad arguments, 130 interrupted " +
    "(rerun to resume).",
});

async function main({ flags: values, positionals }: ArgsOf<typeof command>): Promise<number> {
  const [kind, command] = positionals as ["futures" | "equities", "daemon" | "submit" | "poll"];
  const futures = kind === "futures";
  const needDates = command !== "poll";
  if (needDates && (!values.start || !values.end)) {
    throw new UsageError("--start and --end are required (YYYY-MM-DD)");
  }
  const symbols = parseSymbolList(values.symbols ?? (futures ? "ES" : "QQQ"), kind);
  const optionsSchemas = parseSchemaList(
    values["options-schemas"] ?? (futures ? "mbo,statistics" : "cmbp-1,statistics"),
    futures ? ALLOWED_SCHEMAS.futuresOptions : ALLOWED_SCHEMAS.equityOptions,
    "--options-schemas",
  );
  const equitySchemas = futures ? undefined : parseSchemaList(
    values["equity-schemas"] ?? "mbo",
    ALLOWED_SCHEMAS.equity,
    "--equity-schemas",
  );
  if (futures && values["equity-schemas"]) throw new UsageError("--equity-schemas is for equities");
  if (!futures && values["include-futures"]) {
    throw new UsageError("--include-futures is for futures");
  }
  const pollIntervalMs = values["poll-interval"] * 1000;
  const pauseMs = values["pause-seconds"] * 1000;
  const retryBase = values["retry-base-ms"];
  const timeoutMs = values["timeout-seconds"] * 1000;

  const tty = Deno.stderr.isTerminal() && Deno.stdout.isTerminal();
  const screen: ProgressSink = tty ? new TtyProgress() : new PlainProgress();
  const logPath = values["log-file"] ?? (futures ? "logs/futures.log" : "logs/equities.log");
  await Deno.mkdir(dirname(logPath) || ".", { recursive: true });
  const logFile = await Deno.open(logPath, { append: true, create: true });
  const enc = new TextEncoder();
  // every line goes to the screen and is appended to --log-file
  const progress: ProgressSink = {
    line: (text) => {
      screen.line(text);
      const bytes = enc.encode(text + "\n");
      let off = 0;
      while (off < bytes.length) off += logFile.writeSync(bytes.subarray(off));
    },
    jobs: (rows) => screen.jobs(rows),
    file: (key, p) => screen.file(key, p),
    close: () => screen.close(),
  };
  const log = (l: string) => progress.line(`${new Date().toISOString()} ${l}`);
  const client = await HistoricalClient.create({
    apiUrl: values["api-url"],
    retry: { baseDelayMs: retryBase },
    timeoutMs: timeoutMs > 0 ? timeoutMs : undefined,
    onRetry: (e) =>
      log(
        `RETRY ${e.endpoint} #${e.attempt} in ${(e.delayMs / 1000).toFixed(1)}s: ${
          e.status ?? ""
        } ${e.reason}`.replace(/\s+/g, " "),
      ),
    onWarning: (w) => log(`WARNING ${w.category} ${w.endpoint}: ${w.message}`),
  });

  const ctrl = new AbortController();
  const onSignal = () => ctrl.abort(new DatabentoError("interrupted"));
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);

  const opts: DaemonOptions = {
    client,
    tracker: values.tracker ??
      (futures ? "logs/futures_jobs.json" : "logs/equity_options_jobs.json"),
    lakeRoot: values.lake,
    progress,
    pollIntervalMs,
    pauseMs,
    dryRun: values["dry-run"],
    decompress: values.decompress,
    signal: ctrl.signal,
    start: values.start ?? "",
    end: values.end ?? "",
    symbols,
    optionsSchemas,
    includeFutures: values["include-futures"],
    equitySchemas,
    mode: command,
  };
  let res: DaemonResult;
  try {
    res = await (futures ? runFuturesDaemon : runEquitiesDaemon)(opts);
  } catch (e) {
    progress.close();
    if (ctrl.signal.aborted) {
      console.error("interrupted: state is saved in the tracker; run the same command to resume");
      return 130;
    }
    if (isFatalApiError(e)) {
      console.error(`error: ${(e as Error).message}`);
      if (!opts.dryRun) console.error("state is saved in the tracker; rerun once this is fixed");
      return 1;
    }
    throw e;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    logFile.close();
  }
  if (opts.dryRun) printPlan(res, res.failures.length > 0);
  if (res.failures.length) {
    console.error(`${res.failures.length} failure(s):`);
    for (const f of res.failures) console.error(`  ${f.key}: ${f.error}`);
    return 1;
  }
  return 0;
}

function printPlan(res: DaemonResult, incomplete: boolean): void {
  const rows = res.plan.map((p) => [
    p.action,
    p.key,
    String(p.symbols_count),
    p.stype_in,
    p.cost_usd === undefined ? (p.action === "submit" ? "?" : "") : `$${p.cost_usd.toFixed(2)}`,
    p.note ?? "",
  ]);
  const head = ["action", "job", "symbols", "stype_in", "cost", "note"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd();
  console.log(fmt(head));
  for (const r of rows) console.log(fmt(r));
  const unpriced = res.plan.filter((p) => p.action === "submit" && p.cost_usd === undefined).length;
  console.log(
    incomplete || unpriced
      ? `total estimated cost: unknown (${unpriced} of the jobs could not be priced; dry run: nothing submitted)`
      : `total estimated cost: $${res.total_cost_usd.toFixed(2)} (dry run: nothing submitted)`,
  );
}

if (import.meta.main) {
  Deno.exit(
    await command.run(Deno.args, async (args) => {
      try {
        return await main(args);
      } catch (e) {
        // bad --symbols / --*-schemas values are usage errors
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
    }),
  );
}
