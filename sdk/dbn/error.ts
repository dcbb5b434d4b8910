/**
 * The error type every DBN decoding failure is reported with.
 *
 * @module
 */

/** A DBN decoding or encoding failure, naming the file and the byte offset where it happened. */
export class DbnError extends Error {
  /** The file (or `<memory>` / `<stream>`) being read. */
  readonly file: string;
  /** Byte offset in the decompressed DBN stream, or `undefined` when it is not known. */
  readonly offset: number | undefined;
  /**
   * Whether the file is compressed: `offset` then counts bytes of the decompressed stream (the
   * message says `at decompressed byte N`), not of the file.
   */
  readonly compressed: boolean;

  /**
   * Creates an error; the message is prefixed with `file` and `offset` (`<file> at byte N: …`, or
   * `<file> at decompressed byte N: …` with `options.compressed`).
   */
  constructor(
    message: string,
    file: string,
    offset?: number,
    options?: ErrorOptions & { compressed?: boolean },
  ) {
    const where = offset === undefined
      ? ""
      : ` at ${options?.compressed ? "decompressed " : ""}byte ${offset}`;
    super(`${file}${where}: ${message}`, options);
    this.name = "DbnError";
    this.file = file;
    this.offset = offset;
    this.compressed = options?.compressed ?? false;
  }
}
