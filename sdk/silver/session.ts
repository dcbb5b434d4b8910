/**
 * Session windows of the silver stage in US Eastern time (DST-aware, `America/New_York`).
 *
 * @module
 */

const NS_PER_MS = 1_000_000n;

const etFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** Offset of New York wall-clock time from UTC at UTC instant `ms`, in minutes (-240 or -300). */
export function easternOffsetMinutes(ms: number): number {
  const p: Record<string, number> = {};
  for (const part of etFormat.formatToParts(new Date(ms))) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

function parseDate(dt: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dt);
  if (!m) throw new RangeError(`session date must be YYYY-MM-DD, got ${JSON.stringify(dt)}`);
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    throw new RangeError(`not a calendar date: ${dt}`);
  }
  return [y, mo, d];
}

/** UTC ns of New York wall-clock time `hh:mm` on `dt` (YYYY-MM-DD). */
export function easternNs(dt: string, hh: number, mm = 0): bigint {
  const [y, mo, d] = parseDate(dt);
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  let utc = wall - easternOffsetMinutes(wall) * 60_000;
  utc = wall - easternOffsetMinutes(utc) * 60_000;
  return BigInt(utc) * NS_PER_MS;
}

/** A range of window ends, both inclusive, in ns. */
export interface WindowRange {
  /** First window end emitted. */
  startNs: bigint;
  /** Last window end emitted. */
  endNs: bigint;
}

/**
 * The regular US session of `dt`: window ends from 09:30:00 to 16:00:00 New York time, both
 * inclusive (23,401 one-second windows; the first one is 09:29:59–09:30:00, as in the original's
 * `window_end >= 09:30` filter).
 */
export function regularSession(dt: string): WindowRange {
  return { startNs: easternNs(dt, 9, 30), endNs: easternNs(dt, 16, 0) };
}
