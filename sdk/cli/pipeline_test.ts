import assert from "node:assert/strict";
import { parsePipelineArgs } from "./pipeline.ts";

Deno.test("flags: compatible date forms and precedence (pipeline.md §1.1)", () => {
  const base = ["--product-type", "future_mbo", "--layer", "bronze", "--symbol", "MNQ"];
  const dates = (...a: string[]) => parsePipelineArgs([...base, ...a])!.dates;
  assert.deepStrictEqual(dates("--dt", "2026-02-06", "--dates", "2026-01-01"), ["2026-02-06"]);
  assert.deepStrictEqual(dates("--dates", "2026-02-06,2026-02-04,2026-02-06"), [
    "2026-02-04",
    "2026-02-06",
  ]);
  assert.deepStrictEqual(dates("--dates", "2026-02-27:2026-03-02"), [
    "2026-02-27",
    "2026-02-28",
    "2026-03-01",
    "2026-03-02",
  ]);
  assert.deepStrictEqual(
    dates("--dates", "2026-01-01", "--start-date", "2026-02-06", "--end-date", "2026-02-07"),
    ["2026-02-06", "2026-02-07"],
  );
  assert.deepStrictEqual(dates("--start", "2026-02-06", "--end", "2026-02-06"), ["2026-02-06"]);
  assert.throws(() => dates(), /Must provide --dt, --dates, or --start-date\/--end-date/);
  assert.throws(() => dates("--start-date", "2026-02-06"), /must be given together/);
  assert.throws(
    () => dates("--dt", "2026-02-30"),
    /--dt: expected a date YYYY-MM-DD, got '2026-02-30'/,
  );
  assert.throws(
    () => dates("--dates", "2026-02-07:2026-02-06"),
    /end date 2026-02-06 is before start date 2026-02-07/,
  );
  const p = parsePipelineArgs([
    ...base,
    "--dt",
    "2026-02-06",
    "--workers",
    "3",
    "--overwrite",
    "--lake",
    "/x",
  ]);
  assert.deepStrictEqual([p!.workers, p!.overwrite, p!.lakeRoot], [
    3,
    true,
    "/x",
  ]);
  assert.throws(
    () => parsePipelineArgs([...base, "--dt", "2026-02-06", "--workers", "0"]),
    /--workers: expected an integer >= 1, got '0'/,
  );
  assert.throws(() => parsePipelineArgs(["--layer", "bronze"]), /--product-type is required/);
  assert.throws(
    () => parsePipelineArgs([...base, "--dt", "2026-02-06", "--bogus"]),
    /unknown flag --bogus/,
  );
  // `--layer all` runs every registered layer (gold is added by its own branch)
  assert.equal(
    parsePipelineArgs([
      ...base.slice(0, 2),
      "--layer",
      "all",
      ...base.slice(4),
      "--dt",
      "2026-02-06",
    ])!.layer,
    "all",
  );
  assert.throws(() => dates("--seed", "-3"), /unknown flag --seed; valid flags/);
});
