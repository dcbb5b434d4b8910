/**
 * The three pages in real Chromium (playwright-core, Debian's /usr/bin/chromium) against a server
 * streaming the demo day: no console errors, windows arrive, the canvases are not blank, the
 * planted vacuum and wall episodes of the synthetic day show in their colours at their time and
 * price, the picker switches the stream, a bad symbol shows the server's error, and a killed and
 * restarted server is reconnected to. Screenshots go to a temporary folder (or to
 * `$SPYMASTER_SCREENSHOTS` when set).
 *
 * Chromium is optional on a developer machine (the test is ignored with a message) and required
 * under `CI=true`.
 */
import assert from "node:assert/strict";
import type { ConsoleMessage, Page } from "playwright-core";
import { loadProducts, openLake } from "@spymaster/sdk/lake";
import { chromiumAvailable } from "../../sdk/testing/fixtures.ts";
import { type SpymasterServer, startServer } from "../server.ts";
import { buildPages } from "./build.ts";
import { launchChromium } from "./_chromium.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

interface Episode {
  kind: string;
  side: string;
  start_ts: string;
  end_ts: string;
  price_lo: number;
  price_hi: number;
}

interface DemoDay {
  productType: string;
  symbol: string;
  dt: string;
  episodes: Episode[];
}

/** Runs `deno task demo --lake DIR` and returns the sidecars of the days it planted. */
async function demoLake(dir: string, reuse: boolean): Promise<DemoDay[]> {
  const r = reuse
    ? { success: true, stderr: new Uint8Array() }
    : await new Deno.Command(Deno.execPath(), {
      args: ["task", "demo", "--lake", dir],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", CI: "true" },
    }).output();
  if (!r.success) {
    throw new Error(`demo failed:\n${new TextDecoder().decode(r.stderr).slice(-3000)}`);
  }
  const days: DemoDay[] = [];
  const walk = async (d: string): Promise<void> => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".synth.json")) {
        const j = JSON.parse(await Deno.readTextFile(p));
        days.push({
          productType: j.product_type ?? j.productType,
          symbol: j.symbol,
          dt: j.date ?? j.dt,
          episodes: j.episodes ?? [],
        });
      }
    }
  };
  await walk(`${dir}/raw`);
  return days;
}

const NS = 1_000_000_000n;

/** Waits until `fn` (run in the page) returns a truthy value. */
async function untilTrue(page: Page, fn: string, timeoutMs = 60_000): Promise<void> {
  await until(page, fn, timeoutMs);
}

async function until<T>(page: Page, fn: string, timeoutMs = 60_000): Promise<T> {
  try {
    const h = await page.waitForFunction(fn, undefined, { timeout: timeoutMs, polling: 100 });
    return await h.jsonValue() as T;
  } catch (e) {
    const banner = await page.textContent("#error").catch(() => null);
    const status = await page.textContent("#status").catch(() => null);
    throw new Error(
      `waiting for ${fn}: ${(e as Error).message.split("\n")[0]} (page error banner: ` +
        `${JSON.stringify(banner)}, status: ${JSON.stringify(status)})`,
    );
  }
}

/** Fraction of pixels of a canvas that differ from the background (via a PNG screenshot). */
async function nonBlankShare(page: Page, selector: string): Promise<number> {
  return await page.evaluate(`(() => {
    const src = document.querySelector(${JSON.stringify(selector)});
    const c = document.createElement("canvas");
    c.width = src.width;
    c.height = src.height;
    const ctx = c.getContext("2d");
    ctx.drawImage(src, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - 10) + Math.abs(d[i + 1] - 10) + Math.abs(d[i + 2] - 15) > 24) lit++;
    }
    return lit / (d.length / 4);
  })()`) as number;
}

/**
 * Seeks the page's stream to `from`, lets it play until the window after `until` has arrived, and
 * pauses it (the history then holds the whole stretch).
 */
async function play(page: Page, from: bigint, until: bigint): Promise<void> {
  await page.evaluate(
    `globalThis.__spymaster.control({ type: "seek", window_end_ts_ns: "${from}" })`,
  );
  await page.evaluate(`globalThis.__spymaster.control({ type: "resume" })`);
  await untilTrue(
    page,
    `(() => { const w = BigInt(globalThis.__spymaster?.lastWindow ?? 0);
      return w >= ${from}n && w >= ${until}n; })()`,
    240_000,
  );
  await page.evaluate(`globalThis.__spymaster.control({ type: "pause" })`);
  await page.waitForTimeout(500);
}

function sessionOpenNs(dt: string): bigint {
  // 09:30 New York on dt, DST-aware
  const probe = new Date(`${dt}T14:30:00Z`);
  const ny = new Intl.DateTimeFormat("en-US", {
    timeZone: "America/New_York",
    hour: "2-digit",
    hourCycle: "h23",
  }).format(probe);
  const offsetH = 14 - Number(ny); // 5 in winter, 4 in summer
  return BigInt(Date.parse(`${dt}T09:30:00Z`) + offsetH * 3_600_000) * 1_000_000n;
}

Deno.test({
  name: "pages in Chromium: velocity, vacuum-pressure, particle wave on the demo day",
  ignore: !chromiumAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    await buildPages();
    // SPYMASTER_PAGES_LAKE reuses a demo lake between runs while developing the pages.
    const reuse = Deno.env.get("SPYMASTER_PAGES_LAKE");
    const dir = reuse ?? await Deno.makeTempDir({ prefix: "spymaster-pages-" });
    const shots = Deno.env.get("SPYMASTER_SCREENSHOTS") ??
      await Deno.makeTempDir({ prefix: "spymaster-shots-" });
    await Deno.mkdir(shots, { recursive: true });
    const days = await demoLake(dir, reuse !== undefined);
    const fut = days.find((d) => d.productType === "future_mbo");
    assert.ok(fut, `the demo planted a future_mbo day (sidecars: ${JSON.stringify(days)})`);
    const lake = await openLake(dir);
    const products = await loadProducts(`${ROOT}config/products.yaml`);
    let server: SpymasterServer = await startServer({ lake, products, port: 0, log: () => {} });
    const port = Number(server.url.port);
    const base = server.url.toString();
    const catalog = await (await fetch(`${base}v1/catalog`)).json();
    const futPt = catalog.product_types.find((p: { product_type: string }) =>
      p.product_type === "future_mbo"
    );
    const contract: string = futPt.symbols.find((s: { dates: { streams: object }[] }) =>
      s.dates.some((d) =>
        "velocity" in d.streams
      )
    )?.symbol ?? futPt.symbols[0].symbol;

    const browser = await launchChromium();
    const errors: string[] = [];
    // The browser logs refused handshakes and failed loads itself: expected where a test
    // provokes them (a bad symbol, a server that is down), so those pages opt out.
    const open = async (path: string, expectNetworkErrors = false): Promise<Page> => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
      page.on("console", (m: ConsoleMessage) => {
        if (m.type() !== "error") return;
        const net = /WebSocket connection|Failed to load resource|ERR_CONNECTION_REFUSED/;
        if (expectNetworkErrors && net.test(m.text())) return;
        errors.push(`${path}: ${m.text()}`);
      });
      page.on("pageerror", (e: Error) => errors.push(`${path}: ${e.message}`));
      await page.goto(new URL(path, base).toString());
      return page;
    };
    try {
      await t.step("particle wave: draws, speed control and tensor view work", async () => {
        const page = await open("/particle-wave.html");
        await page.waitForTimeout(500);
        assert.ok(await nonBlankShare(page, "#wave") > 0.5, "wave canvas drawn");
        const before = await page.textContent("#stats");
        assert.match(before ?? "", /f = 1\.00 Hz/);
        await page.locator("#p-speed").fill("20");
        await page.waitForTimeout(100);
        assert.match(await page.textContent("#stats") ?? "", /f = 2\.00 Hz/, "v = λ·f");
        await page.click("#toggle-tensor");
        await page.screenshot({ path: `${shots}/particle-wave.png` });
        await page.close();
      });

      const open0 = sessionOpenNs(fut.dt);
      const vac = fut.episodes.find((e) =>
        e.kind === "vacuum" && BigInt(e.start_ts) > open0 + 120n * NS
      );
      const wall = fut.episodes.find((e) =>
        e.kind === "wall" && BigInt(e.start_ts) > open0 + 120n * NS
      );

      await t.step(
        "velocity: windows arrive, field drawn, planted vacuum and wall coloured",
        async () => {
          const first = vac ?? wall;
          const skip = first ? Number((BigInt(first.start_ts) - open0) / NS / 60n) - 1 : 0;
          const page = await open(
            `/?product_type=future_mbo&symbol=${contract}&dt=${fut.dt}&speed=30&skip_minutes=${skip}`,
          );
          await until(page, "globalThis.__spymaster?.windows > 60");
          await page.waitForTimeout(300);
          assert.ok(await nonBlankShare(page, "#field") > 0.003, "heat field has colour");
          // the spot line's core is opaque 0x44ddff over its glow (serving.md §5.2 layer 4)
          const core = await page.evaluate("globalThis.__spymaster.spotPixel(5)") as number[];
          assert.ok(core, "the spot 5 s ago is in view");
          assert.ok(
            Math.abs(core[0] - 0x44) + Math.abs(core[1] - 0xdd) + Math.abs(core[2] - 0xff) <= 6,
            `spot line core colour: ${core}`,
          );
          assert.equal(await page.locator("#error").isHidden(), true);
          for (const [ep, want] of [[vac, "vacuum"], [wall, "wall"]] as const) {
            if (!ep) continue;
            const lead0 = (want === "vacuum" ? 5n : 60n) * NS;
            await play(page, BigInt(ep.start_ts) - lead0 - 20n * NS, BigInt(ep.end_ts) + 5n * NS);
            const tick = (ep.price_lo + ep.price_hi) / 2 / Number(
              await page.evaluate("globalThis.__spymaster.meta.tickSize"),
            );
            await page.evaluate(`globalThis.__spymaster.look(${tick}, 2, 0.25)`);
            const at = async (ts: bigint, price: number) =>
              await page.evaluate(
                `globalThis.__spymaster.sample("${(ts / NS + 1n) * NS}", ${price})`,
              ) as number[] | null;
            const lum = ([r, g, b]: number[]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
            // each price of the episode before it (5 s before a vacuum's pull, 60 s before a wall
            // is built) against the same price during it
            const lead = (want === "vacuum" ? 5n : 60n) * NS;
            const seen: string[] = [];
            let hit = false;
            for (const price of [ep.price_lo, (ep.price_lo + ep.price_hi) / 2, ep.price_hi]) {
              const before = await at(BigInt(ep.start_ts) - lead, price);
              if (!before) continue;
              for (let ts = BigInt(ep.start_ts) + NS; ts <= BigInt(ep.end_ts); ts += NS) {
                const p = await at(ts, price);
                if (!p) continue;
                if (seen.length < 8) seen.push(`${price}@${ts}: ${before} → ${p}`);
                hit ||= want === "vacuum"
                  // thinned to (near) black, or the dark red of pulled liquidity
                  ? (lum(p) <= 0.6 * lum(before) && lum(before) >= 20) ||
                    (p[0] > p[1] + 8 && p[0] > p[2])
                  // a brighter (deeper) level, or the pale wall colour
                  : lum(p) >= Math.max(1.25 * lum(before), lum(before) + 15) ||
                    (p[0] > 150 && p[1] > 150 && p[2] > 150);
              }
            }
            assert.ok(seen.length > 0, `${want}: the episode is in view`);
            assert.ok(hit, `${want} colour at its time and price: ${seen.join("; ")}`);
            await page.screenshot({ path: `${shots}/velocity-${want}.png` });
          }
          await page.screenshot({ path: `${shots}/velocity.png` });
          await page.close();
        },
      );

      await t.step("velocity: a bad symbol shows the server's error", async () => {
        const page = await open(`/?product_type=future_mbo&symbol=ZZZ9&dt=${fut.dt}`, true);
        await page.locator("#error").waitFor({ state: "visible", timeout: 20_000 });
        assert.match(await page.textContent("#error") ?? "", /symbol/i);
        await page.close();
      });

      await t.step(
        "vacuum-pressure: signals stream, heatmap coloured, picker switches",
        async () => {
          const first = vac ?? wall;
          const skip = first ? Number((BigInt(first.start_ts) - open0) / NS / 60n) - 1 : 0;
          const page = await open(
            `/vacuum-pressure.html?product_type=future_mbo&symbol=${contract}&dt=${fut.dt}` +
              `&speed=30&skip_minutes=${skip}`,
          );
          await until(page, "globalThis.__spymaster?.windows > 60");
          await page.waitForTimeout(300);
          assert.ok(await nonBlankShare(page, "#heatmap") > 0.01, "heatmap has colour");
          const cfg = await page.evaluate("globalThis.__spymaster.config") as Record<
            string,
            unknown
          >;
          assert.equal(cfg.symbol, contract);
          for (const [ep, want] of [[vac, "vacuum"], [wall, "wall"]] as const) {
            if (!ep) continue;
            const prices = [ep.price_lo, (ep.price_lo + ep.price_hi) / 2, ep.price_hi];
            await page.evaluate(`globalThis.__spymaster.probe(${JSON.stringify(prices)})`);
            await play(page, BigInt(ep.start_ts) - 20n * NS, BigInt(ep.end_ts) + 2n * NS);
            const px: number[][] = [];
            for (let ts = BigInt(ep.start_ts); ts <= BigInt(ep.end_ts) + NS; ts += NS) {
              const got = await page.evaluate(
                `globalThis.__spymaster.probed("${(ts / NS + 1n) * NS}")`,
              ) as (number[] | null)[] | null;
              for (const p of got ?? []) if (p) px.push(p);
            }
            assert.ok(px.length > 0, `${want}: the episode is in the grid`);
            // the hue tells the flow (a vacuum's emptied level is dark, so no brightness bound)
            const hit = want === "vacuum"
              ? px.some(([r, g, b]) => r > g + 4 && r > b) // draining: red over green and blue
              : px.some(([r, g, b]) => g > r + 4 && g > b); // building: green over red and blue
            assert.ok(hit, `${want} colour in the heatmap: ${JSON.stringify(px.slice(0, 12))}`);
            await page.screenshot({ path: `${shots}/vacuum-pressure-${want}.png` });
          }
          await page.evaluate(`globalThis.__spymaster.control({ type: "resume" })`);
          await page.screenshot({ path: `${shots}/vacuum-pressure.png` });
          // switch the product type (and with it the symbol) from the picker
          const options = await page.locator("#pick-product_type option").allTextContents();
          const other = options.find((o) => o !== "future_mbo" && !o.includes("not in lake"));
          if (other) {
            await page.selectOption("#pick-product_type", other);
            await until(
              page,
              `globalThis.__spymaster?.config?.product_type === "${other}" && ` +
                "globalThis.__spymaster.windows > 3",
            );
            const c2 = await page.evaluate("globalThis.__spymaster.config") as Record<
              string,
              unknown
            >;
            assert.notEqual(c2.symbol, contract, "the stream switched symbol");
            assert.match(page.url(), new RegExp(`product_type=${other}`), "choice kept in the URL");
          }
          await page.close();
        },
      );

      await t.step("a killed and restarted server is reconnected to", async () => {
        const page = await open(
          `/vacuum-pressure.html?product_type=future_mbo&symbol=${contract}&dt=${fut.dt}&speed=5`,
          true,
        );
        await until(page, "globalThis.__spymaster?.windows > 3");
        await server.shutdown();
        await until(page, `globalThis.__spymaster.state === "reconnecting"`, 20_000);
        server = await startServer({ lake, products, port, log: () => {} });
        const before = await page.evaluate("globalThis.__spymaster.windows") as number;
        await until(
          page,
          `globalThis.__spymaster.state === "streaming" && globalThis.__spymaster.windows > ${
            before + 3
          }`,
          40_000,
        );
        await page.close();
      });

      assert.deepEqual(errors, [], "no console errors");
    } finally {
      await browser.close();
      await server.shutdown();
      if (!reuse) await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
