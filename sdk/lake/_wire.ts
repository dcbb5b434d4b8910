// Messages between the partition writer (main thread) and the Parquet worker.

/** DuckDB type of a column as the table function declares it. */
export type WireDuckType =
  | "BIGINT"
  | "UBIGINT"
  | "INTEGER"
  | "UINTEGER"
  | "SMALLINT"
  | "USMALLINT"
  | "TINYINT"
  | "UTINYINT"
  | "DOUBLE"
  | "FLOAT"
  | "BOOLEAN"
  | "ENUM";

/** One column of a part: `rows * width` bytes of raw values, optional bit-packed validity. */
export interface WireColumn {
  name: string;
  duck: WireDuckType;
  /** Bytes per value (ENUM: 1, 2 or 4 by dictionary size). */
  width: number;
  buffer: ArrayBuffer;
  /** Validity bits (LSB first, 1 = valid), or undefined when the column has no nulls. */
  valid?: ArrayBuffer;
  /** Dictionary of an ENUM column. */
  enumValues?: string[];
  /** SQL type to cast to when writing (e.g. `BIGINT` for an unsigned 32-bit source). */
  cast?: string;
}

/** A part to write. */
export interface WirePart {
  type: "write";
  id: number;
  file: string;
  rows: number;
  level: number;
  /** Page codec (default zstd, at `level`). */
  compression?: "zstd" | "lz4_raw";
  rowGroupSize: number;
  /** Parquet format version (default 2). */
  version?: 1 | 2;
  /** Dictionary-encode columns with up to 1 MiB of distinct values (default: 1 KiB). */
  dictionary?: boolean;
  /** Extra Parquet options for COPY (tuning experiments), e.g. `ROW_GROUPS_PER_FILE 2`. */
  extra?: string;
  columns: WireColumn[];
}

/** Success reply; the column buffers come back for reuse. */
export interface WireDone {
  type: "done";
  id: number;
  bytes: number;
  seconds: number;
  buffers: ArrayBuffer[];
}

/** Failure reply. */
export interface WireError {
  type: "error";
  id: number;
  message: string;
}
