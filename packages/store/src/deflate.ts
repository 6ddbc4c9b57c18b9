/**
 * Raw deflate (RFC 1951) of small inputs, in JavaScript: one block with the fixed Huffman codes (§3.2.6),
 * greedy LZ77 matches found through hash chains.
 *
 * Why not `zlib.deflateRawSync`: the usage store deflates the data of events near 1 KB so that their item
 * stays one write unit, once per event at ingestion's full rate. For inputs of ~1 KB node's zlib costs about
 * 10–14 µs a call, nearly all of it per-call setup (a stream object, native state allocated and freed, a
 * 16 KB output buffer); this encoder keeps its tables between calls and takes about 5 µs. Fixed codes
 * compress JSON about 15 % worse than zlib's dynamic ones, so the store falls back to zlib when this
 * output is not small enough for one write unit (`toItem`). Any inflater reads the output
 * (`inflateRawSync` in `fromItem`); the tests check that for random and JSON-like inputs.
 */

/** Hash of the next 3 bytes: 2^14 chain heads. */
const HASH_BITS = 14;
/** Candidates looked at per position: more finds slightly longer matches for much more time. */
const MAX_CHAIN = 8;
/** Positions inside a match longer than this are not indexed (a long run would index every byte of it). */
const MAX_INSERT = 32;
/** A match this long ends the search (zlib's `nice_length`). */
const NICE_MATCH = 32;
/** Deflate's largest back-reference distance. */
const WINDOW = 32_768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;

function reversed(code: number, length: number): number {
  let r = 0;
  for (let i = 0; i < length; i++) {
    r = (r << 1) | (code & 1);
    code >>>= 1;
  }
  return r;
}

// Huffman codes are sent most significant bit first into a stream filled from the least significant bit:
// the tables hold them bit-reversed, ready to be ORed in.
const LIT_CODE = new Uint16Array(288);
const LIT_BITS = new Uint8Array(288);
for (let s = 0; s < 288; s++) {
  const [code, bits] =
    s < 144 ? [0x30 + s, 8] : s < 256 ? [0x190 + s - 144, 9] : s < 280 ? [s - 256, 7] : [0xc0 + s - 280, 8];
  LIT_CODE[s] = reversed(code, bits);
  LIT_BITS[s] = bits;
}
const END_OF_BLOCK = 256;

const LEN_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];

/** Length code index (0..28, symbol 257 + index) of each match length 3..258. */
const LEN_CODE = new Uint8Array(MAX_MATCH + 1);
for (let c = 0; c < 29; c++) {
  const end = c === 28 ? MAX_MATCH + 1 : LEN_BASE[c + 1]!;
  for (let l = LEN_BASE[c]!; l < end; l++) LEN_CODE[l] = c;
}
LEN_CODE[MAX_MATCH] = 28;
/** Distance code of `d`: `DIST_CODE[d - 1]` for d ≤ 256, else `DIST_CODE[256 + ((d - 1) >> 7)]` (as zlib). */
const DIST_CODE = new Uint8Array(512);
for (let c = 0; c < 30; c++) {
  for (let d = DIST_BASE[c]!; d < DIST_BASE[c]! + (1 << DIST_EXTRA[c]!); d++) {
    if (d <= 256) DIST_CODE[d - 1] = c;
    else DIST_CODE[256 + ((d - 1) >> 7)] = c;
  }
}
const DIST_CODE_REV = Uint8Array.from({ length: 30 }, (_, c) => reversed(c, 5));

/**
 * The encoder's state, kept between calls: chain heads hold `base + position`, so an entry below the
 * current `base` belongs to an earlier input and needs no clearing.
 */
const head = new Int32Array(1 << HASH_BITS);
let prev = new Int32Array(4096);
let out = new Uint8Array(4096);
let base = 1;

/**
 * Raw deflate of `input` as one fixed-Huffman block.
 *
 * @example
 * const z = deflateRawFixed(Buffer.from(json)); // inflateRawSync(z).toString() === json
 */
export function deflateRawFixed(input: Uint8Array): Uint8Array {
  const n = input.length;
  if (base + n + 1 > 0x3fff_ffff) {
    head.fill(0);
    base = 1;
  }
  if (prev.length < n) prev = new Int32Array(Math.max(n, prev.length * 2));
  // Fixed codes spend at most 9 bits a byte, plus the block header and end.
  const cap = n + (n >> 3) + 8;
  if (out.length < cap) out = new Uint8Array(Math.max(cap, out.length * 2));
  const o = out;
  const pv = prev;
  const b0 = base;
  let op = 0;
  // BFINAL = 1, BTYPE = 01 (fixed codes).
  let bits = 0b011;
  let nbits = 3;
  const last = n - (MIN_MATCH - 1);
  let i = 0;
  while (i < n) {
    let bestLen = 0;
    let bestDist = 0;
    if (i < last) {
      const h =
        Math.imul((input[i]! << 16) | (input[i + 1]! << 8) | input[i + 2]!, 0x9e3779b1) >>> (32 - HASH_BITS);
      let cand = head[h]! - b0;
      head[h] = b0 + i;
      pv[i] = cand;
      const maxLen = Math.min(n - i, MAX_MATCH);
      for (let chain = MAX_CHAIN; cand >= 0 && i - cand <= WINDOW && chain > 0; chain--) {
        if (input[cand + bestLen] === input[i + bestLen] && input[cand] === input[i]) {
          let l = 1;
          while (l < maxLen && input[cand + l] === input[i + l]) l++;
          if (l > bestLen) {
            bestLen = l;
            bestDist = i - cand;
            if (l >= NICE_MATCH || l === maxLen) break;
          }
        }
        cand = pv[cand]!;
      }
    }
    if (bestLen >= MIN_MATCH) {
      const lc = LEN_CODE[bestLen]!;
      bits |= LIT_CODE[257 + lc]! << nbits;
      nbits += LIT_BITS[257 + lc]!;
      bits |= (bestLen - LEN_BASE[lc]!) << nbits;
      nbits += LEN_EXTRA[lc]!;
      while (nbits >= 8) {
        o[op++] = bits;
        bits >>>= 8;
        nbits -= 8;
      }
      const dc = DIST_CODE[bestDist <= 256 ? bestDist - 1 : 256 + ((bestDist - 1) >> 7)]!;
      bits |= DIST_CODE_REV[dc]! << nbits;
      nbits += 5;
      bits |= (bestDist - DIST_BASE[dc]!) << nbits;
      nbits += DIST_EXTRA[dc]!;
      while (nbits >= 8) {
        o[op++] = bits;
        bits >>>= 8;
        nbits -= 8;
      }
      const end = i + bestLen;
      if (bestLen <= MAX_INSERT) {
        for (let j = i + 1; j < end && j < last; j++) {
          const h =
            Math.imul((input[j]! << 16) | (input[j + 1]! << 8) | input[j + 2]!, 0x9e3779b1) >>>
            (32 - HASH_BITS);
          pv[j] = head[h]! - b0;
          head[h] = b0 + j;
        }
      }
      i = end;
    } else {
      const c = input[i]!;
      bits |= LIT_CODE[c]! << nbits;
      nbits += LIT_BITS[c]!;
      while (nbits >= 8) {
        o[op++] = bits;
        bits >>>= 8;
        nbits -= 8;
      }
      i++;
    }
  }
  bits |= LIT_CODE[END_OF_BLOCK]! << nbits;
  nbits += LIT_BITS[END_OF_BLOCK]!;
  while (nbits > 0) {
    o[op++] = bits;
    bits >>>= 8;
    nbits -= 8;
  }
  base += n + 1;
  // A Buffer of this size comes from node's shared pool: no ArrayBuffer of its own for the GC to track.
  const result = Buffer.allocUnsafe(op);
  result.set(o.subarray(0, op));
  return result;
}
