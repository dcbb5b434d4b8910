/**
 * The `pages` section of `deno task bench` (run as `deno run -A serve/ui/bench.ts --dir D`):
 * the velocity page in headless Chromium on the demo day, streamed by the server in this process.
 * It fills a 10-minute history (600 windows × the product's 2·grid+1 ticks, 801 for MNQ) at full
 * speed, then streams at 10× real time for a fixed time and reports the page's render frames per
 * second and, per window, Arrow decode, aggregation + texture upload, and receipt → pixels
 * (until the frame that shows the window has finished on the GPU). Prints a Markdown block.
 *
 * @module
 */
import { loadProducts, openLake } from "@spymaster/sdk/lake";
import { defineCommand } from "../../sdk/cli/_args.ts";
import { startServer } from "../server.ts";
import { buildPages } from "./build.ts";
import { launchChromium } from "./_chromium.ts";

const command = defineCommand({
  name: "deno run -A serve/ui/bench.ts",
  summary: "The pages section of deno task bench.",
  flags: {
    dir: {
      type: "string",
      value: "DIR",
      description: "scratch folder (default: a new temp folder)",
    },
    seconds: { type: "integer", min: 1, default: 15, description: "seconds measured at 10×" },
    trace: {
      type: "string",
      value: "FILE",
      description: "write a Chromium trace (JSON, chrome://tracing) of the measured seconds",
    },
  },
});
const parsed = command.parse(Deno.args);
if (!parsed) Deno.exit(0);
const values = parsed.flags;
const dir = values.dir ?? await Deno.makeTempDir({ prefix: "spymaster-pages-bench-" });
const SECONDS = values.seconds;
const root = new URL("../../", import.meta.url).pathname;
const log = (s: string) => console.error(s);

const lakeDir = `${dir}/serve-lake`;
if (!await Deno.stat(`${lakeDir}/gold`).then(() => true, () => false)) {
  log("pages bench: building the demo lake (deno task demo)");
  const demo = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}sdk/cli/demo.ts`, "--lake", lakeDir],
    stdout: "null",
    stderr: "inherit",
    env: { CI: "true" },
  }).output();
  if (!demo.success) throw new Error("deno task demo failed");
}
await buildPages();
const lake = await openLake(lakeDir);
const products = await loadProducts(`${root}config/products.yaml`);
const server = await startServer({ lake, products, port: 0, log: () => {} });
const catalog = await (await fetch(new URL("/v1/catalog", server.url))).json();
const fut = catalog.product_types.find((p: { product_type: string }) =>
  p.product_type === "future_mbo"
);
const sym = fut.symbols.find((s: { dates: { streams: object }[] }) =>
  s.dates.some((d) => "velocity" in d.streams)
);
const dt = sym.dates.find((d: { streams: object }) => "velocity" in d.streams).dt;

const browser = await launchChromium();
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(
    new URL(`/?product_type=future_mbo&symbol=${sym.symbol}&dt=${dt}&speed=max`, server.url)
      .toString(),
  );
  await page.waitForFunction("globalThis.__spymaster?.windows >= 600", undefined, {
    timeout: 300_000,
    polling: 200,
  });
  await page.evaluate(`globalThis.__spymaster.control({ type: "speed", speed: 10 })`);
  await page.waitForTimeout(1000);
  const before = await page.evaluate(
    `({ w: globalThis.__spymaster.windows, n: globalThis.__spymaster.perf.decode.length })`,
  ) as { w: number; n: number };
  if (values.trace) {
    await browser.startTracing(page, {
      path: values.trace,
      categories: ["devtools.timeline", "blink", "cc", "gpu", "viz", "v8", "toplevel"],
    });
  }
  const fps: number[] = [];
  for (let i = 0; i < SECONDS; i++) {
    await page.waitForTimeout(1000);
    fps.push(await page.evaluate("globalThis.__spymaster.perf.fps") as number);
  }
  if (values.trace) await browser.stopTracing();
  const after = await page.evaluate(
    `(() => { const s = globalThis.__spymaster; return { w: s.windows, p: s.perf,
      grid: s.meta.grid }; })()`,
  ) as {
    w: number;
    grid: number;
    p: { decode: number[]; upload: number[]; toPixels: number[] };
  };
  const take = (xs: number[]) => xs.slice(-(after.w - before.w));
  const dec = take(after.p.decode), up = take(after.p.upload), px = take(after.p.toPixels);
  const f = (x: number, d = 2) => x.toFixed(d);
  const meanFps = fps.reduce((a, b) => a + b, 0) / fps.length;
  console.log([
    "| history | windows at 10× | frames/s (mean, min) | decode ms p50 / p95 | upload ms p50 / p95 | receipt → pixels ms p50 / p95 |",
    "|---|---:|---:|---:|---:|---:|",
    `| 600 s × ${2 * after.grid + 1} ticks (${sym.symbol}) | ${
      after.w - before.w
    } in ${SECONDS} s | ` +
    `${f(meanFps, 1)}, ${Math.min(...fps)} | ${f(q(dec, 0.5))} / ${f(q(dec, 0.95))} | ` +
    `${f(q(up, 0.5))} / ${f(q(up, 0.95))} | ${f(q(px, 0.5))} / ${f(q(px, 0.95))} |`,
    "",
    "Velocity page in headless Chromium (SwiftShader WebGL2, no GPU), 1600×900. decode = Arrow IPC " +
    "of the window's four surfaces; upload = aggregation into the field column + texSubImage2D; " +
    "receipt → pixels = last frame of the window received → the frame that shows it has finished " +
    "(gl.finish). Target: ≥ 30 frames/s, decode + upload < 5 ms per window.",
  ].join("\n"));
} finally {
  await browser.close();
  await server.shutdown();
}
