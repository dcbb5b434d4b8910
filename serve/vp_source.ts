/**
 * The vacuum-pressure stream's windows (serving.md §4.6): `runtime_config`, then per window
 * `snap`, `flow` and `signals` computed from silver with the tuning knobs applied.
 *
 * @module
 */
import type { ServeContext } from "./context.ts";
import type { VpParams } from "./params.ts";
import { StreamError, type WindowSource } from "./session.ts";

/** Vacuum-pressure surfaces this build can serve for a day (none without the VP engine). */
export function vpSurfacesFor(
  _productType: string,
  _present: (layer: string, table: string, productType?: string) => boolean,
): string[] {
  return [];
}

/** Builds the vacuum-pressure source of a validated request. */
export function vpSource(_ctx: ServeContext, p: VpParams): Promise<WindowSource> {
  return Promise.reject(
    new StreamError(
      `vacuum-pressure for ${p.product_type} ${p.symbol} ${p.dt} needs the vacuum-pressure ` +
        "engine and config resolver (sdk/features), which this server build does not include",
      1008,
    ),
  );
}
