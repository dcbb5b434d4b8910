/**
 * `deno task bench [--only dbn,synth,bronze,book,silver,gold,physics,vp,serve,pages] [--records N] [--day-events N] [--out FILE]`:
 * throughput and memory benchmarks. Each section runs in its own `deno` process (so peak RSS is
 * the section's own) and rewrites its block of BENCHMARKS.md (between `<!-- bench:NAME -->`
 * markers), stamped with the machine it ran on. Timings are measured only here, never asserted in
 * tests.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type BenchContext, benchSections } from "./_bench_sections.ts";
import { type ArgsOf, defineCommand, UsageError } from "./_args.ts";

/** The command line of `deno task bench`. */
export const command = defineCommand({
  name: "deno task bench",
  summary: "Throughput and memory benchmarks; each section runs in its own process and rewrites " +
    "its block of BENCHMARKS.md, stamped with the machine.",
  flags: {
    only: {
      type: "string",
      value: "A,B",
      description: `sections to run (default all: ${Object.keys(benchSections).join(", ")})`,
    },
    records: {
      type: "integer",
      min: 1000,
      default: 5_000_000,
      description: "records of the decode sections",
    },
    "day-events": {
      type: "integer",
      min: 1000,
      default: 50_000_000,
      description: "target records of the synthetic day",
    },
    out: { type: "string", value: "FILE", default: "BENCHMARKS.md", description: "report file" },
    keep: { type: "boolean", description: "keep the scratch folder" },
    section: { type: "string", description: "internal: run one section in this process" },
    dir: { type: "string", description: "internal: the scratch folder of --section" },
  },
});

async function machine(): Promise<string> {
  let cpu = "unknown CPU";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = /model name\s*:\s*(.+)/.exec(info)?.[1]?.trim() ?? cpu;
  } catch { /* not Linux */ }
  const mem = Deno.systemMemoryInfo();
  const load = Deno.loadavg().map((x) => x.toFixed(1)).join(" ");
  return `${cpu}, ${navigator.hardwareConcurrency} cores, ${
    (mem.total / 2 ** 30).toFixed(0)
  } GiB RAM, ` +
    `${Deno.build.os}/${Deno.build.arch}, Deno ${Deno.version.deno}; load average before the run ${load}`;
}

function replaceBlock(doc: string, name: string, body: string): string {
  const open = `<!-- bench:${name} -->`, close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${body.trim()}\n${close}`;
  const a = doc.indexOf(open), b = doc.indexOf(close);
  if (a >= 0 && b > a) return doc.slice(0, a) + block + doc.slice(b + close.length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

async function bench({ flags: a }: ArgsOf<typeof command>): Promise<number> {
  const names = Object.keys(benchSections);
  const records = a.records;
  const dayEvents = a["day-events"];
  if (a.section) {
    if (!names.includes(a.section) || !a.dir) throw new UsageError(`bad internal section call`);
    const ctx: BenchContext = { dir: a.dir, records, dayEvents, log: (s) => console.error(s) };
    console.log(await benchSections[a.section](ctx));
    return 0;
  }
  const only = a.only ? a.only.split(",").map((s) => s.trim()) : names;
  for (const n of only) {
    if (!names.includes(n)) {
      throw new UsageError(`unknown section '${n}' (valid: ${names.join(", ")})`);
    }
  }
  const dir = await Deno.makeTempDir({ prefix: "spymaster-bench-" });
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)} on ${await machine()}.`;
  let doc: string;
  try {
    doc = await Deno.readTextFile(a.out);
  } catch {
    doc =
      "# Benchmarks\n\nProduced by `deno task bench`; each section is rewritten by its own run.\n";
  }
  let failed = 0;
  try {
    for (const name of only) {
      console.error(`== ${name}`);
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          fileURLToPath(import.meta.url),
          "--section",
          name,
          "--dir",
          dir,
          "--records",
          String(records),
          "--day-events",
          String(dayEvents),
        ],
        stdout: "piped",
        stderr: "inherit",
      });
      const out = await child.output();
      const body = new TextDecoder().decode(out.stdout);
      if (!out.success) {
        console.error(`bench: section ${name} failed (exit ${out.code})`);
        failed++;
        continue;
      }
      console.log(body);
      doc = replaceBlock(doc, name, `${body.trim()}\n\n_${stamp}_`);
      await Deno.writeTextFile(a.out, doc);
      // Keep the file in `deno fmt` shape (tables aligned), as `deno task check` expects.
      await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", a.out] }).output();
      doc = await Deno.readTextFile(a.out);
    }
  } finally {
    if (!a.keep) await Deno.remove(dir, { recursive: true });
  }
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await command.run(Deno.args, bench));
