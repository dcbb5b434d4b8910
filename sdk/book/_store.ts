/**
 * Private storage of the book engine: an open-addressing hash table keyed by
 * (book, order_id lo word, order_id hi word), pools of order and price-level records on typed
 * arrays, and the sorted price ladders. No BigInt and no per-event allocation.
 *
 * Layout (chosen so that one order or one level is one cache line):
 * - order record `s`: `o[s*8 + O_*]` in an `Int32Array`. 64-bit values are (lo, hi) words in
 *   int32 form (`x | 0`, V8 never boxes them); read a low word as unsigned with `lo >>> 0`;
 *   the size is a u32 stored as int32 (`>>> 0` to read).
 * - level record `l`: integer fields `li[l*8 + L_*]` in an `Int32Array`, price and total size
 *   `lf[l*2 + LF_*]` in a `Float64Array`.
 * - hash bucket `i`: `h[i*2]` = the key's 32-bit hash, `h[i*2 + 1]` = order slot (NIL = empty).
 *   The hash is a bijective mix of (lo, book) for a given hi, so equal hashes and equal (lo, hi)
 *   words imply the same book; deletion and growth never touch the order records.
 *
 * @module
 */

/** No slot / end of a linked list. */
export const NIL = -1;

/** Order record fields (stride 8). */
export const O_LO = 0, O_HI = 1, O_LEVEL = 2, O_PREV = 3, O_NEXT = 4, O_TSLO = 5, O_TSHI = 6;
/** Order size (u32 stored as int32). */
export const O_SIZE = 7;
/** Level integer fields (`li`, stride 8): order count, queue head/tail, side (0 bid), book id. */
export const L_COUNT = 0, L_HEAD = 1, L_TAIL = 2, L_SIDE = 3, L_BOOK = 4;
/** Level float fields (`lf`, stride 2): price, total size. */
export const LF_PRICE = 0, LF_SIZE = 1;

const MIN_HASH_BITS = 10;

/**
 * Orders and price levels of every book of an `OrderBooks`, plus the order-id index. Besides the
 * records, `pend[s]` holds the quantity reported by `F` records for order `s` and not yet removed
 * by a `C`/`M` (used to tell fills from pulls).
 */
export class _Store {
  // ---- order-id hash (linear probing, backward-shift deletion)
  hBits = MIN_HASH_BITS;
  hMask = (1 << MIN_HASH_BITS) - 1;
  h: Int32Array = new Int32Array(2 << MIN_HASH_BITS).fill(NIL);
  hCount = 0;

  // ---- orders
  oCap: number;
  oUsed = 0;
  oFree = NIL;
  o: Int32Array;
  oPend: Float64Array;

  // ---- price levels
  lCap: number;
  lUsed = 0;
  lFree = NIL;
  li: Int32Array;
  lf: Float64Array;

  // ---- orders with a pending fill (cleared at their book's next F_LAST)
  pend: Int32Array = new Int32Array(64);
  pendN = 0;

  constructor(initialOrders = 1 << 14) {
    const oc = Math.max(16, initialOrders | 0);
    this.oCap = oc;
    this.o = new Int32Array(oc * 8);
    this.oPend = new Float64Array(oc);
    const lc = Math.max(16, oc >>> 3);
    this.lCap = lc;
    this.li = new Int32Array(lc * 8);
    this.lf = new Float64Array(lc * 2);
    let bits = MIN_HASH_BITS;
    while ((1 << bits) < oc * 2 && bits < 30) bits++;
    this.#allocHash(bits);
  }

  #allocHash(bits: number): void {
    this.hBits = bits;
    this.hMask = (1 << bits) - 1;
    this.h = new Int32Array(2 << bits).fill(NIL);
    this.hCount = 0;
  }

  /**
   * 32-bit hash of a key; its top `hBits` bits are the home bucket (Fibonacci hashing). For a
   * fixed `hi`, keys with the same (lo, hi) in different books get different hashes.
   */
  hash(book: number, lo: number, hi: number): number {
    const x = lo ^ Math.imul(hi, 0x85ebca6b) ^ Math.imul(book + 1, 0xc2b2ae35);
    return Math.imul(x, 0x9e3779b1);
  }

  /**
   * Looks a key up: returns its bucket (>= 0) when present, else `~b` where `b` is the empty
   * bucket where it would go ({@linkcode _Store.insertAt}).
   */
  probe(book: number, lo: number, hi: number): number {
    const h = this.h, o = this.o, mask = this.hMask;
    lo |= 0;
    hi |= 0;
    const fp = this.hash(book, lo, hi);
    let i = fp >>> (32 - this.hBits);
    for (;;) {
      const j = i << 1;
      const s = h[j + 1];
      if (s === NIL) return ~i;
      if (h[j] === fp && o[s << 3] === lo && o[(s << 3) + 1] === hi) return i;
      i = (i + 1) & mask;
    }
  }

  /** Bucket holding the key, or {@link NIL}. */
  find(book: number, lo: number, hi: number): number {
    const b = this.probe(book, lo, hi);
    return b >= 0 ? b : NIL;
  }

  /** Order slot stored in bucket `b`. */
  slotAt(b: number): number {
    return this.h[(b << 1) + 1];
  }

  /**
   * Indexes order `slot` under (book, lo, hi) in the empty bucket `b` returned as `~b` by
   * {@linkcode _Store.probe}. Call {@linkcode _Store.reserve} before probing.
   */
  insertAt(b: number, book: number, lo: number, hi: number, slot: number): void {
    const j = b << 1;
    this.h[j] = this.hash(book, lo | 0, hi | 0);
    this.h[j + 1] = slot;
    this.hCount++;
  }

  /** Grows the table if one more key would exceed a load factor of 1/2. */
  reserve(): void {
    if ((this.hCount + 1) * 2 > this.hMask + 1) this.#growHash();
  }

  /** Removes the entry in bucket `i` (backward-shift deletion keeps probe chains intact). */
  removeAt(i: number): void {
    const h = this.h, mask = this.hMask, shift = 32 - this.hBits;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const jj = j << 1;
      if (h[jj + 1] === NIL) break;
      const k = h[jj] >>> shift;
      // Move j into the hole at i unless j's home k lies cyclically in (i, j].
      const inRange = i <= j ? (k > i && k <= j) : (k > i || k <= j);
      if (!inRange) {
        const ii = i << 1;
        h[ii] = h[jj];
        h[ii + 1] = h[jj + 1];
        i = j;
      }
    }
    h[(i << 1) + 1] = NIL;
    this.hCount--;
  }

  #growHash(): void {
    const old = this.h;
    const count = this.hCount;
    this.#allocHash(this.hBits + 1);
    const h = this.h, mask = this.hMask, shift = 32 - this.hBits;
    for (let jj = 0; jj < old.length; jj += 2) {
      if (old[jj + 1] === NIL) continue;
      let i = old[jj] >>> shift;
      while (h[(i << 1) + 1] !== NIL) i = (i + 1) & mask;
      h[i << 1] = old[jj];
      h[(i << 1) + 1] = old[jj + 1];
    }
    this.hCount = count;
  }

  /** Forgets every order and level (all books must be emptied by the caller). */
  reset(): void {
    if (this.hCount > 0) this.h.fill(NIL);
    this.hCount = 0;
    this.oUsed = 0;
    this.oFree = NIL;
    this.lUsed = 0;
    this.lFree = NIL;
    this.pendN = 0;
  }

  /** A fresh order slot (pending fill 0; the caller sets every record field). */
  allocOrder(): number {
    let s = this.oFree;
    if (s !== NIL) {
      this.oFree = this.o[(s << 3) + O_NEXT];
    } else {
      if (this.oUsed === this.oCap) this.#growOrders();
      s = this.oUsed++;
    }
    this.oPend[s] = 0;
    return s;
  }

  /** Returns an order slot to the pool (its level becomes NIL). */
  freeOrder(s: number): void {
    const r = s << 3;
    this.o[r + O_LEVEL] = NIL;
    this.o[r + O_NEXT] = this.oFree;
    this.oPend[s] = 0;
    this.oFree = s;
  }

  #growOrders(): void {
    const n = this.oCap * 2;
    this.oCap = n;
    this.o = grow(this.o, n * 8);
    this.oPend = grow(this.oPend, n);
  }

  /** A fresh, empty price level. */
  allocLevel(book: number, side: number, price: number): number {
    let l = this.lFree;
    if (l !== NIL) {
      this.lFree = this.li[(l << 3) + L_HEAD];
    } else {
      if (this.lUsed === this.lCap) this.#growLevels();
      l = this.lUsed++;
    }
    const r = l << 3, li = this.li;
    li[r + L_COUNT] = 0;
    li[r + L_HEAD] = NIL;
    li[r + L_TAIL] = NIL;
    li[r + L_SIDE] = side;
    li[r + L_BOOK] = book;
    this.lf[(l << 1) + LF_PRICE] = price;
    this.lf[(l << 1) + LF_SIZE] = 0;
    return l;
  }

  /** Returns a level slot to the pool. */
  freeLevel(l: number): void {
    const r = l << 3;
    this.li[r + L_COUNT] = 0;
    this.li[r + L_BOOK] = NIL;
    this.li[r + L_HEAD] = this.lFree;
    this.lFree = l;
  }

  #growLevels(): void {
    const n = this.lCap * 2;
    this.lCap = n;
    this.li = grow(this.li, n * 8);
    this.lf = grow(this.lf, n * 2);
  }

  /** Appends order `s` at the back of level `l`'s queue. */
  linkTail(l: number, s: number): void {
    const o = this.o, lv = this.li;
    const lr = l << 3, r = s << 3;
    const t = lv[lr + L_TAIL];
    o[r + O_PREV] = t;
    o[r + O_NEXT] = NIL;
    o[r + O_LEVEL] = l;
    if (t === NIL) lv[lr + L_HEAD] = s;
    else o[(t << 3) + O_NEXT] = s;
    lv[lr + L_TAIL] = s;
  }

  /** Removes order `s` from its level's queue (sizes and counts are the caller's business). */
  unlink(s: number): void {
    const o = this.o, lv = this.li;
    const r = s << 3;
    const lr = o[r + O_LEVEL] << 3, p = o[r + O_PREV], n = o[r + O_NEXT];
    if (p === NIL) lv[lr + L_HEAD] = n;
    else o[(p << 3) + O_NEXT] = n;
    if (n === NIL) lv[lr + L_TAIL] = p;
    else o[(n << 3) + O_PREV] = p;
  }

  /** Remembers that order `s` has a pending fill. */
  pushPending(s: number): void {
    if (this.pendN === this.pend.length) this.pend = grow(this.pend, this.pend.length * 2);
    this.pend[this.pendN++] = s;
  }

  /** Forgets the pending fills of book `book` (and stale entries of freed orders). */
  clearPending(book: number): void {
    const pend = this.pend, o = this.o, lv = this.li, oPend = this.oPend;
    let w = 0;
    for (let r = 0; r < this.pendN; r++) {
      const s = pend[r];
      const l = o[(s << 3) + O_LEVEL];
      if (l === NIL || lv[(l << 3) + L_BOOK] === book) oPend[s] = 0;
      else pend[w++] = s;
    }
    this.pendN = w;
  }
}

/**
 * One side of one book: distinct prices in ascending order of `key` (bids: key = price, asks:
 * key = −price), so the best level is always the LAST entry and changes near the top of the book
 * move few elements.
 */
export class _Ladder {
  keys: Float64Array = new Float64Array(16);
  lv: Int32Array = new Int32Array(16);
  n = 0;

  /**
   * Index of `key`, or `~insertionIndex` (negative) when absent. Scans the 8 best levels first
   * (where most activity is), then binary-searches the rest.
   */
  search(key: number): number {
    const keys = this.keys;
    let i = this.n - 1;
    const stop = i > 8 ? i - 8 : -1;
    for (; i > stop; i--) {
      const k = keys[i];
      if (k === key) return i;
      if (k < key) return ~(i + 1);
    }
    let lo = 0, hi = i;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid];
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return ~lo;
  }

  /** Inserts `(key, level)` at index `at`. */
  insertAt(at: number, key: number, level: number): void {
    if (this.n === this.keys.length) {
      this.keys = grow(this.keys, this.n * 2);
      this.lv = grow(this.lv, this.n * 2);
    }
    const keys = this.keys, lv = this.lv;
    const n = this.n;
    if (n - at > 16) {
      keys.copyWithin(at + 1, at, n);
      lv.copyWithin(at + 1, at, n);
    } else {
      for (let i = n; i > at; i--) {
        keys[i] = keys[i - 1];
        lv[i] = lv[i - 1];
      }
    }
    keys[at] = key;
    lv[at] = level;
    this.n = n + 1;
  }

  /** Removes the entry at index `at`. */
  removeAt(at: number): void {
    const n = this.n - 1;
    const keys = this.keys, lv = this.lv;
    if (n - at > 16) {
      keys.copyWithin(at, at + 1, n + 1);
      lv.copyWithin(at, at + 1, n + 1);
    } else {
      for (let i = at; i < n; i++) {
        keys[i] = keys[i + 1];
        lv[i] = lv[i + 1];
      }
    }
    this.n = n;
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a as never);
  return b;
}
