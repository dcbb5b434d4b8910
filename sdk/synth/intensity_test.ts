import assert from "node:assert/strict";
import { intensityProfile } from "./intensity.ts";

const H = 3600;

Deno.test("futures: Globex halt 17:00-18:00 ET, pre-open from 17:45, no Friday reopen, DST-aware", () => {
  const tue = intensityProfile("future_mbo", "2026-01-06"); // EST: ET = UTC - 5
  assert.equal(tue[22 * H + 30 * 60], 0, "17:30 ET halt");
  assert.ok(tue[22 * H + 50 * 60] > 0, "17:50 ET pre-open");
  assert.ok(tue[23 * H + 60] > 0, "18:01 ET reopened");
  assert.ok(tue[14 * H + 31 * 60] > 10 * tue[5 * H], "cash open far busier than midnight ET");
  const fri = intensityProfile("future_mbo", "2026-01-09");
  assert.equal(fri[23 * H + 60], 0, "no reopen on Friday evening");
  const mon = intensityProfile("future_mbo", "2026-01-05");
  assert.ok(mon[60] > 0, "Monday 00:00 UTC is Sunday 19:00 ET: open");
  const summer = intensityProfile("future_mbo", "2026-07-07"); // EDT: ET = UTC - 4
  assert.equal(summer[21 * H + 30 * 60], 0, "17:30 EDT halt");
  assert.ok(summer[13 * H + 31 * 60] > 3, "09:31 EDT open peak");
});

Deno.test("equities 04:00-20:00 ET, equity options 09:30-16:00 ET, futures options stop at the 16:00 expiry", () => {
  const eq = intensityProfile("equity_mbo", "2026-01-06");
  assert.equal(eq[8 * H + 59 * 60], 0, "03:59 ET");
  assert.ok(eq[9 * H + 60] > 0, "04:01 ET");
  assert.ok(
    eq[14 * H + 30 * 60 + 10] > 20 * eq[9 * H + 60],
    "the open dwarfs the early pre-market",
  );
  const opra = intensityProfile("equity_option_cmbp_1", "2026-01-06");
  assert.equal(opra[14 * H + 29 * 60], 0);
  assert.ok(opra[14 * H + 30 * 60] > 0);
  assert.equal(opra[21 * H], 0);
  const fo = intensityProfile("future_option_mbo", "2026-01-06");
  assert.ok(fo[20 * H + 59 * 60] > 0, "15:59 ET");
  assert.equal(fo[21 * H + 60], 0, "16:01 ET: expired");
  assert.equal(fo[23 * H + 30 * 60], 0, "the evening session belongs to the next expiry");
  assert.ok(
    fo[2 * H] > 0 && fo[2 * H] < intensityProfile("future_mbo", "2026-01-06")[2 * H],
    "thin overnight",
  );
});
