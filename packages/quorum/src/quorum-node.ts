import type { NodeContext, NodeId, SimNode } from "@distkit/sim-net";
import { AntiEntropy } from "./anti-entropy.js";
import { type QuorumSize, resolveQuorum } from "./consistency.js";
import { Coordination } from "./coordination.js";
import { QuorumError } from "./errors.js";
import { HintedHandoff } from "./hinted-handoff.js";
import type { Json } from "./json.js";
import { Membership } from "./membership.js";
import { MerkleTree } from "./merkle-tree.js";
import type { QuorumMessage, ReadRepairMode, WriteMode } from "./messages.js";
import {
  type AntiEntropyConfig,
  DEFAULT_MAX_HINTS,
  NodeCore,
  type NodeSettings,
  type QuorumNodeStats,
} from "./node-core.js";
import type { PlacementStrategy } from "./placement.js";
import { ReadPath, validateReadRepair } from "./read-path.js";
import { ReplicaStore } from "./replica-store.js";
import type { VersioningPolicy } from "./versioning.js";
import { WritePath, validateWriteMode } from "./write-path.js";

export type { AntiEntropyConfig, QuorumNodeStats } from "./node-core.js";
export { nextIncarnation } from "./node-core.js";

/**
 * Configuration of a {@link QuorumNode} (a store replica and coordinator). All nodes of a store should
 * share it.
 *
 * @example
 * ```ts
 * import { lwwPolicy, type QuorumNodeConfig, type PlacementStrategy } from "@distkit/quorum";
 * declare const placement: PlacementStrategy;
 * const config: QuorumNodeConfig = { placement, policy: lwwPolicy(), n: 3, r: "QUORUM", w: "QUORUM" };
 * ```
 */
export interface QuorumNodeConfig<S extends Json = Json> {
  /** Where keys live (preference lists). */
  readonly placement: PlacementStrategy;
  /** Versioning and conflict resolution. */
  readonly policy: VersioningPolicy<S>;
  /** Default replication factor (default 3). */
  readonly n?: number;
  /** Default read quorum (default QUORUM). */
  readonly r?: QuorumSize;
  /** Default write quorum (default QUORUM). */
  readonly w?: QuorumSize;
  /** Default request timeout at the coordinator (default 1000 ms). */
  readonly timeoutMs?: number;
  /** Default read repair (default `async`). */
  readonly readRepair?: ReadRepairMode;
  /**
   * Default write mode (default `one-phase`): `two-phase` makes LWW writes read the key's timestamps from R
   * replicas first (ABD), so timestamps follow real-time order under clock skew; it costs a second round
   * trip. Only with `lwwPolicy`. See {@link WriteMode}.
   *
   * @example
   * ```ts
   * import { lwwPolicy, type QuorumNodeConfig, type PlacementStrategy } from "@distkit/quorum";
   * declare const placement: PlacementStrategy;
   * const abd: QuorumNodeConfig = { placement, policy: lwwPolicy(), readRepair: "blocking", writeMode: "two-phase" };
   * ```
   */
  readonly writeMode?: WriteMode;
  /** Default for sloppy quorums with hinted handoff (default false: strict preference lists). */
  readonly sloppyQuorum?: boolean;
  /** Sloppy quorum: after this long without an ack a primary is presumed down and a fallback is used (default timeoutMs / 4). */
  readonly sloppyFallbackAfterMs?: number;
  /** How often stored hints are offered to their owners (default 200 ms). */
  readonly hintedHandoffIntervalMs?: number;
  /**
   * Most hints one node holds for other owners (default 100,000). A hint beyond it is not stored and
   * counted in `stats.hintsDropped`; a fallback that cannot store a hint does not acknowledge the write.
   *
   * @example
   * ```ts
   * import { lwwPolicy, type QuorumNodeConfig, type PlacementStrategy } from "@distkit/quorum";
   * declare const placement: PlacementStrategy;
   * const c: QuorumNodeConfig = { placement, policy: lwwPolicy(), sloppyQuorum: true, maxHints: 10_000 };
   * ```
   */
  readonly maxHints?: number;
  /** Anti-entropy rounds, or false (default) for none. */
  readonly antiEntropy?: AntiEntropyConfig | false;
  /** How long a tombstone is kept before garbage collection (default 60 000 ms). */
  readonly tombstoneGraceMs?: number;
  /** How often tombstones are collected (default 1000 ms). */
  readonly gcIntervalMs?: number;
  /** Sync storage after every replica write (default true; false trades durability for speed). */
  readonly syncWrites?: boolean;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new QuorumError(
      "invalid-config",
      `${name} = ${value} is not allowed; accepted: a finite number > 0`,
    );
  }
  return value;
}

/** Validates a configuration and fills in the defaults. */
function settingsOf<S extends Json>(config: QuorumNodeConfig<S>): NodeSettings {
  const n = config.n ?? 3;
  const rDefault = config.r ?? "QUORUM";
  const wDefault = config.w ?? "QUORUM";
  const defaults = resolveQuorum({ n, r: rDefault, w: wDefault }, config.placement.members.length);
  const timeoutMs = positive("timeoutMs", config.timeoutMs ?? 1000);
  const readRepair = config.readRepair ?? "async";
  validateReadRepair(readRepair, "invalid-config");
  const writeMode = config.writeMode ?? "one-phase";
  validateWriteMode(writeMode, "invalid-config");
  if (writeMode === "two-phase" && config.policy.timestampOf === undefined) {
    throw new QuorumError(
      "invalid-config",
      `writeMode two-phase needs a policy with timestamps (lwwPolicy); this store uses ${config.policy.kind}, which orders writes causally`,
    );
  }
  const maxHints = config.maxHints ?? DEFAULT_MAX_HINTS;
  if (!Number.isInteger(maxHints) || maxHints < 0) {
    throw new QuorumError("invalid-config", `maxHints = ${maxHints}; accepted: an integer >= 0`);
  }
  const antiEntropy = config.antiEntropy ?? false;
  if (antiEntropy !== false) {
    positive("antiEntropy.intervalMs", antiEntropy.intervalMs);
    MerkleTree.validateDepth(antiEntropy.depth);
  }
  const tombstoneGraceMs = config.tombstoneGraceMs ?? 60_000;
  if (!Number.isFinite(tombstoneGraceMs) || tombstoneGraceMs < 0) {
    throw new QuorumError(
      "invalid-config",
      `tombstoneGraceMs = ${tombstoneGraceMs}; accepted: a finite number >= 0`,
    );
  }
  return {
    defaults,
    rDefault,
    wDefault,
    timeoutMs,
    readRepair,
    writeMode,
    sloppyDefault: config.sloppyQuorum ?? false,
    sloppyFallbackAfterMs: positive("sloppyFallbackAfterMs", config.sloppyFallbackAfterMs ?? timeoutMs / 4),
    handoffIntervalMs: positive("hintedHandoffIntervalMs", config.hintedHandoffIntervalMs ?? 200),
    maxHints,
    antiEntropy,
    tombstoneGraceMs,
    gcIntervalMs: positive("gcIntervalMs", config.gcIntervalMs ?? 1000),
    syncWrites: config.syncWrites ?? true,
  };
}

/**
 * A Dynamo-style node: a storage replica for the keys the placement gives it, and a coordinator for any
 * client request. Writes go to the key's N replicas (or, with a sloppy quorum, to the first N healthy
 * nodes of the extended preference list, with hints) and succeed after W acks; reads ask the N replicas,
 * answer after R replies, and repair stale replicas. Anti-entropy compares Merkle trees, hinted handoff
 * returns hinted writes to their owners, tombstones are collected after a grace period, and membership
 * changes move keys to their new owners.
 *
 * The parts live in files named after them: `write-path.ts` (one- and two-phase writes, sloppy
 * fallbacks), `read-path.ts` and `read-repair.ts`, `hinted-handoff.ts`, `anti-entropy.ts`,
 * `membership.ts`, `replica-store.ts` (local state, tombstone GC) and `coordination.ts` (targets,
 * suspicion, forwarding, deadlines).
 *
 * @example
 * ```ts
 * import { Simulation } from "@distkit/sim-net";
 * import { QuorumNode, lwwPolicy, type PlacementStrategy } from "@distkit/quorum";
 * declare const placement: PlacementStrategy; // e.g. from ringPlacement(["n1", "n2", "n3"])
 * const sim = new Simulation({ seed: 1 });
 * for (const id of placement.members) {
 *   sim.addNode(id, (ctx) => new QuorumNode(ctx, { placement, policy: lwwPolicy() }));
 * }
 * ```
 */
export class QuorumNode<S extends Json = Json> implements SimNode<QuorumMessage> {
  /** This node's counters. */
  readonly stats: QuorumNodeStats;

  private readonly core: NodeCore<S>;
  private readonly store: ReplicaStore<S>;
  private readonly hints: HintedHandoff<S>;
  private readonly coord: Coordination<S>;
  private readonly writePath: WritePath<S>;
  private readonly readPath: ReadPath<S>;
  private readonly antiEntropy: AntiEntropy<S>;
  private readonly membership: Membership<S>;

  /**
   * @param ctx - the node context from sim-net (or another transport)
   * @param config - store configuration; validated here (throws {@link QuorumError})
   */
  constructor(ctx: NodeContext<QuorumMessage>, config: QuorumNodeConfig<S>) {
    this.core = new NodeCore(ctx, config.policy, settingsOf(config), config.placement);
    this.stats = this.core.stats;
    this.store = new ReplicaStore(this.core);
    this.hints = new HintedHandoff(this.core);
    this.coord = new Coordination(this.core);
    const applyLocal = (key: string, state: S, hintFor: NodeId | null): boolean =>
      this.applyReplicaWrite(key, state, hintFor);
    const readLocal = (key: string): S | null => this.readLocal(key);
    this.writePath = new WritePath(this.core, this.coord, this.store, this.hints, applyLocal, readLocal);
    this.readPath = new ReadPath(this.core, this.coord, this.store, readLocal);
    this.antiEntropy = new AntiEntropy(this.core, this.store);
    this.membership = new Membership(this.core, this.store);
    this.membership.recover();
    this.store.recover();
    this.hints.recover();
  }

  /** Called by the simulator on (re)start: arms the periodic timers. */
  onStart(): void {
    this.hints.onStart();
    this.store.onStart();
    this.antiEntropy.onStart();
  }

  /** The current placement (changes with membership). */
  get currentPlacement(): PlacementStrategy {
    return this.core.placement;
  }

  /** Keys stored here as a replica (tombstones included), in ascending order. */
  storedKeys(): string[] {
    return [...this.store.entries.keys()].sort();
  }

  /** The local replica state of `key` (not merged with other replicas), or undefined. */
  localState(key: string): S | undefined {
    return this.store.state(key);
  }

  /** Live values of the local replica of `key` ([] when absent or deleted). */
  localValues(key: string): readonly Json[] {
    const state = this.store.state(key);
    return state === undefined ? [] : this.core.policy.read(state).values;
  }

  /** A digest of the local replica of `key` ("" when absent): equal digests mean equal states. */
  localDigest(key: string): string {
    const state = this.store.state(key);
    return state === undefined ? "" : this.core.policy.digest(state);
  }

  /** Number of hints held here for other owners (as a sloppy-quorum fallback or coordinator). */
  get pendingHints(): number {
    return this.hints.size;
  }

  /**
   * Operator call: changes the membership (a join or leave). The change is broadcast to old and new
   * members; every node then pushes the keys it holds to their new owners (the rebalancing plan) and drops
   * the keys it no longer owns once the new owners acknowledged them.
   */
  changeMembership(members: readonly NodeId[]): void {
    this.membership.change(members);
  }

  /** Handles one message. */
  onMessage(from: NodeId, msg: QuorumMessage): void {
    const ctx = this.core.ctx;
    this.coord.heardFrom(from);
    switch (msg.type) {
      case "q.put":
        this.writePath.coordinate(from, msg);
        return;
      case "q.get":
        this.readPath.coordinate(from, msg);
        return;
      case "q.putResult":
      case "q.getResult":
        this.coord.relay(msg);
        return;
      case "q.rwrite":
        // A fallback that cannot keep the hint (cap reached) does not acknowledge: the coordinator then
        // counts it as silent instead of relying on a copy that does not exist.
        if (this.applyReplicaWrite(msg.key, msg.state as S, msg.hintFor))
          ctx.send(from, { type: "q.rwriteAck", rid: msg.rid });
        return;
      case "q.rwriteAck":
        this.writePath.onAck(from, msg.rid);
        return;
      case "q.rread":
        ctx.send(from, { type: "q.rreadReply", rid: msg.rid, state: this.readLocal(msg.key) });
        return;
      case "q.rreadReply":
        if (!this.writePath.onReadReply(from, msg.rid, msg.state as S | null))
          this.readPath.onReply(from, msg.rid, msg.state as S | null);
        return;
      case "q.repair":
        this.store.apply(msg.key, msg.state as S);
        ctx.send(from, { type: "q.repairAck", rid: msg.rid });
        return;
      case "q.repairAck":
        this.readPath.repair.onAck(msg.rid);
        return;
      case "q.hint":
        this.store.apply(msg.key, msg.state as S);
        ctx.send(from, { type: "q.hintAck", key: msg.key, digest: msg.digest });
        return;
      case "q.hintAck":
        this.hints.onAck(from, msg.key, msg.digest);
        return;
      case "q.aeHashes":
        this.antiEntropy.onHashes(from, msg.round, msg.depth, msg.nodes, msg.hashes);
        return;
      case "q.aeKeys":
        this.antiEntropy.onKeys(from, msg.round, msg.depth, msg.leaves, msg.keys);
        return;
      case "q.aePull":
        this.antiEntropy.onPull(from, msg.round, msg.entries, msg.want);
        return;
      case "q.aeEntries":
        this.antiEntropy.onEntries(msg.entries);
        return;
      case "q.transfer":
        this.membership.onTransfer(msg.entries);
        ctx.send(from, { type: "q.transferAck", rid: msg.rid });
        return;
      case "q.transferAck":
        this.membership.onTransferAck(msg.rid);
        return;
      case "q.membership":
        this.membership.apply(msg.epoch, msg.members);
        return;
      default: {
        const never: never = msg;
        ctx.log("quorum: unknown message", never);
      }
    }
  }

  /** A replica write: merged into the local replica, or kept as a hint for another owner. */
  private applyReplicaWrite(key: string, state: S, hintFor: NodeId | null): boolean {
    if (hintFor !== null && hintFor !== this.core.id) return this.hints.store(key, hintFor, state);
    this.store.apply(key, state);
    return true;
  }

  /** The local state of a key merged with any hint held for it (what a fallback replica knows). */
  private readLocal(key: string): S | null {
    let state: S | null = this.store.state(key) ?? null;
    const held = this.hints.heldFor(key);
    if (held !== undefined) {
      for (const s of held) state = state === null ? s : this.core.policy.merge(state, s);
    }
    return state;
  }
}
