/**
 * Exchange wall-clock time of window timestamps, DST-aware (the original's page assumed a fixed
 * UTC−5, an hour off from March to November: serving.md §8 item 20).
 *
 * @module
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(timeZone, f);
  }
  return f;
}

/**
 * `HH:MM:SS` of a ns timestamp in the exchange's time zone (default `America/New_York`, where
 * both CME equity-index futures and US equities keep their session times).
 *
 * @example
 * ```ts
 * import { vpExchangeTime } from "@spymaster/sdk/features";
 * console.log(vpExchangeTime(1_770_388_200_000_000_000n)); // 09:30:00 (2026-02-06, EST)
 * console.log(vpExchangeTime(1_773_063_000_000_000_000n)); // 09:30:00 (2026-03-09, EDT)
 * ```
 */
export function vpExchangeTime(ns: bigint, timeZone = "America/New_York"): string {
  return format(timeZone).format(new Date(Number(ns / 1_000_000n)));
}
