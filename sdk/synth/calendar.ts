/**
 * Calendar helpers of the synthetic market: trading days, US Eastern offsets, day boundaries.
 *
 * @module
 */

const DAY_MS = 86_400_000;

/** Parses `YYYY-MM-DD` strictly; returns the UNIX day number (days since 1970-01-01). */
export function parseDay(date: string, what = "date"): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`${what} must be YYYY-MM-DD, got '${date}'`);
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`${what} is not a calendar date: '${date}'`);
  }
  return ms / DAY_MS;
}

/** Formats a UNIX day number as `YYYY-MM-DD`. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYYMMDD` form of a date, as in Databento file names. */
export function compactDay(date: string): string {
  return date.replaceAll("-", "");
}

/** Day of the week of a UNIX day number (0 = Sunday … 6 = Saturday). */
export function weekdayOf(day: number): number {
  return (day + 4) % 7; // 1970-01-01 was a Thursday
}

/** 00:00 UTC of `date` in ns since the UNIX epoch. */
export function dayStartNs(date: string): bigint {
  return BigInt(parseDay(date)) * 86_400_000_000_000n;
}

function nthSunday(year: number, month0: number, n: number): number {
  const first = Date.UTC(year, month0, 1) / DAY_MS;
  const dow = weekdayOf(first);
  return first + ((7 - dow) % 7) + 7 * (n - 1);
}

/**
 * Offset of US Eastern time from UTC in hours (-4 in daylight saving time, -5 otherwise) at noon
 * UTC of `date` (rules in force since 2007: second Sunday of March to first Sunday of November).
 */
export function easternOffsetHours(date: string): number {
  const day = parseDay(date);
  const year = new Date(day * DAY_MS).getUTCFullYear();
  const start = nthSunday(year, 2, 2);
  const end = nthSunday(year, 10, 1);
  return day >= start && day < end ? -4 : -5;
}

/** Seconds after 00:00 UTC of `date` at which Eastern wall-clock time `hh:mm` falls (may be < 0 or >= 86400). */
export function easternToUtcSecond(date: string, hh: number, mm = 0): number {
  return (hh * 60 + mm) * 60 - easternOffsetHours(date) * 3600;
}

/**
 * Trading days from `start` to `end` inclusive, weekends skipped (no exchange holiday calendar).
 * Throws when `end` is before `start`.
 */
export function tradingDays(start: string, end: string): string[] {
  const a = parseDay(start, "start"), b = parseDay(end, "end");
  if (b < a) throw new RangeError(`end date ${end} is before start date ${start}`);
  const out: string[] = [];
  for (let d = a; d <= b; d++) {
    const w = weekdayOf(d);
    if (w !== 0 && w !== 6) out.push(formatDay(d));
  }
  return out;
}

/** The next trading day (Monday to Friday) after `date`. */
export function nextTradingDay(date: string): string {
  let d = parseDay(date) + 1;
  while (weekdayOf(d) === 0 || weekdayOf(d) === 6) d++;
  return formatDay(d);
}
