// Resumable verified downloads against the fake server: cut-off and stalled transfers resume with
// Range, a wrong sha256 is fetched again (never left in place), 429 Retry-After, existing files.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { type FakeDatabento, startFakeDatabento } from "../testing/fake_databento.ts";
import { HistoricalClient } from "./client.ts";
import type { BatchFile, DownloadProgress } from "./download_file.ts";
import { DownloadError } from "./errors.ts";

const KEY = "db-DownloadTestKey42";
// deterministic pseudo-random payload (incompressible, 300 KB)
const PAYLOAD = (() => {
  const b = new Uint8Array(300_000);
  let x = 2463534242;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
})();
const SHA = createHash("sha256").update(PAYLOAD).digest("hex");

interface Ctx {
  fake: FakeDatabento;
  client: HistoricalClient;
  file: BatchFile;
  dir: string;
  dest: string;
}

async function setup(fn: (c: Ctx) => Promise<void>, idleTimeoutMs = 30_000): Promise<void> {
  const fake = await startFakeDatabento({
    apiKey: KEY,
    jobFiles: () => [{ filename: "glbx-mdp3-20260206.mbo.dbn.zst", bytes: PAYLOAD }],
    pollsPerState: 1,
  });
  const dir = await Deno.makeTempDir();
  const client = new HistoricalClient({
    key: KEY,
    apiUrl: fake.url,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 4 },
    timeoutMs: idleTimeoutMs,
  });
  try {
    const job = await client.batch.submitJob({
      dataset: "GLBX.MDP3",
      schema: "mbo",
      symbols: ["MNQH6"],
      start: "2026-02-06",
      end: "2026-02-07",
    });
    for (let i = 0; i < 4; i++) await client.batch.listJobs({ since: "2026-01-01" }); // received → done
    const files = await client.batch.listFiles(job.id);
    assert.deepEqual(files.map((f) => f.filename), [
      "glbx-mdp3-20260206.mbo.dbn.zst",
      "metadata.json",
      "symbology.json",
    ]);
    const file = files[0];
    assert.equal(file.size, PAYLOAD.length);
    assert.equal(file.hash, `sha256:${SHA}`);
    await fn({ fake, client, file, dir, dest: join(dir, "lake", file.filename) });
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const sha = async (p: string) => createHash("sha256").update(await Deno.readFile(p)).digest("hex");
const downloads = (fake: FakeDatabento) => fake.calls("download");

Deno.test("download: verified file moved into place, no partial left", async () => {
  await setup(async ({ fake, client, file, dest }) => {
    const res = await client.batch.downloadFile(file, dest);
    assert.equal(res.hashVerified, true);
    assert.equal(res.sha256, SHA);
    assert.equal(await sha(dest), SHA);
    assert.equal(downloads(fake).length, 1);
    assert.equal(downloads(fake)[0].authorized, true);
    await assert.rejects(Deno.stat(`${dest}.part`), Deno.errors.NotFound);
    // a second call finds it complete and fetches nothing
    const again = await client.batch.downloadFile(file, dest);
    assert.equal(again.skipped, true);
    assert.equal(downloads(fake).length, 1);
  });
});

Deno.test("download: a cut-off transfer resumes with Range from the bytes on disk", async () => {
  await setup(async ({ fake, client, file, dest }) => {
    fake.fault({ endpoint: "download", cutAt: 120_000, chunkSize: 40_000 });
    const res = await client.batch.downloadFile(file, dest);
    assert.equal(await sha(dest), SHA);
    const calls = downloads(fake);
    assert.equal(calls.length, 2);
    assert.equal(calls[0].range, null);
    assert.equal(calls[1].range, `bytes=120000-${PAYLOAD.length - 1}`);
    assert.equal(res.requests, 2);
  });
});

Deno.test("download: a stalled transfer is abandoned after the idle timeout and resumed", async () => {
  await setup(async ({ fake, client, file, dest }) => {
    fake.fault({ endpoint: "download", stallAt: 64_000, chunkSize: 32_000 });
    await client.batch.downloadFile(file, dest, { idleTimeoutMs: 300 });
    assert.equal(await sha(dest), SHA);
    assert.equal(downloads(fake)[1].range, `bytes=64000-${PAYLOAD.length - 1}`);
  });
});

Deno.test("download: a partial file from an earlier run is resumed", async () => {
  await setup(async ({ fake, client, file, dest, dir }) => {
    const part = join(dir, "staging", "x.part");
    await Deno.mkdir(join(dir, "staging"));
    await Deno.writeFile(part, PAYLOAD.subarray(0, 250_000));
    const res = await client.batch.downloadFile(file, dest, { partPath: part });
    assert.equal(res.resumedFrom, 250_000);
    assert.equal(downloads(fake)[0].range, `bytes=250000-${PAYLOAD.length - 1}`);
    assert.equal(await sha(dest), SHA);
  });
});

Deno.test("download: wrong sha256 is fetched again from byte 0, never left in place", async () => {
  await setup(async ({ fake, client, file, dest }) => {
    fake.fault({ endpoint: "download", corrupt: true });
    const res = await client.batch.downloadFile(file, dest);
    assert.equal(res.integrityFailures, 1);
    assert.equal(await sha(dest), SHA);
    assert.deepEqual(downloads(fake).map((c) => c.range), [null, null]);
  });
});

Deno.test("download: a file that never verifies raises and leaves nothing behind", async () => {
  await setup(async ({ fake, client, file, dest }) => {
    fake.fault({ endpoint: "download", corrupt: true, times: 10 });
    const err = await client.batch.downloadFile(file, dest, { maxIntegrityRetries: 1 }).catch((e) =>
      e
    );
    assert.ok(err instanceof DownloadError);
    assert.match(
      err.message,
      /sha256 mismatch after 2 downloads: expected [0-9a-f]{64}, got [0-9a-f]{64}; file discarded/,
    );
    await assert.rejects(Deno.stat(dest), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${dest}.part`), Deno.errors.NotFound);
  });
});

Deno.test("download: a wrong complete file in place is replaced; an oversize partial restarts", async () => {
  await setup(async ({ fake, client, file, dest }) => {
    await Deno.mkdir(join(dest, ".."), { recursive: true });
    const wrong = PAYLOAD.slice();
    wrong[5] ^= 1;
    await Deno.writeFile(dest, wrong);
    await Deno.writeFile(`${dest}.part`, new Uint8Array(PAYLOAD.length + 10));
    const res = await client.batch.downloadFile(file, dest);
    assert.equal(res.skipped, false);
    assert.equal(await sha(dest), SHA);
    assert.equal(downloads(fake)[0].range, null);
  });
});

Deno.test("download: 429 with Retry-After 0 then 200 succeeds (test_batch_download_rate_limit_429)", async () => {
  await setup(async ({ fake, client, file, dest }) => {
    fake.fault({ endpoint: "download", status: 429, retryAfter: "0" });
    await client.batch.downloadFile(file, dest);
    assert.equal(downloads(fake).length, 2);
    assert.equal(await sha(dest), SHA);
  });
});

Deno.test("download: slow transfer reports increasing progress ending at the size", async () => {
  await setup(async ({ fake, client, file, dest }) => {
    fake.fault({ endpoint: "download", chunkSize: 50_000, chunkDelayMs: 120 });
    const seen: DownloadProgress[] = [];
    await client.batch.downloadFile(file, dest, { onProgress: (p) => seen.push(p) });
    assert.ok(seen.length >= 2);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].bytes >= seen[i - 1].bytes);
    const last = seen.at(-1)!;
    assert.equal(last.done, true);
    assert.equal(last.bytes, PAYLOAD.length);
    assert.equal(last.total, PAYLOAD.length);
  });
});

Deno.test("downloadJob fetches every file of a job into a folder", async () => {
  await setup(async ({ fake, client, dir }) => {
    const id = [...fake.jobs.keys()][0];
    const res = await client.batch.downloadJob(id, join(dir, "job"));
    assert.deepEqual(res.map((r) => r.path.split("/").at(-1)), [
      "glbx-mdp3-20260206.mbo.dbn.zst",
      "metadata.json",
      "symbology.json",
    ]);
    assert.ok(res.every((r) => r.hashVerified));
  });
});
