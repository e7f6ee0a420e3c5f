/**
 * A multi-leader replica: leaders take writes and pass changes along a topology, with loop
 * prevention, optional causal delivery and a selectable conflict policy; each leader also feeds its
 * own followers.
 * @module
 */
import { compareHlc, type Dot, dot, HybridLogicalClock, VersionVector } from "@distkit/clocks";
import type { Crdt } from "@distkit/crdt";
import type { Message, NodeContext, NodeId, SimNode } from "@distkit/sim-net";
import { type ConflictPolicy, validateConflictPolicy } from "./conflict-policy.js";
import { invariant, ReplicationError } from "./errors.js";
import type { JsonValue } from "./json-value.js";
import type {
  Change,
  MultiLeaderMessage,
  MultiLeaderReadResult,
  MultiLeaderWriteResult,
  WriteOp,
} from "./multi-leader-message.js";
import { nextHops, type Topology, validateTopology } from "./topology.js";

/**
 * Configuration shared by every node of one multi-leader store.
 *
 * @example
 * ```ts
 * import type { MultiLeaderConfig } from "@distkit/replication";
 * const config: MultiLeaderConfig = {
 *   leaders: ["dc1", "dc2", "dc3"],
 *   followers: { dc1: ["dc1-r"] },
 *   topology: { kind: "all-to-all" },
 *   conflict: { kind: "lww" },
 *   causalDelivery: true,
 * };
 * ```
 */
export interface MultiLeaderConfig {
  /** The nodes that accept writes. */
  readonly leaders: readonly NodeId[];
  /** Each leader's read-only followers. */
  readonly followers?: Readonly<Record<NodeId, readonly NodeId[]>>;
  /** How leaders pass changes to each other. */
  readonly topology: Topology;
  /** What happens to concurrent writes to one key. */
  readonly conflict: ConflictPolicy;
  /** Hold a change until every change its writer had seen is applied. Default false. */
  readonly causalDelivery?: boolean;
  /** Unacknowledged changes are resent this often. Default 100. */
  readonly retransmitIntervalMs?: number;
  /** Most changes per message. Default 1024. */
  readonly maxBatchChanges?: number;
  /** Bound on each link's unacknowledged changes and on the causal buffer. Default 100000. */
  readonly maxPendingChanges?: number;
}

/**
 * Counters of one multi-leader node.
 *
 * @example
 * ```ts
 * import type { MultiLeaderStats } from "@distkit/replication";
 * const healthy = (s: MultiLeaderStats) => s.droppedChanges === 0 && s.buffered === 0;
 * ```
 */
export interface MultiLeaderStats {
  /** Writes this node took from clients. */
  readonly written: number;
  /** Changes of other leaders applied here. */
  readonly applied: number;
  /** Changes received again (already applied) and ignored. */
  readonly duplicates: number;
  /** Changes not sent (or dropped) because the target was already in their path. */
  readonly loopsPrevented: number;
  /** Changes applied while a concurrent value of the same key was present. */
  readonly conflicts: number;
  /**
   * LWW: writes seen here that lose to the key's CURRENT winner (not in its causal past), counted over
   * the keys as they are now. It is not a running total: when a later write supersedes the winner after
   * seeing the earlier writes, those writes stop counting, so the figure can go down. A running total of
   * writes that ever lost a conflict is not kept yet.
   */
  readonly lostUpdates: number;
  /** `update` changes applied before any value of their key (the insert had not arrived). */
  readonly updatesBeforeInsert: number;
  /** Changes applied before a change of the same key their writer had seen. */
  readonly outOfCausalOrder: number;
  /** Changes received but held back (causal delivery) right now. */
  readonly buffered: number;
  /** Unacknowledged changes per outgoing link (a growing backlog is a stalled link). */
  readonly unacknowledged: Readonly<Record<NodeId, number>>;
  /** Changes dropped because a link's backlog reached its bound. */
  readonly droppedChanges: number;
}

interface Sibling {
  readonly dot: Dot;
  readonly value: JsonValue;
  readonly hlc: Change["hlc"];
  readonly context: VersionVector;
}

interface KeyState {
  /** LWW: at most one (the winner); siblings and merge: the concurrent values. */
  siblings: Sibling[];
  context: VersionVector;
  /** LWW: every write of this key seen here. */
  readonly seen: Dot[];
  crdt: Crdt<unknown, unknown> | undefined;
}

interface OutLink {
  queue: Change[];
  /** Link sequence number of the last acknowledged change (queue[0] has base + 1). */
  base: number;
  sentUpTo: number;
  ackedAtLastTick: number;
}

/**
 * Checks a {@link MultiLeaderConfig}; throws {@link ReplicationError} when it is malformed.
 *
 * @example
 * ```ts
 * import { validateMultiLeaderConfig } from "@distkit/replication";
 * validateMultiLeaderConfig({ leaders: ["a", "b"], topology: { kind: "all-to-all" }, conflict: { kind: "lww" } });
 * ```
 */
export function validateMultiLeaderConfig(config: MultiLeaderConfig): void {
  const { leaders } = config;
  if (leaders.length === 0)
    throw new ReplicationError("invalid-config", "leaders must name at least one node");
  if (new Set(leaders).size !== leaders.length) {
    throw new ReplicationError("invalid-config", `leaders has duplicates: [${leaders.join(", ")}]`);
  }
  validateTopology(config.topology, leaders);
  validateConflictPolicy(config.conflict);
  const seen = new Set<NodeId>();
  for (const [leader, followers] of Object.entries(config.followers ?? {})) {
    if (!leaders.includes(leader)) {
      throw new ReplicationError(
        "invalid-config",
        `followers are listed under "${leader}", which is not a leader`,
      );
    }
    for (const f of followers) {
      if (leaders.includes(f) || seen.has(f)) {
        throw new ReplicationError(
          "invalid-config",
          `follower "${f}" is a leader or follows two leaders; a follower follows exactly one leader`,
        );
      }
      seen.add(f);
    }
  }
  for (const [name, v] of [
    ["retransmitIntervalMs", config.retransmitIntervalMs],
    ["maxBatchChanges", config.maxBatchChanges],
    ["maxPendingChanges", config.maxPendingChanges],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
      throw new ReplicationError("invalid-config", `${name} must be a finite number > 0, got ${v}`);
    }
  }
}

const INCARNATION_KEY = "ml/incarnation";
const LOG_PREFIX = "ml/log/";

const byDot = (a: { dot: Dot }, b: { dot: Dot }): number =>
  a.dot.replica === b.dot.replica ? a.dot.counter - b.dot.counter : a.dot.replica < b.dot.replica ? -1 : 1;

/**
 * One node (leader or follower) of a multi-leader store, as a sim-net node.
 *
 * @example
 * ```ts
 * import { Simulation } from "@distkit/sim-net";
 * import { MultiLeaderNode, type MultiLeaderConfig } from "@distkit/replication";
 * const config: MultiLeaderConfig = { leaders: ["a", "b", "c"], topology: { kind: "circular" }, conflict: { kind: "lww" } };
 * const sim = new Simulation({ seed: 1 });
 * for (const id of config.leaders) sim.addNode(id, (ctx) => new MultiLeaderNode(ctx, config));
 * sim.schedule(1, () => sim.node<MultiLeaderNode>("a").instance.write("x", "put", 1));
 * sim.runFor(100);
 * ```
 */
export class MultiLeaderNode implements SimNode<Message> {
  private readonly ctx: NodeContext<Message>;
  private readonly config: MultiLeaderConfig;
  private readonly role: "leader" | "follower";
  private readonly myFollowers: readonly NodeId[];
  private readonly causal: boolean;
  private readonly retransmitIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly hlc: HybridLogicalClock;
  private readonly keys = new Map<string, KeyState>();
  private readonly applied = new Map<NodeId, number>();
  private buffer: Change[] = [];
  private readonly out = new Map<NodeId, OutLink>();
  private readonly inLinks = new Map<NodeId, { incarnation: number; expected: number }>();
  private readonly incarnation: number;
  private unpersisted: Change[] = [];
  private segments = 0;
  private restored: Change[] = [];
  private seq = 0;
  private flushScheduled = false;
  private counters = {
    written: 0,
    applied: 0,
    duplicates: 0,
    loopsPrevented: 0,
    conflicts: 0,
    updatesBeforeInsert: 0,
    outOfCausalOrder: 0,
    droppedChanges: 0,
  };

  /**
   * Builds the node from its context. Every applied change is durable before it is acknowledged,
   * so a restarted node recovers its state from storage and offers its changes to its peers again.
   */
  constructor(ctx: NodeContext<Message>, config: MultiLeaderConfig) {
    validateMultiLeaderConfig(config);
    this.ctx = ctx;
    this.config = config;
    if (config.leaders.includes(ctx.id)) {
      this.role = "leader";
      this.myFollowers = config.followers?.[ctx.id] ?? [];
    } else {
      const isFollower = Object.values(config.followers ?? {}).some((fs) => fs.includes(ctx.id));
      if (!isFollower) {
        throw new ReplicationError(
          "invalid-config",
          `node "${ctx.id}" is neither a leader nor a follower of this store`,
        );
      }
      this.role = "follower";
      this.myFollowers = [];
    }
    this.causal = config.causalDelivery ?? false;
    this.retransmitIntervalMs = config.retransmitIntervalMs ?? 100;
    this.maxBatch = config.maxBatchChanges ?? 1024;
    this.maxPending = config.maxPendingChanges ?? 100_000;
    this.hlc = new HybridLogicalClock({
      now: () => Math.max(0, ctx.now()),
      maxOffsetMs: Number.POSITIVE_INFINITY,
    });
    this.incarnation = (ctx.storage.get<number>(INCARNATION_KEY) ?? 0) + 1;
    ctx.storage.set(INCARNATION_KEY, this.incarnation);
    ctx.storage.sync();
    // Recover every change this node applied before a crash (they were durable before acknowledged).
    for (const key of ctx.storage.keys(LOG_PREFIX)) {
      const segment = ctx.storage.get<readonly Change[]>(key);
      invariant(segment !== undefined, "stored change segments exist");
      for (const c of segment) {
        this.deliver(c, "restore");
        this.restored.push(c);
      }
      this.segments++;
    }
    this.seq = this.applied.get(ctx.id) ?? 0;
  }

  /** Starts the retransmission timer (and, after a restart, offers recovered changes again). */
  onStart(): void {
    // Peers drop what they already have; this resends what may not have been acknowledged.
    for (const c of this.restored) this.forward(c);
    this.restored = [];
    const tick = (): void => {
      this.retransmit();
      this.ctx.setTimer(this.retransmitIntervalMs, tick, "retransmit");
    };
    this.ctx.setTimer(this.retransmitIntervalMs, tick, "retransmit");
  }

  /**
   * Takes a write at this leader (a local client). `insert` is rejected when the key has a value
   * here, `update` when it has none; `crdt` applies `value` as an operation of the CRDT policy.
   */
  write(key: string, op: WriteOp, value: JsonValue): MultiLeaderWriteResult {
    if (this.role !== "leader") return { outcome: "not-leader" };
    const policy = this.config.conflict;
    if ((op === "crdt") !== (policy.kind === "crdt")) {
      throw new ReplicationError(
        "bad-request",
        op === "crdt"
          ? `a crdt write needs the crdt conflict policy; this store uses ${policy.kind}`
          : `the crdt policy accepts only crdt writes, got ${op}`,
      );
    }
    const ks = this.keyState(key);
    const present = this.hasValue(ks);
    if (op === "insert" && present) return { outcome: "rejected", reason: `insert: key "${key}" exists` };
    if (op === "update" && !present)
      return { outcome: "rejected", reason: `update: key "${key}" does not exist` };
    let payload = value;
    if (policy.kind === "crdt") {
      const state = (ks.crdt ??= policy.crdt.type.create(this.ctx.id));
      payload = Array.from(policy.crdt.apply(state, value).encode());
    }
    this.seq++;
    const deps: Record<NodeId, number> = {};
    for (const [id, n] of this.applied) deps[id] = n;
    const change: Change = {
      origin: this.ctx.id,
      seq: this.seq,
      key,
      op,
      value: payload,
      hlc: this.hlc.now(),
      context: ks.context.toJSON(),
      deps,
      path: [this.ctx.id],
    };
    this.counters.written++;
    this.deliver(change, "local");
    this.persist();
    return { outcome: "ok", origin: this.ctx.id, seq: this.seq, hlc: change.hlc };
  }

  /** Reads `key` at this node. */
  read(key: string): MultiLeaderReadResult {
    const ks = this.keys.get(key);
    if (ks === undefined) return { value: null, siblings: [] };
    const policy = this.config.conflict;
    if (policy.kind === "crdt") {
      const v = (ks.crdt?.value() ?? null) as JsonValue;
      return { value: v, siblings: ks.crdt === undefined ? [] : [v] };
    }
    const siblings = ks.siblings.map((s) => s.value);
    if (policy.kind === "merge" && siblings.length > 1) return { value: policy.merge(siblings), siblings };
    return {
      value: siblings.length === 1 ? siblings[0]! : siblings.length === 0 ? null : siblings,
      siblings,
    };
  }

  /** Every key with its resolved value, keys sorted (to compare replicas for convergence). */
  snapshot(): Record<string, JsonValue> {
    const out: Record<string, JsonValue> = {};
    for (const key of [...this.keys.keys()].sort()) out[key] = this.read(key).value;
    return out;
  }

  /** This node's counters. */
  stats(): MultiLeaderStats {
    const unacknowledged: Record<NodeId, number> = {};
    for (const [to, link] of [...this.out].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
      unacknowledged[to] = link.queue.length;
    return {
      ...this.counters,
      lostUpdates: this.countLostUpdates(),
      buffered: this.buffer.length,
      unacknowledged,
    };
  }

  /** Handles link traffic and client requests. */
  onMessage(from: NodeId, message: Message): void {
    const m = message as MultiLeaderMessage;
    switch (m.type) {
      case "ml-changes": {
        let link = this.inLinks.get(from);
        if (link !== undefined && m.incarnation < link.incarnation) return;
        if (link === undefined || m.incarnation > link.incarnation) {
          // A new sender incarnation, or this node restarted: everything up to the sender's base
          // was acknowledged by this node before, hence durably applied.
          link = { incarnation: m.incarnation, expected: m.base + 1 };
          this.inLinks.set(from, link);
        }
        for (let i = 0; i < m.changes.length; i++) {
          const linkSeq = m.firstSeq + i;
          if (linkSeq < link.expected) continue;
          if (linkSeq > link.expected) break;
          this.receive(m.changes[i]!);
          link.expected++;
        }
        this.persist();
        this.send(from, { type: "ml-ack", incarnation: m.incarnation, upTo: link.expected - 1 });
        return;
      }
      case "ml-ack": {
        const link = this.out.get(from);
        if (link === undefined || m.incarnation !== this.incarnation || m.upTo <= link.base) return;
        const n = Math.min(m.upTo - link.base, link.queue.length);
        link.queue = link.queue.slice(n);
        link.base += n;
        if (link.sentUpTo < link.base) link.sentUpTo = link.base;
        return;
      }
      case "ml-write": {
        let result: MultiLeaderWriteResult;
        try {
          result = this.write(m.key, m.op, m.value);
        } catch (error) {
          // A remote client's bad request is answered, never thrown into the simulation.
          if (!(error instanceof ReplicationError)) throw error;
          result = { outcome: "rejected", reason: error.message };
        }
        this.send(from, { type: "ml-write-result", requestId: m.requestId, result });
        return;
      }
      case "ml-read":
        this.send(from, { type: "ml-read-result", requestId: m.requestId, result: this.read(m.key) });
        return;
      default:
        return;
    }
  }

  // ------------------------------------------------------------------ internals

  private send(to: NodeId, message: MultiLeaderMessage): void {
    this.ctx.send(to, message);
  }

  private keyState(key: string): KeyState {
    let ks = this.keys.get(key);
    if (ks === undefined) {
      ks = { siblings: [], context: VersionVector.empty(), seen: [], crdt: undefined };
      this.keys.set(key, ks);
    }
    return ks;
  }

  private hasValue(ks: KeyState): boolean {
    return ks.crdt !== undefined || ks.siblings.length > 0;
  }

  private receive(change: Change): void {
    if (change.path.includes(this.ctx.id)) {
      this.counters.loopsPrevented++;
      return;
    }
    if (change.seq <= (this.applied.get(change.origin) ?? 0)) {
      this.counters.duplicates++;
      return;
    }
    if (this.deliverable(change)) {
      this.deliver(change, "remote");
      if (this.buffer.length > 0) this.drain();
      return;
    }
    if (this.buffer.some((c) => c.origin === change.origin && c.seq === change.seq)) {
      this.counters.duplicates++;
      return;
    }
    if (this.buffer.length >= this.maxPending) {
      this.counters.droppedChanges++;
      this.ctx.log(`causal buffer full (${this.maxPending}): dropped ${change.origin}:${change.seq}`);
      return;
    }
    this.buffer.push(change);
  }

  private deliverable(c: Change): boolean {
    if ((this.applied.get(c.origin) ?? 0) !== c.seq - 1) return false;
    if (!this.causal) return true;
    for (const id in c.deps) {
      if (id !== c.origin && (this.applied.get(id) ?? 0) < (c.deps[id] ?? 0)) return false;
    }
    return true;
  }

  private drain(): void {
    let progress = true;
    while (progress && this.buffer.length > 0) {
      progress = false;
      const rest: Change[] = [];
      for (const c of this.buffer) {
        if (c.seq <= (this.applied.get(c.origin) ?? 0)) continue;
        if (this.deliverable(c)) {
          this.deliver(c, "remote");
          progress = true;
        } else rest.push(c);
      }
      this.buffer = rest;
    }
  }

  /** Writes the changes applied since the last call as one durable segment. */
  private persist(): void {
    if (this.unpersisted.length === 0) return;
    this.ctx.storage.set(LOG_PREFIX + String(this.segments++).padStart(12, "0"), this.unpersisted);
    this.ctx.storage.sync();
    this.unpersisted = [];
  }

  private deliver(c: Change, mode: "local" | "remote" | "restore"): void {
    invariant((this.applied.get(c.origin) ?? 0) === c.seq - 1, "changes of one origin apply in order");
    const local = mode === "local";
    if (mode !== "local") this.hlc.receive(c.hlc);
    if (mode === "remote") this.counters.applied++;
    const ks = this.keyState(c.key);
    const context = VersionVector.fromJSON(c.context);
    const d = dot(c.origin, c.seq);
    if (mode === "remote" && !ks.context.descends(context)) this.counters.outOfCausalOrder++;
    if (mode === "remote" && c.op === "update" && !this.hasValue(ks)) this.counters.updatesBeforeInsert++;
    const policy = this.config.conflict;
    if (policy.kind === "crdt") {
      const state = (ks.crdt ??= policy.crdt.type.create(this.ctx.id));
      if (!local) state.merge(policy.crdt.type.decode(Uint8Array.from(c.value as number[]), this.ctx.id));
    } else if (!ks.context.includes(d)) {
      const incoming: Sibling = { dot: d, value: c.value, hlc: c.hlc, context };
      const concurrent = ks.siblings.filter((s) => !context.includes(s.dot));
      if (concurrent.length > 0 && mode !== "restore") this.counters.conflicts++;
      if (policy.kind === "lww") {
        ks.seen.push(d);
        const w = ks.siblings[0];
        if (w === undefined || this.lwwWins(incoming, w)) ks.siblings = [incoming];
      } else {
        concurrent.push(incoming);
        ks.siblings = concurrent.sort(byDot);
      }
    } else if (policy.kind === "lww") {
      ks.seen.push(d);
    }
    ks.context = ks.context.merge(context).withDot(d);
    this.applied.set(c.origin, c.seq);
    if (mode === "restore") return;
    this.unpersisted.push(c);
    this.forward(c);
  }

  private lwwWins(a: Sibling, b: Sibling): boolean {
    const byTime = compareHlc(a.hlc, b.hlc);
    if (byTime !== 0) return byTime > 0;
    return a.dot.replica > b.dot.replica;
  }

  private countLostUpdates(): number {
    if (this.config.conflict.kind !== "lww") return 0;
    let lost = 0;
    for (const ks of this.keys.values()) {
      const w = ks.siblings[0];
      if (w === undefined) continue;
      for (const d of ks.seen) {
        if ((d.replica !== w.dot.replica || d.counter !== w.dot.counter) && !w.context.includes(d)) lost++;
      }
    }
    return lost;
  }

  private forward(c: Change): void {
    for (const f of this.myFollowers) this.enqueue(f, c);
    if (this.role !== "leader") return;
    const hops = nextHops(this.config.topology, this.config.leaders, this.ctx.id, c.origin);
    if (hops.length === 0) return;
    const path = c.path.includes(this.ctx.id) ? c.path : [...c.path, this.ctx.id];
    const forwarded: Change = path === c.path ? c : { ...c, path };
    for (const to of hops) {
      if (path.includes(to)) {
        this.counters.loopsPrevented++;
        continue;
      }
      this.enqueue(to, forwarded);
    }
  }

  private enqueue(to: NodeId, c: Change): void {
    let link = this.out.get(to);
    if (link === undefined) {
      link = { queue: [], base: 0, sentUpTo: 0, ackedAtLastTick: 0 };
      this.out.set(to, link);
    }
    if (link.queue.length >= this.maxPending) {
      this.counters.droppedChanges++;
      this.ctx.log(`link to ${to} backlog full (${this.maxPending}): dropped ${c.origin}:${c.seq}`);
      return;
    }
    link.queue.push(c);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.ctx.setTimer(
        0,
        () => {
          this.flushScheduled = false;
          for (const [id, l] of this.out) this.sendFrom(id, l);
        },
        "ship-changes",
      );
    }
  }

  private sendFrom(to: NodeId, link: OutLink): void {
    const end = link.base + link.queue.length;
    while (link.sentUpTo < end) {
      const from = link.sentUpTo;
      const upTo = Math.min(end, from + this.maxBatch);
      this.send(to, {
        type: "ml-changes",
        incarnation: this.incarnation,
        base: link.base,
        firstSeq: from + 1,
        changes: link.queue.slice(from - link.base, upTo - link.base),
      });
      link.sentUpTo = upTo;
    }
  }

  private retransmit(): void {
    for (const [to, link] of this.out) {
      if (link.queue.length === 0) continue;
      // No acknowledgement progress for a whole interval: resend everything unacknowledged.
      if (link.base === link.ackedAtLastTick) link.sentUpTo = link.base;
      link.ackedAtLastTick = link.base;
      this.sendFrom(to, link);
    }
  }
}
