// Real sockets on loopback: a client that never reads and a client that vanishes mid-frame,
// each while another client streams every window; then a bounded load of concurrent clients.
import assert from "node:assert/strict";
import { StreamClient } from "./client.ts";
import {
  DT,
  rawUpgrade,
  snapLake,
  SYMBOL,
  until,
  windowEnd,
  withServer,
  wsUrl,
} from "./_test_lake.ts";

const N = 40_000; // ~35 MB of frames: more than loopback socket buffers hold
const lake = await snapLake(N);
const VEL = "/v1/velocity/stream";
const Q = `symbol=${SYMBOL}&dt=${DT}&surfaces=snap&speed=max&skip_minutes=0`;

/** Streams every window with the client, checking order; returns the count. */
async function streamAll(url: string): Promise<number> {
  const c = await StreamClient.connect(url);
  let i = 0;
  for await (const w of c) {
    assert.equal(w.window_end_ts_ns, windowEnd(i));
    i++;
  }
  return i;
}

Deno.test("a client that never reads is disconnected; another client streams every window meanwhile", async () => {
  await withServer(lake, async (server, logs) => {
    const slow = await rawUpgrade(server, `${VEL}?${Q}`);
    assert.equal(await streamAll(wsUrl(server, VEL, Q)), N);
    await until(() => server.activeStreams === 0, 20_000, "the stalled client to be dropped");
    assert.ok(logs.some((l) => /client stalled/.test(l)), logs.join("\n"));
    slow.close();
    const h = await fetch(new URL("/health", server.url));
    assert.equal((await h.json()).streams, 0);
  }, { session: { highWaterBytes: 256 * 1024, stallTimeoutMs: 1000 } });
});

Deno.test("a client that vanishes mid-frame does not disturb another client", async () => {
  await withServer(lake, async (server, logs) => {
    const gone = await rawUpgrade(server, `${VEL}?${Q}`);
    const other = streamAll(wsUrl(server, VEL, Q));
    // read an odd number of bytes (almost surely mid-frame), then drop the connection
    const buf = new Uint8Array(10_007);
    let got = 0;
    while (got < buf.length) got += (await gone.read(buf.subarray(got))) ?? buf.length;
    gone.close();
    assert.equal(await other, N);
    await until(() => server.activeStreams === 0, 10_000, "both streams to end");
    assert.ok(logs.some((l) => /: closed, /.test(l)) || logs.some((l) => /: error, /.test(l)));
    assert.ok(
      logs.filter((l) => /: end, 40000 windows sent/.test(l)).length === 1,
      logs.join("\n"),
    );
  });
});

Deno.test("bounded load: 16 concurrent clients each receive every window of 2,000 in order", async () => {
  const small = await snapLake(2000);
  await withServer(small, async (server) => {
    const url = wsUrl(server, VEL, Q);
    const counts = await Promise.all(Array.from({ length: 16 }, () => streamAll(url)));
    assert.deepEqual(counts, new Array(16).fill(2000));
    assert.equal(server.activeStreams, 0);
  });
});
