/**
 * How the leaders of a multi-leader store pass changes to each other.
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import { ReplicationError } from "./errors.js";

/**
 * A replication topology between leaders.
 *
 * - `all-to-all`: every leader sends its own changes straight to every other leader.
 * - `circular`: each leader sends its own and forwarded changes to the next one in `order`
 *   (default: the leaders' order); one failed leader stops propagation around the ring.
 * - `star`: spokes send their changes to `hub`, which forwards them to every other spoke; a failed
 *   hub stops all propagation.
 *
 * @example
 * ```ts
 * import type { Topology } from "@distkit/replication";
 * const ring: Topology = { kind: "circular" };
 * const star: Topology = { kind: "star", hub: "dc1" };
 * ```
 */
export type Topology =
  | { readonly kind: "all-to-all" }
  | { readonly kind: "circular"; readonly order?: readonly NodeId[] }
  | { readonly kind: "star"; readonly hub: NodeId };

/**
 * Checks `topology` against the leader set; throws {@link ReplicationError} (`unknown-topology`,
 * `invalid-config` or `conflicting-options`) when it is not usable.
 *
 * @example
 * ```ts
 * import { validateTopology } from "@distkit/replication";
 * validateTopology({ kind: "star", hub: "a" }, ["a", "b", "c"]);
 * ```
 */
export function validateTopology(topology: Topology, leaders: readonly NodeId[]): void {
  const t = topology as { kind?: unknown; hub?: unknown; order?: unknown };
  switch (topology.kind) {
    case "all-to-all":
      if (t.hub !== undefined || t.order !== undefined) {
        throw new ReplicationError(
          "conflicting-options",
          "an all-to-all topology takes neither hub nor order",
        );
      }
      return;
    case "circular": {
      if (t.hub !== undefined) {
        throw new ReplicationError(
          "conflicting-options",
          "a circular topology takes no hub (only star has one)",
        );
      }
      const order = topology.order ?? leaders;
      const sorted = [...order].sort();
      const expected = [...leaders].sort();
      if (sorted.length !== expected.length || sorted.some((id, i) => id !== expected[i])) {
        throw new ReplicationError(
          "invalid-config",
          `circular order [${order.join(", ")}] must list every leader exactly once: [${leaders.join(", ")}]`,
        );
      }
      return;
    }
    case "star":
      if (t.order !== undefined) {
        throw new ReplicationError(
          "conflicting-options",
          "a star topology takes no order (only circular has one)",
        );
      }
      if (!leaders.includes(topology.hub)) {
        throw new ReplicationError(
          "invalid-config",
          `star hub "${topology.hub}" is not one of the leaders [${leaders.join(", ")}]`,
        );
      }
      return;
    default:
      throw new ReplicationError(
        "unknown-topology",
        `unknown topology kind ${JSON.stringify(t.kind)}; accepted: "all-to-all", "circular", "star"`,
      );
  }
}

/**
 * The leaders `self` passes a change to, given where the change comes from (`origin`, the leader
 * that wrote it). Loop prevention by path is applied by the caller.
 *
 * @example
 * ```ts
 * import { nextHops } from "@distkit/replication";
 * nextHops({ kind: "circular" }, ["a", "b", "c"], "b", "a"); // ["c"]
 * ```
 */
export function nextHops(
  topology: Topology,
  leaders: readonly NodeId[],
  self: NodeId,
  origin: NodeId,
): NodeId[] {
  switch (topology.kind) {
    case "all-to-all":
      return origin === self ? leaders.filter((l) => l !== self) : [];
    case "circular": {
      const order = topology.order ?? leaders;
      const i = order.indexOf(self);
      const next = order[(i + 1) % order.length];
      return next === undefined || next === self ? [] : [next];
    }
    case "star":
      if (self === topology.hub) return leaders.filter((l) => l !== self);
      return origin === self ? [topology.hub] : [];
  }
}
