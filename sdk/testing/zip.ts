// Reading one member of a zip archive in tests (the LOBSTER samples are distributed as zips): the
// central directory gives the member's offset and sizes; stored and deflated members only.

/**
 * The bytes of member `name` of the zip file at `path` (stored or deflate, no zip64, no
 * encryption). Errors name the archive and the member.
 */
export async function readZipMember(path: string, name: string): Promise<Uint8Array> {
  const zip = await Deno.readFile(path);
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const fail = (msg: string): never => {
    throw new Error(`${path}: ${msg}`);
  };
  // end of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail("not a zip archive (no end of central directory)");
  const entries = dv.getUint16(eocd + 10, true);
  let at = dv.getUint32(eocd + 16, true);
  const dec = new TextDecoder();
  for (let e = 0; e < entries; e++) {
    if (dv.getUint32(at, true) !== 0x02014b50) fail(`bad central directory entry at byte ${at}`);
    const method = dv.getUint16(at + 10, true);
    const csize = dv.getUint32(at + 20, true), usize = dv.getUint32(at + 24, true);
    const nlen = dv.getUint16(at + 28, true), xlen = dv.getUint16(at + 30, true);
    const clen = dv.getUint16(at + 32, true);
    const local = dv.getUint32(at + 42, true);
    const member = dec.decode(zip.subarray(at + 46, at + 46 + nlen));
    at += 46 + nlen + xlen + clen;
    if (member !== name) continue;
    if (dv.getUint32(local, true) !== 0x04034b50) fail(`${name}: bad local header`);
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    const raw = zip.subarray(start, start + csize);
    let out: Uint8Array;
    if (method === 0) out = raw.slice();
    else if (method === 8) {
      out = new Uint8Array(
        await new Response(
          new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate-raw")),
        ).arrayBuffer(),
      );
    } else return fail(`${name}: unsupported compression method ${method}`);
    if (out.length !== usize) fail(`${name}: ${out.length} bytes inflated, ${usize} expected`);
    return out;
  }
  return fail(`no member ${name}`);
}
