/**
 * The protocol servers a local cluster runs (a Raft key-value store or a quorum store), wrapped so each
 * also answers a `distkit-status` request: the REPL's `status` and the tests' leader lookups.
 * @module
 */
import { HashRing } from "@distkit/hashing";
import { lwwPolicy, partitionerPlacement, QuorumNode } from "@distkit/quorum";
import { RaftNode } from "@distkit/raft";
import type { Message, NodeContext, NodeFactory, NodeId, SimNode } from "@distkit/sim-net";
import { RuntimeError } from "./errors.js";

/**
 * Which store a cluster runs: `raft` (a linearizable key-value store over Raft) or `quorum`
 * (Dynamo-style N = 3 replication with R = W = 2, last-write-wins with two-phase writes, blocking read
 * repair: linearizable per key, as ABD).
 *
 * @example
 * ```ts
 * const kind: ClusterKind = "raft";
 * ```
 */
export type ClusterKind = "raft" | "quorum";

/**
 * A server's answer to `{ type: "distkit-status" }`.
 *
 * @example
 * ```ts
 * const s: ServerStatus = { type: "distkit-status-reply", id: "n1", kind: "raft", role: "leader", term: 2, leaderId: "n1", commitIndex: 10 };
 * ```
 */
export interface ServerStatus {
  /** Message type. */
  readonly type: "distkit-status-reply";
  /** The server. */
  readonly id: NodeId;
  /** The store it runs. */
  readonly kind: ClusterKind;
  /** Raft role (`leader`, `follower`, ...), or `replica` for a quorum node. */
  readonly role: string;
  /** Raft term (0 for quorum). */
  readonly term: number;
  /** Raft leader as this server knows it (null for quorum or when unknown). */
  readonly leaderId: NodeId | null;
  /** Raft commit index, or the quorum node's replica writes. */
  readonly commitIndex: number;
}

/** The quorum store's shared settings (every server and client must agree on them). */
export const QUORUM_SETTINGS = { n: 3, r: 2, w: 2, readRepair: "blocking" } as const;

/** Placement of the quorum store over `servers` (the same on every server and client). */
export function quorumPlacement(servers: readonly NodeId[]): ReturnType<typeof partitionerPlacement> {
  return partitionerPlacement(HashRing.create([...servers].sort()));
}

/**
 * The factory of one server of a local cluster: the store's node plus a status responder.
 *
 * @example
 * ```ts
 * const factory = serverFactory("raft", ["n1", "n2", "n3"]);
 * ```
 */
export function serverFactory(kind: ClusterKind, servers: readonly NodeId[]): NodeFactory<Message> {
  if (kind !== "raft" && kind !== "quorum") {
    throw new RuntimeError(
      "invalid-config",
      `cluster kind must be "raft" or "quorum", got ${JSON.stringify(kind)}`,
    );
  }
  return (ctx: NodeContext<Message>): SimNode<Message> => {
    if (kind === "raft") {
      const node = new RaftNode(ctx as never, { voters: [...servers] });
      return withStatus(ctx, node, () => {
        const s = node.core.status();
        return { role: s.role, term: s.term, leaderId: s.leaderId, commitIndex: s.commitIndex };
      });
    }
    const node = new QuorumNode(ctx as never, {
      placement: quorumPlacement(servers),
      policy: lwwPolicy(),
      ...QUORUM_SETTINGS,
    });
    return withStatus(ctx, node, () => ({
      role: "replica",
      term: 0,
      leaderId: null,
      commitIndex: node.stats.replicaWrites,
    }));
  };

  function withStatus(
    ctx: NodeContext<Message>,
    inner: SimNode<never>,
    status: () => Omit<ServerStatus, "type" | "id" | "kind">,
  ): SimNode<Message> {
    const delegate = inner as unknown as SimNode<Message>;
    return {
      onStart: () => delegate.onStart?.(),
      onMessage: (from, message) => {
        if (message.type === "distkit-status") {
          const reply: ServerStatus = { type: "distkit-status-reply", id: ctx.id, kind, ...status() };
          ctx.send(from, reply);
          return;
        }
        delegate.onMessage(from, message);
      },
    };
  }
}
