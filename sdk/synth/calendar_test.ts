import assert from "node:assert/strict";
import {
  compactDay,
  dayStartNs,
  easternOffsetHours,
  easternToUtcSecond,
  nextTradingDay,
  parseDay,
  tradingDays,
  weekdayOf,
} from "./calendar.ts";

Deno.test("trading days skip weekends (downloader acceptance case E8)", () => {
  assert.deepEqual(tradingDays("2026-01-05", "2026-01-12"), [
    "2026-01-05",
    "2026-01-06",
    "2026-01-07",
    "2026-01-08",
    "2026-01-09",
    "2026-01-12",
  ]);
  assert.deepEqual(tradingDays("2026-01-06", "2026-01-06"), ["2026-01-06"]);
  assert.deepEqual(tradingDays("2026-01-10", "2026-01-11"), []);
  assert.throws(() => tradingDays("2026-01-12", "2026-01-05"), /before start/);
  assert.equal(tradingDays("2026-01-01", "2026-02-28").length, 22 + 20); // Jan 1 is a Thursday
  assert.equal(nextTradingDay("2026-01-09"), "2026-01-12");
});

Deno.test("dates are parsed strictly", () => {
  assert.equal(parseDay("1970-01-02"), 1);
  assert.equal(weekdayOf(parseDay("2026-01-06")), 2); // a Tuesday
  assert.equal(dayStartNs("2026-01-06"), 1_767_657_600_000_000_000n);
  assert.equal(compactDay("2026-01-06"), "20260106");
  assert.throws(() => parseDay("2026-02-30"), /calendar date/);
  assert.throws(() => parseDay("2026-1-5"), /YYYY-MM-DD/);
  assert.throws(() => parseDay("20260105", "start"), /start must be/);
});

Deno.test("US Eastern offsets follow the 2007 DST rules (2026: March 8 to November 1)", () => {
  assert.equal(easternOffsetHours("2026-03-06"), -5);
  assert.equal(easternOffsetHours("2026-03-08"), -4);
  assert.equal(easternOffsetHours("2026-03-09"), -4);
  assert.equal(easternOffsetHours("2026-10-30"), -4);
  assert.equal(easternOffsetHours("2026-11-01"), -5);
  assert.equal(easternOffsetHours("2025-03-10"), -4); // 2025: March 9
  assert.equal(easternOffsetHours("2025-03-07"), -5);
  // 09:30 ET = 14:30 UTC in winter, 13:30 UTC in summer
  assert.equal(easternToUtcSecond("2026-01-06", 9, 30), 14.5 * 3600);
  assert.equal(easternToUtcSecond("2026-07-07", 9, 30), 13.5 * 3600);
  assert.equal(easternToUtcSecond("2026-01-06", 18), 23 * 3600);
  assert.equal(easternToUtcSecond("2026-01-06", 20), 25 * 3600); // after the UTC day
});
