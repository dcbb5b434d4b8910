/**
 * Headless Chromium for the page tests and the pages bench: Debian's `/usr/bin/chromium` (or
 * `$CHROMIUM_PATH`) through playwright-core, with WebGL2 on SwiftShader (no GPU here) and none of
 * the background connections a closed network refuses.
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";
import { chromiumPath } from "../../sdk/testing/fixtures.ts";

/** Options of {@link launchChromium}. */
export interface ChromiumOptions {
  /**
   * Composite the page on the CPU (`--disable-gpu-compositing`, what Chromium itself does when it
   * finds no usable GPU) instead of on SwiftShader; WebGL still runs on SwiftShader.
   */
  softwareCompositing?: boolean;
}

/** Launches headless Chromium; throws when it is not installed. */
export async function launchChromium(opts: ChromiumOptions = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("Chromium is not installed (apt-get install chromium)");
  return await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      ...(opts.softwareCompositing ? ["--disable-gpu-compositing"] : []),
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
