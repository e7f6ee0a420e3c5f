import { DecodeError } from "./errors.js";

/**
 * How values stored next to clocks (for example DVVSet siblings) are turned into bytes and back.
 * `decode` should throw on malformed input; any error it throws is reported as a {@link DecodeError}.
 *
 * @example
 * ```ts
 * import type { ValueCodec } from "@distkit/clocks";
 * const utf8: ValueCodec<string> = {
 *   encode: (s) => new TextEncoder().encode(s),
 *   decode: (b) => new TextDecoder("utf-8", { fatal: true }).decode(b),
 * };
 * ```
 */
export interface ValueCodec<V> {
  /** Serialises one value. */
  encode(value: V): Uint8Array;
  /** Parses bytes produced by `encode`; throws on malformed input. */
  decode(bytes: Uint8Array): V;
}

/**
 * A {@link ValueCodec} for JSON-serialisable values (UTF-8 JSON text).
 *
 * @example
 * ```ts
 * import { DVVSet, jsonValueCodec } from "@distkit/clocks";
 * const codec = jsonValueCodec<{ cart: string[] }>();
 * const s = DVVSet.new({ cart: ["milk"] }).update("r1");
 * DVVSet.decode(s.encode(codec), codec).values(); // [{ cart: ["milk"] }]
 * ```
 */
export function jsonValueCodec<V>(): ValueCodec<V> {
  const enc = new TextEncoder();
  const dec = new TextDecoder("utf-8", { fatal: true });
  return {
    encode: (value) => enc.encode(JSON.stringify(value)),
    decode: (bytes) => JSON.parse(dec.decode(bytes)) as V,
  };
}

/** Internal: runs a user decoder, reporting its failures as DecodeError. */
export function decodeValue<V>(codec: ValueCodec<V>, bytes: Uint8Array, at: number, what: string): V {
  try {
    return codec.decode(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(
      "decode-invalid",
      `${what}: the value codec rejected a value (${e instanceof Error ? e.message : String(e)})`,
      at,
    );
  }
}
