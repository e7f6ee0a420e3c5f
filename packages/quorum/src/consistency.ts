import { QuorumError } from "./errors.js";

/**
 * A consistency-level name, as Cassandra spells them. For a replication factor N:
 * ONE = 1, TWO = 2, THREE = 3, QUORUM = floor(N / 2) + 1, ALL = N.
 *
 * @example
 * ```ts
 * import type { ConsistencyLevel } from "@distkit/quorum";
 * const level: ConsistencyLevel = "QUORUM";
 * ```
 */
export type ConsistencyLevel = "ONE" | "TWO" | "THREE" | "QUORUM" | "ALL";

/**
 * The consistency-level names accepted by {@link levelToCount}, in order.
 *
 * @example
 * ```ts
 * import { CONSISTENCY_LEVELS } from "@distkit/quorum";
 * CONSISTENCY_LEVELS.includes("QUORUM"); // true
 * ```
 */
export const CONSISTENCY_LEVELS: readonly ConsistencyLevel[] = ["ONE", "TWO", "THREE", "QUORUM", "ALL"];

/**
 * A read or write quorum size: a number of replicas (1..N) or a consistency-level name.
 *
 * @example
 * ```ts
 * import type { QuorumSize } from "@distkit/quorum";
 * const r: QuorumSize = "ONE";
 * const w: QuorumSize = 2;
 * ```
 */
export type QuorumSize = number | ConsistencyLevel;

/**
 * Replication factor N and quorum sizes R and W, as resolved numbers.
 *
 * @example
 * ```ts
 * import type { ResolvedQuorum } from "@distkit/quorum";
 * const q: ResolvedQuorum = { n: 3, r: 2, w: 2 };
 * ```
 */
export interface ResolvedQuorum {
  /** Replicas per key. */
  readonly n: number;
  /** Replies a read waits for. */
  readonly r: number;
  /** Acknowledgements a write waits for. */
  readonly w: number;
}

/**
 * Turns a consistency level or a number into a replica count for replication factor `n`.
 * Throws {@link QuorumError} `unknown-consistency-level` for an unknown name and `invalid-quorum` for a
 * count outside 1..n.
 *
 * @example
 * ```ts
 * import { levelToCount } from "@distkit/quorum";
 * levelToCount("QUORUM", 5); // 3
 * levelToCount("ALL", 3); // 3
 * ```
 */
export function levelToCount(size: QuorumSize | string, n: number): number {
  let count: number;
  if (typeof size === "number") {
    count = size;
  } else {
    switch (size) {
      case "ONE":
        count = 1;
        break;
      case "TWO":
        count = 2;
        break;
      case "THREE":
        count = 3;
        break;
      case "QUORUM":
        count = Math.floor(n / 2) + 1;
        break;
      case "ALL":
        count = n;
        break;
      default:
        throw new QuorumError(
          "unknown-consistency-level",
          `unknown consistency level ${JSON.stringify(size)}; accepted: ${CONSISTENCY_LEVELS.join(", ")} or an integer 1..N`,
        );
    }
  }
  if (!Number.isInteger(count) || count < 1 || count > n) {
    throw new QuorumError(
      "invalid-quorum",
      `quorum size ${String(size)} resolves to ${count}, but it must be an integer between 1 and N = ${n}`,
    );
  }
  return count;
}

/**
 * Validates N, R and W against the cluster size and resolves consistency-level names. Throws
 * {@link QuorumError}: `invalid-replication` when N is not in 1..clusterSize, `invalid-quorum` when R or W
 * is not in 1..N, `unknown-consistency-level` for an unknown name.
 *
 * @example
 * ```ts
 * import { resolveQuorum } from "@distkit/quorum";
 * resolveQuorum({ n: 3, r: "QUORUM", w: "ONE" }, 5); // { n: 3, r: 2, w: 1 }
 * ```
 */
export function resolveQuorum(
  quorum: { readonly n: number; readonly r: QuorumSize | string; readonly w: QuorumSize | string },
  clusterSize: number,
): ResolvedQuorum {
  const { n } = quorum;
  if (!Number.isInteger(n) || n < 1 || n > clusterSize) {
    throw new QuorumError(
      "invalid-replication",
      `replication factor N = ${n} is not allowed: N must be an integer between 1 and the number of cluster members (${clusterSize})`,
    );
  }
  return { n, r: levelToCount(quorum.r, n), w: levelToCount(quorum.w, n) };
}

/**
 * Whether read and write quorums are guaranteed to overlap (R + W > N): a strict quorum.
 *
 * @example
 * ```ts
 * import { isStrictQuorum } from "@distkit/quorum";
 * isStrictQuorum({ n: 3, r: 2, w: 2 }); // true
 * isStrictQuorum({ n: 3, r: 1, w: 1 }); // false
 * ```
 */
export function isStrictQuorum(q: ResolvedQuorum): boolean {
  return q.r + q.w > q.n;
}
