/**
 * What a multi-leader store does with concurrent writes to the same key.
 * @module
 */
import type { Crdt, CrdtType } from "@distkit/crdt";
import { ReplicationError } from "./errors.js";
import type { JsonValue } from "./json-value.js";

/**
 * A CRDT value type for the `crdt` policy: the `@distkit/crdt` type, and how a client operation
 * (JSON data, e.g. `{ "add": "x" }`) mutates a state, returning the delta to replicate.
 *
 * @example
 * ```ts
 * import { PNCounter } from "@distkit/crdt";
 * import type { CrdtValueType } from "@distkit/replication";
 * const counter: CrdtValueType<PNCounter> = {
 *   type: PNCounter.type(),
 *   apply: (state, op) => (typeof op === "number" && op < 0 ? state.decrement(-op) : state.increment(Number(op))),
 * };
 * ```
 */
export interface CrdtValueType<C extends Crdt<unknown, unknown>> {
  /** The CRDT type (create and decode). */
  readonly type: CrdtType<C>;
  /** Applies `op` to `state` (mutating it) and returns the delta to send to other replicas. */
  apply(state: C, op: JsonValue): C;
}

/**
 * A conflict policy.
 *
 * - `lww`: last write wins by hybrid logical clock timestamp, ties broken by leader id; overwritten
 *   concurrent writes are counted as lost updates.
 * - `siblings`: version vectors detect concurrency; concurrent values are all kept (siblings)
 *   until a write that has seen them replaces them.
 * - `merge`: like `siblings`, but reads return `merge(siblings)` (siblings in a deterministic order).
 * - `crdt`: each key holds a CRDT; changes are deltas merged with the CRDT's join.
 *
 * @example
 * ```ts
 * import type { ConflictPolicy } from "@distkit/replication";
 * const lww: ConflictPolicy = { kind: "lww" };
 * const union: ConflictPolicy = { kind: "merge", merge: (vs) => [...new Set(vs.flatMap((v) => (Array.isArray(v) ? v : [v])))].sort() };
 * ```
 */
export type ConflictPolicy =
  | { readonly kind: "lww" }
  | { readonly kind: "siblings" }
  | { readonly kind: "merge"; readonly merge: (siblings: readonly JsonValue[]) => JsonValue }
  | { readonly kind: "crdt"; readonly crdt: CrdtValueType<Crdt<unknown, unknown>> };

/**
 * Checks a conflict policy; throws {@link ReplicationError} (`unknown-conflict-policy` or
 * `invalid-config`) when it is malformed.
 *
 * @example
 * ```ts
 * import { validateConflictPolicy } from "@distkit/replication";
 * validateConflictPolicy({ kind: "lww" });
 * ```
 */
export function validateConflictPolicy(policy: ConflictPolicy): void {
  const p = policy as { kind?: unknown; merge?: unknown; crdt?: { type?: unknown; apply?: unknown } };
  switch (policy.kind) {
    case "lww":
    case "siblings":
      return;
    case "merge":
      if (typeof p.merge !== "function") {
        throw new ReplicationError("invalid-config", "a merge policy needs merge: (siblings) => value");
      }
      return;
    case "crdt":
      if (
        typeof p.crdt !== "object" ||
        p.crdt === null ||
        typeof p.crdt.apply !== "function" ||
        typeof p.crdt.type !== "object"
      ) {
        throw new ReplicationError(
          "invalid-config",
          "a crdt policy needs crdt: { type: CrdtType, apply: (state, op) => delta }",
        );
      }
      return;
    default:
      throw new ReplicationError(
        "unknown-conflict-policy",
        `unknown conflict policy ${JSON.stringify(p.kind)}; accepted: "lww", "siblings", "merge", "crdt"`,
      );
  }
}
