import { encodeUtf8Scratch, scratchBytes } from "./utf8.js";

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

function crc16Bytes(b: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ b[i]!) & 0xff]!;
  return crc;
}

/**
 * CRC16-CCITT in its XMODEM form (polynomial 0x1021, initial value 0, no reflection, no final xor): the
 * checksum Redis Cluster uses to map keys to slots. `crc16("123456789") === 0x31c3`.
 *
 * @param input - a string (hashed as UTF-8) or bytes
 * @returns the checksum, an integer in [0, 65535]
 *
 * @example
 * ```ts
 * import { crc16 } from "@distkit/hashing";
 * crc16("123456789").toString(16); // "31c3"
 * ```
 */
export function crc16(input: string | Uint8Array): number {
  if (typeof input === "string") {
    const n = encodeUtf8Scratch(input);
    return crc16Bytes(scratchBytes(), 0, n);
  }
  return crc16Bytes(input, 0, input.length);
}

/**
 * Number of hash slots in a Redis Cluster.
 *
 * @example
 * ```ts
 * import { REDIS_SLOT_COUNT, redisHashSlot } from "@distkit/hashing";
 * redisHashSlot("user:{42}:cart") < REDIS_SLOT_COUNT; // true
 * ```
 */
export const REDIS_SLOT_COUNT = 16384;

/**
 * The Redis Cluster hash slot of a key: `crc16(k) mod 16384`, where `k` is the whole key unless the key has a
 * hash tag. A hash tag is the text between the first `{` and the first `}` after it, when that text is not
 * empty; then only the tag is hashed, so `{user1000}.following` and `{user1000}.followers` share a slot.
 *
 * @param key - the key (its UTF-8 bytes are hashed, as Redis hashes the key's bytes)
 * @returns the slot, an integer in [0, 16383]
 *
 * @example
 * ```ts
 * import { redisHashSlot } from "@distkit/hashing";
 * redisHashSlot("{user1000}.following") === redisHashSlot("{user1000}.followers"); // true
 * redisHashSlot("123456789"); // 0x31c3 % 16384 = 12739
 * ```
 */
export function redisHashSlot(key: string | Uint8Array): number {
  let b: Uint8Array;
  let n: number;
  if (typeof key === "string") {
    n = encodeUtf8Scratch(key);
    b = scratchBytes();
  } else {
    b = key;
    n = key.length;
  }
  let open = -1;
  for (let i = 0; i < n; i++) {
    if (b[i] === 0x7b) {
      open = i;
      break;
    }
  }
  if (open >= 0) {
    for (let i = open + 1; i < n; i++) {
      if (b[i] === 0x7d) {
        if (i > open + 1) return crc16Bytes(b, open + 1, i) & (REDIS_SLOT_COUNT - 1);
        break;
      }
    }
  }
  return crc16Bytes(b, 0, n) & (REDIS_SLOT_COUNT - 1);
}

/**
 * The part of a key that Redis Cluster hashes: the hash tag (text between the first `{` and the next `}`)
 * when present and non-empty, otherwise the whole key.
 *
 * @param key - the key
 * @returns the hashed part
 *
 * @example
 * ```ts
 * import { redisHashTag } from "@distkit/hashing";
 * redisHashTag("{user1000}.following"); // "user1000"
 * redisHashTag("foo{}{bar}"); // "foo{}{bar}" (the first tag is empty, so the whole key is hashed)
 * ```
 */
export function redisHashTag(key: string): string {
  const open = key.indexOf("{");
  if (open < 0) return key;
  const close = key.indexOf("}", open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}
