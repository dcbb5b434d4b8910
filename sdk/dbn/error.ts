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

  /** Creates an error; the message is prefixed with `file` and `offset`. */
  constructor(message: string, file: string, offset?: number, options?: ErrorOptions) {
    super(`${file}${offset === undefined ? "" : ` at byte ${offset}`}: ${message}`, options);
    this.name = "DbnError";
    this.file = file;
    this.offset = offset;
  }
}
