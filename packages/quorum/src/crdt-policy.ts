import { canonicalJson } from "./canonical-json.js";
import { QuorumError } from "./errors.js";
import type { Json } from "./json.js";
import type { CausalContext, ReadView, VersioningPolicy, WriteIntent } from "./versioning.js";

/**
 * A state-based CRDT as the store needs it: states are JSON data and `merge` is a join. Adapt a
 * `@distkit/crdt` type by encoding its state to JSON (see the package README).
 *
 * @example
 * ```ts
 * import type { JsonCrdt } from "@distkit/quorum";
 * type GCounter = { readonly [replica: string]: number };
 * const gcounter: JsonCrdt<GCounter> = {
 *   name: "g-counter",
 *   merge: (a, b) => {
 *     const out: Record<string, number> = { ...a };
 *     for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
 *     return out;
 *   },
 *   value: (s) => Object.values(s).reduce((x, y) => x + y, 0),
 *   isState: (j): j is GCounter => typeof j === "object" && j !== null && !Array.isArray(j),
 * };
 * ```
 */
export interface JsonCrdt<S extends Json> {
  /** A name for messages and errors. */
  readonly name: string;
  /** Join of two states (commutative, associative, idempotent). */
  merge(a: S, b: S): S;
  /** The value a read returns for a state. */
  value(state: S): Json;
  /** Validates a client-written JSON value as a state (or delta) of this type. */
  isState(value: Json): value is S;
}

/**
 * Versioning by CRDT merge: every write carries a state (or delta) of the CRDT, replicas merge it into
 * theirs, and reads merge replica states: no siblings, no losses. Deletes are not supported (use the
 * CRDT's own remove operations); a delete request throws `QuorumError` `invalid-request`.
 *
 * @example
 * ```ts
 * import { crdtPolicy, type JsonCrdt } from "@distkit/quorum";
 * declare const gcounter: JsonCrdt<{ readonly [r: string]: number }>;
 * const policy = crdtPolicy(gcounter);
 * ```
 */
export function crdtPolicy<S extends Json>(type: JsonCrdt<S>): VersioningPolicy<S> {
  return {
    kind: "crdt",
    coordinatorMustBeReplica: false,
    write(_local: S | undefined, intent: WriteIntent): S {
      if (intent.deleted) {
        throw new QuorumError(
          "invalid-request",
          `deletes are not supported by the CRDT policy (${type.name}); write a state that removes the element instead`,
        );
      }
      if (!type.isState(intent.value)) {
        throw new QuorumError(
          "invalid-request",
          `value ${canonicalJson(intent.value).slice(0, 60)} is not a ${type.name} state; write a state or delta of that type`,
        );
      }
      return intent.value;
    },
    merge(a: S, b: S): S {
      return type.merge(a, b);
    },
    descends(a: S, b: S): boolean {
      return canonicalJson(type.merge(a, b)) === canonicalJson(a);
    },
    read(state: S): ReadView {
      return { values: [type.value(state)], context: "" };
    },
    isTombstone(): boolean {
      return false;
    },
    digest(state: S): string {
      return canonicalJson(state);
    },
    validateContext(context: CausalContext): void {
      if (typeof context !== "string") {
        throw new QuorumError(
          "malformed-context",
          "a causal context must be a string (CRDT stores ignore it)",
        );
      }
    },
  };
}

/**
 * A state-based CRDT class of `@distkit/crdt` (what its `Crdt` interface provides and this adapter uses).
 *
 * @example
 * ```ts
 * import { PNCounter } from "@distkit/crdt";
 * import type { DistkitCrdt } from "@distkit/quorum";
 * const c: DistkitCrdt = new PNCounter("n1");
 * ```
 */
export interface DistkitCrdt {
  /** The observable value. */
  value(): unknown;
  /** Join in place. */
  merge(other: never): unknown;
  /** Deterministic encoding. */
  encode(): Uint8Array;
}

const HEX = "0123456789abcdef";

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += HEX[b >>> 4] + (HEX[b & 15] as string);
  return out;
}

function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function plainValue(v: unknown): Json {
  if (v instanceof Set)
    return [...v].map(plainValue).sort((a, b) => (canonicalJson(a) < canonicalJson(b) ? -1 : 1));
  if (v instanceof Map) {
    const out: Record<string, Json> = {};
    for (const [k, x] of v) out[String(k)] = plainValue(x);
    return out;
  }
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(plainValue);
  if (v === undefined) return null;
  if (v !== null && typeof v === "object") {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plainValue(x);
    return out;
  }
  return v as Json;
}

/**
 * Adapts a `@distkit/crdt` type (PNCounter, ORSet, LWWMap, ...) to a {@link JsonCrdt}: states travel as the
 * hex of their deterministic `encode()` bytes, merges decode, join and re-encode, and reads return the
 * value as JSON (sets become sorted arrays, maps objects). Clients write the hex encoding of a state or
 * delta (`toHex(delta.encode())`, see the README).
 *
 * @example
 * ```ts
 * import { PNCounter } from "@distkit/crdt";
 * import { crdtPolicy, fromDistkitCrdt } from "@distkit/quorum";
 * const policy = crdtPolicy(fromDistkitCrdt(PNCounter.type()));
 * ```
 */
export function fromDistkitCrdt<C extends DistkitCrdt>(type: {
  readonly kind: string;
  decode(bytes: Uint8Array, replicaId: string): C;
}): JsonCrdt<string> {
  const decode = (s: string): C => {
    const bytes = fromHex(s);
    if (bytes === null)
      throw new QuorumError("invalid-request", `a ${type.kind} state must be hex-encoded bytes`);
    return type.decode(bytes, "store");
  };
  return {
    name: type.kind,
    merge(a: string, b: string): string {
      const x = decode(a);
      x.merge(decode(b) as never);
      return toHex(x.encode());
    },
    value(state: string): Json {
      return plainValue(decode(state).value());
    },
    isState(value: Json): value is string {
      if (typeof value !== "string" || fromHex(value) === null) return false;
      try {
        decode(value);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Hex encoding of CRDT state bytes, the form {@link fromDistkitCrdt} stores expect in writes.
 *
 * @example
 * ```ts
 * import { PNCounter } from "@distkit/crdt";
 * import { crdtHex } from "@distkit/quorum";
 * const c = new PNCounter("client-1");
 * const delta = c.increment(5);
 * crdtHex(delta.encode()); // write this value
 * ```
 */
export function crdtHex(bytes: Uint8Array): string {
  return toHex(bytes);
}
