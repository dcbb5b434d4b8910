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
import { dirname } from "node:path";
import { parseArgs } from "node:util";
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

const USAGE = `Usage: deno task download <futures|equities> <daemon|submit|poll> [options]

  --start YYYY-MM-DD        first session date (daemon, submit)
  --end YYYY-MM-DD          last session date, inclusive (daemon, submit)
  --symbols A,B             futures roots (default ES) or tickers (default QQQ)
  --include-futures         futures: also the front-month MBO
  --options-schemas LIST    futures: definition,mbo,statistics (default mbo,statistics)
                            equities: definition,cmbp-1,statistics (default cmbp-1,statistics)
  --equity-schemas LIST     equities: mbo,definition (default mbo)
  --poll-interval S         seconds between polls (default 60)
  --pause-seconds S         seconds after each submission (default 5)
  --log-file PATH           append log lines here (default logs/<futures|equities>.log)
  --tracker PATH            job tracker (default logs/futures_jobs.json | logs/equity_options_jobs.json)
  --lake DIR                lake root (default lake)
  --api-url URL             API base URL (default DATABENTO_API_URL or https://hist.databento.com)
  --dry-run                 print what would be submitted and its cost; submit nothing
  --decompress              write .dbn instead of keeping the delivered .dbn.zst
  --retry-base-ms MS        first retry delay (default 1000)
  --timeout-seconds S       per-request timeout (default 100)
  -h, --help                this text

The API key comes from DATABENTO_API_KEY or a .env file.`;

function num(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    throw new RangeError(`${flag}: '${v}' is not a non-negative number`);
  }
  return n;
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      start: { type: "string" },
      end: { type: "string" },
      symbols: { type: "string" },
      "include-futures": { type: "boolean", default: false },
      "options-schemas": { type: "string" },
      "equity-schemas": { type: "string" },
      "poll-interval": { type: "string" },
      "pause-seconds": { type: "string" },
      "log-file": { type: "string" },
      tracker: { type: "string" },
      lake: { type: "string" },
      "api-url": { type: "string" },
      "dry-run": { type: "boolean", default: false },
      decompress: { type: "boolean", default: false },
      "retry-base-ms": { type: "string" },
      "timeout-seconds": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [kind, command] = positionals;
  if (kind !== "futures" && kind !== "equities") {
    throw new RangeError(`first argument must be futures or equities, got '${kind ?? ""}'`);
  }
  if (command !== "daemon" && command !== "submit" && command !== "poll") {
    throw new RangeError(`second argument must be daemon, submit or poll, got '${command ?? ""}'`);
  }
  if (positionals.length > 2) throw new RangeError(`unexpected argument '${positionals[2]}'`);
  const futures = kind === "futures";
  const needDates = command !== "poll";
  if (needDates && (!values.start || !values.end)) {
    throw new RangeError("--start and --end are required (YYYY-MM-DD)");
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
  if (futures && values["equity-schemas"]) throw new RangeError("--equity-schemas is for equities");
  if (!futures && values["include-futures"]) {
    throw new RangeError("--include-futures is for futures");
  }
  const pollIntervalMs = num(values["poll-interval"], "--poll-interval", 60) * 1000;
  const pauseMs = num(values["pause-seconds"], "--pause-seconds", 5) * 1000;
  const retryBase = num(values["retry-base-ms"], "--retry-base-ms", 1000);
  const timeoutMs = num(values["timeout-seconds"], "--timeout-seconds", 100) * 1000;

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
    lakeRoot: values.lake ?? "lake",
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
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    const usage = e instanceof RangeError ||
      (e as { code?: string })?.code?.startsWith?.("ERR_PARSE_ARGS");
    console.error(`error: ${(e as Error).message}`);
    if (usage) console.error("run with --help for usage");
    Deno.exit(usage ? 2 : 1);
  }
}
