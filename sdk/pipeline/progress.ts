/**
 * Progress display of pipeline runs: on a terminal one status line (records, rate, ETA) redrawn
 * at most ten times a second; elsewhere nothing but the result lines.
 *
 * @module
 */
import type { RunEvent, TaskResult } from "./runner.ts";

interface Active {
  stage: string;
  label: string;
  records: number;
  fraction?: number;
  start: number;
}

function fmtCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  const m = Math.floor(s / 60), r = Math.round(s % 60);
  return `${m}:${String(r).padStart(2, "0")}`;
}

/** One-line summary of a finished task. */
export function taskLine(r: TaskResult): string {
  const head = `${r.ok ? "ok  " : "FAIL"} ${r.symbol} ${r.dt}`;
  const parts = r.stages.map((s) => {
    const written = s.result.partitions.filter((p) => !p.skipped);
    const skipped = s.result.partitions.filter((p) => p.skipped);
    const w = written.map((p) =>
      `${p.symbol} ${p.dataset.split(".").pop()} ${p.rows.toLocaleString("en-US")} rows`
    );
    const k = skipped.length ? `; ${skipped.length} complete partition(s) kept` : "";
    return `${s.stage} [${s.symbol}]: ${w.join(", ") || "nothing written"}${k} (${
      s.seconds.toFixed(1)
    } s)`;
  });
  if (!r.ok) parts.push(`error: ${r.error}`);
  return `${head}  ${parts.join(" | ")}`;
}

/** Renders run events to stderr (status line on a TTY) and result lines to stdout. */
export class ProgressRenderer {
  readonly #tty: boolean;
  readonly #quiet: boolean;
  #active = new Map<string, Active>();
  #last = 0;
  #drawn = false;
  #enc = new TextEncoder();

  /** `tty` defaults to whether stderr is a terminal; `quiet` drops the result lines too. */
  constructor(options: { tty?: boolean; quiet?: boolean } = {}) {
    this.#tty = options.tty ?? Deno.stderr.isTerminal();
    this.#quiet = options.quiet ?? false;
  }

  #write(s: string): void {
    Deno.stderr.writeSync(this.#enc.encode(s));
  }

  #clear(): void {
    if (this.#drawn) this.#write("\r\x1b[K");
    this.#drawn = false;
  }

  #draw(force = false): void {
    if (!this.#tty) return;
    const now = performance.now();
    if (!force && now - this.#last < 100) return;
    this.#last = now;
    const parts: string[] = [];
    for (const [key, a] of this.#active) {
      const el = (now - a.start) / 1000;
      const rate = el > 0 ? a.records / el : 0;
      const eta = a.fraction && a.fraction > 0 ? (el * (1 - a.fraction)) / a.fraction : NaN;
      parts.push(
        `${key} ${a.stage} ${a.label}: ${fmtCount(a.records)} records, ${fmtCount(rate)}/s` +
          (a.fraction !== undefined
            ? `, ${(a.fraction * 100).toFixed(0)}%, ETA ${fmtTime(eta)}`
            : ""),
      );
    }
    const cols = (() => {
      try {
        return Deno.consoleSize().columns;
      } catch {
        return 120;
      }
    })();
    const line = parts.join(" | ").slice(0, cols > 20 ? cols - 1 : 160);
    this.#write(`\r\x1b[K${line}`);
    this.#drawn = true;
  }

  /** Feeds one event. */
  handle(e: RunEvent): void {
    switch (e.type) {
      case "stage-start":
        this.#active.set(e.task.dt, {
          stage: e.stage,
          label: e.symbol,
          records: 0,
          start: performance.now(),
        });
        this.#draw(true);
        break;
      case "progress": {
        const a = this.#active.get(e.task.dt);
        if (a) {
          a.label = e.info.label;
          a.records = e.info.records;
          a.fraction = e.info.fraction;
        }
        this.#draw();
        break;
      }
      case "log":
        if (this.#quiet) break;
        this.#clear();
        console.error(`${e.task.symbol} ${e.task.dt}: ${e.message}`);
        this.#draw(true);
        break;
      case "task-end":
        this.#active.delete(e.result.dt);
        this.#clear();
        if (!this.#quiet || !e.result.ok) console.log(taskLine(e.result));
        if (this.#active.size) this.#draw(true);
        break;
    }
  }

  /** Clears the status line. */
  finish(): void {
    this.#clear();
  }
}
