import { DecodeError, invalidArgument } from "./errors.js";

/**
 * A JSON value: what CRDT elements, register values and map values may hold.
 *
 * @example
 * ```ts
 * import type { JsonValue } from "@distkit/crdt";
 * const v: JsonValue = { sku: "milk", tags: ["dairy"] };
 * ```
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * Identifier of a replica (any non-empty string, unique per replica; never reuse one after losing state).
 *
 * @example
 * ```ts
 * import type { ReplicaId } from "@distkit/crdt";
 * const me: ReplicaId = "phone-1";
 * ```
 */
export type ReplicaId = string;

/**
 * Canonical JSON text of a value (object keys sorted), used as an identity key for set elements.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "@distkit/crdt";
 * canonicalJson({ b: 1, a: 2 }); // '{"a":2,"b":1}'
 * ```
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) invalidArgument(`JSON numbers must be finite, got ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly JsonValue[]).map(canonicalJson).join(",")}]`;
  }
  if (typeof value === "object") {
    const obj = value as { readonly [key: string]: JsonValue };
    const keys = Object.keys(obj).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k] as JsonValue)}`).join(",")}}`;
  }
  return invalidArgument(
    `expected a JSON value (null, boolean, finite number, string, array, object), got ${typeof value}`,
  );
}

/** Validates a replica id. @internal */
export function checkReplicaId(replicaId: unknown): asserts replicaId is ReplicaId {
  if (typeof replicaId !== "string" || replicaId.length === 0) {
    invalidArgument(`replicaId must be a non-empty string, got ${JSON.stringify(replicaId)}`);
  }
}

/** Compares strings by code unit, deterministic across platforms. @internal */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** Encodes a tagged JSON document to UTF-8. @internal */
export function encodeJsonDoc(kind: string, body: Record<string, unknown>): Uint8Array {
  return textEncoder.encode(JSON.stringify({ t: kind, v: 1, ...body }));
}

/** Decodes a tagged JSON document and checks its kind and version. @internal */
export function decodeJsonDoc(bytes: Uint8Array, kind: string): Record<string, unknown> {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError(`expected a Uint8Array for ${kind}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(textDecoder.decode(bytes));
  } catch {
    throw new DecodeError(`${kind}: input is not UTF-8 JSON (as produced by encode())`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new DecodeError(`${kind}: expected a JSON object`);
  }
  const doc = parsed as Record<string, unknown>;
  if (doc["t"] !== kind) throw new DecodeError(`expected kind "${kind}", got ${JSON.stringify(doc["t"])}`);
  if (doc["v"] !== 1)
    throw new DecodeError(`${kind}: unsupported format version ${JSON.stringify(doc["v"])}, expected 1`);
  return doc;
}

/** Field access helpers for decoders. @internal */
export function field(doc: Record<string, unknown>, name: string, kind: string): unknown {
  if (!(name in doc)) throw new DecodeError(`${kind}: missing field "${name}"`);
  return doc[name];
}

/** @internal */
export function asArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new DecodeError(`${what}: expected an array`);
  return v;
}

/** @internal */
export function asString(v: unknown, what: string): string {
  if (typeof v !== "string") throw new DecodeError(`${what}: expected a string`);
  return v;
}

/** @internal */
export function asReplicaId(v: unknown, what: string): string {
  if (typeof v !== "string" || v.length === 0)
    throw new DecodeError(`${what}: expected a non-empty replica id`);
  return v;
}

/** @internal */
export function asNat(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new DecodeError(`${what}: expected a non-negative safe integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** @internal */
export function asBool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") throw new DecodeError(`${what}: expected a boolean`);
  return v;
}

/** Validates that a decoded value is JSON (always true for JSON.parse output, but checks numbers). @internal */
export function asJson(v: unknown, what: string): JsonValue {
  if (v === undefined) throw new DecodeError(`${what}: missing value`);
  return v as JsonValue;
}

/** Deep-freezes nothing; checks that a value given by a caller is JSON and returns its canonical key. @internal */
export function jsonKey(value: JsonValue, what: string): string {
  if (value === undefined) invalidArgument(`${what} must be a JSON value, got undefined`);
  return canonicalJson(value);
}

/** Byte-wise equality. @internal */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Map<string, number>([...B64].map((c, i) => [c, i]));

/** Base64 encoding (used to nest binary child states inside JSON). @internal */
export function toBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] as number;
    const b1 = i + 1 < bytes.length ? (bytes[i + 1] as number) : 0;
    const b2 = i + 2 < bytes.length ? (bytes[i + 2] as number) : 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    out += B64[(n >> 18) & 63];
    out += B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? B64[n & 63] : "=";
  }
  return out;
}

/** Base64 decoding; throws DecodeError on malformed input. @internal */
export function fromBase64(text: string, what: string): Uint8Array {
  if (text.length % 4 !== 0) throw new DecodeError(`${what}: base64 length must be a multiple of 4`);
  let pad = 0;
  if (text.endsWith("==")) pad = 2;
  else if (text.endsWith("=")) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text[i + j] as string;
      let d: number | undefined;
      if (c === "=" && i + 4 === text.length && j >= 4 - pad) d = 0;
      else d = B64_INDEX.get(c);
      if (d === undefined) throw new DecodeError(`${what}: invalid base64 character ${JSON.stringify(c)}`);
      n = (n << 6) | d;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
