/**
 * Databento historical HTTP client: symbology, metadata, timeseries streaming and batch jobs.
 *
 * @module
 */
import { dirname } from "node:path";
import { type DbnReader, type DecodeOptions, openDbn } from "../dbn/mod.ts";
import { loadApiKey, loadApiUrl, normalizeApiUrl, validateApiKey } from "./api_key.ts";
import { DatabentoApiError, DatabentoError } from "./errors.ts";
import {
  type ApiWarning,
  formFields,
  type RetryEvent,
  type RetryOptions,
  Transport,
} from "./_transport.ts";
import {
  type BatchFile,
  downloadFile,
  type DownloadFileOptions,
  type DownloadResult,
} from "./download_file.ts";
import { sleep } from "./_sleep.ts";

export type { ApiWarning, RetryEvent, RetryOptions };

/** Client settings. Everything is optional: the key and URL come from the environment / `.env`. */
export interface ClientOptions {
  /** API key (default `DATABENTO_API_KEY` from the environment or a `.env` file). */
  key?: string;
  /** API base URL (default `DATABENTO_API_URL`, else `https://hist.databento.com`). */
  apiUrl?: string;
  /** Retry policy for 429, 5xx and network errors. */
  retry?: RetryOptions;
  /** Per-attempt timeout in ms (default 100 000, like the official client). */
  timeoutMs?: number;
  /** Called before each retry (for logs). */
  onRetry?: (e: RetryEvent) => void;
  /** Called for each `X-Warning` entry (default: `console.warn`). */
  onWarning?: (w: ApiWarning) => void;
  /** `fetch` implementation (default the global one). */
  fetch?: typeof fetch;
  /** User-Agent header. */
  userAgent?: string;
}

/** A point in time: ISO date/datetime string (UTC unless a zone is given), ns since epoch, or Date. */
export type TimeLike = string | number | bigint | Date;

/** Batch job states, in lifecycle order. */
export const JOB_STATES = ["received", "queued", "processing", "done", "expired"] as const;
/** A batch job state as the API reports it. */
export type JobState = typeof JOB_STATES[number];

/** Parameters of `symbology.resolve`. */
export interface ResolveParams {
  /** Dataset code, e.g. `GLBX.MDP3`. */
  dataset: string;
  /** Symbols (comma list or array). */
  symbols: string | string[];
  /** Input symbology type, e.g. `raw_symbol`, `parent`, `continuous`. */
  stype_in: string;
  /** Default `instrument_id`. */
  stype_out?: string;
  /** First day, `YYYY-MM-DD` (inclusive). */
  start_date: string;
  /** Last day, `YYYY-MM-DD` (exclusive). */
  end_date?: string;
}

/** One mapping interval of a resolution: `d0` inclusive, `d1` exclusive, `s` the output symbol. */
export interface ResolveInterval {
  /** First day (inclusive), `YYYY-MM-DD`. */
  d0: string;
  /** End day (exclusive), `YYYY-MM-DD`. */
  d1: string;
  /** Output symbol (empty: no mapping). */
  s: string;
}

/** Body of a `symbology.resolve` answer. */
export interface SymbologyResolution {
  /** Resolved key → mapping intervals. */
  result: Record<string, ResolveInterval[]>;
  /** Symbols (comma list or array). */
  symbols: string[];
  /** Input symbology type, e.g. `raw_symbol`, `parent`, `continuous`. */
  stype_in: string;
  /** Output symbology type. */
  stype_out: string;
  /** First day (inclusive). */
  start_date: string;
  /** End day (exclusive). */
  end_date: string;
  /** Symbols resolved on some days only. */
  partial: string[];
  /** Symbols not resolved at all. */
  not_found: string[];
  /** Resolution message (`OK` when complete). */
  message: string;
  /** Resolution status (0 = OK). */
  status: number;
}

/** Parameters of `timeseries.get_range` (and of the metadata queries). */
export interface RangeParams {
  /** Dataset code, e.g. `GLBX.MDP3`. */
  dataset: string;
  /** Schema name, e.g. `mbo`, `definition`. */
  schema: string;
  /** Symbols (default `ALL_SYMBOLS`). */
  symbols?: string | string[];
  /** Start (inclusive). */
  start: TimeLike;
  /** End (exclusive). */
  end?: TimeLike;
  /** Default `raw_symbol`. */
  stype_in?: string;
  /** Default `instrument_id`. */
  stype_out?: string;
  /** Maximum number of records. */
  limit?: number;
}

/** Answer of `metadata.get_dataset_range`. */
export interface DatasetRange {
  /** First available time (ISO). */
  start: string;
  /** End of the available data (ISO). */
  end: string;
  /** Per-schema ranges. */
  schema?: Record<string, { start: string; end: string }>;
}

/** Parameters of `batch.submit_job`. */
export interface SubmitJobParams {
  /** Dataset code, e.g. `GLBX.MDP3`. */
  dataset: string;
  /** Schema name, e.g. `mbo`, `definition`. */
  schema: string;
  /** Symbols (comma list or array). */
  symbols: string | string[];
  /** Start (inclusive). */
  start: TimeLike;
  /** End (exclusive). */
  end?: TimeLike;
  /** Default `raw_symbol`. */
  stype_in?: string;
  /** Default `instrument_id`. */
  stype_out?: string;
  /** Default `dbn`. */
  encoding?: "dbn" | "csv" | "json";
  /** Default `zstd`. */
  compression?: "zstd" | "none";
  /** Decimal prices (text encodings only). */
  pretty_px?: boolean;
  /** ISO timestamps (text encodings only). */
  pretty_ts?: boolean;
  /** Default: true for csv/json, false for dbn. */
  map_symbols?: boolean;
  /** One file per symbol. */
  split_symbols?: boolean;
  /** Default `day`. */
  split_duration?: "day" | "week" | "month" | "year" | "none";
  /** Default `download` (the only delivery left). */
  delivery?: "download";
  /** Maximum number of records. */
  limit?: number;
  /** Split files at this size in bytes. */
  split_size?: number;
}

/** A batch job. `list_jobs` may return only `id`, `state` and `ts_received` (short form). */
export interface BatchJob {
  /** Job id, e.g. `GLBX-20221126-DBVXWPJJQN`. */
  id: string;
  /** Current state. */
  state: JobState;
  /** When the API received the job. */
  ts_received?: string | null;
  /** Dataset code, e.g. `GLBX.MDP3`. */
  dataset?: string;
  /** Schema name, e.g. `mbo`, `definition`. */
  schema?: string;
  /** Symbols (comma list or array). */
  symbols?: string | string[];
  /** Input symbology type, e.g. `raw_symbol`, `parent`, `continuous`. */
  stype_in?: string;
  /** Start (inclusive). */
  start?: string;
  /** End (exclusive). */
  end?: string;
  /** Cost in US dollars (null until processed). */
  cost_usd?: number | null;
  /** When the files expire. */
  ts_expiration?: string | null;
  /** Other fields of the full job record. */
  [field: string]: unknown;
}

/** Parameters of `batch.list_jobs`. */
export interface ListJobsParams {
  /** Default: every state (including `received` and `expired`). */
  states?: readonly JobState[];
  /** Only jobs received at/after this time. Always give it: the API does not paginate. */
  since?: TimeLike;
}

/** Options of `timeseries.getRangeToFile`. */
export interface RangeToFileOptions {
  /** Replace an existing file (default false: an existing file is an error). */
  overwrite?: boolean;
  /** Cancels the operation. */
  signal?: AbortSignal;
}

/** `symbology.*` endpoints. */
export interface SymbologyApi {
  /** Resolves symbols between symbology types over a date range (free). */
  resolve(params: ResolveParams, signal?: AbortSignal): Promise<SymbologyResolution>;
}

/** `metadata.*` endpoints (free). */
export interface MetadataApi {
  /** Cost of a query in US dollars. */
  getCost(params: RangeParams, signal?: AbortSignal): Promise<number>;
  /** Number of records a query returns. */
  getRecordCount(params: RangeParams, signal?: AbortSignal): Promise<number>;
  /** Billable size of a query in bytes. */
  getBillableSize(params: RangeParams, signal?: AbortSignal): Promise<number>;
  /** Available range of a dataset (and per schema). */
  getDatasetRange(dataset: string, signal?: AbortSignal): Promise<DatasetRange>;
}

/** `timeseries.*` endpoints (billed). */
export interface TimeseriesApi {
  /** Streams the zstd-compressed DBN body of a query. */
  getRange(params: RangeParams, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  /** Streams a query straight into the DBN decoder. */
  openRange(
    params: RangeParams,
    options?: DecodeOptions & { signal?: AbortSignal },
  ): Promise<DbnReader>;
  /** Streams a query to a file (temp file + rename); returns the byte count. */
  getRangeToFile(params: RangeParams, path: string, options?: RangeToFileOptions): Promise<number>;
}

/** `batch.*` endpoints and file downloads. */
export interface BatchApi {
  /** Submits a batch job (billed). Retries on 429; after a 5xx looks for the job before resubmitting. */
  submitJob(params: SubmitJobParams, signal?: AbortSignal): Promise<BatchJob>;
  /** Lists jobs (default: all states). */
  listJobs(params?: ListJobsParams, signal?: AbortSignal): Promise<BatchJob[]>;
  /** Full record of one job. */
  getJobDetails(jobId: string, signal?: AbortSignal): Promise<BatchJob>;
  /**
   * A job created for the same request (see {@linkcode jobMatchesRequest}) received at/after
   * `since`, not expired and not among `exclude` (ids already accounted for), or `undefined`. This
   * is how a submission whose reply was lost is found instead of being submitted (billed) twice.
   */
  findJob(
    params: SubmitJobParams,
    since: TimeLike,
    options?: { exclude?: ReadonlySet<string>; signal?: AbortSignal },
  ): Promise<BatchJob | undefined>;
  /** Files of a job (data and support files). */
  listFiles(jobId: string, signal?: AbortSignal): Promise<BatchFile[]>;
  /** Downloads one file with resume, size and sha256 checks, atomically. */
  downloadFile(
    file: BatchFile,
    dest: string,
    options?: DownloadFileOptions,
  ): Promise<DownloadResult>;
  /** Downloads every file of a job (or those `filter` keeps) into `dir`. */
  downloadJob(
    jobId: string,
    dir: string,
    options?: DownloadFileOptions & { filter?: (f: BatchFile) => boolean },
  ): Promise<DownloadResult[]>;
}

/** Converts a {@link TimeLike} to the API's text form. */
export function timeParam(t: TimeLike): string {
  if (t instanceof Date) return t.toISOString();
  if (typeof t === "bigint" || typeof t === "number") return String(t);
  return t;
}

const SMART = /^[A-Za-z0-9]+(\.[A-Za-z0-9]+){0,2}$/;

/**
 * Normalises symbols like the official client: trimmed and upper-cased; for `parent`/`continuous`
 * input the form must be `ROOT`, `ROOT.ASSET` or `ROOT.RULE.RANK` (rule letter lower-cased).
 * At most 2000 symbols; `ALL_SYMBOLS` when none.
 */
export function normalizeSymbols(
  symbols: string | string[] | undefined,
  stypeIn = "raw_symbol",
): string[] {
  if (symbols === undefined) return ["ALL_SYMBOLS"];
  const list = (Array.isArray(symbols) ? symbols : symbols.split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (list.length === 0) throw new DatabentoError("symbols: empty list");
  if (list.length > 2000) {
    throw new DatabentoError(`symbols: ${list.length} given, at most 2000 allowed`);
  }
  return list.map((s) => {
    if (s.toUpperCase() === "ALL_SYMBOLS") return "ALL_SYMBOLS";
    if (stypeIn === "parent" || stypeIn === "continuous") {
      if (!SMART.test(s)) throw new DatabentoError(`symbols: invalid ${stypeIn} symbol '${s}'`);
      const parts = s.split(".");
      if (parts.length === 3) {
        return `${parts[0].toUpperCase()}.${parts[1].toLowerCase()}.${parts[2].toUpperCase()}`;
      }
      return s.toUpperCase();
    }
    return s.toUpperCase();
  });
}

function required(value: unknown, name: string): void {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
    throw new DatabentoError(`${name} is required`);
  }
}

function parseTime(s: unknown): number {
  if (typeof s !== "string") return NaN;
  const t = s.replace(/(\.\d{3})\d+/, "$1");
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
}

function sameSymbols(a: unknown, b: string[]): boolean {
  const list = Array.isArray(a) ? a.map(String) : String(a ?? "").split(",");
  const x = list.map((s) => s.trim().toUpperCase()).sort();
  const y = b.map((s) => s.toUpperCase()).sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Whether a job record (full form, as `batch.get_job_details` gives it) is the job `p` creates:
 * same dataset, schema, symbols (any order), stype_in/stype_out, start and end, encoding,
 * compression, split duration/symbols/size and delivery (the client's defaults for what `p` leaves
 * out). A field the record does not carry is not compared, except dataset, schema, symbols, start.
 */
export function jobMatchesRequest(job: BatchJob, p: SubmitJobParams): boolean {
  const stypeIn = p.stype_in ?? "raw_symbol";
  if (job.dataset !== p.dataset || job.schema !== p.schema) return false;
  if (
    job.symbols === undefined || !sameSymbols(job.symbols, normalizeSymbols(p.symbols, stypeIn))
  ) {
    return false;
  }
  if (parseTime(job.start) !== parseTime(timeParam(p.start))) return false;
  if (
    p.end !== undefined && job.end != null && parseTime(job.end) !== parseTime(timeParam(p.end))
  ) {
    return false;
  }
  const want: Record<string, unknown> = {
    stype_in: stypeIn,
    stype_out: p.stype_out ?? "instrument_id",
    encoding: p.encoding ?? "dbn",
    compression: p.compression ?? "zstd",
    split_duration: p.split_duration ?? "day",
    split_symbols: p.split_symbols ?? false,
    split_size: p.split_size ?? null,
    delivery: p.delivery ?? "download",
  };
  for (const [k, v] of Object.entries(want)) {
    const have = job[k];
    if (have === undefined) continue;
    if ((have ?? null) !== v) return false;
  }
  return true;
}

/**
 * Databento historical API client. The key is held privately and never appears in messages, logs
 * or `JSON.stringify` output.
 *
 * ```ts ignore
 * const client = await HistoricalClient.create(); // DATABENTO_API_KEY from env or .env
 * const cost = await client.metadata.getCost({
 *   dataset: "GLBX.MDP3", schema: "mbo", symbols: ["MNQH6"], start: "2026-02-06", end: "2026-02-07",
 * });
 * ```
 */
export class HistoricalClient {
  /** API base URL (origin). */
  readonly apiUrl: string;
  /** `symbology.*` endpoints. */
  readonly symbology: SymbologyApi;
  /** `metadata.*` endpoints. */
  readonly metadata: MetadataApi;
  /** `timeseries.*` endpoints. */
  readonly timeseries: TimeseriesApi;
  /** `batch.*` endpoints and downloads. */
  readonly batch: BatchApi;
  readonly #t: Transport;

  /** Creates a client with the key and URL from `options`, the environment or a `.env` file. */
  static async create(options: ClientOptions = {}): Promise<HistoricalClient> {
    const key = options.key !== undefined ? validateApiKey(options.key) : await loadApiKey();
    const apiUrl = options.apiUrl !== undefined
      ? normalizeApiUrl(options.apiUrl)
      : await loadApiUrl();
    return new HistoricalClient({ ...options, key, apiUrl });
  }

  /** Creates a client; `options.key` is required here (use {@link HistoricalClient.create} to load it). */
  constructor(options: ClientOptions & { key: string }) {
    const key = validateApiKey(options.key);
    this.apiUrl = normalizeApiUrl(options.apiUrl ?? "https://hist.databento.com");
    const t = new Transport({
      apiKey: key,
      apiUrl: this.apiUrl,
      retry: {
        maxRetries: options.retry?.maxRetries ?? 5,
        baseDelayMs: options.retry?.baseDelayMs ?? 1000,
        maxDelayMs: options.retry?.maxDelayMs ?? 60_000,
        maxRetryAfterMs: options.retry?.maxRetryAfterMs ?? 300_000,
      },
      timeoutMs: options.timeoutMs ?? 100_000,
      userAgent: options.userAgent ??
        `Spymaster/0.1 Deno/${Deno.version.deno} ${Deno.build.os}/${Deno.build.arch}`,
      onRetry: options.onRetry,
      onWarning: options.onWarning,
      fetch: options.fetch,
    });
    this.#t = t;

    const json = <T>(
      endpoint: string,
      method: "GET" | "POST",
      params: URLSearchParams,
      signal?: AbortSignal,
    ) =>
      t.send<T>({
        endpoint,
        url: method === "GET" ? t.endpointUrl(endpoint, params) : t.endpointUrl(endpoint),
        method,
        body: method === "POST" ? params : undefined,
        signal,
        read: async (res) => (await res.json()) as T,
      });

    const rangeFields = (p: RangeParams, withStypeOut: boolean) => {
      required(p.dataset, "dataset");
      required(p.schema, "schema");
      const stypeIn = p.stype_in ?? "raw_symbol";
      return {
        dataset: p.dataset,
        start: p.start === undefined ? undefined : timeParam(p.start),
        end: p.end === undefined ? undefined : timeParam(p.end),
        symbols: normalizeSymbols(p.symbols, stypeIn),
        schema: p.schema,
        stype_in: stypeIn,
        stype_out: withStypeOut ? p.stype_out ?? "instrument_id" : undefined,
        limit: p.limit,
      };
    };

    this.symbology = {
      resolve: (p, signal) => {
        required(p.dataset, "dataset");
        required(p.start_date, "start_date");
        return json<SymbologyResolution>(
          "symbology.resolve",
          "POST",
          formFields({
            dataset: p.dataset,
            symbols: normalizeSymbols(p.symbols, p.stype_in),
            stype_in: p.stype_in,
            stype_out: p.stype_out ?? "instrument_id",
            start_date: p.start_date,
            end_date: p.end_date,
          }),
          signal,
        );
      },
    };

    this.metadata = {
      getCost: async (p, signal) => {
        required(p.start, "start");
        const v = await json<number>(
          "metadata.get_cost",
          "POST",
          formFields({ ...rangeFields(p, false), stype_out: "instrument_id" }),
          signal,
        );
        return Number(v);
      },
      getRecordCount: async (p, signal) =>
        Number(
          await json<number>(
            "metadata.get_record_count",
            "POST",
            formFields(rangeFields(p, false)),
            signal,
          ),
        ),
      getBillableSize: async (p, signal) =>
        Number(
          await json<number>(
            "metadata.get_billable_size",
            "POST",
            formFields({ ...rangeFields(p, false), stype_out: "instrument_id" }),
            signal,
          ),
        ),
      getDatasetRange: (dataset, signal) => {
        required(dataset, "dataset");
        return json<DatasetRange>(
          "metadata.get_dataset_range",
          "GET",
          formFields({ dataset }),
          signal,
        );
      },
    };

    const getRange = (p: RangeParams, signal?: AbortSignal) => {
      required(p.start, "start");
      return t.send<ReadableStream<Uint8Array>>({
        endpoint: "timeseries.get_range",
        url: t.endpointUrl("timeseries.get_range"),
        method: "POST",
        body: formFields({ ...rangeFields(p, true), encoding: "dbn", compression: "zstd" }),
        signal,
        streaming: true,
        read: (res) => {
          if (!res.body) throw new DatabentoError("timeseries.get_range: empty body");
          return Promise.resolve(res.body);
        },
      });
    };

    this.timeseries = {
      getRange,
      openRange: async (p, options = {}) => {
        const { signal, ...decode } = options;
        const body = await getRange(p, signal);
        return await openDbn(body, {
          name: decode.name ?? `timeseries.get_range(${p.dataset} ${p.schema})`,
          ...decode,
        });
      },
      getRangeToFile: async (p, path, options = {}) => {
        if (!options.overwrite) {
          try {
            await Deno.lstat(path);
            throw new DatabentoError(`${path}: file exists (pass overwrite: true to replace it)`);
          } catch (e) {
            if (!(e instanceof Deno.errors.NotFound)) throw e;
          }
        }
        await Deno.mkdir(dirname(path), { recursive: true });
        const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
        for (let attempt = 0;; attempt++) {
          try {
            const body = await getRange(p, options.signal);
            let bytes = 0;
            {
              using f = await Deno.open(tmp, { write: true, create: true, truncate: true });
              for await (const chunk of body) {
                let off = 0;
                while (off < chunk.length) off += await f.write(chunk.subarray(off));
                bytes += chunk.length;
              }
              await f.syncData();
            }
            await Deno.rename(tmp, path);
            return bytes;
          } catch (e) {
            await Deno.remove(tmp).catch(() => {});
            if (options.signal?.aborted) throw options.signal.reason;
            if (e instanceof DatabentoApiError || attempt >= t.retry.maxRetries) {
              throw e instanceof DatabentoError ? e : new DatabentoError(
                t.redact(
                  `timeseries.get_range: error streaming response: ${(e as Error)?.message ?? e}`,
                ),
                { cause: e },
              );
            }
            const delayMs = t.backoff(attempt + 1);
            t.reportRetry({
              endpoint: "timeseries.get_range",
              attempt: attempt + 1,
              delayMs,
              reason: `error streaming response: ${(e as Error)?.message ?? e}`,
            });
            await sleep(delayMs, options.signal);
          }
        }
      },
    };

    const listJobs = async (p: ListJobsParams = {}, signal?: AbortSignal) => {
      const states = p.states ?? JOB_STATES;
      return await json<BatchJob[]>(
        "batch.list_jobs",
        "GET",
        formFields({
          states: [...states],
          since: p.since === undefined ? undefined : timeParam(p.since),
        }),
        signal,
      );
    };
    const getJobDetails = (jobId: string, signal?: AbortSignal) => {
      required(jobId, "job_id");
      return json<BatchJob>("batch.get_job_details", "GET", formFields({ job_id: jobId }), signal);
    };
    const listFiles = async (jobId: string, signal?: AbortSignal) => {
      required(jobId, "job_id");
      const files = await json<BatchFile[]>(
        "batch.list_files",
        "GET",
        formFields({ job_id: jobId }),
        signal,
      );
      if (!Array.isArray(files) || files.length === 0) {
        throw new DatabentoError(`batch.list_files: no files found for batch job ${jobId}`);
      }
      return files;
    };

    const submitJob = async (p: SubmitJobParams, signal?: AbortSignal): Promise<BatchJob> => {
      required(p.dataset, "dataset");
      required(p.schema, "schema");
      required(p.start, "start");
      const stypeIn = p.stype_in ?? "raw_symbol";
      const symbols = normalizeSymbols(p.symbols, stypeIn);
      const encoding = p.encoding ?? "dbn";
      const body = formFields({
        dataset: p.dataset,
        start: timeParam(p.start),
        end: p.end === undefined ? undefined : timeParam(p.end),
        symbols,
        schema: p.schema,
        stype_in: stypeIn,
        stype_out: p.stype_out ?? "instrument_id",
        encoding,
        compression: p.compression ?? "zstd",
        pretty_px: p.pretty_px ?? false,
        pretty_ts: p.pretty_ts ?? false,
        map_symbols: p.map_symbols ?? encoding !== "dbn",
        split_symbols: p.split_symbols ?? false,
        split_duration: p.split_duration ?? "day",
        delivery: p.delivery ?? "download",
        limit: p.limit,
        split_size: p.split_size,
      });
      const since = new Date(Date.now() - 120_000).toISOString();
      for (let attempt = 0;; attempt++) {
        try {
          return await t.send<BatchJob>({
            endpoint: "batch.submit_job",
            url: t.endpointUrl("batch.submit_job"),
            method: "POST",
            body,
            signal,
            retryServerErrors: false, // a 5xx may hide a created job: look before resubmitting
            read: async (res) => (await res.json()) as BatchJob,
          });
        } catch (e) {
          if (signal?.aborted) throw signal.reason;
          const serverSide = (e instanceof DatabentoApiError && e.status >= 500) ||
            (e instanceof DatabentoError && !(e instanceof DatabentoApiError));
          if (!serverSide || attempt >= t.retry.maxRetries) throw e;
          const found = await findSubmitted(p, symbols, stypeIn, since, signal).catch(() =>
            undefined
          );
          if (found) return found;
          const delayMs = t.backoff(attempt + 1);
          t.reportRetry({
            endpoint: "batch.submit_job",
            attempt: attempt + 1,
            delayMs,
            status: e instanceof DatabentoApiError ? e.status : undefined,
            reason: (e as Error).message,
          });
          await sleep(delayMs, signal);
        }
      }
    };

    const findJob = async (
      p: SubmitJobParams,
      since: TimeLike,
      options: { exclude?: ReadonlySet<string>; signal?: AbortSignal } = {},
    ): Promise<BatchJob | undefined> => {
      const live = JOB_STATES.filter((s) => s !== "expired");
      const jobs = await listJobs({ states: live, since }, options.signal);
      for (const j of jobs) {
        if (options.exclude?.has(j.id) || j.state === "expired") continue;
        const d = j.dataset !== undefined && j.symbols !== undefined && j.encoding !== undefined
          ? j
          : await getJobDetails(j.id, options.signal);
        if (jobMatchesRequest(d, p)) return d;
      }
      return undefined;
    };
    /** After a failed submit: a job with the same request received since `since`, if any. */
    const findSubmitted = (
      p: SubmitJobParams,
      _symbols: string[],
      _stypeIn: string,
      since: string,
      signal?: AbortSignal,
    ): Promise<BatchJob | undefined> => findJob(p, since, { signal });

    this.batch = {
      submitJob,
      listJobs,
      findJob,
      getJobDetails,
      listFiles,
      downloadFile: (file, dest, options) => downloadFile(t, file, dest, options),
      downloadJob: async (jobId, dir, options = {}) => {
        const { filter, ...rest } = options;
        const files = (await listFiles(jobId, rest.signal)).filter(filter ?? (() => true));
        const out: DownloadResult[] = [];
        for (const f of files) {
          if (!/^[A-Za-z0-9._-]+$/.test(f.filename)) {
            throw new DatabentoError(`batch.list_files: unsafe file name '${f.filename}'`);
          }
          out.push(await downloadFile(t, f, `${dir}/${f.filename}`, rest));
        }
        return out;
      },
    };
  }

  /** Replaces the API key (and its Basic-auth form) in `text` by `***`. */
  redact(text: string): string {
    return this.#t.redact(text);
  }

  /** JSON form without secrets. */
  toJSON(): { apiUrl: string } {
    return { apiUrl: this.apiUrl };
  }

  /** Console form without secrets. */
  [Symbol.for("Deno.customInspect")](): string {
    return `HistoricalClient { apiUrl: ${JSON.stringify(this.apiUrl)} }`;
  }
}
