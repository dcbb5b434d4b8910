/**
 * Session windows of the bronze layer and the time-zone helpers of the 0DTE rules.
 *
 * @module
 */
import { checkDate } from "../lake/paths.ts";
import type { ProductType } from "../pipeline/registry.ts";

const NS_PER_MS = 1_000_000n;

/** Nanoseconds since the UNIX epoch of `YYYY-MM-DD` at `hh:mm` UTC. */
export function utcNs(dt: string, hh = 0, mm = 0): bigint {
  checkDate(dt);
  return BigInt(Date.parse(`${dt}T00:00:00Z`) + (hh * 60 + mm) * 60_000) * NS_PER_MS;
}

/**
 * The bronze session window `[start, end)` in ns (pipeline.md §2.1): futures the whole UTC day;
 * equities 02:00-16:00 at a fixed UTC-5 (07:00-21:00 UTC, whatever the season). Records outside
 * it are kept anyway when they are snapshot records (flag 32) or clears (action `R`).
 */
export function sessionWindow(dt: string, productType: ProductType): [bigint, bigint] {
  switch (productType) {
    case "future_mbo":
    case "future_option_mbo":
      return [utcNs(dt), utcNs(dt) + 86_400_000_000_000n];
    case "equity_mbo":
    case "equity_option_cmbp_1":
      return [utcNs(dt, 7), utcNs(dt, 21)];
  }
}

const NY = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The America/New_York calendar date (`YYYY-MM-DD`, DST-aware) of a ns timestamp. */
export function newYorkDate(ns: bigint): string {
  return NY.format(new Date(Number(ns / NS_PER_MS)));
}

/** The UTC calendar date (`YYYY-MM-DD`) of a ns timestamp. */
export function utcDate(ns: bigint): string {
  return new Date(Number(ns / NS_PER_MS)).toISOString().slice(0, 10);
}
