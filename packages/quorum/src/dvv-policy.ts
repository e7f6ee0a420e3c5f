import { ClocksError, DVVSet, type DVVSetJSON, VersionVector } from "@distkit/clocks";
import { canonicalJson } from "./canonical-json.js";
import { QuorumError } from "./errors.js";
import type { Json } from "./json.js";
import type { CausalContext, ReadView, VersioningPolicy, WriteIntent } from "./versioning.js";

/**
 * A value kept in a DVV sibling set: a live value `{ v }` or a tombstone `{ d: true }`.
 *
 * @example
 * ```ts
 * import type { DvvValue } from "@distkit/quorum";
 * const live: DvvValue = { v: "cart-1" };
 * const deleted: DvvValue = { d: true };
 * ```
 */
export type DvvValue = { readonly v: Json } | { readonly d: true };

/**
 * Replica state under DVV versioning: the JSON form of a `@distkit/clocks` {@link DVVSet} (histories plus
 * the sibling values still alive).
 *
 * @example
 * ```ts
 * import type { DvvState } from "@distkit/quorum";
 * const s: DvvState = { entries: [["n1", 1, [{ v: "a" }]]], anonymous: [] };
 * ```
 */
export type DvvState = DVVSetJSON<DvvValue> & { readonly [extra: string]: Json };

const valueEquals = (a: DvvValue, b: DvvValue): boolean => canonicalJson(a) === canonicalJson(b);

function toSet(state: DvvState): DVVSet<DvvValue> {
  return DVVSet.fromJSON<DvvValue>(state);
}

function toState(set: DVVSet<DvvValue>): DvvState {
  return set.toJSON() as DvvState;
}

/** Decodes a causal context string (the JSON of a version vector) or throws `malformed-context`. */
function decodeContext(context: CausalContext): VersionVector {
  if (context === "") return VersionVector.empty();
  const accepted =
    'accepted: "" or the context string a read returned (a JSON version vector such as {"n1":2})';
  let parsed: unknown;
  try {
    parsed = JSON.parse(context);
  } catch {
    throw new QuorumError("malformed-context", `causal context is not JSON; ${accepted}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new QuorumError("malformed-context", `causal context is not a JSON object; ${accepted}`);
  }
  try {
    return VersionVector.fromJSON(parsed as Record<string, number>);
  } catch (e) {
    if (e instanceof ClocksError)
      throw new QuorumError("malformed-context", `causal context rejected: ${e.message}; ${accepted}`);
    throw e;
  }
}

/**
 * Riak-style versioning with dotted version vector sets (`@distkit/clocks` {@link DVVSet}): the coordinator
 * (always a replica) gives each write a dot; a write replaces exactly the versions its causal context
 * covers, and concurrent writes are kept as siblings that a read returns together with a context. The next
 * write with that context resolves them. Deletes are tombstone siblings, collected after a grace period.
 *
 * @example
 * ```ts
 * import { dvvPolicy } from "@distkit/quorum";
 * const dvv = dvvPolicy();
 * const a = dvv.write(undefined, { value: "a", deleted: false, context: "", coordinator: "n1", timestampMs: 0 });
 * const b = dvv.write(a, { value: "b", deleted: false, context: "", coordinator: "n1", timestampMs: 0 });
 * dvv.read(b).values; // ["b", "a"]: a blind write is concurrent with "a"
 * ```
 */
export function dvvPolicy(): VersioningPolicy<DvvState> {
  return {
    kind: "dvv",
    coordinatorMustBeReplica: true,
    write(local: DvvState | undefined, intent: WriteIntent): DvvState {
      const value: DvvValue = intent.deleted ? { d: true } : { v: intent.value };
      const client = DVVSet.new<DvvValue>(value, decodeContext(intent.context));
      return toState(client.update(intent.coordinator, local === undefined ? undefined : toSet(local)));
    },
    merge(a: DvvState, b: DvvState): DvvState {
      return toState(toSet(a).sync(toSet(b), valueEquals));
    },
    descends(a: DvvState, b: DvvState): boolean {
      const sa = toSet(a);
      const sb = toSet(b);
      return sb.less(sa) || sb.equal(sa);
    },
    read(state: DvvState): ReadView {
      const set = toSet(state);
      const values: Json[] = [];
      for (const v of set.values()) if ("v" in v) values.push(v.v);
      return { values, context: JSON.stringify(set.join().toJSON()) };
    },
    isTombstone(state: DvvState): boolean {
      const values = toSet(state).values();
      return values.length > 0 && values.every((v) => "d" in v);
    },
    digest(state: DvvState): string {
      return canonicalJson(state);
    },
    validateContext(context: CausalContext): void {
      if (typeof context !== "string") {
        throw new QuorumError(
          "malformed-context",
          'a causal context must be the string a read returned, or ""',
        );
      }
      decodeContext(context);
    },
  };
}
