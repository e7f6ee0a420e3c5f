import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { HashingError, murmur3_128 } from "../src/index.js";

const M64 = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;
const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & M64;
const fmix = (k: bigint) => {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & M64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & M64;
  return k ^ (k >> 33n);
};
const le64 = (b: Uint8Array, i: number, n = 8) => {
  let x = 0n;
  for (let j = n - 1; j >= 0; j--) x = (x << 8n) | BigInt(b[i + j]!);
  return x;
};
const hexLe = (x: bigint) => {
  let s = "";
  for (let j = 0; j < 8; j++)
    s += Number((x >> BigInt(8 * j)) & 0xffn)
      .toString(16)
      .padStart(2, "0");
  return s;
};

/** An independent BigInt transcription of SMHasher's MurmurHash3_x64_128. */
function reference(b: Uint8Array, seed: number): string {
  let h1 = BigInt(seed);
  let h2 = BigInt(seed);
  const blocks = Math.floor(b.length / 16);
  for (let i = 0; i < blocks; i++) {
    let k1 = le64(b, i * 16);
    let k2 = le64(b, i * 16 + 8);
    k1 = (rotl((k1 * C1) & M64, 31n) * C2) & M64;
    h1 ^= k1;
    h1 = (((rotl(h1, 27n) + h2) & M64) * 5n + 0x52dce729n) & M64;
    k2 = (rotl((k2 * C2) & M64, 33n) * C1) & M64;
    h2 ^= k2;
    h2 = (((rotl(h2, 31n) + h1) & M64) * 5n + 0x38495ab5n) & M64;
  }
  const tail = b.length % 16;
  const t = blocks * 16;
  if (tail > 8) h2 ^= (rotl((le64(b, t + 8, tail - 8) * C2) & M64, 33n) * C1) & M64;
  if (tail > 0) h1 ^= (rotl((le64(b, t, Math.min(tail, 8)) * C1) & M64, 31n) * C2) & M64;
  h1 ^= BigInt(b.length);
  h2 ^= BigInt(b.length);
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  return hexLe(h1) + hexLe(h2);
}

describe("murmur3_128 (x64 128-bit)", () => {
  it("matches the published vectors", () => {
    // Guava's Murmur3_128HashFunctionTest.
    expect(murmur3_128("The quick brown fox jumps over the lazy dog")).toBe(
      "6c1b07bc7bbc4be347939ac4a93c437a",
    );
    expect(murmur3_128("")).toBe("00000000000000000000000000000000");
  });

  test.prop([fc.uint8Array({ maxLength: 70 }), fc.integer({ min: 0, max: 0xffffffff })], { numRuns: 300 })(
    "is bit-exact with a BigInt transcription of the reference, for every tail length",
    (bytes, seed) => {
      expect(murmur3_128(bytes, seed)).toBe(reference(bytes, seed));
    },
  );

  it("hashes strings as UTF-8 and validates the seed", () => {
    expect(murmur3_128("héllo", 9)).toBe(murmur3_128(new TextEncoder().encode("héllo"), 9));
    expect(() => murmur3_128("x", -1)).toThrow(HashingError);
  });
});
