/**
 * Errors raised by the Databento client and the batch downloader.
 *
 * @module
 */

/** Base class of every error raised by `sdk/download`. Messages never contain the API key. */
export class DatabentoError extends Error {
  /** Creates an error with a message (already redacted by the caller). */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DatabentoError";
  }
}

/** Fields of an API error, as parsed from the response. */
export interface ApiErrorInit {
  /** HTTP status code. */
  status: number;
  /** Endpoint name, e.g. `batch.submit_job`, or the URL path of a file download. */
  endpoint: string;
  /** The API's own message (`detail`, or `detail.message`). */
  detail: string;
  /** `detail.case` of a structured error, when present. */
  case?: string;
  /** `detail.docs` of a structured error, when present. */
  docs?: string;
  /** The `request-id` response header, when present. */
  requestId?: string;
}

/**
 * An HTTP error answered by the API (4xx/5xx after retries). `status` and `detail` are the API's own;
 * `message` reads `"<endpoint>: <status> <detail>"` (prefixed by `Request <id>:` when the API sent a
 * request id), like the official client.
 */
export class DatabentoApiError extends DatabentoError {
  /** HTTP status code. */
  readonly status: number;
  /** Endpoint name or download path. */
  readonly endpoint: string;
  /** The API's own message. */
  readonly detail: string;
  /** Structured error case, when the API sent one. */
  readonly case: string | undefined;
  /** Documentation link, when the API sent one. */
  readonly docs: string | undefined;
  /** Request id header, when present. */
  readonly requestId: string | undefined;

  /** Creates the error from parsed response fields. */
  constructor(init: ApiErrorInit) {
    const text = [init.case, init.detail].filter((s) => s).join("\n") +
      (init.docs ? `\ndocumentation: ${init.docs}` : "");
    const prefix = init.requestId ? `Request ${init.requestId}: ` : "";
    super(`${init.endpoint}: ${prefix}${init.status} ${text || statusText(init.status)}`);
    this.name = "DatabentoApiError";
    this.status = init.status;
    this.endpoint = init.endpoint;
    this.detail = init.detail;
    this.case = init.case;
    this.docs = init.docs;
    this.requestId = init.requestId;
  }

  /** True for 4xx answers (the request itself is wrong: do not retry). */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

/**
 * The API could not be reached (connection refused, DNS failure, TLS error, timeout) after the
 * retries: `message` reads `"<endpoint>: cannot reach <host> (<cause>)"`.
 */
export class DatabentoNetworkError extends DatabentoError {
  /** Host (and port) that could not be reached. */
  readonly host: string;
  /** Endpoint name or download path. */
  readonly endpoint: string;
  /** Creates the error; `cause` is the innermost reason as the runtime reported it. */
  constructor(endpoint: string, host: string, cause: string, options?: ErrorOptions) {
    super(`${endpoint}: cannot reach ${host} (${cause})`, options);
    this.name = "DatabentoNetworkError";
    this.host = host;
    this.endpoint = endpoint;
  }
}

/**
 * True for failures no other request of the same run can get past: the key is refused (401), the
 * account may not use the data (403), or the API cannot be reached. A downloader stops at the first
 * one instead of logging it once per job and pricing a plan at $0.00.
 */
export function isFatalApiError(e: unknown): boolean {
  return e instanceof DatabentoNetworkError ||
    (e instanceof DatabentoApiError && (e.status === 401 || e.status === 403));
}

/** A downloaded file failed its size or sha256 check, or could not be completed. */
export class DownloadError extends DatabentoError {
  /** Name of the file concerned. */
  readonly file: string;
  /** Creates the error for one file. */
  constructor(file: string, message: string, options?: ErrorOptions) {
    super(`${file}: ${message}`, options);
    this.name = "DownloadError";
    this.file = file;
  }
}

function statusText(status: number): string {
  switch (status) {
    case 400:
      return "Bad request";
    case 401:
      return "Unauthorized (check DATABENTO_API_KEY)";
    case 402:
      return "Payment required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not found";
    case 408:
      return "The request transmission timed out.";
    case 409:
      return "Conflict";
    case 422:
      return "Unprocessable";
    case 429:
      return "Too many requests";
    case 504:
      return "The remote gateway timed out.";
    default:
      return status >= 500 ? "Server error" : "Error";
  }
}
