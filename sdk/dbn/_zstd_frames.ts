// Splits a zstd stream into its frames without decompressing it, so that each frame can be handed
// to its own node:zlib decompressor: node's zstd stream stops after the first frame, while DBN
// files may hold several concatenated frames (spec §1.4). Reads only frame/block headers; the
// data passes through as subarrays of the input chunks.
import { DbnError } from "./error.ts";

const ZSTD_MAGIC = 0xfd2fb528;

/** A piece of the compressed stream; `end` marks the last piece of a frame. */
export interface FramePiece {
  data: Uint8Array;
  end: boolean;
}

const S_MAGIC = 0, S_SKIP_SIZE = 1, S_FHD = 2, S_HEADER = 3, S_BLOCK = 4;

/** Yields the input as pieces, cut at frame boundaries. Throws a DbnError on a malformed frame. */
export async function* zstdFramePieces(
  input: AsyncIterable<Uint8Array>,
  name: string,
): AsyncGenerator<FramePiece> {
  const acc = new Uint8Array(20);
  let accLen = 0; // header bytes gathered for the current state
  let need = 4; // header bytes the current state needs
  let state = S_MAGIC;
  let skip = 0; // payload bytes to pass before the next header
  let checksum = false;
  let lastBlock = false;
  let offset = 0; // compressed offset of the current chunk
  let frameStart = 0;
  const corrupt = (what: string, at: number): DbnError =>
    new DbnError(`corrupt zstd data: ${what} at compressed byte ${at}`, name, undefined);
  for await (const chunk of input) {
    let pos = 0;
    let segStart = 0;
    const n = chunk.byteLength;
    while (pos < n) {
      if (skip > 0) {
        const k = Math.min(skip, n - pos);
        skip -= k;
        pos += k;
        if (skip > 0) break;
        if (state === S_MAGIC) { // the frame ended with this payload (last block or checksum)
          yield { data: chunk.subarray(segStart, pos), end: true };
          segStart = pos;
        }
        continue;
      }
      const k = Math.min(need - accLen, n - pos);
      acc.set(chunk.subarray(pos, pos + k), accLen);
      accLen += k;
      pos += k;
      if (accLen < need) break;
      const at = offset + pos - accLen;
      accLen = 0;
      switch (state) {
        case S_MAGIC: {
          frameStart = at;
          const m = (acc[0] | (acc[1] << 8) | (acc[2] << 16) | (acc[3] << 24)) >>> 0;
          if (m === ZSTD_MAGIC) {
            state = S_FHD;
            need = 1;
          } else if ((m & 0xfffffff0) === 0x184d2a50) {
            state = S_SKIP_SIZE;
            need = 4;
          } else throw corrupt(`unknown frame magic 0x${m.toString(16)}`, at);
          break;
        }
        case S_SKIP_SIZE: {
          skip = (acc[0] | (acc[1] << 8) | (acc[2] << 16) | (acc[3] << 24)) >>> 0;
          state = S_MAGIC;
          need = 4;
          if (skip === 0) {
            yield { data: chunk.subarray(segStart, pos), end: true };
            segStart = pos;
          }
          break;
        }
        case S_FHD: {
          const fhd = acc[0];
          if (fhd & 0x08) throw corrupt("reserved bit set in frame header", at);
          const fcsFlag = fhd >> 6, single = (fhd >> 5) & 1;
          checksum = ((fhd >> 2) & 1) === 1;
          const did = [0, 1, 2, 4][fhd & 3];
          const fcs = fcsFlag === 0 ? single : [0, 2, 4, 8][fcsFlag];
          const rest = (single ? 0 : 1) + did + fcs;
          state = rest > 0 ? S_HEADER : S_BLOCK;
          need = rest > 0 ? rest : 3;
          break;
        }
        case S_HEADER:
          state = S_BLOCK;
          need = 3;
          break;
        case S_BLOCK: {
          const bh = acc[0] | (acc[1] << 8) | (acc[2] << 16);
          const type = (bh >> 1) & 3;
          if (type === 3) throw corrupt("reserved block type", at);
          lastBlock = (bh & 1) === 1;
          skip = type === 1 ? 1 : bh >>> 3;
          if (lastBlock) {
            skip += checksum ? 4 : 0;
            state = S_MAGIC;
            need = 4;
            if (skip === 0) {
              yield { data: chunk.subarray(segStart, pos), end: true };
              segStart = pos;
            }
          }
          break;
        }
      }
    }
    if (segStart < n) yield { data: chunk.subarray(segStart, n), end: false };
    offset += n;
  }
  if (state !== S_MAGIC || accLen > 0 || skip > 0) {
    throw corrupt(`truncated frame (started at compressed byte ${frameStart})`, offset);
  }
}
