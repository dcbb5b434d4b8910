/**
 * `deno task bench [--only dbn,...] [--records N] [--out BENCHMARKS.md]`: throughput benchmarks.
 * Each section rewrites its own block of BENCHMARKS.md (between `<!-- bench:NAME -->` markers),
 * stamped with the machine it ran on. Timings are never asserted anywhere: this is the only place
 * they are measured.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { benchSections, type BenchContext } from "./_bench_sections.ts";

const USAGE = "usage: deno task bench [--only a,b] [--records N] [--out FILE] [--keep]";

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
  return `${cpu}, ${navigator.hardwareConcurrency} cores, ${(mem.total / 2 ** 30).toFixed(0)} GiB RAM, ` +
    `${Deno.build.os}/${Deno.build.arch}, Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`;
}

function replaceBlock(doc: string, name: string, body: string): string {
  const open = `<!-- bench:${name} -->`, close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${body.trim()}\n${close}`;
  const a = doc.indexOf(open), b = doc.indexOf(close);
  if (a >= 0 && b > a) return doc.slice(0, a) + block + doc.slice(b + close.length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

if (import.meta.main) {
  let args;
  try {
    args = parseArgs({
      args: Deno.args,
      options: {
        only: { type: "string" },
        records: { type: "string" },
        out: { type: "string", default: "BENCHMARKS.md" },
        keep: { type: "boolean", default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    die((e as Error).message);
  }
  const names = Object.keys(benchSections);
  const only = args.only ? args.only.split(",").map((s) => s.trim()) : names;
  for (const n of only) if (!names.includes(n)) die(`unknown section '${n}' (valid: ${names.join(", ")})`);
  const records = args.records ? Number(args.records) : 5_000_000;
  if (!Number.isInteger(records) || records < 1000) die(`--records must be an integer >= 1000, got '${args.records}'`);
  const dir = await Deno.makeTempDir({ prefix: "spymaster-bench-" });
  const ctx: BenchContext = { dir, records, log: (s) => console.error(s) };
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)} on ${await machine()}.`;
  let doc = "";
  try {
    doc = await Deno.readTextFile(args.out);
  } catch {
    doc = "# Benchmarks\n\nProduced by `deno task bench`; each section is rewritten by its own run.\n";
  }
  try {
    for (const name of only) {
      console.error(`== ${name}`);
      const body = await benchSections[name](ctx);
      console.log(body);
      doc = replaceBlock(doc, name, `${body.trim()}\n\n_${stamp}_`);
      await Deno.writeTextFile(args.out, doc);
    }
  } finally {
    if (!args.keep) await Deno.remove(dir, { recursive: true });
  }
}
