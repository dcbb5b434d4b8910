// Protocol tests on a real server over loopback: message shapes and Arrow schemas of serving.md
// §3.4/§3.5 and §9, errors as {"type":"error"} with a short close reason, control messages.
import assert from "node:assert/strict";
import { tableFromIPC } from "apache-arrow";
import { StreamClient, StreamClientError } from "./client.ts";
import {
  DT,
  midOf,
  snapLake,
  spotOf,
  SYMBOL,
  until,
  validOf,
  windowEnd,
  withServer,
  wsUrl,
} from "./_test_lake.ts";

const N = 150;
const lake = await snapLake(N);
const VEL = "/v1/velocity/stream";
const q = (extra = "") =>
  `symbol=${SYMBOL}&dt=${DT}&surfaces=snap&speed=max&skip_minutes=0${extra}`;

/** Every frame of a stream, raw: text frames parsed, binary frames as bytes, and the close. */
async function rawFrames(url: string, onOpen?: (ws: WebSocket) => void) {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const frames: (Record<string, unknown> | Uint8Array)[] = [];
  ws.onmessage = (e) =>
    frames.push(typeof e.data === "string" ? JSON.parse(e.data) : new Uint8Array(e.data));
  if (onOpen) ws.onopen = () => onOpen(ws);
  const close = await new Promise<CloseEvent>((r) => ws.onclose = r);
  return { frames, code: close.code, reason: close.reason };
}

Deno.test("GET /health and /v1/catalog (serving.md §3.1; catalog from _SUCCESS partitions)", async () => {
  await withServer(lake, async (server) => {
    const h = await fetch(new URL("/health", server.url));
    assert.equal(h.status, 200);
    assert.deepEqual(await h.json(), { status: "ok", service: "spymaster", streams: 0 });
    const c = await fetch(new URL("/v1/catalog", server.url));
    assert.equal(c.headers.get("access-control-allow-origin"), null); // no wildcard CORS
    assert.deepEqual(await c.json(), {
      product_types: [{
        product_type: "future_mbo",
        symbols: [{
          symbol: SYMBOL,
          dates: [{
            dt: DT,
            layers: { silver: ["book_snapshot_1s"] },
            streams: { velocity: ["snap"] },
          }],
        }],
      }],
      replay: [], // no raw files in this lake
    });
  });
});

Deno.test("velocity stream: batch_start, surface_header, Arrow IPC stream per window (§3.4, §3.5, §9)", async () => {
  await withServer(lake, async (server) => {
    const { frames, code, reason } = await rawFrames(wsUrl(server, VEL, q()));
    assert.equal(code, 1000);
    assert.equal(reason, "end of stream");
    // 3 frames per window, then {"type":"end"}
    assert.equal(frames.length, 3 * N + 1);
    for (let i = 0; i < N; i++) {
      const [start, header, body] = frames.slice(3 * i, 3 * i + 3);
      const s = start as Record<string, unknown>;
      assert.equal(s.type, "batch_start");
      assert.equal(s.window_end_ts_ns, String(windowEnd(i))); // decimal string (§9)
      assert.deepEqual(s.surfaces, ["snap"]);
      // MNQ from products.yaml (serving.md §2.1): tick 0.25, tick_int 250000000, grid 400
      assert.equal(s.tick_size, 0.25);
      assert.equal(s.tick_int, 250_000_000);
      assert.equal(s.strike_ticks, 20);
      assert.equal(s.grid_max_ticks, 400);
      assert.equal(typeof s.sent_unix_ms, "number");
      assert.deepEqual(header, { type: "surface_header", surface: "snap" });
      assert.ok(body instanceof Uint8Array);
      // IPC stream format: starts with a continuation marker, not the "ARROW1" file magic
      assert.deepEqual([...body.subarray(0, 4)], [0xff, 0xff, 0xff, 0xff]);
      const t = tableFromIPC(body);
      assert.deepEqual(
        t.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`),
        [
          "window_end_ts_ns:Int64:true",
          "mid_price:Float64:true",
          "spot_ref_price_int:Int64:true",
          "book_valid:Bool:true",
        ],
      );
      assert.equal(t.numRows, 1);
      const r = t.get(0)!.toJSON();
      assert.equal(r.window_end_ts_ns, windowEnd(i));
      assert.equal(r.mid_price, midOf(i));
      assert.equal(r.spot_ref_price_int, spotOf(i));
      assert.equal(r.book_valid, validOf(i));
    }
    assert.deepEqual(frames[3 * N], { type: "end", windows_sent: N, windows_skipped: 0 });
  });
});

Deno.test("skip_minutes skips whole windows by count (§3.6)", async () => {
  await withServer(lake, async (server) => {
    const c = await StreamClient.connect(
      wsUrl(server, VEL, q().replace("skip_minutes=0", "skip_minutes=2")),
    );
    const got: bigint[] = [];
    for await (const w of c) got.push(w.window_end_ts_ns);
    assert.equal(got.length, N - 120);
    assert.equal(got[0], windowEnd(120));
  });
});

Deno.test("failures reach the client as {type:error} and a close reason within 123 bytes (§8 items 11-12)", async () => {
  await withServer(lake, async (server) => {
    const cases: [string, string, RegExp][] = [
      // default surfaces include gold-backed ones: the gold layer is not in this lake
      [
        VEL,
        `symbol=${SYMBOL}&dt=${DT}`,
        /^silver future_mbo depth_and_flow_1s for MNQH6 2026-02-06 is not in the lake \(build it: deno task pipeline --product-type future_mbo --layer silver --symbol MNQH6 --dt 2026-02-06\)$/,
      ],
      // no silver day
      [
        VEL,
        `symbol=${SYMBOL}&dt=2026-02-05&surfaces=snap`,
        /silver future_mbo book_snapshot_1s for MNQH6 2026-02-05 is not in the lake \(build it: deno task pipeline --product-type future_mbo --layer silver --symbol MNQH6 --dt 2026-02-05\)/,
      ],
      [
        "/v1/vacuum-pressure/stream",
        `product_type=equity_mbo&symbol=QQQ&dt=${DT}`,
        /^Silver table missing: book_snapshot_1s\. Silver partition not found: <lake>\/silver\/product_type=equity_mbo\/symbol=QQQ\/table=book_snapshot_1s\/dt=2026-02-06/,
      ],
    ];
    for (const [path, query, re] of cases) {
      const { frames, code, reason } = await rawFrames(wsUrl(server, path, query));
      assert.equal(frames.length, 1, query);
      const m = frames[0] as Record<string, unknown>;
      assert.equal(m.type, "error");
      assert.match(String(m.message), re);
      assert.equal(code, 1008);
      assert.ok(new TextEncoder().encode(reason).length <= 123, reason);
      assert.ok(reason.length > 10);
    }
  });
});

Deno.test("control messages: pause holds windows, resume continues, seek jumps, speed is acknowledged", async () => {
  await withServer(lake, async (server) => {
    const c = await StreamClient.connect(wsUrl(server, VEL, q().replace("speed=max", "speed=20")));
    const it = c[Symbol.asyncIterator]();
    const first = (await it.next()).value!;
    assert.equal(first.window_end_ts_ns, windowEnd(0));
    c.pause();
    await until(
      () => c.controls.some((m) => m.type === "state" && m.paused === true),
      5000,
      "pause ack",
    );
    const before = c.controls.length;
    // while paused no window arrives (at speed 20 about 8 would in 400 ms)
    const seen: bigint[] = [];
    const drain = (async () => {
      for (let r = await it.next(); !r.done; r = await it.next()) {
        seen.push(r.value.window_end_ts_ns);
        if (seen.length >= 3) break;
      }
    })();
    await new Promise((r) => setTimeout(r, 400));
    const whilePaused = seen.length;
    assert.ok(whilePaused <= 1, `windows during pause: ${whilePaused}`); // one may be in flight
    c.seek(windowEnd(100));
    await until(() => c.controls.slice(before).some((m) => m.type === "state"), 5000, "seek ack");
    c.speed("max");
    c.resume();
    await drain;
    const afterSeek = seen.slice(whilePaused);
    assert.equal(afterSeek[0], windowEnd(100));
    assert.equal(afterSeek[1], windowEnd(101));
    const speedAck = c.controls.find((m) => m.type === "state" && m.speed === "max");
    assert.ok(speedAck);
    c.close();
  });
});

Deno.test("malformed control messages end the stream with an error (1008 / 1003 / 1009)", async () => {
  await withServer(lake, async (server) => {
    const url = wsUrl(server, VEL, q().replace("speed=max", "speed=1"));
    const cases: [string | Uint8Array, number, RegExp][] = [
      ["not json", 1008, /not JSON/],
      [JSON.stringify({ type: "jump" }), 1008, /unknown client message type/],
      [JSON.stringify({ type: "speed", speed: 0 }), 1008, /speed must be > 0/],
      [JSON.stringify({ type: "seek", window_end_ts_ns: "../1" }), 1008, /decimal string/],
      [new Uint8Array([1, 2, 3]), 1003, /binary/],
      ["x".repeat(5000), 1009, /larger than 1024 bytes/],
    ];
    for (const [msg, code, re] of cases) {
      const r = await rawFrames(url, (ws) => ws.send(msg));
      const err = r.frames.find((f) => !(f instanceof Uint8Array) && f.type === "error") as
        | Record<string, unknown>
        | undefined;
      assert.ok(err, `no error frame for ${String(msg).slice(0, 20)}`);
      assert.match(String(err.message), re);
      assert.equal(r.code, code);
    }
  });
});

Deno.test("the client raises the server's error message", async () => {
  await withServer(lake, async (server) => {
    const c = await StreamClient.connect(
      wsUrl(server, VEL, `symbol=${SYMBOL}&dt=2026-02-05&surfaces=snap`),
    );
    await assert.rejects(async () => {
      for await (const _ of c) { /* none */ }
    }, (e) => e instanceof StreamClientError && /not in the lake/.test(e.message));
  });
});
