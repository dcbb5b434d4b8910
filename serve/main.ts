/**
 * `deno task serve [--lake DIR] [--host H] [--port P] [--allow-origin O,…] [--max-streams N]`:
 * starts the Spymaster server (default `127.0.0.1:8001`). Listening beyond loopback needs
 * `SPYMASTER_TOKEN` in the environment: every route but `/health` then requires it as a bearer
 * token (`Authorization: Bearer …`, or `?token=…` for browser WebSockets).
 *
 * @module
 */
import { DEFAULT_CONFIG_DIR, loadProducts, openLake } from "@spymaster/sdk/lake";
import { defineCommand, UsageError } from "../sdk/cli/_args.ts";
import { isLoopback } from "./security.ts";
import { startServer } from "./server.ts";

/** The command line of `deno task serve`. */
export const command = defineCommand({
  name: "deno task serve",
  summary: "Starts the Spymaster server: the catalog, the velocity and vacuum-pressure streams " +
    "and the pages, on one port (default 127.0.0.1:8001).",
  flags: {
    lake: { type: "string", value: "DIR", description: "lake to serve (default: the lake root)" },
    host: {
      type: "string",
      value: "H",
      default: "127.0.0.1",
      description: "address to listen on; anything beyond loopback needs SPYMASTER_TOKEN, " +
        "which every client must then send",
    },
    port: { type: "integer", min: 0, max: 65535, default: 8001, description: "port (0: any)" },
    "allow-origin": {
      type: "string",
      value: "ORIGIN,…",
      description: "extra origins allowed to open streams, comma-separated " +
        "(e.g. http://localhost:5173)",
    },
    "max-streams": {
      type: "integer",
      min: 1,
      max: 100_000,
      default: 256,
      description: "most concurrent streams",
    },
    "physics-params": {
      type: "string",
      value: "FILE",
      description: "beta/gamma of the forecast surface (default: the lake's " +
        "physics/product_type=future_mbo/symbol=<contract|root>/physics_beta_gamma.json)",
    },
  },
  examples: ["deno task serve", "deno task serve --lake /data/lake --port 9000"],
});

/** Runs `deno task serve` with `argv`; resolves with the exit status once the server stops. */
export function main(argv: string[]): Promise<number> {
  return command.run(argv, async ({ flags: values }) => {
    const port = values.port;
    const maxStreams = values["max-streams"];
    const origins = (values["allow-origin"] ?? "").split(",").map((o) => o.trim()).filter(
      Boolean,
    );
    for (const o of origins) {
      if (!/^https?:\/\/[A-Za-z0-9.\-\[\]:]+$/.test(o)) {
        throw new UsageError(`--allow-origin: expected scheme://host[:port], got '${o}'`);
      }
    }
    const host = values.host;
    const token = Deno.env.get("SPYMASTER_TOKEN") || null;
    if (!isLoopback(host)) {
      if (!token) {
        throw new UsageError(`--host ${host} listens beyond loopback: set SPYMASTER_TOKEN first`);
      }
      console.error(
        `warning: listening on ${host}, reachable from other machines; clients must send the token`,
      );
    }
    const lake = await openLake(values.lake);
    const products = await loadProducts(`${DEFAULT_CONFIG_DIR}/products.yaml`);
    const server = await startServer({
      lake,
      products,
      host,
      port,
      token,
      allowedOrigins: origins,
      maxStreams,
      physicsParamsPath: values["physics-params"] ?? null,
    });
    console.error(
      `spymaster serving ${lake.root} on ${server.url} (catalog: ${server.url}v1/catalog)`,
    );
    const stop = () => server.shutdown();
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    await server.finished;
    return 0;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
