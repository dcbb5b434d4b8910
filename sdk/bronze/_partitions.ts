// The output partitions of one bronze run (one per contract / underlying), opened lazily, written
// in one pass, committed together or aborted together.
import type { ColumnBatch } from "../lake/columns.ts";
import { datasetSpec } from "../lake/datasets.ts";
import type { Lake } from "../lake/lake.ts";
import { type ManifestInput, readManifest } from "../lake/manifest.ts";
import { describeStale, partitionFreshness } from "../lake/lineage.ts";
import { partitionDir } from "../lake/paths.ts";
import { PartitionWriter } from "../lake/writer.ts";
import type { PartitionOutcome } from "../pipeline/registry.ts";

/** Hard-reject reasons of pipeline.md §2.7.1 plus the undefined price of an add/modify. */
export const REJECT_REASONS = [
  "null_timestamp",
  "null_price",
  "zero_price",
  "zero_size",
  "negative_values",
] as const;

/** One output partition. */
export class BronzePartition {
  readonly symbol: string;
  readonly dataset: string;
  /** Complete already and not overwriting: rows are counted, not written. */
  readonly skip: boolean;
  writer: PartitionWriter | null = null;
  rows = 0;
  readonly rejected: Record<string, number> = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0]));
  readonly stats: Record<string, number> = {
    outside_session: 0,
    snapshot_records: 0,
    clear_records: 0,
    null_price_set_to_zero: 0,
    ts_recv_decreases: 0,
  };
  /** ts_recv of the last row kept (word pair), for the order check. */
  lastRecvHi = 0;
  lastRecvLo = 0;
  /** Scratch: indices of this partition's rows in the current batch. */
  idx: Int32Array = new Int32Array(0);
  cnt = 0;

  constructor(symbol: string, dataset: string, skip: boolean) {
    this.symbol = symbol;
    this.dataset = dataset;
    this.skip = skip;
  }

  /**
   * Keeps row `i` of the current batch, whose ts_recv is the word pair (`hi`, `lo`): file order is
   * kept, so a ts_recv that goes backwards is counted (made visible), never re-sorted.
   */
  keep(i: number, hi: number, lo: number): void {
    if (hi < this.lastRecvHi || (hi === this.lastRecvHi && lo < this.lastRecvLo)) {
      this.stats.ts_recv_decreases++;
    }
    this.lastRecvHi = hi;
    this.lastRecvLo = lo;
    this.idx[this.cnt++] = i;
  }

  /** Makes room for `n` row indices. */
  reset(n: number): void {
    if (this.idx.length < n) this.idx = new Int32Array(n);
    this.cnt = 0;
  }
}

/** The partitions of one dataset written by a run. */
export class PartitionSet {
  readonly #lake: Lake;
  readonly #dataset: string;
  readonly #dt: string;
  readonly #stage: string;
  readonly #overwrite: boolean;
  readonly #source: string;
  readonly #files: string[];
  readonly #log: (message: string) => void;
  readonly parts = new Map<string, BronzePartition>();

  constructor(
    lake: Lake,
    dataset: string,
    dt: string,
    source: string,
    stage: string,
    overwrite: boolean,
    log: (message: string) => void = () => {},
    files: string[] = [],
  ) {
    this.#files = files;
    this.#lake = lake;
    this.#dataset = dataset;
    this.#dt = dt;
    this.#source = source;
    this.#stage = stage;
    this.#overwrite = overwrite;
    this.#log = log;
  }

  #key(symbol: string): { symbol: string; dt: string; source: string } {
    return { symbol, dt: this.#dt, source: this.#source };
  }

  /**
   * True when the partition of `symbol` is complete on disk and its recorded inputs are unchanged;
   * a complete partition whose raw input changed is logged and rebuilt.
   */
  async complete(symbol: string): Promise<boolean> {
    const f = await partitionFreshness(this.#lake, this.#dataset, this.#key(symbol), {
      files: this.#files,
    });
    if (f.state === "stale") {
      this.#log(`${this.#dataset} ${symbol} ${this.#dt}: stale, rebuilding (${describeStale(f)})`);
    }
    return f.state === "fresh";
  }

  /** The partition of `symbol`, created on first use. */
  async get(symbol: string): Promise<BronzePartition> {
    let p = this.parts.get(symbol);
    if (!p) {
      const skip = !this.#overwrite && (await this.complete(symbol));
      p = new BronzePartition(symbol, this.#dataset, skip);
      this.parts.set(symbol, p);
    }
    return p;
  }

  /** Appends a batch to a partition (opening its writer on first use). */
  async append(p: BronzePartition, batch: ColumnBatch, rows: number): Promise<void> {
    p.rows += rows;
    if (p.skip || rows === 0) return;
    p.writer ??= await PartitionWriter.open(
      this.#lake,
      this.#dataset,
      this.#key(p.symbol),
      { stage: this.#stage },
    );
    await p.writer.append(batch);
  }

  /** Commits every partition that received rows; returns the outcomes (skipped ones included). */
  async commit(
    inputs: ManifestInput[],
    stats: Record<string, unknown>,
    timings: Record<string, number>,
  ): Promise<PartitionOutcome[]> {
    const out: PartitionOutcome[] = [];
    for (const p of this.parts.values()) {
      if (p.skip) {
        const spec = datasetSpec(this.#lake.config, this.#dataset);
        const dir = partitionDir(this.#lake.root, spec, this.#key(p.symbol));
        const rows = (await readManifest(dir).catch(() => null))?.row_count ?? p.rows;
        out.push({ dataset: this.#dataset, symbol: p.symbol, dt: this.#dt, rows, skipped: true });
        continue;
      }
      if (!p.writer) continue; // no row survived the filters: no partition (as the original)
      const m = await p.writer.commit({
        inputs,
        rejected: p.rejected,
        stats: { ...stats, ...p.stats },
        timings,
      });
      out.push({
        dataset: this.#dataset,
        symbol: p.symbol,
        dt: this.#dt,
        rows: m.row_count,
        skipped: false,
      });
    }
    return out;
  }

  /** Aborts every open writer. */
  async abort(): Promise<void> {
    for (const p of this.parts.values()) await p.writer?.abort();
  }
}
