import type { NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import { isJson } from "./canonical-json.js";
import { type QuorumSize, type ResolvedQuorum, resolveQuorum } from "./consistency.js";
import { QuorumError, invariant } from "./errors.js";
import type { Json } from "./json.js";
import { MAX_MERKLE_DEPTH, MerkleTree } from "./merkle-tree.js";
import type { QuorumMessage, ReadRepairMode, ReadResult, RequestOptions, WriteResult } from "./messages.js";
import type { PlacementStrategy } from "./placement.js";
import type { VersioningPolicy } from "./versioning.js";

/**
 * Anti-entropy settings: every `intervalMs` a node picks a random peer and compares Merkle trees of
 * depth `depth` over the key range they both replicate, level by level: the root hash first, then the
 * children's hashes of every node that differs; at differing leaves the two exchange (key, version) lists
 * and stream only the keys whose versions differ.
 *
 * @example
 * ```ts
 * import type { AntiEntropyConfig } from "@distkit/quorum";
 * const ae: AntiEntropyConfig = { intervalMs: 1000, depth: 6 };
 * ```
 */
export interface AntiEntropyConfig {
  /** Time between two rounds started by one node. */
  readonly intervalMs: number;
  /** Merkle tree depth (0..16): 2^depth leaves per compared range. */
  readonly depth: number;
}

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
  /** Default for sloppy quorums with hinted handoff (default false: strict preference lists). */
  readonly sloppyQuorum?: boolean;
  /** Sloppy quorum: after this long without an ack a primary is presumed down and a fallback is used (default timeoutMs / 4). */
  readonly sloppyFallbackAfterMs?: number;
  /** How often stored hints are offered to their owners (default 200 ms). */
  readonly hintedHandoffIntervalMs?: number;
  /** Anti-entropy rounds, or false (default) for none. */
  readonly antiEntropy?: AntiEntropyConfig | false;
  /** How long a tombstone is kept before garbage collection (default 60 000 ms). */
  readonly tombstoneGraceMs?: number;
  /** How often tombstones are collected (default 1000 ms). */
  readonly gcIntervalMs?: number;
  /** Sync storage after every replica write (default true; false trades durability for speed). */
  readonly syncWrites?: boolean;
}

/**
 * Counters a node keeps about its own work.
 *
 * @example
 * ```ts
 * import type { QuorumNodeStats } from "@distkit/quorum";
 * const streamed = (s: QuorumNodeStats) => s.antiEntropyKeysStreamed;
 * ```
 */
export interface QuorumNodeStats {
  /** Writes this node coordinated (including failed ones). */
  coordinatedWrites: number;
  /** Reads this node coordinated. */
  coordinatedReads: number;
  /** Coordinated writes that timed out before W acks. */
  writeTimeouts: number;
  /** Coordinated reads that timed out before R replies. */
  readTimeouts: number;
  /** Replica writes applied here (including repairs, handoffs, transfers). */
  replicaWrites: number;
  /** Writes stored here as hints for another owner. */
  hintsStored: number;
  /** Hints this node handed off and saw acknowledged. */
  hintsHandedOff: number;
  /** Repair messages sent by read repair. */
  readRepairsSent: number;
  /** Anti-entropy rounds this node started. */
  antiEntropyRounds: number;
  /** Keys this node sent to peers in anti-entropy. */
  antiEntropyKeysStreamed: number;
  /**
   * Merkle tree-node hashes this node sent in anti-entropy (level-by-level exchange: the root, then the
   * children of every node found different). Identical replicas cost one hash per round.
   */
  antiEntropyHashesSent: number;
  /** Tombstones garbage-collected. */
  tombstonesCollected: number;
  /** Keys sent to new owners after membership changes. */
  keysTransferred: number;
  /** Distinct concurrent writes this node's merges discarded (LWW's silent losses). */
  lostWrites: number;
}

interface Entry<S> {
  state: S;
  /** Local time at which this key became a tombstone, or null when it holds a live value. */
  tombstoneAtMs: number | null;
}

interface Target {
  readonly node: NodeId;
  readonly hintFor: NodeId | null;
}

interface WriteOp<S> {
  readonly rid: number;
  readonly client: NodeId;
  readonly reqId: number;
  readonly key: string;
  readonly state: S;
  readonly w: number;
  readonly n: number;
  readonly sloppy: boolean;
  readonly acked: Set<NodeId>;
  readonly sent: Map<NodeId, Target>;
  hinted: number;
  /** Local time at which the write times out. */
  readonly deadlineMs: number;
  fallbackTimer: TimerId | null;
}

interface ReadOp<S> {
  readonly rid: number;
  readonly client: NodeId;
  readonly reqId: number;
  readonly key: string;
  readonly r: number;
  readonly repair: ReadRepairMode;
  readonly targets: readonly NodeId[];
  readonly replies: Map<NodeId, S | null>;
  answered: boolean;
  /** Blocking repair: nodes whose repair ack is awaited before answering. */
  awaitingRepair: Set<NodeId> | null;
  merged: S | null;
  /** Local time at which the read times out. */
  readonly deadlineMs: number;
}

interface Proxy {
  readonly client: NodeId;
  readonly reqId: number;
  readonly kind: "put" | "get";
  readonly timer: TimerId;
}

interface Transfer {
  readonly target: NodeId;
  readonly entries: readonly (readonly [string, Json])[];
  attempts: number;
  timer: TimerId;
}

const KV_PREFIX = "kv:";
const HINT_PREFIX = "hint:";
const MEMBERS_KEY = "meta:members";
/** Upper bound on hints offered per owner per handoff tick, and on entries per transfer message. */
const MAX_BATCH = 256;
/** Upper bound on retransmissions of one transfer batch. */
const MAX_TRANSFER_ATTEMPTS = 20;
/** Upper bound on hints one node holds for other owners. */
const MAX_HINTS = 100_000;
/** Upper bound on remembered lost-write ids (for de-duplication of the lostWrites count). */
const MAX_LOST_IDS = 10_000;
/** Upper bound on concurrently pending coordinated operations; beyond it requests are rejected. */
const MAX_PENDING_OPS = 100_000;

const INCARNATION_KEY = "meta:incarnation";
/** Request ids per incarnation; incarnations up to 2^21 keep ids below 2^53. */
const RIDS_PER_INCARNATION = 2 ** 32;

/** Counts this node's starts in durable storage (synced) and returns the new count. */
export function nextIncarnation(ctx: NodeContext<QuorumMessage>): number {
  const incarnation = (ctx.storage.get<number>(INCARNATION_KEY) ?? 0) + 1;
  invariant(incarnation < 2 ** 21, "fewer than 2^21 restarts of one node");
  ctx.storage.set(INCARNATION_KEY, incarnation);
  ctx.storage.sync();
  return incarnation;
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

/**
 * A Dynamo-style node: a storage replica for the keys the placement gives it, and a coordinator for any
 * client request. Writes go to the key's N replicas (or, with a sloppy quorum, to the first N healthy
 * nodes of the extended preference list, with hints) and succeed after W acks; reads ask the N replicas,
 * answer after R replies, and repair stale replicas. Anti-entropy compares Merkle trees, hinted handoff
 * returns hinted writes to their owners, tombstones are collected after a grace period, and membership
 * changes move keys to their new owners.
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
  readonly stats: QuorumNodeStats = {
    coordinatedWrites: 0,
    coordinatedReads: 0,
    writeTimeouts: 0,
    readTimeouts: 0,
    replicaWrites: 0,
    hintsStored: 0,
    hintsHandedOff: 0,
    readRepairsSent: 0,
    antiEntropyRounds: 0,
    antiEntropyKeysStreamed: 0,
    antiEntropyHashesSent: 0,
    tombstonesCollected: 0,
    keysTransferred: 0,
    lostWrites: 0,
  };

  private readonly ctx: NodeContext<QuorumMessage>;
  private readonly policy: VersioningPolicy<S>;
  private placement: PlacementStrategy;
  private epoch = 0;
  private readonly defaults: ResolvedQuorum;
  private readonly rDefault: QuorumSize;
  private readonly wDefault: QuorumSize;
  private readonly timeoutMs: number;
  private readonly readRepair: ReadRepairMode;
  private readonly sloppyDefault: boolean;
  private readonly sloppyFallbackAfterMs: number;
  private readonly handoffIntervalMs: number;
  private readonly antiEntropy: AntiEntropyConfig | false;
  private readonly tombstoneGraceMs: number;
  private readonly gcIntervalMs: number;
  private readonly syncWrites: boolean;

  private readonly store = new Map<string, Entry<S>>();
  /** key -> owner -> state held for that owner. */
  private readonly hints = new Map<string, Map<NodeId, S>>();
  private readonly writes = new Map<number, WriteOp<S>>();
  private readonly reads = new Map<number, ReadOp<S>>();
  private readonly proxies = new Map<number, Proxy>();
  private readonly transfers = new Map<number, Transfer>();
  /** Blocking read repair: repair rid -> read rid. */
  private readonly repairWaits = new Map<number, { readonly read: number; readonly node: NodeId }>();
  private readonly suspectedUntil = new Map<NodeId, number>();
  private readonly lostIds = new Set<string>();
  /** Request ids, unique across restarts (so a late reply to a dead incarnation never matches a new request). */
  private nextRid: number;
  private aeRound = 0;
  private handoffTimer: TimerId | null = null;
  private deadlineTimer: TimerId | null = null;
  private deadlineAtMs: number | null = null;
  private gcTimer: TimerId | null = null;
  private tombstones = 0;
  private hintCount = 0;

  /**
   * @param ctx - the node context from sim-net (or another transport)
   * @param config - store configuration; validated here (throws {@link QuorumError})
   */
  constructor(ctx: NodeContext<QuorumMessage>, config: QuorumNodeConfig<S>) {
    this.ctx = ctx;
    this.policy = config.policy;
    this.placement = config.placement;
    const n = config.n ?? 3;
    this.rDefault = config.r ?? "QUORUM";
    this.wDefault = config.w ?? "QUORUM";
    this.defaults = resolveQuorum({ n, r: this.rDefault, w: this.wDefault }, this.placement.members.length);
    this.timeoutMs = positive("timeoutMs", config.timeoutMs ?? 1000);
    this.readRepair = config.readRepair ?? "async";
    if (!["off", "async", "blocking"].includes(this.readRepair)) {
      throw new QuorumError(
        "invalid-config",
        `readRepair ${String(this.readRepair)} is unknown; accepted: off, async, blocking`,
      );
    }
    this.sloppyDefault = config.sloppyQuorum ?? false;
    this.sloppyFallbackAfterMs = positive(
      "sloppyFallbackAfterMs",
      config.sloppyFallbackAfterMs ?? this.timeoutMs / 4,
    );
    this.handoffIntervalMs = positive("hintedHandoffIntervalMs", config.hintedHandoffIntervalMs ?? 200);
    this.antiEntropy = config.antiEntropy ?? false;
    if (this.antiEntropy !== false) {
      positive("antiEntropy.intervalMs", this.antiEntropy.intervalMs);
      MerkleTree.validateDepth(this.antiEntropy.depth);
    }
    this.tombstoneGraceMs = config.tombstoneGraceMs ?? 60_000;
    if (!Number.isFinite(this.tombstoneGraceMs) || this.tombstoneGraceMs < 0) {
      throw new QuorumError(
        "invalid-config",
        `tombstoneGraceMs = ${this.tombstoneGraceMs}; accepted: a finite number >= 0`,
      );
    }
    this.gcIntervalMs = positive("gcIntervalMs", config.gcIntervalMs ?? 1000);
    this.syncWrites = config.syncWrites ?? true;
    this.nextRid = nextIncarnation(ctx) * RIDS_PER_INCARNATION + 1;
    this.recover();
  }

  /** Called by the simulator on (re)start: arms the periodic timers. */
  onStart(): void {
    if (this.hints.size > 0) this.armHandoff();
    if (this.tombstones > 0) this.armGc();
    if (this.antiEntropy !== false) {
      const first = this.ctx.random.next() * this.antiEntropy.intervalMs;
      this.ctx.setTimer(first, () => this.antiEntropyTick(), "anti-entropy");
    }
  }

  /** The current placement (changes with membership). */
  get currentPlacement(): PlacementStrategy {
    return this.placement;
  }

  /** Keys stored here as a replica (tombstones included), in ascending order. */
  storedKeys(): string[] {
    return [...this.store.keys()].sort();
  }

  /** The local replica state of `key` (not merged with other replicas), or undefined. */
  localState(key: string): S | undefined {
    return this.store.get(key)?.state;
  }

  /** Live values of the local replica of `key` ([] when absent or deleted). */
  localValues(key: string): readonly Json[] {
    const e = this.store.get(key);
    return e === undefined ? [] : this.policy.read(e.state).values;
  }

  /** A digest of the local replica of `key` ("" when absent): equal digests mean equal states. */
  localDigest(key: string): string {
    const e = this.store.get(key);
    return e === undefined ? "" : this.policy.digest(e.state);
  }

  /** Number of hints held here for other owners. */
  get pendingHints(): number {
    return this.hintCount;
  }

  /**
   * Operator call: changes the membership (a join or leave). The change is broadcast to old and new
   * members; every node then pushes the keys it holds to their new owners (the rebalancing plan) and drops
   * the keys it no longer owns once the new owners acknowledged them.
   */
  changeMembership(members: readonly NodeId[]): void {
    if (members.length === 0 || new Set(members).size !== members.length) {
      throw new QuorumError("invalid-config", "a membership must be a non-empty list of distinct node ids");
    }
    if (this.defaults.n > members.length) {
      throw new QuorumError(
        "invalid-replication",
        `N = ${this.defaults.n} exceeds the new membership size ${members.length}; keep at least N members`,
      );
    }
    const epoch = this.epoch + 1;
    const everyone = new Set([...this.placement.members, ...members]);
    for (const id of everyone)
      if (id !== this.ctx.id) this.ctx.send(id, { type: "q.membership", epoch, members });
    this.applyMembership(epoch, members);
  }

  /** Handles one message. */
  onMessage(from: NodeId, msg: QuorumMessage): void {
    if (this.suspectedUntil.size > 0) this.suspectedUntil.delete(from);
    switch (msg.type) {
      case "q.put":
        this.coordinatePut(from, msg);
        return;
      case "q.get":
        this.coordinateGet(from, msg);
        return;
      case "q.putResult":
      case "q.getResult":
        this.relayProxied(msg);
        return;
      case "q.rwrite":
        this.applyReplicaWrite(msg.key, msg.state as S, msg.hintFor);
        this.ctx.send(from, { type: "q.rwriteAck", rid: msg.rid });
        return;
      case "q.rwriteAck":
        this.onWriteAck(from, msg.rid);
        return;
      case "q.rread":
        this.ctx.send(from, { type: "q.rreadReply", rid: msg.rid, state: this.readLocal(msg.key) });
        return;
      case "q.rreadReply":
        this.onReadReply(from, msg.rid, msg.state as S | null);
        return;
      case "q.repair":
        this.applyReplicaWrite(msg.key, msg.state as S, null);
        this.ctx.send(from, { type: "q.repairAck", rid: msg.rid });
        return;
      case "q.repairAck":
        this.onRepairAck(msg.rid);
        return;
      case "q.hint":
        this.applyReplicaWrite(msg.key, msg.state as S, null);
        this.ctx.send(from, { type: "q.hintAck", key: msg.key, digest: msg.digest });
        return;
      case "q.hintAck":
        this.onHintAck(from, msg.key, msg.digest);
        return;
      case "q.aeHashes":
        this.onAeHashes(from, msg.round, msg.depth, msg.nodes, msg.hashes);
        return;
      case "q.aeKeys":
        this.onAeKeys(from, msg.round, msg.depth, msg.leaves, msg.keys);
        return;
      case "q.aePull":
        this.onAePull(from, msg.round, msg.entries, msg.want);
        return;
      case "q.aeEntries":
        for (const [key, state] of msg.entries) this.applyReplicaWrite(key, state as S, null);
        return;
      case "q.transfer":
        for (const [key, state] of msg.entries) this.applyReplicaWrite(key, state as S, null);
        this.ctx.send(from, { type: "q.transferAck", rid: msg.rid });
        return;
      case "q.transferAck":
        this.onTransferAck(msg.rid);
        return;
      case "q.membership":
        this.applyMembership(msg.epoch, msg.members);
        return;
      default: {
        const never: never = msg;
        this.ctx.log("quorum: unknown message", never);
      }
    }
  }

  // ---------------------------------------------------------------- requests and targets

  private resolveRequest(options: RequestOptions): ResolvedQuorum {
    return resolveQuorum(
      { n: options.n ?? this.defaults.n, r: options.r ?? this.rDefault, w: options.w ?? this.wDefault },
      this.placement.members.length,
    );
  }

  private isSuspected(node: NodeId): boolean {
    const until = this.suspectedUntil.get(node);
    if (until === undefined) return false;
    if (this.ctx.now() >= until) {
      this.suspectedUntil.delete(node);
      return false;
    }
    return true;
  }

  private suspect(node: NodeId): void {
    if (node !== this.ctx.id) this.suspectedUntil.set(node, this.ctx.now() + 4 * this.timeoutMs);
  }

  /** Strict: the first N of the preference list. Sloppy: the first N presumed-healthy nodes, with hints. */
  private targetsFor(key: string, n: number, sloppy: boolean): Target[] {
    if (!sloppy) return this.placement.preferenceList(key, n).map((node) => ({ node, hintFor: null }));
    const all = this.placement.preferenceList(key, this.placement.members.length);
    const owners = all.slice(0, n);
    const down = owners.filter((o) => this.isSuspected(o));
    const out: Target[] = owners.filter((o) => !down.includes(o)).map((node) => ({ node, hintFor: null }));
    let next = n;
    for (const owner of down) {
      while (next < all.length && this.isSuspected(all[next] as NodeId)) next++;
      if (next >= all.length) break;
      out.push({ node: all[next] as NodeId, hintFor: owner });
      next++;
    }
    return out;
  }

  private reject(from: NodeId, msg: QuorumMessage & { type: "q.put" | "q.get" }, message: string): void {
    if (msg.type === "q.put") {
      this.ctx.send(from, {
        type: "q.putResult",
        reqId: msg.reqId,
        result: { ok: false, reason: "rejected", acks: 0, message },
      });
    } else {
      this.ctx.send(from, {
        type: "q.getResult",
        reqId: msg.reqId,
        result: { ok: false, reason: "rejected", replies: 0, message },
      });
    }
  }

  private forward(
    from: NodeId,
    msg: QuorumMessage & { type: "q.put" | "q.get" },
    to: NodeId,
    timeoutMs: number,
  ): void {
    const rid = this.nextRid++;
    const timer = this.ctx.setTimer(
      timeoutMs * 2,
      () => {
        const p = this.proxies.get(rid);
        if (p === undefined) return;
        this.proxies.delete(rid);
        this.suspect(to);
        const message = `forwarded to replica ${to}; no answer within ${timeoutMs * 2} ms`;
        if (p.kind === "put") {
          this.ctx.send(p.client, {
            type: "q.putResult",
            reqId: p.reqId,
            result: { ok: false, reason: "timeout", acks: 0, message },
          });
        } else {
          this.ctx.send(p.client, {
            type: "q.getResult",
            reqId: p.reqId,
            result: { ok: false, reason: "timeout", replies: 0, message },
          });
        }
      },
      "proxy-timeout",
    );
    this.proxies.set(rid, {
      client: from,
      reqId: msg.reqId,
      kind: msg.type === "q.put" ? "put" : "get",
      timer,
    });
    this.ctx.send(to, { ...msg, reqId: rid });
  }

  private relayProxied(msg: QuorumMessage & { type: "q.putResult" | "q.getResult" }): void {
    const p = this.proxies.get(msg.reqId);
    if (p === undefined) return;
    this.proxies.delete(msg.reqId);
    this.ctx.cancelTimer(p.timer);
    this.ctx.send(p.client, { ...msg, reqId: p.reqId });
  }

  // ---------------------------------------------------------------- timeouts

  /**
   * One timer per node for all request timeouts: it fires at the earliest pending deadline, expires what is
   * due, and re-arms for the next one (cheaper than a timer per request, and exact).
   */
  private armDeadline(deadlineMs: number): void {
    if (this.deadlineAtMs !== null && this.deadlineAtMs <= deadlineMs) return;
    if (this.deadlineTimer !== null) this.ctx.cancelTimer(this.deadlineTimer);
    this.deadlineAtMs = deadlineMs;
    this.deadlineTimer = this.ctx.setTimer(
      Math.max(0, deadlineMs - this.ctx.now()),
      () => this.expireDue(),
      "request-timeouts",
    );
  }

  private expireDue(): void {
    this.deadlineTimer = null;
    this.deadlineAtMs = null;
    const now = this.ctx.now();
    let next = Number.POSITIVE_INFINITY;
    for (const op of [...this.writes.values()]) {
      if (op.deadlineMs <= now) this.writeTimedOut(op.rid);
      else next = Math.min(next, op.deadlineMs);
    }
    for (const op of [...this.reads.values()]) {
      if (op.deadlineMs <= now) this.readTimedOut(op.rid);
      else next = Math.min(next, op.deadlineMs);
    }
    if (next !== Number.POSITIVE_INFINITY) this.armDeadline(next);
  }

  // ---------------------------------------------------------------- writes

  private coordinatePut(from: NodeId, msg: QuorumMessage & { type: "q.put" }): void {
    let q: ResolvedQuorum;
    try {
      q = this.resolveRequest(msg.options);
      this.policy.validateContext(msg.context);
      if (!isJson(msg.value)) throw new QuorumError("invalid-request", "the value must be JSON data");
    } catch (e) {
      if (e instanceof QuorumError) {
        this.reject(from, msg, e.message);
        return;
      }
      throw e;
    }
    if (this.writes.size + this.reads.size + this.proxies.size >= MAX_PENDING_OPS) {
      this.reject(from, msg, `coordinator overloaded: ${MAX_PENDING_OPS} operations pending`);
      return;
    }
    const timeoutMs = msg.options.timeoutMs ?? this.timeoutMs;
    const sloppy = msg.options.sloppy ?? this.sloppyDefault;
    const targets = this.targetsFor(msg.key, q.n, sloppy);
    if (this.policy.coordinatorMustBeReplica && !targets.some((t) => t.node === this.ctx.id)) {
      // Forward to the first replica not presumed down (Riak forwards to a vnode of the preference list).
      const first = targets.find((t) => !this.isSuspected(t.node)) ?? targets[0];
      invariant(first !== undefined, "a preference list is never empty");
      this.forward(from, msg, first.node, timeoutMs);
      return;
    }
    this.stats.coordinatedWrites++;
    const selfTarget = targets.find((t) => t.node === this.ctx.id);
    const local =
      selfTarget !== undefined && selfTarget.hintFor === null ? this.store.get(msg.key)?.state : undefined;
    let state: S;
    try {
      state = this.policy.write(local, {
        value: msg.value,
        deleted: msg.deleted,
        context: msg.context,
        coordinator: this.ctx.id,
        timestampMs: msg.options.timestampMs ?? this.ctx.now(),
      });
    } catch (e) {
      if (e instanceof QuorumError) {
        this.reject(from, msg, e.message);
        return;
      }
      throw e;
    }
    const rid = this.nextRid++;
    const op: WriteOp<S> = {
      rid,
      client: from,
      reqId: msg.reqId,
      key: msg.key,
      state,
      w: q.w,
      n: q.n,
      sloppy,
      acked: new Set(),
      sent: new Map(),
      hinted: 0,
      deadlineMs: this.ctx.now() + timeoutMs,
      fallbackTimer: null,
    };
    this.writes.set(rid, op);
    this.armDeadline(op.deadlineMs);
    if (sloppy) {
      op.fallbackTimer = this.ctx.setTimer(
        Math.min(this.sloppyFallbackAfterMs, timeoutMs / 2),
        () => this.sloppyFallback(rid),
        "sloppy-fallback",
      );
    }
    for (const t of targets) this.sendReplicaWrite(op, t);
  }

  private sendReplicaWrite(op: WriteOp<S>, t: Target): void {
    op.sent.set(t.node, t);
    if (t.node === this.ctx.id) {
      this.applyReplicaWrite(op.key, op.state, t.hintFor);
      this.onWriteAck(this.ctx.id, op.rid);
    } else {
      this.ctx.send(t.node, {
        type: "q.rwrite",
        rid: op.rid,
        key: op.key,
        state: op.state,
        hintFor: t.hintFor,
      });
    }
  }

  private onWriteAck(from: NodeId, rid: number): void {
    const op = this.writes.get(rid);
    if (op === undefined || !op.sent.has(from) || op.acked.has(from)) return;
    op.acked.add(from);
    if (op.sent.get(from)?.hintFor != null) op.hinted++;
    if (op.acked.size >= op.w) {
      this.writes.delete(rid);
      if (op.fallbackTimer !== null) this.ctx.cancelTimer(op.fallbackTimer);
      const result: WriteResult = {
        ok: true,
        acks: op.acked.size,
        hinted: op.hinted,
        coordinator: this.ctx.id,
      };
      this.ctx.send(op.client, { type: "q.putResult", reqId: op.reqId, result });
    }
  }

  private writeTimedOut(rid: number): void {
    const op = this.writes.get(rid);
    if (op === undefined) return;
    this.writes.delete(rid);
    if (op.fallbackTimer !== null) this.ctx.cancelTimer(op.fallbackTimer);
    this.stats.writeTimeouts++;
    for (const node of op.sent.keys()) if (!op.acked.has(node)) this.suspect(node);
    const result: WriteResult = {
      ok: false,
      reason: "timeout",
      acks: op.acked.size,
      message: `${op.acked.size} of W = ${op.w} acknowledgements before the timeout; the write may still be applied`,
    };
    this.ctx.send(op.client, { type: "q.putResult", reqId: op.reqId, result });
  }

  /** Sloppy quorum: primaries that have not acked are presumed down; send hinted copies to fallbacks. */
  private sloppyFallback(rid: number): void {
    const op = this.writes.get(rid);
    if (op === undefined) return;
    op.fallbackTimer = null;
    const silent = [...op.sent.values()].filter((t) => !op.acked.has(t.node));
    if (silent.length === 0) return;
    const all = this.placement.preferenceList(op.key, this.placement.members.length);
    let next = op.n;
    for (const t of silent) {
      this.suspect(t.node);
      while (next < all.length && (op.sent.has(all[next] as NodeId) || this.isSuspected(all[next] as NodeId)))
        next++;
      if (next >= all.length) break;
      this.sendReplicaWrite(op, { node: all[next] as NodeId, hintFor: t.hintFor ?? t.node });
      next++;
    }
  }

  // ---------------------------------------------------------------- reads

  private coordinateGet(from: NodeId, msg: QuorumMessage & { type: "q.get" }): void {
    let q: ResolvedQuorum;
    let repair: ReadRepairMode;
    try {
      q = this.resolveRequest(msg.options);
      repair = msg.options.readRepair ?? this.readRepair;
      if (!["off", "async", "blocking"].includes(repair)) {
        throw new QuorumError(
          "invalid-request",
          `readRepair ${String(repair)} is unknown; accepted: off, async, blocking`,
        );
      }
    } catch (e) {
      if (e instanceof QuorumError) {
        this.reject(from, msg, e.message);
        return;
      }
      throw e;
    }
    if (this.writes.size + this.reads.size + this.proxies.size >= MAX_PENDING_OPS) {
      this.reject(from, msg, `coordinator overloaded: ${MAX_PENDING_OPS} operations pending`);
      return;
    }
    this.stats.coordinatedReads++;
    const timeoutMs = msg.options.timeoutMs ?? this.timeoutMs;
    const sloppy = msg.options.sloppy ?? this.sloppyDefault;
    const targets = this.targetsFor(msg.key, q.n, sloppy).map((t) => t.node);
    const rid = this.nextRid++;
    const op: ReadOp<S> = {
      rid,
      client: from,
      reqId: msg.reqId,
      key: msg.key,
      r: q.r,
      repair,
      targets,
      replies: new Map(),
      answered: false,
      awaitingRepair: null,
      merged: null,
      deadlineMs: this.ctx.now() + timeoutMs,
    };
    this.reads.set(rid, op);
    this.armDeadline(op.deadlineMs);
    for (const node of targets) {
      if (node === this.ctx.id) continue;
      this.ctx.send(node, { type: "q.rread", rid, key: msg.key });
    }
    if (targets.includes(this.ctx.id))
      this.onReadReply(this.ctx.id, rid, this.readLocal(msg.key) as S | null);
  }

  /** The local state of a key merged with any hint held for it (what a fallback replica knows). */
  private readLocal(key: string): S | null {
    let state: S | null = this.store.get(key)?.state ?? null;
    const held = this.hints.get(key);
    if (held !== undefined) {
      for (const s of held.values()) state = state === null ? s : this.policy.merge(state, s);
    }
    return state;
  }

  private mergeReplies(op: ReadOp<S>): S | null {
    let merged: S | null = null;
    for (const s of op.replies.values()) {
      if (s === null) continue;
      merged = merged === null ? s : this.policy.merge(merged, s, (lost) => this.recordLost(op.key, lost));
    }
    return merged;
  }

  private onReadReply(from: NodeId, rid: number, state: S | null): void {
    const op = this.reads.get(rid);
    if (op === undefined || !op.targets.includes(from) || op.replies.has(from)) return;
    op.replies.set(from, state);
    if (!op.answered && op.awaitingRepair === null && op.replies.size >= op.r) {
      op.merged = this.mergeReplies(op);
      if (op.repair === "blocking") {
        const stale = this.staleReplicas(op);
        if (stale.length > 0) {
          op.awaitingRepair = new Set(stale);
          for (const node of stale) this.sendRepair(op, node, true);
          return;
        }
      }
      this.answerRead(op, 0);
    }
    if (op.answered && op.replies.size === op.targets.length) this.finishRead(op);
  }

  /** Responders whose state does not already contain the merged state. */
  private staleReplicas(op: ReadOp<S>): NodeId[] {
    const merged = op.merged;
    if (merged === null) return [];
    const out: NodeId[] = [];
    for (const [node, s] of op.replies) {
      if (s === null || !this.policy.descends(s, merged)) out.push(node);
    }
    return out;
  }

  private sendRepair(op: ReadOp<S>, node: NodeId, blocking: boolean): void {
    invariant(op.merged !== null, "a repair sends a merged state");
    this.stats.readRepairsSent++;
    if (node === this.ctx.id) {
      this.applyReplicaWrite(op.key, op.merged, null);
      if (blocking) op.awaitingRepair?.delete(node);
      if (blocking && op.awaitingRepair?.size === 0) this.answerRead(op, op.replies.size);
      return;
    }
    const rid = this.nextRid++;
    if (blocking) this.repairWaits.set(rid, { read: op.rid, node });
    this.ctx.send(node, { type: "q.repair", rid, key: op.key, state: op.merged });
  }

  private onRepairAck(rid: number): void {
    const wait = this.repairWaits.get(rid);
    if (wait === undefined) return;
    this.repairWaits.delete(rid);
    const op = this.reads.get(wait.read);
    if (op === undefined || op.answered || op.awaitingRepair === null) return;
    op.awaitingRepair.delete(wait.node);
    if (op.awaitingRepair.size === 0) {
      const repaired = this.staleReplicas(op).length;
      this.answerRead(op, repaired);
    }
  }

  private answerRead(op: ReadOp<S>, repaired: number): void {
    if (op.answered) return;
    op.answered = true;
    if (op.awaitingRepair !== null) {
      // Repaired replicas now hold the merged state.
      for (const node of op.replies.keys()) op.replies.set(node, op.merged);
      op.awaitingRepair = null;
    }
    const view = op.merged === null ? { values: [] as Json[], context: "" } : this.policy.read(op.merged);
    const result: ReadResult = {
      ok: true,
      values: view.values,
      context: view.context,
      replies: op.replies.size,
      repaired,
      coordinator: this.ctx.id,
    };
    this.ctx.send(op.client, { type: "q.getResult", reqId: op.reqId, result });
    if (op.replies.size === op.targets.length) this.finishRead(op);
  }

  /** All replies in (or timeout after answering): async read repair of every stale replica. */
  private finishRead(op: ReadOp<S>): void {
    this.reads.delete(op.rid);
    if (op.repair === "off") return;
    op.merged = this.mergeReplies(op);
    for (const node of this.staleReplicas(op)) this.sendRepair(op, node, false);
  }

  private readTimedOut(rid: number): void {
    const op = this.reads.get(rid);
    if (op === undefined) return;
    for (const node of op.targets) if (!op.replies.has(node)) this.suspect(node);
    if (op.answered) {
      this.finishRead(op);
      return;
    }
    this.reads.delete(rid);
    this.stats.readTimeouts++;
    const result: ReadResult = {
      ok: false,
      reason: "timeout",
      replies: op.replies.size,
      message:
        op.awaitingRepair !== null
          ? `blocking read repair of ${op.awaitingRepair.size} replica(s) not acknowledged before the timeout`
          : `${op.replies.size} of R = ${op.r} replies before the timeout`,
    };
    this.ctx.send(op.client, { type: "q.getResult", reqId: op.reqId, result });
  }

  // ---------------------------------------------------------------- local storage

  private recordLost(key: string, lost: S): void {
    const id = `${key}\u0000${this.policy.digest(lost)}`;
    if (this.lostIds.has(id)) return; // the same loss seen again through another merge
    if (this.lostIds.size >= MAX_LOST_IDS) this.lostIds.delete(this.lostIds.values().next().value as string);
    this.lostIds.add(id);
    this.stats.lostWrites++;
  }

  private persist(key: string, entry: Entry<S> | undefined): void {
    if (entry === undefined) this.ctx.storage.delete(KV_PREFIX + key);
    else this.ctx.storage.set(KV_PREFIX + key, { state: entry.state, tombstoneAtMs: entry.tombstoneAtMs });
    if (this.syncWrites) this.ctx.storage.sync();
  }

  private applyReplicaWrite(key: string, incoming: S, hintFor: NodeId | null): void {
    if (hintFor !== null && hintFor !== this.ctx.id) {
      let owners = this.hints.get(key);
      if (owners === undefined) {
        owners = new Map();
        this.hints.set(key, owners);
      }
      const prev = owners.get(hintFor);
      if (prev === undefined && this.hintCount >= MAX_HINTS) {
        // Bounded: beyond MAX_HINTS the write is not kept as a hint; anti-entropy repairs the owner later.
        this.ctx.log(`hint for ${hintFor} dropped: ${MAX_HINTS} hints held`);
        return;
      }
      if (prev === undefined) this.hintCount++;
      const next = prev === undefined ? incoming : this.policy.merge(prev, incoming);
      owners.set(hintFor, next);
      this.ctx.storage.set(`${HINT_PREFIX}${hintFor}\u0000${key}`, next);
      this.ctx.storage.sync(); // hints are always durable
      this.stats.hintsStored++;
      this.armHandoff();
      return;
    }
    this.stats.replicaWrites++;
    const existing = this.store.get(key);
    const merged =
      existing === undefined
        ? incoming
        : this.policy.merge(existing.state, incoming, (lost) => this.recordLost(key, lost));
    if (existing !== undefined && merged === existing.state) return;
    const dead = this.policy.isTombstone(merged);
    const entry: Entry<S> = {
      state: merged,
      tombstoneAtMs: dead ? (existing?.tombstoneAtMs ?? this.ctx.now()) : null,
    };
    if (dead && existing?.tombstoneAtMs == null) {
      this.tombstones++;
      this.armGc();
    } else if (!dead && existing?.tombstoneAtMs != null) {
      this.tombstones--;
    }
    this.store.set(key, entry);
    this.persist(key, entry);
  }

  private recover(): void {
    const storage = this.ctx.storage;
    const members = storage.get<{ epoch: number; members: NodeId[] }>(MEMBERS_KEY);
    if (members !== undefined) {
      this.epoch = members.epoch;
      this.placement = this.placement.withMembers(members.members);
    }
    for (const k of storage.keys(KV_PREFIX)) {
      const e = storage.get<{ state: S; tombstoneAtMs: number | null }>(k);
      if (e === undefined) continue;
      this.store.set(k.slice(KV_PREFIX.length), { state: e.state, tombstoneAtMs: e.tombstoneAtMs });
      if (e.tombstoneAtMs !== null) this.tombstones++;
    }
    for (const k of storage.keys(HINT_PREFIX)) {
      const rest = k.slice(HINT_PREFIX.length);
      const sep = rest.indexOf("\u0000");
      const state = storage.get<S>(k);
      if (sep < 0 || state === undefined) continue;
      const owner = rest.slice(0, sep);
      const key = rest.slice(sep + 1);
      let owners = this.hints.get(key);
      if (owners === undefined) {
        owners = new Map();
        this.hints.set(key, owners);
      }
      if (!owners.has(owner)) this.hintCount++;
      owners.set(owner, state);
    }
  }

  // ---------------------------------------------------------------- hinted handoff

  private armHandoff(): void {
    if (this.handoffTimer !== null) return;
    this.handoffTimer = this.ctx.setTimer(this.handoffIntervalMs, () => this.handoffTick(), "hinted-handoff");
  }

  private handoffTick(): void {
    this.handoffTimer = null;
    if (this.hints.size === 0) return;
    const perOwner = new Map<NodeId, number>();
    for (const [key, owners] of this.hints) {
      for (const [owner, state] of owners) {
        const sent = perOwner.get(owner) ?? 0;
        if (sent >= MAX_BATCH) continue;
        perOwner.set(owner, sent + 1);
        this.ctx.send(owner, { type: "q.hint", key, state, digest: this.policy.digest(state) });
      }
    }
    this.armHandoff();
  }

  private onHintAck(from: NodeId, key: string, digest: string): void {
    const owners = this.hints.get(key);
    const state = owners?.get(from);
    if (owners === undefined || state === undefined || this.policy.digest(state) !== digest) return;
    owners.delete(from);
    this.hintCount--;
    if (owners.size === 0) this.hints.delete(key);
    this.ctx.storage.delete(`${HINT_PREFIX}${from}\u0000${key}`);
    this.ctx.storage.sync();
    this.stats.hintsHandedOff++;
  }

  // ---------------------------------------------------------------- tombstone GC

  private armGc(): void {
    if (this.gcTimer !== null) return;
    this.gcTimer = this.ctx.setTimer(this.gcIntervalMs, () => this.gcTick(), "tombstone-gc");
  }

  private gcTick(): void {
    this.gcTimer = null;
    const now = this.ctx.now();
    for (const [key, e] of this.store) {
      if (e.tombstoneAtMs !== null && now - e.tombstoneAtMs >= this.tombstoneGraceMs) {
        this.store.delete(key);
        this.ctx.storage.delete(KV_PREFIX + key);
        this.tombstones--;
        this.stats.tombstonesCollected++;
      }
    }
    if (this.syncWrites) this.ctx.storage.sync();
    invariant(this.tombstones >= 0, "tombstone count never goes negative");
    if (this.tombstones > 0) this.armGc();
  }

  // ---------------------------------------------------------------- anti-entropy

  /** Keys this node stores that `peer` also replicates, with their digests. */
  private sharedEntries(peer: NodeId): [string, S][] {
    const out: [string, S][] = [];
    const n = this.defaults.n;
    for (const [key, e] of this.store) {
      if (this.placement.preferenceList(key, n).includes(peer)) out.push([key, e.state]);
    }
    return out;
  }

  private tree(entries: readonly [string, S][], depth: number): MerkleTree {
    return MerkleTree.build(
      entries.map(([k, s]) => [k, this.policy.digest(s)] as const),
      depth,
    );
  }

  private antiEntropyTick(): void {
    if (this.antiEntropy === false) return;
    const { intervalMs, depth } = this.antiEntropy;
    this.ctx.setTimer(intervalMs, () => this.antiEntropyTick(), "anti-entropy");
    const peers = this.placement.members.filter((m) => m !== this.ctx.id);
    if (peers.length === 0 || !this.placement.members.includes(this.ctx.id)) return;
    const peer = this.ctx.random.pick(peers);
    this.stats.antiEntropyRounds++;
    const round = ++this.aeRound;
    // Level-by-level exchange (Dynamo, Cassandra, Riak): start with the root hash only.
    this.sendAeHashes(peer, round, this.tree(this.sharedEntries(peer), depth), [0]);
  }

  private sendAeHashes(to: NodeId, round: number, tree: MerkleTree, nodes: readonly number[]): void {
    invariant(nodes.length > 0 && nodes.length <= tree.size, "a hash message names 1..size tree nodes");
    const hashes = nodes.map((i) => tree.hashAt(i));
    this.stats.antiEntropyHashesSent += hashes.length;
    this.ctx.send(to, { type: "q.aeHashes", round, depth: tree.depth, nodes: [...nodes], hashes });
  }

  /**
   * One level of the comparison: the peer sent hashes of some tree nodes. Differing inner nodes are answered
   * with their children's hashes (the peer continues one level down); differing leaves with this node's
   * (key, digest) lists of those leaves. Equal nodes end the descent there. Each message moves one level
   * down, so a round takes at most depth + 1 hash messages.
   */
  private onAeHashes(
    from: NodeId,
    round: number,
    depth: number,
    nodes: readonly number[],
    hashes: readonly number[],
  ): void {
    const shared = this.sharedEntries(from);
    let tree: MerkleTree;
    let differing: number[];
    try {
      MerkleTree.validateDepth(depth);
      tree = this.tree(shared, depth);
      differing = tree.differingNodes(nodes, hashes);
    } catch (e) {
      if (e instanceof QuorumError) {
        this.ctx.log(`anti-entropy: bad hashes from ${from}: ${e.message}`);
        return;
      }
      throw e;
    }
    if (differing.length === 0) return;
    const inner = differing.filter((i) => !tree.isLeaf(i));
    const leaves = differing.filter((i) => tree.isLeaf(i)).map((i) => i - tree.firstLeaf);
    if (inner.length > 0) this.sendAeHashes(from, round, tree, tree.childrenOf(inner));
    if (leaves.length > 0) {
      const wanted = new Set(leaves);
      const keys = shared
        .filter(([k]) => wanted.has(MerkleTree.leafOf(k, depth)))
        .map(([k, st]) => [k, this.policy.digest(st)] as const);
      this.ctx.send(from, { type: "q.aeKeys", round, depth, leaves, keys });
    }
  }

  /**
   * The peer's (key, digest) lists of the differing leaves: compare with the local lists, send the states
   * of the keys whose versions differ (or that the peer lacks) and ask for the keys this node lacks or holds
   * in another version. Only differing keys are streamed.
   */
  private onAeKeys(
    from: NodeId,
    round: number,
    depth: number,
    leaves: readonly number[],
    keys: readonly (readonly [string, string])[],
  ): void {
    if (!Number.isInteger(depth) || depth < 0 || depth > MAX_MERKLE_DEPTH || leaves.length > 1 << depth) {
      this.ctx.log(`anti-entropy: bad key lists from ${from}: depth ${depth}, ${leaves.length} leaves`);
      return;
    }
    const wanted = new Set(leaves);
    const theirs = new Map<string, string>();
    for (const [k, d] of keys) theirs.set(k, d);
    const entries: [string, Json][] = [];
    const want: string[] = [];
    const mine = new Set<string>();
    for (const [k, st] of this.sharedEntries(from)) {
      if (!wanted.has(MerkleTree.leafOf(k, depth))) continue;
      mine.add(k);
      const digest = this.policy.digest(st);
      const other = theirs.get(k);
      if (other === digest) continue;
      entries.push([k, st]);
      if (other !== undefined) want.push(k);
    }
    for (const k of theirs.keys()) if (!mine.has(k)) want.push(k);
    if (entries.length === 0 && want.length === 0) return;
    this.stats.antiEntropyKeysStreamed += entries.length;
    this.ctx.send(from, { type: "q.aePull", round, entries, want });
  }

  /** The peer's versions of the differing keys, and the keys it wants from here. */
  private onAePull(
    from: NodeId,
    round: number,
    entries: readonly (readonly [string, Json])[],
    want: readonly string[],
  ): void {
    const out: [string, Json][] = [];
    for (const key of want) {
      const e = this.store.get(key);
      if (e !== undefined) out.push([key, e.state]);
    }
    for (const [key, state] of entries) this.applyReplicaWrite(key, state as S, null);
    this.stats.antiEntropyKeysStreamed += out.length;
    if (out.length > 0) this.ctx.send(from, { type: "q.aeEntries", round, entries: out });
  }

  // ---------------------------------------------------------------- membership

  private applyMembership(epoch: number, members: readonly NodeId[]): void {
    if (epoch <= this.epoch) return;
    const old = this.placement;
    this.epoch = epoch;
    this.placement = old.withMembers(members);
    this.ctx.storage.set(MEMBERS_KEY, { epoch, members: [...members] });
    this.ctx.storage.sync();
    const n = Math.min(this.defaults.n, members.length);
    const batches = new Map<NodeId, [string, Json][]>();
    for (const [key, e] of this.store) {
      const before = old.preferenceList(key, Math.min(n, old.members.length));
      const after = this.placement.preferenceList(key, n);
      for (const target of after) {
        if (target === this.ctx.id || before.includes(target)) continue;
        let batch = batches.get(target);
        if (batch === undefined) {
          batch = [];
          batches.set(target, batch);
        }
        batch.push([key, e.state]);
      }
    }
    for (const [target, entries] of batches) {
      for (let i = 0; i < entries.length; i += MAX_BATCH)
        this.startTransfer(target, entries.slice(i, i + MAX_BATCH));
    }
    this.dropUnowned();
  }

  private startTransfer(target: NodeId, entries: readonly (readonly [string, Json])[]): void {
    const rid = this.nextRid++;
    const t: Transfer = { target, entries, attempts: 0, timer: 0 };
    this.transfers.set(rid, t);
    this.sendTransfer(rid, t);
  }

  private sendTransfer(rid: number, t: Transfer): void {
    t.attempts++;
    this.stats.keysTransferred += t.entries.length;
    this.ctx.send(t.target, { type: "q.transfer", rid, entries: t.entries });
    t.timer = this.ctx.setTimer(
      this.timeoutMs,
      () => {
        if (!this.transfers.has(rid)) return;
        if (t.attempts >= MAX_TRANSFER_ATTEMPTS) {
          this.ctx.log(
            `transfer to ${t.target} abandoned after ${t.attempts} attempts; anti-entropy will repair`,
          );
          this.transfers.delete(rid);
          this.dropUnowned();
          return;
        }
        this.sendTransfer(rid, t);
      },
      "transfer-retry",
    );
  }

  private onTransferAck(rid: number): void {
    const t = this.transfers.get(rid);
    if (t === undefined) return;
    this.transfers.delete(rid);
    this.ctx.cancelTimer(t.timer);
    this.dropUnowned();
  }

  /** Drops keys this node no longer replicates, once no transfer of them is outstanding. */
  private dropUnowned(): void {
    const busy = new Set<string>();
    for (const t of this.transfers.values()) for (const [k] of t.entries) busy.add(k);
    const n = Math.min(this.defaults.n, this.placement.members.length);
    for (const key of [...this.store.keys()]) {
      if (busy.has(key) || this.placement.preferenceList(key, n).includes(this.ctx.id)) continue;
      const e = this.store.get(key);
      if (e?.tombstoneAtMs != null) this.tombstones--;
      this.store.delete(key);
      this.ctx.storage.delete(KV_PREFIX + key);
    }
    this.ctx.storage.sync();
  }
}
