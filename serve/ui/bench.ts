/**
 * The `pages` section of `deno task bench` (run as `deno run -A serve/ui/bench.ts --dir D`):
 * the velocity page in headless Chromium on the demo day, streamed by the server in this process.
 * It fills a 10-minute history (600 windows × the product's 2·grid+1 ticks, 801 for MNQ) at full
 * speed, then streams at 10× real time for a fixed time and reports the frames per second that put
 * new pixels on screen and, per window, Arrow decode, aggregation + texture upload, the redraw's
 * main-thread time, and receipt → the next animation frame after the one that drew it; once with
 * the page composited on SwiftShader and once on the CPU. Prints a Markdown block.
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
      description:
        "write a Chromium trace (JSON) of the measured seconds (SwiftShader compositing)",
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

// SPYMASTER_PAGES_LAKE (as for serve/ui/pages_test.ts) reuses an existing demo lake
const lakeDir = Deno.env.get("SPYMASTER_PAGES_LAKE") ?? `${dir}/serve-lake`;
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

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
const f = (x: number, d = 1) => x.toFixed(d);

/**
 * The environment's ceiling: frames per second of a bare 1600×900 page whose only content, a
 * full-page WebGL2 canvas, is cleared to a new colour every animation frame (nothing to shade, one
 * full-screen layer to composite per frame).
 */
async function ceiling(softwareCompositing: boolean): Promise<number> {
  const browser = await launchChromium({ softwareCompositing });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.setContent(`<body style="margin:0"><canvas id="c" style="width:100vw;height:100vh">
      </canvas><script>
      const c = document.getElementById("c");
      c.width = innerWidth; c.height = innerHeight;
      const gl = c.getContext("webgl2");
      let n = 0;
      const f = () => { requestAnimationFrame(f); n++; gl.clearColor(n % 2, 0.2, 0.3, 1);
        gl.clear(gl.COLOR_BUFFER_BIT); };
      requestAnimationFrame(f);
      globalThis.frames_ = () => n;
      </script></body>`);
    await page.waitForTimeout(1000);
    const n0 = await page.evaluate("frames_()") as number, t0 = performance.now();
    await page.waitForTimeout(5000);
    const n1 = await page.evaluate("frames_()") as number;
    return (n1 - n0) / ((performance.now() - t0) / 1000);
  } finally {
    await browser.close();
  }
}

/** One measured run in a fresh browser; returns a table row. */
async function measure(softwareCompositing: boolean): Promise<string> {
  const browser = await launchChromium({ softwareCompositing });
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
    const before = await page.evaluate("globalThis.__spymaster.windows") as number;
    const trace = softwareCompositing ? undefined : values.trace;
    if (trace) {
      await browser.startTracing(page, {
        path: trace,
        categories: ["devtools.timeline", "blink", "cc", "gpu", "viz", "v8", "toplevel"],
      });
    }
    const fps: number[] = [], loops: number[] = [];
    for (let i = 0; i < SECONDS; i++) {
      await page.waitForTimeout(1000);
      const p = await page.evaluate("globalThis.__spymaster.perf") as {
        fps: number;
        loops: number;
      };
      fps.push(p.fps);
      loops.push(p.loops);
    }
    if (trace) await browser.stopTracing();
    const after = await page.evaluate(
      `(() => { const s = globalThis.__spymaster; return { w: s.windows, p: s.perf,
        grid: s.meta.grid }; })()`,
    ) as {
      w: number;
      grid: number;
      p: { decode: number[]; upload: number[]; draw: number[]; toPixels: number[] };
    };
    const n = after.w - before;
    const take = (xs: number[]) => xs.slice(-n);
    const dec = take(after.p.decode), up = take(after.p.upload);
    const draw = take(after.p.draw), px = take(after.p.toPixels);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return `| ${softwareCompositing ? "CPU (Skia)" : "SwiftShader"} | 600 s × ${
      2 * after.grid + 1
    } ticks (${sym.symbol}) | ${n} in ${SECONDS} s | ` +
      `${f(mean(fps))}, ${Math.min(...fps)} | ${f(mean(loops))} | ` +
      `${f(q(dec, 0.5))} / ${f(q(dec, 0.95))} | ${f(q(up, 0.5))} / ${f(q(up, 0.95))} | ` +
      `${f(q(draw, 0.5))} / ${f(q(draw, 0.95))} | ${f(q(px, 0.5), 0)} / ${f(q(px, 0.95), 0)} | ` +
      `${f(await ceiling(softwareCompositing))} |`;
  } finally {
    await browser.close();
  }
}

try {
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "")).split(" ").slice(0, 3);
  const rows = [await measure(false), await measure(true)];
  console.log([
    "| compositing | history | windows at 10× | frames drawn/s (mean, min) | animation frames/s | decode ms p50 / p95 | upload ms p50 / p95 | draw ms p50 / p95 | receipt → next frame ms p50 / p95 | ceiling frames/s |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    "Velocity page in headless Chromium at 1600×900, WebGL2 on SwiftShader (no GPU); the page is " +
    "composited either on SwiftShader too (`--use-angle=swiftshader`, the tests' browser) or on " +
    "the CPU (`--disable-gpu-compositing`, what Chromium does by itself without a usable GPU). " +
    "frames drawn/s = animation frames that put new pixels on screen (a redraw for a new window " +
    "or a view change, or a smooth-scrolling step), counted by the page each second; animation " +
    "frames/s = all requestAnimationFrame callbacks. decode = Arrow IPC of the window's four " +
    "surfaces; upload = aggregation into the field column + texSubImage2D; draw = main-thread " +
    "time of one redraw of field and lines; receipt → next frame = window received → the " +
    "animation frame after the one that drew it (its pixels were handed to the compositor); " +
    "ceiling = a bare page of one full-page WebGL2 canvas cleared every frame, in the same " +
    "browser setup (the most any page that changes the whole screen each frame can reach here). " +
    "Frames drawn/s at the ceiling means the page's own work is no longer what limits it: the " +
    "rest is the browser compositing and presenting full-screen frames without a GPU. " +
    `Target: ≥ 30 frames/s, decode + upload < 5 ms per window. Load average before: ${
      load.join(" ")
    }.`,
  ].join("\n"));
} finally {
  await server.shutdown();
}
