/**
 * Seeded pseudo-random streams (sfc32 seeded through splitmix32) and string hashing.
 *
 * @module
 */
import type { Random } from "./contract.js";
import { SimNetError, assertProbability } from "./errors.js";

const TWO_POW_32 = 4294967296;

/**
 * 32-bit FNV-1a hash of a string's UTF-16 code units.
 *
 * @example
 * ```ts
 * const h = fnv1a32("n1"); // a uint32
 * ```
 */
export function fnv1a32(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** One splitmix32 step: a well-mixed uint32 from a uint32 state. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Derives an independent 32-bit stream seed from a simulation seed and a stream name (a node id,
 * "network", ...). Streams with different names do not depend on each other.
 *
 * @example
 * ```ts
 * const seed = deriveSeed(42, "n1");
 * const random = new SeededRandom(seed);
 * ```
 */
export function deriveSeed(seed: number, streamName: string): number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new SimNetError("invalid-argument", `seed must be a safe integer, got ${String(seed)}`);
  }
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  return splitmix32(splitmix32(low ^ splitmix32(high)) ^ fnv1a32(streamName));
}

/**
 * A small, fast, seeded generator (sfc32) implementing the node contract's {@link Random}.
 *
 * @example
 * ```ts
 * const random = new SeededRandom(7);
 * random.next(); // a float in [0, 1)
 * random.int(150, 300); // an integer in [150, 300)
 * random.chance(0.1); // true about one time in ten
 * ```
 */
export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @param seed - any safe integer; equal seeds give equal streams */
  constructor(seed: number) {
    if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
      throw new SimNetError("invalid-argument", `seed must be a safe integer, got ${String(seed)}`);
    }
    const s0 = seed >>> 0;
    const s1 = Math.floor(seed / TWO_POW_32) >>> 0;
    this.a = splitmix32(s0);
    this.b = splitmix32(this.a ^ s1);
    this.c = splitmix32(this.b);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next uint32 of the stream. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float uniformly drawn from [0, 1). */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** An integer uniformly drawn from [minInclusive, maxExclusive); both must be safe integers. */
  int(minInclusive: number, maxExclusive: number): number {
    if (
      !Number.isSafeInteger(minInclusive) ||
      !Number.isSafeInteger(maxExclusive) ||
      maxExclusive <= minInclusive
    ) {
      throw new SimNetError(
        "invalid-argument",
        `random.int(min, max) needs safe integers with min < max, got (${String(minInclusive)}, ${String(maxExclusive)})`,
      );
    }
    return minInclusive + Math.floor(this.next() * (maxExclusive - minInclusive));
  }

  /** `true` with the given probability in [0, 1]. */
  chance(probability: number): boolean {
    assertProbability(probability, "random.chance(probability)");
    if (probability === 0) return false;
    if (probability === 1) return true;
    return this.next() < probability;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new SimNetError("invalid-argument", "random.pick(items) needs a non-empty array, got []");
    }
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A standard normal variate (Box-Muller; consumes two draws). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
