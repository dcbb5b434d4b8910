// A guard for DuckDB queries that call back into JavaScript (table and scalar functions).
//
// DuckDB runs such callbacks by queueing them, from its own thread, onto the event loop of the
// thread that registered the function (N-API thread-safe functions). On Deno 2.9.6 the wake-up of
// a parked event loop is occasionally lost: the callback then waits until something else wakes
// the loop. In the bronze benchmark (~25,000 callbacks per 50 M-row day) one run in ten stalled
// for 18-25 s in the middle of a Parquet part, between two 2,048-row chunks. A short repeating
// timer while the query runs bounds such a stall to one timer period, for ~200 idle wake-ups a
// second (no measurable cost).

/** Timer period (ms): the longest a lost wake-up can delay a DuckDB callback. */
export const KEEP_AWAKE_MS = 5;

/** Keeps this thread's event loop polling until the returned function is called. */
export function keepAwake(): () => void {
  const timer = setInterval(() => {}, KEEP_AWAKE_MS);
  return () => clearInterval(timer);
}
