// `deno task download` as a real subprocess against the fake Databento server: killed between
// polls and again mid-download, then restarted: nothing is resubmitted, nothing is lost, the
// partial file resumes with Range. Also argument errors and the dry run.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  definitionsDbn,
  type FakeDatabento,
  FakeHttpError,
  startFakeDatabento,
} from "../testing/fake_databento.ts";

const CLI = new URL("./download.ts", import.meta.url).pathname;
const KEY = "db-SubprocessKey5550123";
const DATE = "2026-02-06";
const RAW = "lake/raw/source=databento";

function payload(seed: string, n = 200_000): Uint8Array {
  const b = new Uint8Array(n);
  let x = createHash("sha256").update(seed).digest().readUInt32LE(0) | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function startMarket(): Promise<FakeDatabento> {
  return startFakeDatabento({
    apiKey: KEY,
    pollsPerState: 3,
    resolve: (q) => {
      if (q.stype_in === "continuous" && q.symbol === "MNQ.v.0") {
        return [{ d0: q.start_date, d1: q.end_date!, s: "42140864" }];
      }
      if (q.stype_in === "instrument_id") {
        return [{ d0: q.start_date, d1: q.end_date!, s: "MNQH6" }];
      }
      if (q.stype_in === "parent" && q.symbol === "MQ1.OPT") {
        return { "MQ1G6 C21000": [{ d0: q.start_date, d1: q.end_date!, s: "101" }] };
      }
      throw new FakeHttpError(422, `Unknown parent '${q.symbol}'.`);
    },
    range: (q) =>
      q.symbols[0] === "MQ1.OPT"
        ? definitionsDbn("GLBX.MDP3", DATE, [
          {
            instrument_id: 101,
            raw_symbol: "MQ1G6 C21000",
            underlying: "MNQH6",
            instrument_class: "C",
            expiration: "2026-02-06T21:00:00Z",
            strike: 21000,
          },
        ])
        : undefined,
    jobFiles: (
      j,
    ) => [{
      filename: `glbx-mdp3-20260206.${j.schema}.dbn.zst`,
      bytes: payload(`${j.schema}|${j.symbols.join(",")}`),
    }],
  });
}

function spawn(
  cwd: string,
  url: string,
  extra: string[] = [],
  env: Record<string, string> = { DATABENTO_API_KEY: KEY },
) {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      CLI,
      "futures",
      "daemon",
      "--start",
      DATE,
      "--end",
      DATE,
      "--symbols",
      "MNQ",
      "--include-futures",
      "--options-schemas",
      "mbo,statistics",
      "--poll-interval",
      "0.25",
      "--pause-seconds",
      "0",
      "--retry-base-ms",
      "5",
      "--api-url",
      url,
      ...extra,
    ],
    cwd,
    env,
    clearEnv: false,
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  return { child, output: child.output() };
}

async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

async function readJson(
  path: string,
): Promise<{ jobs: Record<string, { job_id: string; state: string }> } | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined;
  }
}

async function partSizes(dir: string): Promise<number[]> {
  const out: number[] = [];
  try {
    for (const job of Deno.readDirSync(dir)) {
      for (const f of Deno.readDirSync(join(dir, job.name))) {
        out.push((await Deno.stat(join(dir, job.name, f.name))).size);
      }
    }
  } catch {
    // not there yet
  }
  return out;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("daemon subprocess killed between polls and mid-download resumes without resubmitting or losing a job", async () => {
  const fake = await startMarket();
  const cwd = await Deno.makeTempDir();
  const tracker = join(cwd, "logs", "futures_jobs.json");
  try {
    // 1. kill between polls (jobs submitted, not done yet)
    let run = spawn(cwd, fake.url);
    await waitFor(
      "3 submissions and 2 polls",
      () =>
        fake.calls("batch.submit_job").length === 3 && fake.calls("batch.list_jobs").length >= 2,
    );
    run.child.kill("SIGKILL");
    await run.output;
    const t1 = (await readJson(tracker))!;
    const ids = Object.fromEntries(Object.entries(t1.jobs).map(([k, j]) => [k, j.job_id]));
    assert.equal(Object.keys(ids).length, 3);
    assert.ok(Object.values(t1.jobs).every((j) => j.state !== "downloaded"));

    // 2. restart, kill again while a download is stalled half way
    fake.fault({ endpoint: "download", stallAt: 100_000, chunkSize: 25_000 });
    run = spawn(cwd, fake.url);
    await waitFor(
      "a stalled partial download",
      async () => (await partSizes(join(cwd, "lake", ".staging"))).includes(100_000),
    );
    run.child.kill("SIGKILL");
    await run.output;
    assert.equal(fake.calls("batch.submit_job").length, 3);

    // 3. restart and finish
    run = spawn(cwd, fake.url);
    const out = await run.output;
    assert.equal(out.code, 0, text(out.stderr));
    assert.equal(fake.calls("batch.submit_job").length, 3); // never resubmitted
    const t3 = (await readJson(tracker))!;
    for (const [k, id] of Object.entries(ids)) {
      assert.equal(t3.jobs[k].job_id, id, `${k} kept its job`);
      assert.equal(t3.jobs[k].state, "downloaded", k);
    }
    assert.ok(
      fake.calls("download").some((c) => c.range?.startsWith("bytes=100000-")),
      "resumed with Range",
    );
    for (
      const [p, seed] of [
        [
          "product_type=future_mbo/symbol=MNQ/table=market_by_order_dbn/glbx-mdp3-20260206.mbo.dbn.zst",
          "mbo|MNQH6",
        ],
        [
          "product_type=future_option_mbo/symbol=MNQ/table=market_by_order_dbn/glbx-mdp3-20260206.mbo.dbn.zst",
          "mbo|MQ1G6 C21000",
        ],
        [
          "product_type=future_option_mbo/symbol=MNQ/table=statistics/glbx-mdp3-20260206.statistics.dbn.zst",
          "statistics|MQ1G6 C21000",
        ],
      ]
    ) {
      assert.deepEqual(await Deno.readFile(join(cwd, RAW, p)), payload(seed), p);
    }
    // the definitions were streamed (billed) once across the three runs
    assert.equal(fake.calls("timeseries.get_range").length, 1);
    const log = await Deno.readTextFile(join(cwd, "logs", "futures.log"));
    assert.match(log, /REUSE GLBX\.MDP3\|mbo\|MNQ\|2026-02-06\|futures job=/);
    assert.match(log, /DAEMON complete/);
    assert.ok(!log.includes(KEY) && !(await Deno.readTextFile(tracker)).includes(KEY));
  } finally {
    await fake.close();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("CLI: bad arguments exit 2 naming the parameter; no key exits 1", async () => {
  const fake = await startMarket();
  const cwd = await Deno.makeTempDir();
  try {
    let out = await spawn(cwd, fake.url, ["--symbols", "SI.FUT"]).output;
    assert.equal(out.code, 2);
    assert.match(text(out.stderr), /--symbols: invalid futures root 'SI\.FUT'/);
    out = await spawn(cwd, fake.url, ["--options-schemas", "mbo,cmbp-1"]).output;
    assert.equal(out.code, 2);
    assert.match(text(out.stderr), /--options-schemas: unsupported schema\(s\) cmbp-1/);
    out = await spawn(cwd, fake.url, ["--end", "2026-02-01"]).output;
    assert.equal(out.code, 2);
    assert.match(text(out.stderr), /end date before start date/);
    out = await spawn(cwd, fake.url, [], { DATABENTO_API_KEY: "" }).output;
    assert.equal(out.code, 1);
    assert.match(text(out.stderr), /DATABENTO_API_KEY not set/);
    assert.equal(fake.requests.length, 0);
  } finally {
    await fake.close();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("CLI: --dry-run prints the plan and its cost and submits nothing", async () => {
  const fake = await startMarket();
  const cwd = await Deno.makeTempDir();
  try {
    const out = await spawn(cwd, fake.url, ["--dry-run"]).output;
    assert.equal(out.code, 0, text(out.stderr));
    const stdout = text(out.stdout);
    assert.match(
      stdout,
      /submit\s+GLBX\.MDP3\|mbo\|MNQ\|2026-02-06\|futures\s+1\s+raw_symbol\s+\$0\.25/,
    );
    assert.match(stdout, /total estimated cost: \$50\.25 \(dry run: nothing submitted\)/);
    assert.equal(fake.calls("batch.submit_job").length, 0);
    assert.equal(fake.calls("timeseries.get_range").length, 0);
    await assert.rejects(Deno.stat(join(cwd, "logs", "futures_jobs.json")), Deno.errors.NotFound);
  } finally {
    await fake.close();
    await Deno.remove(cwd, { recursive: true });
  }
});

function spawnEquities(cwd: string, url: string, extra: string[], key = KEY) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      CLI,
      "equities",
      "daemon",
      "--start",
      DATE,
      "--end",
      DATE,
      "--symbols",
      "QQQ",
      "--poll-interval",
      "0.1",
      "--pause-seconds",
      "0",
      "--retry-base-ms",
      "1",
      "--timeout-seconds",
      "5",
      "--api-url",
      url,
      ...extra,
    ],
    cwd,
    env: { DATABENTO_API_KEY: key },
    clearEnv: false,
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test("CLI: a rejected key (401) or a refused permission (403) exits 1 naming the status, in a dry run too", async () => {
  const fake = await startMarket();
  const cwd = await Deno.makeTempDir();
  try {
    for (const dry of [["--dry-run"], []]) {
      const out = await spawnEquities(cwd, fake.url, dry, "db-WrongKey000000000000000");
      assert.equal(out.code, 1, `401 ${dry}: ${text(out.stdout)}`);
      assert.match(text(out.stderr), /401 Authentication failed\. Check your API key\./);
      assert.doesNotMatch(text(out.stdout), /total estimated cost: \$0\.00/);
      assert.ok(!text(out.stderr).includes("WrongKey"));
    }
    fake.fault({ endpoint: "*", status: 403, detail: "Your plan does not include OPRA.PILLAR." });
    const out = await spawnEquities(cwd, fake.url, ["--dry-run"]);
    assert.equal(out.code, 1);
    assert.match(text(out.stderr), /403 Your plan does not include OPRA\.PILLAR\./);
    assert.equal(fake.jobs.size, 0); // nothing was created, nothing billed
    // the run stopped at the first refusal instead of repeating it for every job
    assert.equal(fake.requests.filter((r) => r.authorized).length, 1);
  } finally {
    await fake.close();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("CLI: an unreachable API exits 1 naming the host and the cause, in a dry run too", async () => {
  // a port nobody listens on: bind one, note it, close it
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const cwd = await Deno.makeTempDir();
  try {
    for (const dry of [["--dry-run"], []]) {
      const out = await spawnEquities(cwd, `http://127.0.0.1:${port}`, dry);
      assert.equal(out.code, 1, `${dry}: ${text(out.stdout)}`);
      assert.match(
        text(out.stderr),
        new RegExp(`cannot reach 127\\.0\\.0\\.1:${port} \\(.*[Cc]onnection refused`),
      );
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("daemon subprocess SIGKILLed before and after its request reached the API bills each job once; a second daemon on the tracker is refused", async () => {
  for (const hang of ["before", "after"] as const) {
    const fake = await startMarket();
    const cwd = await Deno.makeTempDir();
    const tracker = join(cwd, "logs", "futures_jobs.json");
    try {
      // the second submission hangs: before it takes effect, or after the job is created
      fake.fault({
        endpoint: "batch.submit_job",
        hang,
        match: () => fake.calls("batch.submit_job").length === 2,
      });
      const run = spawn(cwd, fake.url);
      await waitFor(
        "the second submission in flight",
        () =>
          fake.calls("batch.submit_job").length === 2 &&
          (hang === "before" || fake.jobs.size === 2),
      );
      const t = (await readJson(tracker)) as unknown as {
        intents: Record<string, { fingerprint: string }>;
      };
      assert.equal(
        Object.keys(t.intents).length,
        1,
        "the intent is in the tracker before the request",
      );

      // meanwhile a second daemon on the same tracker is refused, naming the first
      const second = await spawn(cwd, fake.url).output;
      assert.equal(second.code, 1);
      assert.match(
        text(second.stderr),
        new RegExp(
          `tracker .*futures_jobs\\.json is in use by another run: pid ${run.child.pid} on `,
        ),
      );

      run.child.kill("SIGKILL");
      await run.output;
      const out = await spawn(cwd, fake.url).output;
      assert.equal(out.code, 0, text(out.stderr));
      assert.equal(fake.jobs.size, 3, `${hang}: one job per request`);
      const log = await Deno.readTextFile(join(cwd, "logs", "futures.log"));
      if (hang === "after") {
        assert.equal(fake.calls("batch.submit_job").length, 3);
        assert.match(log, /RECOVERED GLBX\.MDP3\|mbo\|MNQ\|2026-02-06\|futures_options job=/);
      } else {
        assert.equal(fake.calls("batch.submit_job").length, 4); // the lost request, sent again
        assert.match(
          log,
          /INTENT GLBX\.MDP3\|mbo\|MNQ\|2026-02-06\|futures_options: .*created no job/,
        );
      }
      const done = (await readJson(tracker))!;
      assert.deepEqual(
        Object.values(done.jobs).map((j) => j.job_id).sort(),
        [...fake.jobs.keys()].sort(),
      );
      assert.ok(Object.values(done.jobs).every((j) => j.state === "downloaded"));
    } finally {
      await fake.close();
      await Deno.remove(cwd, { recursive: true });
    }
  }
});
