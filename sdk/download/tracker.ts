/**
 * The job tracker: one JSON file (`logs/futures_jobs.json`, `logs/equity_options_jobs.json`) that
 * records every submitted batch job, so a killed daemon resumes where it stopped. Saved atomically
 * (temp file + rename). The store is injectable for tests.
 *
 * Before each `batch.submit_job` the downloader records an {@linkcode SubmitIntent} (the request
 * and its fingerprint); the job replaces it once the reply is in. An intent without a job means a
 * run died between the request and its reply: the next run looks for that job with
 * `batch.list_jobs` before submitting (billing) again.
 *
 * A {@linkcode FileTrackerStore} is used by one downloader at a time: {@linkcode FileTrackerStore.lock}
 * takes `<tracker>.lock` (pid, host, process start, command) and a second daemon on the same
 * tracker is refused with the holder's pid.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { LockFile } from "../lake/partition_lock.ts";
import type { SubmitJobParams } from "./client.ts";
import type { ProductType } from "./lake_paths.ts";

/** States a tracked job can be in: the API's states plus `submitted`, `downloaded`, `error`. */
export type TrackedState =
  | "submitted"
  | "received"
  | "queued"
  | "processing"
  | "done"
  | "expired"
  | "downloaded"
  | "error";

/** One downloaded (verified) file. */
export interface TrackedFile {
  /** File name as delivered. */
  filename: string;
  /** Size in bytes. */
  size: number;
  /** Digest as the API gave it (`sha256:<hex>`). */
  hash: string;
  /** Final path in the lake. */
  path: string;
}

/** One tracked job (field names of the original tracker, plus what resuming needs). */
export interface TrackedJob {
  /** Batch job id. */
  job_id: string;
  /** Dataset code, e.g. `GLBX.MDP3`. */
  dataset: string;
  /** Schema name, e.g. `mbo`, `definition`. */
  schema: string;
  /** Root or ticker (not the contract). */
  symbol: string;
  /** Session date `YYYY-MM-DD`. */
  date_str: string;
  /** Product type (routes the files in the lake). */
  product_type: ProductType;
  /** Number of symbols requested. */
  symbols_count: number;
  /** sha256 hex of the sorted symbols joined with U+001F. */
  symbols_digest: string;
  /** Input symbology type, e.g. `raw_symbol`, `parent`, `continuous`. */
  stype_in: string;
  /** Last known state. */
  state: TrackedState | string;
  /** Submission time (ISO UTC). */
  submitted_at: string;
  /** Last observed state change (ISO UTC). */
  updated_at?: string;
  /** When the download completed (ISO UTC). */
  downloaded_at?: string;
  /** The submitted request (enough to resubmit an expired job). */
  request?: { symbols: string[]; start: string; end: string };
  /** Verified files in place (`string[]` in trackers written by the original). */
  files?: (TrackedFile | string)[];
  /** Last error message (never contains the key). */
  error?: string;
  /** `download` (retry the download) or `job` (the job is lost: resubmit). */
  error_kind?: "download" | "job";
  /** Failed download passes in a row. */
  download_failures?: number;
  /** Times the job was resubmitted after expiring or being lost. */
  resubmits?: number;
  /** Ids of the jobs this one replaced. */
  previous_job_ids?: string[];
  /** Cost in US dollars (null until processed). */
  cost_usd?: number | null;
}

/** A submission recorded before `batch.submit_job` was called (removed once its job is recorded). */
export interface SubmitIntent {
  /** {@linkcode requestFingerprint} of `request`. */
  fingerprint: string;
  /** The request as sent (every parameter that shapes the job). */
  request: SubmitJobParams;
  /** When it was recorded (ISO UTC): the job, if created, was received after this. */
  recorded_at: string;
}

/** The tracker file's content. */
export interface TrackerData {
  /** Jobs by key. */
  jobs: Record<string, TrackedJob>;
  /** Keys seen `done` and not downloaded yet. */
  pending_downloads: string[];
  /** Submissions in flight (request sent, job id not recorded yet), by key. */
  intents: Record<string, SubmitIntent>;
}

/** Loads and saves tracker data. */
export interface TrackerStore {
  /** Where it lives (for messages). */
  readonly location: string;
  /** Reads the data (empty when nothing was saved yet). */
  load(): Promise<TrackerData>;
  /** Replaces the data. */
  save(data: TrackerData): Promise<void>;
  /** Takes exclusive use of the store (throws `LockedError` naming the holder). */
  lock?(): Promise<void>;
  /** Gives it back (idempotent). */
  unlock?(): void;
}

/** An empty tracker. */
export function emptyTracker(): TrackerData {
  return { jobs: {}, pending_downloads: [], intents: {} };
}

/**
 * sha256 hex of a batch request with the client's defaults filled in: dataset, schema, sorted
 * symbols, stype_in/out, start, end, encoding, compression, split duration/symbols/size,
 * delivery, pretty_px/ts, map_symbols and limit. Two requests with one fingerprint create the
 * same job.
 */
export function requestFingerprint(p: SubmitJobParams): string {
  const encoding = p.encoding ?? "dbn";
  const symbols = (Array.isArray(p.symbols) ? p.symbols : p.symbols.split(","))
    .map((s) => s.trim().toUpperCase()).sort();
  const canon = {
    dataset: p.dataset,
    schema: p.schema,
    symbols,
    stype_in: p.stype_in ?? "raw_symbol",
    stype_out: p.stype_out ?? "instrument_id",
    start: String(p.start),
    end: p.end === undefined ? null : String(p.end),
    encoding,
    compression: p.compression ?? "zstd",
    split_duration: p.split_duration ?? "day",
    split_symbols: p.split_symbols ?? false,
    split_size: p.split_size ?? null,
    delivery: p.delivery ?? "download",
    pretty_px: p.pretty_px ?? false,
    pretty_ts: p.pretty_ts ?? false,
    map_symbols: p.map_symbols ?? encoding !== "dbn",
    limit: p.limit ?? null,
  };
  return createHash("sha256").update(JSON.stringify(canon)).digest("hex");
}

/** Tracker key: `<dataset>|<schema>|<symbol>|<YYYY-MM-DD>|<product_type>`. */
export function jobKey(
  dataset: string,
  schema: string,
  symbol: string,
  date: string,
  product: ProductType,
): string {
  return `${dataset}|${schema}|${symbol}|${date}|${product}`;
}

/** sha256 hex of the sorted symbols joined with U+001F (the original's `symbols_digest`). */
export function symbolsDigest(symbols: readonly string[]): string {
  return createHash("sha256").update([...symbols].sort().join("\u001f")).digest("hex");
}

/** Tracker kept in a JSON file, written atomically (temp file in the same folder + rename). */
export class FileTrackerStore implements TrackerStore {
  /** File path. */
  readonly location: string;

  /** Creates a store for `path` (the file and its folder are created on the first save). */
  constructor(path: string) {
    this.location = path;
  }

  /** Reads the file; a missing file is an empty tracker; a corrupt one is an error naming it. */
  async load(): Promise<TrackerData> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.location);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return emptyTracker();
      throw e;
    }
    let data: Partial<TrackerData>;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new Error(`${this.location}: tracker is not valid JSON (${(e as Error).message})`);
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new Error(`${this.location}: tracker must be a JSON object`);
    }
    return {
      jobs: data.jobs && typeof data.jobs === "object" ? data.jobs : {},
      pending_downloads: Array.isArray(data.pending_downloads) ? data.pending_downloads : [],
      intents: data.intents && typeof data.intents === "object" ? data.intents : {},
    };
  }

  #lock: LockFile | undefined;

  /**
   * Takes `<tracker>.lock` (created with `createNew`; a dead holder's lock is taken over). A
   * second downloader on the same tracker gets a `LockedError` naming the holder's pid and host.
   */
  async lock(): Promise<void> {
    if (this.#lock) return;
    await Deno.mkdir(dirname(this.location), { recursive: true });
    this.#lock = await LockFile.acquire(`${this.location}.lock`, `tracker ${this.location}`);
  }

  /** Removes the lock file taken by {@linkcode FileTrackerStore.lock}. */
  unlock(): void {
    this.#lock?.releaseSync();
    this.#lock = undefined;
  }

  /** Writes `<path>.tmp-<random>`, syncs it, and renames it over the file. */
  async save(data: TrackerData): Promise<void> {
    await Deno.mkdir(dirname(this.location), { recursive: true });
    const tmp = `${this.location}.tmp-${crypto.randomUUID().slice(0, 8)}`;
    const text = JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? String(v) : v), 2) + "\n";
    try {
      using f = await Deno.open(tmp, { write: true, createNew: true });
      const bytes = new TextEncoder().encode(text);
      let off = 0;
      while (off < bytes.length) off += await f.write(bytes.subarray(off));
      await f.syncData();
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
    await Deno.rename(tmp, this.location);
  }
}

/** Tracker kept in memory (tests, notebooks that do not want a file). */
export class MemoryTrackerStore implements TrackerStore {
  /** Always `"<memory>"`. */
  readonly location = "<memory>";
  /** The data as last saved. */
  data: TrackerData;
  /** Number of saves. */
  saves = 0;

  /** Creates a store holding a copy of `initial` (default empty). */
  constructor(initial: TrackerData = emptyTracker()) {
    this.data = structuredClone(initial);
  }

  /** Returns a copy of the data. */
  load(): Promise<TrackerData> {
    return Promise.resolve(structuredClone(this.data));
  }

  /** Stores a copy of the data. */
  save(data: TrackerData): Promise<void> {
    this.data = structuredClone(data);
    this.saves++;
    return Promise.resolve();
  }
}
