/**
 * A small client of the Spymaster streams for Deno and notebooks: an async iterator of windows,
 * each with its `batch_start` fields and one decoded Arrow table per surface, plus the control
 * messages (pause, resume, speed, seek).
 *
 * @example
 * ```ts ignore
 * import { StreamClient } from "./client.ts";
 *
 * const client = await StreamClient.connect(
 *   "ws://127.0.0.1:8001/v1/velocity/stream?symbol=MNQH6&dt=2026-02-06&speed=max&surfaces=snap",
 * );
 * for await (const w of client) {
 *   console.log(w.window_end_ts_ns, w.surfaces.snap.get(0)?.toJSON());
 *   if (w.index === 9) break; // leaving the loop closes the stream
 * }
 * ```
 *
 * @module
 */
import { type Table, tableFromIPC } from "apache-arrow";

/** One decoded window. */
export interface DecodedWindow {
  /** Position in this stream (0 = first window received). */
  index: number;
  /** Window end, ns since the epoch. */
  window_end_ts_ns: bigint;
  /** The `batch_start` message (product fields, `surfaces`, `sent_unix_ms`, …). */
  batch: Record<string, unknown>;
  /** One Arrow table per surface listed in `batch.surfaces`. */
  surfaces: Record<string, Table>;
  /** Local time the last surface was decoded (`performance.timeOrigin + performance.now()`). */
  decoded_unix_ms: number;
}

/** The server sent `{"type":"error"}` or broke the protocol. */
export class StreamClientError extends Error {
  /** Creates the error; `closeCode` is the WebSocket close code when known. */
  constructor(message: string, readonly closeCode?: number) {
    super(message);
    this.name = "StreamClientError";
  }
}

/** Options of {@linkcode StreamClient.connect}. */
export interface StreamClientOptions {
  /** Called with every JSON message that is not part of a window (`runtime_config`, `state`, …). */
  onControl?: (message: Record<string, unknown>) => void;
  /** Bearer token (sent as the `token` query parameter, as a browser would). */
  token?: string;
}

/** A stream client: iterate it for windows; leaving the loop closes the socket. */
export class StreamClient implements AsyncIterable<DecodedWindow> {
  #ws: WebSocket;
  #queue: DecodedWindow[] = [];
  #wake: (() => void) | null = null;
  #error: StreamClientError | null = null;
  #done = false;
  #current: DecodedWindow | null = null;
  #expected: string[] = [];
  #pending: string | null = null;
  #count = 0;
  #onControl: (m: Record<string, unknown>) => void;
  /** Every control message received (`runtime_config`, `state`, `windows_skipped`, `end`, …). */
  readonly controls: Record<string, unknown>[] = [];

  private constructor(ws: WebSocket, options: StreamClientOptions) {
    this.#ws = ws;
    this.#onControl = options.onControl ?? (() => {});
    ws.binaryType = "arraybuffer";
    ws.onmessage = (e) => {
      try {
        this.#onMessage(e.data);
      } catch (err) {
        this.#fail(new StreamClientError(`cannot decode a frame: ${(err as Error).message}`));
        ws.close();
      }
    };
    ws.onclose = (e) => {
      if (!this.#done && !this.#error && e.code !== 1000) {
        this.#error = new StreamClientError(
          `stream closed (${e.code}${e.reason ? `: ${e.reason}` : ""})`,
          e.code,
        );
      }
      this.#done = true;
      this.#poke();
    };
  }

  /** Opens a stream; rejects when the server refuses the upgrade. */
  static connect(url: string | URL, options: StreamClientOptions = {}): Promise<StreamClient> {
    const u = new URL(url);
    if (options.token) u.searchParams.set("token", options.token);
    const ws = new WebSocket(u);
    const client = new StreamClient(ws, options);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(client), { once: true });
      ws.addEventListener("error", () => {
        reject(new StreamClientError(`cannot open ${u.origin}${u.pathname}: upgrade refused`));
      }, { once: true });
    });
  }

  /** Pauses the stream (the server holds the next window). */
  pause(): void {
    this.#control({ type: "pause" });
  }

  /** Resumes a paused stream. */
  resume(): void {
    this.#control({ type: "resume" });
  }

  /** Changes the speed (times real time, or `"max"`). */
  speed(speed: number | "max"): void {
    this.#control({ type: "speed", speed });
  }

  /** Continues from the first window ending at or after `windowEndTsNs`. */
  seek(windowEndTsNs: bigint): void {
    this.#control({ type: "seek", window_end_ts_ns: String(windowEndTsNs) });
  }

  /** Sends a raw message (tests use it to send malformed control messages). */
  sendRaw(data: string | Uint8Array): void {
    this.#ws.send(data);
  }

  /** Closes the stream. */
  close(): void {
    this.#done = true;
    this.#ws.close(1000);
    this.#poke();
  }

  /** Windows as they arrive; throws {@linkcode StreamClientError} on a server error. */
  async *[Symbol.asyncIterator](): AsyncGenerator<DecodedWindow> {
    try {
      while (true) {
        const w = this.#queue.shift();
        if (w) {
          yield w;
          continue;
        }
        if (this.#error) throw this.#error;
        if (this.#done) return;
        await new Promise<void>((r) => this.#wake = r);
      }
    } finally {
      if (this.#ws.readyState <= WebSocket.OPEN) this.#ws.close(1000);
    }
  }

  #control(m: Record<string, unknown>): void {
    this.#ws.send(JSON.stringify(m));
  }

  #poke(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #fail(e: StreamClientError): void {
    this.#error ??= e;
    this.#poke();
  }

  #onMessage(data: unknown): void {
    if (typeof data !== "string") {
      if (!this.#current || this.#pending === null) {
        throw new Error("binary frame without a surface_header");
      }
      this.#current.surfaces[this.#pending] = tableFromIPC(new Uint8Array(data as ArrayBuffer));
      this.#pending = null;
      if (Object.keys(this.#current.surfaces).length === this.#expected.length) {
        this.#current.decoded_unix_ms = performance.timeOrigin + performance.now();
        this.#queue.push(this.#current);
        this.#current = null;
        this.#poke();
      }
      return;
    }
    const m = JSON.parse(data) as Record<string, unknown>;
    switch (m.type) {
      case "batch_start": {
        if (this.#current) throw new Error("batch_start before the previous window completed");
        this.#expected = m.surfaces as string[];
        const w: DecodedWindow = {
          index: this.#count++,
          window_end_ts_ns: BigInt(m.window_end_ts_ns as string),
          batch: m,
          surfaces: {},
          decoded_unix_ms: 0,
        };
        if (this.#expected.length) this.#current = w;
        else {
          w.decoded_unix_ms = performance.timeOrigin + performance.now();
          this.#queue.push(w);
          this.#poke();
        }
        return;
      }
      case "surface_header":
        if (!this.#current || !this.#expected.includes(m.surface as string)) {
          throw new Error(`unexpected surface_header ${JSON.stringify(m.surface)}`);
        }
        this.#pending = m.surface as string;
        return;
      case "error":
        this.controls.push(m);
        this.#fail(new StreamClientError(String(m.message)));
        return;
      case "end":
        this.controls.push(m);
        this.#onControl(m);
        this.#done = true;
        this.#poke();
        return;
      default:
        this.controls.push(m);
        this.#onControl(m);
    }
  }
}
