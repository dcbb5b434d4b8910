// Growing a typed array the engines index by slot: a longer copy, the new tail set to a fill value
// (-1 for window stamps). Called when a slot is created past the capacity, never per update.

/** A copy of `a` of length `n` (at least `a.length`), the entries past `a.length` set to `fill`. */
export function _grow<T extends Float64Array | Int32Array | Uint8Array>(
  a: T,
  n: number,
  fill = 0,
): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}
