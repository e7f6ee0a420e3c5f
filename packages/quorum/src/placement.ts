import type { Partitioner } from "@distkit/hashing";
import type { NodeId } from "@distkit/sim-net";
import { QuorumError } from "./errors.js";

/**
 * Where keys live: the view of a partitioner the quorum store needs. `preferenceList(key, count)` returns
 * `count` distinct physical members in preference order (virtual-node duplicates skipped); the first N are
 * the key's replicas and the rest are the fallbacks a sloppy quorum may use. `withMembers` returns the
 * placement for a new membership (the rebalancing after a join or leave).
 *
 * Use {@link partitionerPlacement} to adapt a `@distkit/hashing` partitioner.
 *
 * @example
 * ```ts
 * import type { PlacementStrategy } from "@distkit/quorum";
 * declare const placement: PlacementStrategy;
 * placement.preferenceList("user:42", 3); // e.g. ["n2", "n5", "n1"]
 * ```
 */
export interface PlacementStrategy {
  /** The physical members, in ascending id order. */
  readonly members: readonly NodeId[];
  /** `count` distinct members in preference order for `key` (count is at most `members.length`). */
  preferenceList(key: string, count: number): readonly NodeId[];
  /** The same placement algorithm over a different membership. */
  withMembers(members: readonly NodeId[]): PlacementStrategy;
}

/** Most preference lists kept in the per-placement cache before it is cleared. */
const CACHE_LIMIT = 100_000;

/**
 * Adapts a `@distkit/hashing` partitioner (ring with virtual nodes, rendezvous, Maglev, ...) to a
 * {@link PlacementStrategy}. Preference lists are cached per key (bounded). `withMembers` adds and removes
 * members on the partitioner, so keys move exactly as the partitioner's rebalancing plan says.
 *
 * @example
 * ```ts
 * import { HashRing } from "@distkit/hashing";
 * import { partitionerPlacement } from "@distkit/quorum";
 * const placement = partitionerPlacement(HashRing.create(["n1", "n2", "n3", "n4", "n5"]));
 * placement.preferenceList("user:42", 3); // 3 distinct members
 * ```
 */
export function partitionerPlacement(partitioner: Partitioner): PlacementStrategy {
  const members = partitioner
    .members()
    .map((m) => m.id)
    .sort();
  if (members.length === 0) {
    throw new QuorumError("invalid-config", "a placement needs at least one member");
  }
  const all = members.length;
  /** key -> preference lists indexed by length (index `all` is the full list). */
  const cache = new Map<string, (readonly string[] | undefined)[]>();
  return {
    members,
    preferenceList(key: string, count: number): readonly NodeId[] {
      let lists = cache.get(key);
      const hit = lists?.[count];
      if (hit !== undefined) return hit;
      if (!Number.isInteger(count) || count < 1 || count > all) {
        throw new QuorumError(
          "invalid-replication",
          `a preference list of ${count} members was asked for; accepted: 1..${all} (the number of members)`,
        );
      }
      if (lists === undefined) {
        if (cache.size >= CACHE_LIMIT) cache.clear();
        lists = [];
        lists[all] = partitioner.preferenceList(key, all);
        cache.set(key, lists);
      }
      const list = (lists[all] as readonly string[]).slice(0, count);
      lists[count] = list;
      return list;
    },
    withMembers(next: readonly NodeId[]): PlacementStrategy {
      if (next.length === 0 || new Set(next).size !== next.length) {
        throw new QuorumError("invalid-config", "a membership must be a non-empty list of distinct node ids");
      }
      let p = partitioner;
      for (const id of next) if (!members.includes(id)) p = p.withMember(id);
      for (const id of members) if (!next.includes(id)) p = p.withoutMember(id);
      return partitionerPlacement(p);
    },
  };
}
