/**
 * The rule that decides whether a lease holder may become leader without losing acknowledged
 * writes: pure functions over commit modes and log positions (no I/O, no clock).
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import type { CommitMode } from "./commit-mode.js";
import { invariant } from "./errors.js";

/**
 * How many replicas (the candidate included) a failover candidate must hear from, fenced, before it
 * may lead, under `mode` with `replicaCount` replicas; and whether that makes the promotion lossless.
 *
 * Every write acknowledged under `mode` is durable on at least `copies` replicas: `first`/`any` k:
 * the leader and k followers; `sync`: every replica but one (a new leader does not wait for the
 * leader it replaced until that one has rejoined and caught up). Any `needed = replicaCount - copies + 1`
 * replicas include one of those copies, so a candidate at least as up to date as `needed` fenced
 * replicas holds every acknowledged write. `async` guarantees no copy but the leader's: `needed` is 1
 * and the promotion is best effort (its report lists the gap it can see).
 *
 * @example
 * ```ts
 * import { failoverQuorum } from "@distkit/replication";
 * failoverQuorum({ kind: "any", k: 1 }, 3); // { copies: 2, needed: 2, lossless: true }
 * failoverQuorum({ kind: "any", k: 1 }, 5); // { copies: 2, needed: 4, lossless: true }
 * failoverQuorum({ kind: "sync" }, 5); // { copies: 4, needed: 2, lossless: true }
 * failoverQuorum({ kind: "async" }, 3); // { copies: 1, needed: 1, lossless: false }
 * ```
 */
export function failoverQuorum(
  mode: CommitMode,
  replicaCount: number,
): { readonly copies: number; readonly needed: number; readonly lossless: boolean } {
  invariant(Number.isInteger(replicaCount) && replicaCount >= 1, "at least one replica");
  let copies: number;
  switch (mode.kind) {
    case "async":
      return { copies: 1, needed: 1, lossless: false };
    case "sync":
      copies = Math.max(1, replicaCount - 1);
      break;
    case "first":
    case "any":
      copies = Math.min(replicaCount, mode.k + 1);
      break;
  }
  return { copies, needed: replicaCount - copies + 1, lossless: true };
}

/**
 * Whether log position `a` is at least as up to date as `b`: a later last epoch, or the same last
 * epoch and at least as long (Raft's election restriction).
 *
 * @example
 * ```ts
 * import { atLeastAsUpToDate } from "@distkit/replication";
 * atLeastAsUpToDate({ lastLsn: 5, lastEpoch: 2 }, { lastLsn: 9, lastEpoch: 1 }); // true
 * ```
 */
export function atLeastAsUpToDate(
  a: { readonly lastLsn: number; readonly lastEpoch: number },
  b: { readonly lastLsn: number; readonly lastEpoch: number },
): boolean {
  return a.lastEpoch > b.lastEpoch || (a.lastEpoch === b.lastEpoch && a.lastLsn >= b.lastLsn);
}

/**
 * The verdict on one fenced candidacy: `promote` when the candidate is at least as up to date as
 * `needed` fenced replicas (itself included), `blocked` otherwise, with who was heard and who is
 * ahead (a replica ahead of the candidate should run instead).
 *
 * @example
 * ```ts
 * import { judgeCandidacy } from "@distkit/replication";
 * const v = judgeCandidacy("n3", { lastLsn: 4, lastEpoch: 1 }, new Map(), 2);
 * // { promote: false, heard: ["n3"], coveredBy: ["n3"], ahead: [] }
 * ```
 */
export function judgeCandidacy(
  self: NodeId,
  mine: { readonly lastLsn: number; readonly lastEpoch: number },
  fenced: ReadonlyMap<NodeId, { readonly lastLsn: number; readonly lastEpoch: number }>,
  needed: number,
): {
  readonly promote: boolean;
  readonly heard: readonly NodeId[];
  readonly coveredBy: readonly NodeId[];
  readonly ahead: readonly NodeId[];
} {
  const heard = [self];
  const coveredBy = [self];
  const ahead: NodeId[] = [];
  for (const [id, p] of [...fenced].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    if (id === self) continue;
    heard.push(id);
    if (atLeastAsUpToDate(mine, p)) coveredBy.push(id);
    else ahead.push(id);
  }
  return { promote: coveredBy.length >= needed, heard, coveredBy, ahead };
}
