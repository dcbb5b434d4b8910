// The LOBSTER → MBO mapping shared by the replay and the bronze import: pairs every message with
// its orderbook row, seeds the book from row 0, re-seeds levels that come into view, and turns
// each message into MBO records that a plain MBO book engine replays into LOBSTER's book.
import { allocMboColumns, type MboColumns } from "../dbn/mod.ts";
import { type Book, type BookObserver, OrderBooks } from "../book/mod.ts";
import {
  LOBSTER_PRICE_SCALE,
  type LobsterMappingStats,
  lobsterMessageToMbo,
} from "./lobster_to_mbo.ts";
import {
  LOBSTER_NO_ASK,
  LOBSTER_NO_BID,
  type LobsterBookRows,
  type LobsterMessages,
  type LobsterSource,
  LobsterType,
  readLobsterMessages,
  readLobsterOrderbook,
} from "./parse_lobster.ts";

/** Ids of synthetic (seeded) orders start here; LOBSTER's order ids are far below. */
export const SYN_BASE = 1n << 62n;
const F_LAST = 128;
const F_SNAPSHOT = 32;
const F_BAD_TS_RECV = 8;
const UNDEF_PRICE = 0x7fffffffffffffffn;
const A = 0x41, B = 0x42, C = 0x43, F = 0x46, N = 0x4e, R = 0x52, T = 0x54;

/** One side of an orderbook row: prices and sizes, best first. */
export interface SideView {
  prices: number[];
  sizes: number[];
  /** All `levels` slots are occupied: liquidity may exist beyond the deepest shown level. */
  full: boolean;
  /** The deepest price known to be in view, when not the deepest shown (see `undoFirst`). */
  edge?: number;
}

/** Bid view (index 0) and ask view (index 1) of a row. */
export type RowView = [SideView, SideView];

/** The bid (0) or ask (1) side of a LOBSTER row (`levels` × ask price, ask size, bid price, bid size). */
export function sideView(row: Float64Array, levels: number, side: 0 | 1): SideView {
  const prices: number[] = [], sizes: number[] = [];
  const off = side === 0 ? 2 : 0;
  for (let k = 0; k < levels; k++) {
    const p = row[4 * k + off], s = row[4 * k + off + 1];
    if (p === LOBSTER_NO_ASK || p === LOBSTER_NO_BID || s <= 0) continue;
    prices.push(p);
    sizes.push(s);
  }
  return { prices, sizes, full: prices.length >= levels };
}

/** Is price `p` within the view (at or better than the deepest shown level, or any if not full)? */
export function inView(v: SideView | null, side: 0 | 1, p: number): boolean {
  if (v === null) return false;
  if (!v.full) return true;
  const edge = v.edge ?? v.prices[v.prices.length - 1];
  return side === 0 ? p >= edge : p <= edge;
}

/** Strictly better than the deepest shown level. */
export function strictlyInside(v: SideView, side: 0 | 1, p: number): boolean {
  if (v.prices.length === 0) return false;
  const edge = v.prices[v.prices.length - 1];
  return side === 0 ? p > edge : p < edge;
}

/** The view before message 0: row 0 with message 0 undone. */
function undoFirst(row0: Float64Array, levels: number, m: LobsterMessages): RowView {
  const views: RowView = [sideView(row0, levels, 0), sideView(row0, levels, 1)];
  const t = m.type[0];
  if (t < 1 || t > 4) return views;
  const side = m.direction[0] === 1 ? 0 : 1;
  const v = views[side];
  const p = m.price[0], d = t === LobsterType.SUBMIT ? -m.size[0] : m.size[0];
  let at = v.prices.indexOf(p);
  if (at < 0) {
    at = v.prices.findIndex((q) => (side === 0 ? q < p : q > p));
    if (at < 0) at = v.prices.length;
    v.prices.splice(at, 0, p);
    v.sizes.splice(at, 0, 0);
  }
  v.sizes[at] += d;
  if (v.sizes[at] <= 0) {
    v.prices.splice(at, 1);
    v.sizes.splice(at, 1);
    // Message 0 added the deepest shown level: before it, the window reached at least that deep.
    if (v.full && at === v.prices.length) v.edge = p;
  }
  return views;
}

/** Options of {@linkcode runLobster}. */
export interface MapperOptions {
  /** File names for error messages. */
  messageName: string;
  /** Orderbook file name for error messages. */
  orderbookName: string;
  /** Message time (ns after local midnight) → `ts_event` (ns since the epoch). */
  clock: (nsAfterMidnight: number) => bigint;
  /** Instrument id of every record. */
  instrument_id: number;
  /** Publisher id of every record. */
  publisher_id: number;
  /** Observer of the tracking book. */
  observer?: BookObserver;
  /** Sees every record emitted, in order, before it is applied to the book. */
  onRecords?: (cols: MboColumns, start: number, end: number) => void;
  /**
   * Called after every message with the book, the message's orderbook row, the view before the
   * message and the message's 0-based index.
   */
  onMessage?: (book: Book, truth: Float64Array, before: RowView, index: number) =>
    | void
    | Promise<void>;
}

function clockText(ns: number): string {
  const s = Math.floor(ns / 1e9);
  const pad = (x: number, w = 2) => String(x).padStart(w, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${
    pad(ns - s * 1e9, 9)
  }`;
}

/**
 * Maps a LOBSTER message file and its orderbook file to MBO records, applied to a tracking book.
 *
 * Records: an initial snapshot (`R`, then one `A` per level of row 0 with message 0 undone, all
 * `F_SNAPSHOT | F_BAD_TS_RECV`, `F_LAST` on the last) with synthetic order ids ≥ 2^62; then, per
 * message, one event group: the message's records (see `lobsterMessageToMbo`), where a cancel or
 * execution of an order never added takes its size from the seeded orders at its price (`C`, or
 * `F` + `C` per order for an execution), followed by the re-seeding of the levels that come into
 * view with the message, known from its own orderbook row (`C` of the orders there, `A` of one
 * synthetic order of the row's size). Only the group's last record carries `F_LAST`, so the book
 * read after every `F_LAST` is LOBSTER's row for that message. Halts (type 7) emit nothing and
 * are listed in the stats. `sequence` is the message's 0-based row index.
 */
export async function runLobster(
  messageCsv: LobsterSource,
  orderbookCsv: LobsterSource,
  o: MapperOptions,
): Promise<{ books: OrderBooks; book: Book; stats: LobsterMappingStats }> {
  const iid = o.instrument_id, pub = o.publisher_id;
  const books = new OrderBooks({ initialOrders: 1 << 12, observer: o.observer });
  const stats: LobsterMappingStats = {
    messages: 0,
    types: {},
    mboRecords: 0,
    snapshotRecords: 0,
    reseedRecords: 0,
    levels: 0,
    reseeds: 0,
    reseedAdded: 0,
    reseedRemoved: 0,
    unknownRefs: 0,
    unknownUnmatched: 0,
    unknownExtraRecords: 0,
    volume: 0,
    visibleVolume: 0,
    hiddenVolume: 0,
    halts: [],
  };

  // ---- record staging: one event group (a message and the levels it brings into view) is
  // staged, applied to the tracking book as it grows (the re-seeding reads it), and handed out
  // with F_LAST on its last record once complete.
  let cols: MboColumns = allocMboColumns(256);
  cols.instrument_id.fill(iid);
  cols.publisher_id.fill(pub);
  let k = 0; // records of the open group
  let applied = 0; // ... of which applied to the tracking book
  const closer: MboColumns = allocMboColumns(1);
  closer.instrument_id[0] = iid;
  closer.publisher_id[0] = pub;
  closer.action[0] = N;
  closer.side[0] = N;
  closer.price[0] = UNDEF_PRICE;
  closer.flags[0] = F_LAST;
  let ts = 0n;
  let seq = 0;
  /** Where pushed records are counted. */
  let counter: "snapshotRecords" | "reseedRecords" | null = null;
  /** Applies the staged records to the tracking book (they stay staged until the group ends). */
  const flush = (): void => {
    if (applied === k) return;
    books.applyBatch(cols, applied, k);
    applied = k;
  };
  /** Ends the open group: `F_LAST` on its last record, the records handed out. */
  const endGroup = (): void => {
    if (k === 0) return;
    const last = (cols.flags[k - 1] & F_LAST) !== 0;
    cols.flags[k - 1] |= F_LAST;
    if (applied < k) flush();
    else if (!last) {
      // the tracking book saw the last record without F_LAST: close its event as a reader would
      closer.ts_event[0] = closer.ts_recv[0] = ts;
      closer.sequence[0] = seq;
      books.applyBatch(closer, 0, 1);
    }
    o.onRecords?.(cols, 0, k);
    stats.mboRecords += k;
    k = applied = 0;
  };
  const grow = (): void => {
    const bigger = allocMboColumns(cols.length * 2);
    for (const [name, a] of Object.entries(cols)) {
      if (name !== "length") {
        (bigger[name as keyof MboColumns] as Uint8Array).set((a as Uint8Array).subarray(0, k));
      }
    }
    bigger.instrument_id.fill(iid);
    bigger.publisher_id.fill(pub);
    cols = bigger;
  };
  const push = (
    action: number,
    side: number,
    id: bigint,
    size: number,
    price: number,
    flags: number,
  ): void => {
    if (k === cols.length) grow();
    cols.ts_event[k] = ts;
    cols.ts_recv[k] = ts;
    cols.action[k] = action;
    cols.side[k] = side;
    cols.order_id[k] = id;
    cols.size[k] = size;
    cols.price[k] = action === R ? UNDEF_PRICE : BigInt(price) * BigInt(LOBSTER_PRICE_SCALE);
    cols.flags[k] = flags;
    cols.sequence[k] = seq;
    k++;
    if (counter !== null) stats[counter]++;
  };
  let book: Book | undefined;
  const theBook = (): Book => (book ??= books.book(iid, pub)!);
  let nextSyn = SYN_BASE;
  const sideCode = (side: 0 | 1): 66 | 65 => (side === 0 ? B : A);

  /**
   * Takes up to `q` shares at a price: seeded orders first, then (if `real`) real orders, newest
   * first. Returns `[order_id, size]` pairs (nothing is emitted).
   */
  const takeAt = (side: 0 | 1, price: number, q: number, real: boolean): [bigint, number][] => {
    flush();
    const orders = book === undefined
      ? []
      : book.ordersAt(sideCode(side), price * LOBSTER_PRICE_SCALE);
    const syn = orders.filter((x) => x.order_id >= SYN_BASE);
    const pick = real ? [...syn, ...orders.filter((x) => x.order_id < SYN_BASE).reverse()] : syn;
    const out: [bigint, number][] = [];
    let left = q;
    for (const x of pick) {
      if (left <= 0) break;
      const take = Math.min(left, x.size);
      out.push([x.order_id, take]);
      left -= take;
    }
    return out;
  };

  /** Sets a level that came into view to the orderbook file's size (one seeded block). */
  const setDepth = (side: 0 | 1, price: number, target: number): void => {
    flush();
    const orders = book === undefined
      ? []
      : book.ordersAt(sideCode(side), price * LOBSTER_PRICE_SCALE);
    // Every order there becomes part of one seeded block, even when the size is right: orders
    // may have left, and others arrived, unseen while the level was out of view (keeping them
    // gives wrong books when a departed one is referenced later).
    let have = 0, syn = 0;
    for (const x of orders) {
      have += x.size;
      if (x.order_id >= SYN_BASE) syn += x.size;
      else push(C, sideCode(side), x.order_id, x.size, price, 0);
    }
    if (have !== target) stats.reseeds++;
    if (have < target) stats.reseedAdded += target - have;
    else stats.reseedRemoved += have - target;
    if (syn < target) push(A, sideCode(side), nextSyn++, target - syn, price, 0);
    else if (syn > target) {
      for (const [id, q] of takeAt(side, price, syn - target, false)) {
        push(C, sideCode(side), id, q, price, 0);
      }
    }
  };

  /** Brings levels newly in view (in `cur` but not in `prev`) to the orderbook file's sizes. */
  const reconcile = (cur: RowView, prev: RowView): void => {
    for (const side of [0, 1] as const) {
      const v = cur[side], pv = prev[side];
      if (!pv.full) continue; // everything was already in view
      for (let j = 0; j < v.prices.length; j++) {
        if (!inView(pv, side, v.prices[j])) setDepth(side, v.prices[j], v.sizes[j]);
      }
      // our levels newly in view that the file does not show: empty now
      if (book === undefined) continue;
      flush();
      const stale: number[] = [];
      book.forEachLevel(sideCode(side), (p9) => {
        const p = p9 / LOBSTER_PRICE_SCALE;
        if (!inView(v, side, p)) return false;
        if (!inView(pv, side, p) && !v.prices.includes(p)) stale.push(p);
      });
      for (const p of stale) setDepth(side, p, 0);
    }
  };

  /** The initial book as a snapshot: `R`, then one seeded order per level. */
  const snapshot = (view: RowView): void => {
    counter = "snapshotRecords";
    const adds: [0 | 1, number, number][] = [];
    for (const side of [0, 1] as const) {
      const v = view[side];
      for (let j = 0; j < v.prices.length; j++) adds.push([side, v.prices[j], v.sizes[j]]);
    }
    const fs = F_SNAPSHOT | F_BAD_TS_RECV;
    push(R, N, 0n, 0, 0, adds.length === 0 ? fs | F_LAST : fs);
    adds.forEach(([side, p, s], j) => {
      push(A, sideCode(side), nextSyn++, s, p, j === adds.length - 1 ? fs | F_LAST : fs);
    });
    stats.reseeds += adds.length;
    stats.reseedAdded += adds.reduce((a, x) => a + x[2], 0);
    counter = null;
    endGroup();
    book = theBook();
  };

  const fail = (line: number, msg: string): never => {
    throw new Error(`${o.messageName}: line ${line}: ${msg}`);
  };

  // ---- zip messages with orderbook rows
  const rowsIt = readLobsterOrderbook(orderbookCsv, { name: o.orderbookName });
  let rows: LobsterBookRows | null = null;
  let rowAt = 0;
  let levels = 0;
  let prev: RowView | null = null; // view of row i−1 (before the first message: the seed)
  const nextRow = async (): Promise<Float64Array> => {
    while (rows === null || rowAt >= rows.length) {
      const r = await rowsIt.next();
      if (r.done) {
        throw new Error(
          `${o.orderbookName}: ends after line ${stats.messages}, but ${o.messageName} has more ` +
            `messages (line ${stats.messages + 1}): the files must have one row per message`,
        );
      }
      rows = r.value;
      rowAt = 0;
    }
    const w = rows.levels * 4;
    return rows.values.subarray(rowAt * w, ++rowAt * w);
  };

  for await (const m of readLobsterMessages(messageCsv, { name: o.messageName })) {
    for (let i = 0; i < m.length; i++) {
      const truth = await nextRow();
      const index = m.first + i, line = index + 1;
      const type = m.type[i], dir = m.direction[i], price = m.price[i], size = m.size[i];
      const id = m.order_id[i];
      // values the book needs (the parser checked the column count, type and direction)
      if (type !== LobsterType.HALT) {
        if (!(Number.isInteger(size) && size > 0 && size <= 0xffffffff)) {
          fail(line, `column 4: size must be a positive integer, got ${size}`);
        }
        if (!(Number.isInteger(price) && price > 0 && price < LOBSTER_NO_ASK)) {
          fail(line, `column 5: price must be a positive integer ($ × 10,000), got ${price}`);
        }
        if (!(Number.isInteger(id) && id >= 0)) {
          fail(line, `column 3: order id must be a non-negative integer, got ${id}`);
        }
      } else if (price !== -1 && price !== 0 && price !== 1) {
        fail(line, `column 5: a halt (type 7) has price -1, 0 or 1, got ${price}`);
      }
      ts = o.clock(m.time_ns[i]);
      seq = index;
      if (levels === 0) {
        levels = rows!.levels;
        stats.levels = levels;
        prev = undoFirst(truth, levels, m); // the book before message 0
        snapshot(prev);
      }
      // 1. the message
      stats.types[type] = (stats.types[type] ?? 0) + 1;
      const side: 0 | 1 = dir === 1 ? 0 : 1;
      const reduces = type === LobsterType.CANCEL || type === LobsterType.DELETE ||
        type === LobsterType.EXECUTE_VISIBLE;
      flush();
      /** The message's records: [action, side, order_id, size]. */
      const ev: [number, number, bigint, number][] = [];
      if (type === LobsterType.HALT) {
        stats.halts.push({
          line,
          time: clockText(m.time_ns[i]),
          ts_event: String(ts),
          kind: price < 0 ? "halt" : price === 0 ? "quoting_resumes" : "trading_resumes",
        });
      } else if (reduces && (book === undefined || book.order(BigInt(id)) === undefined)) {
        // An order that rested before the file started, or arrived while its level was out of
        // view: take its size from the seeded liquidity (or, failing that, real orders that may
        // have left unseen) at its price.
        stats.unknownRefs++;
        const exec = type === LobsterType.EXECUTE_VISIBLE;
        if (exec) ev.push([T, side === 0 ? A : B, 0n, size]);
        const taken = takeAt(side, price, size, true);
        let got = 0;
        for (const [oid, q] of taken) {
          if (exec) ev.push([F, sideCode(side), oid, q]);
          ev.push([C, sideCode(side), oid, q]);
          got += q;
        }
        if (got < size) stats.unknownUnmatched++;
        stats.unknownExtraRecords += ev.length - (exec ? 3 : 1);
      } else {
        for (const [a, sd, oid, q] of lobsterMessageToMbo(type, id, size, price, dir)) {
          ev.push([a, sd, BigInt(oid), q]);
        }
      }
      for (const [a, sd, oid, q] of ev) push(a, sd, oid, q, price, 0);
      if (type === LobsterType.EXECUTE_VISIBLE) stats.visibleVolume += size;
      if (type === LobsterType.EXECUTE_HIDDEN) stats.hiddenVolume += size;
      if (
        type === LobsterType.EXECUTE_VISIBLE || type === LobsterType.EXECUTE_HIDDEN ||
        type === LobsterType.CROSS
      ) stats.volume += size;
      // 2. levels that come into view with this message (known from its row), in its group
      const before = prev!;
      const view: RowView = [sideView(truth, levels, 0), sideView(truth, levels, 1)];
      flush();
      counter = "reseedRecords";
      reconcile(view, before);
      counter = null;
      endGroup();
      stats.messages++;
      if (o.onMessage) await o.onMessage(theBook(), truth, before, index);
      prev = view;
    }
  }
  const current = rows as LobsterBookRows | null;
  if ((current !== null && rowAt < current.length) || !(await rowsIt.next()).done) {
    throw new Error(
      `${o.orderbookName}: line ${stats.messages + 1} has no message: ${o.messageName} ends ` +
        `after line ${stats.messages}; the files must have one row per message`,
    );
  }
  if (stats.messages === 0) throw new Error(`${o.messageName}: no messages`);
  return { books, book: theBook(), stats };
}
