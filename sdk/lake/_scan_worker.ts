// Worker of the lake reader: scans one partition at a time with its own single-threaded DuckDB
// and posts the batches (buffers transferred) to the reader. It may run `credits` batches ahead of
// the consumer; past that it blocks (Atomics.wait), which also pauses DuckDB, so memory stays
// bounded. Setting the cancel word stops the scan at its next chunk.
import { parentPort } from "node:worker_threads";
import { ScanCancelled, ScanConnection } from "./_scan.ts";
import { CANCEL, CREDITS, type ScanReply, type ScanStart } from "./_scan_wire.ts";

const port = parentPort!;
let connection: Promise<ScanConnection> | null = null;

port.on("message", async (start: ScanStart) => {
  const ctl = new Int32Array(start.ctl);
  const post = (m: ScanReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  try {
    const sc = await (connection ??= ScanConnection.open());
    await sc.scan(start.req, {
      plan: (columns) => post({ type: "plan", columns }),
      batch: (b) => {
        for (;;) {
          if (Atomics.load(ctl, CANCEL)) throw new ScanCancelled();
          const c = Atomics.load(ctl, CREDITS);
          if (c > 0) {
            if (Atomics.compareExchange(ctl, CREDITS, c, c - 1) === c) break;
            continue;
          }
          Atomics.wait(ctl, CREDITS, c, 250);
        }
        post({ type: "batch", length: b.length, buffers: b.buffers }, b.buffers);
      },
    });
    post({ type: "done" });
  } catch (err) {
    if (err instanceof ScanCancelled) post({ type: "done" });
    else post({ type: "error", message: (err as Error).message ?? String(err) });
  }
});
