/**
 * Databento historical client and the resumable batch downloader.
 *
 * - {@link HistoricalClient}: `symbology.resolve`, `metadata.get_cost` / `get_record_count` /
 *   `get_dataset_range`, `timeseries.get_range` (streamed into the DBN decoder or to disk), and
 *   `batch.submit_job` / `list_jobs` / `get_job_details` / `list_files` plus verified, resumable
 *   file downloads. Basic auth with `DATABENTO_API_KEY` (environment or `.env`); base URL from
 *   `DATABENTO_API_URL`. 429 and 5xx are retried with backoff honouring `Retry-After`; API errors
 *   carry the API's own status and message; `X-Warning` headers are reported; the key never
 *   appears in messages, logs or files.
 * - {@link BatchDownloader}, {@link runFuturesDaemon}, {@link runEquitiesDaemon}: the daemons behind
 *   `deno task download futures|equities daemon`, with an atomic job tracker so a killed run
 *   resumes without resubmitting or losing a job.
 *
 * Price a query, stream a small one into the decoder, and download a batch job (needs a key and
 * network; prices cost money only for the last two):
 *
 * ```ts ignore
 * import { HistoricalClient } from "@spymaster/sdk/download";
 *
 * const client = await HistoricalClient.create(); // DATABENTO_API_KEY from the env or .env
 * const query = {
 *   dataset: "GLBX.MDP3", schema: "definition", symbols: ["MNQ.FUT"], stype_in: "parent",
 *   start: "2026-02-06", end: "2026-02-07",
 * };
 * console.log("cost $", await client.metadata.getCost(query));
 * const reader = await client.timeseries.openRange(query);
 * for await (const rec of reader.records()) console.log(rec);
 *
 * const job = await client.batch.submitJob({ ...query, schema: "mbo", symbols: ["MNQH6"], stype_in: "raw_symbol" });
 * // ... poll client.batch.listJobs({ since: "2026-02-01" }) until job.id is "done", then:
 * await client.batch.downloadJob(job.id, "lake/tmp");
 * ```
 *
 * Runnable offline: the pure helpers need neither a key nor the network.
 *
 * ```ts
 * import { candidateParents, futuresRequests, optionsParentsFor } from "./mod.ts";
 *
 * console.log(optionsParentsFor("MNQ", "2026-02-06")); // [ "MQ1.OPT" ]
 * console.log(candidateParents("SI", "2026-02-06").map((c) => `${c.label} ${c.parents}`));
 * const jobs = futuresRequests("SI", "2026-02-06", {
 *   contract: "SIH6",
 *   includeFutures: true,
 *   optionsSchemas: ["mbo", "statistics"],
 *   options: { raw_symbols: ["SO1G6 C10000"], label: "0dte", parent: "SO1.OPT" },
 * });
 * console.log(jobs.map((j) => j.key));
 * ```
 *
 * @module
 */
export {
  type BatchApi,
  type BatchJob,
  type ClientOptions,
  type DatasetRange,
  HistoricalClient,
  JOB_STATES,
  jobMatchesRequest,
  type JobState,
  type ListJobsParams,
  type MetadataApi,
  normalizeSymbols,
  type RangeParams,
  type RangeToFileOptions,
  type ResolveInterval,
  type ResolveParams,
  type SubmitJobParams,
  type SymbologyApi,
  type SymbologyResolution,
  type TimeLike,
  timeParam,
  type TimeseriesApi,
} from "./client.ts";
export type { ApiWarning, RetryEvent, RetryOptions } from "./_transport.ts";
export {
  DatabentoApiError,
  DatabentoError,
  DatabentoNetworkError,
  DownloadError,
  isFatalApiError,
} from "./errors.ts";
export type { ApiErrorInit } from "./errors.ts";
export {
  DEFAULT_API_URL,
  loadApiKey,
  loadApiUrl,
  normalizeApiUrl,
  parseDotenv,
  readSetting,
  type SettingsOptions,
  validateApiKey,
} from "./api_key.ts";
export {
  type BatchFile,
  type DownloadFileOptions,
  type DownloadProgress,
  type DownloadResult,
  parseHash,
  sha256File,
} from "./download_file.ts";
export {
  BatchDownloader,
  type BatchDownloaderOptions,
  type DaemonOptions,
  type DaemonResult,
  equityDefinitionRequest,
  equityOptionsRequests,
  equityRequests,
  futuresRequests,
  type JobRequest,
  jobRequest,
  MAX_SYMBOLS,
  type PlannedJob,
  runEquitiesDaemon,
  runFuturesDaemon,
  type RunStatus,
  type SubmitAction,
  submitEquityOptions,
} from "./daemon.ts";
export {
  emptyTracker,
  FileTrackerStore,
  jobKey,
  MemoryTrackerStore,
  requestFingerprint,
  type SubmitIntent,
  symbolsDigest,
  type TrackedFile,
  type TrackedJob,
  type TrackedState,
  type TrackerData,
  type TrackerStore,
} from "./tracker.ts";
export {
  equityOptionsDefinitionDir,
  findRawFile,
  futuresDefinitionDir,
  isDataFile,
  type ProductType,
  rawFileName,
  rawRoot,
  rawTargetDir,
} from "./lake_paths.ts";
export {
  candidateParents,
  OPTION_CODES,
  optionsParentsFor,
  type ParentCandidate,
  type RootOptionCodes,
} from "./options_parents.ts";
export {
  equityOptions0dte,
  futuresOptions0dte,
  NoOptionsError,
  type OptionDefinition,
  type OptionSelection,
  readOptionDefinitions,
  selectOptions,
} from "./zero_dte.ts";
export { type FrontMonth, resolveFrontMonth, symbolOn } from "./front_month.ts";
export {
  discoverFuturesOptions,
  type DiscoverOptions,
  type OptionsDiscovery,
} from "./discover_options.ts";
export {
  addDays,
  compactDate,
  dayOfWeek,
  formatDate,
  nsToDate,
  parseDate,
  sessionDates,
} from "./dates.ts";
export { ALLOWED_SCHEMAS, parseSchemaList, parseSymbolList } from "./validate.ts";
export { type JobRow, PlainProgress, type ProgressSink, TtyProgress } from "./progress.ts";
