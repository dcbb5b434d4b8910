/**
 * SQL text for DuckDB over the lake: quoting, the DuckDB type of each contract type, and the
 * typed NULL columns of an empty source. Shared by the reader, the scan and Parquet workers, the
 * writer and the validators, so that every place maps a contract to SQL the same way.
 *
 * @module
 */
import type { AvroPrimitive, ContractField } from "./contracts.ts";

/** SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** SQL identifier. */
export function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** The DuckDB type that holds each contract (Avro) primitive. */
export const SQL_TYPE = {
  long: "BIGINT",
  int: "INTEGER",
  double: "DOUBLE",
  float: "FLOAT",
  boolean: "BOOLEAN",
  string: "VARCHAR",
} as const satisfies Record<AvroPrimitive, string>;

/** `CAST(NULL AS <type>) AS "<name>"` for each field: the columns of an empty source. */
export function nullColumns(fields: readonly ContractField[]): string[] {
  return fields.map((f) => `CAST(NULL AS ${SQL_TYPE[f.type]}) AS ${sqlIdent(f.name)}`);
}
