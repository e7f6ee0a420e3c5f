/**
 * The messages of a sharded cluster (besides Raft's own `raft.*` messages between replicas of a group).
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import type { ConfigCommand, ConfigResult } from "./config-state.js";
import type { ShardOperation, ShardOutcome } from "./operations.js";
import type { RangeDescriptor, ShardId } from "./shard-map.js";
import type { ShardCommand, ShardCommandResult } from "./shard-state.js";

/**
 * Where a key's range lives, attached by a shard to `wrong-shard` and `migrating` answers so redirect-style
 * clients learn the map from the servers (Redis `MOVED slot host:port`).
 *
 * @example
 * ```ts
 * import type { RouteHint } from "@distkit/sharding";
 * const h: RouteHint = { range: { id: "r1", start: "", end: "05461", shard: "s1", epoch: 1 }, replicas: ["s1a", "s1b", "s1c"], mapVersion: 3 };
 * ```
 */
export interface RouteHint {
  readonly range: RangeDescriptor;
  readonly replicas: readonly NodeId[];
  readonly mapVersion: number;
}

/**
 * A group's answer to a request: the state machine's result, or why it was not executed here.
 *
 * @example
 * ```ts
 * import type { GroupReply } from "@distkit/sharding";
 * const r: GroupReply<number> = { kind: "notLeader", leaderHint: "s1b" };
 * ```
 */
export type GroupReply<T> =
  | { readonly kind: "result"; readonly result: T }
  | { readonly kind: "notLeader"; readonly leaderHint: NodeId | null }
  | { readonly kind: "unavailable"; readonly reason: string };

/**
 * Every sharding message.
 *
 * - `sh.req` / `sh.res`: an operation for a shard (with its request id, the epoch it was routed with and
 *   the `ASKING` flag), and the answer (with a {@link RouteHint} on `wrong-shard` / `migrating`).
 * - `sh.mig`: a migration command for the target shard's log (`in-*`), answered by `sh.res`.
 * - `cfg.req` / `cfg.res`: a config-service command and its result.
 * - `rt.req` / `rt.res`: a client's operation sent to a central router, and the answer.
 *
 * @example
 * ```ts
 * import type { ShardingMessage } from "@distkit/sharding";
 * const m: ShardingMessage = { type: "cfg.req", reqId: 1, command: { type: "get" } };
 * ```
 */
export type ShardingMessage =
  | {
      readonly type: "sh.req";
      readonly reqId: number;
      readonly clientId: string;
      readonly seq: number;
      readonly op: ShardOperation;
      readonly epoch: number | null;
      readonly asking: boolean;
    }
  | {
      readonly type: "sh.res";
      readonly reqId: number;
      readonly reply: GroupReply<ShardCommandResult>;
      readonly hint: RouteHint | null;
    }
  | { readonly type: "sh.mig"; readonly reqId: number; readonly command: ShardCommand }
  | { readonly type: "cfg.req"; readonly reqId: number; readonly command: ConfigCommand }
  | { readonly type: "cfg.res"; readonly reqId: number; readonly reply: GroupReply<ConfigResult> }
  | { readonly type: "rt.req"; readonly clientId: string; readonly seq: number; readonly op: ShardOperation }
  | {
      readonly type: "rt.res";
      readonly clientId: string;
      readonly seq: number;
      readonly result: RoutedResult;
    };

/**
 * The final result of a routed operation, as a client sees it.
 *
 * - `ok`: executed; `outcome` holds the result.
 * - `shard-unavailable`: the owning shard has no reachable leader (lost its majority, or partitioned away);
 *   retryable. Other shards keep serving.
 * - `cross-shard`: a multi-key operation whose keys are in different ranges (not retryable).
 * - `timeout`: no answer within the operation deadline; the write may or may not have been applied (retry
 *   with the same request id).
 *
 * @example
 * ```ts
 * import type { RoutedResult } from "@distkit/sharding";
 * const r: RoutedResult = { kind: "shard-unavailable", shard: "s2", retryable: true };
 * ```
 */
export type RoutedResult =
  | { readonly kind: "ok"; readonly outcome: Extract<ShardOutcome, { kind: "ok" }>; readonly shard: ShardId }
  | { readonly kind: "shard-unavailable"; readonly shard: ShardId; readonly retryable: true }
  | { readonly kind: "cross-shard"; readonly reason: string; readonly retryable: false }
  | { readonly kind: "timeout"; readonly retryable: true };

/** Sends a typed sharding message. @internal */
export function sendMessage(
  ctx: { send(to: NodeId, m: ShardingMessage): void },
  to: NodeId,
  m: ShardingMessage,
): void {
  ctx.send(to, m);
}
