import { HashingError } from "./errors.js";
import { encodeUtf8Scratch, scratchBytes } from "./utf8.js";

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;
const P5 = 0x165667b1 | 0;

function lane(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function round(acc: number, input: number): number {
  acc = (acc + Math.imul(input, P2)) | 0;
  acc = (acc << 13) | (acc >>> 19);
  return Math.imul(acc, P1);
}

/** @internal xxHash32 over the first `length` bytes of `b`. */
export function xxhash32Bytes(b: Uint8Array, length: number, seed: number): number {
  let i = 0;
  let h: number;
  if (length >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const limit = length - 16;
    for (; i <= limit; i += 16) {
      v1 = round(v1, lane(b, i));
      v2 = round(v2, lane(b, i + 4));
      v3 = round(v3, lane(b, i + 8));
      v4 = round(v4, lane(b, i + 12));
    }
    h =
      (((v1 << 1) | (v1 >>> 31)) +
        ((v2 << 7) | (v2 >>> 25)) +
        ((v3 << 12) | (v3 >>> 20)) +
        ((v4 << 18) | (v4 >>> 14))) |
      0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + length) | 0;
  for (; i + 4 <= length; i += 4) {
    h = (h + Math.imul(lane(b, i), P3)) | 0;
    h = Math.imul((h << 17) | (h >>> 15), P4);
  }
  for (; i < length; i++) {
    h = (h + Math.imul(b[i]!, P5)) | 0;
    h = Math.imul((h << 11) | (h >>> 21), P1);
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * xxHash32 (Yann Collet), over the UTF-8 bytes of a string or over raw bytes. Matches the reference
 * `XXH32` bit for bit. Strings are encoded into a reusable buffer, so a call allocates nothing.
 *
 * @param input - a string (hashed as UTF-8; lone surrogates as U+FFFD) or bytes
 * @param seed - an unsigned 32-bit seed, default 0
 * @returns the hash as an unsigned 32-bit integer
 * @throws {@link HashingError} `invalid-argument` when the seed is not an unsigned 32-bit integer
 *
 * @example
 * ```ts
 * import { xxhash32 } from "@distkit/hashing";
 * xxhash32("abc"); // 0x32d153ff
 * ```
 */
export function xxhash32(input: string | Uint8Array, seed = 0): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new HashingError("invalid-argument", `seed must be an integer in [0, 2^32 - 1], got ${seed}`);
  }
  if (typeof input === "string") {
    const n = encodeUtf8Scratch(input);
    return xxhash32Bytes(scratchBytes(), n, seed);
  }
  return xxhash32Bytes(input, input.length, seed);
}
