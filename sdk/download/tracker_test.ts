import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  emptyTracker,
  FileTrackerStore,
  jobKey,
  symbolsDigest,
  type TrackerData,
} from "./tracker.ts";

Deno.test("key format matches the original (downloader.md §1.4)", () => {
  assert.equal(
    jobKey("OPRA.PILLAR", "cmbp-1", "QQQ", "2026-02-06", "equity_options"),
    "OPRA.PILLAR|cmbp-1|QQQ|2026-02-06|equity_options",
  );
});

Deno.test("symbols digest = sha256 of the sorted symbols joined with U+001F", () => {
  const want = createHash("sha256").update("SYM_A\u001fSYM_B").digest("hex");
  assert.equal(symbolsDigest(["SYM_B", "SYM_A"]), want);
});

Deno.test("file store: missing file is empty; save creates the folder; round trip; no temp files left", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "logs", "futures_jobs.json");
    const store = new FileTrackerStore(path);
    assert.deepEqual(await store.load(), emptyTracker());
    const data: TrackerData = {
      jobs: {
        "GLBX.MDP3|mbo|SI|2026-02-06|futures": {
          job_id: "GLBX-20260212-AAAAAAAAAA",
          dataset: "GLBX.MDP3",
          schema: "mbo",
          symbol: "SI",
          date_str: "2026-02-06",
          product_type: "futures",
          symbols_count: 1,
          symbols_digest: symbolsDigest(["SIH6"]),
          stype_in: "raw_symbol",
          state: "received",
          submitted_at: "2026-02-12T17:01:02.123Z",
        },
      },
      pending_downloads: [],
      intents: {},
    };
    await store.save(data);
    await store.save(data); // rename over an existing file
    assert.deepEqual(await store.load(), data);
    const names = [...Deno.readDirSync(join(dir, "logs"))].map((e) => e.name);
    assert.deepEqual(names, ["futures_jobs.json"]);
    assert.match(await Deno.readTextFile(path), /^\{\n {2}"jobs"/); // 2-space indent
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file store: a corrupt tracker is an error naming the file", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, "{not json");
    await assert.rejects(new FileTrackerStore(path).load(), (e: Error) => e.message.includes(path));
  } finally {
    await Deno.remove(path);
  }
});
