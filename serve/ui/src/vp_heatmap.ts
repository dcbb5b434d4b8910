/**
 * The vacuum-pressure page's price-anchored depth/flow heatmap (serving.md §5.4): a grid of
 * 81 price rows (±40 buckets around an anchor price) × 360 one-second columns, held as RGBA bytes.
 * Each `flow` frame shifts the grid one column left and paints the new column at the price each
 * row had at that time; the anchor moves with the spot (the buffer shifts with it) so the spot
 * stays inside the grid. Pure and DOM-free: the page draws the bytes, the tests read them.
 *
 * @module
 */

/** Price rows of the grid. */
export const HMAP_LEVELS = 81;
/** One-second columns of history (6 minutes). */
export const HMAP_HISTORY = 360;
const HALF = (HMAP_LEVELS - 1) / 2;
const BG: [number, number, number] = [10, 10, 15];

/**
 * Colour of a cell from its resting depth and net flow (the original's palette). `flowScale` is
 * the net flow that reads as "strong" (tanh(1)); the original fixed it at 500 shares, which
 * saturates nothing for futures contracts — the page passes a decaying maximum instead.
 */
export function cellColor(
  depth: number,
  netFlow: number,
  maxDepth: number,
  flowScale = 500,
): [number, number, number] {
  const depthN = Math.min(1, Math.log1p(Math.max(0, depth)) / Math.log1p(Math.max(1, maxDepth)));
  const flowN = Math.tanh(netFlow / flowScale);
  const lum = 0.04 + 0.56 * depthN;
  const t = Math.abs(flowN);
  let rgb: [number, number, number];
  if (flowN > 0.03) rgb = [0.04 + 0.06 * t, 0.45 + 0.55 * t, 0.35 + 0.35 * t];
  else if (flowN < -0.03) rgb = [0.55 + 0.45 * t, 0.04, 0.20 + 0.35 * t];
  else rgb = [0.12, 0.12, 0.22];
  return [
    Math.round(255 * lum * rgb[0]),
    Math.round(255 * lum * rgb[1]),
    Math.round(255 * lum * rgb[2]),
  ];
}

/** One flow row: offset in buckets from the spot, resting depth at the end, and net flow. */
export interface FlowCell {
  /** Buckets from the spot (the frame's `rel_ticks`). */
  relTicks: number;
  /** `depth_qty_end`. */
  depth: number;
  /** `net_flow` (adds − pulls − fills). */
  netFlow: number;
}

/** The heatmap buffer and its anchor. */
export class VpHeatmap {
  /** RGBA bytes, row-major, `HMAP_HISTORY` columns × `HMAP_LEVELS` rows (row 0 = highest price). */
  readonly rgba = new Uint8ClampedArray(HMAP_HISTORY * HMAP_LEVELS * 4);
  /** Spot row per column (NaN where unknown), for the spot trail. */
  readonly trail = new Float64Array(HMAP_HISTORY).fill(NaN);
  /** Window end (ns) per column (0n where empty). */
  readonly times = new BigInt64Array(HMAP_HISTORY);
  /** Price of row 40 (NaN until the first frame). */
  anchor = NaN;
  /** Price per row. */
  bucket: number;
  /** Decaying maximum depth used to normalise colours (initial 100). */
  maxDepth = 100;
  /** Decaying maximum |net flow| of a cell (initial 10): half of it reads as strong flow. */
  maxFlow = 10;
  /** Set by the page while the user pans: no re-anchoring then. */
  frozen = false;

  /** An empty heatmap with `bucket` dollars per row. */
  constructor(bucket: number) {
    this.bucket = bucket;
    this.clear();
  }

  /** Clears every cell. */
  clear(): void {
    for (let i = 0; i < this.rgba.length; i += 4) {
      this.rgba[i] = BG[0];
      this.rgba[i + 1] = BG[1];
      this.rgba[i + 2] = BG[2];
      this.rgba[i + 3] = 255;
    }
    this.trail.fill(NaN);
    this.times.fill(0n);
  }

  /** Row of a price (fractional). */
  rowOf(price: number): number {
    return HALF - (price - this.anchor) / this.bucket;
  }

  /** Price of a row. */
  priceOf(row: number): number {
    return this.anchor + (HALF - row) * this.bucket;
  }

  /**
   * Adds one window: shifts left, re-anchors if the spot nears an edge, paints the new column.
   * `spot` (the mid) draws the trail; flow rows sit at `ref + relTicks·bucket`, where `ref` is the
   * silver reference price the rows' `rel_ticks` are relative to (`spot_ref_price_int`; the
   * original used the mid, misplacing rows by up to a bucket). `ref` defaults to `spot`.
   */
  push(windowEndTsNs: bigint, spot: number, cells: readonly FlowCell[], ref = spot): void {
    if (!Number.isFinite(spot)) {
      this.#shift();
      this.times[HMAP_HISTORY - 1] = windowEndTsNs;
      return;
    }
    if (!Number.isFinite(this.anchor)) {
      this.anchor = Math.round(spot / this.bucket) * this.bucket;
    }
    const spotRow = this.rowOf(spot);
    if (!this.frozen && (spotRow < 10 || spotRow > HMAP_LEVELS - 11)) {
      const newAnchor = Math.round(spot / this.bucket) * this.bucket;
      this.#reanchor(Math.round((newAnchor - this.anchor) / this.bucket));
      this.anchor = newAnchor;
    }
    this.#shift();
    const col = HMAP_HISTORY - 1;
    this.times[col] = windowEndTsNs;
    this.trail[col] = this.rowOf(spot);
    const depth = new Float64Array(HMAP_LEVELS);
    const flow = new Float64Array(HMAP_LEVELS);
    const hit = new Uint8Array(HMAP_LEVELS);
    let colMax = 0;
    const base = Number.isFinite(ref) ? ref : spot;
    for (const c of cells) {
      const row = Math.round(this.rowOf(base + c.relTicks * this.bucket));
      if (row < 0 || row >= HMAP_LEVELS) continue;
      depth[row] += c.depth;
      flow[row] += c.netFlow;
      hit[row] = 1;
    }
    let flowMax = 0;
    for (let r = 0; r < HMAP_LEVELS; r++) {
      if (depth[r] > colMax) colMax = depth[r];
      if (Math.abs(flow[r]) > flowMax) flowMax = Math.abs(flow[r]);
    }
    this.maxDepth = Math.max(0.995 * this.maxDepth, colMax);
    this.maxFlow = Math.max(0.995 * this.maxFlow, flowMax);
    for (let r = 0; r < HMAP_LEVELS; r++) {
      if (!hit[r]) continue;
      const [R, G, B] = cellColor(depth[r], flow[r], this.maxDepth, this.flowScale);
      const i = (r * HMAP_HISTORY + col) * 4;
      this.rgba[i] = R;
      this.rgba[i + 1] = G;
      this.rgba[i + 2] = B;
    }
  }

  /** Net flow that reads as strong in the colours (half the decaying maximum, at least 1). */
  get flowScale(): number {
    return Math.max(1, this.maxFlow / 2);
  }

  /** Moves every row by `shift` rows (positive = prices moved up, rows move down). */
  #reanchor(shift: number): void {
    if (shift === 0) return;
    if (Math.abs(shift) >= HMAP_LEVELS) {
      const times = this.times.slice();
      this.clear();
      this.times.set(times);
      return;
    }
    const rowBytes = HMAP_HISTORY * 4;
    const copy = this.rgba.slice();
    for (let r = 0; r < HMAP_LEVELS; r++) {
      const src = r - shift;
      const dst = r * rowBytes;
      if (src < 0 || src >= HMAP_LEVELS) {
        for (let i = 0; i < rowBytes; i += 4) {
          this.rgba[dst + i] = BG[0];
          this.rgba[dst + i + 1] = BG[1];
          this.rgba[dst + i + 2] = BG[2];
          this.rgba[dst + i + 3] = 255;
        }
      } else this.rgba.set(copy.subarray(src * rowBytes, (src + 1) * rowBytes), dst);
    }
    for (let c = 0; c < HMAP_HISTORY; c++) this.trail[c] += shift;
  }

  #shift(): void {
    const rowBytes = HMAP_HISTORY * 4;
    for (let r = 0; r < HMAP_LEVELS; r++) {
      const o = r * rowBytes;
      this.rgba.copyWithin(o, o + 4, o + rowBytes);
      const i = o + rowBytes - 4;
      this.rgba[i] = BG[0];
      this.rgba[i + 1] = BG[1];
      this.rgba[i + 2] = BG[2];
      this.rgba[i + 3] = 255;
    }
    this.trail.copyWithin(0, 1);
    this.trail[HMAP_HISTORY - 1] = NaN;
    this.times.copyWithin(0, 1);
    this.times[HMAP_HISTORY - 1] = 0n;
  }

  /** Column holding window `ts` (−1 when it has scrolled out or not arrived). */
  columnOf(ts: bigint): number {
    for (let c = HMAP_HISTORY - 1; c >= 0; c--) if (this.times[c] === ts) return c;
    return -1;
  }

  /** RGB of the cell at (`ts`, `price`), or null when that window is not in the grid. */
  sample(ts: bigint, price: number): [number, number, number] | null {
    const c = this.columnOf(ts);
    if (c < 0) return null;
    const r = Math.round(this.rowOf(price));
    if (r < 0 || r >= HMAP_LEVELS) return null;
    const i = (r * HMAP_HISTORY + c) * 4;
    return [this.rgba[i], this.rgba[i + 1], this.rgba[i + 2]];
  }
}
