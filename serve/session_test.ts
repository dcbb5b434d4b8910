// StreamSession on a scripted socket: skip notices while the send buffer is full, disconnection
// of a stalled client, pacing lower bounds, internal errors, close reasons.
import assert from "node:assert/strict";
import {
  closeReason,
  type SessionOptions,
  StreamSession,
  type StreamWindow,
  type WindowSource,
} from "./session.ts";

/** A socket whose send buffer the test controls. */
class ScriptedSocket extends EventTarget {
  readyState: number = WebSocket.OPEN;
  binaryType = "arraybuffer";
  bufferedAmount = 0;
  sent: (Record<string, unknown> | Uint8Array)[] = [];
  closed: { code: number; reason: string } | null = null;
  send(data: string | Uint8Array) {
    this.sent.push(typeof data === "string" ? JSON.parse(data) : data);
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
    this.readyState = WebSocket.CLOSED;
    this.dispatchEvent(new Event("close"));
  }
  json(type: string) {
    return this.sent.filter((m) => !(m instanceof Uint8Array) && m.type === type) as Record<
      string,
      unknown
    >[];
  }
}

/** `n` windows one second apart, window i carrying the single byte i. */
function source(n: number): WindowSource {
  return {
    preamble: [],
    batchFields: {},
    async *windows(start) {
      const first = "skip" in start ? start.skip : Number(start.from / 1_000_000_000n);
      for (let i = first; i < n; i++) {
        await Promise.resolve();
        const w: StreamWindow = {
          window_end_ts_ns: BigInt(i) * 1_000_000_000n,
          frames: [{ surface: "snap", bytes: new Uint8Array([i]) }],
        };
        yield w;
      }
    },
  };
}

function run(
  sock: ScriptedSocket,
  src: WindowSource | (() => Promise<WindowSource>),
  o: Partial<SessionOptions>,
) {
  const prepare = typeof src === "function" ? src : () => Promise.resolve(src);
  return new StreamSession(sock as unknown as WebSocket, prepare, { speed: 1, skip: 0, ...o })
    .run();
}

Deno.test("a full send buffer skips windows, then one windows_skipped notice names them", async () => {
  const sock = new ScriptedSocket();
  sock.bufferedAmount = 5 << 20; // above the 1 MiB bound
  setTimeout(() => sock.bufferedAmount = 0, 60);
  const stats = await run(sock, source(400), { speed: 1000 }); // 1 ms per window
  assert.equal(stats.outcome, "end");
  assert.equal(stats.sent + stats.skipped, 400);
  assert.ok(stats.skipped > 0);
  const notices = sock.json("windows_skipped");
  assert.equal(notices.length, 1);
  const n = notices[0];
  assert.equal(n.count, stats.skipped);
  // windows 0..k-1 were skipped: the notice names the first and last, the next batch is k
  const k = stats.skipped;
  assert.equal(n.first_window_end_ts_ns, "0");
  assert.equal(n.last_window_end_ts_ns, String(BigInt(k - 1) * 1_000_000_000n));
  const after = sock.sent[sock.sent.indexOf(n) + 1] as Record<string, unknown>;
  assert.equal(after.type, "batch_start");
  assert.equal(after.window_end_ts_ns, String(BigInt(k) * 1_000_000_000n));
  assert.deepEqual(sock.json("end")[0], { type: "end", windows_sent: 400 - k, windows_skipped: k });
});

Deno.test("a client that stays stalled is disconnected with an error and a short reason", async () => {
  for (const speed of [1000, Infinity]) {
    const sock = new ScriptedSocket();
    sock.bufferedAmount = 5 << 20;
    const stats = await run(sock, source(100_000), { speed, stallTimeoutMs: 100 });
    assert.equal(stats.outcome, "error");
    const err = sock.json("error");
    assert.equal(err.length, 1);
    assert.match(
      String(err[0].message),
      /^client stalled: its socket buffer stayed above 1048576 bytes/,
    );
    assert.equal(sock.closed?.code, 1008);
    assert.ok(new TextEncoder().encode(sock.closed!.reason).length <= 123);
    assert.equal(sock.json("batch_start").length, 0);
  }
});

Deno.test("pacing: windows one second apart at speed 50 take at least 20 ms each", async () => {
  const sock = new ScriptedSocket();
  const t = performance.now();
  const stats = await run(sock, source(6), { speed: 50 });
  assert.equal(stats.sent, 6);
  assert.ok(performance.now() - t >= 5 * 20 - 2); // a lower bound only: never a timing target
});

Deno.test("an unexpected failure is reported as an internal error with close 1011", async () => {
  const sock = new ScriptedSocket();
  const stats = await run(sock, () => Promise.reject(new TypeError("boom")), {});
  assert.equal(stats.outcome, "error");
  assert.deepEqual(sock.sent, [{ type: "error", message: "internal error: boom" }]);
  assert.deepEqual(sock.closed, { code: 1011, reason: "internal error: boom" });
});

Deno.test("closeReason fits 123 UTF-8 bytes without splitting a character", () => {
  assert.equal(closeReason("short\nmessage"), "short message");
  const long = closeReason("é".repeat(100)); // 200 bytes
  assert.equal(long, "é".repeat(60) + "…"); // 120 + 3 bytes
  assert.equal(new TextEncoder().encode(long).length, 123);
  const ascii = closeReason("x".repeat(500));
  assert.equal(ascii, "x".repeat(120) + "…");
  assert.equal(closeReason("a".repeat(123)), "a".repeat(123));
});
