/**
 * When a single leader may acknowledge a write: asynchronous, synchronous to all followers, or
 * PostgreSQL's two quorum forms (`FIRST k (priority list)` and `ANY k (list)`).
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import { ReplicationError } from "./errors.js";

/**
 * A commit mode.
 *
 * - `async`: acknowledge once the leader has the write durably; followers catch up later.
 * - `sync`: wait until every current follower has the write.
 * - `first`: PostgreSQL `FIRST k (s1, s2, ...)`: the synchronous standbys are the first `k` names of
 *   `priority` that are currently connected; wait until all of them have the write.
 * - `any`: PostgreSQL `ANY k (s1, s2, ...)`: wait until any `k` of `among` (default: all
 *   followers) have the write.
 *
 * @example
 * ```ts
 * import type { CommitMode } from "@distkit/replication";
 * const quorum: CommitMode = { kind: "any", k: 1 };
 * const priority: CommitMode = { kind: "first", k: 1, priority: ["n2", "n3"] };
 * ```
 */
export type CommitMode =
  | { readonly kind: "async" }
  | { readonly kind: "sync" }
  | { readonly kind: "first"; readonly k: number; readonly priority: readonly NodeId[] }
  | { readonly kind: "any"; readonly k: number; readonly among?: readonly NodeId[] };

/**
 * Checks that `mode` can be satisfied by a leader whose followers are `followers`; throws
 * {@link ReplicationError} (`invalid-commit-mode`) otherwise.
 *
 * @example
 * ```ts
 * import { validateCommitMode } from "@distkit/replication";
 * validateCommitMode({ kind: "first", k: 1, priority: ["n2", "n3"] }, ["n2", "n3"]); // fine
 * ```
 */
export function validateCommitMode(mode: CommitMode, followers: readonly NodeId[]): void {
  const kind = (mode as { kind: unknown }).kind;
  switch (mode.kind) {
    case "async":
    case "sync":
      return;
    case "first":
    case "any": {
      const list = mode.kind === "first" ? mode.priority : (mode.among ?? followers);
      if (!Number.isInteger(mode.k) || mode.k < 1) {
        throw new ReplicationError(
          "invalid-commit-mode",
          `${mode.kind} k must be an integer >= 1, got ${mode.k}`,
        );
      }
      if (new Set(list).size !== list.length) {
        throw new ReplicationError(
          "invalid-commit-mode",
          `${mode.kind} list has duplicate node ids: [${list.join(", ")}]; each standby may appear once`,
        );
      }
      for (const id of list) {
        if (!followers.includes(id)) {
          throw new ReplicationError(
            "invalid-commit-mode",
            `${mode.kind} list names "${id}", which is not a follower; followers are [${followers.join(", ")}]`,
          );
        }
      }
      if (mode.k > list.length) {
        throw new ReplicationError(
          "invalid-commit-mode",
          `${mode.kind} k=${mode.k} is larger than the ${list.length} follower(s) it may count ([${list.join(", ")}]); accepted: 1..${list.length}`,
        );
      }
      return;
    }
    default:
      throw new ReplicationError(
        "invalid-commit-mode",
        `unknown commit mode kind ${JSON.stringify(kind)}; accepted: "async", "sync", "first", "any"`,
      );
  }
}

/**
 * Whether `mode` is satisfied, given the current followers (in the leader's view), which of them
 * are connected, and which of them have reached the position in question (`has`).
 *
 * @example
 * ```ts
 * import { commitSatisfied } from "@distkit/replication";
 * const ok = commitSatisfied({ kind: "any", k: 1 }, ["f1", "f2"], () => true, (id) => id === "f2");
 * // ok === true
 * ```
 */
export function commitSatisfied(
  mode: CommitMode,
  followers: readonly NodeId[],
  connected: (id: NodeId) => boolean,
  has: (id: NodeId) => boolean,
): boolean {
  switch (mode.kind) {
    case "async":
      return true;
    case "sync":
      for (const id of followers) if (!has(id)) return false;
      return true;
    case "first": {
      let chosen = 0;
      for (const id of mode.priority) {
        if (chosen === mode.k) break;
        if (!followers.includes(id) || !connected(id)) continue;
        if (!has(id)) return false;
        chosen++;
      }
      return chosen === mode.k;
    }
    case "any": {
      let count = 0;
      const list = mode.among ?? followers;
      for (const id of list) {
        if (followers.includes(id) && has(id)) {
          count++;
          if (count >= mode.k) return true;
        }
      }
      return false;
    }
  }
}
