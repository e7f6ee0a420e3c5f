/**
 * The interface a replicated state machine implements to run under a {@link RaftNode}, and the
 * outcomes a proposer or reader learns.
 * @module
 */
import type { JsonValue } from "./json.js";

/**
 * A deterministic state machine replicated by Raft. Every replica applies the same committed
 * commands in the same order, so `apply` must depend only on the current state, the command and
 * the index: no clock, randomness or I/O. Commands, results, queries, query results and snapshots
 * are JSON ({@link JsonValue}), so they survive a real transport and storage.
 *
 * Client sessions (exactly-once for retried proposals) are handled by the node, not here: `apply`
 * is called once per command that takes effect.
 *
 * @typeParam Command - what proposals carry.
 * @typeParam Result - what `apply` returns to the proposer.
 * @typeParam Query - what read-only queries carry.
 * @typeParam QueryResult - what `query` returns.
 *
 * @example
 * ```ts
 * type CounterCommand = { readonly add: number };
 * class Counter implements StateMachine<CounterCommand, number, null, number> {
 *   private total = 0;
 *   apply(command: CounterCommand): number { this.total += command.add; return this.total; }
 *   query(): number { return this.total; }
 *   snapshot(): JsonValue { return this.total; }
 *   restore(snapshot: JsonValue): void { this.total = snapshot as number; }
 * }
 * ```
 */
export interface StateMachine<
  Command = JsonValue,
  Result = JsonValue,
  Query = JsonValue,
  QueryResult = JsonValue,
> {
  /**
   * Applies a committed command at log `index` and returns its result. Deterministic. Throwing is
   * a bug of the state machine (every replica would throw at the same entry): validate untrusted
   * input in `validateCommand` instead, or return an error as a result.
   */
  apply(command: Command, index: number): Result;
  /**
   * Answers a read-only query from the current state. The node calls it only after a linearizable
   * read confirmation (ReadIndex or lease) and once the confirmed index is applied. Optional: a
   * machine without it accepts no queries.
   */
  query?(query: Query): QueryResult;
  /** The whole state as JSON (taken at the applied index, every `snapshotThresholdEntries`). */
  snapshot(): JsonValue;
  /**
   * Replaces the state by a snapshot taken by `snapshot` (on any replica). The node calls it on a
   * fresh instance from the factory. Throw a {@link RaftError} `corrupt-storage` for bad data.
   */
  restore(snapshot: JsonValue): void;
  /**
   * Validates a command from an untrusted source (a network client) before it is proposed, and
   * returns it typed. Throw (a {@link RaftError} `invalid-argument` preferably) to refuse it: the
   * client gets `rejected` with the message. Optional: without it any JSON value is proposed.
   */
  validateCommand?(command: JsonValue): Command;
  /** Like `validateCommand`, for queries. Optional. */
  validateQuery?(query: JsonValue): Query;
}

/**
 * Identifies a proposal for exactly-once application: `seq` increases by one per operation of the
 * client `clientId`, and a retry reuses the same pair. A command whose (clientId, seq) was already
 * applied is not applied again; the first result is returned.
 *
 * @example
 * ```ts
 * const session: ClientSession = { clientId: "c1/1", seq: 7 };
 * ```
 */
export interface ClientSession {
  /** Unique id of the client (one per incarnation). */
  readonly clientId: string;
  /** Sequence number of the operation within the session (positive integer). */
  readonly seq: number;
}

/**
 * What became of a proposal once its log index was applied on the node that proposed it:
 * `applied` (with the state machine's result; `duplicate` when its session had already applied it,
 * then `index` is where it first took effect), `notApplied` (a new leader replaced the entry, or its
 * session seq is older than the session's latest: it did not take effect), or `unknown` (a snapshot
 * from the leader covered the index before this node applied it: it may have taken effect).
 *
 * @example
 * ```ts
 * const outcome: ProposalOutcome<number> = { kind: "applied", index: 12, result: 3, duplicate: false };
 * ```
 */
export type ProposalOutcome<Result = JsonValue> =
  | { readonly kind: "applied"; readonly index: number; readonly result: Result; readonly duplicate: boolean }
  | { readonly kind: "notApplied"; readonly index: number; readonly reason: "superseded" | "staleSession" }
  | { readonly kind: "unknown"; readonly index: number; readonly reason: "snapshot" };

/**
 * Options of an in-process proposal ({@link RaftNode.propose}).
 *
 * @example
 * ```ts
 * const options: ProposeOptions<number> = {
 *   session: { clientId: "local", seq: 1 },
 *   onResult: (outcome) => console.log(outcome),
 * };
 * ```
 */
export interface ProposeOptions<Result = JsonValue> {
  /** Exactly-once session of the proposal. Omit for a command applied each time it is proposed. */
  readonly session?: ClientSession;
  /** Called once when the proposal's index is applied on this node (see {@link ProposalOutcome}). */
  readonly onResult?: (outcome: ProposalOutcome<Result>) => void;
}

/**
 * Answer to an in-process query ({@link RaftNode.query}): the result with the index it reflects
 * (at least the commit index when the query was made), or a refusal (`notLeader` with a hint,
 * `dropped` while a leadership transfer runs or when overloaded).
 *
 * @example
 * ```ts
 * const answer: QueryOutcome<number> = { kind: "ok", index: 40, result: 3 };
 * ```
 */
export type QueryOutcome<QueryResult = JsonValue> =
  | { readonly kind: "ok"; readonly index: number; readonly result: QueryResult }
  | { readonly kind: "notLeader"; readonly leaderHint: string | null }
  | { readonly kind: "dropped"; readonly reason: "transferring" | "overloaded" };

/**
 * A proposal as stored in a log entry's `data`: the command, with its session when it has one.
 *
 * @example
 * ```ts
 * const data: ProposalData = { command: { add: 2 }, clientId: "c1/1", seq: 4 };
 * ```
 */
export type ProposalData = {
  /** The command. */
  readonly command: JsonValue;
  /** Session client id (with `seq`), absent for a sessionless proposal. */
  readonly clientId?: string;
  /** Session sequence number (with `clientId`). */
  readonly seq?: number;
};
