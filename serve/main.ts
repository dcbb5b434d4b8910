/**
 * `deno task serve [--lake DIR] [--host H] [--port P] [--allow-origin O]... [--max-streams N]`:
 * starts the Spymaster server (default `127.0.0.1:8001`). Listening beyond loopback needs
 * `SPYMASTER_TOKEN` in the environment: every route but `/health` then requires it as a bearer
 * token (`Authorization: Bearer …`, or `?token=…` for browser WebSockets).
 *
 * @module
 */
import { DEFAULT_CONFIG_DIR, loadProducts, openLake } from "@spymaster/sdk/lake";
import { integerFlag, parseFlags, UsageError } from "../sdk/cli/_args.ts";
import { isLoopback } from "./security.ts";
import { startServer } from "./server.ts";

const USAGE = `usage: deno task serve [--lake DIR] [--host H] [--port P] [--allow-origin ORIGIN]...
                       [--max-streams N] [--physics-params FILE]

  --lake DIR            lake to serve (default: lake_root of config/datasets.yaml)
  --host H              address to listen on (default 127.0.0.1; anything else needs
                        SPYMASTER_TOKEN and every client must send it)
  --port P              port (default 8001)
  --allow-origin ORIGIN extra origin allowed to open streams (repeatable), e.g. http://localhost:5173
  --max-streams N       most concurrent streams (default 256)
  --physics-params FILE beta/gamma of the forecast surface (default: the lake's
                        physics/product_type=future_mbo/symbol=<contract|root>/physics_beta_gamma.json)`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    lake: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8001" },
    "allow-origin": { type: "string", multiple: true },
    "max-streams": { type: "string", default: "256" },
    "physics-params": { type: "string" },
    help: { type: "boolean", short: "h" },
  }, { positionals: false });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = integerFlag("port", values.port, { max: 65535, expected: "a port 0-65535" })!;
  const maxStreams = integerFlag("max-streams", values["max-streams"], { min: 1, max: 100_000 })!;
  const origins = values["allow-origin"] ?? [];
  for (const o of origins) {
    if (!/^https?:\/\/[A-Za-z0-9.\-\[\]:]+$/.test(o)) {
      throw new UsageError(`--allow-origin: expected scheme://host[:port], got '${o}'`);
    }
  }
  const host = values.host!;
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
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n\n${USAGE}`);
      Deno.exit(2);
    }
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
