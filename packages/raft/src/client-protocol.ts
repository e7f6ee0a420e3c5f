/**
 * Messages between key-value clients and Raft servers.
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import type { JsonValue } from "./json.js";
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
 * A request of a {@link RaftClient} to a server running any state machine: a command to propose
 * (deduplicated by (clientId, seq)), or a read-only query (linearizable, not deduplicated).
 *
 * @example
 * ```ts
 * const m: SmRequest = { type: "sm.request", clientId: "c1/1", seq: 2, request: { kind: "propose", command: { add: 1 } } };
 * ```
 */
export interface SmRequest {
  /** Discriminator. */
  readonly type: "sm.request";
  /** Client session id. */
  readonly clientId: string;
  /** Sequence number of the operation within the session. */
  readonly seq: number;
  /** What is asked. */
  readonly request:
    | { readonly kind: "propose"; readonly command: JsonValue }
    | { readonly kind: "query"; readonly query: JsonValue };
}

/**
 * The server's answer to an {@link SmRequest}: `ok` with the log index (where the command took
 * effect, or the read index a query reflects) and the result; `notLeader` with a hint; `unavailable`
 * (retry later: overloaded, leadership lost, entry superseded); `rejected` (the state machine
 * refused the command or query: do not retry).
 *
 * @example
 * ```ts
 * const reply: SmReply = { kind: "ok", index: 12, result: 3 };
 * ```
 */
export type SmReply =
  | { readonly kind: "ok"; readonly index: number; readonly result: JsonValue }
  | { readonly kind: "notLeader"; readonly leaderHint: NodeId | null }
  | { readonly kind: "unavailable"; readonly reason: string }
  | { readonly kind: "rejected"; readonly reason: string };

/**
 * A server's response to an {@link SmRequest}.
 *
 * @example
 * ```ts
 * const m: SmResponse = { type: "sm.response", clientId: "c1/1", seq: 2, reply: { kind: "ok", index: 12, result: 3 } };
 * ```
 */
export interface SmResponse {
  /** Discriminator. */
  readonly type: "sm.response";
  /** Echoed client id. */
  readonly clientId: string;
  /** Echoed sequence number. */
  readonly seq: number;
  /** The answer. */
  readonly reply: SmReply;
}

/**
 * Every message a Raft server, KV client or generic client sends or receives.
 *
 * @example
 * ```ts
 * const isClientMessage = (m: RaftNodeMessage) => m.type === "kv.request" || m.type === "sm.request";
 * ```
 */
export type RaftNodeMessage = RaftMessage | KvRequest | KvResponse | SmRequest | SmResponse;
