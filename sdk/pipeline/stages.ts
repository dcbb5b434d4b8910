/**
 * The default stage registry: every stage of the SDK. Silver and gold modules add their stage
 * lists here (one import and one `register(...)` line each); parallel runs (`--workers`) load
 * this module in every worker.
 *
 * @module
 */
import { bronzeStages } from "../bronze/stages.ts";
import { SILVER_STAGES } from "../silver/stages.ts";
import { GOLD_STAGES } from "../features/stages.ts";
import { StageRegistry } from "./registry.ts";

/** A registry with every stage of the SDK. */
export function defaultRegistry(): StageRegistry {
  return new StageRegistry().register(...bronzeStages, ...SILVER_STAGES, ...GOLD_STAGES);
}
