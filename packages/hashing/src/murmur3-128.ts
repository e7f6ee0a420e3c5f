import { HashingError } from "./errors.js";
import { encodeUtf8Scratch, scratchBytes } from "./utf8.js";

// 64-bit arithmetic on (hi, lo) pairs of unsigned 32-bit halves, BigInt-free. Results land in `outHi`/`outLo`.
let outHi = 0;
let outLo = 0;

/** (aHi:aLo) * (bHi:bLo) mod 2^64. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  outLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  outHi = (Math.imul(aHi, bLo) + Math.imul(aLo, bHi) + carry) >>> 0;
}

/** (aHi:aLo) + (bHi:bLo) mod 2^64. */
function add64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const lo = aLo + bLo;
  outLo = lo >>> 0;
  outHi = (aHi + bHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Rotate (hi:lo) left by r, 0 < r < 64, r !== 32. */
function rotl64(hi: number, lo: number, r: number): void {
  if (r > 32) {
    const t = hi;
    hi = lo;
    lo = t;
    r -= 32;
  }
  outHi = ((hi << r) | (lo >>> (32 - r))) >>> 0;
  outLo = ((lo << r) | (hi >>> (32 - r))) >>> 0;
}

const C1_HI = 0x87c37b91;
const C1_LO = 0x114253d5;
const C2_HI = 0x4cf5ad43;
const C2_LO = 0x2745937f;

/** murmur3's 64-bit finalizer. */
function fmix64(hi: number, lo: number): void {
  lo = (lo ^ (hi >>> 1)) >>> 0; // k ^= k >>> 33
  mul64(hi, lo, 0xff51afd7, 0xed558ccd);
  hi = outHi;
  lo = (outLo ^ (outHi >>> 1)) >>> 0;
  mul64(hi, lo, 0xc4ceb9fe, 0x1a85ec53);
  hi = outHi;
  lo = (outLo ^ (outHi >>> 1)) >>> 0;
  outHi = hi;
  outLo = lo;
}

function word(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hexLittleEndian(hi: number, lo: number): string {
  return (
    HEX[lo & 0xff]! +
    HEX[(lo >>> 8) & 0xff]! +
    HEX[(lo >>> 16) & 0xff]! +
    HEX[lo >>> 24]! +
    HEX[hi & 0xff]! +
    HEX[(hi >>> 8) & 0xff]! +
    HEX[(hi >>> 16) & 0xff]! +
    HEX[hi >>> 24]!
  );
}

/**
 * MurmurHash3, x64 128-bit variant (`MurmurHash3_x64_128`), over the UTF-8 bytes of a string or over raw
 * bytes, computed without BigInt. The result is the 16 output bytes in hex: h1 then h2, each little-endian
 * (the form Guava's `Hashing.murmur3_128().hashBytes(...).toString()` and Python's
 * `mmh3.hash_bytes(...).hex()` print).
 *
 * @param input - a string (hashed as UTF-8; lone surrogates as U+FFFD) or bytes
 * @param seed - an unsigned 32-bit seed, default 0
 * @returns 32 lowercase hex digits
 * @throws {@link HashingError} `invalid-argument` when the seed is not an unsigned 32-bit integer
 *
 * @example
 * ```ts
 * import { murmur3_128 } from "@distkit/hashing";
 * murmur3_128("The quick brown fox jumps over the lazy dog"); // "6c1b07bc7bbc4be347939ac4a93c437a"
 * ```
 */
export function murmur3_128(input: string | Uint8Array, seed = 0): string {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new HashingError("invalid-argument", `seed must be an integer in [0, 2^32 - 1], got ${seed}`);
  }
  let b: Uint8Array;
  let length: number;
  if (typeof input === "string") {
    length = encodeUtf8Scratch(input);
    b = scratchBytes();
  } else {
    b = input;
    length = input.length;
  }
  let h1Hi = 0;
  let h1Lo = seed;
  let h2Hi = 0;
  let h2Lo = seed;
  const blockEnd = length - (length % 16);
  for (let i = 0; i < blockEnd; i += 16) {
    // k1 = block[0..8), k2 = block[8..16), little-endian
    mul64(word(b, i + 4), word(b, i), C1_HI, C1_LO);
    rotl64(outHi, outLo, 31);
    mul64(outHi, outLo, C2_HI, C2_LO);
    h1Hi = (h1Hi ^ outHi) >>> 0;
    h1Lo = (h1Lo ^ outLo) >>> 0;
    rotl64(h1Hi, h1Lo, 27);
    add64(outHi, outLo, h2Hi, h2Lo);
    mul64(outHi, outLo, 0, 5);
    add64(outHi, outLo, 0, 0x52dce729);
    h1Hi = outHi;
    h1Lo = outLo;

    mul64(word(b, i + 12), word(b, i + 8), C2_HI, C2_LO);
    rotl64(outHi, outLo, 33);
    mul64(outHi, outLo, C1_HI, C1_LO);
    h2Hi = (h2Hi ^ outHi) >>> 0;
    h2Lo = (h2Lo ^ outLo) >>> 0;
    rotl64(h2Hi, h2Lo, 31);
    add64(outHi, outLo, h1Hi, h1Lo);
    mul64(outHi, outLo, 0, 5);
    add64(outHi, outLo, 0, 0x38495ab5);
    h2Hi = outHi;
    h2Lo = outLo;
  }
  const tail = length - blockEnd;
  if (tail > 8) {
    let kHi = 0;
    let kLo = 0;
    for (let j = tail - 1; j >= 8; j--) {
      const byte = b[blockEnd + j]!;
      const shift = (j - 8) * 8;
      if (shift < 32) kLo = (kLo | (byte << shift)) >>> 0;
      else kHi = (kHi | (byte << (shift - 32))) >>> 0;
    }
    mul64(kHi, kLo, C2_HI, C2_LO);
    rotl64(outHi, outLo, 33);
    mul64(outHi, outLo, C1_HI, C1_LO);
    h2Hi = (h2Hi ^ outHi) >>> 0;
    h2Lo = (h2Lo ^ outLo) >>> 0;
  }
  if (tail > 0) {
    let kHi = 0;
    let kLo = 0;
    for (let j = Math.min(tail, 8) - 1; j >= 0; j--) {
      const byte = b[blockEnd + j]!;
      const shift = j * 8;
      if (shift < 32) kLo = (kLo | (byte << shift)) >>> 0;
      else kHi = (kHi | (byte << (shift - 32))) >>> 0;
    }
    mul64(kHi, kLo, C1_HI, C1_LO);
    rotl64(outHi, outLo, 31);
    mul64(outHi, outLo, C2_HI, C2_LO);
    h1Hi = (h1Hi ^ outHi) >>> 0;
    h1Lo = (h1Lo ^ outLo) >>> 0;
  }
  // Lengths fit 32 bits (strings are capped well below).
  h1Lo = (h1Lo ^ length) >>> 0;
  h2Lo = (h2Lo ^ length) >>> 0;
  add64(h1Hi, h1Lo, h2Hi, h2Lo);
  h1Hi = outHi;
  h1Lo = outLo;
  add64(h2Hi, h2Lo, h1Hi, h1Lo);
  h2Hi = outHi;
  h2Lo = outLo;
  fmix64(h1Hi, h1Lo);
  h1Hi = outHi;
  h1Lo = outLo;
  fmix64(h2Hi, h2Lo);
  h2Hi = outHi;
  h2Lo = outLo;
  add64(h1Hi, h1Lo, h2Hi, h2Lo);
  h1Hi = outHi;
  h1Lo = outLo;
  add64(h2Hi, h2Lo, h1Hi, h1Lo);
  h2Hi = outHi;
  h2Lo = outLo;
  return hexLittleEndian(h1Hi, h1Lo) + hexLittleEndian(h2Hi, h2Lo);
}
