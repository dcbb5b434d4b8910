/**
 * One WebSocket stream: the protocol loop shared by every stream endpoint. A {@linkcode WindowSource}
 * produces windows (one Arrow IPC frame per surface); the session paces them at `speed` × real
 * time, applies the client's control messages (pause, resume, speed, seek), protects the server
 * from slow clients (windows are skipped, with a notice, while the socket's send buffer is above a
 * bound; a client that stays stalled is disconnected) and reports every failure to the client as
 * `{"type":"error","message":…}` followed by a close whose reason fits the 123-byte limit.
 *
 * Wire sequence per window (serving.md §3.4, §4.6):
 * `{"type":"batch_start","window_end_ts_ns":"<decimal>","surfaces":[…],…}`, then per surface
 * `{"type":"surface_header","surface":s}` and one binary Arrow IPC stream.
 *
 * @module
 */
import { parseSpeed } from "./params.ts";

/** One surface of one window, encoded. */
export interface SurfaceFrame {
  /** Surface name (`snap`, `velocity`, …). */
  surface: string;
  /** Arrow IPC stream bytes. */
  bytes: Uint8Array;
}

/** One window ready to send. */
export interface StreamWindow {
  /** Window end, ns since the epoch. */
  window_end_ts_ns: bigint;
  /** The window's surfaces, in wire order. */
  frames: readonly SurfaceFrame[];
}

/** Where a source starts: after skipping `skip` windows, or at the first window ≥ `from`. */
export type WindowStart = { skip: number } | { from: bigint };

/**
 * A producer of windows for one stream: velocity from the lake, vacuum-pressure, or a replay of
 * raw files. `windows()` may be called again (a seek): the previous iterator is returned first.
 */
export interface WindowSource {
  /** Control frames sent once before the first window (e.g. VP `runtime_config`). */
  readonly preamble: readonly Record<string, unknown>[];
  /** Fields of every `batch_start` after `window_end_ts_ns` and `surfaces`. */
  readonly batchFields: Readonly<Record<string, unknown>>;
  /** The windows from `start`, in time order. */
  windows(start: WindowStart): AsyncIterator<StreamWindow>;
  /** Releases what the source holds (called once, when the session ends). */
  close?(): void;
}

/** Options of a {@linkcode StreamSession}. */
export interface SessionOptions {
  /** Times real time; `Infinity` = as fast as the client reads. */
  speed: number;
  /** Windows skipped at the start. */
  skip: number;
  /** Send-buffer bound in bytes above which windows are skipped (default 1 MiB). */
  highWaterBytes?: number;
  /** A client whose buffer stays above the bound this long is disconnected (default 10 s). */
  stallTimeoutMs?: number;
  /** Largest client message in bytes (default 1024). */
  maxMessageBytes?: number;
  /** Server log (default: none). */
  log?: (line: string) => void;
}

/** What a session did. */
export interface SessionStats {
  /** Windows sent. */
  sent: number;
  /** Windows skipped because the client did not read. */
  skipped: number;
  /** How it ended: `end` of data, `closed` by the client, or `error` (with the message). */
  outcome: "end" | "closed" | "error";
  /** The error message when `outcome` is `error`. */
  error?: string;
}

/** Largest WebSocket close reason, in UTF-8 bytes (RFC 6455 §5.5: 125 − 2 for the code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** `message` cut to at most 123 UTF-8 bytes on a character boundary (with `…` when cut). */
export function closeReason(message: string): string {
  const enc = new TextEncoder();
  const oneLine = message.replace(/\s+/g, " ").trim();
  if (enc.encode(oneLine).length <= MAX_CLOSE_REASON_BYTES) return oneLine;
  let out = "";
  let bytes = 3; // the ellipsis
  for (const ch of oneLine) {
    const n = enc.encode(ch).length;
    if (bytes + n > MAX_CLOSE_REASON_BYTES) break;
    out += ch;
    bytes += n;
  }
  return out + "…";
}

/** A failure whose message is meant for the client (others are reported as internal errors). */
export class StreamError extends Error {
  /** Creates the error; `code` is the WebSocket close code (default 1011, 1008 for policy). */
  constructor(message: string, readonly code = 1011) {
    super(message);
    this.name = "StreamError";
  }
}

const SEEK_RE = /^\d{1,20}$/;
/** Longest stretch a session works without yielding to the event loop, ms. */
const YIELD_EVERY_MS = 4;

/** Runs one stream over an accepted WebSocket. */
export class StreamSession {
  #socket: WebSocket;
  #prepare: () => Promise<WindowSource>;
  #speed: number;
  #skip: number;
  #highWater: number;
  #stallMs: number;
  #maxMessage: number;
  #log: (line: string) => void;
  #paused = false;
  #seek: bigint | null = null;
  #closed = false;
  #failed: StreamError | null = null;
  #wake: (() => void) | null = null;
  #anchor: { wall: number; ts: bigint } | null = null;
  #lastSent: { wall: number; ts: bigint } | null = null;
  #stats: SessionStats = { sent: 0, skipped: 0, outcome: "end" };

  /** A session on `socket`; `prepare` loads the data (its errors go to the client). */
  constructor(socket: WebSocket, prepare: () => Promise<WindowSource>, options: SessionOptions) {
    this.#socket = socket;
    this.#prepare = prepare;
    this.#speed = options.speed;
    this.#skip = options.skip;
    this.#highWater = options.highWaterBytes ?? 1 << 20;
    this.#stallMs = options.stallTimeoutMs ?? 10_000;
    this.#maxMessage = options.maxMessageBytes ?? 1024;
    this.#log = options.log ?? (() => {});
    socket.binaryType = "arraybuffer";
    socket.addEventListener("message", (e) => this.#onMessage(e));
    socket.addEventListener("close", () => {
      this.#closed = true;
      this.#poke();
    });
    socket.addEventListener("error", () => {
      this.#closed = true;
      this.#poke();
    });
  }

  /** Streams until the data ends, the client leaves or an error; never throws. */
  async run(): Promise<SessionStats> {
    let source: WindowSource | null = null;
    try {
      await this.#opened();
      source = await this.#prepare();
      if (this.#closed) return this.#finish("closed");
      for (const p of source.preamble) this.#sendJson(p);
      await this.#loop(source);
      if (this.#failed) throw this.#failed;
      if (this.#closed) return this.#finish("closed");
      this.#sendJson({
        type: "end",
        windows_sent: this.#stats.sent,
        windows_skipped: this.#stats.skipped,
      });
      this.#close(1000, "end of stream");
      return this.#finish("end");
    } catch (e) {
      const known = e instanceof StreamError;
      const message = known ? e.message : `internal error: ${(e as Error)?.message ?? e}`;
      if (!known) this.#log(`stream failed: ${(e as Error)?.stack ?? e}`);
      if (!this.#closed) {
        this.#sendJson({ type: "error", message });
        this.#close(known ? e.code : 1011, closeReason(message));
      }
      this.#stats.error = message;
      return this.#finish("error");
    } finally {
      try {
        source?.close?.();
      } catch { /* best effort */ }
    }
  }

  #finish(outcome: SessionStats["outcome"]): SessionStats {
    this.#stats.outcome = outcome;
    return this.#stats;
  }

  #opened(): Promise<void> {
    if (this.#socket.readyState === WebSocket.OPEN) return Promise.resolve();
    if (this.#socket.readyState !== WebSocket.CONNECTING) {
      this.#closed = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#socket.addEventListener("open", () => resolve(), { once: true });
      this.#socket.addEventListener("close", () => resolve(), { once: true });
    });
  }

  async #loop(source: WindowSource): Promise<void> {
    let it = source.windows({ skip: this.#skip });
    let held: StreamWindow | null = null;
    let stalledSince = -1;
    let skippedFrom: bigint | null = null;
    let skippedTo = 0n;
    let skippedRun = 0;
    let lastYield = performance.now();
    try {
      while (!this.#closed && !this.#failed) {
        if (this.#seek !== null) {
          const from = this.#seek;
          this.#seek = null;
          held = null;
          await it.return?.();
          it = source.windows({ from });
          this.#anchor = null;
          this.#lastSent = null;
          this.#sendState();
          continue;
        }
        if (this.#paused) {
          await this.#sleep(Infinity);
          continue;
        }
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          // a fast client (speed=max, or a source computing ahead) must not hold the event loop:
          // give other sessions, timers and socket I/O a turn
          await new Promise((r) => setTimeout(r, 0));
          lastYield = performance.now();
          continue;
        }
        if (!held) {
          const r = await it.next();
          if (r.done) return;
          held = r.value;
          continue; // control messages may have arrived while the source worked
        }
        const now = performance.now();
        if (Number.isFinite(this.#speed)) {
          this.#anchor ??= { wall: now, ts: held.window_end_ts_ns };
          const due = this.#anchor.wall +
            Number(held.window_end_ts_ns - this.#anchor.ts) / 1e6 / this.#speed;
          if (now < due) {
            await this.#sleep(due - now);
            lastYield = performance.now();
            continue;
          }
        }
        if (this.#socket.bufferedAmount > this.#highWater) {
          if (stalledSince < 0) stalledSince = now;
          if (now - stalledSince > this.#stallMs) {
            throw new StreamError(
              `client stalled: its socket buffer stayed above ${this.#highWater} bytes for ` +
                `${this.#stallMs} ms (${this.#stats.skipped} windows skipped); disconnecting`,
              1008,
            );
          }
          if (Number.isFinite(this.#speed)) {
            skippedFrom ??= held.window_end_ts_ns;
            skippedTo = held.window_end_ts_ns;
            skippedRun++;
            this.#stats.skipped++;
            held = null;
          } else {
            await this.#sleep(5);
          }
          continue;
        }
        stalledSince = -1;
        if (skippedFrom !== null) {
          this.#sendJson({
            type: "windows_skipped",
            count: skippedRun,
            first_window_end_ts_ns: String(skippedFrom),
            last_window_end_ts_ns: String(skippedTo),
            reason: "the client did not read fast enough",
          });
          skippedFrom = null;
          skippedRun = 0;
        }
        this.#sendWindow(source, held);
        this.#lastSent = { wall: now, ts: held.window_end_ts_ns };
        held = null;
        this.#stats.sent++;
      }
    } finally {
      await it.return?.();
    }
  }

  #sendWindow(source: WindowSource, w: StreamWindow): void {
    this.#sendJson({
      type: "batch_start",
      window_end_ts_ns: String(w.window_end_ts_ns),
      surfaces: w.frames.map((f) => f.surface),
      ...source.batchFields,
      sent_unix_ms: performance.timeOrigin + performance.now(),
    });
    for (const f of w.frames) {
      this.#sendJson({ type: "surface_header", surface: f.surface });
      this.#send(f.bytes);
    }
  }

  #send(data: string | Uint8Array): void {
    if (this.#closed) return;
    try {
      this.#socket.send(data);
    } catch {
      this.#closed = true;
    }
  }

  #sendJson(obj: Record<string, unknown>): void {
    this.#send(JSON.stringify(obj));
  }

  #sendState(): void {
    this.#sendJson({
      type: "state",
      paused: this.#paused,
      speed: Number.isFinite(this.#speed) ? this.#speed : "max",
      window_end_ts_ns: this.#lastSent ? String(this.#lastSent.ts) : null,
    });
  }

  #close(code: number, reason: string): void {
    this.#closed = true;
    try {
      this.#socket.close(code, reason);
    } catch { /* already closing */ }
  }

  #poke(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => this.#poke(), ms) : undefined;
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #protocolError(message: string, code = 1008): void {
    this.#failed ??= new StreamError(message, code);
    this.#poke();
  }

  #onMessage(e: MessageEvent): void {
    if (typeof e.data !== "string") {
      return this.#protocolError("binary client messages are not accepted", 1003);
    }
    if (e.data.length > this.#maxMessage) {
      return this.#protocolError(
        `client message larger than ${this.#maxMessage} bytes`,
        1009,
      );
    }
    let msg: unknown;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return this.#protocolError("client message is not JSON");
    }
    const m = msg as Record<string, unknown>;
    if (typeof m !== "object" || m === null || Array.isArray(m)) {
      return this.#protocolError("client message must be a JSON object with a 'type'");
    }
    switch (m.type) {
      case "pause":
        this.#paused = true;
        break;
      case "resume":
        if (this.#paused) {
          this.#paused = false;
          this.#anchor = null;
        }
        break;
      case "speed":
        try {
          this.#speed = parseSpeed(m.speed);
        } catch (err) {
          return this.#protocolError((err as Error).message);
        }
        this.#anchor = this.#lastSent ? { ...this.#lastSent } : null;
        break;
      case "seek":
        if (typeof m.window_end_ts_ns !== "string" || !SEEK_RE.test(m.window_end_ts_ns)) {
          return this.#protocolError(
            "seek: window_end_ts_ns must be a decimal string of nanoseconds",
          );
        }
        this.#seek = BigInt(m.window_end_ts_ns);
        this.#poke();
        return; // the state is sent once the seek is applied
      default:
        return this.#protocolError(
          `unknown client message type ${JSON.stringify(m.type)?.slice(0, 32)} ` +
            "(valid: pause, resume, speed, seek)",
        );
    }
    this.#sendState();
    this.#poke();
  }
}
