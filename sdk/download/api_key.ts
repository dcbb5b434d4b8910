/**
 * Settings from the environment or a `.env` file: the API key (`DATABENTO_API_KEY`) and the API
 * base URL (`DATABENTO_API_URL`).
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { DatabentoError } from "./errors.ts";

/** Default Databento historical gateway. */
export const DEFAULT_API_URL = "https://hist.databento.com";

/** Where to look for settings. */
export interface SettingsOptions {
  /** `.env` files to read, first match wins. Default: `.env` in the working directory and its parents. */
  dotenvPaths?: string[];
}

function envGet(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env
  }
}

function defaultDotenvPaths(): string[] {
  const out: string[] = [];
  let dir = resolve(Deno.cwd());
  for (;;) {
    out.push(join(dir, ".env"));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return out;
}

/** Parses `.env` text (`NAME=value`, optional `export `, quotes, `#` comments) into a map. */
export function parseDotenv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    const q = value[0];
    if ((q === '"' || q === "'") && value.lastIndexOf(q) > 0) {
      value = value.slice(1, value.lastIndexOf(q));
    } else {
      const hash = value.search(/\s#/);
      if (hash >= 0) value = value.slice(0, hash);
      value = value.trim();
    }
    out.set(m[1], value);
  }
  return out;
}

/**
 * Reads a setting: the environment variable first, then the first `.env` file that defines it.
 * Returns `undefined` when neither has it.
 */
export async function readSetting(
  name: string,
  options: SettingsOptions = {},
): Promise<string | undefined> {
  const fromEnv = envGet(name);
  if (fromEnv !== undefined && fromEnv.trim() !== "") return fromEnv.trim();
  for (const path of options.dotenvPaths ?? defaultDotenvPaths()) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch {
      continue;
    }
    const v = parseDotenv(text).get(name);
    if (v !== undefined && v.trim() !== "") return v.trim();
  }
  return undefined;
}

/**
 * Checks an API key the way the official client does: not empty, not blank, not the placeholder
 * `YOUR_API_KEY`. Returns the trimmed key. The error never contains the key.
 */
export function validateApiKey(key: string | undefined): string {
  const k = (key ?? "").trim();
  if (k === "") {
    throw new DatabentoError(
      "DATABENTO_API_KEY not set: export it or put DATABENTO_API_KEY=... in a .env file",
    );
  }
  if (k === "YOUR_API_KEY") {
    throw new DatabentoError("DATABENTO_API_KEY is the placeholder YOUR_API_KEY: use your own key");
  }
  if (/\s/.test(k)) throw new DatabentoError("DATABENTO_API_KEY contains whitespace");
  return k;
}

/** Loads and validates `DATABENTO_API_KEY` from the environment or a `.env` file. */
export async function loadApiKey(options: SettingsOptions = {}): Promise<string> {
  return validateApiKey(await readSetting("DATABENTO_API_KEY", options));
}

/**
 * Normalises an API base URL. `https://` URLs are accepted for any host; plain `http://` only for
 * loopback hosts (a local proxy or a test server), so the key never crosses a network in clear.
 * A bare host name gets `https://`. The path and query are dropped.
 */
export function normalizeApiUrl(url: string): string {
  const s = url.trim();
  if (s === "" || s === "//") throw new DatabentoError(`invalid API URL '${url}'`);
  let u: URL;
  try {
    u = new URL(/^[a-z]+:\/\//i.test(s) ? s : `https://${s.replace(/^\/\//, "")}`);
  } catch {
    throw new DatabentoError(`invalid API URL '${url}'`);
  }
  if (u.protocol === "http:") {
    const host = u.hostname.replace(/^\[|\]$/g, "");
    if (host !== "localhost" && host !== "::1" && !/^127\./.test(host)) {
      throw new DatabentoError(
        `API URL '${url}' uses http:// for a non-loopback host; use https:// (the key would travel in clear)`,
      );
    }
  } else if (u.protocol !== "https:") {
    throw new DatabentoError(`API URL '${url}' must be http(s)://`);
  }
  return u.origin;
}

/** Reads `DATABENTO_API_URL` (environment or `.env`), defaulting to Databento's gateway. */
export async function loadApiUrl(options: SettingsOptions = {}): Promise<string> {
  return normalizeApiUrl((await readSetting("DATABENTO_API_URL", options)) ?? DEFAULT_API_URL);
}
