/**
 * Progress display of the batch downloader: on a TTY a live block (jobs table; bytes, rate and ETA
 * per file) redrawn on stderr under the log lines; elsewhere only the log lines.
 *
 * @module
 */
import type { DownloadProgress } from "./download_file.ts";

/** One row of the jobs table. */
export interface JobRow {
  /** Tracker key. */
  key: string;
  /** Batch job id. */
  job_id: string;
  /** Job state. */
  state: string;
  /** Files downloaded so far. */
  files: string;
}

/** Receives log lines and progress. */
export interface ProgressSink {
  /** A finished log line (already timestamped). */
  line(text: string): void;
  /** The current jobs table. */
  jobs(rows: JobRow[]): void;
  /** Progress of one file. */
  file(key: string, p: DownloadProgress): void;
  /** Removes the live block. */
  close(): void;
}

/** Human-readable byte count. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function formatEta(sec: number): string {
  if (!Number.isFinite(sec)) return "--:--";
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}`
    : `${m}:${String(r).padStart(2, "0")}`;
}

/** Plain sink: log lines to `out` (default stdout), no live block. */
export class PlainProgress implements ProgressSink {
  #out: (text: string) => void;
  /** Creates the sink. */
  constructor(out: (text: string) => void = (t) => console.log(t)) {
    this.#out = out;
  }
  /** Prints the line. */
  line(text: string): void {
    this.#out(text);
  }
  /** No-op. */
  jobs(_rows: JobRow[]): void {}
  /** No-op. */
  file(_key: string, _p: DownloadProgress): void {}
  /** No-op. */
  close(): void {}
}

/** TTY sink: log lines on stdout, a redrawn block of jobs and file progress on stderr. */
export class TtyProgress implements ProgressSink {
  #rows: JobRow[] = [];
  #files = new Map<string, DownloadProgress>();
  #drawn = 0;
  #last = 0;
  #enc = new TextEncoder();

  #write(s: string, err = true): void {
    const bytes = this.#enc.encode(s);
    const w = err ? Deno.stderr : Deno.stdout;
    let off = 0;
    while (off < bytes.length) off += w.writeSync(bytes.subarray(off));
  }

  #clear(): void {
    if (this.#drawn > 0) this.#write(`\x1b[${this.#drawn}A\x1b[J`);
    this.#drawn = 0;
  }

  #render(): void {
    this.#clear();
    const cols = Deno.stderr.isTerminal() ? Deno.consoleSize().columns : 120;
    const lines: string[] = [];
    if (this.#rows.length) {
      const w = Math.min(60, Math.max(...this.#rows.map((r) => r.key.length)));
      lines.push(`${"job".padEnd(w)}  ${"state".padEnd(10)}  ${"id".padEnd(26)}  files`);
      for (const r of this.#rows.slice(0, 30)) {
        lines.push(
          `${r.key.slice(0, w).padEnd(w)}  ${r.state.padEnd(10)}  ${
            r.job_id.padEnd(26)
          }  ${r.files}`,
        );
      }
      if (this.#rows.length > 30) lines.push(`… ${this.#rows.length - 30} more`);
    }
    for (const p of this.#files.values()) {
      const pct = p.total > 0 ? ((100 * p.bytes) / p.total).toFixed(1) : "100.0";
      lines.push(
        `↓ ${p.file}  ${formatBytes(p.bytes)} / ${formatBytes(p.total)} (${pct}%)  ${
          formatBytes(p.bytesPerSec)
        }/s  ETA ${formatEta(p.etaSec)}`,
      );
    }
    const text = lines.map((l) => (l.length >= cols ? l.slice(0, cols - 1) : l)).join("\n");
    if (text) this.#write(text + "\n");
    this.#drawn = lines.length;
    this.#last = performance.now();
  }

  /** Prints a log line above the live block. */
  line(text: string): void {
    this.#clear();
    this.#write(text + "\n", false);
    this.#render();
  }

  /** Updates the jobs table. */
  jobs(rows: JobRow[]): void {
    this.#rows = rows;
    this.#render();
  }

  /** Updates one file's progress line (redraws at most 5 times a second). */
  file(_key: string, p: DownloadProgress): void {
    if (p.done) this.#files.delete(p.file);
    else this.#files.set(p.file, p);
    if (p.done || performance.now() - this.#last > 200) this.#render();
  }

  /** Erases the block. */
  close(): void {
    this.#files.clear();
    this.#rows = [];
    this.#clear();
  }
}
