// The client against the fake Databento server (sdk/testing/fake_databento.ts), which follows
// databento-api.md: request shapes, errors, retries, warnings, streaming into the DBN decoder.
import assert from "node:assert/strict";
import { join } from "node:path";
import { definitionsDbn, type FakeOptions, startFakeDatabento } from "../testing/fake_databento.ts";
import { normalizeApiUrl, parseDotenv, readSetting, validateApiKey } from "./api_key.ts";
import { type ClientOptions, HistoricalClient, normalizeSymbols } from "./client.ts";
import { DatabentoApiError, DatabentoError } from "./errors.ts";
import type { ApiWarning, RetryEvent } from "./_transport.ts";

const KEY = "db-UnitTestKey0123456789abcdef";

async function withFake(
  opts: Partial<FakeOptions>,
  fn: (ctx: {
    fake: Awaited<ReturnType<typeof startFakeDatabento>>;
    client: HistoricalClient;
    retries: RetryEvent[];
    warnings: ApiWarning[];
  }) => Promise<void>,
  clientOpts: Partial<ClientOptions> = {},
): Promise<void> {
  const fake = await startFakeDatabento({ apiKey: KEY, ...opts });
  const retries: RetryEvent[] = [];
  const warnings: ApiWarning[] = [];
  const client = new HistoricalClient({
    key: KEY,
    apiUrl: fake.url,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 3 },
    onRetry: (e) => retries.push(e),
    onWarning: (w) => warnings.push(w),
    ...clientOpts,
  });
  try {
    await fn({ fake, client, retries, warnings });
  } finally {
    await fake.close();
  }
}

Deno.test("requests: Basic auth, JSON accept, form-encoded POST with the exact submit_job fields", async () => {
  await withFake({}, async ({ fake, client }) => {
    const job = await client.batch.submitJob({
      dataset: "GLBX.MDP3",
      schema: "trades",
      symbols: ["esh1"],
      start: "2020-12-28T12:00",
      end: "2020-12-29",
      encoding: "csv",
      split_size: 10_000_000_000,
    });
    assert.match(job.id, /^GLBX-\d{8}-[A-Z0-9]{10}$/);
    assert.equal(job.state, "received");
    const [r] = fake.calls("batch.submit_job");
    assert.equal(r.authorized, true);
    assert.equal(r.accept, "application/json");
    assert.equal(r.contentType, "application/x-www-form-urlencoded;charset=UTF-8");
    // the dict asserted by the official client's test_batch_submit_job_sends_expected_request
    assert.deepEqual(r.params, {
      dataset: "GLBX.MDP3",
      start: "2020-12-28T12:00",
      end: "2020-12-29",
      symbols: "ESH1",
      schema: "trades",
      stype_in: "raw_symbol",
      stype_out: "instrument_id",
      encoding: "csv",
      compression: "zstd",
      pretty_px: "false",
      pretty_ts: "false",
      map_symbols: "true",
      split_symbols: "false",
      split_duration: "day",
      delivery: "download",
      split_size: "10000000000",
    });
  });
});

Deno.test("symbology.resolve sends the documented fields and returns the body", async () => {
  await withFake({
    resolve: (q) =>
      q.symbol === "ESH1" ? [{ d0: "2020-12-28", d1: "2020-12-29", s: "5482" }] : null,
  }, async ({ fake, client }) => {
    const r = await client.symbology.resolve({
      dataset: "GLBX.MDP3",
      symbols: ["ESH1"],
      stype_in: "raw_symbol",
      start_date: "2020-12-28",
      end_date: "2020-12-29",
    });
    assert.deepEqual(fake.calls("symbology.resolve")[0].params, {
      dataset: "GLBX.MDP3",
      symbols: "ESH1",
      stype_in: "raw_symbol",
      stype_out: "instrument_id",
      start_date: "2020-12-28",
      end_date: "2020-12-29",
    });
    assert.deepEqual(r.result, { ESH1: [{ d0: "2020-12-28", d1: "2020-12-29", s: "5482" }] });
    assert.equal(r.status, 0);
    assert.equal(r.message, "OK");
  });
});

Deno.test("metadata: cost, record count, dataset range", async () => {
  await withFake({ costPerSymbol: 0.5 }, async ({ fake, client }) => {
    const q = {
      dataset: "GLBX.MDP3",
      schema: "mbo",
      symbols: ["MNQH6", "SIH6"],
      start: "2026-02-06",
      end: "2026-02-07",
    };
    assert.equal(await client.metadata.getCost(q), 1.0); // 2 symbols × $0.5 (the fake's price list)
    assert.equal(await client.metadata.getRecordCount(q), 2000);
    assert.equal(
      (await client.metadata.getDatasetRange("GLBX.MDP3")).start,
      "2018-05-01T00:00:00.000000000Z",
    );
    assert.equal(fake.calls("metadata.get_cost")[0].params.stype_out, "instrument_id");
    assert.equal(fake.calls("metadata.get_cost")[0].method, "POST");
    assert.equal(fake.calls("metadata.get_dataset_range")[0].method, "GET");
  });
});

Deno.test("401: the API's message and status, never the key", async () => {
  await withFake({}, async ({ fake }) => {
    const bad = new HistoricalClient({
      key: "db-WrongKey987654321",
      apiUrl: fake.url,
      retry: { baseDelayMs: 1 },
    });
    const err = await bad.batch.listJobs().catch((e) => e);
    assert.ok(err instanceof DatabentoApiError);
    assert.equal(err.status, 401);
    assert.match(
      err.message,
      /batch\.list_jobs: .*401 Authentication failed\. Check your API key\./,
    );
    assert.ok(!err.message.includes("WrongKey987654321"));
    assert.equal(fake.calls("batch.list_jobs").length, 1); // 4xx is not retried
  });
});

Deno.test("422 with a structured JSON error surfaces case, message and docs", async () => {
  await withFake({}, async ({ fake, client }) => {
    fake.fault({
      endpoint: "symbology.resolve",
      status: 422,
      detail: {
        case: "symbology_invalid_symbol",
        message: "Invalid parent 'XX1.OPT'.",
        docs: "https://databento.com/docs/x",
      },
    });
    const err = await client.symbology.resolve({
      dataset: "GLBX.MDP3",
      symbols: ["XX1.OPT"],
      stype_in: "parent",
      start_date: "2026-02-06",
    }).catch((e) => e);
    assert.ok(err instanceof DatabentoApiError);
    assert.equal(err.status, 422);
    assert.equal(err.case, "symbology_invalid_symbol");
    assert.equal(err.detail, "Invalid parent 'XX1.OPT'.");
    assert.match(
      err.message,
      /422 symbology_invalid_symbol\nInvalid parent 'XX1\.OPT'\.\ndocumentation: https:\/\/databento\.com\/docs\/x/,
    );
    assert.match(err.message, /^symbology\.resolve: Request req-\d+: /);
  });
});

Deno.test("429 honours Retry-After; 5xx retried with backoff; X-Warning reported", async () => {
  await withFake({}, async ({ fake, client, retries, warnings }) => {
    fake.fault({ endpoint: "batch.list_jobs", status: 429, retryAfter: "1" });
    fake.fault({ endpoint: "batch.list_jobs", status: 503 });
    fake.fault({ endpoint: "batch.list_jobs", status: 500 });
    fake.fault({
      endpoint: "batch.list_jobs",
      warnings: ["DeprecationWarning: short form is the default", "Plain text"],
    });
    const jobs = await client.batch.listJobs({ since: "2026-01-01" });
    assert.deepEqual(jobs, []);
    assert.equal(fake.calls("batch.list_jobs").length, 4);
    assert.deepEqual(retries.map((r) => [r.status, r.attempt]), [[429, 1], [503, 2], [500, 3]]);
    assert.equal(retries[0].delayMs, 1000); // Retry-After: 1
    assert.ok(retries[1].delayMs <= 5 && retries[2].delayMs <= 5); // backoff capped by maxDelayMs
    assert.deepEqual(warnings, [
      {
        endpoint: "batch.list_jobs",
        category: "DeprecationWarning",
        message: "short form is the default",
      },
      { endpoint: "batch.list_jobs", category: "Warning", message: "Plain text" },
    ]);
    assert.equal(
      fake.calls("batch.list_jobs")[0].params.states,
      "received,queued,processing,done,expired",
    );
  });
});

Deno.test("5xx past maxRetries fails with the API's status and message", async () => {
  await withFake({}, async ({ fake, client }) => {
    fake.fault({ endpoint: "batch.list_files", status: 500, detail: "Internal error.", times: 10 });
    const err = await client.batch.listFiles("GLBX-20260101-AAAAAAAAAA").catch((e) => e);
    assert.ok(err instanceof DatabentoApiError);
    assert.equal(err.status, 500);
    assert.equal(err.detail, "Internal error.");
    assert.equal(fake.calls("batch.list_files").length, 4); // 1 + maxRetries 3
  });
});

Deno.test("submit_job: a 500 after the job was created does not submit it twice", async () => {
  await withFake({}, async ({ fake, client }) => {
    fake.fault({ endpoint: "batch.submit_job", status: 500, afterHandling: true });
    const job = await client.batch.submitJob({
      dataset: "XNAS.ITCH",
      schema: "mbo",
      symbols: ["QQQ"],
      start: "2026-02-06",
      end: "2026-02-07",
    });
    assert.equal(fake.jobs.size, 1);
    assert.equal(job.id, [...fake.jobs.keys()][0]);
    assert.equal(fake.calls("batch.submit_job").length, 1);
  });
});

Deno.test("submit_job: 429 then success submits exactly once more", async () => {
  await withFake({}, async ({ fake, client, retries }) => {
    fake.fault({ endpoint: "batch.submit_job", status: 429, retryAfter: "0" });
    await client.batch.submitJob({
      dataset: "XNAS.ITCH",
      schema: "mbo",
      symbols: ["QQQ"],
      start: "2026-02-06",
      end: "2026-02-07",
    });
    assert.equal(fake.jobs.size, 1);
    assert.equal(fake.calls("batch.submit_job").length, 2);
    assert.equal(retries[0].delayMs, 0);
  });
});

Deno.test("timeseries.get_range streams straight into the DBN decoder, and to a file", async () => {
  const dbn = definitionsDbn("GLBX.MDP3", "2026-02-06", [
    {
      instrument_id: 11,
      raw_symbol: "MQ1G6 C21000",
      underlying: "MNQH6",
      instrument_class: "C",
      expiration: "2026-02-06T21:00:00Z",
      strike: 21000,
    },
    {
      instrument_id: 12,
      raw_symbol: "MQ1G6 P21000",
      underlying: "MNQH6",
      instrument_class: "P",
      expiration: "2026-02-06T21:00:00Z",
      strike: 21000,
    },
  ]);
  await withFake(
    { range: (q) => (q.symbols[0] === "MQ1.OPT" ? dbn : undefined) },
    async ({ fake, client }) => {
      const q = {
        dataset: "GLBX.MDP3",
        schema: "definition",
        symbols: ["mq1.opt"],
        stype_in: "parent",
        start: "2026-02-06",
        end: "2026-02-07",
      };
      const reader = await client.timeseries.openRange(q);
      assert.equal(reader.metadata?.schema, "definition");
      const syms: string[] = [];
      for await (const r of reader.records()) {
        syms.push(
          (r as unknown as { raw_symbol: string }).raw_symbol,
        );
      }
      assert.deepEqual(syms, ["MQ1G6 C21000", "MQ1G6 P21000"]);
      assert.deepEqual(fake.calls("timeseries.get_range")[0].params, {
        dataset: "GLBX.MDP3",
        start: "2026-02-06",
        end: "2026-02-07",
        symbols: "MQ1.OPT",
        schema: "definition",
        stype_in: "parent",
        stype_out: "instrument_id",
        encoding: "dbn",
        compression: "zstd",
      });
      const dir = await Deno.makeTempDir();
      try {
        const path = join(dir, "defs.dbn.zst");
        assert.equal(await client.timeseries.getRangeToFile(q, path), dbn.length);
        assert.deepEqual(await Deno.readFile(path), dbn);
        await assert.rejects(client.timeseries.getRangeToFile(q, path), /file exists/);
        // a 422 (nothing resolved) surfaces the API's message
        const err = await client.timeseries.getRange({ ...q, symbols: ["ZZ.OPT"] }).catch((e) => e);
        assert.ok(
          err instanceof DatabentoApiError && err.status === 422 &&
            err.case === "symbology_invalid_request",
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
});

Deno.test("the key never shows: JSON, inspect, redaction of echoed text", () => {
  const c = new HistoricalClient({ key: KEY, apiUrl: "http://127.0.0.1:9" });
  assert.ok(!JSON.stringify(c).includes(KEY));
  assert.ok(!Deno.inspect(c, { depth: 5 }).includes(KEY));
  assert.equal(c.redact(`echo ${KEY} and ${btoa(`${KEY}:`)}`), "echo *** and ***");
});

Deno.test("settings: .env parsing and lookup, key validation, URL rules", async () => {
  assert.deepEqual(
    [...parseDotenv(
      '# c\nexport DATABENTO_API_KEY="db-abc"\nDATABENTO_API_URL=http://127.0.0.1:8 # local\n',
    )],
    [["DATABENTO_API_KEY", "db-abc"], ["DATABENTO_API_URL", "http://127.0.0.1:8"]],
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, ".env"), "SPYMASTER_TEST_SETTING='from-dotenv'\n");
    assert.equal(
      await readSetting("SPYMASTER_TEST_SETTING", {
        dotenvPaths: [join(dir, "missing"), join(dir, ".env")],
      }),
      "from-dotenv",
    );
    assert.equal(
      await readSetting("SPYMASTER_TEST_ABSENT", { dotenvPaths: [join(dir, ".env")] }),
      undefined,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.throws(() => validateApiKey("  "), /DATABENTO_API_KEY not set/);
  assert.throws(() => validateApiKey("YOUR_API_KEY"), /placeholder/);
  assert.equal(normalizeApiUrl("hist.databento.com"), "https://hist.databento.com");
  assert.equal(normalizeApiUrl("http://127.0.0.1:8080/v0/"), "http://127.0.0.1:8080");
  assert.throws(() => normalizeApiUrl("http://example.com"), DatabentoError);
  assert.throws(() => normalizeApiUrl("//"), DatabentoError);
});

Deno.test("symbols are normalised like the official client", () => {
  assert.deepEqual(normalizeSymbols(["es.c.0", "ES.N.0", "mnq.fut"], "continuous"), [
    "ES.c.0",
    "ES.n.0",
    "MNQ.FUT",
  ]);
  assert.deepEqual(normalizeSymbols(" esh1 , QQQ   260109C00500000"), [
    "ESH1",
    "QQQ   260109C00500000",
  ]);
  assert.deepEqual(normalizeSymbols(undefined), ["ALL_SYMBOLS"]);
  assert.throws(() => normalizeSymbols(["CL..0"], "continuous"), /invalid continuous symbol/);
  assert.throws(() => normalizeSymbols(["A.B.C.D"], "parent"), /invalid parent symbol/);
  assert.throws(
    () => normalizeSymbols(Array.from({ length: 2001 }, (_, i) => `S${i}`)),
    /at most 2000/,
  );
});
