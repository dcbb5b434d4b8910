/**
 * Spymaster SDK: order-book microstructure research on Databento market-by-order data.
 *
 * Data flows one way: `dbn` → `bronze` (lake) → `book` / `silver` → later layers. Each module is
 * also importable on its own path (`@spymaster/sdk/dbn`, `@spymaster/sdk/book`, …); this root
 * re-exports the DBN codec directly and every other module as a namespace.
 *
 * | module | what it does |
 * | --- | --- |
 * | `dbn` | Databento Binary Encoding v1–v3 codec: streaming columnar decoder, v3 encoder |
 * | `synth` | seeded synthetic trading days written as real DBN files into `lake/raw` |
 * | `download` | Databento historical API client and resumable batch download daemon |
 * | `lake` | config, contracts, atomic Parquet partitions, readers, DuckDB views |
 * | `bronze` | raw DBN → bronze partitions for the four product types |
 * | `pipeline` | the stage registry and runner behind `deno task pipeline` |
 * | `book` | exact MBO order books per (publisher, instrument) |
 * | `silver` | 1-second book snapshots and per-price depth & flow |
 * | `features` | per-second transforms of silver: gold physics surfaces, vacuum-pressure signals |
 * | `lobster` | LOBSTER message/orderbook files replayed through the book engine |
 * | `physics` | models fitted or run over gold: beta/gamma forecast, fit, honest evaluation |
 * | `validate` | partition checks behind `deno task validate` (PASS / WARN / FAIL, JSON report) |
 *
 * @example Decode a DBN file and rebuild its books
 * ```ts ignore
 * import { book, openDbn } from "@spymaster/sdk";
 * const books = new book.OrderBooks();
 * const reader = await openDbn("glbx-mdp3-20260206.mbo.dbn.zst");
 * for await (const b of reader.batches()) if (b.kind === "mbo") books.applyBatch(b.columns);
 * ```
 *
 * @module
 */
export * from "./dbn/mod.ts";
export * as book from "./book/mod.ts";
export * as bronze from "./bronze/mod.ts";
export * as download from "./download/mod.ts";
export * as features from "./features/mod.ts";
export * as lake from "./lake/mod.ts";
export * as lobster from "./lobster/mod.ts";
export * as physics from "./physics/mod.ts";
export * as pipeline from "./pipeline/mod.ts";
export * as silver from "./silver/mod.ts";
export * as synth from "./synth/mod.ts";
export * as validate from "./validate/mod.ts";
