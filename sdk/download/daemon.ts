/**
 * The batch downloader behind `deno task download futures|equities daemon`: plans one-day batch
 * jobs, submits them idempotently through a job tracker, polls, downloads verified files into the
 * lake, and resumes after a kill. {@link BatchDownloader} is the reusable core (for notebooks);
 * {@link runFuturesDaemon} and {@link runEquitiesDaemon} are the two flows.
 *
 * Differences from the original daemons (downloader.md §6), on purpose:
 * - the front month comes from the free `symbology.resolve` (as its README promised);
 * - `list_jobs` asks for every state (including `received`) since the earliest submission, and a
 *   job it does not list is looked up with `batch.get_job_details`;
 * - expired jobs are resubmitted (up to `maxResubmits`), never silently reused;
 * - files are downloaded one by one with Range resume, size and sha256 checks, and renamed into
 *   place only when verified; failed downloads are retried, not resubmitted (no double billing);
 * - the poll loop waits only for this run's jobs; pauses happen only after real submissions;
 * - files stay as delivered (`.dbn.zst`, which the decoder reads) unless `decompress` is set;
 * - the streamed futures-options definitions are kept where the bronze stage looks for them.
 *
 * @module
 */
import { createReadStream, createWriteStream } from "node:fs";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { createZstdDecompress } from "node:zlib";
import {
  type BatchJob,
  type HistoricalClient,
  JOB_STATES,
  type JobState,
  type SubmitJobParams,
} from "./client.ts";
import { addDays, sessionDates } from "./dates.ts";
import { discoverFuturesOptions, type OptionsDiscovery } from "./discover_options.ts";
import { parseHash, sha256File } from "./download_file.ts";
import { DatabentoApiError, DatabentoError, DownloadError, isFatalApiError } from "./errors.ts";
import { resolveFrontMonth } from "./front_month.ts";
import {
  equityOptionsDefinitionDir,
  findRawFile,
  isDataFile,
  type ProductType,
  rawTargetDir,
} from "./lake_paths.ts";
import {
  FileTrackerStore,
  jobKey,
  requestFingerprint,
  symbolsDigest,
  type TrackedFile,
  type TrackedJob,
  type TrackerData,
  type TrackerStore,
} from "./tracker.ts";
import { equityOptions0dte, NoOptionsError, readOptionDefinitions } from "./zero_dte.ts";
import { formatBytes, type JobRow, PlainProgress, type ProgressSink } from "./progress.ts";
import { sleep } from "./_sleep.ts";

/** One batch job to submit: a one-day slice of one schema. */
export interface JobRequest {
  /** Tracker key `<dataset>|<schema>|<symbol>|<date>|<product_type>`. */
  key: string;
  /** Dataset code, e.g. `GLBX.MDP3`. */
  dataset: string;
  /** Schema name. */
  schema: string;
  /** Root or ticker. */
  symbol: string;
  /** Session date `YYYY-MM-DD`. */
  date: string;
  /** Product type (routes the files in the lake). */
  product_type: ProductType;
  /** Symbols to request. */
  symbols: string[];
  /** Input symbology type, e.g. `raw_symbol`, `parent`, `continuous`. */
  stype_in: string;
  /** `date`. */
  start: string;
  /** `date + 1 day`. */
  end: string;
}

/** Builds a one-day {@link JobRequest}. */
export function jobRequest(
  dataset: string,
  schema: string,
  symbol: string,
  date: string,
  product: ProductType,
  symbols: string[],
  stypeIn = "raw_symbol",
): JobRequest {
  return {
    key: jobKey(dataset, schema, symbol, date, product),
    dataset,
    schema,
    symbol,
    date,
    product_type: product,
    symbols,
    stype_in: stypeIn,
    start: date,
    end: addDays(date, 1),
  };
}

/** Most symbols one request may carry. */
export const MAX_SYMBOLS = 2000;

/**
 * Futures jobs for a root on a day (downloader.md §2.4): the front-month MBO when
 * `includeFutures`, then one job per options schema (except `definition`) for the discovered
 * options; more than 2000 options are requested through their parent (`stype_in=parent`).
 */
export function futuresRequests(
  root: string,
  date: string,
  plan: {
    contract: string;
    includeFutures: boolean;
    optionsSchemas: string[];
    options: OptionsDiscovery;
  },
  log: (line: string) => void = () => {},
): JobRequest[] {
  const out: JobRequest[] = [];
  if (plan.includeFutures) {
    out.push(jobRequest("GLBX.MDP3", "mbo", root, date, "futures", [plan.contract]));
  }
  const schemas = plan.optionsSchemas.filter((s) => s !== "definition");
  if (schemas.length === 0) return out;
  let symbols = plan.options.raw_symbols;
  let stype = "raw_symbol";
  if (symbols.length === 0 && plan.options.label === "dry_run" && plan.options.parent) {
    symbols = [plan.options.parent];
    stype = "parent";
  } else if (symbols.length === 0) {
    log(`SKIP options data for ${root} ${date}: no options discovered (${plan.options.label})`);
    return out;
  } else if (symbols.length > MAX_SYMBOLS && plan.options.parent) {
    log(
      `PARENT_STYPE ${root} ${date}: ${symbols.length} symbols > ${MAX_SYMBOLS}, requesting ${plan.options.parent}`,
    );
    symbols = [plan.options.parent];
    stype = "parent";
  }
  for (const schema of schemas) {
    out.push(jobRequest("GLBX.MDP3", schema, root, date, "futures_options", symbols, stype));
  }
  return out;
}

/** Equity jobs for a ticker on a day: one XNAS.ITCH job per equity schema. */
export function equityRequests(
  ticker: string,
  date: string,
  equitySchemas: string[],
): JobRequest[] {
  return equitySchemas.map((s) => jobRequest("XNAS.ITCH", s, ticker, date, "equity", [ticker]));
}

/** The OPRA definitions job of a ticker on a day (`<TICKER>.OPT`, stype `parent`). */
export function equityDefinitionRequest(ticker: string, date: string): JobRequest {
  return jobRequest("OPRA.PILLAR", "definition", ticker, date, "equity_options_def", [
    `${ticker}.OPT`,
  ], "parent");
}

/**
 * Equity-options jobs: one per options schema (except `definition`) for the 0DTE symbols; more than
 * 2000 symbols go through the parent `<TICKER>.OPT` (the original had no guard here).
 */
export function equityOptionsRequests(
  ticker: string,
  date: string,
  optionsSchemas: string[],
  symbols: string[],
): JobRequest[] {
  if (symbols.length === 0) return [];
  const viaParent = symbols.length > MAX_SYMBOLS;
  return optionsSchemas.filter((s) => s !== "definition").map((s) =>
    jobRequest(
      "OPRA.PILLAR",
      s,
      ticker,
      date,
      "equity_options",
      viaParent ? [`${ticker}.OPT`] : symbols,
      viaParent ? "parent" : "raw_symbol",
    )
  );
}

/** What {@link BatchDownloader.submit} did. */
export type SubmitAction = "submitted" | "reused" | "skipped" | "failed" | "planned";

/** One line of a dry-run plan. */
export interface PlannedJob {
  /** Tracker key. */
  key: string;
  /** What a real run would do. */
  action: "submit" | "reuse" | "skip";
  /** Number of symbols requested. */
  symbols_count: number;
  /** Input symbology type, e.g. `raw_symbol`, `parent`, `continuous`. */
  stype_in: string;
  /** `metadata.get_cost` for submissions (US dollars). */
  cost_usd?: number;
  /** Why the cost is an upper bound, if it is. */
  note?: string;
}

/** Settings of {@link BatchDownloader}. */
export interface BatchDownloaderOptions {
  /** Client used for every API call. */
  client: HistoricalClient;
  /** Tracker file path or store. */
  tracker: string | TrackerStore;
  /** Lake root (default `lake`). */
  lakeRoot?: string;
  /** Partial downloads (default `<lake>/.staging`, same file system as the lake). */
  stagingDir?: string;
  /** Log lines (already timestamped) and progress. Default: plain lines on stdout. */
  progress?: ProgressSink;
  /** Extra log sink for untimestamped messages (e.g. a log file); lines are redacted first. */
  logFile?: string;
  /** Wait between polls (default 60 000 ms). */
  pollIntervalMs?: number;
  /** Wait after each real submission (default 5 000 ms; `submit_job` allows 20/min). */
  pauseMs?: number;
  /** Plan and price only: no submission, no tracker write, no billed call. */
  dryRun?: boolean;
  /** Write `.dbn` instead of keeping the delivered `.dbn.zst`. */
  decompress?: boolean;
  /** Resubmissions of an expired/lost job before giving up (default 3). */
  maxResubmits?: number;
  /** Failed download passes of a job before giving up for this run (default 3). */
  maxDownloadFailures?: number;
  /** Stops the daemon (between polls, or mid-download: partial files are kept). */
  signal?: AbortSignal;
}

const ACTIVE = new Set(["submitted", "received", "queued", "processing"]);

function nowIso(): string {
  return new Date().toISOString();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Status counts over the jobs of a run. */
export interface RunStatus {
  /** Jobs of the run. */
  total: number;
  /** Jobs downloaded. */
  downloaded: number;
  /** Jobs still in flight or waiting for download. */
  pending: number;
  /** Jobs given up. */
  failed: number;
}

/**
 * Submits, tracks, polls and downloads batch jobs. Every state change is saved to the tracker
 * before the next API call, so a killed process resumes without resubmitting or losing a job.
 *
 * ```ts ignore
 * const dl = await BatchDownloader.open({ client, tracker: "logs/my_jobs.json", pollIntervalMs: 30_000 });
 * await dl.submit(jobRequest("XNAS.ITCH", "mbo", "QQQ", "2026-02-06", "equity", ["QQQ"]));
 * await dl.pollUntilComplete("data");
 * ```
 */
export class BatchDownloader {
  /** Client in use. */
  readonly client: HistoricalClient;
  /** Tracker store. */
  readonly store: TrackerStore;
  /** Lake root. */
  readonly lakeRoot: string;
  /** Tracker content (saved after every change). */
  data: TrackerData;
  /** Keys this run works on (the poll loop waits for these only). */
  readonly runKeys: Set<string> = new Set();
  /** Dry-run plan lines. */
  readonly plan: PlannedJob[] = [];
  /** Failures of this run (submission errors, jobs given up). */
  readonly failures: { key: string; error: string }[] = [];
  /** Files downloaded by this run. */
  readonly downloaded: string[] = [];
  /** Counts of submit outcomes. */
  readonly counts: Record<SubmitAction, number> = {
    submitted: 0,
    reused: 0,
    skipped: 0,
    failed: 0,
    planned: 0,
  };
  readonly #o: BatchDownloaderOptions;
  readonly #progress: ProgressSink;
  readonly #staging: string;
  #logFile: Deno.FsFile | undefined;
  readonly #givenUp = new Set<string>();

  /** Opens a downloader: loads the tracker. */
  static async open(options: BatchDownloaderOptions): Promise<BatchDownloader> {
    const store = typeof options.tracker === "string"
      ? new FileTrackerStore(options.tracker)
      : options.tracker;
    const data = await store.load();
    data.intents ??= {};
    // one downloader per tracker: a second daemon would submit the same jobs twice
    if (!options.dryRun) await store.lock?.();
    const dl = new BatchDownloader(options, store, data);
    if (options.logFile) {
      await Deno.mkdir(join(options.logFile, ".."), { recursive: true });
      dl.#logFile = await Deno.open(options.logFile, { append: true, create: true });
    }
    for (const [key, intent] of Object.entries(data.intents)) {
      dl.log(
        `INTENT ${key}: submitted at ${intent.recorded_at} by a run that died before the reply; ` +
          `its next submission looks for the job with list_jobs first`,
      );
    }
    return dl;
  }

  private constructor(options: BatchDownloaderOptions, store: TrackerStore, data: TrackerData) {
    this.#o = options;
    this.client = options.client;
    this.store = store;
    this.data = data;
    this.lakeRoot = options.lakeRoot ?? "lake";
    this.#staging = options.stagingDir ?? join(this.lakeRoot, ".staging");
    this.#progress = options.progress ?? new PlainProgress();
  }

  /** Logs one event as `<ISO UTC>Z <message>` to the progress sink and the log file (redacted). */
  log(message: string): void {
    const line = this.client.redact(`${nowIso()} ${message}`);
    this.#progress.line(line);
    if (this.#logFile) {
      const bytes = new TextEncoder().encode(line + "\n");
      let off = 0;
      while (off < bytes.length) off += this.#logFile.writeSync(bytes.subarray(off));
    }
  }

  /** Closes the log file and the progress block. */
  close(): void {
    this.#progress.close();
    this.#logFile?.close();
    this.#logFile = undefined;
    this.store.unlock?.();
  }

  /** Whether this is a dry run. */
  get dryRun(): boolean {
    return this.#o.dryRun === true;
  }

  async #save(): Promise<void> {
    if (this.dryRun) return;
    await this.store.save(this.data);
  }

  #addPending(key: string): void {
    if (!this.data.pending_downloads.includes(key)) this.data.pending_downloads.push(key);
  }

  #dropPending(key: string): void {
    this.data.pending_downloads = this.data.pending_downloads.filter((k) => k !== key);
  }

  #fail(key: string, error: string): void {
    this.failures.push({ key, error: this.client.redact(error) });
  }

  async #filesPresent(job: TrackedJob): Promise<boolean> {
    const files = (job.files ?? []).filter((f): f is TrackedFile => typeof f === "object");
    if (files.length === 0) return false;
    for (const f of files) if (!(await exists(f.path))) return false;
    return true;
  }

  /**
   * Submits a job unless the tracker already has it (§1.5, fixed): `downloaded` (files present)
   * and `done` are skipped, in-flight jobs reused, `expired` and lost jobs resubmitted, and a
   * changed symbol list resubmitted. In a dry run the cost is priced instead.
   */
  async submit(req: JobRequest): Promise<SubmitAction> {
    this.runKeys.add(req.key);
    const digest = symbolsDigest(req.symbols);
    const ex = this.data.jobs[req.key];
    let reason: string | undefined;
    if (ex) {
      const changed = ex.stype_in !== req.stype_in || ex.symbols_count !== req.symbols.length ||
        ex.symbols_digest !== digest;
      if (changed) reason = "payload changed";
      else if (ex.state === "downloaded") {
        if (await this.#filesPresent(ex)) {
          this.log(`SKIP ${req.key} already downloaded`);
          return this.#count("skipped", req, "skip");
        }
        this.log(`MISSING ${req.key}: downloaded files are gone, downloading again`);
        if (!this.dryRun) {
          ex.state = "done";
          ex.files = [];
          this.#addPending(req.key);
          await this.#save();
        }
        return this.#count("reused", req, "reuse");
      } else if (ex.state === "done") {
        this.log(`SKIP ${req.key} already done (download pending)`);
        this.#addPending(req.key);
        return this.#count("reused", req, "reuse");
      } else if (ex.state === "expired") reason = "expired";
      else if (ex.state === "error" && ex.error_kind === "download") {
        this.log(`REUSE ${req.key} job=${ex.job_id} state=done (retrying the download)`);
        if (!this.dryRun) {
          ex.state = "done";
          ex.download_failures = 0;
          this.#addPending(req.key);
          await this.#save();
        }
        return this.#count("reused", req, "reuse");
      } else if (ex.state === "error") reason = "was error";
      else {
        this.log(`REUSE ${req.key} job=${ex.job_id} state=${ex.state}`);
        return this.#count("reused", req, "reuse");
      }
    }
    if (this.dryRun) {
      let cost: number | undefined;
      try {
        cost = await this.client.metadata.getCost({
          dataset: req.dataset,
          schema: req.schema,
          symbols: req.symbols,
          stype_in: req.stype_in,
          start: req.start,
          end: req.end,
        }, this.#o.signal);
      } catch (e) {
        if (this.#o.signal?.aborted || isFatalApiError(e)) throw e;
        const msg = (e as Error).message;
        this.log(`ERROR get_cost ${req.key}: ${msg}`);
        this.#fail(req.key, `get_cost: ${msg}`);
      }
      this.plan.push({
        key: req.key,
        action: "submit",
        symbols_count: req.symbols.length,
        stype_in: req.stype_in,
        cost_usd: cost,
      });
      this.log(
        `DRY_RUN submit ${req.key} symbols=${req.symbols.length} stype_in=${req.stype_in}${
          reason ? ` (${reason})` : ""
        } cost=${cost === undefined ? "?" : `$${cost.toFixed(2)}`}`,
      );
      this.counts.planned++;
      return "planned";
    }
    const params: SubmitJobParams = {
      dataset: req.dataset,
      schema: req.schema,
      symbols: req.symbols,
      start: req.start,
      end: req.end,
      stype_in: req.stype_in,
      delivery: "download",
      split_duration: "day",
    };
    const fingerprint = requestFingerprint(params);
    let job: BatchJob | undefined;
    let recovered = false;
    const intent = this.data.intents[req.key];
    if (intent) {
      // a run recorded this submission and died before recording the job: was it created?
      try {
        job = await this.#findLostJob(intent.recorded_at, params);
      } catch (e) {
        if (this.#o.signal?.aborted || isFatalApiError(e)) throw e;
        const msg =
          `cannot tell whether the interrupted submission of an earlier run created a job ` +
          `(${(e as Error).message}); not submitting again`;
        this.log(`ERROR submit ${req.key}: ${msg}`);
        this.#fail(req.key, msg);
        this.counts.failed++;
        return "failed";
      }
      if (job) {
        recovered = true;
        this.log(
          `RECOVERED ${req.key} job=${job.id}: created by an earlier run that died before the reply`,
        );
      } else if (intent.fingerprint !== fingerprint) {
        this.log(
          `INTENT ${req.key}: the interrupted submission was another request and created no job like this one`,
        );
      } else {
        this.log(`INTENT ${req.key}: the interrupted submission created no job; submitting`);
      }
    }
    if (!job) {
      if (reason) this.log(`RESUBMIT ${req.key} (${reason})`);
      // recorded before the request: a kill between the request and its reply is recoverable
      this.data.intents[req.key] = { fingerprint, request: params, recorded_at: nowIso() };
      await this.#save();
      try {
        job = await this.client.batch.submitJob(params, this.#o.signal);
      } catch (e) {
        if (this.#o.signal?.aborted) throw e;
        // an API error answer means no job was created; anything else (connection lost) may hide one
        if (e instanceof DatabentoApiError && e.status < 500) {
          delete this.data.intents[req.key];
          await this.#save();
        }
        if (isFatalApiError(e)) throw e;
        const msg = (e as Error).message;
        this.log(`ERROR submit ${req.key}: ${msg}`);
        this.#fail(req.key, msg);
        this.counts.failed++;
        return "failed";
      }
    }
    if (!job?.id) {
      this.log(`ERROR submit ${req.key}: answer has no job id`);
      this.#fail(req.key, "submit_job answered without a job id");
      this.counts.failed++;
      return "failed";
    }
    const now = nowIso();
    const resubmitted = ex && (reason === "expired" || reason === "was error");
    this.data.jobs[req.key] = {
      job_id: job.id,
      dataset: req.dataset,
      schema: req.schema,
      symbol: req.symbol,
      date_str: req.date,
      product_type: req.product_type,
      symbols_count: req.symbols.length,
      symbols_digest: digest,
      stype_in: req.stype_in,
      state: (job.state as string) ?? "received",
      submitted_at: now,
      updated_at: now,
      request: { symbols: req.symbols, start: req.start, end: req.end },
      resubmits: resubmitted ? (ex.resubmits ?? 0) + 1 : 0,
      previous_job_ids: ex ? [...(ex.previous_job_ids ?? []), ex.job_id] : undefined,
      cost_usd: typeof job.cost_usd === "number" ? job.cost_usd : null,
    };
    delete this.data.intents[req.key];
    this.#dropPending(req.key);
    await this.#save();
    if (recovered) {
      this.counts.reused++;
      return "reused";
    }
    this.log(
      `SUBMIT ${req.key} job=${job.id} symbols=${req.symbols.length} delivery=download split_duration=day`,
    );
    this.counts.submitted++;
    const pause = this.#o.pauseMs ?? 5000;
    if (pause > 0) await sleep(pause, this.#o.signal);
    return "submitted";
  }

  /** The tracked file at `path` (a file some job of this tracker downloaded), if any. */
  #recordedFile(path: string): TrackedFile | undefined {
    const want = resolve(path);
    for (const j of Object.values(this.data.jobs)) {
      for (const f of j.files ?? []) {
        if (typeof f === "object" && resolve(f.path) === want) return f;
      }
    }
    return undefined;
  }

  /**
   * The raw file of a dataset/date/schema in `dir` if this tracker downloaded it (recorded in a
   * job's files, same size as delivered for `.zst` files); a file put there by anything else
   * (synthetic days, a copy) is logged and ignored, never taken for a cached download.
   */
  async trustedRawFile(
    dir: string,
    dataset: string,
    date: string,
    schema: string,
  ): Promise<string | undefined> {
    const path = await findRawFile(dir, dataset, date, schema);
    if (!path) return undefined;
    const rec = this.#recordedFile(path);
    const size = (await Deno.stat(path)).size;
    if (!rec || (path.endsWith(".zst") && rec.size !== size)) {
      this.log(
        `IGNORED ${path}: not a file this tracker downloaded (${this.store.location}); not using it as cached`,
      );
      return undefined;
    }
    return path;
  }

  /** Job ids the tracker accounts for already (current and replaced ones). */
  #knownJobIds(): Set<string> {
    const ids = new Set<string>();
    for (const j of Object.values(this.data.jobs)) {
      ids.add(j.job_id);
      for (const p of j.previous_job_ids ?? []) ids.add(p);
    }
    return ids;
  }

  /**
   * The job an interrupted submission (recorded at `recordedAt`) created, if any: `batch.list_jobs`
   * since a little before, matching every request parameter, not expired, not tracked already.
   */
  async #findLostJob(recordedAt: string, params: SubmitJobParams): Promise<BatchJob | undefined> {
    const since = new Date(Date.parse(recordedAt) - 15 * 60_000).toISOString();
    return await this.client.batch.findJob(params, since, {
      exclude: this.#knownJobIds(),
      signal: this.#o.signal,
    });
  }

  #count(action: SubmitAction, req: JobRequest, planAction: PlannedJob["action"]): SubmitAction {
    this.counts[action]++;
    if (this.dryRun) {
      this.plan.push({
        key: req.key,
        action: planAction,
        symbols_count: req.symbols.length,
        stype_in: req.stype_in,
      });
    }
    return action;
  }

  /** Adds every non-final job of the tracker to this run (for a bare `poll`). */
  adoptPending(): void {
    for (const [key, job] of Object.entries(this.data.jobs)) {
      // expired and lost jobs are left to a submission pass (resubmitting is billed)
      if (job.state === "expired") continue;
      if (job.state !== "downloaded" && !(job.state === "error" && job.error_kind !== "download")) {
        this.runKeys.add(key);
        if (job.state === "error") {
          job.state = "done";
          job.download_failures = 0;
          this.#addPending(key);
        }
      }
    }
  }

  /**
   * One poll: `batch.list_jobs` with every state since the earliest pending submission; jobs not
   * listed are looked up by id; state changes are logged and saved; `done` jobs queue a download.
   * Returns the number of jobs seen `done`.
   */
  async poll(): Promise<number> {
    const keys = [...this.runKeys].filter((k) => ACTIVE.has(this.data.jobs[k]?.state));
    if (keys.length === 0) return 0;
    const earliest = keys.map((k) => this.data.jobs[k].submitted_at ?? nowIso()).sort()[0];
    const since = addDays(earliest.slice(0, 10), -1);
    let listed;
    try {
      listed = await this.client.batch.listJobs({ states: JOB_STATES, since }, this.#o.signal);
    } catch (e) {
      if (this.#o.signal?.aborted || isFatalApiError(e)) throw e;
      this.log(`ERROR polling jobs: ${(e as Error).message}`);
      return 0;
    }
    const byId = new Map(listed.map((j) => [j.id, j.state]));
    let done = 0;
    let changed = false;
    for (const key of keys) {
      const job = this.data.jobs[key];
      let state: JobState | undefined = byId.get(job.job_id);
      if (state === undefined) {
        try {
          state = (await this.client.batch.getJobDetails(job.job_id, this.#o.signal)).state;
        } catch (e) {
          if (this.#o.signal?.aborted || isFatalApiError(e)) throw e;
          if (e instanceof DatabentoApiError && (e.status === 404 || e.status === 410)) {
            this.log(`STATE ${key} ${job.state} -> error (job ${job.job_id} unknown to the API)`);
            Object.assign(job, {
              state: "error",
              error: "job unknown to the API",
              error_kind: "job",
              updated_at: nowIso(),
            });
            changed = true;
          } else this.log(`ERROR polling ${key}: ${(e as Error).message}`);
          continue;
        }
      }
      if (state !== job.state) {
        this.log(`STATE ${key} ${job.state} -> ${state}`);
        job.state = state;
        job.updated_at = nowIso();
        changed = true;
      }
      if (state === "done") {
        done++;
        this.#addPending(key);
      }
    }
    if (changed || done) await this.#save();
    return done;
  }

  /** Resubmits this run's expired (not downloaded) and lost jobs from their stored request. */
  async resubmitExpired(): Promise<void> {
    for (const key of this.runKeys) {
      const job = this.data.jobs[key];
      if (!job || this.#givenUp.has(key)) continue;
      const lost = job.state === "error" && job.error_kind === "job";
      if (job.state !== "expired" && !lost) continue;
      const max = this.#o.maxResubmits ?? 3;
      if ((job.resubmits ?? 0) >= max || !job.request) {
        const why = job.request
          ? `${job.state} after ${job.resubmits} resubmissions`
          : "no stored request to resubmit";
        this.log(`ERROR ${key}: giving up (${why})`);
        this.#givenUp.add(key);
        this.#fail(key, why);
        if (job.state !== "error") {
          Object.assign(job, {
            state: "error",
            error: why,
            error_kind: "job",
            updated_at: nowIso(),
          });
          await this.#save();
        }
        continue;
      }
      this.#dropPending(key);
      await this.submit({
        key,
        dataset: job.dataset,
        schema: job.schema,
        symbol: job.symbol,
        date: job.date_str,
        product_type: job.product_type,
        symbols: job.request.symbols,
        stype_in: job.stype_in,
        start: job.request.start,
        end: job.request.end,
      });
    }
  }

  /** Downloads every `done` job of this run that is queued for download. Returns files fetched. */
  async downloadReady(): Promise<number> {
    let n = 0;
    for (const key of [...this.data.pending_downloads]) {
      if (!this.runKeys.has(key)) continue;
      const job = this.data.jobs[key];
      if (!job) {
        this.#dropPending(key);
        continue;
      }
      if (job.state !== "done") {
        if (job.state === "downloaded") this.#dropPending(key);
        continue;
      }
      try {
        n += await this.#downloadJob(key, job);
      } catch (e) {
        if (this.#o.signal?.aborted) throw e;
        const msg = (e as Error).message;
        this.log(`ERROR download ${key}: ${msg}`);
        job.download_failures = (job.download_failures ?? 0) + 1;
        job.error = this.client.redact(msg);
        job.updated_at = nowIso();
        if (e instanceof DatabentoApiError && [404, 410].includes(e.status)) {
          try {
            const d = await this.client.batch.getJobDetails(job.job_id, this.#o.signal);
            if (d.state === "expired") {
              this.log(`STATE ${key} done -> expired`);
              job.state = "expired";
              this.#dropPending(key);
            }
          } catch {
            // keep the failure count
          }
        }
        if (job.state === "done" && job.download_failures >= (this.#o.maxDownloadFailures ?? 3)) {
          this.log(
            `ERROR ${key}: giving up the download for this run (${job.download_failures} failures)`,
          );
          job.state = "error";
          job.error_kind = "download";
          this.#dropPending(key);
          this.#fail(key, msg);
        }
        await this.#save();
      }
    }
    return n;
  }

  async #downloadJob(key: string, job: TrackedJob): Promise<number> {
    const files = (await this.client.batch.listFiles(job.job_id, this.#o.signal)).filter((f) =>
      isDataFile(f.filename)
    );
    if (files.length === 0) {
      throw new DatabentoError(`batch job ${job.job_id} has no DBN data file`);
    }
    const dir = rawTargetDir(this.lakeRoot, job.product_type, job.schema, job.symbol);
    const total = files.reduce((s, f) => s + f.size, 0);
    this.log(
      `DOWNLOAD ${key} job=${job.job_id} -> ${dir} (${files.length} files, ${formatBytes(total)})`,
    );
    const have = (job.files ?? []).filter((f): f is TrackedFile => typeof f === "object");
    const partDir = join(this.#staging, job.job_id);
    let fetched = 0;
    for (const f of files) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(f.filename)) {
        throw new DatabentoError(`unsafe file name '${f.filename}' in batch.list_files`);
      }
      const decompress = this.#o.decompress === true && f.filename.endsWith(".zst");
      const finalPath = join(dir, decompress ? f.filename.slice(0, -4) : f.filename);
      const prev = have.find((h) =>
        h.filename === f.filename && h.hash === f.hash && h.size === f.size
      );
      if (prev && (await exists(prev.path))) continue;
      if ((await exists(finalPath)) && !this.#recordedFile(finalPath)) {
        // another producer's file (a copy, an import): identical bytes are adopted, never replaced
        const same = !decompress &&
          (await sha256File(finalPath)).digest("hex") === parseHash(f.hash).digest;
        if (!same) {
          throw new DownloadError(
            f.filename,
            `${finalPath} exists and was not downloaded by this tracker (${this.store.location}); ` +
              `not overwriting it: move it away and rerun`,
          );
        }
      }
      const dest = join(dir, f.filename);
      const started = performance.now();
      const res = await this.client.batch.downloadFile(f, dest, {
        partPath: join(partDir, `${f.filename}.part`),
        signal: this.#o.signal,
        onProgress: (p) => this.#progress.file(key, p),
      });
      const secs = (performance.now() - started) / 1000;
      this.log(
        `FILE ${f.filename} ${formatBytes(res.bytes)}${res.skipped ? " (already in place)" : ""}${
          res.resumedFrom ? ` resumed from ${formatBytes(res.resumedFrom)}` : ""
        } sha256 ${res.hashVerified ? "ok" : "not checked"}${
          res.integrityFailures ? ` after ${res.integrityFailures} bad copies` : ""
        }${
          res.skipped
            ? ""
            : ` in ${secs.toFixed(1)} s (${formatBytes(res.bytes / Math.max(secs, 1e-3))}/s)`
        }`,
      );
      if (decompress) {
        await decompressZst(dest, finalPath, partDir);
        this.log(`DECOMPRESS ${f.filename} -> ${finalPath}`);
      }
      this.downloaded.push(finalPath);
      fetched++;
      const entry: TrackedFile = {
        filename: f.filename,
        size: f.size,
        hash: f.hash,
        path: finalPath,
      };
      job.files = [...have.filter((h) => h.filename !== f.filename), entry];
      have.splice(0, have.length, ...(job.files as TrackedFile[]));
      await this.#save();
    }
    job.state = "downloaded";
    job.downloaded_at = nowIso();
    job.updated_at = job.downloaded_at;
    delete job.error;
    delete job.error_kind;
    job.download_failures = 0;
    this.#dropPending(key);
    await this.#save();
    await Deno.remove(partDir, { recursive: true }).catch(() => {});
    this.log(`COMPLETE ${key} files=${files.length}`);
    return fetched;
  }

  /** Whether a job of this run has failed for good (given up, or its download failed repeatedly). */
  isFailed(key: string): boolean {
    const j = this.data.jobs[key];
    return j?.state === "error" && (this.#givenUp.has(key) || j.error_kind === "download");
  }

  /** Counts over this run's jobs. */
  status(): RunStatus {
    let downloaded = 0;
    let failed = 0;
    let pending = 0;
    for (const key of this.runKeys) {
      const s = this.data.jobs[key]?.state;
      if (s === undefined) continue;
      if (s === "downloaded") downloaded++;
      else if (this.isFailed(key)) failed++;
      else pending++;
    }
    return { total: downloaded + failed + pending, downloaded, pending, failed };
  }

  /** The jobs table of this run. */
  rows(): JobRow[] {
    return [...this.runKeys].filter((k) => this.data.jobs[k]).map((k) => {
      const j = this.data.jobs[k];
      const n = (j.files ?? []).length;
      return { key: k, job_id: j.job_id, state: String(j.state), files: n ? String(n) : "" };
    });
  }

  /**
   * Polls, resubmits expired jobs and downloads until every job of this run is downloaded or
   * given up. `beforePoll` runs first in each round (it may submit more jobs) and returns whether
   * it still has work waiting. `once` stops after one round.
   */
  async pollUntilComplete(
    label: string,
    beforePoll?: () => Promise<boolean>,
    once = false,
  ): Promise<RunStatus> {
    for (;;) {
      const waiting = beforePoll ? await beforePoll() : false;
      await this.poll();
      await this.resubmitExpired();
      await this.downloadReady();
      const s = this.status();
      this.log(
        `STATUS [${label}]: ${s.downloaded}/${s.total} downloaded, ${s.pending} pending${
          s.failed ? `, ${s.failed} failed` : ""
        }`,
      );
      this.#progress.jobs(this.rows());
      if (s.pending === 0 && !waiting) {
        this.log(`COMPLETE [${label}]: all jobs finished`);
        return s;
      }
      if (once) return s;
      const ms = this.#o.pollIntervalMs ?? 60_000;
      this.log(`Sleeping ${ms / 1000}s...`);
      await sleep(ms, this.#o.signal);
    }
  }
}

/** Options of the daemons (the CLI flags). */
export interface DaemonOptions extends BatchDownloaderOptions {
  /** First session date `YYYY-MM-DD`. */
  start: string;
  /** Last session date (inclusive). */
  end: string;
  /** Roots (futures) or tickers (equities). */
  symbols: string[];
  /** Options schemas (futures: definition|mbo|statistics; equities: definition|cmbp-1|statistics). */
  optionsSchemas: string[];
  /** Futures: also download the front-month MBO. */
  includeFutures?: boolean;
  /** Equities: XNAS schemas (mbo|definition). */
  equitySchemas?: string[];
  /** `daemon` (default: submit, poll, download until done), `submit` (one pass), `poll` (one round). */
  mode?: "daemon" | "submit" | "poll";
}

/** Outcome of a daemon run. */
export interface DaemonResult {
  /** Status counts at the end of the run. */
  status: RunStatus;
  /** Outcomes of the submissions. */
  counts: Record<SubmitAction, number>;
  /** Files downloaded by this run. */
  files: string[];
  /** Failures (key and message). */
  failures: { key: string; error: string }[];
  /** Dry run only. */
  plan: PlannedJob[];
  /** Dry run only: sum of the priced submissions. */
  total_cost_usd: number;
}

function result(dl: BatchDownloader): DaemonResult {
  return {
    status: dl.status(),
    counts: { ...dl.counts },
    files: [...dl.downloaded],
    failures: [...dl.failures],
    plan: [...dl.plan],
    total_cost_usd: dl.plan.reduce((s, p) => s + (p.cost_usd ?? 0), 0),
  };
}

function logPlanTotal(dl: BatchDownloader): void {
  const total = dl.plan.reduce((s, p) => s + (p.cost_usd ?? 0), 0);
  const n = dl.plan.filter((p) => p.action === "submit").length;
  dl.log(
    `DRY_RUN total: ${n} jobs to submit, estimated cost $${total.toFixed(2)} (nothing submitted)`,
  );
}

/**
 * Start of both flows: in `poll` mode, adopts the tracker's pending jobs and polls them to the end
 * (returns true: nothing else to do); otherwise logs the run's start.
 */
async function pollOnly(
  dl: BatchDownloader,
  mode: string,
  dates: number,
  symbols: number,
): Promise<boolean> {
  if (mode === "poll") {
    dl.adoptPending();
    await dl.pollUntilComplete("poll", undefined, true);
    return true;
  }
  dl.log(`DAEMON start: ${dates} dates, ${symbols} symbols${dl.dryRun ? " (dry run)" : ""}`);
  return false;
}

/** The futures flow (downloader.md §2, fixed): front month, options discovery, jobs, polling. */
export async function runFuturesDaemon(options: DaemonOptions): Promise<DaemonResult> {
  const dates = sessionDates(options.start, options.end, "futures");
  const dl = await BatchDownloader.open(options);
  try {
    const mode = options.mode ?? "daemon";
    if (await pollOnly(dl, mode, dates.length, options.symbols.length)) return result(dl);
    const dataSchemas = options.optionsSchemas.filter((s) => s !== "definition");
    for (const date of dates) {
      for (const root of options.symbols) {
        try {
          dl.log(`RESOLVING ${root}.v.0 on ${date}`);
          const front = await resolveFrontMonth(dl.client, root, date, { signal: options.signal });
          dl.log(`RESOLVED ${front.continuous} -> ${front.contract} on ${date}`);
          const disc: OptionsDiscovery = dataSchemas.length
            ? await discoverFuturesOptions(dl.client, root, date, front.contract, {
              lakeRoot: dl.lakeRoot,
              stagingDir: options.stagingDir,
              log: (l) => dl.log(l),
              dryRun: dl.dryRun,
              signal: options.signal,
            })
            : { raw_symbols: [], label: "none", parent: "" };
          const reqs = futuresRequests(root, date, {
            contract: front.contract,
            includeFutures: options.includeFutures === true,
            optionsSchemas: options.optionsSchemas,
            options: disc,
          }, (l) => dl.log(l));
          for (const r of reqs) {
            const before = dl.plan.length;
            await dl.submit(r);
            if (
              disc.label === "dry_run" && r.product_type === "futures_options" &&
              dl.plan.length > before
            ) {
              dl.plan[dl.plan.length - 1].note =
                `upper bound: whole parent ${disc.parent}; the 0DTE selection streams its definitions (billed)`;
            }
          }
        } catch (e) {
          if (options.signal?.aborted || isFatalApiError(e)) throw e;
          const msg = (e as Error).message;
          dl.log(`ERROR ${root} ${date}: ${msg}`);
          dl.failures.push({ key: `${root}|${date}`, error: dl.client.redact(msg) });
        }
      }
    }
    if (dl.dryRun) {
      logPlanTotal(dl);
      return result(dl);
    }
    if (mode === "daemon" && dl.status().pending > 0) {
      dl.log("PHASE2: polling data batch jobs...");
      await dl.pollUntilComplete("data");
    }
    dl.log("DAEMON complete");
    return result(dl);
  } finally {
    dl.close();
  }
}

/**
 * The equities flow (downloader.md §3, fixed): per ticker and day the OPRA definitions job and the
 * XNAS jobs are submitted at once; as soon as a day's definitions file is in the lake its 0DTE
 * options are selected and their jobs submitted; everything is polled in one loop.
 */
export async function runEquitiesDaemon(options: DaemonOptions): Promise<DaemonResult> {
  const dates = sessionDates(options.start, options.end, "equities");
  const dl = await BatchDownloader.open(options);
  try {
    const mode = options.mode ?? "daemon";
    if (await pollOnly(dl, mode, dates.length, options.symbols.length)) return result(dl);
    const optionSchemas = options.optionsSchemas.filter((s) => s !== "definition");
    const waiting: { ticker: string; date: string; defKey?: string }[] = [];
    for (const date of dates) {
      for (const ticker of options.symbols) {
        try {
          for (const r of equityRequests(ticker, date, options.equitySchemas ?? ["mbo"])) {
            await dl.submit(r);
          }
          if (optionSchemas.length === 0) continue;
          const defDir = equityOptionsDefinitionDir(dl.lakeRoot, ticker);
          const defFile = await dl.trustedRawFile(defDir, "OPRA.PILLAR", date, "definition");
          if (defFile) {
            dl.log(`CACHED options definition: ${defFile}`);
            await submitEquityOptions(dl, ticker, date, defFile, optionSchemas);
            continue;
          }
          const defReq = equityDefinitionRequest(ticker, date);
          await dl.submit(defReq);
          if (dl.dryRun) {
            for (const r of equityOptionsRequests(ticker, date, optionSchemas, [`${ticker}.OPT`])) {
              const upper = { ...r, symbols: [`${ticker}.OPT`], stype_in: "parent" };
              await dl.submit(upper);
              dl.plan[dl.plan.length - 1].note =
                `upper bound: whole parent ${ticker}.OPT; the 0DTE selection needs the definitions job`;
            }
            continue;
          }
          waiting.push({ ticker, date, defKey: defReq.key });
        } catch (e) {
          if (options.signal?.aborted || isFatalApiError(e)) throw e;
          const msg = (e as Error).message;
          dl.log(`ERROR ${ticker} ${date}: ${msg}`);
          dl.failures.push({ key: `${ticker}|${date}`, error: dl.client.redact(msg) });
        }
      }
    }
    if (dl.dryRun) {
      logPlanTotal(dl);
      return result(dl);
    }
    const advance = async (): Promise<boolean> => {
      for (let i = waiting.length - 1; i >= 0; i--) {
        const w = waiting[i];
        const defFile = await dl.trustedRawFile(
          equityOptionsDefinitionDir(dl.lakeRoot, w.ticker),
          "OPRA.PILLAR",
          w.date,
          "definition",
        );
        if (defFile) {
          waiting.splice(i, 1);
          try {
            await submitEquityOptions(dl, w.ticker, w.date, defFile, optionSchemas);
          } catch (e) {
            if (options.signal?.aborted || isFatalApiError(e)) throw e;
            const msg = (e as Error).message;
            dl.log(`ERROR phase2 ${w.ticker} ${w.date}: ${msg}`);
            dl.failures.push({ key: `${w.ticker}|${w.date}`, error: dl.client.redact(msg) });
          }
          continue;
        }
        if (!w.defKey || !dl.data.jobs[w.defKey] || dl.isFailed(w.defKey)) {
          dl.log(`SKIP options data for ${w.ticker} ${w.date}: definition job failed`);
          waiting.splice(i, 1);
        }
      }
      return waiting.length > 0;
    };
    if (mode === "daemon") {
      dl.log("PHASE2: polling definition and data batch jobs...");
      await dl.pollUntilComplete("data", advance);
    } else {
      await advance();
      for (const w of waiting) {
        dl.log(`DEF_PENDING ${w.ticker} ${w.date}: definitions not downloaded yet`);
      }
    }
    dl.log("DAEMON complete");
    return result(dl);
  } finally {
    dl.close();
  }
}

/**
 * Equities phase 2 for one ticker/day: reads the definitions file, selects the 0DTE options (UTC
 * expiry date) and submits one job per options schema. No 0DTE option is not an error.
 */
export async function submitEquityOptions(
  dl: BatchDownloader,
  ticker: string,
  date: string,
  defFile: string,
  optionsSchemas: string[],
): Promise<number> {
  let symbols: string[] = [];
  try {
    symbols = equityOptions0dte(await readOptionDefinitions(defFile), ticker, date);
  } catch (e) {
    if (!(e instanceof NoOptionsError)) throw e;
    dl.log(`NO_0DTE ${ticker} ${date}: ${e.message}`);
  }
  if (symbols.length === 0) {
    dl.log(`SKIP options data for ${ticker} ${date}: no 0DTE contracts`);
    return 0;
  }
  dl.log(`0DTE ${ticker} ${date}: ${symbols.length} options`);
  const reqs = equityOptionsRequests(ticker, date, optionsSchemas, symbols);
  for (const r of reqs) await dl.submit(r);
  return reqs.length;
}

/** Decompresses `src` (.zst) to `dest` through a temp file in `tmpDir`, then removes `src`. */
async function decompressZst(src: string, dest: string, tmpDir: string): Promise<void> {
  await Deno.mkdir(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `${crypto.randomUUID().slice(0, 8)}.dbn.tmp`);
  try {
    await pipeline(createReadStream(src), createZstdDecompress(), createWriteStream(tmp));
    await Deno.rename(tmp, dest);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new DatabentoError(`decompressing ${src}: ${(e as Error).message}`, { cause: e });
  }
  await Deno.remove(src);
}
