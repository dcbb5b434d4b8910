/**
 * The `serve` section of `deno task bench` (run as `deno run -A serve/bench.ts --dir D`): starts
 * the server in its own process on a demo lake and measures, on loopback, with every client in
 * this process:
 *
 * - 100 clients streaming the demo day's `snap` surface at 10× real time: windows/s delivered in
 *   total, latency from the server's send (`sent_unix_ms`) to the client's Arrow decode (p50,
 *   p99), whether every client got every window, and the server's peak RSS (`VmHWM`);
 * - the same with one stalled client added (it never reads);
 * - one client at `speed=max` on each computed stream (velocity with gold engines live on
 *   silver, vacuum-pressure), windows/s;
 * - the same two streams with `source=replay` (computed from the raw DBN files), windows/s.
 *
 * Every run stops by itself after a fixed duration. Prints a Markdown block.
 *
 * @module
 */
import { defineCommand } from "../sdk/cli/_args.ts";
import { StreamClient } from "./client.ts";

const command = defineCommand({
  name: "deno run -A serve/bench.ts",
  summary: "The serve section of deno task bench.",
  flags: {
    dir: {
      type: "string",
      value: "DIR",
      description: "scratch folder (default: a new temp folder)",
    },
    seconds: { type: "integer", min: 1, default: 20, description: "seconds per run" },
    clients: { type: "integer", min: 1, default: 100, description: "concurrent clients" },
  },
});
const parsed = command.parse(Deno.args);
if (!parsed) Deno.exit(0);
const values = parsed.flags;
const dir = values.dir ?? await Deno.makeTempDir({ prefix: "spymaster-serve-bench-" });
const SECONDS = values.seconds;
const CLIENTS = values.clients;
const SYMBOL = "MNQH6", DT = "2026-02-06";
const root = new URL("../", import.meta.url).pathname;
const log = (s: string) => console.error(s);

async function exists(p: string): Promise<boolean> {
  return await Deno.stat(p).then(() => true, () => false);
}

// the demo day (synthetic MNQ / QQQ day through bronze and silver)
const lake = `${dir}/serve-lake`;
if (!await exists(`${lake}/silver`)) {
  log("serve bench: building the demo lake (deno task demo)");
  const demo = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}sdk/cli/demo.ts`, "--lake", lake],
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!demo.success) throw new Error("deno task demo failed");
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

const port = freePort();
const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    `${root}serve/main.ts`,
    "--lake",
    lake,
    "--port",
    String(port),
    "--max-streams",
    "1000",
  ],
  stdout: "null",
  stderr: "null",
}).spawn();
const base = `ws://127.0.0.1:${port}`;
for (let i = 0;; i++) {
  try {
    await (await fetch(`http://127.0.0.1:${port}/health`)).body?.cancel();
    break;
  } catch {
    if (i > 600) throw new Error("server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
}

function vmHwm(pid: number): number {
  const s = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmHWM:\s+(\d+) kB/.exec(s)?.[1] ?? 0) * 1024;
}

let firstWindowS = 0;

interface Run {
  windows: number;
  seconds: number;
  latencies: number[];
  complete: boolean;
  dropped: number;
}

/** `n` clients on `query` for `SECONDS`; counts windows and send→decode latencies. */
async function clients(n: number, query: string, expectRate: number | null): Promise<Run> {
  const lat: number[] = [];
  let windows = 0;
  const start = performance.now();
  let t0 = Infinity; // the clock starts at the first window (loading the day is not counted)
  let dropped = 0;
  const counts = await Promise.all(Array.from({ length: n }, async () => {
    const c = await StreamClient.connect(`${base}${query}`);
    let k = 0, last = -1n, gaps = 0;
    try {
      for await (const w of c) {
        if (t0 === Infinity) {
          t0 = performance.now();
          firstWindowS = Math.max(firstWindowS, (t0 - start) / 1000);
        }
        const t = w.window_end_ts_ns;
        if (last >= 0n && t !== last + 1_000_000_000n) gaps++;
        last = t;
        lat.push(w.decoded_unix_ms - (w.batch.sent_unix_ms as number));
        k++;
        windows++;
        if (performance.now() - t0 > SECONDS * 1000) break;
      }
    } catch {
      dropped++; // disconnected by the server (e.g. as a stalled client): reported, not fatal
      gaps++;
    }
    return { k, gaps };
  }));
  const seconds = (performance.now() - t0) / 1000;
  const complete = counts.every((c) => c.gaps === 0) &&
    (expectRate === null || counts.every((c) => c.k >= expectRate * (seconds - 1)));
  return { windows, seconds, latencies: lat.sort((a, b) => a - b), complete, dropped };
}

/** A client that upgrades and then never reads. */
async function stalled(query: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(
    `GET ${query} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
      "Sec-WebSocket-Version: 13\r\n\r\n",
  ));
  return conn;
}

const pct = (a: number[], p: number) =>
  a.length ? a[Math.min(a.length - 1, Math.floor(p * a.length))] : NaN;
const f1 = (x: number) => x.toFixed(1);
const rows: string[] = [];
async function row(what: string, r: Run) {
  await new Promise((res) => setTimeout(res, 5000)); // let the clients' backlog drain between rows
  rows.push(
    `| ${what} | ${f1(r.windows / r.seconds)} | ${f1(pct(r.latencies, 0.5))} | ${
      f1(pct(r.latencies, 0.99))
    } | ${r.complete ? "yes" : "no"}${
      r.dropped ? ` (${r.dropped} disconnected as stalled)` : ""
    } |`,
  );
}

const snapQ = `/v1/velocity/stream?symbol=${SYMBOL}&dt=${DT}&surfaces=snap&skip_minutes=0`;
try {
  log(`serve bench: ${CLIENTS} clients, snap at 10x, ${SECONDS} s`);
  await row(
    `${CLIENTS} clients, \`snap\`, 10× real time`,
    await clients(CLIENTS, `${snapQ}&speed=10`, 10),
  );
  log("serve bench: the same plus one stalled client");
  const stall = await stalled(`${snapQ}&speed=max`);
  await new Promise((r) => setTimeout(r, 2000)); // let it fill its socket buffers first
  await row(
    `${CLIENTS} clients, \`snap\`, 10×, + 1 stalled client`,
    await clients(CLIENTS, `${snapQ}&speed=10`, 10),
  );
  stall.close();
  log("serve bench: max speed");
  await row(
    `${CLIENTS} clients, \`snap\`, speed=max`,
    await clients(CLIENTS, `${snapQ}&speed=max`, null),
  );
  await row(
    "1 client, velocity (snap, velocity, options), speed=max",
    await clients(
      1,
      `/v1/velocity/stream?symbol=${SYMBOL}&dt=${DT}&surfaces=snap,velocity,options&skip_minutes=0&speed=max`,
      null,
    ),
  );
  await row(
    "1 client, vacuum-pressure QQQ, speed=max",
    await clients(
      1,
      `/v1/vacuum-pressure/stream?product_type=equity_mbo&symbol=QQQ&dt=${DT}&skip_minutes=0&speed=max`,
      null,
    ),
  );
  log("serve bench: replays of the raw day");
  await row(
    "1 client, velocity replay from raw DBN (snap, velocity), speed=max",
    await clients(
      1,
      `/v1/velocity/stream?symbol=${SYMBOL}&dt=${DT}&surfaces=snap,velocity&skip_minutes=0&speed=max&source=replay`,
      null,
    ),
  );
  await row(
    "1 client, vacuum-pressure MNQ replay from raw DBN, speed=max",
    await clients(
      1,
      `/v1/vacuum-pressure/stream?product_type=future_mbo&symbol=${SYMBOL}&dt=${DT}&skip_minutes=0&speed=max&source=replay`,
      null,
    ),
  );
  const rss = vmHwm(server.pid);
  console.log(
    [
      `Server in its own process on loopback; clients in the bench process (same 2-core host), ` +
      `${SECONDS} s per row from the first window (the slowest first window came after ` +
      `${
        f1(firstWindowS)
      } s: loading the day and starting the lake readers); latency = server send (\`sent_unix_ms\`) → client Arrow decode. ` +
      `"Complete" = every client got every window in order at the asked rate.`,
      "",
      "| run | windows/s (all clients) | p50 latency ms | p99 latency ms | complete |",
      "| --- | ---: | ---: | ---: | --- |",
      ...rows,
      "",
      `Server peak RSS: ${(rss / 2 ** 20).toFixed(0)} MiB (VmHWM). Host load (uptime) at the end: ${
        Deno.loadavg().map((x) => x.toFixed(1)).join(" ")
      }.`,
    ].join("\n"),
  );
} finally {
  server.kill("SIGTERM");
  await server.status;
}
