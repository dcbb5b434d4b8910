// Scratch lakes for tests, in one temporary folder removed when the test process ends.
import { type Lake, openLake } from "../lake/lake.ts";
import { holdParquetWorkers } from "../lake/_sink.ts";

const TMP = Deno.makeTempDirSync({ prefix: "spymaster-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));

/**
 * A test function running `fn` on a new scratch lake that validates every row, with the Parquet
 * workers held for the test.
 */
export function withScratchLake(fn: (lake: Lake) => Promise<void>): () => Promise<void> {
  return async () => {
    const release = holdParquetWorkers();
    try {
      await fn(await openLake(await Deno.makeTempDir({ dir: TMP }), { validateEvery: 1 }));
    } finally {
      release();
    }
  };
}
