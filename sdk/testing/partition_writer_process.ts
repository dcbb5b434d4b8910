// A separate process that writes one (empty) partition, for the cross-process lock tests:
//   deno run -A partition_writer_process.ts <lake> <dataset> <symbol> <dt> <readyFile> [goFile]
// Opens the writer, creates <readyFile>, waits for <goFile> (when given), commits. Exits 0 on
// success, 3 with the error message on stderr when the writer cannot be opened or committed.
import { openLake } from "../lake/lake.ts";
import { PartitionWriter } from "../lake/writer.ts";

const [root, dataset, symbol, dt, ready, go] = Deno.args;
const lake = await openLake(root);
let w: PartitionWriter;
try {
  w = await PartitionWriter.open(lake, dataset, { symbol, dt }, { stage: "lock_test" });
} catch (e) {
  console.error((e as Error).message);
  Deno.exit(3);
}
await Deno.writeTextFile(ready, w.tmpDir);
if (go) {
  for (;;) {
    try {
      await Deno.stat(go);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
try {
  await w.commit();
} catch (e) {
  console.error((e as Error).message);
  Deno.exit(3);
}
Deno.exit(0);
