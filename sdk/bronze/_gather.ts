// Row selection helpers for columnar batches: copy the rows listed in `idx` into compact columns,
// by whole runs when the selection is made of long runs, else row by row (64-bit values as word pairs).
import { type Cmbp1Columns, type MboColumns, words } from "../dbn/mod.ts";

type Col = Uint8Array | Uint16Array | Uint32Array | Int32Array;

/** Number of runs of consecutive indices in `idx[0..cnt)`. */
export function countRuns(idx: Int32Array, cnt: number): number {
  let runs = cnt > 0 ? 1 : 0;
  for (let j = 1; j < cnt; j++) if (idx[j] !== idx[j - 1] + 1) runs++;
  return runs;
}

function gatherNarrow(src: Col[], dst: Col[], idx: Int32Array, cnt: number): void {
  for (let c = 0; c < src.length; c++) {
    const s = src[c], d = dst[c];
    for (let j = 0; j < cnt; j++) d[j] = s[idx[j]];
  }
}

function gatherWide(src: Uint32Array[], dst: Uint32Array[], idx: Int32Array, cnt: number): void {
  for (let c = 0; c < src.length; c++) {
    const s = src[c], d = dst[c];
    for (let j = 0, k = 0; j < cnt; j++, k += 2) {
      const i = idx[j] << 1;
      d[k] = s[i];
      d[k + 1] = s[i + 1];
    }
  }
}

function gatherRuns(
  src: (Col | BigUint64Array | BigInt64Array)[],
  dst: (Col | BigUint64Array | BigInt64Array)[],
  idx: Int32Array,
  cnt: number,
): void {
  let j = 0, out = 0;
  while (j < cnt) {
    const start = idx[j];
    let end = start + 1;
    j++;
    while (j < cnt && idx[j] === end) {
      end++;
      j++;
    }
    for (let c = 0; c < src.length; c++) {
      // deno-lint-ignore no-explicit-any
      (dst[c] as any).set((src[c] as any).subarray(start, end), out);
    }
    out += end - start;
  }
}

const MBO_WIDE = ["ts_event", "order_id", "price", "ts_recv"] as const;
const MBO_NARROW = [
  "publisher_id",
  "instrument_id",
  "size",
  "flags",
  "channel_id",
  "action",
  "side",
  "ts_in_delta",
  "sequence",
] as const;

/** Copies the MBO rows `idx[0..cnt)` of `src` to the front of `dst`. */
export function gatherMbo(src: MboColumns, dst: MboColumns, idx: Int32Array, cnt: number): void {
  if (countRuns(idx, cnt) * 16 <= cnt) {
    const names = [...MBO_WIDE, ...MBO_NARROW];
    gatherRuns(names.map((k) => src[k]), names.map((k) => dst[k]), idx, cnt);
    return;
  }
  gatherWide(MBO_WIDE.map((k) => words(src[k])), MBO_WIDE.map((k) => words(dst[k])), idx, cnt);
  gatherNarrow(MBO_NARROW.map((k) => src[k]), MBO_NARROW.map((k) => dst[k]), idx, cnt);
}

const CMBP_WIDE = ["ts_event", "ts_recv", "bid_px", "ask_px"] as const;
const CMBP_NARROW = ["publisher_id", "instrument_id", "bid_sz", "ask_sz"] as const;

/** Copies the CMBP-1 rows `idx[0..cnt)` (bronze fields only) of `src` to the front of `dst`. */
export function gatherCmbp1(
  src: Cmbp1Columns,
  dst: Cmbp1Columns,
  idx: Int32Array,
  cnt: number,
): void {
  if (countRuns(idx, cnt) * 16 <= cnt) {
    const names = [...CMBP_WIDE, ...CMBP_NARROW];
    gatherRuns(names.map((k) => src[k]), names.map((k) => dst[k]), idx, cnt);
    return;
  }
  gatherWide(CMBP_WIDE.map((k) => words(src[k])), CMBP_WIDE.map((k) => words(dst[k])), idx, cnt);
  gatherNarrow(CMBP_NARROW.map((k) => src[k]), CMBP_NARROW.map((k) => dst[k]), idx, cnt);
}
