// The shared day cache: bounded by entries and bytes (least recently used evicted first), one load
// per key however many callers wait, failed loads not kept.
import assert from "node:assert/strict";
import { DayCache } from "./day_cache.ts";

Deno.test("LRU eviction by entry count and by bytes; grow() counts encoded frames", async () => {
  const c = new DayCache<string>({ maxEntries: 2, maxBytes: 100 });
  const load = (v: string, bytes: number) => () => Promise.resolve({ value: v, bytes });
  await c.get("a", load("A", 10));
  await c.get("b", load("B", 10));
  await c.get("a", load("A2", 10)); // a is now the most recent
  await c.get("c", load("C", 10)); // evicts b (least recently used)
  assert.equal(c.size, 2);
  assert.equal(await c.get("a", load("A3", 10)), "A"); // still cached
  assert.equal(await c.get("b", load("B2", 10)), "B2"); // reloaded
  assert.equal(c.bytes, 20);
  c.grow("b", 85); // 105 bytes > 100: the other entry goes
  assert.equal(c.size, 1);
  assert.equal(c.bytes, 95);
});

Deno.test("concurrent requests share one load; a failed load is not kept", async () => {
  const c = new DayCache<number>();
  let loads = 0;
  const slow = () => {
    loads++;
    return new Promise<{ value: number; bytes: number }>((r) =>
      setTimeout(() => r({ value: 7, bytes: 1 }), 20)
    );
  };
  const got = await Promise.all([c.get("k", slow), c.get("k", slow), c.get("k", slow)]);
  assert.deepEqual(got, [7, 7, 7]);
  assert.equal(loads, 1);
  await assert.rejects(c.get("bad", () => Promise.reject(new Error("no day"))), /no day/);
  assert.equal(await c.get("bad", () => Promise.resolve({ value: 1, bytes: 1 })), 1);
});
