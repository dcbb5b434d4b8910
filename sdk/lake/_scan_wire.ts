// Messages between the lake reader (main thread) and its scan worker.
import type { ScanColumn, ScanRequest } from "./_scan.ts";

/** Index of the credit word (batches the worker may still post) in the control array. */
export const CREDITS = 0;
/** Index of the cancel word (non-zero: stop the scan). */
export const CANCEL = 1;

/** Starts a scan; `ctl` is an Int32Array's SharedArrayBuffer of two words (credits, cancel). */
export interface ScanStart {
  req: ScanRequest;
  ctl: SharedArrayBuffer;
}

/** Worker replies: the columns, then batches, then done (or an error). */
export type ScanReply =
  | { type: "plan"; columns: ScanColumn[] }
  | { type: "batch"; length: number; buffers: ArrayBuffer[] }
  | { type: "done" }
  | { type: "error"; message: string };
