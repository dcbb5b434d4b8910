/**
 * `deno task bench [--only dbn,synth,bronze,book,silver,gold] [--records N] [--day-events N] [--out FILE]`:
 * throughput and memory benchmarks. Each section runs in its own `deno` process (so peak RSS is
 * the section's own) and rewrites its block of BENCHMARKS.md (between `<!-- bench:NAME -->`
 * markers), stamped with the machine it ran on. Timings are measured only here, never asserted in
 * tests.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type BenchContext, benchSections } from "./_bench_sections.ts";
import { parseFlags } from "./_args.ts";

const USAGE =
  "usage: deno task bench [--only a,b] [--records N] [--day-events N] [--out FILE] [--keep]";

function die(msg: string): never {
  console.error(`bench: ${msg}\n${USAGE}`);
  Deno.exit(2);
}

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

function positive(v: string | undefined, name: string, min: number, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) die(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

if (import.meta.main) {
  const a = parseFlags(Deno.args, {
    only: { type: "string" },
    records: { type: "string" },
    "day-events": { type: "string" },
    out: { type: "string", default: "BENCHMARKS.md" },
    keep: { type: "boolean", default: false },
    // internal: run one section in this process, in an existing scratch folder
    section: { type: "string" },
    dir: { type: "string" },
  }, { positionals: false, onError: die }).values;
  const names = Object.keys(benchSections);
  const records = positive(a.records, "records", 1000, 5_000_000);
  const dayEvents = positive(a["day-events"], "day-events", 1000, 50_000_000);
  if (a.section) {
    if (!names.includes(a.section) || !a.dir) die(`bad internal section call`);
    const ctx: BenchContext = { dir: a.dir, records, dayEvents, log: (s) => console.error(s) };
    console.log(await benchSections[a.section](ctx));
    Deno.exit(0);
  }
  const only = a.only ? a.only.split(",").map((s) => s.trim()) : names;
  for (const n of only) {
    if (!names.includes(n)) die(`unknown section '${n}' (valid: ${names.join(", ")})`);
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
  if (failed) Deno.exit(1);
}
