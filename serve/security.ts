/**
 * Request checks applied before any route: the Host header (a loopback server answers only to
 * loopback names, which defeats DNS rebinding), the bearer token (required when the server listens
 * beyond loopback), the WebSocket Origin (same origin, or an explicit allow-list; never `*`) and
 * the request size.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";

/** Security settings of a server. */
export interface SecurityOptions {
  /** Address the server listens on. */
  host: string;
  /** Bearer token required on every route but `/health` (`null`: none). */
  token: string | null;
  /** Origins allowed besides the server's own (e.g. `http://localhost:5173`). */
  allowedOrigins: readonly string[];
}

/** Longest accepted request URL (path and query), in characters. */
export const MAX_URL_LENGTH = 2048;

const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** True when `host` is a loopback address or name. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A JSON response with the server's security headers. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
      ...headers,
    },
  });
}

/** An error response `{"type":"error","message":…}` (plus `param` when a parameter is at fault). */
export function errorResponse(
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { type: "error", message, ...extra }, headers);
}

function hostName(hostHeader: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(hostHeader);
  return m ? m[1].toLowerCase() : "";
}

function tokenMatches(given: string, token: string): boolean {
  const a = new TextEncoder().encode(given), b = new TextEncoder().encode(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The request's bearer token: `Authorization: Bearer …`, else the `token` query parameter. */
function requestToken(req: Request, url: URL): string | null {
  const auth = req.headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m ? m[1] : "";
  }
  return url.searchParams.get("token");
}

/**
 * Checks that apply to every request; returns the response that refuses it, or `null`. The
 * `/health` route needs no token.
 */
export function checkRequest(req: Request, url: URL, o: SecurityOptions): Response | null {
  if (
    req.url.length > MAX_URL_LENGTH + 512 ||
    url.pathname.length + url.search.length > MAX_URL_LENGTH
  ) {
    return errorResponse(414, `request URL longer than ${MAX_URL_LENGTH} characters`);
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    return errorResponse(405, `method ${req.method.slice(0, 16)} not allowed (GET only)`, {}, {
      allow: "GET, HEAD",
    });
  }
  const host = req.headers.get("host") ?? "";
  if (isLoopback(o.host) && !isLoopback(hostName(host))) {
    return errorResponse(403, "Host header is not a loopback name (this server is local-only)");
  }
  if (o.token !== null && url.pathname !== "/health") {
    const given = requestToken(req, url);
    if (given === null || !tokenMatches(given, o.token)) {
      return errorResponse(401, "a valid bearer token is required (SPYMASTER_TOKEN)", {}, {
        "www-authenticate": "Bearer",
      });
    }
  }
  return null;
}

/** Whether `origin` may open a WebSocket: the server's own origin or an allowed one. */
export function originAllowed(req: Request, o: SecurityOptions): boolean {
  const origin = req.headers.get("origin");
  if (origin === null) return true; // not a browser: nothing to protect against
  const host = req.headers.get("host") ?? "";
  if (origin === `http://${host}` || origin === `https://${host}`) return true;
  return o.allowedOrigins.includes(origin);
}

/** CORS headers for an allowed cross-origin `GET` (none for same-origin or refused origins). */
export function corsHeaders(req: Request, o: SecurityOptions): Record<string, string> {
  const origin = req.headers.get("origin");
  if (origin === null || !o.allowedOrigins.includes(origin)) return {};
  return { "access-control-allow-origin": origin, vary: "Origin" };
}
