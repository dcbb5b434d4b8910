// Every bad parameter gets HTTP 400 naming it before any upgrade; path traversal, bad Host and
// Origin headers, tokens and limits; a fuzz of malformed requests leaves the server healthy.
import assert from "node:assert/strict";
import { DT, snapLake, SYMBOL, withServer } from "./_test_lake.ts";
import { startServer } from "./server.ts";
import { productTable } from "./_test_lake.ts";

const lake = await snapLake(10);
const VEL = "/v1/velocity/stream";
const VP = "/v1/vacuum-pressure/stream";
const BASE = `symbol=${SYMBOL}&dt=${DT}`;
const UPGRADE = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

async function get(base: URL, path: string, headers: Record<string, string> = UPGRADE) {
  const r = await fetch(new URL(path, base), { headers });
  const text = await r.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: r.status, body, text };
}

// [endpoint, query, parameter named in the 400]
const BAD: [string, string, string][] = [
  [VEL, `${BASE}&speed=0`, "speed"],
  [VEL, `${BASE}&speed=-1`, "speed"],
  [VEL, `${BASE}&speed=abc`, "speed"],
  [VEL, `${BASE}&speed=NaN`, "speed"],
  [VEL, `${BASE}&speed=Infinity`, "speed"],
  [VEL, `${BASE}&speed=1e400`, "speed"],
  [VEL, `${BASE}&speed=10001`, "speed"],
  [VEL, `${BASE}&speed=0x10`, "speed"],
  [VEL, `${BASE}&speed=`, "speed"],
  [VEL, `${BASE}&speed=%201`, "speed"],
  [VEL, `${BASE}&skip_minutes=1.5`, "skip_minutes"],
  [VEL, `${BASE}&skip_minutes=-1`, "skip_minutes"],
  [VEL, `${BASE}&skip_minutes=1441`, "skip_minutes"],
  [VEL, `${BASE}&skip_minutes=five`, "skip_minutes"],
  [VEL, `symbol=${SYMBOL}`, "dt"],
  [VEL, `dt=${DT}`, "symbol"],
  [VEL, `symbol=${SYMBOL}&dt=2026-02-30`, "dt"],
  [VEL, `symbol=${SYMBOL}&dt=20260206`, "dt"],
  [VEL, `symbol=${SYMBOL}&dt=../../etc`, "dt"],
  [VEL, `symbol=${SYMBOL}&dt=2026-02-06%00`, "dt"],
  [VEL, `symbol=../../etc/passwd&dt=${DT}`, "symbol"],
  [VEL, `symbol=%2e%2e%2f%2e%2e%2fetc&dt=${DT}`, "symbol"],
  [VEL, `symbol=/etc/passwd&dt=${DT}`, "symbol"],
  [VEL, `symbol=MNQ%00H6&dt=${DT}`, "symbol"],
  [VEL, `symbol=MNQH6%2F..&dt=${DT}`, "symbol"],
  [VEL, `symbol=..&dt=${DT}`, "symbol"],
  [VEL, `symbol=${"M".repeat(65)}&dt=${DT}`, "symbol"],
  [VEL, `symbol=ZZZH6&dt=${DT}`, "symbol"], // no such futures root
  [VEL, `${BASE}&product_type=equity_mbo`, "product_type"],
  [VEL, `${BASE}&product_type=../gold`, "product_type"],
  [VEL, `${BASE}&surfaces=snap,foo`, "surfaces"],
  [VEL, `${BASE}&surfaces=snap,snap`, "surfaces"],
  [VEL, `${BASE}&surfaces=`, "surfaces"],
  [VEL, `${BASE}&speed=1&speed=2`, "speed"],
  [VEL, `${BASE}&evil=1`, "evil"],
  [VP, `${BASE}&product_type=future_option_mbo`, "product_type"],
  [VP, `${BASE}&product_type=future_mbo&pre_smooth_span=0`, "pre_smooth_span"],
  [VP, `${BASE}&product_type=future_mbo&pre_smooth_span=601`, "pre_smooth_span"],
  [VP, `${BASE}&product_type=future_mbo&d1_span=1.5`, "d1_span"],
  [VP, `${BASE}&product_type=future_mbo&d2_span=-3`, "d2_span"],
  [VP, `${BASE}&product_type=future_mbo&d3_span=x`, "d3_span"],
  [VP, `${BASE}&product_type=future_mbo&smooth_zscore_window=0`, "smooth_zscore_window"],
  [VP, `${BASE}&product_type=future_mbo&projection_horizon_s=0`, "projection_horizon_s"],
  [
    VP,
    `${BASE}&product_type=future_mbo&fast_projection_horizon_s=600.5`,
    "fast_projection_horizon_s",
  ],
  [VP, `${BASE}&product_type=future_mbo&w_d1=-0.1`, "w_d1"],
  [VP, `${BASE}&product_type=future_mbo&w_d1=0&w_d2=0&w_d3=0`, "w_d1"],
  [VP, `${BASE}&product_type=future_mbo&speed=0`, "speed"],
];

Deno.test("every bad parameter is refused before the upgrade with 400 naming it", async () => {
  await withServer(lake, async (server) => {
    for (const [path, query, param] of BAD) {
      const r = await get(server.url, `${path}?${query}`);
      assert.equal(r.status, 400, `${path}?${query}: ${r.text}`);
      assert.equal(r.body.type, "error");
      assert.equal(r.body.param, param, `${path}?${query}`);
      assert.ok(String(r.body.message).includes(param), String(r.body.message));
    }
    assert.equal(server.activeStreams, 0);
  });
});

Deno.test("valid parameters pass validation (boundary values)", async () => {
  await withServer(lake, async (server) => {
    for (
      const q of [
        `${BASE}&speed=10000&skip_minutes=1440&surfaces=snap`,
        `${BASE}&speed=0.001&skip_minutes=0&surfaces=snap`,
        `${BASE}&speed=max&surfaces=snap`,
        `${BASE}&product_type=future_mbo&pre_smooth_span=600&w_d1=0&projection_horizon_s=600`,
      ]
    ) {
      const path = q.includes("pre_smooth_span") ? VP : VEL;
      const res = await fetch(new URL(`${path}?${q}`, server.url), { headers: UPGRADE });
      assert.equal(res.status, 101, q);
      await res.body?.cancel();
    }
  });
});

Deno.test("pages: traversal, encoded and absolute paths, NUL bytes and long paths never leave serve/ui", async () => {
  const ui = await Deno.makeTempDir();
  await Deno.writeTextFile(`${ui}/index.html`, "<p>ok</p>");
  await withServer(lake, async (server) => {
    assert.equal((await get(server.url, "/", {})).text, "<p>ok</p>");
    const attempts = [
      "/../deno.json",
      "/%2e%2e/deno.json",
      "/%2e%2e%2fdeno.json",
      "/..%2f..%2fetc%2fpasswd",
      "/%252e%252e/deno.json",
      "//etc/passwd",
      "/etc/passwd",
      "/index.html%00.png",
      "/.env",
      "/a/../../deno.json",
      `/${"a".repeat(3000)}.html`,
      "/serve/server.ts",
      "/index.html/",
    ];
    for (const a of attempts) {
      const raw = await rawRequest(server.url, a);
      assert.match(raw.status, /^4\d\d$/, `${a} → ${raw.status}`);
      assert.ok(!raw.body.includes("imports"), a);
      assert.ok(!raw.body.includes("root:"), a);
    }
  }, { uiDir: ui });
  await Deno.remove(ui, { recursive: true });
});

/** Sends a request line verbatim (fetch would normalise `..`). */
async function rawRequest(base: URL, target: string, headers = "") {
  const conn = await Deno.connect({ hostname: base.hostname, port: Number(base.port) });
  await conn.write(new TextEncoder().encode(
    `GET ${target} HTTP/1.1\r\nHost: ${base.host}\r\n${headers}Connection: close\r\n\r\n`,
  ));
  const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
  return { status: text.slice(9, 12), body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

Deno.test("Host and Origin checks, no wildcard CORS, method and URL limits", async () => {
  await withServer(lake, async (server) => {
    const url = `${VEL}?${BASE}&surfaces=snap`;
    // DNS rebinding: a foreign Host header is refused
    const evil = await rawRequest(server.url, "/health", "").then(() =>
      rawRequestHost(server.url, "/v1/catalog", "evil.example:80")
    );
    assert.equal(evil, "403");
    // cross-origin WebSocket refused, same origin and allowed origin accepted
    assert.equal(
      (await get(server.url, url, { ...UPGRADE, origin: "http://evil.example" })).status,
      403,
    );
    const own = `http://${server.url.host}`;
    const sameOrigin = await fetch(new URL(url, server.url), {
      headers: { ...UPGRADE, origin: own },
    });
    assert.equal(sameOrigin.status, 101);
    await sameOrigin.body?.cancel();
    const allowed = await fetch(new URL(url, server.url), {
      headers: { ...UPGRADE, origin: "http://localhost:5173" },
    });
    assert.equal(allowed.status, 101);
    await allowed.body?.cancel();
    // CORS only for allowed origins, echoed, never "*"
    const c1 = await fetch(new URL("/v1/catalog", server.url), {
      headers: { origin: "http://evil.example" },
    });
    assert.equal(c1.headers.get("access-control-allow-origin"), null);
    await c1.body?.cancel();
    const c2 = await fetch(new URL("/v1/catalog", server.url), {
      headers: { origin: "http://localhost:5173" },
    });
    assert.equal(c2.headers.get("access-control-allow-origin"), "http://localhost:5173");
    await c2.body?.cancel();
    // methods and sizes
    const post = await fetch(new URL("/v1/catalog", server.url), { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
    assert.equal((await get(server.url, `/v1/catalog?${"a=1&".repeat(600)}`, {})).status, 414);
    assert.equal((await get(server.url, `/v1/catalog?x=1`, {})).status, 400);
    assert.equal((await get(server.url, `${VEL}?${BASE}&surfaces=snap`, {})).status, 426);
    assert.equal((await get(server.url, "/v1/nothing", {})).status, 404);
  }, { allowedOrigins: ["http://localhost:5173"] });
});

async function rawRequestHost(base: URL, target: string, host: string): Promise<string> {
  const conn = await Deno.connect({ hostname: base.hostname, port: Number(base.port) });
  await conn.write(new TextEncoder().encode(
    `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  ));
  const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
  return text.slice(9, 12);
}

Deno.test("bearer token: required beyond loopback, checked on every route but /health", async () => {
  await assert.rejects(
    startServer({ lake, products: await productTable(), host: "0.0.0.0", port: 0, log: () => {} }),
    /requires a bearer token: set SPYMASTER_TOKEN/,
  );
  await withServer(lake, async (server) => {
    assert.equal((await get(server.url, "/health", {})).status, 200);
    assert.equal((await get(server.url, "/v1/catalog", {})).status, 401);
    assert.equal(
      (await get(server.url, "/v1/catalog", { authorization: "Bearer wrong" })).status,
      401,
    );
    assert.equal(
      (await get(server.url, "/v1/catalog", { authorization: "Bearer s3cret-token" })).status,
      200,
    );
    assert.equal((await get(server.url, `${VEL}?${BASE}&surfaces=snap`)).status, 401);
    const ok = await fetch(new URL(`${VEL}?${BASE}&surfaces=snap&token=s3cret-token`, server.url), {
      headers: UPGRADE,
    });
    assert.equal(ok.status, 101);
    await ok.body?.cancel();
  }, { token: "s3cret-token" });
});

Deno.test("stream limit: the stream past max_streams gets 503", async () => {
  await withServer(lake, async (server) => {
    const open = new WebSocket(`ws://${server.url.host}${VEL}?${BASE}&surfaces=snap&speed=0.001`);
    await new Promise((r) => open.onopen = r);
    const r = await get(server.url, `${VEL}?${BASE}&surfaces=snap`);
    assert.equal(r.status, 503);
    assert.match(String(r.body.message), /too many open streams \(limit 1\)/);
    open.close();
    await new Promise((r) => open.onclose = r);
  }, { maxStreams: 1 });
});

/** A seeded generator (mulberry32) so the fuzz is reproducible. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("fuzz: 400 malformed stream requests all get 4xx and the server stays healthy", async () => {
  const r = rng(14);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
  const junk = [
    "",
    "-1",
    "1e999",
    "NaN",
    "..",
    "../",
    "%2e%2e%2f",
    "%00",
    "%ff",
    "%",
    "a%",
    "\u00e9",
    "%F0%9F%92%A9",
    "<script>",
    "'",
    '"',
    "1;DROP",
    "${x}",
    "x".repeat(80),
    "/etc/passwd",
    "C:\\\\Windows",
    "~root",
    "*",
    "?",
    "#",
    "2026-13-01",
    "2026-02-06T00:00",
    "-0",
    "+1",
    "1_000",
  ];
  const names = [
    "symbol",
    "dt",
    "speed",
    "skip_minutes",
    "product_type",
    "surfaces",
    "d1_span",
    "w_d1",
    "zzz",
  ];
  await withServer(lake, async (server) => {
    for (let i = 0; i < 400; i++) {
      const path = pick([VEL, VP]);
      const params: string[] = [];
      if (r() < 0.8) params.push(`symbol=${r() < 0.5 ? SYMBOL : encodeURIComponent(pick(junk))}`);
      if (r() < 0.8) params.push(`dt=${r() < 0.5 ? DT : encodeURIComponent(pick(junk))}`);
      // at least one certainly-bad parameter
      params.push(`${pick(names)}=${encodeURIComponent(pick(junk))}`);
      if (r() < 0.3) params.push(`${pick(names)}=${pick(junk)}`);
      const target = `${path}?${params.join("&")}`;
      let res: Response;
      try {
        res = await fetch(new URL(target, server.url), { headers: UPGRADE });
      } catch {
        continue; // a URL fetch itself refuses to send
      }
      assert.ok(res.status >= 400 && res.status < 500, `${target} → ${res.status}`);
      await res.body?.cancel();
    }
    const h = await fetch(new URL("/health", server.url));
    assert.deepEqual(await h.json(), { status: "ok", service: "spymaster", streams: 0 });
  });
});
