/**
 * Client operations on a sharded store and their outcomes (plain data, sent in messages).
 * @module
 */
import { ShardingError } from "./errors.js";
import type { ShardId } from "./shard-map.js";

/**
 * An operation on the sharded key-value store. Single-key: `get`, `put`, `append`, `cas` (compare-and-set;
 * `expected: null` means "absent"), `delete`. Multi-key (`mget`, `mput`): every key must be in one range (give
 * them a common `{hash tag}`), else the request is rejected with `cross-shard`. `scan`: the keys in
 * `[start, end)` (key order) held by one shard, at most `limit` of them (the router scatters and gathers).
 *
 * @example
 * ```ts
 * import type { ShardOperation } from "@distkit/sharding";
 * const op: ShardOperation = { kind: "cas", key: "{user1}.cart", expected: null, value: "[]" };
 * ```
 */
export type ShardOperation =
  | { readonly kind: "get"; readonly key: string }
  | { readonly kind: "put"; readonly key: string; readonly value: string }
  | { readonly kind: "append"; readonly key: string; readonly value: string }
  | { readonly kind: "cas"; readonly key: string; readonly expected: string | null; readonly value: string }
  | { readonly kind: "delete"; readonly key: string }
  | { readonly kind: "mget"; readonly keys: readonly string[] }
  | { readonly kind: "mput"; readonly entries: readonly (readonly [string, string])[] }
  | {
      readonly kind: "scan";
      /** First position of the shard's part (the router fills it from its map). */
      readonly fromPosition: string;
      /** End position (exclusive) of the shard's part, `null` = unbounded. */
      readonly toPosition: string | null;
      readonly start: string;
      readonly end: string | null;
      readonly limit: number;
    };

/**
 * What a shard answers to an operation. `ok` carries the result; the others say why it was not executed:
 *
 * - `wrong-shard`: this shard does not own the key (Redis `MOVED`); `movedTo` is where it went if known.
 * - `stale-config`: the request was routed with an older epoch of the key's range than the shard's
 *   (MongoDB `StaleConfig`); `epoch` is the shard's.
 * - `migrating`: the key's range is in the critical section of a migration to `to` (Redis `ASK` for
 *   redirect-style clients); retry shortly.
 * - `cross-shard`: a multi-key request whose keys are not in one range.
 * - `stale-request`: a retry of a request older than the client's latest (a client bug).
 *
 * @example
 * ```ts
 * import type { ShardOutcome } from "@distkit/sharding";
 * const o: ShardOutcome = { kind: "ok", value: "1" };
 * ```
 */
export type ShardOutcome =
  | {
      readonly kind: "ok";
      /** get: the value; append: the new value; cas: the value now; put/delete: null. */
      readonly value: string | null;
      /** cas: whether the swap happened. */
      readonly swapped?: boolean;
      /** mget: the values, in request order. */
      readonly values?: readonly (string | null)[];
      /** scan: the (key, value) pairs in key order. */
      readonly entries?: readonly (readonly [string, string])[];
    }
  | { readonly kind: "wrong-shard"; readonly movedTo: ShardId | null; readonly epoch: number }
  | { readonly kind: "stale-config"; readonly epoch: number }
  | { readonly kind: "migrating"; readonly to: ShardId }
  | { readonly kind: "cross-shard"; readonly reason: string }
  | { readonly kind: "stale-request"; readonly latestSeq: number };

/**
 * Whether an operation changes state (writes are deduplicated by request id; reads are not).
 *
 * @example
 * ```ts
 * import { isWrite } from "@distkit/sharding";
 * isWrite({ kind: "get", key: "x" }); // false
 * ```
 */
export function isWrite(op: ShardOperation): boolean {
  return op.kind !== "get" && op.kind !== "mget" && op.kind !== "scan";
}

/**
 * The keys an operation touches (none for `scan`, which names positions).
 *
 * @example
 * ```ts
 * import { operationKeys } from "@distkit/sharding";
 * operationKeys({ kind: "mget", keys: ["a", "b"] }); // ["a", "b"]
 * ```
 */
export function operationKeys(op: ShardOperation): readonly string[] {
  switch (op.kind) {
    case "mget":
      return op.keys;
    case "mput":
      return op.entries.map((e) => e[0]);
    case "scan":
      return [];
    default:
      return [op.key];
  }
}

const MAX_MULTI = 1000;

/**
 * Validates an operation received from the network.
 * @throws {@link ShardingError} `invalid-argument` saying which field is wrong
 * @example
 * ```ts
 * import { validateOperation } from "@distkit/sharding";
 * validateOperation({ kind: "put", key: "x", value: "1" });
 * ```
 */
export function validateOperation(op: ShardOperation): ShardOperation {
  const str = (v: unknown, what: string) => {
    if (typeof v !== "string")
      throw new ShardingError("invalid-argument", `${op.kind}: ${what} must be a string, got ${typeof v}`);
  };
  if (typeof op !== "object" || op === null)
    throw new ShardingError("invalid-argument", "an operation is an object with a kind");
  switch (op.kind) {
    case "get":
    case "delete":
      str(op.key, "key");
      return op;
    case "put":
    case "append":
      str(op.key, "key");
      str(op.value, "value");
      return op;
    case "cas":
      str(op.key, "key");
      str(op.value, "value");
      if (op.expected !== null) str(op.expected, "expected");
      return op;
    case "mget":
      if (!Array.isArray(op.keys) || op.keys.length === 0 || op.keys.length > MAX_MULTI) {
        throw new ShardingError("invalid-argument", `mget: keys must be 1 to ${MAX_MULTI} strings`);
      }
      for (const k of op.keys) str(k, "every key");
      return op;
    case "mput":
      if (!Array.isArray(op.entries) || op.entries.length === 0 || op.entries.length > MAX_MULTI) {
        throw new ShardingError(
          "invalid-argument",
          `mput: entries must be 1 to ${MAX_MULTI} [key, value] pairs`,
        );
      }
      for (const e of op.entries) {
        if (!Array.isArray(e) || e.length !== 2)
          throw new ShardingError("invalid-argument", "mput: each entry is [key, value]");
        str(e[0], "every key");
        str(e[1], "every value");
      }
      return op;
    case "scan":
      str(op.start, "start");
      str(op.fromPosition, "fromPosition");
      if (op.end !== null) str(op.end, "end");
      if (op.toPosition !== null) str(op.toPosition, "toPosition");
      if (!Number.isSafeInteger(op.limit) || op.limit < 1)
        throw new ShardingError("invalid-argument", "scan: limit must be a positive integer");
      return op;
    default:
      throw new ShardingError(
        "invalid-argument",
        `unknown operation kind ${JSON.stringify((op as { kind: unknown }).kind)}; accepted: get, put, append, cas, delete, mget, mput, scan`,
      );
  }
}
