/**
 * Calendar helpers for the downloaders: `YYYY-MM-DD` dates in UTC, session-day ranges.
 *
 * @module
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` into a UTC midnight `Date`; throws naming `param` when invalid. */
export function parseDate(s: string, param = "date"): Date {
  const m = DATE.exec(s?.trim() ?? "");
  if (!m) throw new RangeError(`${param}: '${s}' is not a YYYY-MM-DD date`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.toISOString().slice(0, 10) !== m[0]) {
    throw new RangeError(`${param}: '${s}' is not a valid date`);
  }
  return d;
}

/** Formats a Date's UTC day as `YYYY-MM-DD`. */
export function formatDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Adds `n` days to a `YYYY-MM-DD` date. */
export function addDays(date: string, n: number): string {
  const d = parseDate(date);
  d.setUTCDate(d.getUTCDate() + n);
  return formatDate(d);
}

/** Day of week of a `YYYY-MM-DD` date: 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return parseDate(date).getUTCDay();
}

/** `YYYYMMDD` form of a `YYYY-MM-DD` date (as in Databento file names). */
export function compactDate(date: string): string {
  return date.replaceAll("-", "");
}

/** UTC calendar date (`YYYY-MM-DD`) of a nanosecond timestamp. */
export function nsToDate(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);
}

/**
 * Session dates from `start` to `end` inclusive. Futures skip Saturdays only (Globex has a Sunday
 * session); equities skip Saturdays and Sundays. `end` before `start` is an error.
 */
export function sessionDates(start: string, end: string, kind: "futures" | "equities"): string[] {
  const s = parseDate(start, "--start");
  const e = parseDate(end, "--end");
  if (e < s) throw new RangeError(`end date before start date (--start ${start}, --end ${end})`);
  const out: string[] = [];
  for (const d = new Date(s); d <= e; d.setUTCDate(d.getUTCDate() + 1)) {
    const wd = d.getUTCDay();
    if (wd === 6) continue;
    if (kind === "equities" && wd === 0) continue;
    out.push(formatDate(d));
  }
  return out;
}
