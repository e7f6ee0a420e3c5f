import { HashingError } from "./errors.js";
import { fmix32 } from "./murmur3.js";

// 2862933555777941757 = 0x27BB2EE687B0B0FD, the 64-bit LCG multiplier of Lamping & Veach.
const C_HI = 0x27bb2ee6;
const C_LO = 0x87b0b0fd;
const C_LO_0 = C_LO & 0xffff;
const C_LO_1 = C_LO >>> 16;
const TWO_POW_31 = 2147483648;

/** Largest bucket count accepted: the reference returns an int32 bucket. */
const MAX_BUCKETS = 0x7fffffff;

/**
 * The core loop, BigInt-free: the 64-bit state is kept as two unsigned 32-bit halves and multiplied with
 * 16-bit partial products, so every intermediate stays an exact double. @internal
 */
export function jumpBucket(hi: number, lo: number, buckets: number): number {
  hi |= 0;
  lo |= 0;
  // The reference starts with b = -1, j = 0 and loops while j < buckets; with buckets >= 1 the first
  // iteration sets b = 0, which is where this loop starts. Bounded: (hi >>> 1) + 1 <= 2^31, so next >= b + 1
  // and b strictly increases; at most `buckets` iterations (about ln(buckets) + 1 expected).
  let b = 0;
  for (;;) {
    // state = state * C + 1 (mod 2^64), halves kept as int32
    const a0 = lo & 0xffff;
    const a1 = lo >>> 16;
    const p00 = a0 * C_LO_0;
    const p01 = a0 * C_LO_1;
    const p10 = a1 * C_LO_0;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const carry = a1 * C_LO_1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
    hi = (Math.imul(hi, C_LO) + Math.imul(lo, C_HI) + carry) | 0;
    lo = ((((mid & 0xffff) << 16) | (p00 & 0xffff)) + 1) | 0;
    if (lo === 0) hi = (hi + 1) | 0;
    // j = (b + 1) * (2^31 / ((state >>> 33) + 1)); floor(j) < buckets exactly when j < buckets, and then
    // j < 2^31, so truncating with | 0 is the floor.
    const next = (b + 1) * (TWO_POW_31 / ((hi >>> 1) + 1));
    if (next >= buckets) return b;
    b = next | 0;
  }
}

/**
 * Jump consistent hash (Lamping & Veach, 2014): maps a 64-bit key to one of `buckets` buckets so that growing
 * from n to n + 1 buckets moves only a 1/(n + 1) fraction of keys, all of them to the new bucket. No memory,
 * O(ln n) time. Bit-exact with the paper's C++ `JumpConsistentHash(key, num_buckets)`; the 64-bit key is given
 * as two unsigned 32-bit halves so no BigInt is needed.
 *
 * @param keyHigh - the upper 32 bits of the key, an integer in [0, 2^32)
 * @param keyLow - the lower 32 bits of the key, an integer in [0, 2^32)
 * @param buckets - the number of buckets, an integer in [1, 2^31 - 1]
 * @returns the bucket, an integer in [0, buckets)
 * @throws {@link HashingError} `invalid-argument` on a key half or bucket count out of range
 *
 * @example
 * ```ts
 * import { jumpConsistentHash } from "@distkit/hashing";
 * jumpConsistentHash(0, 1, 60); // 55, as the reference computes for key 1
 * ```
 */
export function jumpConsistentHash(keyHigh: number, keyLow: number, buckets: number): number {
  if (!isUint32(keyHigh) || !isUint32(keyLow)) {
    throw new HashingError(
      "invalid-argument",
      `jumpConsistentHash: key halves must be integers in [0, 2^32), got ${keyHigh}, ${keyLow}`,
    );
  }
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS) {
    throw new HashingError(
      "invalid-argument",
      `jumpConsistentHash: buckets must be an integer in [1, 2^31 - 1], got ${buckets}`,
    );
  }
  return jumpBucket(keyHigh, keyLow, buckets);
}

function isUint32(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
}

/**
 * The 64-bit jump key this package derives from a 32-bit key hash: high half the hash, low half a bijective
 * mix of it. @internal
 */
export function jumpLowHalf(hash32: number): number {
  return fmix32(hash32 ^ 0x9e3779b9);
}
