import { HashingError } from "./errors.js";
/**
 * UTF-8 encoding into a reusable scratch buffer, so that hashing a string allocates nothing per call.
 * Lone surrogates encode as U+FFFD, exactly as `TextEncoder` does, so every platform hashes the same bytes.
 * @internal
 */

const scratch = { bytes: new Uint8Array(256) };

/** Largest string (in UTF-16 code units) accepted for hashing: 64 MiB of UTF-8 at worst. */
const MAX_STRING_UNITS = 1 << 24;

/**
 * Encodes `s` as UTF-8 into the shared scratch buffer and returns the number of bytes written. The buffer is
 * valid until the next call; read it with {@link scratchBytes}.
 * @internal
 */
export function encodeUtf8Scratch(s: string): number {
  const units = s.length;
  if (units > MAX_STRING_UNITS) {
    throw new HashingError(
      "invalid-key",
      `string too long to hash: ${units} UTF-16 units, at most ${MAX_STRING_UNITS} accepted`,
    );
  }
  let out = scratch.bytes;
  if (out.length < units * 3) {
    out = new Uint8Array(Math.max(units * 3, out.length * 2));
    scratch.bytes = out;
  }
  let n = 0;
  for (let i = 0; i < units; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >>> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // Surrogate: a valid pair is one 4-byte code point; a lone one becomes U+FFFD.
      const next = i + 1 < units ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out[n++] = 0xf0 | (c >>> 18);
        out[n++] = 0x80 | ((c >>> 12) & 0x3f);
        out[n++] = 0x80 | ((c >>> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
      } else {
        out[n++] = 0xef;
        out[n++] = 0xbf;
        out[n++] = 0xbd;
      }
    } else {
      out[n++] = 0xe0 | (c >>> 12);
      out[n++] = 0x80 | ((c >>> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

/** The scratch buffer last written by {@link encodeUtf8Scratch}. @internal */
export function scratchBytes(): Uint8Array {
  return scratch.bytes;
}
