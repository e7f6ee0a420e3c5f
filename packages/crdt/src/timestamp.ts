import type { HlcTimestamp } from "@distkit/clocks";
import { DecodeError, invalidArgument } from "./errors.js";
import { asNat, compareStrings, type ReplicaId } from "./json.js";

/**
 * A totally ordered timestamp for last-writer-wins types, supplied by the caller (for example the
 * fields of a hybrid logical clock reading). Ordered by `wallMs`, then `logical`, then `replicaId`
 * (code-unit order), so two distinct writers never tie.
 *
 * @example
 * ```ts
 * import type { LwwTimestamp } from "@distkit/crdt";
 * const ts: LwwTimestamp = { wallMs: 1_700_000_000_000, logical: 0, replicaId: "a" };
 * ```
 */
export interface LwwTimestamp {
  /** Physical (wall-clock) part in milliseconds: a non-negative safe integer. */
  readonly wallMs: number;
  /** Logical counter breaking ties within one millisecond: a non-negative safe integer. */
  readonly logical: number;
  /** The writing replica: the final, deterministic tie-break. */
  readonly replicaId: ReplicaId;
}

/**
 * Total order of {@link LwwTimestamp}s: negative, zero or positive like a comparator.
 *
 * @example
 * ```ts
 * import { compareTimestamps } from "@distkit/crdt";
 * compareTimestamps({ wallMs: 5, logical: 0, replicaId: "a" }, { wallMs: 5, logical: 0, replicaId: "b" }); // -1
 * ```
 */
export function compareTimestamps(a: LwwTimestamp, b: LwwTimestamp): number {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  return compareStrings(a.replicaId, b.replicaId);
}

/** Validates a caller-supplied timestamp. @internal */
export function checkTimestamp(ts: LwwTimestamp, what: string): LwwTimestamp {
  if (
    typeof ts !== "object" ||
    ts === null ||
    !Number.isSafeInteger(ts.wallMs) ||
    ts.wallMs < 0 ||
    !Number.isSafeInteger(ts.logical) ||
    ts.logical < 0 ||
    typeof ts.replicaId !== "string" ||
    ts.replicaId.length === 0
  ) {
    invalidArgument(
      `${what}: timestamp must be { wallMs, logical: non-negative safe integers, replicaId: non-empty string }, got ${JSON.stringify(ts)}`,
    );
  }
  return { wallMs: ts.wallMs, logical: ts.logical, replicaId: ts.replicaId };
}

/** JSON form [wallMs, logical, replicaId]. @internal */
export function timestampToJson(ts: LwwTimestamp): [number, number, string] {
  return [ts.wallMs, ts.logical, ts.replicaId];
}

/** @internal */
export function timestampFromJson(raw: unknown, what: string): LwwTimestamp {
  if (!Array.isArray(raw) || raw.length !== 3)
    throw new DecodeError(`${what}: expected [wallMs, logical, replicaId]`);
  const replicaId = raw[2];
  if (typeof replicaId !== "string" || replicaId.length === 0) {
    throw new DecodeError(`${what}: replicaId must be a non-empty string`);
  }
  return { wallMs: asNat(raw[0], `${what}.wallMs`), logical: asNat(raw[1], `${what}.logical`), replicaId };
}

/**
 * Builds an {@link LwwTimestamp} from a hybrid logical clock reading of `@distkit/clocks` and the
 * writing replica's id (the tie-break).
 *
 * @example
 * ```ts
 * import { hlcTimestamp } from "@distkit/clocks";
 * import { LWWRegister, lwwTimestampFromHlc } from "@distkit/crdt";
 * const r = new LWWRegister<string>("a");
 * r.set("x", lwwTimestampFromHlc(hlcTimestamp(1_700_000_000_000, 3), "a"));
 * ```
 */
export function lwwTimestampFromHlc(hlc: HlcTimestamp, replicaId: ReplicaId): LwwTimestamp {
  return checkTimestamp({ wallMs: hlc.physicalMs, logical: hlc.logical, replicaId }, "lwwTimestampFromHlc");
}
