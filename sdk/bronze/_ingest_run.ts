// The flow shared by the bronze ingests (MBO, CMBP-1): open each raw file, stream its batches of
// one kind to the ingest's row filter, write every partition's kept rows through reusable scratch
// buffers, then commit all partitions (or abort them all). The row filters stay in the ingests.
import { type DbnBatch, type Metadata, openDbn, words } from "../dbn/mod.ts";
import type { ColumnBatch } from "../lake/columns.ts";
import type { Lake } from "../lake/lake.ts";
import type { ManifestInput } from "../lake/manifest.ts";
import { rawFileInput } from "../lake/lineage.ts";
import type { PartitionOutcome, ProductType, ProgressInfo } from "../pipeline/registry.ts";
import { sessionWindow } from "./session.ts";
import { type BronzePartition, PartitionSet } from "./_partitions.ts";
import { RawFile } from "./_raw.ts";

/** What every bronze ingest takes. */
export interface IngestOptions {
  /** Lake to write to. */
  lake: Lake;
  /** Session date. */
  dt: string;
  /** Raw files, in the order to read them. */
  files: string[];
  /** Stage name for the manifests. */
  stage: string;
  /** Rewrite complete partitions (stale ones are rebuilt anyway). */
  overwrite: boolean;
  /** Log lines (e.g. a stale partition being rebuilt). */
  log?: (message: string) => void;
  /** Raw provenance: the bronze partitions go to `bronze/source=<source>/`. */
  source: string;
  /** Extra counters for the manifests. */
  extraStats?: Record<string, unknown>;
  /** Progress callback. */
  progress?: (info: ProgressInfo) => void;
}

/** What an ingest did. */
export interface IngestResult {
  /** Partitions written or skipped. */
  partitions: PartitionOutcome[];
  /** File-level counters (records read, rows filtered before reaching a partition). */
  stats: Record<string, number>;
  /** Records decoded (all record types). */
  records: number;
  /** Seconds spent. */
  seconds: number;
}

/** The columnar batch kinds of the DBN decoder. */
export type BatchKind = "mbo" | "cmbp1";
/** The columns of a batch of `kind`. */
export type ColumnsOf<K extends BatchKind> = Extract<DbnBatch, { kind: K }>["columns"];

const RIGHTS: readonly string[] = ["C", "P"];

function lo(x: bigint): number {
  return Number(BigInt.asUintN(32, x));
}
function hi(x: bigint): number {
  return Number(BigInt.asUintN(32, x >> 32n));
}

/** The option fields of an instrument as 32-bit word pairs (the layout of `words`). */
export interface OptionFields {
  /** 0 for a call, 1 for a put (code into `["C", "P"]`). */
  right: number;
  /** Strike, low and high word. */
  strikeLo: number;
  strikeHi: number;
  /** Expiration (ns), low and high word. */
  expLo: number;
  expHi: number;
}

/** The {@linkcode OptionFields} of a call (`C`) or put with `strike` and `expiration` (ns). */
export function optionFields(right: string, strike: bigint, expiration: bigint): OptionFields {
  return {
    right: right === "C" ? 0 : 1,
    strikeLo: lo(strike),
    strikeHi: hi(strike),
    expLo: lo(expiration),
    expHi: hi(expiration),
  };
}

/** Where the rows of one instrument go. */
export interface Target {
  /** The output partition, or `null` when the instrument's rows are filtered out. */
  part: BronzePartition | null;
  /** The file-level counter of the filtered rows (`""` when kept). */
  reason: string;
  /** Code of the instrument's symbol in the ingest's symbol dictionary (0 when it has none). */
  sym: number;
  /** Option fields (options only). */
  opt: OptionFields | null;
}

/** A {@linkcode Target}, always built with the same shape (one hidden class for the row loops). */
export function target(
  part: BronzePartition | null,
  reason: string,
  sym = 0,
  opt: OptionFields | null = null,
): Target {
  return { part, reason, sym, opt };
}

/**
 * Per-partition output buffers, reused across batches: the compact copy of the partition's rows,
 * the constant columns and, for option ingests only, the option columns.
 */
export class Scratch<C extends { length: number }> {
  /** Compact copy of the partition's rows of a batch (when not all of the batch). */
  cols: C;
  /** The partition's symbol as a one-value dictionary (for codes `zeros`). */
  readonly own: readonly string[];
  /** MBO rtype column (0xa0, constant). */
  rtype = new Uint8Array(0);
  /** All-zero dictionary codes. */
  zeros = new Uint8Array(0);
  /** Symbol codes, right codes, strikes and expirations (allocated by {@linkcode optionColumns}). */
  sym = new Uint32Array(0);
  right = new Uint8Array(0);
  strike = new BigInt64Array(0);
  exp = new BigInt64Array(0);
  readonly #alloc: (n: number) => C;

  constructor(alloc: (n: number) => C, symbol: string) {
    this.#alloc = alloc;
    this.cols = alloc(0);
    this.own = [symbol];
  }

  /** Makes room for `n` rows. */
  ensure(n: number): void {
    if (this.cols.length >= n) return;
    const cap = Math.max(n, 1024);
    this.cols = this.#alloc(cap);
    this.rtype = new Uint8Array(cap).fill(0xa0);
    this.zeros = new Uint8Array(cap);
  }

  /** Makes room for the option columns of as many rows as `cols` holds. */
  ensureOptions(): void {
    const cap = this.cols.length;
    if (this.sym.length >= cap) return;
    this.sym = new Uint32Array(cap);
    this.right = new Uint8Array(cap);
    this.strike = new BigInt64Array(cap);
    this.exp = new BigInt64Array(cap);
  }
}

/**
 * The option columns (`underlying`, `right`, `strike`, `expiration`) of the `m` rows of a
 * partition whose instrument ids are `ids`, from their targets; fills the symbol codes `s.sym` too.
 */
export function optionColumns<C extends { length: number }>(
  s: Scratch<C>,
  ids: Uint32Array,
  m: number,
  targets: Map<number, Target>,
): ColumnBatch {
  s.ensureOptions();
  const sw = words(s.strike), ew = words(s.exp);
  let li = -1;
  let lt: Target | undefined;
  for (let j = 0; j < m; j++) {
    if (ids[j] !== li) {
      li = ids[j];
      lt = targets.get(li);
    }
    const op = lt!.opt!;
    s.sym[j] = lt!.sym;
    s.right[j] = op.right;
    sw[j << 1] = op.strikeLo;
    sw[(j << 1) + 1] = op.strikeHi;
    ew[j << 1] = op.expLo;
    ew[(j << 1) + 1] = op.expHi;
  }
  return {
    underlying: { codes: s.zeros.subarray(0, m), values: s.own },
    right: { codes: s.right.subarray(0, m), values: RIGHTS },
    strike: s.strike.subarray(0, m),
    expiration: s.exp.subarray(0, m),
  };
}

/** What an ingest plugs into {@linkcode IngestRun}. */
export interface IngestSpec<K extends BatchKind> {
  /** Output dataset key. */
  dataset: string;
  /** Product type (for the session window). */
  productType: ProductType;
  /** The batch kind the ingest reads; other batches are counted as `other_records`. */
  kind: K;
  /** File-level counters of the filter reasons, in manifest order. */
  filtered: readonly string[];
  /** Allocates columns for `n` rows. */
  alloc: (n: number) => ColumnsOf<K>;
  /** Copies rows `idx[0..cnt)` of `src` to the front of `dst`. */
  gather: (src: ColumnsOf<K>, dst: ColumnsOf<K>, idx: Int32Array, cnt: number) => void;
  /** Decode with reused batch memory. */
  reuseBatches: boolean;
  /** Manifest inputs read before the raw files (e.g. definition files). */
  inputs?: ManifestInput[];
}

/** One raw file of a run. */
export interface IngestFile<K extends BatchKind> {
  /** Its path. */
  readonly path: string;
  /** Its DBN metadata (symbol mappings). */
  readonly metadata: Metadata;
  /**
   * When every partition `targets` feeds is complete already (and some is fed), closes the file
   * unread, counts it in `files_skipped` and returns true.
   */
  skipIfComplete(targets: Iterable<Target>): Promise<boolean>;
  /**
   * The batches of the run's kind, each valid until the next is requested, with every
   * partition's row list reset; decode time, record counts and progress are kept here.
   */
  batches(): AsyncGenerator<ColumnsOf<K>>;
}

/**
 * One bronze ingest run: the partitions, the file-level counters, the files read in turn and the
 * commit (or abort) of every partition at the end.
 */
export class IngestRun<K extends BatchKind> {
  /** The output partitions. */
  readonly set: PartitionSet;
  /** File-level counters (the manifests' `stats`, with the partitions' own counters). */
  readonly stats: Record<string, number>;
  /** The session window `[start, end)` as 32-bit word pairs (high, low), for the row loops. */
  readonly window: { sHi: number; sLo: number; eHi: number; eLo: number };
  readonly #o: IngestOptions;
  readonly #spec: IngestSpec<K>;
  readonly #t0 = performance.now();
  readonly #inputs: ManifestInput[];
  readonly #scratch = new Map<BronzePartition, Scratch<ColumnsOf<K>>>();
  #records = 0;
  #decodeSeconds = 0;

  constructor(o: IngestOptions, spec: IngestSpec<K>) {
    this.#o = o;
    this.#spec = spec;
    this.#inputs = [...(spec.inputs ?? [])];
    this.set = new PartitionSet(o.lake, spec.dataset, o.dt, o.source, o.stage, o.overwrite, o.log, [
      ...(spec.inputs ?? []).flatMap((i) => ("path" in i ? [i.path] : [])),
      ...o.files,
    ]);
    const [start, end] = sessionWindow(o.dt, spec.productType);
    this.window = { sHi: hi(start), sLo: lo(start), eHi: hi(end), eLo: lo(end) };
    this.stats = {
      records_read: 0,
      [`${spec.kind}_records`]: 0,
      other_records: 0,
      unmapped_instrument: 0,
      ...Object.fromEntries(spec.filtered.map((k) => [k, 0])),
      rows_in_existing_partitions: 0,
    };
  }

  /**
   * Reads the files in order, handing each to `ingest` (which filters its batches and calls
   * {@linkcode IngestRun.flush}), then commits every partition; aborts them all on error.
   */
  async each(ingest: (file: IngestFile<K>) => Promise<void>): Promise<IngestResult> {
    try {
      for (const path of this.#o.files) {
        const raw = await RawFile.open(path);
        const reader = await openDbn(raw.chunks(), {
          name: path,
          reuseBatches: this.#spec.reuseBatches,
        });
        const metadata = reader.metadata;
        if (!metadata) {
          await reader.close();
          throw new Error(
            `${path}: bronze needs DBN files with metadata (symbol mappings), not fragments`,
          );
        }
        let skipped = false;
        await ingest({
          path,
          metadata,
          skipIfComplete: async (targets) => {
            let fed = false;
            for (const t of targets) {
              if (!t.part) continue;
              if (!t.part.skip) return false;
              fed = true;
            }
            if (!fed) return false;
            await reader.close();
            this.stats.files_skipped = (this.stats.files_skipped ?? 0) + 1;
            skipped = true;
            return true;
          },
          batches: () => this.#batches(raw, reader.batches()),
        });
        // a skipped file is still an input of the partitions written (its hash is cached)
        this.#inputs.push(skipped ? await rawFileInput(path) : raw.input());
      }
      this.stats.records_read = this.#records;
      const partitions = await this.set.commit(
        this.#inputs,
        { ...this.stats, ...(this.#o.extraStats ?? {}) },
        { decode_filter_seconds: Math.round(this.#decodeSeconds * 1000) / 1000 },
      );
      return {
        partitions,
        stats: this.stats,
        records: this.#records,
        seconds: (performance.now() - this.#t0) / 1000,
      };
    } catch (e) {
      await this.set.abort();
      throw e;
    }
  }

  async *#batches(
    raw: RawFile,
    batches: AsyncIterableIterator<DbnBatch>,
  ): AsyncGenerator<ColumnsOf<K>> {
    let t = performance.now();
    for await (const batch of batches) {
      this.#decodeSeconds += (performance.now() - t) / 1000;
      if (batch.kind !== this.#spec.kind) {
        const k = batch.kind === "records" ? batch.records.length : batch.columns.length;
        this.stats.other_records += k;
        this.#records += k;
        t = performance.now();
        continue;
      }
      const c = batch.columns as ColumnsOf<K>;
      this.#records += c.length;
      for (const p of this.set.parts.values()) p.reset(c.length);
      yield c;
      this.#o.progress?.({ label: raw.name, records: this.#records, fraction: raw.fraction });
      t = performance.now();
    }
  }

  /**
   * Writes the rows the filter kept of batch `c`: counted only for a complete partition, else
   * gathered (unless they are the whole batch) and appended as `build` makes them into the output
   * batch (from the `m` rows `out` and the partition's scratch buffers).
   */
  async flush(
    c: ColumnsOf<K>,
    build: (out: ColumnsOf<K>, m: number, s: Scratch<ColumnsOf<K>>) => ColumnBatch,
  ): Promise<void> {
    for (const p of this.set.parts.values()) {
      const m = p.cnt;
      if (m === 0) continue;
      if (p.skip) {
        p.rows += m;
        this.stats.rows_in_existing_partitions += m;
        continue;
      }
      let s = this.#scratch.get(p);
      if (!s) this.#scratch.set(p, s = new Scratch(this.#spec.alloc, p.symbol));
      s.ensure(m);
      let out = c;
      if (m !== c.length) { // else every row of the batch: no copy
        this.#spec.gather(c, s.cols, p.idx, m);
        out = s.cols;
      }
      await this.set.append(p, build(out, m, s), m);
    }
  }
}
