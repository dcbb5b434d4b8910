/**
 * A fake Databento historical API on 127.0.0.1 for tests (Deno.serve on port 0), following
 * `databento-api.md`: `/v0/<group>.<method>` endpoints, Basic auth (key as user, empty password),
 * form-encoded POST bodies, JSON answers, `{"detail": ...}` errors, batch jobs that move
 * `received → queued → processing → done` as they are polled, `list_files` with sha256 hashes and
 * `https`-style URLs, and Range downloads (206 / 416).
 *
 * Faults can be queued per endpoint: any status with a JSON error (401, 422, 429 with
 * `Retry-After`, 500, …), a fault after the request took effect (a 500 on a created job), cut-off,
 * stalled or slow downloads, corrupted bytes (a wrong sha256), `X-Warning` headers, and jobs
 * that expire.
 *
 * ```ts ignore
 * const fake = await startFakeDatabento({ apiKey: "db-TESTKEY" });
 * fake.fault({ endpoint: "batch.submit_job", status: 429, retryAfter: "0" });
 * // ... point a HistoricalClient at fake.url ...
 * await fake.close();
 * ```
 *
 * @module
 */
import { SCHEMAS as DBN_SCHEMAS } from "../dbn/mod.ts";
import { createHash } from "node:crypto";
import { zstdCompressSync } from "node:zlib";
import { encodeDbn, instrumentDefDefaults, type Metadata } from "../dbn/mod.ts";

/** One interval of a symbology answer. */
export interface FakeInterval {
  d0: string;
  d1: string;
  s: string;
}

/** A symbology lookup handled by the test. */
export interface FakeResolveQuery {
  dataset: string;
  symbol: string;
  stype_in: string;
  stype_out: string;
  start_date: string;
  end_date: string | undefined;
}

/** A `timeseries.get_range` query handled by the test. */
export interface FakeRangeQuery {
  dataset: string;
  schema: string;
  symbols: string[];
  stype_in: string;
  start: string;
  end: string | undefined;
}

/** A job as the fake keeps it. */
export interface FakeJob {
  id: string;
  dataset: string;
  schema: string;
  symbols: string[];
  stype_in: string;
  stype_out: string;
  start: string;
  end: string | undefined;
  encoding: string;
  compression: string;
  split_duration: string;
  delivery: string;
  state: "received" | "queued" | "processing" | "done" | "expired";
  ts_received: string;
  /** Times the job was observed (list_jobs / get_job_details) in its current state. */
  observed: number;
  /** When true the job expires instead of completing (or right after `done`, see `expireAfterDone`). */
  willExpire: boolean;
  files?: { filename: string; bytes: Uint8Array }[];
}

/** Settings of the fake. */
export interface FakeOptions {
  /** The only accepted API key. */
  apiKey: string;
  /** User name in download URLs (default `TESTUSER`). */
  user?: string;
  /**
   * Symbology: intervals for a symbol, `null` when not found; for `stype_in=parent` a map of
   * child raw symbol → intervals (what spymaster observed). Throw `FakeHttpError` for an error.
   */
  resolve?: (q: FakeResolveQuery) => FakeInterval[] | Record<string, FakeInterval[]> | null;
  /** DBN body of a `get_range` (zstd-compressed here if it is not already); `undefined` → 422. */
  range?: (q: FakeRangeQuery) => Uint8Array | undefined;
  /** Data files of a job (default: one empty-record file named like Databento's). */
  jobFiles?: (job: FakeJob) => { filename: string; bytes: Uint8Array }[];
  /** Observations a job spends in each state before moving on (default 1). */
  pollsPerState?: number;
  /** Decides at submission whether a job will expire (default never). */
  expire?: (job: FakeJob, submissionIndex: number) => boolean;
  /** For expiring jobs: observations spent `done` before turning `expired` (default 0: never done). */
  expireAfterDone?: number;
  /** Price per symbol per request in `metadata.get_cost` (default 0.25 $). */
  costPerSymbol?: number;
}

/** A queued fault. */
export interface Fault {
  /** `batch.submit_job`, `batch.list_jobs`, …, `download`, or `*`. */
  endpoint: string;
  /** Answer this status with a JSON error body. */
  status?: number;
  /** `detail` of the error body (string or `{case, message, docs}`). */
  detail?: unknown;
  /** `Retry-After` header value. */
  retryAfter?: string;
  /** Apply the request first, then answer `status` (e.g. a job created but a 500 returned). */
  afterHandling?: boolean;
  /**
   * Never answer (until the server closes): `before` the request takes effect, or `after` it (a
   * job created whose reply never comes: the client can only be killed or time out).
   */
  hang?: "before" | "after";
  /** Apply the request, send the answer's headers, then break the connection mid-body. */
  drop?: boolean;
  /** Download: send this many bytes, then break the connection. */
  cutAt?: number;
  /** Download: send this many bytes, then send nothing more. */
  stallAt?: number;
  /** Download: send the body in chunks of this size with `chunkDelayMs` between them. */
  chunkSize?: number;
  chunkDelayMs?: number;
  /** Download: flip one byte (same size, wrong sha256). */
  corrupt?: boolean;
  /** Add an `X-Warning` header with these entries to a successful answer. */
  warnings?: string[];
  /** Only when this returns true for the request. */
  match?: (r: RecordedRequest) => boolean;
  /** How many requests it applies to (default 1). */
  times?: number;
}

/** A request as the fake saw it (the key is never recorded). */
export interface RecordedRequest {
  method: string;
  /** Endpoint name (`batch.submit_job`) or `download`. */
  endpoint: string;
  path: string;
  params: Record<string, string>;
  /** Whether the Basic credentials were right. */
  authorized: boolean;
  range: string | null;
  contentType: string | null;
  accept: string | null;
}

/** An error answer thrown from a handler. */
export class FakeHttpError extends Error {
  /** Creates it. */
  constructor(readonly status: number, readonly detail: unknown) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
}

const STATES = ["received", "queued", "processing", "done"] as const;
const SCHEMAS = new Set<string>(DBN_SCHEMAS);
const STYPES = new Set(["raw_symbol", "instrument_id", "parent", "continuous", "smart"]);

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function isZstd(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd;
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function parseDay(s: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(t)) throw new FakeHttpError(422, `Could not parse datetime '${s}'`);
  return t;
}

function isoNs(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  return new Date(parseDay(s)).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

/** A running fake server. */
export class FakeDatabento {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Jobs by id. */
  readonly jobs: Map<string, FakeJob> = new Map();
  readonly #opts: FakeOptions;
  readonly #faults: Fault[] = [];
  readonly #server: Deno.HttpServer;
  readonly #ac: AbortController;
  readonly #open = new Set<ReadableStreamDefaultController<Uint8Array>>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #hung = new Set<() => void>();
  #submissions = 0;

  /** @internal */
  constructor(opts: FakeOptions, server: Deno.HttpServer, ac: AbortController, port: number) {
    this.#opts = opts;
    this.#server = server;
    this.#ac = ac;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Queues a fault. */
  fault(f: Fault): void {
    this.#faults.push({ times: 1, ...f });
  }

  /** Requests made to one endpoint. */
  calls(endpoint: string): RecordedRequest[] {
    return this.requests.filter((r) => r.endpoint === endpoint);
  }

  /** Makes a job expired now. */
  expire(jobId: string): void {
    const j = this.jobs.get(jobId);
    if (j) j.state = "expired";
  }

  /** Stops the server and breaks any open download. */
  async close(): Promise<void> {
    for (const release of this.#hung) release();
    for (const t of this.#timers) clearTimeout(t);
    for (const c of this.#open) {
      try {
        c.error(new Error("server closed"));
      } catch {
        // already closed
      }
    }
    this.#ac.abort();
    await this.#server.finished;
  }

  #takeFault(r: RecordedRequest): Fault | undefined {
    for (let i = 0; i < this.#faults.length; i++) {
      const f = this.#faults[i];
      if ((f.endpoint === r.endpoint || f.endpoint === "*") && (!f.match || f.match(r))) {
        if (--f.times! <= 0) this.#faults.splice(i, 1);
        return f;
      }
    }
    return undefined;
  }

  #observe(job: FakeJob): void {
    const per = this.#opts.pollsPerState ?? 1;
    if (job.state === "expired") return;
    job.observed++;
    if (job.state === "done") {
      if (job.willExpire && job.observed > (this.#opts.expireAfterDone ?? 0)) job.state = "expired";
      return;
    }
    if (job.observed >= per) {
      const next = STATES[STATES.indexOf(job.state) + 1];
      job.observed = 0;
      if (next === "done" && job.willExpire && (this.#opts.expireAfterDone ?? 0) === 0) {
        job.state = "expired";
      } else job.state = next;
    }
  }

  #jobJson(j: FakeJob): Record<string, unknown> {
    return {
      id: j.id,
      user_id: this.#opts.user ?? "TESTUSER",
      api_key: this.#opts.apiKey, // the real API names the key here: it must never reach a file
      cost_usd: j.state === "done" ? 1.5 : null,
      dataset: j.dataset,
      symbols: j.symbols.join(","),
      stype_in: j.stype_in,
      stype_out: j.stype_out,
      schema: j.schema,
      start: isoNs(j.start),
      end: isoNs(j.end),
      limit: null,
      encoding: j.encoding,
      compression: j.compression,
      pretty_px: false,
      pretty_ts: false,
      map_symbols: false,
      split_symbols: false,
      split_duration: j.split_duration,
      split_size: null,
      packaging: null,
      delivery: j.delivery,
      record_count: null,
      billed_size: null,
      actual_size: null,
      package_size: null,
      state: j.state,
      ts_received: j.ts_received,
      ts_queued: null,
      ts_process_start: null,
      ts_process_done: null,
      ts_expiration: null,
    };
  }

  #files(j: FakeJob): { filename: string; bytes: Uint8Array }[] {
    if (!j.files) {
      const data = this.#opts.jobFiles?.(j) ?? [{
        filename: `${j.dataset.toLowerCase().replaceAll(".", "-")}-${
          j.start.replaceAll("-", "").slice(0, 8)
        }.${j.schema}.dbn.zst`,
        bytes: zstdCompressSync(
          new TextEncoder().encode(`fake ${j.id} ${j.schema} ${j.symbols.join(",")}`),
        ),
      }];
      const enc = new TextEncoder();
      j.files = [
        ...data,
        {
          filename: "metadata.json",
          bytes: enc.encode(JSON.stringify({ query: { dataset: j.dataset, schema: j.schema } })),
        },
        {
          filename: "symbology.json",
          bytes: enc.encode(JSON.stringify({ result: {}, symbols: j.symbols })),
        },
      ];
    }
    return j.files;
  }

  /** @internal */
  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const isDownload = url.pathname.startsWith("/v0/batch/download/");
    const endpoint = isDownload ? "download" : url.pathname.replace(/^\/v0\//, "");
    let params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (req.method === "POST") {
      const ct = req.headers.get("content-type") ?? "";
      if (!ct.startsWith("application/x-www-form-urlencoded")) {
        return json({ detail: `expected a form-encoded body, got '${ct}'` }, 400);
      }
      params = Object.fromEntries(new URLSearchParams(await req.text()));
    }
    const auth = req.headers.get("authorization") ?? "";
    const authorized = auth === `Basic ${btoa(`${this.#opts.apiKey}:`)}`;
    const rec: RecordedRequest = {
      method: req.method,
      endpoint,
      path: url.pathname,
      params,
      authorized,
      range: req.headers.get("range"),
      contentType: req.headers.get("content-type"),
      accept: req.headers.get("accept"),
    };
    this.requests.push(rec);
    const fault = this.#takeFault(rec);
    if (fault?.hang === "before") return await this.#hang();
    if (fault?.status && !fault.afterHandling) return this.#faultResponse(fault);
    if (!authorized) {
      return json({ detail: "Authentication failed. Check your API key." }, 401);
    }
    let res: Response;
    try {
      res = isDownload ? this.#download(url, rec, fault) : this.#api(endpoint, req.method, params);
    } catch (e) {
      if (e instanceof FakeHttpError) res = json({ detail: e.detail }, e.status);
      else res = json({ detail: `internal error: ${(e as Error).message}` }, 500);
    }
    if (fault?.status && fault.afterHandling) {
      await res.body?.cancel();
      return this.#faultResponse(fault);
    }
    if (fault?.hang === "after") {
      await res.body?.cancel();
      return await this.#hang();
    }
    if (fault?.drop) {
      const head = new Uint8Array((await res.arrayBuffer()).slice(0, 5));
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(head);
          c.error(new Error("connection dropped by the fake server"));
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    }
    if (fault?.warnings && res.ok) res.headers.set("x-warning", JSON.stringify(fault.warnings));
    return res;
  }

  /** A reply that never comes (released with a 503 when the server closes). */
  #hang(): Promise<Response> {
    return new Promise((resolve) => {
      const release = () => {
        this.#hung.delete(release);
        resolve(json({ detail: "server closing" }, 503));
      };
      this.#hung.add(release);
    });
  }

  #faultResponse(f: Fault): Response {
    const headers: Record<string, string> = {};
    if (f.retryAfter !== undefined) headers["retry-after"] = f.retryAfter;
    headers["request-id"] = `req-${this.requests.length}`;
    return json({ detail: f.detail ?? `fault ${f.status}` }, f.status!, headers);
  }

  #need(params: Record<string, string>, ...names: string[]): void {
    for (const n of names) {
      if (params[n] === undefined || params[n] === "") {
        throw new FakeHttpError(400, `Missing required parameter '${n}'.`);
      }
    }
  }

  #symbols(params: Record<string, string>): string[] {
    const list = params.symbols.split(",");
    if (list.length > 2000) throw new FakeHttpError(422, "At most 2000 symbols per request.");
    return list;
  }

  #checkCommon(params: Record<string, string>): void {
    if (params.schema !== undefined && !SCHEMAS.has(params.schema)) {
      throw new FakeHttpError(422, {
        case: "invalid_schema",
        message: `Invalid schema '${params.schema}'.`,
        docs: null,
      });
    }
    for (const k of ["stype_in", "stype_out"]) {
      if (params[k] !== undefined && !STYPES.has(params[k])) {
        throw new FakeHttpError(422, `Invalid ${k} '${params[k]}'.`);
      }
    }
    if (params.start !== undefined) parseDay(params.start);
    if (params.end !== undefined) parseDay(params.end);
  }

  #api(endpoint: string, method: string, p: Record<string, string>): Response {
    const post = (m: string) => {
      if (method !== m) {
        throw new FakeHttpError(405, `Method ${method} not allowed for ${endpoint}.`);
      }
    };
    this.#checkCommon(p);
    switch (endpoint) {
      case "symbology.resolve": {
        post("POST");
        this.#need(p, "dataset", "symbols", "stype_in", "stype_out", "start_date");
        const result: Record<string, FakeInterval[]> = {};
        const notFound: string[] = [];
        for (const s of this.#symbols(p)) {
          const iv = this.#opts.resolve?.({
            dataset: p.dataset,
            symbol: s,
            stype_in: p.stype_in,
            stype_out: p.stype_out,
            start_date: p.start_date,
            end_date: p.end_date,
          }) ?? null;
          if (iv === null) notFound.push(s);
          else if (Array.isArray(iv)) result[s] = iv;
          else Object.assign(result, iv); // parent input: children keyed by raw symbol
        }
        return json({
          result,
          symbols: this.#symbols(p),
          stype_in: p.stype_in,
          stype_out: p.stype_out,
          start_date: p.start_date,
          end_date: p.end_date ?? "",
          partial: [],
          not_found: notFound,
          message: notFound.length ? "Not found" : "OK",
          status: notFound.length ? 2 : 0,
        });
      }
      case "metadata.get_cost":
      case "metadata.get_billable_size":
      case "metadata.get_record_count": {
        post("POST");
        this.#need(p, "dataset", "start", "symbols", "schema", "stype_in");
        const n = this.#symbols(p).length * (p.stype_in === "parent" ? 100 : 1);
        if (endpoint === "metadata.get_cost") return json(n * (this.#opts.costPerSymbol ?? 0.25));
        return json(endpoint === "metadata.get_record_count" ? n * 1000 : n * 56_000);
      }
      case "metadata.get_dataset_range": {
        post("GET");
        this.#need(p, "dataset");
        return json({
          start: "2018-05-01T00:00:00.000000000Z",
          end: "2026-02-10T00:00:00.000000000Z",
          schema: {
            mbo: { start: "2018-05-01T00:00:00.000000000Z", end: "2026-02-10T00:00:00.000000000Z" },
          },
        });
      }
      case "timeseries.get_range": {
        post("POST");
        this.#need(p, "dataset", "start", "symbols", "schema", "encoding", "compression");
        if (p.encoding !== "dbn" || p.compression !== "zstd") {
          throw new FakeHttpError(422, "This fake serves encoding=dbn compression=zstd only.");
        }
        const body = this.#opts.range?.({
          dataset: p.dataset,
          schema: p.schema,
          symbols: this.#symbols(p),
          stype_in: p.stype_in ?? "raw_symbol",
          start: p.start,
          end: p.end,
        });
        if (!body) {
          throw new FakeHttpError(422, {
            case: "symbology_invalid_request",
            message: "None of the symbols could be resolved.",
            docs: null,
          });
        }
        const z = new Uint8Array(isZstd(body) ? body : zstdCompressSync(body));
        return new Response(z, { headers: { "content-type": "application/octet-stream" } });
      }
      case "batch.submit_job": {
        post("POST");
        this.#need(
          p,
          "dataset",
          "start",
          "symbols",
          "schema",
          "stype_in",
          "stype_out",
          "encoding",
          "compression",
          "split_duration",
          "delivery",
        );
        if (!["dbn", "csv", "json"].includes(p.encoding)) {
          throw new FakeHttpError(422, `Invalid encoding '${p.encoding}'.`);
        }
        if (!["none", "zstd"].includes(p.compression)) {
          throw new FakeHttpError(422, `Invalid compression '${p.compression}'.`);
        }
        if (!["day", "week", "month", "year", "none"].includes(p.split_duration)) {
          throw new FakeHttpError(422, `Invalid split_duration '${p.split_duration}'.`);
        }
        if (p.delivery !== "download") {
          throw new FakeHttpError(422, `Invalid delivery '${p.delivery}'.`);
        }
        const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
        const rand = Array.from(
          { length: 10 },
          () => "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[Math.floor(Math.random() * 32)],
        ).join("");
        const job: FakeJob = {
          id: `${p.dataset.split(".")[0]}-${day}-${rand}`,
          dataset: p.dataset,
          schema: p.schema,
          symbols: this.#symbols(p),
          stype_in: p.stype_in,
          stype_out: p.stype_out,
          start: p.start,
          end: p.end,
          encoding: p.encoding,
          compression: p.compression,
          split_duration: p.split_duration,
          delivery: p.delivery,
          state: "received",
          ts_received: new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z"),
          observed: 0,
          willExpire: false,
        };
        job.willExpire = this.#opts.expire?.(job, this.#submissions) ?? false;
        this.#submissions++;
        this.jobs.set(job.id, job);
        return json(this.#jobJson(job));
      }
      case "batch.list_jobs": {
        post("GET");
        const states = (p.states ?? "queued,processing,done").split(",");
        const since = p.since !== undefined ? parseDay(p.since) : 0;
        const out = [];
        for (const j of this.jobs.values()) {
          if (parseDay(j.ts_received) < since) continue;
          this.#observe(j);
          if (states.includes(j.state)) {
            out.push({ id: j.id, state: j.state, ts_received: j.ts_received });
          }
        }
        out.sort((a, b) => a.ts_received.localeCompare(b.ts_received));
        return json(out);
      }
      case "batch.get_job_details": {
        post("GET");
        this.#need(p, "job_id");
        const j = this.jobs.get(p.job_id);
        if (!j) throw new FakeHttpError(404, `Job '${p.job_id}' not found.`);
        this.#observe(j);
        return json(this.#jobJson(j));
      }
      case "batch.list_files": {
        post("GET");
        this.#need(p, "job_id");
        const j = this.jobs.get(p.job_id);
        if (!j) throw new FakeHttpError(404, `Job '${p.job_id}' not found.`);
        if (j.state === "expired") throw new FakeHttpError(410, `Job '${j.id}' has expired.`);
        if (j.state !== "done") {
          throw new FakeHttpError(409, `Job '${j.id}' is not done (state ${j.state}).`);
        }
        const user = this.#opts.user ?? "TESTUSER";
        return json(
          this.#files(j).map((f) => ({
            filename: f.filename,
            size: f.bytes.length,
            hash: `sha256:${sha256(f.bytes)}`,
            urls: {
              https: `${this.url}/v0/batch/download/${user}/${j.id}/${f.filename}`,
              ftp: `ftp://ftp.example.invalid/${user}/${j.id}/${f.filename}`,
            },
          })),
        );
      }
      default:
        throw new FakeHttpError(404, `Unknown endpoint '${endpoint}'.`);
    }
  }

  #download(url: URL, rec: RecordedRequest, fault: Fault | undefined): Response {
    const m = /^\/v0\/batch\/download\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m) throw new FakeHttpError(404, "Not found.");
    const j = this.jobs.get(m[2]);
    if (!j) throw new FakeHttpError(404, `Job '${m[2]}' not found.`);
    if (j.state === "expired") throw new FakeHttpError(410, `Job '${j.id}' has expired.`);
    const f = this.#files(j).find((x) => x.filename === m[3]);
    if (!f) throw new FakeHttpError(404, `File '${m[3]}' not found.`);
    let bytes = f.bytes;
    if (fault?.corrupt) {
      bytes = bytes.slice();
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    }
    let status = 200;
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
    };
    if (rec.range) {
      const r = /^bytes=(\d+)-(\d*)$/.exec(rec.range);
      if (!r) throw new FakeHttpError(400, `Bad Range '${rec.range}'.`);
      const start = Number(r[1]);
      const end = r[2] === "" ? bytes.length - 1 : Math.min(Number(r[2]), bytes.length - 1);
      if (start >= bytes.length || start > end) {
        return new Response(null, {
          status: 416,
          headers: { "content-range": `bytes */${bytes.length}` },
        });
      }
      headers["content-range"] = `bytes ${start}-${end}/${bytes.length}`;
      bytes = bytes.subarray(start, end + 1);
      status = 206;
    }
    headers["content-length"] = String(bytes.length);
    const body = bytes;
    const chunkSize = fault?.chunkSize ?? 64 * 1024;
    const delay = fault?.chunkDelayMs ?? 0;
    const cut = fault?.cutAt;
    const stall = fault?.stallAt;
    let pos = 0;
    const open = this.#open;
    const timers = this.#timers;
    let ctrl: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        ctrl = c;
        open.add(c);
      },
      async pull(c) {
        if (delay > 0 && pos > 0) {
          await new Promise<void>((res) => {
            const t = setTimeout(() => {
              timers.delete(t);
              res();
            }, delay);
            timers.add(t);
          });
        }
        const limit = cut ?? stall ?? body.length;
        if (pos >= limit) {
          if (cut !== undefined) {
            open.delete(c);
            c.error(new Error("connection cut by the fake server"));
            return;
          }
          if (stall !== undefined) return new Promise<void>(() => {}); // never more data; closed on client cancel
          open.delete(c);
          c.close();
          return;
        }
        const n = Math.min(chunkSize, limit - pos);
        c.enqueue(body.slice(pos, pos + n));
        pos += n;
      },
      cancel() {
        open.delete(ctrl);
      },
    });
    return new Response(stream, { status, headers });
  }
}

/** Starts the fake on 127.0.0.1 (random port). */
export function startFakeDatabento(opts: FakeOptions): Promise<FakeDatabento> {
  const ac = new AbortController();
  const ref: { fake?: FakeDatabento } = {};
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: ac.signal,
    onListen: () => {},
    onError: (e) => json({ detail: `fake server error: ${(e as Error).message}` }, 500),
  }, (req) => ref.fake!.handle(req));
  ref.fake = new FakeDatabento(opts, server, ac, server.addr.port);
  return Promise.resolve(ref.fake);
}

/** One option definition for {@link definitionsDbn}. */
export interface FakeDefinition {
  instrument_id: number;
  raw_symbol: string;
  underlying: string;
  /** `C`, `P` or `F`. */
  instrument_class: string;
  /** ISO timestamp, e.g. `2026-02-06T21:00:00Z`. */
  expiration: string;
  /** Strike in dollars (options). */
  strike?: number;
}

function isoToNs(iso: string): bigint {
  return BigInt(Date.parse(iso)) * 1_000_000n;
}

/**
 * A zstd-compressed DBN v3 definition file (as `timeseries.get_range` or a batch job delivers it),
 * built with the project's encoder.
 */
export function definitionsDbn(dataset: string, date: string, defs: FakeDefinition[]): Uint8Array {
  const start = isoToNs(`${date}T00:00:00Z`);
  const metadata: Metadata = {
    version: 3,
    dataset,
    schema: "definition",
    start,
    end: start + 86_400_000_000_000n,
    limit: 0n,
    stype_in: "parent",
    stype_out: "instrument_id",
    ts_out: false,
    symbol_cstr_len: 71,
    symbols: [],
    partial: [],
    not_found: [],
    mappings: [],
  };
  const records = defs.map((d, i) => {
    const r = instrumentDefDefaults();
    r.publisher_id = dataset === "OPRA.PILLAR" ? 30 : 1;
    r.instrument_id = d.instrument_id;
    r.ts_event = start + BigInt(i) * 1000n;
    r.ts_recv = r.ts_event;
    r.raw_symbol = d.raw_symbol;
    r.underlying = d.underlying;
    r.instrument_class = d.instrument_class;
    r.expiration = isoToNs(d.expiration);
    if (d.strike !== undefined) r.strike_price = BigInt(Math.round(d.strike * 1e9));
    return r;
  });
  return new Uint8Array(zstdCompressSync(encodeDbn(metadata, records)));
}
