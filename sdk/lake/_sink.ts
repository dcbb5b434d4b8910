// Main-thread client of the Parquet workers: shared by the writers of the process, started on
// first use and terminated when the last writer releases them (so no worker keeps the process
// alive).
import type { WireDone, WireError, WirePart } from "./_wire.ts";
import { holdScanWorkers } from "./_scan_pool.ts";

interface Pending {
  resolve: (d: WireDone) => void;
  reject: (e: Error) => void;
}

/**
 * Parquet workers per process (`SPYMASTER_PARQUET_WORKERS`, default 2, at most the core count):
 * each encodes whole parts on its own DuckDB thread, so two of them keep both cores of a small
 * machine busy while the producer waits.
 */
const WORKERS = (() => {
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  try {
    const n = Number(Deno.env.get("SPYMASTER_PARQUET_WORKERS") ?? Math.min(2, cores));
    return Number.isInteger(n) && n >= 1 && n <= 8 ? n : 1;
  } catch {
    return Math.min(2, cores);
  }
})();

/**
 * Keeps the Parquet workers (writers and readers) running until the returned function is called
 * (they otherwise stop when the last writer or reader finishes and restart, ~0.2 s, for the next
 * one).
 */
export function holdParquetWorkers(): () => void {
  const sink = ParquetSink.shared();
  sink.acquire();
  const releaseReaders = holdScanWorkers();
  let released = false;
  return () => {
    if (!released) {
      sink.release();
      releaseReaders();
    }
    released = true;
  };
}

/** Writes columnar parts to Parquet in DuckDB workers. */
export class ParquetSink {
  static #shared: ParquetSink | null = null;
  #workers: (Worker | null)[] = new Array(WORKERS).fill(null);
  #load: number[] = new Array(WORKERS).fill(0);
  #pending = new Map<number, Pending & { slot: number }>();
  #next = 1;
  #users = 0;

  /** The process-wide sink. */
  static shared(): ParquetSink {
    return (ParquetSink.#shared ??= new ParquetSink());
  }

  /** Registers a user; the worker lives while there are users. */
  acquire(): void {
    this.#users++;
  }

  /** Unregisters a user; the worker stops when the last one leaves and nothing is pending. */
  release(): void {
    this.#users = Math.max(0, this.#users - 1);
    this.#maybeStop();
  }

  #maybeStop(): void {
    if (this.#users > 0 || this.#pending.size > 0) return;
    this.#workers.forEach((w, i) => {
      w?.terminate();
      this.#workers[i] = null;
    });
  }

  #start(slot: number): Worker {
    const existing = this.#workers[slot];
    if (existing) return existing;
    const w = new Worker(new URL("./_parquet_worker.ts", import.meta.url), { type: "module" });
    w.onmessage = (e: MessageEvent<WireDone | WireError>) => {
      const m = e.data;
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      this.#load[p.slot]--;
      if (m.type === "done") p.resolve(m);
      else p.reject(new Error(`Parquet writer: ${m.message}`));
      this.#maybeStop();
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const err = new Error(`Parquet worker failed: ${e.message}`);
      for (const [id, p] of this.#pending) {
        if (p.slot !== slot) continue;
        p.reject(err);
        this.#pending.delete(id);
      }
      this.#load[slot] = 0;
      w.terminate();
      this.#workers[slot] = null;
    };
    this.#workers[slot] = w;
    return w;
  }

  /** Writes one part; the column buffers are transferred and come back in the reply. */
  write(part: Omit<WirePart, "type" | "id">): Promise<WireDone> {
    const id = this.#next++;
    const msg: WirePart = { type: "write", id, ...part };
    const transfer = part.columns.flatMap((c) => (c.valid ? [c.buffer, c.valid] : [c.buffer]));
    let slot = 0;
    for (let i = 1; i < WORKERS; i++) if (this.#load[i] < this.#load[slot]) slot = i;
    this.#load[slot]++;
    return new Promise<WireDone>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, slot });
      this.#start(slot).postMessage(msg, transfer);
    });
  }
}
