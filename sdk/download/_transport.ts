/**
 * HTTP transport of the Databento client: Basic auth, form bodies, retries with backoff honouring
 * `Retry-After`, `X-Warning` headers, API error parsing and key redaction.
 *
 * @module
 */
import { DatabentoApiError, DatabentoError, DatabentoNetworkError } from "./errors.ts";
import { sleep } from "./_sleep.ts";

/** Retry policy for 429, 5xx and network errors. */
export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  /** First backoff delay in ms, doubled on each retry (default 1000). */
  baseDelayMs?: number;
  /** Largest backoff delay in ms (default 60 000). */
  maxDelayMs?: number;
  /** Largest `Retry-After` honoured, in ms (default 300 000). */
  maxRetryAfterMs?: number;
}

/** Reported before each retry. */
export interface RetryEvent {
  /** Endpoint name or download path. */
  endpoint: string;
  /** Retry number, from 1. */
  attempt: number;
  /** Delay before the retry, in ms (the `Retry-After` value when the API sent one). */
  delayMs: number;
  /** HTTP status that caused the retry, if any. */
  status?: number;
  /** Short reason (status text or network error message). */
  reason: string;
}

/** One `X-Warning` entry. */
export interface ApiWarning {
  /** Endpoint that sent it. */
  endpoint: string;
  /** Category, e.g. `DeprecationWarning` or `Warning`. */
  category: string;
  /** Warning text. */
  message: string;
}

/** Transport settings (resolved by the client). */
export interface TransportOptions {
  apiKey: string;
  apiUrl: string;
  retry: Required<RetryOptions>;
  timeoutMs: number;
  userAgent: string;
  onRetry?: (e: RetryEvent) => void;
  onWarning?: (w: ApiWarning) => void;
  fetch?: typeof fetch;
}

/** A request handled by {@link Transport.send}. */
export interface SendRequest<T> {
  endpoint: string;
  url: URL;
  method: "GET" | "POST";
  body?: URLSearchParams;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Whether a 5xx / network failure may be retried (default true). */
  retryServerErrors?: boolean;
  /** Statuses treated as success besides 2xx. */
  okStatuses?: number[];
  /** Reads the successful response; runs under the attempt's timeout unless `streaming`. */
  read: (res: Response, signal: AbortSignal) => Promise<T>;
  /** When true the timeout covers only the headers; the caller owns the body. */
  streaming?: boolean;
  /** Whether to send the API key (default: only to the API origin or *.databento.com over https). */
  auth?: boolean;
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms / 1000} s`);
    this.name = "TimeoutError";
  }
}

/** Encodes a base64 string of ASCII/UTF-8 text. */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Builds form fields: drops `undefined`, joins arrays with commas, booleans as `true`/`false`. */
export function formFields(
  params: Record<string, string | number | boolean | string[] | undefined | null>,
): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    out.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  return out;
}

/** Parses a `Retry-After` header (seconds or HTTP date) into ms, or `undefined`. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Parses an `X-Warning` header value (JSON array of `"Category: message"` strings). */
export function parseWarnings(value: string, endpoint: string): ApiWarning[] {
  let items: unknown;
  try {
    items = JSON.parse(value);
  } catch {
    items = [value];
  }
  const list = Array.isArray(items) ? items : [items];
  return list.map((item) => {
    const s = String(item);
    const i = s.indexOf(": ");
    return i > 0
      ? { endpoint, category: s.slice(0, i), message: s.slice(i + 2) }
      : { endpoint, category: "Warning", message: s };
  });
}

/** `host[:port]` of a URL (for "cannot reach" messages). */
function hostOf(url: string | URL): string {
  try {
    return new URL(url).host;
  } catch {
    return String(url);
  }
}

/**
 * The most specific reason of a fetch failure: `fetch failed` wraps the real one in `cause`
 * (`error sending request for url (…): client error (Connect): tcp connect error: Connection
 * refused (os error 111)`), whose useful part is after the URL.
 */
function innermostMessage(e: unknown): string {
  let cur: unknown = e;
  let msg = String((e as Error)?.message ?? e);
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    if (cur.message) msg = cur.message;
    cur = cur.cause;
  }
  const m = /^error sending request for url \([^)]*\): (.*)$/s.exec(msg);
  return m ? m[1] : msg;
}

function isNetworkError(e: unknown): boolean {
  return e instanceof TypeError || e instanceof TimeoutError ||
    (e instanceof Error && /connection|reset|broken pipe|eof|network|body/i.test(e.message)) ||
    (e instanceof DOMException && e.name !== "AbortError");
}

/** The client's HTTP layer. Holds the key privately; everything it reports is redacted. */
export class Transport {
  /** API base URL (origin). */
  readonly apiUrl: URL;
  readonly #key: string;
  readonly #auth: string;
  readonly #opts: TransportOptions;
  readonly #fetch: typeof fetch;

  constructor(opts: TransportOptions) {
    this.apiUrl = new URL(opts.apiUrl);
    this.#key = opts.apiKey;
    this.#auth = `Basic ${base64(`${opts.apiKey}:`)}`;
    this.#opts = opts;
    this.#fetch = opts.fetch ?? fetch;
  }

  /** Replaces every occurrence of the key (plain or in the Basic header) by `***`. */
  redact(text: string): string {
    let s = text;
    for (const secret of [this.#key, this.#auth.slice(6)]) {
      if (secret.length >= 4) s = s.split(secret).join("***");
    }
    return s;
  }

  /** URL of an API endpoint, e.g. `batch.list_jobs`. */
  endpointUrl(endpoint: string, query?: URLSearchParams): URL {
    const u = new URL(`/v0/${endpoint}`, this.apiUrl);
    if (query) u.search = query.toString();
    return u;
  }

  /** Whether the key may be sent to `url`: the API origin, or https on a databento.com host. */
  trusts(url: URL): boolean {
    if (url.origin === this.apiUrl.origin) return true;
    return url.protocol === "https:" &&
      (url.hostname === "databento.com" || url.hostname.endsWith(".databento.com"));
  }

  /** Current retry policy. */
  get retry(): Required<RetryOptions> {
    return this.#opts.retry;
  }

  /** Attempt timeout in ms. */
  get timeoutMs(): number {
    return this.#opts.timeoutMs;
  }

  /** Reports a retry to the listener. */
  reportRetry(e: RetryEvent): void {
    this.#opts.onRetry?.({ ...e, reason: this.redact(e.reason) });
  }

  /** Backoff delay for retry number `attempt` (1-based), with jitter in [50 %, 100 %]. */
  backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.#opts.retry;
    const d = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(d * (0.5 + Math.random() * 0.5));
  }

  /** Delay honouring a `Retry-After` header, else the backoff. */
  retryDelay(res: Response | undefined, attempt: number): number {
    const ra = res ? parseRetryAfter(res.headers.get("retry-after")) : undefined;
    if (ra !== undefined) return Math.min(ra, this.#opts.retry.maxRetryAfterMs);
    return this.backoff(attempt);
  }

  /** Emits the `X-Warning` entries of a response. */
  warnings(res: Response, endpoint: string): void {
    const h = res.headers.get("x-warning");
    if (!h) return;
    for (const w of parseWarnings(h, endpoint)) {
      const red = { ...w, message: this.redact(w.message) };
      if (this.#opts.onWarning) this.#opts.onWarning(red);
      else console.warn(`${red.category} from ${endpoint}: ${red.message}`);
    }
  }

  /** Turns an error response into a {@link DatabentoApiError} (consumes the body). */
  async apiError(res: Response, endpoint: string): Promise<DatabentoApiError> {
    let text = "";
    try {
      text = await res.text();
    } catch {
      // body unreadable: keep the status only
    }
    let detail = "";
    let kase: string | undefined;
    let docs: string | undefined;
    try {
      const j = JSON.parse(text);
      const d = j?.detail ?? j?.message ?? j;
      if (typeof d === "string") detail = d;
      else if (d && typeof d === "object") {
        detail = String(d.message ?? JSON.stringify(d));
        kase = d.case ? String(d.case) : undefined;
        docs = d.docs ? String(d.docs) : undefined;
      }
    } catch {
      detail = text.length < 500 ? text.trim() : "";
    }
    return new DatabentoApiError({
      status: res.status,
      endpoint,
      detail: this.redact(detail),
      case: kase && this.redact(kase),
      docs,
      requestId: res.headers.get("request-id") ?? undefined,
    });
  }

  /** Sends a request with retries; returns what `read` returns. */
  async send<T>(req: SendRequest<T>): Promise<T> {
    const { maxRetries } = this.#opts.retry;
    const auth = req.auth ?? this.trusts(req.url);
    const retry5xx = req.retryServerErrors ?? true;
    for (let attempt = 0;; attempt++) {
      req.signal?.throwIfAborted();
      const ctrl = new AbortController();
      const onAbort = () => ctrl.abort(req.signal?.reason);
      req.signal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(
        () => ctrl.abort(new TimeoutError(this.#opts.timeoutMs)),
        this.#opts.timeoutMs,
      );
      let res: Response | undefined;
      let handedOff = false;
      try {
        const headers: Record<string, string> = {
          accept: "application/json",
          "user-agent": this.#opts.userAgent,
          ...req.headers,
        };
        if (auth) headers.authorization = this.#auth;
        res = await this.#fetch(req.url, {
          method: req.method,
          headers,
          body: req.body,
          signal: ctrl.signal,
        });
        this.warnings(res, req.endpoint);
        if (res.ok || req.okStatuses?.includes(res.status)) {
          if (req.streaming) {
            clearTimeout(timer);
            handedOff = true;
            return await req.read(res, ctrl.signal);
          }
          return await req.read(res, ctrl.signal);
        }
        const retryable = res.status === 429 || (retry5xx && res.status >= 500);
        if (!retryable || attempt >= maxRetries) throw await this.apiError(res, req.endpoint);
        const delayMs = this.retryDelay(res, attempt + 1);
        await res.body?.cancel().catch(() => {});
        clearTimeout(timer);
        this.reportRetry({
          endpoint: req.endpoint,
          attempt: attempt + 1,
          delayMs,
          status: res.status,
          reason: `${res.status} ${res.statusText}`.trim(),
        });
        await sleep(delayMs, req.signal);
      } catch (e) {
        if (req.signal?.aborted) throw req.signal.reason;
        if (e instanceof DatabentoError) throw e;
        const reason = ctrl.signal.aborted && ctrl.signal.reason instanceof TimeoutError
          ? ctrl.signal.reason
          : e;
        if (!retry5xx || !isNetworkError(reason) || attempt >= maxRetries || handedOff) {
          if (isNetworkError(reason) && !handedOff && res === undefined) {
            throw new DatabentoNetworkError(
              req.endpoint,
              hostOf(req.url),
              this.redact(innermostMessage(reason)),
              { cause: e },
            );
          }
          throw new DatabentoError(
            this.redact(`${req.endpoint}: ${(reason as Error)?.message ?? String(reason)}`),
            { cause: e },
          );
        }
        await res?.body?.cancel().catch(() => {});
        const delayMs = this.backoff(attempt + 1);
        this.reportRetry({
          endpoint: req.endpoint,
          attempt: attempt + 1,
          delayMs,
          reason: (reason as Error)?.message ?? String(reason),
        });
        await sleep(delayMs, req.signal);
      } finally {
        clearTimeout(timer);
        // a streamed body stays linked to the caller's signal until it is consumed
        if (!handedOff) req.signal?.removeEventListener("abort", onAbort);
      }
    }
  }
}
