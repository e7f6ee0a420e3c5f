/**
 * Messages between key-value clients and Raft servers.
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import type { KvOperation, KvOutcome } from "./kv-state-machine.js";
import type { RaftMessage } from "./messages.js";

/**
 * A client request. Writes are deduplicated by (clientId, seq).
 *
 * @example
 * ```ts
 * const m: KvRequest = { type: "kv.request", clientId: "c1/1", seq: 1, op: { kind: "get", key: "x" } };
 * ```
 */
export interface KvRequest {
  /** Discriminator. */
  readonly type: "kv.request";
  /** Client session id. */
  readonly clientId: string;
  /** Sequence number of the operation within the session. */
  readonly seq: number;
  /** The operation. */
  readonly op: KvOperation;
}

/**
 * The server's answer: the outcome, a redirect to the leader, or a refusal to retry later.
 *
 * @example
 * ```ts
 * const reply: KvReply = { kind: "notLeader", leaderHint: "n3" };
 * ```
 */
export type KvReply =
  | { readonly kind: "ok"; readonly outcome: KvOutcome }
  | { readonly kind: "notLeader"; readonly leaderHint: NodeId | null }
  | { readonly kind: "unavailable"; readonly reason: string };

/**
 * A server's response to a {@link KvRequest}.
 *
 * @example
 * ```ts
 * const m: KvResponse = { type: "kv.response", clientId: "c1/1", seq: 1, reply: { kind: "ok", outcome: { ok: true, value: null } } };
 * ```
 */
export interface KvResponse {
  /** Discriminator. */
  readonly type: "kv.response";
  /** Echoed client id. */
  readonly clientId: string;
  /** Echoed sequence number. */
  readonly seq: number;
  /** The answer. */
  readonly reply: KvReply;
}

/**
 * Every message a Raft server or KV client sends or receives.
 *
 * @example
 * ```ts
 * const isClientMessage = (m: RaftNodeMessage) => m.type === "kv.request" || m.type === "kv.response";
 * ```
 */
export type RaftNodeMessage = RaftMessage | KvRequest | KvResponse;
