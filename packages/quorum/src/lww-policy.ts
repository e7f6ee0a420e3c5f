import { QuorumError } from "./errors.js";
import type { Json } from "./json.js";
import type { CausalContext, ReadView, VersioningPolicy, WriteIntent } from "./versioning.js";

/**
 * Replica state under last-write-wins: one value with its write timestamp, a tombstone flag, and the
 * timestamp of the version the writer had read (its causal context; -1 for a blind write).
 *
 * @example
 * ```ts
 * import type { LwwState } from "@distkit/quorum";
 * const s: LwwState = { value: "v", timestampMs: 10, deleted: false, readTimestampMs: -1 };
 * ```
 */
export interface LwwState {
  /** The value (null for a tombstone). */
  readonly value: Json;
  /** The write timestamp that orders versions. */
  readonly timestampMs: number;
  /** Whether this version is a delete. */
  readonly deleted: boolean;
  /** Timestamp of the version the writer read before writing (-1: blind write). */
  readonly readTimestampMs: number;
  readonly [extra: string]: Json;
}

function canonical(value: Json): string {
  return JSON.stringify(value);
}

/**
 * Cassandra's order of two versions: higher timestamp wins; on equal timestamps a tombstone beats a live
 * value, and between two live values the greater serialized value wins. Returns > 0 when `a` wins.
 */
function compareLww(a: LwwState, b: LwwState): number {
  if (a.timestampMs !== b.timestampMs) return a.timestampMs - b.timestampMs;
  if (a.deleted !== b.deleted) return a.deleted ? 1 : -1;
  if (a.value === b.value) return 0;
  // Fast path with the same order as comparing serialized values (JSON of a finite number is String(n)).
  const ca = typeof a.value === "number" ? String(a.value) : canonical(a.value);
  const cb = typeof b.value === "number" ? String(b.value) : canonical(b.value);
  return ca === cb ? 0 : ca > cb ? 1 : -1;
}

function parseContext(context: CausalContext): number {
  if (context === "") return -1;
  const t = Number(context);
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(context) || !Number.isFinite(t)) {
    throw new QuorumError(
      "malformed-context",
      `LWW causal context ${JSON.stringify(context.slice(0, 40))} is malformed; accepted: "" or the context string a read returned (a timestamp)`,
    );
  }
  return t;
}

/**
 * Last-write-wins versioning with Cassandra's tie-break rules (higher timestamp wins; on a tie a delete
 * wins, then the greater serialized value). Concurrent writes collapse to one value; a merge reports
 * (through `onLost`) every discarded version whose timestamp is newer than what the winner's writer had
 * read (the context it passed): that write was lost, not overwritten knowingly. Blind writes (no context)
 * mean "overwrite whatever is there", so what they replace is not counted.
 *
 * @example
 * ```ts
 * import { lwwPolicy } from "@distkit/quorum";
 * const lww = lwwPolicy();
 * const a = lww.write(undefined, { value: "a", deleted: false, context: "", coordinator: "n1", timestampMs: 5 });
 * const b = lww.write(undefined, { value: "b", deleted: false, context: "", coordinator: "n2", timestampMs: 5 });
 * lww.read(lww.merge(a, b)).values; // ["b"]: equal timestamps, the greater value wins
 * ```
 */
export function lwwPolicy(): VersioningPolicy<LwwState> {
  return {
    kind: "lww",
    coordinatorMustBeReplica: false,
    write(_local: LwwState | undefined, intent: WriteIntent): LwwState {
      return {
        value: intent.deleted ? null : intent.value,
        timestampMs: intent.timestampMs,
        deleted: intent.deleted,
        readTimestampMs: parseContext(intent.context),
      };
    },
    merge(a: LwwState, b: LwwState, onLost?: (lost: LwwState) => void): LwwState {
      const c = compareLww(a, b);
      if (c === 0) return a;
      const [winner, loser] = c > 0 ? [a, b] : [b, a];
      // Lost: the winner's writer had read a version older than the loser (a concurrent update). A blind
      // write (no context) means "overwrite whatever is there", so what it replaces is not counted.
      if (
        onLost !== undefined &&
        winner.readTimestampMs >= 0 &&
        loser.timestampMs > winner.readTimestampMs &&
        !loser.deleted
      ) {
        onLost(loser);
      }
      return winner;
    },
    descends(a: LwwState, b: LwwState): boolean {
      return compareLww(a, b) >= 0;
    },
    read(state: LwwState): ReadView {
      return { values: state.deleted ? [] : [state.value], context: String(state.timestampMs) };
    },
    isTombstone(state: LwwState): boolean {
      return state.deleted;
    },
    timestampOf(state: LwwState): number {
      return state.timestampMs;
    },
    digest(state: LwwState): string {
      return `${state.timestampMs}|${state.deleted ? "d" : "l"}|${canonical(state.value)}`;
    },
    validateContext(context: CausalContext): void {
      if (typeof context !== "string") {
        throw new QuorumError(
          "malformed-context",
          'a causal context must be the string a read returned, or ""',
        );
      }
      parseContext(context);
    },
  };
}
