// The daemons against the fake Databento server: front month via symbology.resolve, 0DTE
// selection from real DBN definitions, idempotent submissions (downloader.md §5), `received`
// jobs, expiry, dry runs, the lake layout of pipeline.md §1.5, and the key never reaching a file.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { zstdCompressSync, zstdDecompressSync } from "node:zlib";
import {
  definitionsDbn,
  type FakeDatabento,
  type FakeDefinition,
  FakeHttpError,
  type FakeJob,
  type FakeOptions,
  startFakeDatabento,
} from "../testing/fake_databento.ts";
import { HistoricalClient } from "./client.ts";
import {
  BatchDownloader,
  type DaemonOptions,
  equityOptionsRequests,
  futuresRequests,
  jobRequest,
  runEquitiesDaemon,
  runFuturesDaemon,
  submitEquityOptions,
} from "./daemon.ts";
import { PlainProgress } from "./progress.ts";
import {
  emptyTracker,
  FileTrackerStore,
  MemoryTrackerStore,
  type TrackedFile,
  type TrackerData,
} from "./tracker.ts";

const KEY = "db-DaemonTestKeyXYZ987";
const DATE = "2026-02-06"; // a Friday: MNQ 0DTE parent MQ1.OPT (F3)
const RAW = "lake/raw/source=databento";

// ---------------------------------------------------------------- pure planning (F10, F11, §5.1 extras)

Deno.test("F10 futures + options: 3 submissions in order", () => {
  const reqs = futuresRequests("SI", DATE, {
    contract: "SIH6",
    includeFutures: true,
    optionsSchemas: ["mbo", "statistics"],
    options: { raw_symbols: ["SIOPT1", "SIOPT2"], label: "0dte", parent: "SO1.OPT" },
  });
  assert.deepEqual(reqs.map((r) => [r.product_type, r.schema, r.stype_in, r.symbols]), [
    ["futures", "mbo", "raw_symbol", ["SIH6"]],
    ["futures_options", "mbo", "raw_symbol", ["SIOPT1", "SIOPT2"]],
    ["futures_options", "statistics", "raw_symbol", ["SIOPT1", "SIOPT2"]],
  ]);
  assert.equal(reqs[0].key, "GLBX.MDP3|mbo|SI|2026-02-06|futures");
  assert.deepEqual([reqs[0].start, reqs[0].end], ["2026-02-06", "2026-02-07"]);
});

Deno.test("F11 options only; >2000 symbols go through the parent; no options leaves the futures job", () => {
  const one = futuresRequests("SI", DATE, {
    contract: "SIH6",
    includeFutures: false,
    optionsSchemas: ["definition", "mbo", "statistics"],
    options: { raw_symbols: ["SIOPT1"], label: "0dte", parent: "SO1.OPT" },
  });
  assert.deepEqual(one.map((r) => [r.product_type, r.schema]), [["futures_options", "mbo"], [
    "futures_options",
    "statistics",
  ]]);
  const many = futuresRequests("SI", DATE, {
    contract: "SIH6",
    includeFutures: false,
    optionsSchemas: ["mbo", "statistics"],
    options: {
      raw_symbols: Array.from({ length: 2268 }, (_, i) => `SO1G6 C${i}`),
      label: "0dte",
      parent: "SO1.OPT",
    },
  });
  assert.deepEqual(many.map((r) => [r.schema, r.stype_in, r.symbols]), [["mbo", "parent", [
    "SO1.OPT",
  ]], ["statistics", "parent", ["SO1.OPT"]]]);
  const none = futuresRequests("SI", DATE, {
    contract: "SIH6",
    includeFutures: true,
    optionsSchemas: ["mbo"],
    options: { raw_symbols: [], label: "none", parent: "" },
  });
  assert.deepEqual(none.map((r) => r.product_type), ["futures"]);
  const eq = equityOptionsRequests(
    "QQQ",
    DATE,
    ["definition", "cmbp-1"],
    Array.from({ length: 2001 }, (_, i) => `Q${i}`),
  );
  assert.deepEqual(eq.map((r) => [r.schema, r.stype_in, r.symbols]), [["cmbp-1", "parent", [
    "QQQ.OPT",
  ]]]);
});

// ---------------------------------------------------------------- the fake market

const MNQ_DEFS: FakeDefinition[] = [
  {
    instrument_id: 101,
    raw_symbol: "MQ1G6 C21000",
    underlying: "MNQH6",
    instrument_class: "C",
    expiration: "2026-02-06T21:00:00Z",
    strike: 21000,
  },
  {
    instrument_id: 102,
    raw_symbol: "MQ1G6 P21000",
    underlying: "MNQH6",
    instrument_class: "P",
    expiration: "2026-02-06T21:00:00Z",
    strike: 21000,
  },
  {
    instrument_id: 103,
    raw_symbol: "MQ1G6 C21100",
    underlying: "MNQH6",
    instrument_class: "C",
    expiration: "2026-02-06T21:00:00Z",
    strike: 21100,
  },
  {
    instrument_id: 104,
    raw_symbol: "MQ1G6 C21000",
    underlying: "MNQH6",
    instrument_class: "C",
    expiration: "2026-02-06T21:00:00Z",
    strike: 21000,
  }, // update: same symbol
  {
    instrument_id: 105,
    raw_symbol: "MQ1M6 C21000",
    underlying: "MNQM6",
    instrument_class: "C",
    expiration: "2026-02-06T21:00:00Z",
    strike: 21000,
  }, // other contract
  {
    instrument_id: 106,
    raw_symbol: "MQ2G6 C21000",
    underlying: "MNQH6",
    instrument_class: "C",
    expiration: "2026-02-13T21:00:00Z",
    strike: 21000,
  }, // later expiry
  {
    instrument_id: 107,
    raw_symbol: "MNQH6",
    underlying: "",
    instrument_class: "F",
    expiration: "2026-03-20T13:30:00Z",
  },
];
const MNQ_0DTE = ["MQ1G6 C21000", "MQ1G6 C21100", "MQ1G6 P21000"];

const QQQ_DEFS: FakeDefinition[] = [
  {
    instrument_id: 1,
    raw_symbol: "QQQ   260206C00500000",
    underlying: "QQQ",
    instrument_class: "C",
    expiration: "2026-02-06T00:00:00Z",
    strike: 500,
  },
  {
    instrument_id: 2,
    raw_symbol: "QQQ   260206P00500000",
    underlying: "QQQ",
    instrument_class: "P",
    expiration: "2026-02-06T00:00:00Z",
    strike: 500,
  },
  {
    instrument_id: 3,
    raw_symbol: "QQQ   260209C00500000",
    underlying: "QQQ",
    instrument_class: "C",
    expiration: "2026-02-09T00:00:00Z",
    strike: 500,
  },
  {
    instrument_id: 4,
    raw_symbol: "SPY   260206C00600000",
    underlying: "SPY",
    instrument_class: "C",
    expiration: "2026-02-06T00:00:00Z",
    strike: 600,
  },
];
const QQQ_0DTE = ["QQQ   260206C00500000", "QQQ   260206P00500000"];

/** Bytes the fake serves for a data job: deterministic from the request. */
function jobBytes(j: FakeJob): Uint8Array {
  return new Uint8Array(
    zstdCompressSync(
      new TextEncoder().encode(
        `${j.dataset} ${j.schema} ${j.start} ${j.symbols.join("|")}\n`.repeat(50),
      ),
    ),
  );
}

function market(extra: Partial<FakeOptions> = {}): FakeOptions {
  return {
    apiKey: KEY,
    pollsPerState: 2, // jobs sit in `received` for two polls (the original never saw that state)
    resolve: (q) => {
      if (q.stype_in === "continuous" && q.symbol === "MNQ.v.0") {
        return [{ d0: q.start_date, d1: q.end_date!, s: "42140864" }];
      }
      if (q.stype_in === "instrument_id" && q.symbol === "42140864") {
        return [{ d0: q.start_date, d1: q.end_date!, s: "MNQH6" }];
      }
      if (q.stype_in === "parent" && q.symbol === "MQ1.OPT") {
        return Object.fromEntries(
          MNQ_DEFS.filter((d) => d.instrument_class !== "F").map((
            d,
          ) => [d.raw_symbol, [{ d0: q.start_date, d1: q.end_date!, s: String(d.instrument_id) }]]),
        );
      }
      if (q.stype_in === "parent") throw new FakeHttpError(422, `Unknown parent '${q.symbol}'.`);
      return null;
    },
    range: (
      q,
    ) => (q.schema === "definition" && q.symbols[0] === "MQ1.OPT"
      ? definitionsDbn("GLBX.MDP3", DATE, MNQ_DEFS)
      : undefined),
    jobFiles: (j) => {
      const name = `${j.dataset.toLowerCase().replace(".", "-")}-${
        j.start.replaceAll("-", "")
      }.${j.schema}.dbn.zst`;
      if (j.schema === "definition" && j.dataset === "OPRA.PILLAR") {
        return [{ filename: name, bytes: definitionsDbn("OPRA.PILLAR", DATE, QQQ_DEFS) }];
      }
      return [{ filename: name, bytes: jobBytes(j) }];
    },
    ...extra,
  };
}

interface Env {
  fake: FakeDatabento;
  client: HistoricalClient;
  dir: string;
  lines: string[];
  opts: (o: Partial<DaemonOptions>) => DaemonOptions;
}

async function withEnv(extra: Partial<FakeOptions>, fn: (e: Env) => Promise<void>): Promise<void> {
  const fake = await startFakeDatabento(market(extra));
  const dir = await Deno.makeTempDir();
  const lines: string[] = [];
  const client = new HistoricalClient({
    key: KEY,
    apiUrl: fake.url,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 3 },
  });
  const opts = (o: Partial<DaemonOptions>): DaemonOptions => ({
    client,
    tracker: join(dir, "logs", "jobs.json"),
    lakeRoot: join(dir, "lake"),
    logFile: join(dir, "logs", "daemon.log"),
    progress: new PlainProgress((l) => lines.push(l)),
    pollIntervalMs: 5,
    pauseMs: 0,
    start: DATE,
    end: DATE,
    symbols: ["MNQ"],
    optionsSchemas: ["mbo", "statistics"],
    includeFutures: true,
    ...o,
  });
  try {
    await fn({ fake, client, dir, lines, opts });
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const submits = (fake: FakeDatabento) =>
  fake.calls("batch.submit_job").map((
    c,
  ) => [c.params.dataset, c.params.schema, c.params.stype_in, c.params.symbols]);

async function assertNoKey(dir: string): Promise<void> {
  for (const f of ["logs/jobs.json", "logs/daemon.log"]) {
    const text = await Deno.readTextFile(join(dir, f));
    assert.ok(!text.includes(KEY), `${f} contains the API key`);
    assert.ok(!text.includes(btoa(`${KEY}:`)), `${f} contains the Basic credentials`);
  }
}

// ---------------------------------------------------------------- futures

Deno.test("futures daemon: resolve → 0DTE from definitions → submit → poll (received) → verified files in the lake", async () => {
  await withEnv({}, async ({ fake, dir, lines, opts }) => {
    const res = await runFuturesDaemon(opts({}));
    assert.deepEqual(res.failures, []);
    // front month through the free symbology.resolve, never a billed definition of MNQ.v.0
    const resolves = fake.calls("symbology.resolve").map((
      c,
    ) => [c.params.symbols, c.params.stype_in, c.params.stype_out]);
    assert.deepEqual(resolves.slice(0, 2), [["MNQ.v.0", "continuous", "instrument_id"], [
      "42140864",
      "instrument_id",
      "raw_symbol",
    ]]);
    assert.ok(lines.some((l) => l.endsWith(`RESOLVED MNQ.v.0 -> MNQH6 on ${DATE}`)));
    // one billed stream: the definitions of the 0DTE parent
    assert.deepEqual(
      fake.calls("timeseries.get_range").map((
        c,
      ) => [c.params.symbols, c.params.schema, c.params.stype_in]),
      [["MQ1.OPT", "definition", "parent"]],
    );
    assert.deepEqual(submits(fake), [
      ["GLBX.MDP3", "mbo", "raw_symbol", "MNQH6"],
      ["GLBX.MDP3", "mbo", "raw_symbol", MNQ_0DTE.join(",")],
      ["GLBX.MDP3", "statistics", "raw_symbol", MNQ_0DTE.join(",")],
    ]);
    for (const c of fake.calls("batch.submit_job")) {
      assert.deepEqual([c.params.start, c.params.end, c.params.delivery, c.params.split_duration], [
        DATE,
        "2026-02-07",
        "download",
        "day",
      ]);
    }
    assert.equal(
      fake.calls("batch.list_jobs")[0].params.states,
      "received,queued,processing,done,expired",
    );
    assert.ok(lines.some((l) => / STATE .* received -> queued$/.test(l)));
    // files where bronze reads them, byte-identical to what the API served
    const want: Record<string, string> = {
      [`${RAW}/product_type=future_mbo/symbol=MNQ/table=market_by_order_dbn/glbx-mdp3-20260206.mbo.dbn.zst`]:
        "GLBX.MDP3|mbo|MNQ|2026-02-06|futures",
      [`${RAW}/product_type=future_option_mbo/symbol=MNQ/table=market_by_order_dbn/glbx-mdp3-20260206.mbo.dbn.zst`]:
        "GLBX.MDP3|mbo|MNQ|2026-02-06|futures_options",
      [`${RAW}/product_type=future_option_mbo/symbol=MNQ/table=statistics/glbx-mdp3-20260206.statistics.dbn.zst`]:
        "GLBX.MDP3|statistics|MNQ|2026-02-06|futures_options",
    };
    const tracker = await new FileTrackerStore(join(dir, "logs", "jobs.json")).load();
    for (const [path, key] of Object.entries(want)) {
      const job = tracker.jobs[key];
      assert.equal(job.state, "downloaded", key);
      const served = fake.jobs.get(job.job_id)!.files!.find((f) =>
        f.filename === path.split("/").at(-1)
      )!;
      assert.equal(sha(await Deno.readFile(join(dir, path))), sha(served.bytes), path);
      assert.equal((job.files![0] as TrackedFile).path, join(dir, path));
    }
    assert.deepEqual(tracker.pending_downloads, []);
    // definitions kept for bronze + the selection cache
    const defDir = join(dir, RAW, "dataset=definition/venue=glbx/type=futures_options/symbol=MNQ");
    assert.deepEqual(
      await Deno.readFile(join(defDir, "glbx-mdp3-20260206.definition.dbn.zst")),
      definitionsDbn("GLBX.MDP3", DATE, MNQ_DEFS),
    );
    const cache = JSON.parse(await Deno.readTextFile(join(defDir, `resolved_${DATE}.json`)));
    assert.deepEqual([cache.raw_symbols, cache.label, cache.parent, cache.contract], [
      MNQ_0DTE,
      "0dte",
      "MQ1.OPT",
      "MNQH6",
    ]);
    // support files are not in the lake, staging is gone
    const mboDir = join(dir, RAW, "product_type=future_mbo/symbol=MNQ/table=market_by_order_dbn");
    assert.deepEqual([...Deno.readDirSync(mboDir)].map((e) => e.name), [
      "glbx-mdp3-20260206.mbo.dbn.zst",
    ]);
    assert.deepEqual([...Deno.readDirSync(join(dir, "lake", ".staging"))], []);
    await assertNoKey(dir);

    // a second run with the same arguments: nothing submitted, nothing billed, all skipped
    const before = {
      submits: fake.calls("batch.submit_job").length,
      ranges: fake.calls("timeseries.get_range").length,
    };
    const again = await runFuturesDaemon(opts({}));
    assert.equal(fake.calls("batch.submit_job").length, before.submits);
    assert.equal(fake.calls("timeseries.get_range").length, before.ranges);
    assert.deepEqual([again.counts.skipped, again.counts.submitted], [3, 0]);
  });
});

Deno.test("futures: an expired job is resubmitted and downloaded; the old id is kept", async () => {
  await withEnv(
    { expire: (_j, i) => i === 0, pollsPerState: 1 },
    async ({ fake, dir, opts, lines }) => {
      const res = await runFuturesDaemon(opts({ optionsSchemas: ["definition"] }));
      assert.deepEqual(res.failures, []);
      assert.equal(fake.calls("batch.submit_job").length, 2);
      const t = await new FileTrackerStore(join(dir, "logs", "jobs.json")).load();
      const job = t.jobs["GLBX.MDP3|mbo|MNQ|2026-02-06|futures"];
      assert.equal(job.state, "downloaded");
      assert.equal(job.resubmits, 1);
      const [first, second] = [...fake.jobs.keys()];
      assert.deepEqual(job.previous_job_ids, [first]);
      assert.equal(job.job_id, second);
      assert.ok(
        lines.some((l) => l.endsWith("RESUBMIT GLBX.MDP3|mbo|MNQ|2026-02-06|futures (expired)")),
      );
    },
  );
});

Deno.test("futures dry run: prices, submits nothing, streams nothing, writes no tracker", async () => {
  await withEnv({ costPerSymbol: 0.5 }, async ({ fake, dir, opts }) => {
    const res = await runFuturesDaemon(opts({ dryRun: true }));
    assert.equal(fake.calls("batch.submit_job").length, 0);
    assert.equal(fake.calls("timeseries.get_range").length, 0);
    await assert.rejects(Deno.stat(join(dir, "logs", "jobs.json")), Deno.errors.NotFound);
    assert.deepEqual(res.plan.map((p) => [p.key, p.action, p.stype_in, p.cost_usd]), [
      ["GLBX.MDP3|mbo|MNQ|2026-02-06|futures", "submit", "raw_symbol", 0.5],
      ["GLBX.MDP3|mbo|MNQ|2026-02-06|futures_options", "submit", "parent", 50], // parent = 100 symbols in the fake
      ["GLBX.MDP3|statistics|MNQ|2026-02-06|futures_options", "submit", "parent", 50],
    ]);
    assert.match(res.plan[1].note!, /upper bound: whole parent MQ1\.OPT/);
    assert.equal(res.total_cost_usd, 100.5);
  });
});

Deno.test("download failures are retried, not resubmitted; a later run finishes them", async () => {
  await withEnv({ pollsPerState: 1 }, async ({ fake, dir, opts, lines }) => {
    fake.fault({ endpoint: "download", status: 500, times: 4 * 2 }); // two passes of 1 + 3 retries
    const first = await runFuturesDaemon(
      opts({ optionsSchemas: ["definition"], maxDownloadFailures: 2 }),
    );
    assert.equal(first.failures.length, 1);
    const t1 = await new FileTrackerStore(join(dir, "logs", "jobs.json")).load();
    const j1 = t1.jobs["GLBX.MDP3|mbo|MNQ|2026-02-06|futures"];
    assert.deepEqual([j1.state, j1.error_kind], ["error", "download"]);
    assert.match(j1.error!, /500/);
    const second = await runFuturesDaemon(opts({ optionsSchemas: ["definition"] }));
    assert.deepEqual(second.failures, []);
    assert.equal(fake.calls("batch.submit_job").length, 1);
    assert.ok(
      lines.some((l) => /REUSE .*futures job=\S+ state=done \(retrying the download\)/.test(l)),
    );
    const t = await new FileTrackerStore(join(dir, "logs", "jobs.json")).load();
    assert.equal(t.jobs["GLBX.MDP3|mbo|MNQ|2026-02-06|futures"].state, "downloaded");
  });
});

Deno.test("--decompress writes the .dbn the bytes decompress to", async () => {
  await withEnv({ pollsPerState: 1 }, async ({ fake, dir, opts }) => {
    await runFuturesDaemon(opts({ optionsSchemas: ["definition"], decompress: true }));
    const id = [...fake.jobs.keys()][0];
    const served = fake.jobs.get(id)!.files![0].bytes;
    const out = join(dir, RAW, "product_type=future_mbo/symbol=MNQ/table=market_by_order_dbn");
    assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name), ["glbx-mdp3-20260206.mbo.dbn"]);
    assert.deepEqual(
      await Deno.readFile(join(out, "glbx-mdp3-20260206.mbo.dbn")),
      new Uint8Array(zstdDecompressSync(served)),
    );
  });
});

// ---------------------------------------------------------------- equities

Deno.test("equities daemon: definitions job → 0DTE (UTC date) → options jobs → lake", async () => {
  await withEnv({}, async ({ fake, dir, opts }) => {
    const res = await runEquitiesDaemon(opts({
      symbols: ["QQQ"],
      includeFutures: false,
      equitySchemas: ["mbo"],
      optionsSchemas: ["cmbp-1", "statistics"],
    }));
    assert.deepEqual(res.failures, []);
    assert.deepEqual(submits(fake), [
      ["XNAS.ITCH", "mbo", "raw_symbol", "QQQ"],
      ["OPRA.PILLAR", "definition", "parent", "QQQ.OPT"],
      ["OPRA.PILLAR", "cmbp-1", "raw_symbol", QQQ_0DTE.join(",")],
      ["OPRA.PILLAR", "statistics", "raw_symbol", QQQ_0DTE.join(",")],
    ]);
    for (
      const p of [
        "product_type=equity_mbo/symbol=QQQ/table=market_by_order_dbn/xnas-itch-20260206.mbo.dbn.zst",
        "dataset=definition/venue=opra/symbol=QQQ/opra-pillar-20260206.definition.dbn.zst",
        "product_type=equity_option_cmbp_1/symbol=QQQ/table=cmbp_1/opra-pillar-20260206.cmbp-1.dbn.zst",
        "product_type=equity_option_statistics/symbol=QQQ/table=statistics/opra-pillar-20260206.statistics.dbn.zst",
      ]
    ) await Deno.stat(join(dir, RAW, p));
    const t = await new FileTrackerStore(join(dir, "logs", "jobs.json")).load();
    assert.ok(Object.values(t.jobs).every((j) => j.state === "downloaded"));
    assert.ok("OPRA.PILLAR|cmbp-1|QQQ|2026-02-06|equity_options" in t.jobs);
    await assertNoKey(dir);
  });
});

Deno.test("E9–E12 equities phase 2 from a definitions file", async () => {
  await withEnv({}, async ({ fake, dir, client }) => {
    const defFile = join(dir, "defs.dbn.zst");
    await Deno.writeFile(defFile, definitionsDbn("OPRA.PILLAR", DATE, QQQ_DEFS));
    const open = () =>
      BatchDownloader.open({
        client,
        tracker: new MemoryTrackerStore(),
        pauseMs: 0,
        progress: new PlainProgress(() => {}),
      });
    // E9: two option schemas on the two 0DTE symbols
    let dl = await open();
    assert.equal(await submitEquityOptions(dl, "QQQ", DATE, defFile, ["cmbp-1", "statistics"]), 2);
    assert.deepEqual(submits(fake), [
      ["OPRA.PILLAR", "cmbp-1", "raw_symbol", QQQ_0DTE.join(",")],
      ["OPRA.PILLAR", "statistics", "raw_symbol", QQQ_0DTE.join(",")],
    ]);
    // E10: no 0DTE on 2026-02-07 → no options job, no error
    dl = await open();
    assert.equal(await submitEquityOptions(dl, "QQQ", "2026-02-07", defFile, ["cmbp-1"]), 0);
    // E11: `definition` in the options schemas is skipped
    dl = await open();
    assert.equal(await submitEquityOptions(dl, "QQQ", DATE, defFile, ["definition", "cmbp-1"]), 1);
    assert.equal(fake.calls("batch.submit_job").at(-1)!.params.schema, "cmbp-1");
    assert.equal(fake.calls("batch.submit_job").length, 3);
    // E12: `submit` with no definitions file yet: equity + definitions jobs only
    const before = fake.calls("batch.submit_job").length;
    await runEquitiesDaemon({
      client,
      tracker: new MemoryTrackerStore(),
      lakeRoot: join(dir, "lake2"),
      progress: new PlainProgress(() => {}),
      pauseMs: 0,
      start: DATE,
      end: DATE,
      symbols: ["QQQ"],
      equitySchemas: ["mbo"],
      optionsSchemas: ["cmbp-1"],
      mode: "submit",
    });
    assert.deepEqual(submits(fake).slice(before).map((s) => s[1]), ["mbo", "definition"]);
  });
});

// ---------------------------------------------------------------- submit idempotency (E13, E14, §5.4)

Deno.test("E13/E14 and the idempotency matrix", async () => {
  await withEnv({}, async ({ fake, client, lines }) => {
    const store = new MemoryTrackerStore();
    const dl = await BatchDownloader.open({
      client,
      tracker: store,
      pauseMs: 0,
      progress: new PlainProgress((l) => lines.push(l)),
    });
    const key = "OPRA.PILLAR|cmbp-1|QQQ|2026-02-06|equity_options";
    const req = (syms: string[]) =>
      jobRequest("OPRA.PILLAR", "cmbp-1", "QQQ", DATE, "equity_options", syms);
    assert.equal(await dl.submit(req(["SYM_A", "SYM_B"])), "submitted");
    assert.equal(store.data.jobs[key].state, "received");
    dl.data.jobs[key].state = "done";
    assert.equal(await dl.submit(req(["SYM_B", "SYM_A"])), "reused"); // E14: unchanged & done → no API call
    assert.equal(fake.calls("batch.submit_job").length, 1);
    assert.equal(await dl.submit(req(["SYM_A", "SYM_B", "SYM_C"])), "submitted"); // E13: payload changed
    assert.equal(fake.calls("batch.submit_job").length, 2);
    assert.ok(lines.some((l) => l.endsWith(`RESUBMIT ${key} (payload changed)`)));
    const same = req(["SYM_A", "SYM_B", "SYM_C"]);
    for (const s of ["submitted", "received", "queued", "processing"]) {
      dl.data.jobs[key].state = s;
      assert.equal(await dl.submit(same), "reused", s);
    }
    assert.equal(fake.calls("batch.submit_job").length, 2);
    dl.data.jobs[key].state = "expired";
    assert.equal(await dl.submit(same), "submitted"); // the original reused expired jobs forever
    dl.data.jobs[key].state = "error";
    dl.data.jobs[key].error_kind = "job";
    assert.equal(await dl.submit(same), "submitted");
    dl.data.jobs[key].state = "downloaded";
    dl.data.jobs[key].files = [{
      filename: "x",
      size: 1,
      hash: "sha256:00",
      path: "/nonexistent/x",
    }];
    assert.equal(await dl.submit(same), "reused"); // files gone → download again, not resubmit
    assert.equal(dl.data.jobs[key].state, "done");
    assert.equal(fake.calls("batch.submit_job").length, 4);
    // a submission the API refuses is logged and not tracked
    fake.fault({ endpoint: "batch.submit_job", status: 422, detail: "Symbol limit exceeded." });
    const other = jobRequest("OPRA.PILLAR", "statistics", "QQQ", DATE, "equity_options", ["SYM_A"]);
    assert.equal(await dl.submit(other), "failed");
    assert.ok(!(other.key in store.data.jobs));
    assert.match(dl.failures[0].error, /422 Symbol limit exceeded\./);
  });
});

// ---------------------------------------------------------------- kills at every step (no double billing)

/** A tracker that "dies" (aborts the run, like a SIGKILL) right after its `dieAfter`-th save. */
class DyingStore extends MemoryTrackerStore {
  constructor(initial: TrackerData, readonly dieAfter: number, readonly ctrl: AbortController) {
    super(initial);
  }
  override async save(data: TrackerData): Promise<void> {
    if (this.ctrl.signal.aborted) throw new Error("killed");
    await super.save(data);
    if (this.saves >= this.dieAfter) {
      this.ctrl.abort(new Error("killed"));
      throw new Error("killed");
    }
  }
}

function jobsByKey(data: TrackerData): Record<string, string> {
  return Object.fromEntries(Object.entries(data.jobs).map(([k, j]) => [k, j.job_id]));
}

Deno.test("killed after every tracker save, the rerun finishes with exactly one job per request", async () => {
  // a full run's number of saves, for the range of kill points
  let total = 0;
  await withEnv({}, async ({ opts }) => {
    const store = new MemoryTrackerStore();
    await runFuturesDaemon(opts({ tracker: store }));
    total = store.saves;
    assert.equal(Object.keys(store.data.jobs).length, 3);
  });
  assert.ok(total >= 9, `a run saves the tracker at least 3 times per job (${total})`);
  for (let k = 1; k < total; k++) {
    await withEnv({}, async ({ fake, opts }) => {
      const ctrl = new AbortController();
      const dying = new DyingStore(emptyTracker(), k, ctrl);
      await assert.rejects(runFuturesDaemon(opts({ tracker: dying, signal: ctrl.signal })));
      const rest = new MemoryTrackerStore(dying.data);
      const res = await runFuturesDaemon(opts({ tracker: rest }));
      assert.equal(res.failures.length, 0, `kill after save ${k}: ${JSON.stringify(res.failures)}`);
      assert.equal(fake.jobs.size, 3, `kill after save ${k}: jobs created`);
      assert.equal(fake.calls("batch.submit_job").length, 3, `kill after save ${k}: submissions`);
      assert.deepEqual(
        Object.values(jobsByKey(rest.data)).sort(),
        [...fake.jobs.keys()].sort(),
        `kill after save ${k}: the tracker holds the created jobs`,
      );
      assert.ok(Object.values(rest.data.jobs).every((j) => j.state === "downloaded"));
      assert.deepEqual(rest.data.intents, {});
    });
  }
});

Deno.test("killed between a submission and its reply, the rerun finds the created job with list_jobs", async () => {
  for (let n = 0; n < 3; n++) {
    await withEnv({}, async ({ fake, opts, lines }) => {
      const ctrl = new AbortController();
      const store = new MemoryTrackerStore();
      // the n-th submission creates its job; its reply never comes; the process is killed
      fake.fault({
        endpoint: "batch.submit_job",
        hang: "after",
        match: () => fake.calls("batch.submit_job").length === n + 1,
      });
      const run = runFuturesDaemon(opts({ tracker: store, signal: ctrl.signal }));
      const until = Date.now() + 20_000;
      while (fake.jobs.size < n + 1) {
        assert.ok(Date.now() < until, "the job was never created");
        await new Promise((r) => setTimeout(r, 5));
      }
      ctrl.abort(new Error("killed"));
      await assert.rejects(run);
      const intents = Object.keys(store.data.intents);
      assert.equal(intents.length, 1, "the submission in flight was recorded before the request");
      assert.ok(!(intents[0] in store.data.jobs));
      const res = await runFuturesDaemon(opts({ tracker: store }));
      assert.equal(res.failures.length, 0, JSON.stringify(res.failures));
      assert.equal(fake.jobs.size, 3, `kill in submission ${n}: no second job billed`);
      assert.equal(fake.calls("batch.submit_job").length, 3);
      assert.equal(res.counts.reused, n + 1); // the n jobs before it, and the recovered one
      assert.ok(lines.some((l) => l.includes(`RECOVERED ${intents[0]} job=`)));
      assert.ok(Object.values(store.data.jobs).every((j) => j.state === "downloaded"));
      assert.deepEqual(store.data.intents, {});
    });
  }
});

Deno.test("a submission whose connection drops after the job was created is not submitted again", async () => {
  await withEnv({}, async ({ fake, opts }) => {
    fake.fault({ endpoint: "batch.submit_job", drop: true });
    const store = new MemoryTrackerStore();
    const res = await runFuturesDaemon(opts({ tracker: store }));
    assert.equal(res.failures.length, 0, JSON.stringify(res.failures));
    assert.equal(fake.jobs.size, 3);
    assert.equal(fake.calls("batch.submit_job").length, 3);
  });
});

Deno.test("an intent whose request never reached the API is submitted once; other jobs with the same request are not taken", async () => {
  await withEnv({}, async ({ fake, opts, lines }) => {
    const store = new MemoryTrackerStore();
    await runFuturesDaemon(opts({ tracker: store }));
    assert.equal(fake.jobs.size, 3);
    // an earlier run recorded a new submission of the futures job (e.g. after its files were
    // lost and the job expired) and died before sending it
    const key = "GLBX.MDP3|mbo|MNQ|2026-02-06|futures";
    const old = store.data.jobs[key];
    fake.expire(old.job_id);
    old.state = "expired";
    store.data.intents[key] = {
      fingerprint: "0",
      request: { dataset: "GLBX.MDP3", schema: "mbo", symbols: ["MNQH6"], start: DATE },
      recorded_at: new Date().toISOString(),
    };
    const res = await runFuturesDaemon(opts({ tracker: store }));
    assert.equal(res.failures.length, 0, JSON.stringify(res.failures));
    assert.equal(fake.calls("batch.submit_job").length, 4, "submitted once more, not recovered");
    assert.notEqual(store.data.jobs[key].job_id, old.job_id);
    assert.ok(
      lines.some((l) =>
        l.includes(`INTENT ${key}: the interrupted submission was another request`)
      ),
    );
  });
});

Deno.test("two downloaders cannot share a tracker file: the second names the holder's pid", async () => {
  await withEnv({}, async ({ client, dir }) => {
    const tracker = join(dir, "logs", "jobs.json");
    const a = await BatchDownloader.open({ client, tracker });
    try {
      await assert.rejects(
        BatchDownloader.open({ client, tracker }),
        new RegExp(`tracker .*jobs\\.json is in use by another run: pid ${Deno.pid} on `),
      );
      // a dry run only reads the tracker
      (await BatchDownloader.open({ client, tracker, dryRun: true })).close();
    } finally {
      a.close();
    }
    await assert.rejects(Deno.stat(`${tracker}.lock`), Deno.errors.NotFound);
    (await BatchDownloader.open({ client, tracker })).close();
  });
});

// ---------------------------------------------------------------- the cache holds downloads only

Deno.test("a definitions file the downloader did not download is never taken for a cached one, nor overwritten", async () => {
  await withEnv({}, async ({ fake, dir, opts, lines }) => {
    // e.g. a synthetic or copied OPRA definitions file in the downloader's folder
    const defDir = join(dir, RAW, "dataset=definition/venue=opra/symbol=QQQ");
    await Deno.mkdir(defDir, { recursive: true });
    const foreign = join(defDir, "opra-pillar-20260206.definition.dbn.zst");
    const bytes = definitionsDbn("OPRA.PILLAR", DATE, QQQ_DEFS.slice(0, 1));
    await Deno.writeFile(foreign, bytes);
    const res = await runEquitiesDaemon(opts({
      symbols: ["QQQ"],
      includeFutures: false,
      equitySchemas: ["mbo"],
      optionsSchemas: ["cmbp-1"],
      maxDownloadFailures: 1,
    }));
    assert.ok(
      lines.some((l) => l.includes(`IGNORED ${foreign}: not a file this tracker downloaded`)),
    );
    // the definitions job was submitted (not skipped as cached) ...
    assert.deepEqual(submits(fake).slice(0, 2), [
      ["XNAS.ITCH", "mbo", "raw_symbol", "QQQ"],
      ["OPRA.PILLAR", "definition", "parent", "QQQ.OPT"],
    ]);
    // ... and its download refused to replace the foreign file, naming it
    assert.ok(
      res.failures.some((f) =>
        f.error.includes(`${foreign} exists and was not downloaded by this tracker`)
      ),
      JSON.stringify(res.failures),
    );
    assert.deepEqual(await Deno.readFile(foreign), bytes);
  });
});

Deno.test("futures options: a definitions file not streamed by the downloader invalidates the cache and is not overwritten", async () => {
  await withEnv({}, async ({ dir, opts, lines }) => {
    // a complete first run streams the definitions and caches the selection
    const first = await runFuturesDaemon(opts({ tracker: new MemoryTrackerStore() }));
    assert.deepEqual(first.failures, []);
    const defDir = join(dir, RAW, "dataset=definition/venue=glbx/type=futures_options/symbol=MNQ");
    const defPath = join(defDir, "glbx-mdp3-20260206.definition.dbn.zst");
    const cache = JSON.parse(await Deno.readTextFile(join(defDir, "resolved_2026-02-06.json")));
    assert.equal(cache.definitions_sha256, sha(await Deno.readFile(defPath)));
    // another producer replaces the file: the cache no longer vouches for it
    const other = definitionsDbn("GLBX.MDP3", DATE, MNQ_DEFS.slice(0, 2));
    await Deno.writeFile(defPath, other);
    const res = await runFuturesDaemon(opts({ tracker: new MemoryTrackerStore() }));
    assert.ok(
      lines.some((l) => l.includes("definitions file not the one the downloader streamed")),
    );
    assert.ok(
      res.failures.some((f) =>
        f.error.includes(`${defPath} exists and was not streamed by the downloader`)
      ),
      JSON.stringify(res.failures),
    );
    assert.deepEqual(await Deno.readFile(defPath), other);
  });
});
