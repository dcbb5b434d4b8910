// Web Worker running one pipeline task (symbol, date) for `runPipeline` with workers > 1.
import { openLake } from "../lake/lake.ts";
import { loadProducts } from "../lake/products.ts";
import { holdParquetWorkers } from "../lake/_sink.ts";
import type { StageRegistry } from "./registry.ts";
import { runTask, type WorkerReply, type WorkerRequest } from "./runner.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply): void;
}
const scope = globalThis as unknown as WorkerScope;

scope.onmessage = async (e) => {
  const { plan, dt, registryModule } = e.data;
  const post = (m: WorkerReply) => scope.postMessage(m);
  try {
    const mod = await import(registryModule) as { defaultRegistry?: () => StageRegistry };
    if (typeof mod.defaultRegistry !== "function") {
      throw new Error(`${registryModule} does not export defaultRegistry()`);
    }
    const lake = await openLake(plan.lakeRoot, {
      configPath: plan.configPath,
      contractsDir: plan.contractsDir,
      validateEvery: plan.validateEvery,
    });
    const products = await loadProducts(plan.productsPath);
    const release = holdParquetWorkers();
    try {
      const done = await runTask(
        plan,
        lake,
        products,
        mod.defaultRegistry(),
        dt,
        (event) => post({ event }),
      );
      post({ done });
    } finally {
      release();
    }
  } catch (err) {
    post({
      done: {
        symbol: plan.symbol,
        dt,
        ok: false,
        error: (err as Error)?.message ?? String(err),
        stages: [],
        seconds: 0,
      },
    });
  }
};
