// Test support for serve/: a scratch lake holding a hand-written silver snapshot day, and a
// server on a free loopback port over it. The rows are simple closed forms so tests can state
// the expected values independently of the code under test.
import {
  DEFAULT_CONFIG_DIR,
  holdParquetWorkers,
  type Lake,
  loadProducts,
  openLake,
  type ProductTable,
  writePartition,
} from "@spymaster/sdk/lake";
import { type ServerOptions, type SpymasterServer, startServer } from "./server.ts";

/** 2026-02-06 09:30:00 ET (14:30 UTC) in ns: the first window starts here. */
export const T0 = 1_770_388_200_000_000_000n;
/** The test contract. */
export const SYMBOL = "MNQH6";
/** The test date. */
export const DT = "2026-02-06";

/** Window end of row `i`: `T0 + (i + 1) s`. */
export const windowEnd = (i: number): bigint => T0 + BigInt(i + 1) * 1_000_000_000n;
/** Mid of row `i`: 21000.125 + 0.25·(i mod 8) dollars. */
export const midOf = (i: number): number => 21000.125 + 0.25 * (i % 8);
/** Spot reference of row `i`: 21000 dollars + (i mod 8) ticks of 0.25, in 1e-9. */
export const spotOf = (i: number): bigint => 21_000_000_000_000n + BigInt(i % 8) * 250_000_000n;
/** Book validity of row `i`: false every 10th row. */
export const validOf = (i: number): boolean => i % 10 !== 3;

/** Writes `n` windows of silver `book_snapshot_1s` for {@linkcode SYMBOL} on {@linkcode DT}. */
export async function writeSnapDay(
  lake: Lake,
  n: number,
  symbol = SYMBOL,
  dt = DT,
): Promise<void> {
  const ts = BigInt64Array.from({ length: n }, (_, i) => windowEnd(i));
  const spot = BigInt64Array.from({ length: n }, (_, i) => spotOf(i));
  const batch = {
    window_start_ts_ns: ts.map((t) => t - 1_000_000_000n),
    window_end_ts_ns: ts,
    best_bid_price_int: spot,
    best_bid_qty: new BigInt64Array(n).fill(3n),
    best_ask_price_int: spot.map((s) => s + 250_000_000n),
    best_ask_qty: new BigInt64Array(n).fill(4n),
    mid_price: Float64Array.from({ length: n }, (_, i) => midOf(i)),
    mid_price_int: spot.map((s) => s + 125_000_000n),
    last_trade_price_int: new BigInt64Array(n),
    spot_ref_price_int: spot,
    book_valid: Uint8Array.from({ length: n }, (_, i) => validOf(i) ? 1 : 0),
  };
  await writePartition(lake, "silver.future_mbo.book_snapshot_1s", { symbol, dt }, [batch]);
}

const TMP = Deno.makeTempDirSync({ prefix: "spymaster-serve-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));

let products: Promise<ProductTable> | null = null;
/** The project's product table. */
export function productTable(): Promise<ProductTable> {
  return products ??= loadProducts(`${DEFAULT_CONFIG_DIR}/products.yaml`);
}

/** A scratch lake with `n` snapshot windows. */
export async function snapLake(n: number): Promise<Lake> {
  const release = holdParquetWorkers();
  try {
    const lake = await openLake(await Deno.makeTempDir({ dir: TMP }));
    await writeSnapDay(lake, n);
    return lake;
  } finally {
    release();
  }
}

/** Runs `fn` against a server over `lake` (port 0), then shuts it down and checks it is idle. */
export async function withServer(
  lake: Lake,
  fn: (server: SpymasterServer, logs: string[]) => Promise<void>,
  options: Partial<ServerOptions> = {},
): Promise<void> {
  const logs: string[] = [];
  const server = await startServer({
    lake,
    products: await productTable(),
    port: 0,
    log: (l) => logs.push(l),
    ...options,
  });
  try {
    await fn(server, logs);
  } finally {
    await server.shutdown();
  }
}

/** `ws://` URL of a stream path on `server`. */
export function wsUrl(server: SpymasterServer, path: string, query: string): string {
  return `ws://${server.url.host}${path}?${query}`;
}

/** Waits until `cond()` holds (polling every 10 ms), failing after `ms`. */
export async function until(cond: () => boolean, ms = 10_000, what = "condition"): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Opens a WebSocket stream over a raw TCP connection and returns it once the server answered the
 * upgrade: the caller decides whether to read (a slow client simply never does).
 */
export async function rawUpgrade(server: SpymasterServer, target: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: server.url.hostname, port: Number(server.url.port) });
  await conn.write(new TextEncoder().encode(
    `GET ${target} HTTP/1.1\r\nHost: ${server.url.host}\r\nUpgrade: websocket\r\n` +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
      "Sec-WebSocket-Version: 13\r\n\r\n",
  ));
  const buf = new Uint8Array(256);
  const n = await conn.read(buf);
  const head = new TextDecoder().decode(buf.subarray(0, n ?? 0));
  if (!head.startsWith("HTTP/1.1 101")) throw new Error(`upgrade refused: ${head.slice(0, 40)}`);
  return conn;
}
