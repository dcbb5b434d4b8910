import assert from "node:assert/strict";
import { closest, defineCommand, defineCommandGroup, UsageError } from "./_args.ts";

const cmd = defineCommand({
  name: "deno task example",
  summary: "An example command.",
  positionals: [{ name: "file", description: "input file" }],
  flags: {
    limit: { type: "integer", min: 1, value: "N", description: "at most N records" },
    seed: { type: "integer", default: 7, description: "seed" },
    offset: { type: "number", description: "an offset" },
    scale: { type: "string", choices: ["small", "full"], default: "small", description: "size" },
    date: { type: "date", description: "a day" },
    "product-type": { type: "string", required: true, description: "what" },
    metadata: { type: "boolean", short: "m", description: "only the metadata" },
  },
});

const parse = (...argv: string[]) => cmd.parse(["f.dbn", "--product-type", "x", ...argv]);
const usage = (argv: string[], re: RegExp) =>
  assert.throws(() => cmd.parse(argv), (e) => e instanceof UsageError && re.test(e.message));

Deno.test("args: typed values, defaults, both value forms, short flags", () => {
  const a = parse("--limit", "2", "--scale=full", "-m", "--date", "2026-02-06")!;
  assert.deepEqual(a.positionals, ["f.dbn"]);
  // the declarations type the values (a type error here fails `deno task check`)
  const typed: [number | undefined, number, "small" | "full", boolean, string] = [
    a.flags.limit,
    a.flags.seed,
    a.flags.scale,
    a.flags.metadata,
    a.flags["product-type"],
  ];
  assert.deepEqual(typed, [2, 7, "full", true, "x"]);
  assert.deepEqual(a.flags, {
    limit: 2,
    seed: 7,
    offset: undefined,
    scale: "full",
    date: "2026-02-06",
    "product-type": "x",
    metadata: true,
  });
});

Deno.test("args: negative numbers are values, not flags", () => {
  assert.equal(parse("--seed", "-3")!.flags.seed, -3);
  assert.equal(parse("--offset", "-5")!.flags.offset, -5);
  assert.equal(parse("--offset=-0.25")!.flags.offset, -0.25);
  assert.deepEqual(cmd.parse(["-7", "--product-type", "x"])!.positionals, ["-7"]);
});

Deno.test("args: unknown flags suggest the nearest and list the valid ones", () => {
  usage(
    ["f", "--limt", "2"],
    /^unknown flag --limt \(did you mean --limit\?\); valid flags: --limit, --seed, --offset, --scale, --date, --product-type, --metadata, --help$/,
  );
  usage(["f", "--product", "x"], /did you mean --product-type\?/);
  usage(["f", "--zzzzzz"], /^unknown flag --zzzzzz; valid flags/);
  usage(["f", "-q"], /^unknown flag -q; valid flags/);
});

Deno.test("args: values are checked and named", () => {
  usage(
    ["f", "--product-type", "x", "--limit", "0"],
    /^--limit: expected an integer >= 1, got '0'$/,
  );
  usage(["f", "--product-type", "x", "--limit", "2.5"], /--limit: expected an integer/);
  usage(
    ["f", "--product-type", "x", "--scale", "ful"],
    /--scale: unknown value 'ful' \(did you mean full\?\); valid: small, full/,
  );
  usage(
    ["f", "--product-type", "x", "--date", "2026-02-30"],
    /--date: expected a date YYYY-MM-DD, got '2026-02-30'/,
  );
  usage(["f", "--product-type", "x", "--limit"], /^--limit needs a value N$/);
  usage(["f", "--product-type", "x", "--limit", "--seed", "2"], /^--limit needs a value N$/);
  usage(["f", "--product-type", "x", "-m=1"], /unknown flag -m=1/);
  usage(["f", "--product-type", "x", "--metadata=yes"], /--metadata takes no value/);
  usage(["f"], /^--product-type is required$/);
  usage(["--product-type", "x"], /^missing <file>$/);
  usage(["a", "b", "--product-type", "x"], /^unexpected argument 'b' \(expected <file>\)$/);
});

Deno.test("args: --help is generated from the declarations", () => {
  assert.equal(parse("--help"), undefined);
  assert.equal(cmd.parse(["-h"]), undefined); // even without the required arguments
  const help = cmd.help();
  assert.match(
    help,
    /^usage: deno task example <file> --product-type VALUE \[options\]\n\nAn example command\./,
  );
  assert.match(help, /\n {2}-m, --metadata +only the metadata\n/);
  assert.match(help, /\n {6}--limit N +at most N records \(an integer >= 1\)\n/);
  assert.match(help, /\n {6}--scale small\|full +size \(default: small\)\n/);
  assert.match(help, /\n {2}-h, --help +show this help$/);
});

Deno.test("args: run maps usage errors to 2 and failures to 1 without a stack", async () => {
  const errors: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    assert.equal(await cmd.run(["f", "--limt", "1"], () => 0), 2);
    assert.match(errors[0], /^example: unknown flag --limt \(did you mean --limit\?\)/);
    assert.match(errors[0], /\nusage: deno task example <file>/);
    assert.equal(
      await cmd.run(["f", "--product-type", "x"], () => {
        throw new RangeError("date 2026-02-07 is a weekend");
      }),
      1,
    );
    assert.equal(errors[1], "example: date 2026-02-07 is a weekend");
  } finally {
    console.error = orig;
  }
});

Deno.test("args: command groups dispatch on the first argument", async () => {
  const group = defineCommandGroup({
    name: "deno task tool",
    summary: "Two commands.",
    commands: {
      replay: defineCommand({ name: "deno task tool replay", summary: "r", flags: {} }),
      import: defineCommand({
        name: "deno task tool import",
        summary: "i",
        flags: { n: { type: "integer", default: 1, description: "n" } },
      }),
    },
  });
  const seen: string[] = [];
  const handlers = {
    replay: () => (seen.push("replay"), 0),
    import: (a: { flags: { n: number } }) => (seen.push(`import ${a.flags.n}`), 0),
  };
  const orig = console.error;
  console.error = () => {};
  try {
    assert.equal(await group.run(["import", "--n", "-4"], handlers), 0);
    assert.equal(await group.run(["replya"], handlers), 2);
    assert.equal(await group.run([], handlers), 2);
  } finally {
    console.error = orig;
  }
  assert.deepEqual(seen, ["import -4"]);
  assert.equal(closest("replya", ["replay", "import"]), "replay");
});

Deno.test("args: suggestions allow one transposition or typo per three letters", () => {
  assert.equal(closest("onyl", ["only", "records"]), "only");
  assert.equal(closest("limt", ["limit", "levels"]), "limit");
  assert.equal(closest("xyz", ["limit", "levels"]), undefined);
});
