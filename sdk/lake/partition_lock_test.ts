// Two real processes writing the same partition: the second is refused naming the first, whose
// live temp folder survives; a SIGKILLed writer's lock and leftovers are taken over by the next.
import assert from "node:assert/strict";
import { join } from "node:path";
import { datasetSpec } from "./datasets.ts";
import { openLake } from "./lake.ts";
import { isComplete, partitionDir, tableDir } from "./paths.ts";
import { currentOwner, lockPath, ownerIsDead } from "./partition_lock.ts";

const HELPER = new URL("../testing/partition_writer_process.ts", import.meta.url).pathname;
const DS = "silver.future_mbo.book_snapshot_1s";
const KEY = { symbol: "MNQH6", dt: "2026-02-06" };

function writer(root: string, ready: string, go?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", HELPER, root, DS, KEY.symbol, KEY.dt, ready, ...(go ? [go] : [])],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { child, output: child.output() };
}

async function waitFile(path: string, ms = 60_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await Deno.readTextFile(path);
    } catch {
      if (Date.now() > until) throw new Error(`timed out waiting for ${path}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("a second process is refused with the owner's pid; the first one's temp folder survives and commits", async () => {
  const root = await Deno.makeTempDir();
  try {
    const lake = await openLake(root);
    const spec = datasetSpec(lake.config, DS);
    const a = writer(root, join(root, "a.ready"), join(root, "a.go"));
    const aTmp = await waitFile(join(root, "a.ready"));
    const b = await writer(root, join(root, "b.ready")).output;
    assert.equal(b.code, 3, text(b.stderr));
    const msg = text(b.stderr);
    assert.match(msg, new RegExp(`is in use by another run: pid ${a.child.pid} on `));
    assert.ok(msg.includes(lockPath(tableDir(root, spec, KEY.symbol), KEY.dt)), msg);
    assert.ok((await Deno.stat(aTmp)).isDirectory, "the live temp folder is untouched");
    await Deno.writeTextFile(join(root, "a.go"), "");
    const ao = await a.output;
    assert.equal(ao.code, 0, text(ao.stderr));
    assert.ok(await isComplete(partitionDir(root, spec, KEY)));
    await assert.rejects(
      Deno.stat(lockPath(tableDir(root, spec, KEY.symbol), KEY.dt)),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a killed writer's lock is taken over; its leftovers are removed; the partition completes", async () => {
  const root = await Deno.makeTempDir();
  try {
    const lake = await openLake(root);
    const spec = datasetSpec(lake.config, DS);
    const c = writer(root, join(root, "c.ready"), join(root, "never"));
    const cTmp = await waitFile(join(root, "c.ready"));
    c.child.kill("SIGKILL");
    await c.output;
    const lock = lockPath(tableDir(root, spec, KEY.symbol), KEY.dt);
    const owner = JSON.parse(await Deno.readTextFile(lock));
    assert.equal(owner.pid, c.child.pid);
    assert.ok(ownerIsDead(owner));
    const d = await writer(root, join(root, "d.ready")).output;
    assert.equal(d.code, 0, text(d.stderr));
    assert.ok(await isComplete(partitionDir(root, spec, KEY)));
    await assert.rejects(Deno.stat(cTmp), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(lock), Deno.errors.NotFound);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("liveness: this process is alive; a pid reused by a later process is dead; another host is never judged", () => {
  const me = currentOwner();
  assert.equal(ownerIsDead(me), false);
  if (me.proc_start !== null) {
    // same pid, earlier start: the pid was reused
    assert.equal(ownerIsDead({ ...me, pid: 1, proc_start: "-1" }), true);
  }
  assert.equal(ownerIsDead({ ...me, pid: 999_999_999 }), me.proc_start !== null);
  assert.equal(ownerIsDead({ ...me, pid: 999_999_999, hostname: "elsewhere.example" }), false);
});
