// What the two option silver engines (futures options from MBO, equity options from CMBP-1) share:
// the instruments' definitions (right, strike), the instrument slots the engines keep their books
// or quotes in, the underlying's spot windows, and the emission of a window: newly defined slots
// listed on the strike grid, one `book_snapshot_1s` row per defined instrument with a two-sided
// uncrossed book, then the dense `depth_and_flow_1s` grid. The engines keep their own per-slot
// state and say when a window is emitted.

import { _Builder } from "./_builder.ts";
import { OPTION_SNAPSHOT_SCHEMA } from "./columns.ts";
import { _grow } from "./_grow.ts";
import { put64, secHi, secLo } from "./_math.ts";
import { type _CellQty, _OptionGrid } from "./_option_grid.ts";
import { type _SpotIndex, _spotIndex, type SpotSeries } from "./_spot.ts";

/** Counters of an option silver run. */
export interface OptionSilverStats {
  /** Records applied. */
  records: number;
  /** Windows emitted. */
  windows: number;
  /** `book_snapshot_1s` rows. */
  snapshotRows: number;
  /** `depth_and_flow_1s` rows. */
  flowRows: number;
  /** Instruments seen. */
  instruments: number;
  /** Instruments with no definition (right/strike): left out of both tables. */
  undefinedInstruments: number;
  /** Instruments whose strike is not on the strike step grid: left out of `depth_and_flow_1s`. */
  offGridInstruments: number;
}

/** Fresh counters, all zero. */
export function _optionStats(): OptionSilverStats {
  return {
    records: 0,
    windows: 0,
    snapshotRows: 0,
    flowRows: 0,
    instruments: 0,
    undefinedInstruments: 0,
    offGridInstruments: 0,
  };
}

/** Right code of `"C"` / `"P"` (67 / 80). */
export function rightCode(right: string | number): number {
  const c = typeof right === "number" ? right : right.charCodeAt(0);
  if (c !== 67 && c !== 80) {
    throw new RangeError(`option right must be "C" or "P", got ${JSON.stringify(right)}`);
  }
  return c;
}

/** An instrument's definition: right code and strike (1e-9 units). */
export interface _OptionDef {
  readonly right: number;
  readonly strike: number;
}

/** Definitions, slots, spot windows and window emission of an option engine (see the file comment). */
export class _OptionChain {
  readonly grid: _OptionGrid;
  readonly spot: _SpotIndex;
  readonly snap: _Builder<typeof OPTION_SNAPSHOT_SCHEMA> = new _Builder(
    OPTION_SNAPSHOT_SCHEMA,
    1 << 12,
  );
  /** Next spot window to emit (index into `spot`). */
  next = 0;
  /** Slots in use. */
  n = 0;
  /** Instrument id of each slot. */
  ids: Float64Array = new Float64Array(64);
  /** Right code of each slot once its definition is known (it is then on the grid), else 0. */
  right: Uint8Array = new Uint8Array(64);
  /** Strike of each slot whose right is known. */
  strike: Float64Array = new Float64Array(64);
  readonly #stats: OptionSilverStats;
  readonly #defs = new Map<number, _OptionDef>();
  // the window being emitted
  #k = 0;
  #spotK = 0;
  #wsLo = 0;
  #wsHi = 0;
  #weLo = 0;
  #weHi = 0;
  #rows0 = 0;

  /**
   * `unit` of `rel_ticks`, strike `step` and `k` strikes each side in 1e-9 (validated by the grid),
   * the windows to emit, and the engine's counters (kept up to date here but for `records`).
   */
  constructor(unit: number, step: number, k: number, spot: SpotSeries, stats: OptionSilverStats) {
    this.grid = new _OptionGrid(unit, step, k);
    this.spot = _spotIndex(spot);
    this.#stats = stats;
  }

  /** True once every spot window has been emitted. */
  get done(): boolean {
    return this.next >= this.spot.secs.length;
  }

  /** Rows waiting to be taken. */
  get pendingRows(): number {
    return this.snap.n + this.grid.flow.n;
  }

  /**
   * Records an instrument's definition. Returns the earlier definition when it differs (which is
   * kept: the caller reports the conflict), else `undefined`.
   */
  define(iid: number, right: string | number, strike: number): _OptionDef | undefined {
    const r = rightCode(right);
    const old = this.#defs.get(iid);
    if (old !== undefined) return old.right !== r || old.strike !== strike ? old : undefined;
    this.#defs.set(iid, { right: r, strike });
    return undefined;
  }

  /** A new slot for instrument `id`: slots are numbered 0, 1, … in order of creation. */
  addSlot(id: number): number {
    const s = this.n++;
    if (s === this.ids.length) {
      this.ids = _grow(this.ids, 2 * s);
      this.right = _grow(this.right, 2 * s);
      this.strike = _grow(this.strike, 2 * s);
    }
    this.ids[s] = id;
    this.#stats.instruments++;
    return s;
  }

  /**
   * Opens spot window `idx` for emission and returns its end second: slots whose definition has
   * come are listed on the grid (in slot order), the counters updated.
   */
  open(idx: number): number {
    const k = this.spot.secs[idx];
    this.#k = k;
    this.#spotK = this.spot.spots[idx];
    this.#wsLo = secLo(k - 1);
    this.#wsHi = secHi(k - 1);
    this.#weLo = secLo(k);
    this.#weHi = secHi(k);
    let undef = 0;
    for (let s = 0; s < this.n; s++) {
      if (this.right[s] !== 0) continue;
      const d = this.#defs.get(this.ids[s]);
      if (d === undefined) {
        undef++;
        continue;
      }
      this.right[s] = d.right;
      this.strike[s] = d.strike;
      this.grid.register(s, d.right, d.strike);
    }
    const st = this.#stats;
    st.windows++;
    st.undefinedInstruments = undef;
    st.offGridInstruments = this.grid.offGrid;
    this.#rows0 = this.snap.n;
    return k;
  }

  /**
   * The `book_snapshot_1s` row of slot `s` in the open window, when the slot is defined and its
   * book two-sided and uncrossed (`bid`, `ask` > 0, `ask` > `bid`; NaN for an empty side).
   */
  snapshot(s: number, bid: number, ask: number, mid: number, valid: boolean): void {
    if (!(bid > 0 && ask > 0 && ask > bid) || this.right[s] === 0) return;
    const sb = this.snap;
    sb.reserve(1);
    const i = sb.n++;
    const w = sb.w, c = sb.cols;
    w.window_start_ts_ns[i << 1] = this.#wsLo;
    w.window_start_ts_ns[(i << 1) + 1] = this.#wsHi;
    w.window_end_ts_ns[i << 1] = this.#weLo;
    w.window_end_ts_ns[(i << 1) + 1] = this.#weHi;
    put64(w.instrument_id, i, this.ids[s]);
    (c.right as Uint8Array)[i] = this.right[s];
    put64(w.strike_price_int, i, this.strike[s]);
    put64(w.bid_price_int, i, bid);
    put64(w.ask_price_int, i, ask);
    (c.mid_price as Float64Array)[i] = mid * 1e-9;
    (c.mid_price_int as Float64Array)[i] = mid;
    put64(w.spot_ref_price_int, i, this.#spotK);
    (c.book_valid as Uint8Array)[i] = valid ? 1 : 0;
  }

  /** Writes the open window's strike grid, each instrument side's quantities from `qty`. */
  close(qty: _CellQty): void {
    this.grid.emit(this.#k, this.#spotK, qty);
    this.#stats.snapshotRows += this.snap.n - this.#rows0;
    this.#stats.flowRows = this.grid.rows;
  }
}
