/**
 * The pipeline runner: validates a run (product type, layer, symbol, dates), then runs the
 * registered stages of each layer for every (symbol, date) task, sequentially or in parallel Web
 * Workers. A failing task never stops the others, and is reported in the result (the CLI exits
 * non-zero).
 *
 * @module
 */
import { datasetSpec, lakeConfigPaths, rawSpec } from "../lake/datasets.ts";
import { type Lake, openLake } from "../lake/lake.ts";
import { readManifest } from "../lake/manifest.ts";
import { holdParquetWorkers } from "../lake/_sink.ts";
import {
  checkDate,
  checkSource,
  listPartitions,
  RAW_SOURCES,
  type RawSource,
  sourcesWith,
} from "../lake/paths.ts";
import {
  equityForSymbol,
  extractRoot,
  loadProducts,
  productForSymbol,
  type ProductTable,
} from "../lake/products.ts";
import {
  checkProductType,
  isFutures,
  type Layer,
  LAYERS,
  type ProductType,
  type ProgressInfo,
  type StageContext,
  type StageRegistry,
  type StageResult,
} from "./registry.ts";
import { defaultRegistry } from "./stages.ts";

/** What to run. */
export interface RunOptions {
  /** Product type (`future_mbo`, ...). */
  productType: string;
  /** `bronze`, `silver`, `gold` or `all`. */
  layer: string;
  /** Root / contract / ticker (see {@linkcode StageContext.symbol}). */
  symbol: string;
  /** Session dates. */
  dates: string[];
  /** Tasks run at once (default 1; Web Workers when > 1 and there is more than one task). */
  workers?: number;
  /** Rebuild complete partitions (every layer). */
  overwrite?: boolean;
  /**
   * Raw provenance to read (`databento`, `synthetic`, `lobster`). Default: per date, the only
   * source holding raw files or bronze partitions of the symbol; several are an error listing them.
   */
  source?: string;
  /** Lake root (default: `lake_root` of the configuration). */
  lakeRoot?: string;
  /** Path of `datasets.yaml`; `products.yaml` is read from the same folder. */
  configPath?: string;
  /** Contract row sampling (see `Lake.validateEvery`). */
  validateEvery?: number;
  /** Stages to use (default {@linkcode defaultRegistry}). */
  registry?: StageRegistry;
  /**
   * Module that exports `defaultRegistry()` for worker threads (default: `./stages.ts`). Needed
   * when a custom registry is used with `workers > 1`.
   */
  registryModule?: string;
  /** Events (progress, logs, task results). */
  onEvent?: (e: RunEvent) => void;
}

/** A task: one symbol on one date. */
export interface TaskKey {
  /** Symbol as given. */
  symbol: string;
  /** Session date. */
  dt: string;
}

/** One stage run of a task. */
export interface StageRun {
  /** Stage name. */
  stage: string;
  /** Layer. */
  layer: Layer;
  /** Symbol the stage got. */
  symbol: string;
  /** Seconds. */
  seconds: number;
  /** What it did. */
  result: StageResult;
}

/** Outcome of a task. */
export interface TaskResult extends TaskKey {
  /** True when every stage succeeded. */
  ok: boolean;
  /** The error message of the failed stage. */
  error?: string;
  /** Stages run, in order. */
  stages: StageRun[];
  /** Seconds. */
  seconds: number;
}

/** Events of a run. */
export type RunEvent =
  | { type: "task-start"; task: TaskKey }
  | { type: "stage-start"; task: TaskKey; stage: string; symbol: string }
  | { type: "progress"; task: TaskKey; stage: string; info: ProgressInfo }
  | { type: "log"; task: TaskKey; message: string }
  | { type: "task-end"; result: TaskResult };

/** A validated run. */
export interface RunPlan {
  /** Product type. */
  productType: ProductType;
  /** Layers in order. */
  layers: Layer[];
  /** Symbol as given. */
  symbol: string;
  /** Dates, sorted, unique. */
  dates: string[];
  /** Workers to use. */
  workers: number;
  /** Rebuild complete partitions. */
  overwrite: boolean;
  /** Raw provenance as given (undefined: detected per date, see {@linkcode detectSource}). */
  source?: string;
  /** Lake root (absolute). */
  lakeRoot: string;
  /** datasets.yaml path. */
  configPath: string;
  /** Folder of the contracts. */
  contractsDir: string;
  /** products.yaml path. */
  productsPath: string;
  /** Contract row sampling. */
  validateEvery?: number;
}

/** Outcome of a run. */
export interface RunResult {
  /** The validated plan. */
  plan: RunPlan;
  /** Task results in date order. */
  tasks: TaskResult[];
  /** Number of failed tasks. */
  failed: number;
}

/** Validates the options against the configuration and the registry; throws clear errors. */
export async function planRun(
  o: RunOptions,
): Promise<{ plan: RunPlan; lake: Lake; products: ProductTable; registry: StageRegistry }> {
  const productType = checkProductType(o.productType);
  const registry = o.registry ?? defaultRegistry();
  let layers: Layer[];
  if (o.layer === "all") {
    // every layer registered for the product type, in order (bronze, silver, then later layers)
    layers = registry.layers(productType);
    if (!layers.length) throw new Error(`no layer is registered for ${productType}`);
  } else if ((LAYERS as readonly string[]).includes(o.layer)) {
    layers = [o.layer as Layer];
    registry.stages(productType, layers[0]); // throws when none is registered
  } else {
    throw new Error(`unknown layer '${o.layer}' (valid: ${[...LAYERS, "all"].join(", ")})`);
  }
  if (!o.dates.length) throw new Error("Must provide --dt, --dates, or --start-date/--end-date");
  for (const d of o.dates) checkDate(d);
  const dates = [...new Set(o.dates)].sort();
  const { configPath, productsPath, contractsDir } = await lakeConfigPaths(
    o.lakeRoot,
    o.configPath,
  );
  const products = await loadProducts(productsPath);
  if (!o.symbol) throw new Error("--symbol is required");
  if (isFutures(productType)) productForSymbol(products, o.symbol);
  else equityForSymbol(products, o.symbol);
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(`--workers must be a positive integer, got ${o.workers}`);
  }
  const lake = await openLake(o.lakeRoot, {
    configPath,
    contractsDir,
    validateEvery: o.validateEvery,
  });
  return {
    plan: {
      productType,
      layers,
      symbol: o.symbol,
      dates,
      workers,
      overwrite: o.overwrite ?? false,
      source: o.source === undefined ? undefined : checkSource(o.source),
      lakeRoot: lake.root,
      configPath,
      contractsDir,
      productsPath,
      validateEvery: o.validateEvery,
    },
    lake,
    products,
    registry,
  };
}

const RAW_MAIN: Record<ProductType, string> = {
  future_mbo: "future_mbo.mbo",
  future_option_mbo: "future_option_mbo.mbo",
  equity_mbo: "equity_mbo.mbo",
  equity_option_cmbp_1: "equity_option_cmbp_1.cmbp_1",
};

/**
 * The raw source a task reads when none is given: the only one holding raw files of the product
 * type for the root/ticker on `dt`, or bronze partitions of it; `databento` when there is none
 * (the errors then name the downloader's folders). Several sources are an error listing them.
 */
export async function detectSource(
  lake: Lake,
  productType: ProductType,
  symbol: string,
  dt: string,
  products: ProductTable,
): Promise<RawSource> {
  const root = isFutures(productType) ? extractRoot(symbol, products.products.keys()) : symbol;
  const found = new Set<RawSource>(
    await sourcesWith(lake.root, rawSpec(lake.config, RAW_MAIN[productType]), root, dt),
  );
  const spec = datasetSpec(lake.config, BRONZE_MAIN[productType]);
  for (const source of RAW_SOURCES) {
    if (found.has(source)) continue;
    for (const p of await listPartitions(lake.root, spec, { start: dt, end: dt, source })) {
      const r = isFutures(productType)
        ? (() => {
          try {
            return extractRoot(p.symbol, products.products.keys());
          } catch {
            return "";
          }
        })()
        : p.symbol;
      if (r === root) {
        found.add(source);
        break;
      }
    }
  }
  const list = RAW_SOURCES.filter((s) => found.has(s));
  if (list.length > 1) {
    throw new Error(
      `${productType} ${symbol} ${dt}: data from several sources (${list.join(", ")}); ` +
        `choose one with --source ${list.join("|")}`,
    );
  }
  return list[0] ?? "databento";
}

const BRONZE_MAIN: Record<ProductType, string> = {
  future_mbo: "bronze.future_mbo.mbo",
  future_option_mbo: "bronze.future_option_mbo.mbo",
  equity_mbo: "bronze.equity_mbo.mbo",
  equity_option_cmbp_1: "bronze.equity_option_cmbp_1.cmbp_1",
};

/**
 * The contract later layers process when given a futures root: the bronze partition of that date
 * whose symbol has this root and the most rows.
 */
export async function mostActiveContract(
  lake: Lake,
  productType: ProductType,
  root: string,
  dt: string,
  products: ProductTable,
  source = "databento",
): Promise<string> {
  const spec = datasetSpec(lake.config, BRONZE_MAIN[productType]);
  let best = "", bestRows = -1;
  for (const p of await listPartitions(lake.root, spec, { start: dt, end: dt, source })) {
    let r: string;
    try {
      r = extractRoot(p.symbol, products.products.keys());
    } catch {
      continue;
    }
    if (r !== root) continue;
    const rows = (await readManifest(p.dir)).row_count;
    if (rows > bestRows) [best, bestRows] = [p.symbol, rows];
  }
  if (!best) {
    throw new Error(
      `${productType} ${root} ${dt}: later layers take a contract symbol (e.g. ${root}H6) and no ` +
        `bronze partition of root ${root} exists on ${dt} (source ${source}) to pick one from; ` +
        `run bronze first`,
    );
  }
  return best;
}

/** Runs the layers of one task in this thread. Never throws: failures are in the result. */
export async function runTask(
  plan: RunPlan,
  lake: Lake,
  products: ProductTable,
  registry: StageRegistry,
  dt: string,
  emit: (e: RunEvent) => void,
): Promise<TaskResult> {
  const task: TaskKey = { symbol: plan.symbol, dt };
  const t0 = performance.now();
  const stages: StageRun[] = [];
  emit({ type: "task-start", task });
  let bronzeSymbols: string[] | undefined;
  try {
    const source = plan.source ??
      await detectSource(lake, plan.productType, plan.symbol, dt, products);
    for (const layer of plan.layers) {
      let symbol = plan.symbol;
      if (layer !== "bronze" && isFutures(plan.productType)) {
        const root = extractRoot(symbol, products.products.keys());
        if (symbol === root) {
          symbol = bronzeSymbols?.[0] ??
            await mostActiveContract(lake, plan.productType, root, dt, products, source);
        }
      }
      for (const stage of registry.stages(plan.productType, layer)) {
        emit({ type: "stage-start", task, stage: stage.name, symbol });
        const ctx: StageContext = {
          lake,
          products,
          productType: plan.productType,
          symbol,
          dt,
          product: isFutures(plan.productType) ? productForSymbol(products, symbol) : undefined,
          equity: isFutures(plan.productType) ? undefined : equityForSymbol(products, symbol),
          overwrite: plan.overwrite,
          source,
          progress: (info) => emit({ type: "progress", task, stage: stage.name, info }),
          log: (message) => emit({ type: "log", task, message }),
        };
        const s0 = performance.now();
        const result = await stage.run(ctx);
        stages.push({
          stage: stage.name,
          layer,
          symbol,
          seconds: (performance.now() - s0) / 1000,
          result,
        });
        if (layer === "bronze" && result.symbols?.length) bronzeSymbols = result.symbols;
      }
    }
    const r: TaskResult = { ...task, ok: true, stages, seconds: (performance.now() - t0) / 1000 };
    emit({ type: "task-end", result: r });
    return r;
  } catch (e) {
    const r: TaskResult = {
      ...task,
      ok: false,
      error: (e as Error)?.message ?? String(e),
      stages,
      seconds: (performance.now() - t0) / 1000,
    };
    emit({ type: "task-end", result: r });
    return r;
  }
}

/** Messages of the task workers. */
export type WorkerRequest = { plan: RunPlan; dt: string; registryModule: string };
/** Replies of the task workers. */
export type WorkerReply = { event: RunEvent } | { done: TaskResult };

/** Plans and runs a pipeline; returns every task's outcome (failures included). */
export async function runPipeline(o: RunOptions): Promise<RunResult> {
  const { plan, lake, products, registry } = await planRun(o);
  const emit = o.onEvent ?? (() => {});
  const tasks: TaskResult[] = [];
  if (plan.workers > 1 && plan.dates.length > 1) {
    const registryModule = o.registryModule ?? new URL("./stages.ts", import.meta.url).href;
    const queue = [...plan.dates];
    const one = (w: Worker, dt: string) =>
      new Promise<TaskResult>((resolve) => {
        w.onmessage = (e: MessageEvent<WorkerReply>) => {
          if ("event" in e.data) emit(e.data.event);
          else resolve(e.data.done);
        };
        w.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          const r: TaskResult = {
            symbol: plan.symbol,
            dt,
            ok: false,
            error: `worker failed: ${e.message}`,
            stages: [],
            seconds: 0,
          };
          emit({ type: "task-end", result: r });
          resolve(r);
        };
        const req: WorkerRequest = { plan, dt, registryModule };
        w.postMessage(req);
      });
    const lanes = Array.from({ length: Math.min(plan.workers, queue.length) }, async () => {
      while (queue.length) {
        const dt = queue.shift()!;
        const w = new Worker(new URL("./_task_worker.ts", import.meta.url), { type: "module" });
        try {
          tasks.push(await one(w, dt));
        } finally {
          w.terminate();
        }
      }
    });
    await Promise.all(lanes);
    tasks.sort((a, b) => (a.dt < b.dt ? -1 : 1));
  } else {
    const release = holdParquetWorkers();
    try {
      for (const dt of plan.dates) {
        tasks.push(await runTask(plan, lake, products, registry, dt, emit));
      }
    } finally {
      release();
    }
  }
  return { plan, tasks, failed: tasks.filter((t) => !t.ok).length };
}
