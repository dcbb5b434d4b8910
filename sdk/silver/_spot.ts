// The spot series an option silver stage joins on: window end second → spot (1e-9 units), taken
// from the underlying's silver book_snapshot_1s. Windows with spot <= 0 are left out.

/** Window ends and spots of the underlying's `book_snapshot_1s` (only these two columns). */
export interface SpotSeries {
  /** Number of windows. */
  length: number;
  /** Window end, ns (multiples of 1e9). */
  window_end_ts_ns: BigInt64Array;
  /** Spot reference of each window, 1e-9 units. */
  spot_ref_price_int: BigInt64Array;
}

/** Sorted window-end seconds with a positive spot, and their spots. */
export interface _SpotIndex {
  secs: Float64Array;
  spots: Float64Array;
}

export function _spotIndex(s: SpotSeries): _SpotIndex {
  const secs: number[] = [], spots: number[] = [];
  let prev = -Infinity;
  for (let i = 0; i < s.length; i++) {
    const e = s.window_end_ts_ns[i];
    if (e % 1_000_000_000n !== 0n) {
      throw new RangeError(`spot series: window_end_ts_ns[${i}] = ${e} is not a whole second`);
    }
    const k = Number(e / 1_000_000_000n);
    if (k <= prev) throw new RangeError(`spot series: window ends must increase (row ${i})`);
    prev = k;
    const spot = Number(s.spot_ref_price_int[i]);
    if (spot > 0) {
      secs.push(k);
      spots.push(spot);
    }
  }
  return { secs: Float64Array.from(secs), spots: Float64Array.from(spots) };
}
