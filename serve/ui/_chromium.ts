/**
 * Headless Chromium for the page tests and the pages bench: Debian's `/usr/bin/chromium` (or
 * `$CHROMIUM_PATH`) through playwright-core, with WebGL2 on SwiftShader (no GPU here) and none of
 * the background connections a closed network refuses.
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";
import { chromiumPath } from "../../sdk/testing/fixtures.ts";

/** Launches headless Chromium; throws when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("Chromium is not installed (apt-get install chromium)");
  return await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
