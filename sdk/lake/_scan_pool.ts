// Reader workers of this process: started on demand, one per running scan, kept for reuse while
// something holds them (see `holdParquetWorkers`) and terminated otherwise. They are Node-style
// workers so that they can be unreferenced: a worker keeps the process alive only while a reader
// is waiting for it, and a reader abandoned mid-scan does not stop the process from exiting.
import { Worker } from "node:worker_threads";

let holds = 0;
const idle: Worker[] = [];

/** A worker for one scan (an idle one when there is one), unreferenced. */
export function acquireScanWorker(): Worker {
  const w = idle.pop() ?? new Worker(new URL("./_scan_worker.ts", import.meta.url));
  w.unref();
  return w;
}

/** Gives a worker back after its scan; `broken` workers (failed, or mid-scan) are terminated. */
export function releaseScanWorker(w: Worker, broken = false): void {
  w.removeAllListeners("message");
  w.removeAllListeners("error");
  w.removeAllListeners("exit");
  w.unref();
  if (broken || holds === 0) void w.terminate();
  else idle.push(w);
}

/** Keeps finished scan workers for reuse until the returned function is called. */
export function holdScanWorkers(): () => void {
  holds++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holds--;
    if (holds === 0) { for (const w of idle.splice(0)) void w.terminate(); }
  };
}
