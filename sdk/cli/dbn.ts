/**
 * `deno task dbn <file> [--metadata] [--limit N] [--fragment V] [--skip-unknown]` — prints a DBN
 * file (`.dbn`, `.dbn.zst`, fragments) as JSON lines, in Databento's JSON conventions:
 *
 * ```sh
 * deno task dbn glbx-mdp3-20260206.mbo.dbn.zst --limit 2
 * {"ts_recv":"1609160400000704060","hd":{"ts_event":"1609160400000429831","rtype":160,"publisher_id":1,"instrument_id":5482},"order_id":"647784973705","price":"3722750000000",...}
 * deno task dbn glbx-mdp3-20260206.mbo.dbn.zst --metadata
 * {"version":3,"dataset":"GLBX.MDP3","schema":"mbo","start":"1609160400000000000",...}
 * ```
 *
 * One JSON object per record per line; the record header sits under `hd` (`ts_event`, `rtype`,
 * `publisher_id`, `instrument_id`), `ts_recv` comes first when the record has one; 64-bit integers
 * (timestamps, order ids, fixed-point prices with 1 unit = 1e-9) are decimal strings, smaller
 * integers are numbers, chars are one-character strings. Older DBN versions are shown upgraded to
 * v3 field sets. `--metadata` prints only the metadata, as one object (`"schema":null` when
 * mixed; `limit` lowered to `--limit` when that is smaller).
 *
 * Exit codes: 0 done (also when the reader of stdout goes away, e.g. `| head`), 1 decoding
 * failed (the message names the file and byte offset), 2 bad arguments.
 *
 * @module
 */
import { DbnError, type DbnRecord, type Metadata, openDbn } from "../dbn/mod.ts";
import { defineCommand, UsageError } from "./_args.ts";

/** The command line of `deno task dbn`. */
export const command = defineCommand({
  name: "deno task dbn",
  summary: "Prints a DBN file (.dbn, .dbn.zst, v1-v3, fragments) as JSON lines, in Databento's " +
    "JSON conventions (64-bit integers as decimal strings, the record header under `hd`).",
  positionals: [{ name: "file", description: "a .dbn or .dbn.zst file" }],
  flags: {
    metadata: {
      type: "boolean",
      short: "m",
      description: "print only the metadata, as one JSON object",
    },
    limit: { type: "integer", min: 1, value: "N", description: "print at most N records" },
    fragment: {
      type: "string",
      choices: ["1", "2", "3"],
      value: "V",
      description: "the file has no metadata: records of DBN version V (1, 2 or 3)",
    },
    "skip-unknown": {
      type: "boolean",
      description: "skip records of unknown rtype (counted on stderr) instead of failing",
    },
  },
  examples: ["deno task dbn glbx-mdp3-20260206.mbo.dbn.zst --limit 2"],
  notes: "Exit codes: 0 done, 1 decoding failed (the message names the file and byte offset), " +
    "2 bad arguments.",
});

const HEADER = new Set(["rtype", "length", "publisher_id", "instrument_id", "ts_event", "ts_recv"]);

const big = (_k: string, v: unknown): unknown => typeof v === "bigint" ? v.toString() : v;

/**
 * One record as a line of Databento-style JSON: `ts_recv` first (when present), the header under
 * `hd`, then the other fields; 64-bit integers as decimal strings.
 */
export function recordJson(record: DbnRecord): string {
  const r = record as unknown as Record<string, unknown>;
  const o: Record<string, unknown> = {};
  if ("ts_recv" in r) o.ts_recv = r.ts_recv;
  o.hd = {
    ts_event: r.ts_event,
    rtype: r.rtype,
    publisher_id: r.publisher_id,
    instrument_id: r.instrument_id,
  };
  for (const k in r) if (!HEADER.has(k)) o[k] = r[k];
  return JSON.stringify(o, big);
}

/** Metadata as one line of JSON (64-bit integers as decimal strings, `null` for a mixed schema). */
export function metadataJson(metadata: Metadata): string {
  return JSON.stringify(metadata, big);
}

/** Buffered stdout that reports a closed pipe instead of throwing. */
class Out {
  #parts: string[] = [];
  #size = 0;
  #enc = new TextEncoder();
  closed = false;
  /** Queues a line; returns false once the reader has gone away. */
  async line(s: string): Promise<boolean> {
    this.#parts.push(s, "\n");
    this.#size += s.length + 1;
    if (this.#size >= 1 << 17) await this.flush();
    return !this.closed;
  }
  async flush(): Promise<void> {
    if (this.closed || this.#parts.length === 0) return;
    const bytes = this.#enc.encode(this.#parts.join(""));
    this.#parts = [];
    this.#size = 0;
    try {
      for (let off = 0; off < bytes.byteLength;) {
        off += await Deno.stdout.write(bytes.subarray(off));
      }
    } catch (e) {
      if (e instanceof Deno.errors.BrokenPipe) this.closed = true;
      else throw e;
    }
  }
}

/** Runs the command with `argv` (without the program name); returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return command.run(argv, async ({ flags, positionals }) => {
    if (flags.fragment !== undefined && flags.metadata) {
      throw new UsageError("--metadata: a fragment (--fragment) has no metadata");
    }
    return await dump({
      file: positionals[0],
      metadata: flags.metadata,
      limit: flags.limit,
      fragment: flags.fragment === undefined ? undefined : Number(flags.fragment) as 1 | 2 | 3,
      skipUnknown: flags["skip-unknown"],
    });
  });
}

interface Args {
  file: string;
  metadata: boolean;
  limit: number | undefined;
  fragment: 1 | 2 | 3 | undefined;
  skipUnknown: boolean;
}

async function dump(args: Args): Promise<number> {
  const out = new Out();
  const progress = Deno.stderr.isTerminal() && !Deno.stdout.isTerminal();
  let lastReport = Date.now();
  try {
    const reader = await openDbn(args.file, {
      fragment: args.fragment ? { version: args.fragment } : undefined,
      skipUnknown: args.skipUnknown,
    });
    if (args.metadata) {
      const m = reader.metadata as Metadata;
      await reader.close();
      const limit = args.limit !== undefined && (m.limit === 0n || BigInt(args.limit) < m.limit)
        ? BigInt(args.limit)
        : m.limit;
      await out.line(metadataJson({ ...m, limit }));
      await out.flush();
      return 0;
    }
    let n = 0;
    for await (const r of reader.records()) {
      if (!(await out.line(recordJson(r)))) break;
      n++;
      if (args.limit !== undefined && n >= args.limit) break;
      if (progress && (n & 0xfff) === 0 && Date.now() - lastReport > 500) {
        lastReport = Date.now();
        Deno.stderr.writeSync(new TextEncoder().encode(`\r${n.toLocaleString("en-US")} records`));
      }
    }
    await out.flush();
    if (progress) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
    if (reader.stats.skipped > 0) {
      console.error(`dbn: skipped ${reader.stats.skipped} records of unknown rtype`);
    }
    return 0;
  } catch (e) {
    await out.flush().catch(() => {});
    if (e instanceof DbnError) {
      console.error(`dbn: ${e.message}`);
      return 1;
    }
    console.error(`dbn: ${args.file}: ${(e as Error).message ?? e}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
