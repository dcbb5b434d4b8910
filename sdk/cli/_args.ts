/**
 * Command-line plumbing shared by the CLIs of `sdk/cli`: strict flag parsing whose errors are
 * usage errors, integer flag values, and the usage/help handling at the start of `main`.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** A bad command line: the CLI prints the message and its usage text and exits with status 2. */
export class UsageError extends Error {}

/** Options of {@linkcode parseFlags}. */
export interface ParseFlagsOptions<P extends boolean> {
  /** Whether arguments that are not flags are accepted (default `true`). */
  positionals?: P;
  /** Called with the message of a parse error; by default a {@linkcode UsageError} is thrown. */
  onError?: (message: string) => never;
}

/** What {@linkcode parseFlags} returns: `values` per flag and the `positionals`. */
export type ParsedFlags<O extends ParseArgsOptionsConfig, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: P }>
>;

/**
 * Parses `argv` strictly (`node:util` `parseArgs`: unknown flags and missing values are errors).
 * A parse error becomes a {@linkcode UsageError} with `parseArgs`' message, or goes to `onError`.
 */
export function parseFlags<O extends ParseArgsOptionsConfig, P extends boolean = true>(
  argv: string[],
  options: O,
  { positionals = true as P, onError }: ParseFlagsOptions<P> = {},
): ParsedFlags<O, P> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: positionals });
  } catch (e) {
    const message = (e as Error).message;
    if (onError) onError(message);
    throw new UsageError(message);
  }
}

/** Whether `text` is a decimal integer written with digits only, from `min` to `max`. */
export function isDecimalInteger(
  text: string,
  min = 0,
  max: number = Number.MAX_SAFE_INTEGER,
): boolean {
  const n = Number(text);
  return /^\d+$/.test(text) && n >= min && n <= max;
}

/** Options of {@linkcode integerFlag}. */
export interface IntegerFlagOptions {
  /** Smallest accepted value (default 0). */
  min?: number;
  /** Largest accepted value (default `Number.MAX_SAFE_INTEGER`). */
  max?: number;
  /** What the error message says was expected (default `an integer >= <min>`). */
  expected?: string;
}

/**
 * The value of the integer flag `--<name>` (digits only, within `min`..`max`), `undefined` when
 * the flag was not given. Throws a {@linkcode UsageError}
 * `--<name>: expected <expected>, got '<value>'` otherwise.
 */
export function integerFlag(
  name: string,
  value: string | undefined,
  { min = 0, max = Number.MAX_SAFE_INTEGER, expected }: IntegerFlagOptions = {},
): number | undefined {
  if (value === undefined) return undefined;
  if (!isDecimalInteger(value, min, max)) {
    throw new UsageError(
      `--${name}: expected ${expected ?? `an integer >= ${min}`}, got '${value}'`,
    );
  }
  return Number(value);
}

/**
 * Runs `parse` (which returns `undefined` when help was asked for) at the start of a CLI's
 * `main`. Returns the parsed arguments, or the exit code when there is nothing more to do:
 * 0 after printing `usage` on stdout for help; 2 after printing `<program>: <message>`, a blank
 * line and `usage` on stderr for a {@linkcode UsageError}. Other errors propagate.
 */
export function parseCommandLine<T extends object>(
  program: string,
  usage: string,
  parse: () => T | undefined,
): T | 0 | 2 {
  let args: T | undefined;
  try {
    args = parse();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${program}: ${e.message}\n\n${usage}`);
    return 2;
  }
  if (args === undefined) {
    console.log(usage);
    return 0;
  }
  return args;
}
