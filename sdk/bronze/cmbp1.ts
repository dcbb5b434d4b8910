/**
 * Bronze ingest of equity-option CMBP-1 files (equity_option_cmbp_1): OPRA symbols parsed from the
 * DBN symbol mappings, 0DTE contracts of the ticker only, session window 07:00-21:00 UTC (snapshot
 * and clear records exempt), undefined prices set to 0, one partition per underlying, file order.
 *
 * @module
 */
import { allocCmbp1Columns, symbolMap, words } from "../dbn/mod.ts";
import { parseOpraSymbol } from "./opra.ts";
import { gatherCmbp1 } from "./_gather.ts";
import {
  type IngestOptions,
  type IngestResult,
  IngestRun,
  optionColumns,
  optionFields,
  type Target,
  target,
} from "./_ingest_run.ts";

/** What to ingest. */
export interface Cmbp1IngestOptions extends IngestOptions {
  /** Ticker (e.g. `QQQ`); only its options are kept. */
  ticker: string;
}

/** Ingests CMBP-1 files of one session date into `bronze.equity_option_cmbp_1.cmbp_1`. */
export async function ingestCmbp1(o: Cmbp1IngestOptions): Promise<IngestResult> {
  const run = new IngestRun(o, {
    dataset: "bronze.equity_option_cmbp_1.cmbp_1",
    productType: "equity_option_cmbp_1",
    kind: "cmbp1",
    filtered: ["not_opra_symbol", "other_underlying", "not_0dte"],
    alloc: allocCmbp1Columns,
    gather: gatherCmbp1,
    reuseBatches: false,
  });
  const ticker = o.ticker.toUpperCase();
  return await run.each(async (file) => {
    const targets = new Map<number, Target>();
    for (const [id, sym] of symbolMap(file.metadata, o.dt)) {
      const p = parseOpraSymbol(sym);
      let t: Target;
      if (!p) t = target(null, "not_opra_symbol");
      else if (p.underlying.toUpperCase() !== ticker) t = target(null, "other_underlying");
      else if (p.expirationDate !== o.dt) t = target(null, "not_0dte");
      else {
        const part = await run.set.get(p.underlying);
        t = target(part, "", 0, optionFields(p.right, p.strike, p.expiration));
      }
      targets.set(id, t);
    }
    if (await file.skipIfComplete(targets.values())) return;
    const stats = run.stats;
    const { sHi, sLo, eHi, eLo } = run.window;
    let lastId = -1;
    let last: Target | undefined;
    for await (const c of file.batches()) {
      const n = c.length;
      const rtype = c.rtype, inst = c.instrument_id, flags = c.flags, action = c.action;
      const tsE = words(c.ts_event),
        tsR = words(c.ts_recv),
        bid = words(c.bid_px),
        ask = words(c.ask_px);
      for (let i = 0; i < n; i++) {
        if (rtype[i] !== 0xb1) {
          stats.other_records++;
          continue;
        }
        stats.cmbp1_records++;
        const id = inst[i];
        if (id !== lastId) {
          lastId = id;
          last = targets.get(id);
        }
        const t = last;
        if (t === undefined) {
          stats.unmapped_instrument++;
          continue;
        }
        const p = t.part;
        if (p === null) {
          stats[t.reason]++;
          continue;
        }
        const i2 = i << 1;
        const th = tsE[i2 + 1], tl = tsE[i2];
        const inWindow = (th > sHi || (th === sHi && tl >= sLo)) &&
          (th < eHi || (th === eHi && tl < eLo));
        if (!inWindow && (flags[i] & 32) === 0 && action[i] !== 82) {
          p.stats.outside_session++;
          continue;
        }
        if (th === 0xffffffff && tl === 0xffffffff) {
          p.rejected.null_timestamp++;
          continue;
        }
        if (tsR[i2] === 0xffffffff && tsR[i2 + 1] === 0xffffffff) {
          tsR[i2] = tl;
          tsR[i2 + 1] = th;
        }
        if (bid[i2 + 1] === 0x7fffffff && bid[i2] === 0xffffffff) {
          bid[i2] = bid[i2 + 1] = 0;
          p.stats.null_price_set_to_zero++;
        }
        if (ask[i2 + 1] === 0x7fffffff && ask[i2] === 0xffffffff) {
          ask[i2] = ask[i2 + 1] = 0;
          p.stats.null_price_set_to_zero++;
        }
        if (flags[i] & 32) p.stats.snapshot_records++;
        p.keep(i, tsR[i2 + 1], tsR[i2]);
      }
      await run.flush(c, (out, m, s) => ({
        ts_recv: out.ts_recv.subarray(0, m),
        ts_event: out.ts_event.subarray(0, m),
        publisher_id: out.publisher_id.subarray(0, m),
        instrument_id: out.instrument_id.subarray(0, m),
        bid_px_00: out.bid_px.subarray(0, m),
        ask_px_00: out.ask_px.subarray(0, m),
        bid_sz_00: out.bid_sz.subarray(0, m),
        ask_sz_00: out.ask_sz.subarray(0, m),
        ...optionColumns(s, out.instrument_id, m, targets),
      }));
    }
  });
}
