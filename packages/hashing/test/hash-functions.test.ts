import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  crc16,
  HashingError,
  jumpConsistentHash,
  murmur3_32,
  REDIS_SLOT_COUNT,
  redisHashSlot,
  redisHashTag,
  xxhash32,
} from "../src/index.js";

const bytes = (...b: number[]) => new Uint8Array(b);
const utf8 = (s: string) => new TextEncoder().encode(s);

describe("murmur3_32 (x86 32-bit)", () => {
  // SMHasher-derived vectors, as published in the "MurmurHash3 test vectors" answer on Stack Overflow.
  const vectors: [Uint8Array | string, number, number][] = [
    [bytes(), 0, 0],
    [bytes(), 1, 0x514e28b7],
    [bytes(), 0xffffffff, 0x81f16f39],
    [bytes(0xff, 0xff, 0xff, 0xff), 0, 0x76293b50],
    [bytes(0x21, 0x43, 0x65, 0x87), 0, 0xf55b516b],
    [bytes(0x21, 0x43, 0x65, 0x87), 0x5082edee, 0x2362f9de],
    [bytes(0x21, 0x43, 0x65), 0, 0x7e4a8634],
    [bytes(0x21, 0x43), 0, 0xa0f7b07a],
    [bytes(0x21), 0, 0x72661cf4],
    [bytes(0, 0, 0, 0), 0, 0x2362f9de],
    [bytes(0, 0, 0), 0, 0x85f0b427],
    [bytes(0, 0), 0, 0x30f4c306],
    [bytes(0), 0, 0x514e28b7],
    ["", 0, 0],
    ["aaaa", 0x9747b28c, 0x5a97808a],
    ["aaa", 0x9747b28c, 0x283e0130],
    ["aa", 0x9747b28c, 0x5d211726],
    ["a", 0x9747b28c, 0x7fa09ea6],
    ["abcd", 0x9747b28c, 0xf0478627],
    ["abc", 0x9747b28c, 0xc84a62dd],
    ["ab", 0x9747b28c, 0x74875592],
    ["Hello, world!", 0x9747b28c, 0x24884cba],
    ["ππππππππ", 0x9747b28c, 0xd58063c1],
    ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
  ];
  it.each(vectors)("vector %#", (input, seed, expected) => {
    expect(murmur3_32(input, seed)).toBe(expected);
  });

  it("hello with seed 0 is 0x248bfa47", () => {
    expect(murmur3_32("hello")).toBe(0x248bfa47);
  });

  it("rejects seeds that are not unsigned 32-bit integers", () => {
    for (const seed of [-1, 2 ** 32, 1.5, Number.NaN]) {
      expect(() => murmur3_32("x", seed)).toThrow(HashingError);
    }
  });

  test.prop([fc.string({ unit: "binary", maxLength: 40 }), fc.integer({ min: 0, max: 0xffffffff })], {
    numRuns: 200,
  })("a string hashes exactly as its UTF-8 bytes (TextEncoder), lone surrogates included", (s, seed) => {
    expect(murmur3_32(s, seed)).toBe(murmur3_32(utf8(s), seed));
    expect(xxhash32(s, seed)).toBe(xxhash32(utf8(s), seed));
    expect(crc16(s)).toBe(crc16(utf8(s)));
  });

  it("long strings grow the scratch buffer and still match", () => {
    const s = "ü".repeat(5000) + "x";
    expect(murmur3_32(s, 7)).toBe(murmur3_32(utf8(s), 7));
  });
});

describe("xxhash32", () => {
  // Vectors from the xxHash reference (XXH32) as used by several independent ports' test suites.
  const vectors: [string, number, number][] = [
    ["", 0, 0x02cc5d05],
    ["", 0x12345678, 0xbd209070],
    ["", 2654435761, 0x36b78ae7],
    ["a", 0, 0x550d7456],
    ["abc", 0, 0x32d153ff],
    ["ABC", 0, 0x80712ed5],
    ["0", 0, 0x48454cb2],
    ["0", 0x12345678, 0xf53c91ba],
    ["01", 0, 0x034d0471],
    ["012", 0, 0x48009497],
    ["0123", 0, 0x0a0b4c93],
    ["0123", 0x12345678, 0x405c9efd],
    ["01234", 0, 0x8aa3b71c],
    ["012345", 0, 0x994e4577],
    ["test", 0, 0x3e2023cf],
    ["Nobody inspects the spammish repetition", 0, 0xe2293b2f],
  ];
  it.each(vectors)("xxhash32(%j, %d)", (input, seed, expected) => {
    expect(xxhash32(input, seed)).toBe(expected);
  });
});

describe("crc16 and Redis Cluster slots", () => {
  it("crc16 is CRC-16/XMODEM: check value of 123456789 is 0x31c3", () => {
    expect(crc16("123456789")).toBe(0x31c3);
    expect(crc16(bytes())).toBe(0);
  });

  it("matches the slots printed in the Redis documentation", () => {
    expect(redisHashSlot("somekey")).toBe(11058);
    expect(redisHashSlot("foo{hash_tag}")).toBe(2515);
    expect(redisHashSlot("bar{hash_tag}")).toBe(2515);
    expect(redisHashSlot("{user1}.following")).toBe(8106);
    expect(redisHashSlot("8xjx7vWrfPq54mKfFD3Y1CcjjofpnAcQ")).toBe(5458);
  });

  it("follows the hash tag rules of the Redis Cluster specification", () => {
    expect(redisHashTag("{user1000}.following")).toBe("user1000");
    expect(redisHashTag("foo{}{bar}")).toBe("foo{}{bar}");
    expect(redisHashTag("foo{{bar}}zap")).toBe("{bar");
    expect(redisHashTag("foo{bar}{zap}")).toBe("bar");
    expect(redisHashTag("no tag")).toBe("no tag");
    expect(redisHashTag("open{only")).toBe("open{only");
    expect(redisHashSlot("{user1000}.following")).toBe(redisHashSlot("{user1000}.followers"));
    expect(redisHashSlot("foo{}{bar}")).toBe(crc16("foo{}{bar}") % REDIS_SLOT_COUNT);
    expect(redisHashSlot("foo{{bar}}zap")).toBe(crc16("{bar") % REDIS_SLOT_COUNT);
  });

  test.prop([fc.string({ maxLength: 30 })], { numRuns: 200 })(
    "slot = crc16(hash tag or whole key) mod 16384, in range",
    (key) => {
      const slot = redisHashSlot(key);
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(REDIS_SLOT_COUNT);
      expect(slot).toBe(crc16(redisHashTag(key)) % REDIS_SLOT_COUNT);
      expect(redisHashSlot(utf8(key))).toBe(slot);
    },
  );
});

describe("jumpConsistentHash", () => {
  const split = (k: bigint) => [Number(k >> 32n), Number(k & 0xffffffffn)] as const;
  // ClickHouse's jumpConsistentHash test reference (00580_consistent_hashing_functions) and the Rust
  // jump_consistent_hash crate's documented examples.
  const vectors: [bigint, number, number][] = [
    [1n, 1, 0],
    [42n, 57, 43],
    [256n, 1024, 520],
    [3735883980n, 1, 0],
    [3735883980n, 666, 361],
    [16045690984833335023n, 255, 237],
    [0n, 60, 0],
    [1n, 60, 55],
    [2n, 60, 46],
  ];
  it.each(vectors)("jump(%s, %d) = %d", (key, buckets, expected) => {
    const [hi, lo] = split(key);
    expect(jumpConsistentHash(hi, lo, buckets)).toBe(expected);
  });

  // An independent BigInt transcription of the paper's C++ code.
  function reference(key: bigint, buckets: number): number {
    let b = -1n;
    let j = 0n;
    let k = key;
    while (j < BigInt(buckets)) {
      b = j;
      k = (k * 2862933555777941757n + 1n) & 0xffffffffffffffffn;
      j = BigInt(Math.floor(Number(b + 1n) * (2 ** 31 / Number((k >> 33n) + 1n))));
    }
    return Number(b);
  }

  test.prop([fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 1, max: 5000 })], {
    numRuns: 300,
  })("is bit-exact with a BigInt transcription of the reference", (key, buckets) => {
    const [hi, lo] = split(key);
    expect(jumpConsistentHash(hi, lo, buckets)).toBe(reference(key, buckets));
  });

  test.prop([fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 1, max: 2000 })], {
    numRuns: 300,
  })("monotone: growing by one bucket keeps the key or moves it to the new bucket", (key, buckets) => {
    const [hi, lo] = split(key);
    const before = jumpConsistentHash(hi, lo, buckets);
    const after = jumpConsistentHash(hi, lo, buckets + 1);
    expect(after === before || after === buckets).toBe(true);
  });

  it("rejects bad arguments with a typed error", () => {
    expect(() => jumpConsistentHash(0, 0, 0)).toThrow(HashingError);
    expect(() => jumpConsistentHash(-1, 0, 3)).toThrow(HashingError);
    expect(() => jumpConsistentHash(0, 2 ** 32, 3)).toThrow(HashingError);
    expect(() => jumpConsistentHash(0, 0, 1.5)).toThrow(HashingError);
  });
});

describe("UTF-8 edge cases", () => {
  it("a non-ASCII character after a long ASCII prefix switches to the encoder, growing its buffer", () => {
    const s = `${"x".repeat(3000)}é`;
    expect(murmur3_32(s, 3)).toBe(murmur3_32(utf8(s), 3));
    expect(murmur3_32("abcé")).toBe(murmur3_32(utf8("abcé")));
  });

  it("lone surrogates hash as U+FFFD, like TextEncoder", () => {
    expect(murmur3_32("\ud800")).toBe(murmur3_32(bytes(0xef, 0xbf, 0xbd)));
    expect(murmur3_32("a\udc00b")).toBe(murmur3_32(bytes(0x61, 0xef, 0xbf, 0xbd, 0x62)));
    expect(murmur3_32("😀")).toBe(murmur3_32(bytes(0xf0, 0x9f, 0x98, 0x80)));
  });
});
