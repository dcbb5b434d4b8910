/// <reference lib="dom" />
/**
 * The browser side of the Spymaster stream protocol (serving.md §3.4, §4.6, §5.3): one WebSocket,
 * messages decoded strictly in order (a `surface_header` text frame pairs with the binary Arrow
 * IPC frame after it), windows handed to the page once all their surfaces have arrived, the
 * server's error messages surfaced, and a reconnect policy with exponential backoff that stops
 * for good once the stream has ended normally (`{"type":"end"}` or close code 1000) or the server
 * refused the request (HTTP 400/403 before the upgrade, close code 1008).
 *
 * @module
 */
import { type Table, tableFromIPC } from "apache-arrow";

/** One complete window as the page receives it. */
export interface StreamWindow {
  /** Window end, ns since the epoch. */
  windowEndTsNs: bigint;
  /** The `batch_start` message (product fields such as `tick_size`, `grid_max_ticks`). */
  batch: Record<string, unknown>;
  /** Decoded tables by surface name. */
  surfaces: Record<string, Table>;
  /** Wall-clock ms when the window was complete (for latency and decode metrics). */
  receivedAt: number;
  /** Milliseconds spent decoding this window's Arrow frames. */
  decodeMs: number;
}

/** Connection states shown in the status line. */
export type StreamState =
  | "connecting"
  | "streaming"
  | "paused"
  | "ended"
  | "reconnecting"
  | "error";

/** Callbacks of a {@linkcode StreamConnection}. */
export interface StreamHandlers {
  /** A complete window. */
  onWindow(w: StreamWindow): void;
  /** Any control message that is not part of a window (`runtime_config`, `state`, `end`, …). */
  onControl?(msg: Record<string, unknown>): void;
  /** The server reported an error, or the connection failed (message for the page). */
  onError?(message: string): void;
  /** State changes (for the status line). */
  onState?(state: StreamState, detail?: string): void;
  /** A new connection is about to start (pages reset what depends on the stream position). */
  onReconnect?(attempt: number): void;
}

/** Reconnect policy. */
export interface ReconnectPolicy {
  /** First delay in ms (default 500). */
  initialMs: number;
  /** Largest delay in ms (default 15,000). */
  maxMs: number;
  /** Attempts before giving up (default 20). */
  maxAttempts: number;
}

const DEFAULT_POLICY: ReconnectPolicy = { initialMs: 500, maxMs: 15_000, maxAttempts: 20 };

/** Close codes after which reconnecting would only repeat the failure. */
const FINAL_CLOSE_CODES = new Set([1000, 1008, 1003, 1007, 1009]);

/** Delay before reconnect attempt `attempt` (1-based): exponential, capped, with ±20 % jitter. */
export function backoffDelay(
  attempt: number,
  policy: ReconnectPolicy = DEFAULT_POLICY,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * A stream connection with ordered decoding and reconnects. `url` is a `ws://` URL; on
 * reconnect the stream resumes after the last complete window (a `seek` control message), so a
 * server restart does not replay the day from the start.
 */
export class StreamConnection {
  #url: string;
  #h: StreamHandlers;
  #policy: ReconnectPolicy;
  #ws: WebSocket | null = null;
  #queue: MessageEvent[] = [];
  #draining = false;
  #pending: string | null = null;
  #current: StreamWindow | null = null;
  #expected: string[] = [];
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #ended = false;
  #lastWindow: bigint | null = null;
  #gotAny = false;
  #decodeMs = 0;
  #generation = 0;
  #final = false;

  /**
   * Opens the stream; with `resumeAfter` (a window end in ns) it starts right after that window
   * instead of at the URL's `skip_minutes`.
   */
  constructor(
    url: string,
    handlers: StreamHandlers,
    policy: Partial<ReconnectPolicy> = {},
    resumeAfter: bigint | null = null,
  ) {
    this.#url = url;
    this.#h = handlers;
    this.#policy = { ...DEFAULT_POLICY, ...policy };
    this.#lastWindow = resumeAfter;
    this.#open();
  }

  /** True once the stream ended normally (no more reconnects). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Sends a control message (`pause`, `resume`, `speed`, `seek`). */
  control(msg: Record<string, unknown>): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(msg));
  }

  /** Closes for good (no reconnect). */
  close(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#ws?.close(1000, "page closed the stream");
    this.#ws = null;
  }

  #open(): void {
    const generation = ++this.#generation;
    this.#h.onState?.(this.#attempt ? "reconnecting" : "connecting");
    let url = this.#url;
    if (this.#lastWindow !== null) {
      const u = new URL(url);
      u.searchParams.set("skip_minutes", "0");
      url = u.toString();
    }
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    this.#ws = ws;
    this.#queue = [];
    this.#pending = null;
    this.#current = null;
    this.#gotAny = false;
    this.#final = false;
    ws.onopen = () => {
      if (generation !== this.#generation) return;
      if (this.#lastWindow !== null) {
        this.control({ type: "seek", window_end_ts_ns: String(this.#lastWindow + 1n) });
      }
      this.#h.onState?.("streaming");
    };
    ws.onmessage = (ev) => {
      if (generation !== this.#generation) return;
      this.#queue.push(ev);
      if (!this.#draining) this.#drain(generation);
    };
    ws.onclose = (ev) => {
      if (generation !== this.#generation) return;
      if (this.#stopped) return;
      if (this.#ended || ev.code === 1000) {
        this.#ended = true;
        this.#h.onState?.("ended", ev.reason || "end of stream");
        return;
      }
      if (FINAL_CLOSE_CODES.has(ev.code) || this.#final) {
        this.#h.onState?.("error", ev.reason || `closed (${ev.code})`);
        return;
      }
      if (!this.#gotAny && this.#attempt === 0 && ev.code === 1006) {
        // Refused before the upgrade (HTTP 400/403/503): ask the server why, over HTTP.
        this.#explainRefusal().then((why) => {
          if (why) {
            this.#h.onError?.(why.message);
            this.#h.onState?.("error", why.message);
            if (!why.retry) return;
          }
          this.#scheduleReconnect();
        });
        return;
      }
      this.#scheduleReconnect();
    };
    ws.onerror = () => {
      /* the close event follows and decides */
    };
  }

  async #explainRefusal(): Promise<{ message: string; retry: boolean } | null> {
    try {
      const u = new URL(this.#url);
      u.protocol = u.protocol === "wss:" ? "https:" : "http:";
      const r = await fetch(u, { headers: { accept: "application/json" } });
      if (r.status === 426) return null; // the request itself is fine: the server was away
      const body = await r.json().catch(() => ({}));
      const message = typeof body?.error === "string"
        ? body.error
        : typeof body?.message === "string"
        ? body.message
        : `server refused the stream (HTTP ${r.status})`;
      return { message, retry: r.status >= 500 };
    } catch {
      return null; // server unreachable: reconnect with backoff
    }
  }

  #scheduleReconnect(): void {
    this.#attempt++;
    if (this.#attempt > this.#policy.maxAttempts) {
      this.#h.onState?.("error", `gave up after ${this.#policy.maxAttempts} reconnect attempts`);
      return;
    }
    const delay = backoffDelay(this.#attempt, this.#policy);
    this.#h.onState?.("reconnecting", `retry ${this.#attempt} in ${(delay / 1000).toFixed(1)} s`);
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      this.#h.onReconnect?.(this.#attempt);
      this.#open();
    }, delay);
  }

  async #drain(generation: number): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length && generation === this.#generation) {
        const ev = this.#queue.shift()!;
        try {
          if (typeof ev.data === "string") this.#text(ev.data);
          else {
            const buf = ev.data instanceof Blob
              ? await ev.data.arrayBuffer()
              : ev.data as ArrayBuffer;
            this.#binary(new Uint8Array(buf));
          }
        } catch (e) {
          this.#h.onError?.(`could not decode a stream message: ${(e as Error).message}`);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #text(data: string): void {
    const msg = JSON.parse(data) as Record<string, unknown>;
    this.#gotAny = true;
    switch (msg.type) {
      case "batch_start": {
        this.#finishWindow();
        const ts = BigInt(String(msg.window_end_ts_ns));
        this.#expected = Array.isArray(msg.surfaces) ? msg.surfaces.map(String) : [];
        this.#current = {
          windowEndTsNs: ts,
          batch: msg,
          surfaces: {},
          receivedAt: 0,
          decodeMs: 0,
        };
        this.#decodeMs = 0;
        if (this.#expected.length === 0) this.#finishWindow();
        return;
      }
      case "surface_header":
        this.#pending = String(msg.surface);
        return;
      case "error":
        this.#final = true;
        this.#h.onError?.(String(msg.message ?? "stream error"));
        this.#h.onControl?.(msg);
        return;
      case "end":
        this.#finishWindow();
        this.#ended = true;
        this.#attempt = 0;
        this.#h.onControl?.(msg);
        return;
      case "state":
        this.#h.onState?.(msg.paused ? "paused" : "streaming");
        this.#h.onControl?.(msg);
        return;
      default:
        this.#h.onControl?.(msg);
    }
  }

  #binary(bytes: Uint8Array): void {
    const surface = this.#pending;
    this.#pending = null;
    if (!surface || !this.#current) return; // a frame without header: ignore it
    const t0 = performance.now();
    this.#current.surfaces[surface] = tableFromIPC(bytes);
    this.#decodeMs += performance.now() - t0;
    if (this.#expected.every((s) => s in this.#current!.surfaces)) this.#finishWindow();
  }

  #finishWindow(): void {
    const w = this.#current;
    this.#current = null;
    if (!w) return;
    w.receivedAt = performance.now();
    w.decodeMs = this.#decodeMs;
    this.#lastWindow = w.windowEndTsNs;
    this.#attempt = 0;
    this.#h.onWindow(w);
  }
}

/** Column of a table as a JS array of numbers (int64 → number, null → NaN). */
export function numbers(t: Table | undefined, name: string): Float64Array {
  const col = t?.getChild(name);
  const n = t?.numRows ?? 0;
  const out = new Float64Array(n);
  if (!col) return out.fill(NaN);
  for (let i = 0; i < n; i++) {
    const v = col.get(i);
    out[i] = v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

/** Column of a table as strings (null → ""). */
export function strings(t: Table | undefined, name: string): string[] {
  const col = t?.getChild(name);
  const n = t?.numRows ?? 0;
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = col ? String(col.get(i) ?? "") : "";
  return out;
}
