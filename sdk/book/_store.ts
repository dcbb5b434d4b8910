/**
 * Private storage of the book engine: an open-addressing hash table keyed by
 * (book, order_id lo word, order_id hi word), pools of order and price-level slots on typed arrays,
 * and the sorted price ladders. No BigInt and no per-event allocation.
 *
 * @module
 */

/** No slot / end of a linked list. */
export const NIL = -1;

const MIN_HASH_BITS = 10;

/**
 * Orders and price levels of every book of an {@linkcode OrderBooks}, plus the order-id index.
 *
 * Order slot fields (`o*`): order id words, owning book, remaining size, pending fill quantity
 * (reported by `F` and not yet removed by a `C`/`M`), price level, FIFO links, entry time words.
 * Level slot fields (`l*`): price, side (0 bid, 1 ask), total size, order count, FIFO head/tail.
 */
export class _Store {
  // ---- order-id hash (linear probing, backward-shift deletion). Entry i occupies
  // h[4i..4i+3] = (order_id lo word, hi word, book, order slot); slot NIL = empty bucket.
  hBits = MIN_HASH_BITS;
  hMask = (1 << MIN_HASH_BITS) - 1;
  h: Int32Array = new Int32Array(4 << MIN_HASH_BITS).fill(NIL);
  hCount = 0;

  // ---- orders
  oCap: number;
  oUsed = 0;
  oFree = NIL;
  oLo: Uint32Array;
  oHi: Uint32Array;
  oBook: Int32Array;
  oSize: Float64Array;
  oPend: Float64Array;
  oLevel: Int32Array;
  oPrev: Int32Array;
  oNext: Int32Array;
  oTsLo: Uint32Array;
  oTsHi: Uint32Array;

  // ---- price levels
  lCap: number;
  lUsed = 0;
  lFree = NIL;
  lPrice: Float64Array;
  lSide: Uint8Array;
  lSize: Float64Array;
  lCount: Int32Array;
  lHead: Int32Array;
  lTail: Int32Array;

  // ---- orders with a pending fill (cleared at the book's next F_LAST)
  pend = new Int32Array(64);
  pendN = 0;

  constructor(initialOrders = 1 << 14) {
    const oc = Math.max(16, initialOrders | 0);
    this.oCap = oc;
    this.oLo = new Uint32Array(oc);
    this.oHi = new Uint32Array(oc);
    this.oBook = new Int32Array(oc);
    this.oSize = new Float64Array(oc);
    this.oPend = new Float64Array(oc);
    this.oLevel = new Int32Array(oc);
    this.oPrev = new Int32Array(oc);
    this.oNext = new Int32Array(oc);
    this.oTsLo = new Uint32Array(oc);
    this.oTsHi = new Uint32Array(oc);
    const lc = Math.max(16, oc >>> 3);
    this.lCap = lc;
    this.lPrice = new Float64Array(lc);
    this.lSide = new Uint8Array(lc);
    this.lSize = new Float64Array(lc);
    this.lCount = new Int32Array(lc);
    this.lHead = new Int32Array(lc);
    this.lTail = new Int32Array(lc);
    let bits = MIN_HASH_BITS;
    while ((1 << bits) < oc * 2 && bits < 30) bits++;
    this.#allocHash(bits);
  }

  #allocHash(bits: number): void {
    this.hBits = bits;
    this.hMask = (1 << bits) - 1;
    this.h = new Int32Array(4 << bits).fill(NIL);
    this.hCount = 0;
  }

  /** Home bucket of a key (Fibonacci hashing of the mixed words). */
  home(book: number, lo: number, hi: number): number {
    const x = lo ^ Math.imul(hi, 0x85ebca6b) ^ Math.imul(book + 1, 0xc2b2ae35);
    return Math.imul(x, 0x9e3779b1) >>> (32 - this.hBits);
  }

  /**
   * Looks a key up: returns its bucket (>= 0) when present, else `~b` where `b` is the empty
   * bucket where it would be inserted with {@linkcode _Store.insertAt}.
   */
  probe(book: number, lo: number, hi: number): number {
    const h = this.h, mask = this.hMask;
    lo |= 0;
    hi |= 0;
    let i = this.home(book, lo, hi);
    for (;;) {
      const j = i << 2;
      if (h[j + 3] === NIL) return ~i;
      if (h[j] === lo && h[j + 1] === hi && h[j + 2] === book) return i;
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
    return this.h[(b << 2) + 3];
  }

  /**
   * Stores a key in the empty bucket `b` returned (as `~b`) by {@linkcode _Store.probe}; call
   * {@linkcode _Store.reserve} before probing so that no growth happens in between.
   */
  insertAt(b: number, book: number, lo: number, hi: number, slot: number): void {
    const j = b << 2;
    const h = this.h;
    h[j] = lo;
    h[j + 1] = hi;
    h[j + 2] = book;
    h[j + 3] = slot;
    this.hCount++;
  }

  /** Grows the table if one more key would exceed a load factor of 1/2. */
  reserve(): void {
    if ((this.hCount + 1) * 2 > this.hMask + 1) this.#growHash();
  }

  /** Inserts a key known to be absent. */
  insert(book: number, lo: number, hi: number, slot: number): void {
    this.reserve();
    const b = this.probe(book, lo, hi);
    this.insertAt(~b, book, lo, hi, slot);
  }

  /** Removes the entry in bucket `i` (backward-shift deletion keeps probe chains intact). */
  removeAt(i: number): void {
    const h = this.h, mask = this.hMask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const jj = j << 2;
      if (h[jj + 3] === NIL) break;
      const k = this.home(h[jj + 2], h[jj], h[jj + 1]);
      // Move j into the hole at i unless j's home k lies cyclically in (i, j].
      const inRange = i <= j ? (k > i && k <= j) : (k > i || k <= j);
      if (!inRange) {
        const ii = i << 2;
        h[ii] = h[jj];
        h[ii + 1] = h[jj + 1];
        h[ii + 2] = h[jj + 2];
        h[ii + 3] = h[jj + 3];
        i = j;
      }
    }
    this.h[(i << 2) + 3] = NIL;
    this.hCount--;
  }

  #growHash(): void {
    const old = this.h;
    const count = this.hCount;
    this.#allocHash(this.hBits + 1);
    const h = this.h, mask = this.hMask;
    for (let jj = 0; jj < old.length; jj += 4) {
      if (old[jj + 3] === NIL) continue;
      let i = this.home(old[jj + 2], old[jj], old[jj + 1]);
      while (h[(i << 2) + 3] !== NIL) i = (i + 1) & mask;
      const ii = i << 2;
      h[ii] = old[jj];
      h[ii + 1] = old[jj + 1];
      h[ii + 2] = old[jj + 2];
      h[ii + 3] = old[jj + 3];
    }
    this.hCount = count;
  }

  /** A fresh order slot (size, pending fill and links reset). */
  allocOrder(): number {
    let s = this.oFree;
    if (s !== NIL) {
      this.oFree = this.oNext[s];
    } else {
      if (this.oUsed === this.oCap) this.#growOrders();
      s = this.oUsed++;
    }
    this.oPend[s] = 0;
    this.oPrev[s] = NIL;
    this.oNext[s] = NIL;
    return s;
  }

  /** Returns an order slot to the pool. */
  freeOrder(s: number): void {
    this.oBook[s] = NIL;
    this.oLevel[s] = NIL;
    this.oPend[s] = 0;
    this.oNext[s] = this.oFree;
    this.oFree = s;
  }

  #growOrders(): void {
    const n = this.oCap * 2;
    this.oCap = n;
    this.oLo = grow(this.oLo, n);
    this.oHi = grow(this.oHi, n);
    this.oBook = grow(this.oBook, n);
    this.oSize = grow(this.oSize, n);
    this.oPend = grow(this.oPend, n);
    this.oLevel = grow(this.oLevel, n);
    this.oPrev = grow(this.oPrev, n);
    this.oNext = grow(this.oNext, n);
    this.oTsLo = grow(this.oTsLo, n);
    this.oTsHi = grow(this.oTsHi, n);
  }

  /** A fresh, empty price level. */
  allocLevel(side: number, price: number): number {
    let l = this.lFree;
    if (l !== NIL) {
      this.lFree = this.lHead[l];
    } else {
      if (this.lUsed === this.lCap) this.#growLevels();
      l = this.lUsed++;
    }
    this.lPrice[l] = price;
    this.lSide[l] = side;
    this.lSize[l] = 0;
    this.lCount[l] = 0;
    this.lHead[l] = NIL;
    this.lTail[l] = NIL;
    return l;
  }

  /** Returns a level slot to the pool. */
  freeLevel(l: number): void {
    this.lCount[l] = 0;
    this.lHead[l] = this.lFree;
    this.lFree = l;
  }

  #growLevels(): void {
    const n = this.lCap * 2;
    this.lCap = n;
    this.lPrice = grow(this.lPrice, n);
    this.lSide = grow(this.lSide, n);
    this.lSize = grow(this.lSize, n);
    this.lCount = grow(this.lCount, n);
    this.lHead = grow(this.lHead, n);
    this.lTail = grow(this.lTail, n);
  }

  /** Appends order `s` at the back of level `l`'s queue. */
  linkTail(l: number, s: number): void {
    const t = this.lTail[l];
    this.oPrev[s] = t;
    this.oNext[s] = NIL;
    if (t === NIL) this.lHead[l] = s;
    else this.oNext[t] = s;
    this.lTail[l] = s;
    this.oLevel[s] = l;
  }

  /** Removes order `s` from its level's queue (sizes and counts are the caller's business). */
  unlink(s: number): void {
    const l = this.oLevel[s], p = this.oPrev[s], n = this.oNext[s];
    if (p === NIL) this.lHead[l] = n;
    else this.oNext[p] = n;
    if (n === NIL) this.lTail[l] = p;
    else this.oPrev[n] = p;
    this.oPrev[s] = NIL;
    this.oNext[s] = NIL;
  }

  /** Remembers that order `s` has a pending fill. */
  pushPending(s: number): void {
    if (this.pendN === this.pend.length) this.pend = grow(this.pend, this.pend.length * 2);
    this.pend[this.pendN++] = s;
  }

  /** Forgets the pending fills of book `book` (and stale entries of freed orders). */
  clearPending(book: number): void {
    const pend = this.pend, oBook = this.oBook, oPend = this.oPend;
    let w = 0;
    for (let r = 0; r < this.pendN; r++) {
      const s = pend[r];
      const b = oBook[s];
      if (b === book || b === NIL) oPend[s] = 0;
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

  /** Index of `key`, or `~insertionIndex` (negative) when absent. */
  search(key: number): number {
    const keys = this.keys;
    const n = this.n;
    if (n === 0) return -1; // ~0
    const top = keys[n - 1];
    if (key === top) return n - 1;
    if (key > top) return ~n;
    let lo = 0, hi = n - 2;
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
    this.n++;
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

type AnyTyped =
  | Uint8Array
  | Uint32Array
  | Int32Array
  | Float64Array;

function grow<T extends AnyTyped>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a as never);
  return b;
}
