/**
 * The Raft server as a sim-net node: drives a {@link RaftCore} from the node context (timers,
 * durable storage synced before sending, seeded randomness, local clock for leases) and serves a
 * {@link KvStateMachine} to clients.
 * @module
 */
import type { NodeContext, NodeId, SimNode } from "@distkit/sim-net";
import type { KvReply, KvRequest, RaftNodeMessage } from "./client-protocol.js";
import type { RaftConfig } from "./config.js";
import { invariant, RaftError } from "./errors.js";
import { type KvCommand, KvStateMachine, validateKvOperation } from "./kv-state-machine.js";
import type { MembershipChange } from "./membership.js";
import type { HardState, LogEntry, Snapshot } from "./messages.js";
import {
  type ProposeResult,
  RaftCore,
  type RaftStatus,
  type Ready,
  type RecoveredState,
  type TransferResult,
} from "./raft-core.js";

/**
 * How the leader serves reads: `readIndex` (a heartbeat round confirms leadership), `lease`
 * (no round while a clock-drift-adjusted lease holds; needs checkQuorum), or `unsafeStale` (serve
 * from local state whenever this node believes it leads: NOT linearizable; for demonstrations).
 *
 * @example
 * ```ts
 * const mode: ReadMode = "lease";
 * ```
 */
export type ReadMode = "readIndex" | "lease" | "unsafeStale";

/**
 * Options of a {@link RaftNode}.
 *
 * @example
 * ```ts
 * const options: RaftNodeOptions = { voters: ["n1", "n2", "n3"], readMode: "readIndex", raft: { electionTimeoutMs: 300 } };
 * ```
 */
export interface RaftNodeOptions {
  /** Initial voters of the cluster (bootstrap). Omit, with `join: true`, for a node added later. */
  readonly voters?: readonly NodeId[];
  /** Start with no membership and wait to be added by a membership change. Default false. */
  readonly join?: boolean;
  /** Protocol tunables. */
  readonly raft?: RaftConfig;
  /** Read path. Default "readIndex". */
  readonly readMode?: ReadMode;
  /** Take a snapshot every this many applied entries. Default 1000. */
  readonly snapshotThresholdEntries?: number;
  /** Entries kept in the log before the snapshot index, for lagging followers. Default 100. */
  readonly retainEntries?: number;
  /** Bound on client requests waiting for commit or a read confirmation. Default 10,000. */
  readonly maxPendingRequests?: number;
  /** Bound on client sessions kept by the state machine. Default 10,000. */
  readonly maxSessions?: number;
}

interface PendingWrite {
  readonly from: NodeId;
  readonly clientId: string;
  readonly seq: number;
}

interface PendingRead {
  readonly from: NodeId;
  readonly request: KvRequest;
  index: number;
}

const KEY_HARD_STATE = "raft/hs";
const KEY_SNAPSHOT = "raft/snap";
const KEY_OFFSET = "raft/offset";
const KEY_SEGMENT = "raft/s/";
const MAX_READY_ROUNDS = 64;

function segmentKey(first: number): string {
  return KEY_SEGMENT + first;
}

/** A run of consecutive entries stored under one key (one per Ready that appended entries). */
interface Segment {
  readonly first: number;
  last: number;
}

/**
 * A Raft server with a replicated key-value store, implementing the sim-net node contract.
 *
 * @example
 * ```ts
 * import { Simulation } from "@distkit/sim-net";
 * const sim = new Simulation({ seed: 1 });
 * const voters = ["n1", "n2", "n3"];
 * for (const id of voters) sim.addNode(id, (ctx) => new RaftNode(ctx, { voters }));
 * sim.runFor(1000);
 * ```
 */
export class RaftNode implements SimNode<RaftNodeMessage> {
  /** The protocol core (read its status; drive it through this node). */
  readonly core: RaftCore;
  /** The read path. */
  readonly readMode: ReadMode;
  private kvState: KvStateMachine;
  private readonly ctx: NodeContext<RaftNodeMessage>;
  private readonly snapshotThreshold: number;
  private readonly retainEntries: number;
  private readonly maxPending: number;
  private readonly maxSessions: number;
  private persistedOffset: number;
  private segments: Segment[] = [];
  private lastSnapshotIndex: number;
  private readonly pendingWrites = new Map<number, PendingWrite>();
  private readonly pendingReads = new Map<number, PendingRead>();
  private waitingReads: PendingRead[] = [];
  private nextReadId = 1;

  /** Builds the node over `ctx`, recovering durable state from `ctx.storage`. */
  constructor(ctx: NodeContext<RaftNodeMessage>, options: RaftNodeOptions) {
    this.ctx = ctx;
    if (typeof options !== "object" || options === null) {
      throw new RaftError("invalid-config", "RaftNode options must be an object");
    }
    const join = options.join ?? false;
    if (!join && (options.voters === undefined || options.voters.length === 0)) {
      throw new RaftError(
        "invalid-config",
        "RaftNode needs `voters` (the initial cluster) unless `join` is true",
      );
    }
    this.readMode = options.readMode ?? "readIndex";
    if (!["readIndex", "lease", "unsafeStale"].includes(this.readMode)) {
      throw new RaftError(
        "invalid-config",
        `readMode must be "readIndex", "lease" or "unsafeStale", got ${String(this.readMode)}`,
      );
    }
    this.snapshotThreshold = positive("snapshotThresholdEntries", options.snapshotThresholdEntries ?? 1000);
    this.retainEntries = nonNegative("retainEntries", options.retainEntries ?? 100);
    this.maxPending = positive("maxPendingRequests", options.maxPendingRequests ?? 10_000);
    this.maxSessions = positive("maxSessions", options.maxSessions ?? 10_000);

    const recovered = this.recover();
    this.core = new RaftCore({
      id: ctx.id,
      ...(join || options.voters === undefined ? {} : { bootstrapVoters: options.voters }),
      ...(options.raft === undefined ? {} : { config: options.raft }),
      random: ctx.random,
      now: () => ctx.now(),
      recovered,
    });
    if (this.readMode === "lease" && !this.core.config.checkQuorum) {
      throw new RaftError("invalid-config", 'readMode "lease" requires raft.checkQuorum = true');
    }
    this.kvState =
      recovered.snapshot === null
        ? new KvStateMachine(this.maxSessions)
        : KvStateMachine.fromSnapshot(recovered.snapshot.data, this.maxSessions);
    this.persistedOffset = recovered.logOffset.index;
    this.lastSnapshotIndex = recovered.snapshot?.index ?? 0;
  }

  private recover(): RecoveredState {
    const s = this.ctx.storage;
    const hardState = s.get<HardState>(KEY_HARD_STATE) ?? { term: 0, vote: null, commit: 0 };
    const snapshot = s.get<Snapshot>(KEY_SNAPSHOT) ?? null;
    const logOffset = s.get<{ index: number; term: number }>(KEY_OFFSET) ?? { index: 0, term: 0 };
    const found: { first: number; entries: LogEntry[] }[] = [];
    for (const key of s.keys(KEY_SEGMENT)) {
      const first = Number(key.slice(KEY_SEGMENT.length));
      const seg = s.get<LogEntry[]>(key);
      if (
        !Number.isSafeInteger(first) ||
        !Array.isArray(seg) ||
        seg.length === 0 ||
        seg[0]!.index !== first
      ) {
        throw new RaftError("corrupt-storage", `log segment ${key} is malformed`);
      }
      found.push({ first, entries: seg });
    }
    found.sort((a, b) => a.first - b.first);
    const entries: LogEntry[] = [];
    for (const seg of found) {
      const last = seg.first + seg.entries.length - 1;
      this.segments.push({ first: seg.first, last });
      for (const e of seg.entries) {
        if (e.index <= logOffset.index) continue;
        if (e.index !== logOffset.index + entries.length + 1) {
          throw new RaftError("corrupt-storage", `log segments are not contiguous at index ${e.index}`);
        }
        entries.push(e);
      }
    }
    if (hardState.commit > logOffset.index + entries.length && hardState.commit > (snapshot?.index ?? 0)) {
      throw new RaftError("corrupt-storage", `commit index ${hardState.commit} is beyond the stored log`);
    }
    return { hardState, snapshot, logOffset, entries };
  }

  /** The replicated key-value state (read-only use). */
  get kv(): KvStateMachine {
    return this.kvState;
  }

  /** Status of the core (role, term, indexes, progress, metrics). */
  status(): RaftStatus {
    return this.core.status();
  }

  /** Starts ticking and flushes recovered state. */
  onStart(): void {
    this.scheduleTick();
    this.processReady();
  }

  /** Handles a Raft or client message. */
  onMessage(from: NodeId, message: RaftNodeMessage): void {
    if (message.type === "kv.request") this.handleClientRequest(from, message);
    else if (message.type === "kv.response") return;
    else this.core.step(from, message);
    this.processReady();
  }

  /** Proposes a key-value command directly (as the leader). For benchmarks and tests. */
  proposeCommand(command: KvCommand): ProposeResult {
    const r = this.core.propose(command, commandSize(command));
    this.processReady();
    return r;
  }

  /** Proposes many commands in one batch (one flush). */
  proposeCommands(commands: readonly KvCommand[]): number {
    let accepted = 0;
    for (const c of commands) {
      if (this.core.propose(c, commandSize(c)).kind === "ok") accepted++;
    }
    this.processReady();
    return accepted;
  }

  /** Proposes a membership change (joint consensus). */
  proposeMembership(change: MembershipChange): ProposeResult {
    const r = this.core.proposeMembership(change);
    this.processReady();
    return r;
  }

  /** Starts a leadership transfer to `to`. */
  transferLeadership(to: NodeId): TransferResult {
    const r = this.core.transferLeadership(to);
    this.processReady();
    return r;
  }

  /** Starts an election now. */
  campaign(): void {
    this.core.campaign();
    this.processReady();
  }

  private scheduleTick(): void {
    this.ctx.setTimer(
      this.core.config.tickMs,
      () => {
        this.core.tick();
        this.processReady();
        this.scheduleTick();
      },
      "tick",
    );
  }

  private handleClientRequest(from: NodeId, req: KvRequest): void {
    const reply = (r: KvReply) =>
      this.ctx.send(from, { type: "kv.response", clientId: req.clientId, seq: req.seq, reply: r });
    let op: ReturnType<typeof validateKvOperation>;
    try {
      op = validateKvOperation(req.op);
    } catch (e) {
      reply({ kind: "unavailable", reason: e instanceof Error ? e.message : "invalid request" });
      return;
    }
    if (this.core.currentRole !== "leader") {
      reply({ kind: "notLeader", leaderHint: this.core.leaderId });
      return;
    }
    if (op.kind === "get") {
      if (this.readMode === "unsafeStale") {
        reply({ kind: "ok", outcome: { ok: true, value: this.kvState.get(op.key) } });
        return;
      }
      if (this.pendingReads.size + this.waitingReads.length >= this.maxPending) {
        reply({ kind: "unavailable", reason: "too many pending reads" });
        return;
      }
      const id = this.nextReadId++;
      const r = this.core.readIndex(id, this.readMode === "lease");
      if (r.kind === "pending") this.pendingReads.set(id, { from, request: req, index: 0 });
      else if (r.kind === "notLeader") reply({ kind: "notLeader", leaderHint: r.leaderHint });
      else reply({ kind: "unavailable", reason: r.reason });
      return;
    }
    const done = this.kvState.appliedOutcome(req.clientId, req.seq);
    if (done !== undefined) {
      reply({ kind: "ok", outcome: done });
      return;
    }
    if (this.pendingWrites.size >= this.maxPending) {
      reply({ kind: "unavailable", reason: "too many pending writes" });
      return;
    }
    const command: KvCommand = { clientId: req.clientId, seq: req.seq, op };
    const r = this.core.propose(command, commandSize(command));
    if (r.kind === "ok") this.pendingWrites.set(r.index, { from, clientId: req.clientId, seq: req.seq });
    else if (r.kind === "notLeader") reply({ kind: "notLeader", leaderHint: r.leaderHint });
    else reply({ kind: "unavailable", reason: r.reason });
  }

  /** Persists, syncs, sends, applies: the Ready loop. */
  private processReady(): void {
    for (let round = 0; round < MAX_READY_ROUNDS && this.core.hasReady(); round++) {
      const rd = this.core.ready();
      this.persist(rd);
      for (const m of rd.messages) this.ctx.send(m.to, m.message);
      if (rd.snapshot !== null) {
        this.kvState = KvStateMachine.fromSnapshot(rd.snapshot.data, this.maxSessions);
        this.lastSnapshotIndex = rd.snapshot.index;
        // Writes covered by the snapshot can no longer be matched to their entries.
        for (const index of this.pendingWrites.keys()) {
          if (index <= rd.snapshot.index) this.pendingWrites.delete(index);
        }
      }
      for (const e of rd.committedEntries) this.apply(e);
      this.core.advance(rd);
      for (const rs of rd.readStates) {
        const pr = this.pendingReads.get(rs.requestId);
        if (pr === undefined) continue;
        this.pendingReads.delete(rs.requestId);
        pr.index = rs.index;
        this.waitingReads.push(pr);
      }
      this.serveReads();
      this.maybeSnapshot();
    }
    if (this.core.currentRole !== "leader" && (this.pendingReads.size > 0 || this.waitingReads.length > 0)) {
      const hint = this.core.leaderId;
      for (const pr of [...this.pendingReads.values(), ...this.waitingReads]) {
        this.ctx.send(pr.from, {
          type: "kv.response",
          clientId: pr.request.clientId,
          seq: pr.request.seq,
          reply: { kind: "notLeader", leaderHint: hint },
        });
      }
      this.pendingReads.clear();
      this.waitingReads = [];
    }
  }

  private persist(rd: Ready): void {
    const s = this.ctx.storage;
    let dirty = false;
    if (rd.snapshot !== null) {
      s.set(KEY_SNAPSHOT, rd.snapshot);
      dirty = true;
    }
    if (rd.logOffset.index !== this.persistedOffset) {
      // Compaction or snapshot install: drop segments wholly at or below the new offset.
      let drop = 0;
      while (drop < this.segments.length && this.segments[drop]!.last <= rd.logOffset.index) {
        s.delete(segmentKey(this.segments[drop]!.first));
        drop++;
      }
      if (drop > 0) this.segments = this.segments.slice(drop);
      s.set(KEY_OFFSET, rd.logOffset);
      this.persistedOffset = rd.logOffset.index;
      dirty = true;
    }
    // Entries beyond the new end (truncated by a new leader, or replaced below) are removed.
    const keepUpTo = rd.entries.length > 0 ? rd.entries[0]!.index - 1 : rd.lastIndex;
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i]!;
      if (seg.last <= keepUpTo) break;
      if (seg.first > keepUpTo) {
        s.delete(segmentKey(seg.first));
        this.segments.pop();
      } else {
        const kept = s.get<LogEntry[]>(segmentKey(seg.first))!.slice(0, keepUpTo - seg.first + 1);
        s.set(segmentKey(seg.first), kept);
        seg.last = keepUpTo;
      }
      dirty = true;
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0]!.index;
      s.set(segmentKey(first), rd.entries);
      this.segments.push({ first, last: first + rd.entries.length - 1 });
      dirty = true;
    }
    invariant(
      this.segments.length === 0 ||
        this.segments[this.segments.length - 1]!.last === rd.lastIndex ||
        rd.lastIndex <= this.persistedOffset,
      "persisted log ends at the core's last index",
    );
    if (rd.hardState !== null) {
      s.set(KEY_HARD_STATE, rd.hardState);
      dirty = true;
    }
    if (dirty) s.sync();
  }

  private apply(e: LogEntry): void {
    if (e.kind !== "normal") return;
    const cmd = e.data as KvCommand;
    const outcome = this.kvState.apply(cmd);
    const pw = this.pendingWrites.get(e.index);
    if (pw === undefined) return;
    this.pendingWrites.delete(e.index);
    if (pw.clientId === cmd.clientId && pw.seq === cmd.seq) {
      this.ctx.send(pw.from, {
        type: "kv.response",
        clientId: cmd.clientId,
        seq: cmd.seq,
        reply: { kind: "ok", outcome },
      });
    }
  }

  private serveReads(): void {
    if (this.waitingReads.length === 0) return;
    const applied = this.core.appliedIndex;
    const still: PendingRead[] = [];
    for (const pr of this.waitingReads) {
      if (pr.index > applied) {
        still.push(pr);
        continue;
      }
      const op = pr.request.op;
      invariant(op.kind === "get", "only gets wait for read confirmation");
      this.ctx.send(pr.from, {
        type: "kv.response",
        clientId: pr.request.clientId,
        seq: pr.request.seq,
        reply: { kind: "ok", outcome: { ok: true, value: this.kvState.get(op.key) } },
      });
    }
    this.waitingReads = still;
  }

  private maybeSnapshot(): void {
    const applied = this.core.appliedIndex;
    if (applied - this.lastSnapshotIndex < this.snapshotThreshold) return;
    const snap = this.core.createSnapshot(applied, this.kvState.toSnapshot(), this.retainEntries);
    this.lastSnapshotIndex = applied;
    this.ctx.storage.set(KEY_SNAPSHOT, snap);
    this.ctx.storage.sync();
    // Pending writes below the applied index can no longer be answered.
    if (this.pendingWrites.size > 0) {
      for (const index of this.pendingWrites.keys()) if (index <= applied) this.pendingWrites.delete(index);
    }
  }
}

function commandSize(c: KvCommand): number {
  const op = c.op;
  let size = 24 + c.clientId.length + op.key.length;
  if (op.kind === "put" || op.kind === "append") size += op.value.length;
  else if (op.kind === "cas") size += op.value.length + (op.expected?.length ?? 0);
  return size;
}

function positive(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new RaftError("invalid-config", `${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RaftError("invalid-config", `${name} must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}
