/**
 * The four product types of the lake, shared by every module that names them (synthetic data,
 * bronze, silver, the runner).
 *
 * @module
 */

/** The four product types of the pipeline. */
export type ProductType =
  | "future_mbo"
  | "future_option_mbo"
  | "equity_mbo"
  | "equity_option_cmbp_1";

/** Every product type, in pipeline order. */
export const PRODUCT_TYPES: readonly ProductType[] = [
  "future_mbo",
  "future_option_mbo",
  "equity_mbo",
  "equity_option_cmbp_1",
];
