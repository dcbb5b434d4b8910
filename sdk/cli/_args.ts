/**
 * The one command-line parser of every `deno task` CLI in `sdk/cli`. A CLI declares each flag once
 * — type, description, default, bounds — and gets from that single declaration:
 *
 * - typed values (`integer` flags are numbers, `choices` narrow to a union, a flag with a
 *   `default` or `required: true` is never `undefined`);
 * - strict parsing: an unknown flag answers `unknown flag --limt (did you mean --limit?)` and lists
 *   the valid flags; values are checked (integers and numbers within `min`/`max`, `choices`,
 *   `YYYY-MM-DD` dates); negative numbers are values (`--seed -3`, `--offset=-5`);
 * - `--help` / `-h`, generated from the declarations;
 * - exit codes: 0 done, 1 a failure (the message only: a user error never prints a stack trace),
 *   2 a usage error (the message, the synopsis and a pointer to `--help`).
 *
 * Accepted forms: `--name value`, `--name=value`, `-x value` (with `short: "x"`), boolean flags
 * alone (`--overwrite`), `--` to end the flags; the last of a repeated flag wins.
 *
 * ```ts ignore
 * import { CliError, defineCommand } from "./_args.ts";
 *
 * const command = defineCommand({
 *   name: "deno task dbn",
 *   summary: "Prints a DBN file as JSON lines.",
 *   positionals: [{ name: "file", description: "a .dbn or .dbn.zst file" }],
 *   flags: {
 *     limit: { type: "integer", min: 1, value: "N", description: "print at most N records" },
 *     seed: { type: "integer", min: -1000, default: 7, description: "any integer" },
 *     scale: { type: "string", choices: ["small", "full"], default: "small", description: "size" },
 *     date: { type: "date", description: "session date" },
 *     metadata: { type: "boolean", short: "m", description: "print only the metadata" },
 *   },
 *   examples: ["deno task dbn day.dbn.zst --limit 2"],
 * });
 *
 * if (import.meta.main) {
 *   Deno.exit(await command.run(Deno.args, async ({ flags, positionals }) => {
 *     // flags.limit: number | undefined; flags.seed: number; flags.scale: "small" | "full";
 *     // flags.date: string | undefined; flags.metadata: boolean; positionals[0]: the file
 *     if (flags.date === "2026-02-07") throw new CliError("2026-02-07 is a Saturday");
 *     return 0;
 *   }));
 * }
 * ```
 *
 * Conventions for a new CLI (`sdk/cli/<name>.ts`):
 *
 * - export the declaration as `command` and `main(argv): Promise<number>` returning
 *   `command.run(argv, handler)`; end with `if (import.meta.main) Deno.exit(await main(Deno.args));`
 *   so tests can call `main([...])` in process;
 * - validate in the handler what one flag cannot (flags that exclude each other, lists) by throwing
 *   `UsageError` (exit 2); throw `CliError(message, code)` for a failure the user can act on
 *   (missing input, nothing to do); let other errors propagate (`run` prints their message);
 * - the task in `deno.json` runs `deno run --allow-… sdk/cli/<name>.ts` with explicit permission
 *   flags (`--allow-write` without a list, so that `--lake` can name any folder), not `-P=<set>`,
 *   which prints Deno's "experimental feature" warning on every run;
 * - `sdk/cli/tasks_help_test.ts` checks every such task's `--help` and typo handling.
 *
 * Porting from the previous helpers: `parseFlags(argv, { x: { type: "string" } })` +
 * `integerFlag("x", v.x, { min })` become one `x: { type: "integer", min, description }`;
 * `parseCommandLine(program, USAGE, parse)` becomes `command.run(argv, handler)` (the usage text
 * is generated); a hand-written `USAGE` goes into `summary`, the flags' `description`s, `examples`
 * and `notes`.
 *
 * A command with subcommands (`deno task lobster replay|import …`) is a
 * {@linkcode defineCommandGroup} of commands, each with its own flags; its `run` takes one handler
 * per subcommand. Errors thrown by a handler are reported by `run`: {@linkcode UsageError} exits 2
 * with the synopsis, {@linkcode CliError} exits with its `exitCode`, permission errors name the
 * denied access, and any other error prints its message (its stack only for programming errors —
 * `TypeError`, `ReferenceError`, `SyntaxError` — or with `SPYMASTER_DEBUG=1`).
 *
 * @module
 */

/** A bad command line: `run` prints the message and the synopsis and exits with status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A failure the user can act on: `run` prints the message (no stack) and exits `exitCode`. */
export class CliError extends Error {
  override name = "CliError";
  /** Exit status (default 1). */
  exitCode: number;
  /** A failure with its message and exit status. */
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

interface FlagBase {
  /** One line for `--help`. */
  description: string;
  /** One-letter alias: `-x`. */
  short?: string;
}

/** A flag without a value: `true` when given, else `false`. */
export interface BooleanFlag extends FlagBase {
  /** Kind of flag. */
  type: "boolean";
}

/** A flag with a text value, optionally one of `choices`. */
export interface StringFlag extends FlagBase {
  /** Kind of flag. */
  type: "string";
  /** Name of the value in `--help` (default `VALUE`, or the choices). */
  value?: string;
  /** Value when the flag is not given. */
  default?: string;
  /** The flag must be given. */
  required?: boolean;
  /** The accepted values. */
  choices?: readonly string[];
}

/** A flag whose value is a `YYYY-MM-DD` calendar date (checked to exist). */
export interface DateFlag extends FlagBase {
  /** Kind of flag. */
  type: "date";
  /** Value when the flag is not given. */
  default?: string;
  /** The flag must be given. */
  required?: boolean;
}

/** A flag whose value is a number: `integer` (decimal digits, optional sign) or any `number`. */
export interface NumberFlag extends FlagBase {
  /** Kind of flag. */
  type: "integer" | "number";
  /** Name of the value in `--help` (default `N`). */
  value?: string;
  /** Value when the flag is not given. */
  default?: number;
  /** The flag must be given. */
  required?: boolean;
  /** Smallest accepted value. */
  min?: number;
  /** Largest accepted value. */
  max?: number;
}

/** The declaration of one flag. */
export type FlagSpec = BooleanFlag | StringFlag | DateFlag | NumberFlag;

/** The flags of a command, keyed by their long name (`"product-type"` is `--product-type`). */
export type FlagSpecs = Record<string, FlagSpec>;

/** A positional argument, for the synopsis and `--help`. */
export interface PositionalSpec {
  /** Name shown as `<name>`. */
  name: string;
  /** One line for `--help`. */
  description: string;
  /** May be left out (shown as `[name]`). */
  optional?: boolean;
  /** Takes every remaining argument (shown as `<name>...`). */
  variadic?: boolean;
  /** The accepted values. */
  choices?: readonly string[];
}

/** A command: its name, what it does, its arguments and flags. */
export interface CommandSpec<F extends FlagSpecs> {
  /** How it is run, e.g. `deno task dbn`. */
  name: string;
  /** What it does (first line of `--help`; may span lines). */
  summary: string;
  /** Positional arguments in order (default: none are accepted). */
  positionals?: readonly PositionalSpec[];
  /** The flags (`--help` is added). */
  flags: F;
  /** Example command lines, shown at the end of `--help`. */
  examples?: readonly string[];
  /** Extra text at the end of `--help` (notes, exit codes). */
  notes?: string;
}

type BaseValue<S> = S extends BooleanFlag ? boolean
  : S extends NumberFlag ? number
  : S extends { choices: readonly (infer C extends string)[] } ? C
  : string;

/** The parsed value of a flag declared as `S`. */
export type FlagValue<S> = S extends BooleanFlag ? boolean
  : S extends { default: unknown } | { required: true } ? BaseValue<S>
  : BaseValue<S> | undefined;

/** The parsed values of flags declared as `F`. */
export type FlagValues<F extends FlagSpecs> = { -readonly [K in keyof F]: FlagValue<F[K]> };

/** A parsed command line. */
export interface ParsedArgs<F extends FlagSpecs> {
  /** Value per flag. */
  flags: FlagValues<F>;
  /** The positional arguments, in order. */
  positionals: string[];
}

/** Edit distance of two short strings (insertions, deletions, substitutions, transpositions). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** The candidate closest to `word` (edit distance ≤ 2, or a prefix), if any. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 2 ? 0.5 : distance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(1, Math.min(2, Math.floor(word.length / 3))) || bestD === 0.5
    ? best
    : undefined;
}

/** Whether `text` is a calendar date `YYYY-MM-DD` that exists. */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function bounds(spec: NumberFlag): string {
  const { min, max } = spec;
  const what = spec.type === "integer" ? "an integer" : "a number";
  if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`;
  if (min !== undefined) return `${what} >= ${min}`;
  if (max !== undefined) return `${what} <= ${max}`;
  return what;
}

function convert(name: string, spec: FlagSpec, text: string): string | number {
  switch (spec.type) {
    case "string":
      if (spec.choices && !spec.choices.includes(text)) {
        const hint = closest(text, spec.choices);
        throw new UsageError(
          `--${name}: unknown value '${text}'${hint ? ` (did you mean ${hint}?)` : ""}; ` +
            `valid: ${spec.choices.join(", ")}`,
        );
      }
      return text;
    case "date":
      if (!isIsoDate(text)) {
        throw new UsageError(`--${name}: expected a date YYYY-MM-DD, got '${text}'`);
      }
      return text;
    case "integer":
    case "number": {
      const n = Number(text);
      const ok = spec.type === "integer"
        ? /^[+-]?\d+$/.test(text) && Number.isSafeInteger(n)
        : NUMBER.test(text) && Number.isFinite(n);
      if (
        !ok || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)
      ) {
        throw new UsageError(`--${name}: expected ${bounds(spec)}, got '${text}'`);
      }
      return n;
    }
    default:
      throw new Error(`--${name}: a boolean flag has no value`);
  }
}

const HELP: BooleanFlag = { type: "boolean", short: "h", description: "show this help" };

function valueName(spec: FlagSpec): string {
  if (spec.type === "boolean") return "";
  if (spec.type === "date") return " YYYY-MM-DD";
  if ("value" in spec && spec.value) return ` ${spec.value}`;
  if (spec.type === "string" && spec.choices) return ` ${spec.choices.join("|")}`;
  return spec.type === "string" ? " VALUE" : " N";
}

function wrap(text: string, width: number, indent: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

/** A declared command: parses, documents and runs a command line (see the module doc). */
export class Command<F extends FlagSpecs> {
  /** The declaration. */
  readonly spec: CommandSpec<F>;
  readonly #byShort = new Map<string, string>();

  /** A command from its declaration; throws on a malformed declaration (a programming error). */
  constructor(spec: CommandSpec<F>) {
    this.spec = spec;
    if ("help" in spec.flags) throw new Error(`${spec.name}: --help is added by the parser`);
    for (const [name, f] of Object.entries(spec.flags)) {
      if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`${spec.name}: bad flag name '${name}'`);
      if (f.short) {
        if (f.short === "h" || this.#byShort.has(f.short)) {
          throw new Error(`${spec.name}: short flag -${f.short} is used twice`);
        }
        this.#byShort.set(f.short, name);
      }
      if (f.type !== "boolean" && f.default !== undefined) {
        convert(name, f, String(f.default)); // the default must itself be valid
      }
    }
  }

  /** The one-line synopsis: `usage: <name> <positionals> --required X [options]`. */
  synopsis(): string {
    const parts = [this.spec.name];
    for (const p of this.spec.positionals ?? []) {
      const n = p.choices ? p.choices.join("|") : `<${p.name}>`;
      const v = p.variadic ? `${n}...` : n;
      parts.push(p.optional ? `[${v}]` : v);
    }
    for (const [name, f] of Object.entries(this.spec.flags)) {
      if (f.type !== "boolean" && f.required) parts.push(`--${name}${valueName(f)}`);
    }
    parts.push("[options]");
    return `usage: ${parts.join(" ")}`;
  }

  /** The `--help` text, generated from the declaration. */
  help(): string {
    const s = this.spec;
    const out = [this.synopsis(), "", wrap(s.summary, 100, 0)];
    const rows: [string, string][] = [];
    for (const p of s.positionals ?? []) {
      rows.push([`<${p.name}>`, p.description]);
    }
    const flagRows: [string, string][] = [];
    for (const [name, f] of [...Object.entries(s.flags), ["help", HELP] as const]) {
      const head = `${f.short ? `-${f.short}, ` : "    "}--${name}${valueName(f)}`;
      let desc = f.description;
      if (f.type !== "boolean") {
        const extra: string[] = [];
        if (f.required) extra.push("required");
        if (f.type === "integer" || f.type === "number") {
          if (f.min !== undefined || f.max !== undefined) extra.push(bounds(f));
        }
        if (f.default !== undefined) extra.push(`default: ${f.default}`);
        if (extra.length) desc += ` (${extra.join("; ")})`;
      }
      flagRows.push([head, desc]);
    }
    const width = Math.min(
      32,
      Math.max(...[...rows, ...flagRows].map(([h]) => h.length)) + 2,
    );
    const fmt = ([h, d]: [string, string]) =>
      `  ${h.padEnd(width)}${wrap(d, Math.max(40, 98 - width), width + 2)}`;
    if (rows.length) out.push("", "arguments:", ...rows.map(fmt));
    out.push("", "options:", ...flagRows.map(fmt));
    if (s.examples?.length) out.push("", "examples:", ...s.examples.map((e) => `  ${e}`));
    if (s.notes) out.push("", s.notes.trim());
    return out.join("\n");
  }

  /**
   * Parses `argv` (without the program name). Returns `undefined` when `--help` was given;
   * throws a {@linkcode UsageError} for a bad command line.
   */
  parse(argv: readonly string[]): ParsedArgs<F> | undefined {
    const flags = this.spec.flags;
    const values: Record<string, unknown> = {};
    const positionals: string[] = [];
    let help = false;
    const valid = () => [...Object.keys(flags), "help"].map((n) => `--${n}`).join(", ");
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === "--") {
        positionals.push(...argv.slice(i + 1));
        break;
      }
      if (!arg.startsWith("-") || arg === "-" || NUMBER.test(arg)) {
        positionals.push(arg);
        continue;
      }
      let name: string, inline: string | undefined;
      if (arg.startsWith("--")) {
        const eq = arg.indexOf("=");
        name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
        inline = eq < 0 ? undefined : arg.slice(eq + 1);
      } else {
        if (arg.length !== 2) {
          throw new UsageError(
            `unknown flag ${arg} (long flags take two dashes); valid: ${valid()}`,
          );
        }
        const short = arg[1];
        name = short === "h" ? "help" : this.#byShort.get(short) ?? "";
        if (!name) throw new UsageError(`unknown flag ${arg}; valid flags: ${valid()}`);
      }
      if (name === "help") {
        help = true;
        continue;
      }
      const spec = flags[name];
      if (!spec) {
        const hint = closest(name, [...Object.keys(flags), "help"]);
        throw new UsageError(
          `unknown flag --${name}${
            hint ? ` (did you mean --${hint}?)` : ""
          }; valid flags: ${valid()}`,
        );
      }
      if (spec.type === "boolean") {
        if (inline !== undefined) {
          throw new UsageError(`--${name} takes no value (got '${inline}')`);
        }
        values[name] = true;
        continue;
      }
      let text = inline;
      if (text === undefined) {
        const next = argv[i + 1];
        // a following flag is not a value, but a negative number is (`--seed -3`)
        if (next === undefined || (next.startsWith("-") && next !== "-" && !NUMBER.test(next))) {
          throw new UsageError(`--${name} needs a value${valueName(spec)}`);
        }
        text = next;
        i++;
      }
      values[name] = convert(name, spec, text);
    }
    if (help) return undefined;
    for (const [name, f] of Object.entries(flags)) {
      if (name in values) continue;
      if (f.type === "boolean") values[name] = false;
      else if (f.default !== undefined) values[name] = f.default;
      else if (f.required) throw new UsageError(`--${name} is required`);
      else values[name] = undefined;
    }
    const decl = this.spec.positionals ?? [];
    const variadic = decl.some((p) => p.variadic);
    const required = decl.filter((p) => !p.optional).length;
    if (positionals.length < required) {
      const missing = decl.filter((p) => !p.optional)[positionals.length];
      throw new UsageError(`missing <${missing.name}>`);
    }
    if (!variadic && positionals.length > decl.length) {
      const extra = positionals[decl.length];
      throw new UsageError(
        decl.length
          ? `unexpected argument '${extra}' (expected ${decl.map((p) => `<${p.name}>`).join(" ")})`
          : `unexpected argument '${extra}' (this command takes only flags)`,
      );
    }
    decl.forEach((p, i) => {
      const v = positionals[i];
      if (v !== undefined && p.choices && !p.choices.includes(v)) {
        const hint = closest(v, p.choices);
        throw new UsageError(
          `<${p.name}>: unknown '${v}'${hint ? ` (did you mean ${hint}?)` : ""}; valid: ${
            p.choices.join(", ")
          }`,
        );
      }
    });
    return { flags: values as FlagValues<F>, positionals };
  }

  /**
   * Parses `argv` and runs `main` with the result; returns the exit status (see
   * {@linkcode reportError} for how errors are reported). Prints the help and returns 0 for
   * `--help`.
   */
  async run(
    argv: readonly string[],
    main: (args: ParsedArgs<F>) => Promise<number> | number,
  ): Promise<number> {
    const program = programName(this.spec.name);
    let args: ParsedArgs<F> | undefined;
    try {
      args = this.parse(argv);
    } catch (e) {
      return reportError(program, e, this);
    }
    if (args === undefined) {
      console.log(this.help());
      return 0;
    }
    try {
      return await main(args);
    } catch (e) {
      return reportError(program, e, this);
    }
  }
}

/** Declares a command (see the module doc for an example). */
export function defineCommand<const F extends FlagSpecs>(spec: CommandSpec<F>): Command<F> {
  return new Command(spec);
}

/** The short program name of `deno task lobster replay`: `lobster replay`. */
function programName(name: string): string {
  return name.replace(/^deno task /, "");
}

/**
 * Reports an error thrown while running a command on stderr and returns the exit status:
 * {@linkcode UsageError} → 2 (message, synopsis, pointer to `--help`); {@linkcode CliError} → its
 * `exitCode`; a Deno permission error (`NotCapable`, `PermissionDenied`) → 1 with the denied access
 * and how to grant it; any other error → 1 with its message, the stack only for programming errors
 * (`TypeError`, `ReferenceError`, `SyntaxError`) or with `SPYMASTER_DEBUG=1`.
 */
export function reportError(
  program: string,
  e: unknown,
  command?: { synopsis(): string; spec: { name: string } },
): number {
  if (e instanceof UsageError) {
    const help = command
      ? `\n${command.synopsis()}\nrun '${command.spec.name} --help' for every flag`
      : "";
    console.error(`${program}: ${e.message}${help}`);
    return 2;
  }
  if (e instanceof CliError) {
    console.error(`${program}: ${e.message}`);
    return e.exitCode;
  }
  if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
    console.error(
      `${program}: ${(e as Error).message}\n` +
        `  (the task's Deno permissions do not allow this; run the script with ` +
        `'deno run -A' or grant the access it names)`,
    );
    return 1;
  }
  let debug = false;
  try {
    debug = Deno.env.get("SPYMASTER_DEBUG") === "1";
  } catch { /* no env permission */ }
  const bug = e instanceof TypeError || e instanceof ReferenceError || e instanceof SyntaxError;
  if (e instanceof Error) {
    console.error(`${program}: ${debug || bug ? e.stack ?? e.message : e.message}`);
  } else console.error(`${program}: ${String(e)}`);
  return 1;
}

/** A command with subcommands, e.g. `deno task lobster replay|import`. */
export interface CommandGroupSpec<C extends Record<string, Command<FlagSpecs>>> {
  /** How it is run, e.g. `deno task lobster`. */
  name: string;
  /** What it does. */
  summary: string;
  /** The subcommands by name; each one's `name` should be `<group name> <subcommand>`. */
  commands: C;
}

/** The parsed arguments of a command: `ArgsOf<typeof command>`. */
export type ArgsOf<C> = C extends Command<infer F> ? ParsedArgs<F> : never;

/** The parsed flag values of a command: `FlagsOf<typeof command>`. */
export type FlagsOf<C> = C extends Command<infer F> ? FlagValues<F> : never;

/** A declared command group: dispatches on its first argument (see the module doc). */
export class CommandGroup<C extends Record<string, Command<FlagSpecs>>> {
  /** The declaration. */
  readonly spec: CommandGroupSpec<C>;
  /** A group from its declaration. */
  constructor(spec: CommandGroupSpec<C>) {
    this.spec = spec;
  }

  /** The synopsis of every subcommand. */
  synopsis(): string {
    return Object.values(this.spec.commands).map((c) => c.synopsis()).join("\n");
  }

  /** The `--help` text: every subcommand's help. */
  help(): string {
    const parts = [this.spec.summary.trim()];
    for (const c of Object.values(this.spec.commands)) parts.push("", c.help());
    return parts.join("\n");
  }

  /**
   * Runs the subcommand named by `argv[0]` with its handler; returns the exit status. `--help`
   * (alone) prints every subcommand's help; a missing or unknown subcommand is a usage error.
   */
  async run(
    argv: readonly string[],
    handlers: { [K in keyof C]: (args: ArgsOf<C[K]>) => Promise<number> | number },
  ): Promise<number> {
    const program = programName(this.spec.name);
    const names = Object.keys(this.spec.commands);
    const [first, ...rest] = argv;
    if (first === "--help" || first === "-h") {
      console.log(this.help());
      return 0;
    }
    if (first === undefined || !names.includes(first)) {
      const hint = first === undefined ? undefined : closest(first, names);
      const msg = first === undefined
        ? `missing command (${names.join(" or ")})`
        : `unknown command '${first}'${hint ? ` (did you mean ${hint}?)` : ""}; valid: ${
          names.join(", ")
        }`;
      console.error(
        `${program}: ${msg}\n${this.synopsis()}\nrun '${this.spec.name} --help' for every flag`,
      );
      return 2;
    }
    const cmd = this.spec.commands[first];
    return await cmd.run(
      rest,
      handlers[first as keyof C] as (args: ParsedArgs<FlagSpecs>) => Promise<number> | number,
    );
  }
}

/** Declares a command with subcommands. */
export function defineCommandGroup<C extends Record<string, Command<FlagSpecs>>>(
  spec: CommandGroupSpec<C>,
): CommandGroup<C> {
  return new CommandGroup(spec);
}
