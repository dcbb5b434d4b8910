/**
 * Spymaster SDK: order-book microstructure research on Databento market-by-order data.
 *
 * Modules (import them by path, e.g. `@spymaster/sdk/dbn`):
 * - `dbn`: the Databento Binary Encoding codec (streaming decoder, v3 encoder).
 *
 * @example Decode a DBN file
 * ```ts ignore
 * import { readDbn } from "@spymaster/sdk";
 * const { metadata, records } = await readDbn("test_data.mbo.v3.dbn");
 * console.log(metadata?.dataset, records.length);
 * ```
 *
 * @module
 */
export * from "./dbn/mod.ts";
