import { HashingError } from "./errors.js";
import { encodeUtf8Scratch, scratchBytes } from "./utf8.js";

/** @internal murmur3 x86 32-bit over the first `length` bytes of `b`. */
export function murmur3Bytes(b: Uint8Array, length: number, seed: number): number {
  let h = seed | 0;
  const blockEnd = length & ~3;
  let i = 0;
  for (; i < blockEnd; i += 4) {
    let k = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail !== 0) {
    let k = 0;
    if (tail === 3) k ^= b[i + 2]! << 16;
    if (tail >= 2) k ^= b[i + 1]! << 8;
    k ^= b[i]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= length;
  return fmix32(h);
}

/** @internal murmur3's 32-bit finalizer: a bijective avalanche mix of a 32-bit value. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new HashingError("invalid-argument", `seed must be an integer in [0, 2^32 - 1], got ${seed}`);
  }
}

/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby), over the UTF-8 bytes of a string or over raw bytes.
 * Matches the reference `MurmurHash3_x86_32` bit for bit on every platform. Strings are encoded into a
 * reusable buffer, so a call allocates nothing.
 *
 * @param input - a string (hashed as UTF-8; lone surrogates as U+FFFD) or bytes
 * @param seed - an unsigned 32-bit seed, default 0
 * @returns the hash as an unsigned 32-bit integer
 * @throws {@link HashingError} `invalid-argument` when the seed is not an unsigned 32-bit integer
 *
 * @example
 * ```ts
 * import { murmur3_32 } from "@distkit/hashing";
 * murmur3_32("Hello, world!", 0x9747b28c); // 0x24884cba
 * ```
 */
export function murmur3_32(input: string | Uint8Array, seed = 0): number {
  checkSeed(seed);
  if (typeof input === "string") return keyHash32(input, seed);
  return murmur3Bytes(input, input.length, seed);
}

/**
 * @internal murmur3_32 of a key under a seed already validated; the hot path of every partitioner. ASCII keys
 * are hashed straight from their UTF-16 code units (which equal their UTF-8 bytes); any other key is encoded
 * to UTF-8 first.
 */
export function keyHash32(key: string, seed: number): number {
  const length = key.length;
  let h = seed | 0;
  const blockEnd = length & ~3;
  let i = 0;
  for (; i < blockEnd; i += 4) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 1);
    const c2 = key.charCodeAt(i + 2);
    const c3 = key.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 0x80) return hashNonAscii(key, seed);
    let k = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail !== 0) {
    const c0 = key.charCodeAt(i);
    const c1 = tail >= 2 ? key.charCodeAt(i + 1) : 0;
    const c2 = tail === 3 ? key.charCodeAt(i + 2) : 0;
    if ((c0 | c1 | c2) >= 0x80) return hashNonAscii(key, seed);
    let k = c0 | (c1 << 8) | (c2 << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= length;
  return fmix32(h);
}

function hashNonAscii(key: string, seed: number): number {
  const n = encodeUtf8Scratch(key);
  return murmur3Bytes(scratchBytes(), n, seed);
}
