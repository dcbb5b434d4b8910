/**
 * The Spymaster server: one `Deno.serve` app on one port.
 *
 * | route | what |
 * | --- | --- |
 * | `GET /health` | `{"status":"ok","service":"spymaster","streams":<open streams>}` |
 * | `GET /v1/catalog` | product types, symbols, dates, complete layers and servable streams |
 * | `GET /v1/velocity/stream` (WebSocket) | serving.md §3.4 sequence |
 * | `GET /v1/vacuum-pressure/stream` (WebSocket) | serving.md §4.6 sequence |
 * | `GET /`, `/vacuum-pressure.html`, `/particle-wave.html`, … | the pages in `serve/ui/` |
 *
 * Query parameters are validated before the upgrade (HTTP 400 naming the parameter); data
 * problems found after it reach the client as `{"type":"error","message":…}` and a close.
 *
 * @module
 */
import type { Lake, ProductTable } from "@spymaster/sdk/lake";
import { productForSymbol } from "@spymaster/sdk/lake";
import { extname, join, resolve } from "node:path";
import { buildCatalog, type Catalog } from "./catalog.ts";
import { ServeContext } from "./context.ts";
import type { DayCacheOptions } from "./day_cache.ts";
import {
  ParamError,
  parseVelocityParams,
  parseVpParams,
  type StreamParams,
  type VpParams,
} from "./params.ts";
import { replayVelocitySource, replayVpSource } from "./replay_source.ts";
import {
  checkRequest,
  corsHeaders,
  errorResponse,
  isLoopback,
  jsonResponse,
  originAllowed,
  type SecurityOptions,
} from "./security.ts";
import {
  type SessionOptions,
  type SessionStats,
  StreamSession,
  type WindowSource,
} from "./session.ts";
import { velocitySource } from "./velocity_source.ts";
import { vpSource } from "./vp_source.ts";

/** Options of {@linkcode startServer}. */
export interface ServerOptions {
  /** The lake to serve. */
  lake: Lake;
  /** The product table (ticks and grids of futures roots). */
  products: ProductTable;
  /** Address to listen on (default `127.0.0.1`). Anything else requires `token`. */
  host?: string;
  /** Port (default 8001; 0 = any free port). */
  port?: number;
  /** Bearer token; required when `host` is not loopback (default: none on loopback). */
  token?: string | null;
  /** Origins allowed to open streams besides the server's own. */
  allowedOrigins?: string[];
  /** Most concurrent streams (default 256); more get HTTP 503. */
  maxStreams?: number;
  /** Limits of the shared day cache. */
  cache?: DayCacheOptions;
  /** Backpressure and message limits of every session. */
  session?: Pick<SessionOptions, "highWaterBytes" | "stallTimeoutMs" | "maxMessageBytes">;
  /** β/γ file of the forecast (default: the lake's `physics/…/physics_beta_gamma.json`). */
  physicsParamsPath?: string | null;
  /** Folder of the pages (default `serve/ui/` beside this file). */
  uiDir?: string;
  /** Log lines (default: `console.error`). */
  log?: (line: string) => void;
}

/** A running server. */
export interface SpymasterServer {
  /** `http://host:port/`. */
  url: URL;
  /** Streams open now. */
  readonly activeStreams: number;
  /** Closes every stream (1001) and stops listening. */
  shutdown(): Promise<void>;
  /** Resolves once the server has stopped. */
  finished: Promise<void>;
}

const STREAM_ROUTES: Record<
  string,
  {
    parse: (q: URLSearchParams) => StreamParams;
    source: (ctx: ServeContext, p: never) => Promise<WindowSource>;
  }
> = {
  "/v1/velocity/stream": {
    parse: parseVelocityParams,
    source: (ctx, p: StreamParams) =>
      p.source === "replay" ? replayVelocitySource(ctx, p) : velocitySource(ctx, p),
  },
  "/v1/vacuum-pressure/stream": {
    parse: parseVpParams,
    source: (ctx, p: VpParams) => p.source === "replay" ? replayVpSource(ctx, p) : vpSource(ctx, p),
  },
};

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
};
const STATIC_PATH_RE = /^\/(?:[A-Za-z0-9_\-]+\/)*[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9]+)+$/;

/** Starts the server; resolves once it listens. */
export async function startServer(o: ServerOptions): Promise<SpymasterServer> {
  const host = o.host ?? "127.0.0.1";
  const token = o.token ?? null;
  if (!isLoopback(host) && !token) {
    throw new Error(
      `listening on ${host} (beyond loopback) requires a bearer token: set SPYMASTER_TOKEN`,
    );
  }
  const security: SecurityOptions = {
    host,
    token,
    allowedOrigins: o.allowedOrigins ?? [],
  };
  const log = o.log ?? ((l: string) => console.error(l));
  const ctx = new ServeContext(o.lake, o.products, o.cache, o.physicsParamsPath ?? null);
  const maxStreams = o.maxStreams ?? 256;
  const uiDir = resolve(o.uiDir ?? new URL("./ui/", import.meta.url).pathname);
  const sockets = new Set<WebSocket>();
  let catalog: { at: number; value: Promise<Catalog> } | null = null;

  const handler = async (req: Request): Promise<Response> => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return errorResponse(400, "malformed request URL");
    }
    const refused = checkRequest(req, url, security);
    if (refused) return refused;
    const cors = corsHeaders(req, security);
    const path = url.pathname;
    if (path === "/health") {
      return jsonResponse(200, { status: "ok", service: "spymaster", streams: sockets.size }, cors);
    }
    if (path === "/v1/catalog") {
      if (url.search) return errorResponse(400, "/v1/catalog takes no parameters", {}, cors);
      const now = performance.now();
      if (!catalog || now - catalog.at > 2000) {
        catalog = { at: now, value: buildCatalog(o.lake) };
        catalog.value.catch(() => catalog = null);
      }
      return jsonResponse(200, await catalog.value, cors);
    }
    const route = STREAM_ROUTES[path];
    if (route) return stream(req, url, route);
    if (path.startsWith("/v1/")) return errorResponse(404, `no such endpoint ${path.slice(0, 64)}`);
    return await page(path);
  };

  function stream(
    req: Request,
    url: URL,
    route: typeof STREAM_ROUTES[string],
  ): Response {
    let params: StreamParams;
    try {
      params = route.parse(url.searchParams);
      if (params.product_type === "future_mbo") {
        try {
          productForSymbol(o.products, params.symbol);
        } catch (e) {
          throw new ParamError("symbol", `symbol: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      if (e instanceof ParamError) return errorResponse(400, e.message, { param: e.param });
      throw e;
    }
    if ((req.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
      return errorResponse(426, "this endpoint is a WebSocket: send an upgrade request", {}, {
        upgrade: "websocket",
      });
    }
    if (!originAllowed(req, security)) {
      return errorResponse(403, "origin not allowed (use --allow-origin to allow it)");
    }
    if (sockets.size >= maxStreams) {
      return errorResponse(503, `too many open streams (limit ${maxStreams})`, {}, {
        "retry-after": "5",
      });
    }
    const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 60 });
    sockets.add(socket);
    const session = new StreamSession(
      socket,
      () => route.source(ctx, params as never),
      { speed: params.speed, skip: params.skip_minutes * 60, log, ...o.session },
    );
    const started = performance.now();
    session.run().then((s: SessionStats) => {
      sockets.delete(socket);
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      log(
        `${url.pathname} ${params.symbol} ${params.dt}: ${s.outcome}, ${s.sent} windows sent, ` +
          `${s.skipped} skipped, ${secs} s${s.error ? ` (${s.error})` : ""}`,
      );
    });
    return response;
  }

  async function page(p: string): Promise<Response> {
    const rel = p === "/" ? "/index.html" : p;
    if (!STATIC_PATH_RE.test(rel) || rel.length > 256) {
      return errorResponse(404, "not found");
    }
    const type = CONTENT_TYPES[extname(rel)];
    const file = resolve(join(uiDir, rel));
    if (!type || !file.startsWith(uiDir + "/")) return errorResponse(404, "not found");
    try {
      const info = await Deno.lstat(file);
      if (!info.isFile) return errorResponse(404, "not found");
      return new Response((await Deno.open(file)).readable, {
        headers: {
          "content-type": type,
          "x-content-type-options": "nosniff",
          "cache-control": "no-cache",
        },
      });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        return errorResponse(
          404,
          p === "/" ? "the pages are not built in this checkout (serve/ui/ is empty)" : "not found",
        );
      }
      throw e;
    }
  }

  const ac = new AbortController();
  const ready = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: host,
    port: o.port ?? 8001,
    signal: ac.signal,
    onListen: (addr) => ready.resolve(addr as Deno.NetAddr),
    onError: (e) => {
      log(`request failed: ${(e as Error)?.stack ?? e}`);
      return errorResponse(500, "internal server error");
    },
  }, handler);
  const addr = await ready.promise;
  const shownHost = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return {
    url: new URL(`http://${shownHost}:${addr.port}/`),
    get activeStreams() {
      return sockets.size;
    },
    async shutdown() {
      for (const s of sockets) {
        try {
          s.close(1001, "server shutting down");
        } catch { /* closing */ }
      }
      ac.abort();
      await server.finished;
    },
    finished: server.finished,
  };
}
