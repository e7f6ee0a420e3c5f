/**
 * The node contract: the only way protocol code touches time, randomness, timers, the network,
 * storage and the trace. Every distkit protocol (raft, quorum, replication) is written against these
 * types, so the same code runs deterministically in the simulator and, later, over a real transport.
 *
 * @module
 */

/**
 * Identifier of a node (a server or a simulated client). Any non-empty string.
 *
 * @example
 * ```ts
 * const leader: NodeId = "n1";
 * ```
 */
export type NodeId = string;

/**
 * A message between nodes: plain, JSON-serializable data with a `type` discriminator.
 * Messages are treated as immutable once sent: the simulator delivers the same object (twice when
 * duplicated), so never mutate a message after `send`.
 *
 * @example
 * ```ts
 * type Ping = { readonly type: "ping"; readonly seq: number };
 * ```
 */
export interface Message {
  readonly type: string;
}

/**
 * Handle returned by {@link NodeContext.setTimer}; pass it to {@link NodeContext.cancelTimer}.
 *
 * @example
 * ```ts
 * const timer: TimerId = ctx.setTimer(150, () => startElection(), "election");
 * ctx.cancelTimer(timer);
 * ```
 */
export type TimerId = number;

/**
 * A seeded pseudo-random stream. Each node gets its own stream, derived from the simulation seed
 * and the node id, so adding a node does not perturb the others' randomness.
 *
 * @example
 * ```ts
 * const electionTimeoutMs = ctx.random.int(150, 300);
 * ```
 */
export interface Random {
  /** A float uniformly drawn from [0, 1). */
  next(): number;
  /** An integer uniformly drawn from [minInclusive, maxExclusive). */
  int(minInclusive: number, maxExclusive: number): number;
  /** `true` with the given probability in [0, 1]. */
  chance(probability: number): boolean;
  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/**
 * Durable key-value storage of one node (its "disk"). Writes are visible to reads at once but only
 * survive a crash after {@link DurableStorage.sync}. Stored values must be JSON-serializable and are
 * kept by reference: do not mutate a value after writing it.
 *
 * @example
 * ```ts
 * ctx.storage.set("term", 3);
 * ctx.storage.set("votedFor", "n2");
 * ctx.storage.sync(); // only now do term and vote survive a crash
 * ```
 */
export interface DurableStorage {
  /** The current value (synced or not) of `key`, or `undefined`. */
  get<T = unknown>(key: string): T | undefined;
  /** Whether `key` currently has a value. */
  has(key: string): boolean;
  /** Writes `value` under `key` (not durable until {@link DurableStorage.sync}). */
  set(key: string, value: unknown): void;
  /** Removes `key` (not durable until {@link DurableStorage.sync}). */
  delete(key: string): void;
  /** Current keys starting with `prefix` (all keys when omitted), in ascending string order. */
  keys(prefix?: string): string[];
  /** Makes every write so far durable (fsync). */
  sync(): void;
  /** Number of writes not yet made durable. */
  readonly unsyncedWrites: number;
}

/**
 * What a node may use to act on the world. Handed to the node's factory on start and on every
 * restart (a restart gets a fresh context over the same synced storage).
 *
 * @example
 * ```ts
 * const echo: NodeFactory<Ping> = (ctx) => ({
 *   onMessage(from, message) {
 *     ctx.log(`ping ${message.seq} from ${from}`);
 *     ctx.send(from, message);
 *   },
 * });
 * ```
 */
export interface NodeContext<M extends Message = Message> {
  /** This node's id. */
  readonly id: NodeId;
  /** The other nodes of the simulation (excluding this one), in ascending id order. */
  readonly peers: readonly NodeId[];
  /** This node's local clock in milliseconds: true time skewed by the node's offset and drift. */
  now(): number;
  /** Sends `message` to `to`. Delivery is subject to the network's latency and faults. */
  send(to: NodeId, message: M): void;
  /** Calls `onFire` after `delayMs` of this node's local time (0 or more, fractions allowed). */
  setTimer(delayMs: number, onFire: () => void, label?: string): TimerId;
  /** Cancels a pending timer; cancelling a fired or unknown timer does nothing. */
  cancelTimer(timer: TimerId): void;
  /** This node's seeded random stream. */
  readonly random: Random;
  /** This node's durable storage. */
  readonly storage: DurableStorage;
  /** Adds an annotation, with optional JSON-serializable data, to the trace. */
  log(text: string, data?: unknown): void;
}

/**
 * The behaviour of a node: it reacts to messages (timers call back through closures).
 *
 * @example
 * ```ts
 * const node: SimNode<Ping> = { onMessage(from, m) { console.log(from, m.seq); } };
 * ```
 */
export interface SimNode<M extends Message = Message> {
  /** Called once when the node starts or restarts, after the factory returned. */
  onStart?(): void;
  /** Called for every message delivered to this node. */
  onMessage(from: NodeId, message: M): void;
}

/**
 * Creates a node's behaviour from its context. Called on start and on every restart.
 *
 * @example
 * ```ts
 * const counter: NodeFactory = (ctx) => {
 *   let seen = ctx.storage.get<number>("seen") ?? 0;
 *   return { onMessage() { seen++; ctx.storage.set("seen", seen); ctx.storage.sync(); } };
 * };
 * ```
 */
export type NodeFactory<M extends Message = Message, N extends SimNode<M> = SimNode<M>> = (
  ctx: NodeContext<M>,
) => N;
